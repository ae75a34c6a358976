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
    /// The sums, as the lower triangles of n × n matrices (element `[j, i]`
    /// for i < j). `g` is a generic term so that the inner loop is
    /// specialised and inlined.
    static func accumulate<Term: SharedTerm>(_ columns: SparseColumns, sums: Int, _ g: Term) -> [Matrix] {
        let n = columns.columnCount
        let (starts, samples, values) = columns.featureMajor()
        var first = Matrix(rows: n, columns: n)
        var second = Matrix(rows: sums > 1 ? n : 0, columns: sums > 1 ? n : 0)
        var third = Matrix(rows: sums > 2 ? n : 0, columns: sums > 2 ? n : 0)
        // Rows i carry n − 1 − i pairs: cut them into blocks of equal work.
        let blocks = Swift.max(1, Swift.min(n, parallelWidth * 8))
        var bounds = [0]
        let total = Double(n) * Double(n - 1) / 2
        var done = 0.0
        for i in 0..<n {
            done += Double(n - 1 - i)
            if done >= total * Double(bounds.count) / Double(blocks) && bounds.count < blocks { bounds.append(i + 1) }
        }
        if bounds.last != n { bounds.append(n) }
        let rowBlocks = zip(bounds.dropLast(), bounds.dropFirst()).map { $0..<$1 }.filter { !$0.isEmpty }
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
                                var k = e + 1
                                while k < end {
                                    let (x, y, z) = g.term(vi, values[k], f)
                                    let j = Int(samples[k])
                                    // Element (j, i) of the column-major matrix keeps a
                                    // row's writes contiguous.
                                    a.add(j, i, x)
                                    if sums > 1 { b.add(j, i, y) }
                                    if sums > 2 { c.add(j, i, z) }
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
        return [first, second, third]
    }

    /// A symmetric distance matrix from a function of the pair and its shared sums.
    static func distances(n: Int, shared: [Matrix], _ d: (Int, Int, Double, Double, Double) -> Double) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        let a = shared[0], b = shared[1], c = shared[2]
        for i in 0..<n {
            for j in (i + 1)..<Swift.max(n, i + 1) {
                let value = d(i, j, a[j, i], b.rows > 0 ? b[j, i] : 0, c.rows > 0 ? c[j, i] : 0)
                m[i, j] = value
                m[j, i] = value
            }
        }
        return m
    }
}

/// The term a distance adds for one shared feature of a pair (values of
/// the two samples, and the feature's index).
protocol SharedTerm: Sendable {
    func term(_ a: Double, _ b: Double, _ feature: Int) -> (Double, Double, Double)
}
