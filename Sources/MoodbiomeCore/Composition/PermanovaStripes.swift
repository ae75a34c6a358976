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
                        let rows = range.flatMap { Array(blocks[$0]) }.filter { positions[$0] >= 0 }
                        var y = [Double](repeating: 0, count: rowGroup * columns), squares = [Double](repeating: 0, count: rowGroup)
                        for start in stride(from: 0, to: rows.count, by: rowGroup) {
                            let group = Array(rows[start..<Swift.min(rows.count, start + rowGroup)])
                            rowShares(group, pairs: pairs, distances: distances, positions: positions, q: q, columns: columns,
                                      y: &y, squares: &squares)
                            for (g, i) in group.enumerated() {
                                let a = positions[i], row = w.column(i - pairs.rows.lowerBound)
                                if first { row[0] = squares[g] }
                                for k in 0..<columns { row[offset + k] = -(q[a * columns + k] * y[g * columns + k]) }
                            }
                        }
                    }
                }
            }
            done += permutations.count
        }
        return out.storage
    }

    /// Rows per group in ``rowShares(_:pairs:distances:positions:q:columns:y:squares:)``,
    /// and samples per tile of q: a group's sums and a tile of q stay in cache.
    static let rowGroup = 32, sampleTile = 256

    /// For each row i of `group` (increasing, all tested):
    /// `y[g·columns + k] = Σ_{j>i} d²ᵢⱼ q[b(j), k]` over the tested samples
    /// j, and `squares[g] = Σ_{j>i} d²ᵢⱼ`. The j run in tiles, each tile
    /// used by every row of the group while in cache (the products are
    /// memory-bound otherwise); within a row every sum still runs over j in
    /// increasing order, so the bits are those of one row at a time.
    static func rowShares(_ group: [Int], pairs: PairRows, distances: [Double], positions: [Int], q: UnsafeBufferPointer<Double>,
                          columns: Int, y: inout [Double], squares: inout [Double]) {
        let n = pairs.n
        for t in 0..<(group.count * columns) { y[t] = 0 }
        for g in group.indices { squares[g] = 0 }
        guard let firstRow = group.first else { return }
        // One row's tested pairs in a tile: d² and the offset of q's row.
        var weights = [Double](repeating: 0, count: sampleTile), offsets = [Int](repeating: 0, count: sampleTile)
        y.withUnsafeMutableBufferPointer { y in
            for tile in stride(from: firstRow + 1, to: n, by: sampleTile) {
                let tileEnd = Swift.min(n, tile + sampleTile)
                for (g, i) in group.enumerated() where i + 1 < tileEnd {
                    let base = pairs.index(i, i + 1) - (i + 1)
                    var sum = squares[g], m = 0
                    for j in Swift.max(i + 1, tile)..<tileEnd {
                        let b = positions[j]
                        guard b >= 0 else { continue }
                        let d = distances[base + j], d2 = d * d
                        sum += d2
                        weights[m] = d2
                        offsets[m] = b * columns
                        m += 1
                    }
                    squares[g] = sum
                    accumulate(y.baseAddress! + g * columns, q.baseAddress!, weights: weights, offsets: offsets, count: m, columns: columns)
                }
            }
        }
    }

    /// `y[k] += w[t] · q[o[t] + k]` for t = 0, 1, …, count − 1 in that order,
    /// four t at a time with y[k] held in a register: the same additions in
    /// the same order (so the same bits) as one t at a time, a quarter of
    /// the loads and stores of y.
    @inline(__always)
    static func accumulate(_ y: UnsafeMutablePointer<Double>, _ q: UnsafePointer<Double>, weights w: [Double], offsets o: [Int],
                           count: Int, columns: Int) {
        var t = 0
        while t + 4 <= count {
            let (w0, w1, w2, w3) = (w[t], w[t + 1], w[t + 2], w[t + 3])
            let (q0, q1, q2, q3) = (q + o[t], q + o[t + 1], q + o[t + 2], q + o[t + 3])
            for k in 0..<columns {
                var v = y[k]
                v += w0 * q0[k]
                v += w1 * q1[k]
                v += w2 * q2[k]
                v += w3 * q3[k]
                y[k] = v
            }
            t += 4
        }
        while t < count {
            let wt = w[t], qt = q + o[t]
            for k in 0..<columns { y[k] += wt * qt[k] }
            t += 1
        }
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
