import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// PERMANOVA by stripes of the distance matrix, without the n × n centred
/// matrix in memory.
///
/// Every statistic is built from the basis columns' `q_πᵀ G q_π`, and with
/// `G = −½ J D⁽²⁾ J` and centred q that is a sum over pairs,
/// `q_πᵀ G q_π = −Σ_{i<j} q_π(i) q_π(j) d²ᵢⱼ`; the total sum of squares is
/// `tr G = Σ_{i<j} d²ᵢⱼ / n`. So each stripe's pairs add their share for
/// every permutation (the same seeded permutations everywhere), row by
/// row: for matrix row i, `Σ_{j>i} d²ᵢⱼ` and `−q_π(i) Σ_{j>i} d²ᵢⱼ q_π(j)`
/// for every permutation π and basis column. Each is a sum over j in
/// increasing order, and the rows' shares are added in row order, so the
/// result is the same bits for any number of stripes, machines or threads
/// — and equal to the single-process test's (``Permanova/init(distances:design:split:plan:termPlans:)``,
/// which sums in BLAS's order) to rounding, with the same p-values.
extension Permanova {
    /// What a stripe's share and the merge both need: the design's basis
    /// and the permutation plans.
    public struct Setup: Sendable {
        let layout: Layout
        public let plan: PermutationPlan
        public let termPlans: [String: PermutationPlan]
        let statisticPlans: [PermutationPlan]

        public init(design: DesignMatrix, split: Split, plan: PermutationPlan, termPlans: [String: PermutationPlan] = [:],
                    source: String) throws {
            layout = try Layout(design: design, split: split, source: source)
            self.plan = plan
            self.termPlans = termPlans
            statisticPlans = layout.statisticTerms.map { termPlans[$0] ?? plan }
        }

        /// The samples (the design's rows).
        public var sampleCount: Int { layout.basis.rows }
        var width: Int { layout.basis.columns }
        /// The identity, then every permutation of each distinct plan.
        public var permutationCount: Int { 1 + Permanova.distinct(statisticPlans).reduce(0) { $0 + $1.count } }
        /// Numbers per matrix row in a share: its Σ d², then one per
        /// permutation and basis column.
        public var shareWidth: Int { 1 + permutationCount * width }

        /// The permutations in the order the test consumes them: the
        /// identity, then each distinct plan's, in batches.
        func forEachPermutationBatch(batch: Int, _ body: ([[Int]]) -> Void) {
            body([Array(0..<sampleCount)])
            for plan in Permanova.distinct(statisticPlans) { plan.forEachBatch(n: sampleCount, batch: batch, body) }
        }
    }

    /// One stripe's share: `pairs.rows.count` rows of ``Setup/shareWidth``
    /// numbers, row after row (a row of a sample not in the test is zeros).
    /// `distances` are the stripe's (condensed order); `positions[i]` is
    /// matrix sample i's row in the design, or −1 when it is not tested.
    public static func share(_ setup: Setup, pairs: PairRows, distances: [Double], positions: [Int]) -> [Double] {
        precondition(distances.count == pairs.count && positions.count == pairs.n)
        let width = setup.width, rowCount = pairs.rows.count, shareWidth = setup.shareWidth
        var out = Matrix(rows: shareWidth, columns: rowCount)
        let blocks = SharedFeatureSums.blocks(pairs)
        // Permutations in batches of about 4 million basis values.
        let batch = Swift.max(1, (1 << 22) / Swift.max(1, setup.sampleCount * width))
        var done = 0
        setup.forEachPermutationBatch(batch: batch) { permutations in
            // Row a of the batch: q_π(a) for every permutation and column.
            let columns = permutations.count * width
            var q = [Double](repeating: 0, count: setup.sampleCount * columns)
            for (p, perm) in permutations.enumerated() {
                for c in 0..<width {
                    let source = c * setup.sampleCount
                    for a in 0..<setup.sampleCount { q[a * columns + p * width + c] = setup.layout.basis.storage[source + perm[a]] }
                }
            }
            let first = done == 0, offset = 1 + done * width, values = q
            out.withParallelWriter { w in
                _ = parallelChunkMap(count: blocks.count) { range in
                    values.withUnsafeBufferPointer { q in
                        var y = [Double](repeating: 0, count: columns)
                        for i in range.flatMap({ blocks[$0] }) {
                            let a = positions[i]
                            guard a >= 0 else { continue }
                            let row = w.column(i - pairs.rows.lowerBound)
                            let squares = rowShare(i, pairs: pairs, distances: distances, positions: positions, q: q, columns: columns, y: &y)
                            if first { row[0] = squares }
                            for k in 0..<columns { row[offset + k] = -(q[a * columns + k] * y[k]) }
                        }
                    }
                }
            }
            done += permutations.count
        }
        return out.storage
    }

    /// `y[k] = Σ_{j>i} d²ᵢⱼ q[b(j), k]` over the tested samples j, in
    /// increasing j; returns `Σ_{j>i} d²ᵢⱼ`.
    @inline(__always)
    static func rowShare(_ i: Int, pairs: PairRows, distances: [Double], positions: [Int], q: UnsafeBufferPointer<Double>,
                         columns: Int, y: inout [Double]) -> Double {
        for k in 0..<columns { y[k] = 0 }
        var sum = 0.0
        let base = pairs.index(i, i + 1) - (i + 1)
        y.withUnsafeMutableBufferPointer { y in
            for j in (i + 1)..<Swift.max(pairs.n, i + 1) {
                let b = positions[j]
                guard b >= 0 else { continue }
                let d = distances[base + j], d2 = d * d
                sum += d2
                let qb = q.baseAddress! + b * columns
                for k in 0..<columns { y[k] += d2 * qb[k] }
            }
        }
        return sum
    }

    /// Adds one stripe's share, row by row in order, to `sums` (one row's
    /// width, zeros to start): the rows of all stripes added in row order
    /// give the same bits however the matrix was cut.
    public static func addShare(_ share: [Double], rows: Int, to sums: inout [Double]) {
        let width = sums.count
        precondition(share.count == rows * width)
        for r in 0..<rows {
            for k in 0..<width { sums[k] += share[r * width + k] }
        }
    }

    /// The test on a whole matrix read block of rows by block of rows
    /// (`permanova matrix.h5 --streamed`): each block is a stripe whose
    /// share is added at once, so memory is one block, its share and the
    /// permutations' basis values, never n × n — and the result is the same
    /// bits as the stripes' shares merged, however the matrix was cut.
    /// `positions` as for ``share(_:pairs:distances:positions:)``.
    public init(_ setup: Setup, rows matrix: any DistanceRows, positions: [Int], blockBytes: Int = 64 << 20) throws {
        let n = matrix.count
        precondition(positions.count == n)
        var sums = [Double](repeating: 0, count: setup.shareWidth)
        let rowsPerBlock = Swift.max(1, blockBytes / (8 * (n + setup.shareWidth)))
        try matrix.forEachBlock(rows: rowsPerBlock, validating: true) { range, values in
            let pairs = PairRows(n: n, rows: range)
            var condensed = [Double](repeating: 0, count: pairs.count)
            for i in range {
                let row = (i - range.lowerBound) * n, first = pairs.index(i, i + 1) - (i + 1)
                for j in (i + 1)..<Swift.max(n, i + 1) { condensed[first + j] = values[row + j] }
            }
            Permanova.addShare(Permanova.share(setup, pairs: pairs, distances: condensed, positions: positions), rows: range.count, to: &sums)
        }
        try self.init(setup, summedShares: sums)
    }

    /// The test from the summed shares of every row of the matrix.
    public init(_ setup: Setup, summedShares sums: [Double]) throws {
        precondition(sums.count == setup.shareWidth)
        let width = setup.width
        var next = 0
        try self.init(layout: setup.layout, plan: setup.plan, termPlans: setup.termPlans, total: sums[0] / Double(setup.sampleCount)) { permutations in
            let range = (1 + next * width)..<(1 + (next + permutations.count) * width)
            next += permutations.count
            return Array(sums[range])
        }
        precondition(next == setup.permutationCount, "every permutation's sums of squares used once")
    }
}
