import MoodbiomeIO
import MoodbiomeNumerics

/// Sparse columns: one column per sample, non-zero entries with their
/// feature (a taxon, or a branch of a tree) in increasing order.
struct SparseColumns: Sendable {
    var starts: [Int]
    var features: [Int32]
    var values: [Double]
    let featureCount: Int

    var columnCount: Int { starts.count - 1 }

    init(starts: [Int], features: [Int32], values: [Double], featureCount: Int) {
        self.starts = starts
        self.features = features
        self.values = values
        self.featureCount = featureCount
    }

    init(_ table: CountTable) {
        self.init(starts: table.columnStarts, features: table.taxonIndices, values: table.values, featureCount: table.taxonCount)
    }

    /// Feature by feature: for each feature, its samples in increasing order
    /// and their values (a counting sort).
    func featureMajor() -> (starts: [Int], samples: [Int32], values: [Double]) {
        var rowStarts = [Int](repeating: 0, count: featureCount + 1)
        for f in features { rowStarts[Int(f) + 1] += 1 }
        for f in 0..<featureCount { rowStarts[f + 1] += rowStarts[f] }
        var next = rowStarts
        var samples = [Int32](repeating: 0, count: values.count)
        var out = [Double](repeating: 0, count: values.count)
        for j in 0..<columnCount {
            for k in starts[j]..<starts[j + 1] {
                let f = Int(features[k])
                samples[next[f]] = Int32(j)
                out[next[f]] = values[k]
                next[f] += 1
            }
        }
        return (rowStarts, samples, out)
    }
}

/// Pairwise sums over shared features: for every pair of samples `i < j`,
/// `Σ g(xᵢ, xⱼ)` over the features both hold (up to three such sums).
///
/// Most distances split into per-sample sums, computed once, and a sum over
/// the features two samples share — Bray–Curtis is `1 − 2 Σ min(uₖ, vₖ) /
/// (U + V)`, unweighted UniFrac `(Aᵢ + Aⱼ − 2S) / (Aᵢ + Aⱼ − S)` with `S` the
/// shared branch length. The shared sums are accumulated feature by
/// feature over an inverted index (the samples holding each feature), so
/// the cost is `Σₖ nₖ²/2` for `nₖ` samples holding feature `k` — a fraction
/// of `samples² × features` on sparse tables — and split across cores by
/// blocks of rows of equal work, each core writing only its rows.
enum SharedFeatureSums {
    /// The sums for the pairs of `pairs` (row i's pairs with j > i), each
    /// sum as one array in condensed order. `g` is a generic term so that
    /// the inner loop is specialised and inlined. A pair's sum runs over
    /// its shared features in increasing order whatever the rows asked
    /// for, so a stripe's sums are bit for bit those of the whole matrix.
    static func accumulate<Term: SharedTerm>(_ columns: SparseColumns, sums: Int, _ g: Term, pairs: PairRows) -> [[Double]] {
        let (starts, samples, values) = columns.featureMajor()
        var first = Matrix(rows: pairs.count, columns: 1)
        var second = Matrix(rows: sums > 1 ? pairs.count : 0, columns: 1)
        var third = Matrix(rows: sums > 2 ? pairs.count : 0, columns: 1)
        let rowBlocks = blocks(pairs)
        first.withParallelWriter { a in
          second.withParallelWriter { b in
            third.withParallelWriter { c in
                _ = parallelChunkMap(count: rowBlocks.count) { range in
                    for block in range {
                        let rows = rowBlocks[block]
                        let lo = Int32(rows.lowerBound), hi = Int32(rows.upperBound)
                        for f in 0..<(starts.count - 1) {
                            var e = starts[f]
                            let end = starts[f + 1]
                            // The feature's samples are sorted: skip to the block's rows.
                            while e < end && samples[e] < lo { e += 1 }
                            while e < end && samples[e] < hi {
                                let i = Int(samples[e]), vi = values[e]
                                // Row i's pairs are contiguous in condensed order.
                                let row = pairs.index(i, i + 1) - i - 1
                                var k = e + 1
                                while k < end {
                                    let (x, y, z) = g.term(vi, values[k], f)
                                    let at = row + Int(samples[k])
                                    a.add(at, 0, x)
                                    if sums > 1 { b.add(at, 0, y) }
                                    if sums > 2 { c.add(at, 0, z) }
                                    k += 1
                                }
                                e += 1
                            }
                        }
                    }
                }
            }
          }
        }
        return [first.storage, second.storage, third.storage]
    }

    /// The rows of `pairs` cut into blocks of equal work (row i carries
    /// n − 1 − i pairs), several per core, each written by one thread.
    static func blocks(_ pairs: PairRows) -> [Range<Int>] {
        let n = pairs.n, rows = pairs.rows
        let wanted = Swift.max(1, Swift.min(rows.count, parallelWidth * 8))
        var bounds = [rows.lowerBound]
        let total = Double(pairs.count)
        var done = 0.0
        for i in rows {
            done += Double(n - 1 - i)
            if done >= total * Double(bounds.count) / Double(wanted) && bounds.count < wanted { bounds.append(i + 1) }
        }
        if bounds.last != rows.upperBound { bounds.append(rows.upperBound) }
        return zip(bounds.dropLast(), bounds.dropFirst()).map { $0..<$1 }.filter { !$0.isEmpty }
    }

    /// The distances of `pairs` (condensed order) from a function of the
    /// pair and its shared sums.
    static func distances(_ pairs: PairRows, shared: [[Double]], _ d: (Int, Int, Double, Double, Double) -> Double) -> [Double] {
        var out = [Double](repeating: 0, count: pairs.count)
        let a = shared[0], b = shared[1], c = shared[2]
        var k = 0
        for i in pairs.rows {
            for j in (i + 1)..<Swift.max(pairs.n, i + 1) {
                out[k] = d(i, j, a[k], b.isEmpty ? 0 : b[k], c.isEmpty ? 0 : c[k])
                k += 1
            }
        }
        return out
    }
}

/// The term a distance adds for one shared feature of a pair (values of
/// the two samples, and the feature's index).
protocol SharedTerm: Sendable {
    func term(_ a: Double, _ b: Double, _ feature: Int) -> (Double, Double, Double)
}
