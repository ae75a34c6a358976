import MoodbiomeNumerics

/// The random permutations of a permutation test: how many, from which
/// seed, free or within blocks (strata).
///
/// Permutation k is a Fisher–Yates shuffle of the identity — of all
/// samples, or of each stratum's samples among themselves (vegan's
/// `how(blocks = strata)`) — drawn from one xoshiro256** stream seeded with
/// `seed`, in order. Permutations are generated in that order in batches
/// and evaluated batch by batch, so the result depends on the seed only,
/// never on the batch size or the number of cores.
public struct PermutationPlan: Sendable, Equatable {
    /// Number of permutations (0: no test).
    public let count: Int
    public let seed: UInt64
    /// For each stratum, the samples (indices) it holds; nil for free
    /// permutation.
    public let strata: [[Int]]?

    public init(count: Int, seed: UInt64, strata: [[Int]]? = nil) {
        self.count = count
        self.seed = seed
        self.strata = strata
    }

    /// The strata of `labels` (one per sample): samples with equal labels
    /// form a block, blocks in order of first appearance.
    public static func strata(_ labels: [String]) -> [[Int]] {
        var order = [String: Int](), blocks = [[Int]]()
        for (i, label) in labels.enumerated() {
            if let b = order[label] { blocks[b].append(i) } else { order[label] = blocks.count; blocks.append([i]) }
        }
        return blocks
    }

    /// Calls `body` with successive batches of permutations of `0..<n`
    /// (each a permutation as an array: sample i takes the place of
    /// sample `p[i]`), at most `batch` at a time.
    public func forEachBatch(n: Int, batch: Int, _ body: ([[Int]]) throws -> Void) rethrows {
        var rng = Xoshiro256StarStar(seed: seed)
        var done = 0
        while done < count {
            let size = Swift.min(batch, count - done)
            var permutations = [[Int]]()
            permutations.reserveCapacity(size)
            for _ in 0..<size { permutations.append(next(n: n, &rng)) }
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

    func next(n: Int, _ rng: inout Xoshiro256StarStar) -> [Int] {
        var p = Array(0..<n)
        if let strata {
            for block in strata {
                var shuffled = block
                rng.shuffle(&shuffled)
                for (k, i) in block.enumerated() { p[i] = shuffled[k] }
            }
        } else {
            rng.shuffle(&p)
        }
        return p
    }
}
