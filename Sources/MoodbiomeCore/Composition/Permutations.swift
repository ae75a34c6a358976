import MoodbiomeNumerics

/// The random permutations of a permutation test: how many, from which
/// seed, and how they are restricted.
///
/// Permutation k is drawn from one xoshiro256** stream seeded with `seed`,
/// in order, as Fisher–Yates shuffles:
/// - ``Restriction/free``: all samples shuffled;
/// - ``Restriction/withinBlocks(column:blocks:)``: each block's samples
///   shuffled among themselves (permute's `how(blocks = …)`, vegan's
///   `strata`), for terms that vary within blocks;
/// - ``Restriction/wholePlots(column:plots:)``: the plots shuffled as whole
///   units, each keeping the order of its samples (permute's
///   `how(plots = Plots(strata = …, type = "free"), within = Within("none"))`),
///   for terms constant within plots — a participant's visits move
///   together. A plot can only take the place of a plot with as many
///   samples, so plots are shuffled within classes of equal size
///   (Winkler et al. 2015, *NeuroImage* 123:253–268, exchangeability
///   blocks); with equal-sized plots this is permute's design exactly.
///
/// Permutations are generated in that order in batches and evaluated batch
/// by batch, so the result depends on the seed only, never on the batch
/// size or the number of cores.
public struct PermutationPlan: Sendable, Equatable {
    /// How permutations are restricted.
    public enum Restriction: Sendable, Equatable {
        case free
        /// Samples move only within their block (the samples, by index).
        case withinBlocks(column: String, blocks: [[Int]])
        /// Plots move as wholes among plots of the same size (each plot's
        /// samples, by index, in order).
        case wholePlots(column: String, plots: [[Int]])

        /// The grouping column, if any.
        public var column: String? {
            switch self {
            case .free: nil
            case .withinBlocks(let c, _), .wholePlots(let c, _): c
            }
        }

        /// Whether some permutation can move a sample.
        public var movesSamples: Bool {
            switch self {
            case .free: true
            case .withinBlocks(_, let blocks): blocks.contains { $0.count > 1 }
            case .wholePlots(_, let plots): Dictionary(grouping: plots, by: \.count).values.contains { $0.count > 1 }
            }
        }
    }

    /// Number of permutations (0: no test).
    public let count: Int
    public let seed: UInt64
    public let restriction: Restriction

    public init(count: Int, seed: UInt64, restriction: Restriction = .free) {
        self.count = count
        self.seed = seed
        self.restriction = restriction
    }

    /// Permutations within blocks (`strata`), or free when nil.
    public init(count: Int, seed: UInt64, strata: [[Int]]?) {
        self.init(count: count, seed: seed, restriction: strata.map { .withinBlocks(column: "", blocks: $0) } ?? .free)
    }

    /// The groups of `labels` (one per sample): samples with equal labels
    /// form a group, groups in order of first appearance, samples in order.
    public static func strata(_ labels: [String]) -> [[Int]] {
        var order = [String: Int](), blocks = [[Int]]()
        for (i, label) in labels.enumerated() {
            if let b = order[label] { blocks[b].append(i) } else { order[label] = blocks.count; blocks.append([i]) }
        }
        return blocks
    }

    /// Whether `values` (one per sample) are constant within each group.
    public static func isConstant(_ values: [String], within groups: [[Int]]) -> Bool {
        groups.allSatisfy { g in g.allSatisfy { values[$0] == values[g[0]] } }
    }

    /// Calls `body` with successive batches of permutations of `0..<n`
    /// (each a permutation as an array: sample i takes the place of
    /// sample `p[i]`), at most `batch` at a time.
    public func forEachBatch(n: Int, batch: Int, _ body: ([[Int]]) throws -> Void) rethrows {
        var rng = Xoshiro256StarStar(seed: seed)
        let classes = plotClasses
        var done = 0
        while done < count {
            let size = Swift.min(batch, count - done)
            var permutations = [[Int]]()
            permutations.reserveCapacity(size)
            for _ in 0..<size { permutations.append(next(n: n, classes: classes, &rng)) }
            try body(permutations)
            done += size
        }
    }

    /// The p-value of a permutation test, `(#{T_π ≥ T − ε} + 1) / (N + 1)`,
    /// with ε = √(machine ε) so that ties with the observed statistic that
    /// differ only by rounding count (vegan's convention).
    public static func pValue(exceeding: Int, permutations: Int) -> Double {
        permutations > 0 ? Double(exceeding + 1) / Double(permutations + 1) : .nan
    }

    /// The tolerance ε of ``pValue(exceeding:permutations:)``.
    public static let tolerance = Double.ulpOfOne.squareRoot()

    /// Whole plots: the plots of each size, sizes in order of first appearance.
    var plotClasses: [[[Int]]] {
        guard case .wholePlots(_, let plots) = restriction else { return [] }
        var order = [Int: Int](), classes = [[[Int]]]()
        for plot in plots {
            if let c = order[plot.count] { classes[c].append(plot) } else { order[plot.count] = classes.count; classes.append([plot]) }
        }
        return classes
    }

    func next(n: Int, classes: [[[Int]]], _ rng: inout Xoshiro256StarStar) -> [Int] {
        var p = Array(0..<n)
        switch restriction {
        case .free:
            rng.shuffle(&p)
        case .withinBlocks(_, let blocks):
            for block in blocks {
                var shuffled = block
                rng.shuffle(&shuffled)
                for (k, i) in block.enumerated() { p[i] = shuffled[k] }
            }
        case .wholePlots:
            for plots in classes {
                var order = Array(plots.indices)
                rng.shuffle(&order)
                for (a, b) in order.enumerated() {
                    for (k, i) in plots[a].enumerated() { p[i] = plots[b][k] }
                }
            }
        }
        return p
    }
}
