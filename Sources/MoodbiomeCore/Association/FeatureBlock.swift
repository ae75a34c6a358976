import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// What the models need to know of the kept features before any dense
/// block exists: their names and lineages, per feature the samples where it
/// is above zero, and — when asked for — each sample's total over them and
/// the samples whose total is zero. All from the non-zeros, samples on all cores.
struct FeatureTallies {
    let names: [String]
    let taxonomy: [String]?
    /// Samples whose kept features sum to zero, when asked for (they cannot
    /// be divided by their total); none otherwise.
    let emptySamples: [Int]
    /// Per feature, the samples other than ``emptySamples`` where it is above zero.
    let nonZeroCounts: [Int]
    /// Per sample, the sum of its kept features in taxon order (the order a
    /// dense row sum takes, so the same bits), when asked for; empty otherwise.
    let totals: [Double]

    init(_ table: CountTable, features: [Int], findingEmpty: Bool) {
        self.names = features.map { table.taxonIDs[$0] }
        self.taxonomy = table.taxonomy.map { t in features.map { t[$0] } }
        let column = table.positions(of: features), m = features.count
        let parts = parallelChunkMap(count: table.sampleCount, minimumPerChunk: 64) { samples in
            var empty = [Int](), positive = [Int](repeating: 0, count: m), totals = [Double]()
            for j in samples {
                let entries = table.range(ofSample: j)
                if findingEmpty {
                    var total = 0.0
                    for k in entries where column[Int(table.taxonIndices[k])] >= 0 { total += table.values[k] }
                    totals.append(total)
                    if total == 0 { empty.append(j); continue }
                }
                for k in entries where table.values[k] > 0 {
                    let c = column[Int(table.taxonIndices[k])]
                    if c >= 0 { positive[Int(c)] += 1 }
                }
            }
            return (empty: empty, positive: positive, totals: totals)
        }
        self.emptySamples = parts.flatMap(\.empty)
        self.totals = parts.flatMap(\.totals)
        var counts = [Int](repeating: 0, count: m)
        for part in parts { for c in 0..<m { counts[c] += part.positive[c] } }
        self.nonZeroCounts = counts
    }
}

/// The kept features of the samples used, dense (samples × features), with
/// their names, lineages and how many samples hold each.
struct FeatureBlock {
    var values: Matrix
    let names: [String]
    let taxonomy: [String]?
    /// Samples (rows) whose kept features sum to zero, when asked for.
    let emptySamples: [Int]
    /// Per feature, the samples other than ``emptySamples`` where it is above zero.
    let nonZeroCounts: [Int]

    /// The `features` of `table`, dense; with `findingEmpty`, the samples
    /// whose kept features sum to zero are found too.
    init(_ table: CountTable, features: [Int], findingEmpty: Bool) {
        let tallies = FeatureTallies(table, features: features, findingEmpty: findingEmpty)
        self.values = table.denseBlock(features: features, absent: [Double](repeating: 0, count: features.count)) { v, _, _ in v }
        self.names = tallies.names
        self.taxonomy = tallies.taxonomy
        self.emptySamples = tallies.emptySamples
        self.nonZeroCounts = tallies.nonZeroCounts
    }

    init(values: Matrix, names: [String], taxonomy: [String]?, nonZeroCounts: [Int]) {
        self.values = values
        self.names = names
        self.taxonomy = taxonomy
        self.emptySamples = []
        self.nonZeroCounts = nonZeroCounts
    }

    func selectingSamples(_ rows: [Int]) -> FeatureBlock {
        var m = Matrix(rows: rows.count, columns: values.columns)
        for c in 0..<values.columns { for (i, r) in rows.enumerated() { m[i, c] = values[r, c] } }
        return FeatureBlock(values: m, names: names, taxonomy: taxonomy, nonZeroCounts: nonZeroCounts)
    }
}

/// What the cells of a dense block are (``CountTable/denseBlock(features:cells:)``):
/// the value of each cell the table has, the cells it lacks, and what is
/// done with each block of samples once filled. A type, not closures, so
/// that the block is compiled for it and its methods inlined: they run
/// once per cell.
protocol DenseCells: Sendable {
    /// Writes column `column`'s cells of `samples` the table lacks (`cells[j]` is sample `j`'s).
    func absent(_ cells: UnsafeMutablePointer<Double>, _ samples: Range<Int>, column: Int)
    /// The cell of `value`, which the table has for `sample` in `column`.
    func entry(_ value: Double, sample: Int, column: Int) -> Double
    /// Sees the block of `samples` whole once filled, while it is in cache
    /// (`cells[j + c · stride]`).
    func finish(_ cells: UnsafeMutablePointer<Double>, _ samples: Range<Int>, stride: Int)
}

extension DenseCells {
    func finish(_ cells: UnsafeMutablePointer<Double>, _ samples: Range<Int>, stride: Int) {}
}

/// Cells given by closures: `absent[column]` where the table has no value.
struct ClosureCells: DenseCells {
    let absentValues: [Double]
    let value: @Sendable (_ value: Double, _ sample: Int, _ column: Int) -> Double

    func absent(_ cells: UnsafeMutablePointer<Double>, _ samples: Range<Int>, column: Int) {
        let a = absentValues[column]
        for j in samples { cells[j] = a }
    }

    func entry(_ value: Double, sample: Int, column: Int) -> Double { self.value(value, sample, column) }
}

extension CountTable {
    /// The `features` as a dense samples × features matrix (one column per
    /// feature, as models of each feature read it): cell (sample, feature)
    /// is `entry(value, sample, column)` where the table has a value and
    /// `absent[column]` where it has none.
    func denseBlock(features: [Int], absent: [Double],
                    entry: @escaping @Sendable (_ value: Double, _ sample: Int, _ column: Int) -> Double) -> Matrix {
        denseBlock(features: features, cells: ClosureCells(absentValues: absent, value: entry))
    }

    /// The `features` as a dense samples × features matrix of `cells`.
    ///
    /// A blocked transpose: each thread fills its samples sixteen at a
    /// time, every column's sixteen cells first (a run of 128 bytes) and
    /// then the block's non-zeros, so the non-zeros land in cache lines
    /// just written instead of one cold line (and page) per non-zero.
    func denseBlock<Cells: DenseCells>(features: [Int], cells: Cells) -> Matrix {
        let rows = sampleCount, columns = features.count, target = positions(of: features)
        return Matrix(rows: rows, columns: columns) { out in
            guard columns > 0 else { return }
            _ = parallelChunkMap(count: rows, minimumPerChunk: 64) { block in
                let base = out.column(0).baseAddress!
                target.withUnsafeBufferPointer { target in
                    taxonIndices.withUnsafeBufferPointer { taxa in
                        values.withUnsafeBufferPointer { values in
                            for start in stride(from: block.lowerBound, to: block.upperBound, by: 16) {
                                let samples = start..<Swift.min(start + 16, block.upperBound)
                                for c in 0..<columns { cells.absent(base + c * rows, samples, column: c) }
                                for j in samples {
                                    for k in columnStarts[j]..<columnStarts[j + 1] {
                                        let c = Int(target[Int(taxa[k])])
                                        if c >= 0 { base[j + c * rows] = cells.entry(values[k], sample: j, column: c) }
                                    }
                                }
                                cells.finish(base, samples, stride: rows)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The features and samples both association modes model, chosen once:
/// the samples with every variable (`rows`), the features that pass
/// ``FeatureFilter`` on their raw values, and — as samples with no reads in
/// the kept features cannot be normalised — those samples left out. Held
/// sparse until ``prepared(_:)`` makes the one dense block.
struct FeatureSelection {
    /// The metadata rows used.
    let rows: [Int]
    /// The counts of those samples, and the kept features.
    let counts: CountTable
    let features: [Int]
    let tallies: FeatureTallies
    /// The features filtered out (by ID) and why.
    let filtered: [(feature: String, reason: FeatureFilter.Reason)]
    /// Samples without reads in the kept features, left out.
    let emptyIDs: [String]

    var names: [String] { tallies.names }
    var taxonomy: [String]? { tallies.taxonomy }
    /// Per kept feature, the samples where its raw value is above 0.
    var nonZero: [Int] { tallies.nonZeroCounts }

    init(_ table: CountTable, rows first: [Int], options: TaxonAssociation.Options) throws {
        let all = first.count == table.sampleCount ? table : table.selectingSamples(first)
        let (kept, filtered) = options.filter.apply(all)
        guard !kept.isEmpty else { throw AssociationError.noFeaturesLeft(total: table.taxonCount) }
        let totals = options.normalization.dividesBySampleTotal
        var tallies = FeatureTallies(all, features: kept, findingEmpty: totals)
        let empty = tallies.emptySamples
        var counts = all, rows = first
        if !empty.isEmpty {
            let gone = Set(empty)
            let keep = (0..<all.sampleCount).filter { !gone.contains($0) }
            rows = keep.map { first[$0] }
            counts = all.selectingSamples(keep)
            tallies = FeatureTallies(counts, features: kept, findingEmpty: totals)
        }
        self.rows = rows
        self.counts = counts
        self.features = kept
        self.tallies = tallies
        self.filtered = filtered.map { (all.taxonIDs[$0.feature], $0.reason) }
        self.emptyIDs = empty.map { all.sampleIDs[$0] }
    }

    /// The dense block (samples × kept features), normalised and
    /// transformed: TSS or none then LOG or none straight from the
    /// non-zeros (``FeaturePreparation/prepared(_:features:totals:log:)``),
    /// any other pair on the raw dense block.
    func prepared(_ options: TaxonAssociation.Options) throws -> Matrix {
        let (normalization, transform) = (options.normalization, options.transform)
        guard normalization == .tss || normalization == .none, transform == .log || transform == .none else {
            var y = FeatureBlock(counts, features: features, findingEmpty: false).values
            try FeaturePreparation.prepare(&y, normalization, transform, names: names)
            return y
        }
        return FeaturePreparation.prepared(counts, features: features, totals: normalization == .tss ? tallies.totals : nil,
                                           log: transform == .log)
    }
}
