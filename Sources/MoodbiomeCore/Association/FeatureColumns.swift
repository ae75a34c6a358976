import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// The kept features' non-zeros feature by feature: the compressed sparse
/// columns of the samples × features block, which is never made whole.
/// Feature `c`'s samples are `rows[range(c)]`, increasing, and its cells
/// there `values[range(c)]` — 12 bytes per non-zero.
struct FeatureColumns: Sendable {
    /// How many samples (the block's rows).
    let samples: Int
    /// Where each feature's non-zeros start; features + 1 entries.
    let starts: [Int]
    let rows: [Int32]
    var values: [Double]

    var features: Int { starts.count - 1 }

    func range(_ c: Int) -> Range<Int> { starts[c]..<starts[c + 1] }

    /// The `features` of `table`, their values as stored (``CountTable/taxonMajor(_:)``).
    init(_ table: CountTable, features: [Int]) {
        (starts, rows, values) = table.taxonMajor(features)
        samples = table.sampleCount
    }

    /// Feature `c`'s samples and values, as buffers.
    @inline(__always)
    func withEntries<R>(_ c: Int, _ body: (UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Double>) -> R) -> R {
        let entries = range(c)
        return rows.withUnsafeBufferPointer { rows in
            values.withUnsafeBufferPointer { values in
                body(UnsafeBufferPointer(rebasing: rows[entries]), UnsafeBufferPointer(rebasing: values[entries]))
            }
        }
    }

    /// Each value replaced by `transform(value)`, on all cores.
    mutating func transformValues(_ transform: @Sendable (Double) -> Double) {
        let count = values.count
        values.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let v = buffer.baseAddress
            _ = parallelChunkMap(count: count, minimumPerChunk: 1 << 14) { range in
                for k in range { v![k] = transform(v![k]) }
            }
        }
    }
}

/// A samples × features block whose columns are made when asked for, its
/// cells held the smaller way: as sparse columns (``FeatureColumns``, 12
/// bytes a non-zero, the others all ``absent``) or, when the table is so
/// dense that the whole block is no larger, as that dense block. Cell (i, c)
/// is the held value, less its feature's ``featureShifts`` entry, less its
/// sample's ``sampleShifts`` entry (in that order, as updates of a dense
/// block in place would be made: the same bits). Memory ∝ non-zeros +
/// samples + features.
struct CellBlock: Sendable {
    enum Storage: Sendable {
        case sparse(FeatureColumns)
        case dense(Matrix)
    }

    var storage: Storage
    /// Every cell the sparse columns lack (sparse storage).
    var absent: Double
    /// Subtracted from every cell of each feature (nil: none).
    var featureShifts: [Double]? = nil
    /// Subtracted from every cell of each sample (nil: none).
    var sampleShifts: [Double]? = nil

    init(sparse: FeatureColumns, absent: Double) {
        self.storage = .sparse(sparse)
        self.absent = absent
    }

    init(dense: Matrix) {
        self.storage = .dense(dense)
        self.absent = 0
    }

    /// Whether a dense block of `samples` × `features` takes no more memory
    /// than `entries` non-zeros held sparse (8 bytes a cell against 12).
    static func denseIsSmaller(samples: Int, features: Int, entries: Int) -> Bool {
        samples.multipliedReportingOverflow(by: features).partialValue <= entries + entries / 2
    }

    var rows: Int {
        switch storage { case .sparse(let s): s.samples; case .dense(let m): m.rows }
    }

    var columns: Int {
        switch storage { case .sparse(let s): s.features; case .dense(let m): m.columns }
    }

    /// Every held value (not the absent cells) replaced by `transform(value)`,
    /// on all cores; `absent` too.
    mutating func transformValues(_ transform: @Sendable (Double) -> Double) {
        absent = transform(absent)
        switch storage {
        case .sparse(var s):
            storage = .dense(Matrix(rows: 0, columns: 0))
            s.transformValues(transform)
            storage = .sparse(s)
        case .dense(var m):
            storage = .dense(Matrix(rows: 0, columns: 0))
            let count = m.storage.count
            m.storage.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let v = buffer.baseAddress
                _ = parallelChunkMap(count: count, minimumPerChunk: 1 << 14) { range in
                    for k in range { v![k] = transform(v![k]) }
                }
            }
            storage = .dense(m)
        }
    }

    /// Feature `c`'s cells of `samples`, written from `out` on.
    func column(_ c: Int, samples: Range<Int>, into out: UnsafeMutablePointer<Double>) {
        let first = samples.lowerBound, count = samples.count
        switch storage {
        case .dense(let m):
            m.storage.withUnsafeBufferPointer { cells in
                out.update(from: cells.baseAddress! + first + c * m.rows, count: count)
            }
        case .sparse(let sparse):
            for k in 0..<count { out[k] = absent }
            sparse.rows.withUnsafeBufferPointer { rows in
                sparse.values.withUnsafeBufferPointer { values in
                    let entries = sparse.range(c)
                    var k = first == 0 ? entries.lowerBound : Self.firstRow(atLeast: Int32(first), in: rows, entries)
                    let end = Int32(samples.upperBound)
                    while k < entries.upperBound && rows[k] < end { out[Int(rows[k]) - first] = values[k]; k += 1 }
                }
            }
        }
        if let shift = featureShifts?[c] { for k in 0..<count { out[k] -= shift } }
        if let sampleShifts { for k in 0..<count { out[k] -= sampleShifts[first + k] } }
    }

    /// Feature `c`'s cells, one per sample.
    func column(_ c: Int) -> [Double] {
        [Double](unsafeUninitializedCapacity: Swift.max(rows, 1)) { buffer, count in
            column(c, samples: 0..<rows, into: buffer.baseAddress!)
            count = rows
        }
    }

    /// The position in `entries` of the first row ≥ `row` (a binary search).
    static func firstRow(atLeast row: Int32, in rows: UnsafeBufferPointer<Int32>, _ entries: Range<Int>) -> Int {
        var low = entries.lowerBound, high = entries.upperBound
        while low < high {
            let middle = (low + high) / 2
            if rows[middle] < row { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Per sample, the sum of its cells over the features in feature order;
    /// samples on all cores, each chunk taking every column's cells of its samples.
    func sampleSums() -> [Double] {
        parallelChunkMap(count: rows, minimumPerChunk: 64) { range in
            var sums = [Double](repeating: 0, count: range.count)
            var cells = [Double](repeating: 0, count: range.count)
            cells.withUnsafeMutableBufferPointer { cells in
                for c in 0..<columns {
                    column(c, samples: range, into: cells.baseAddress!)
                    for k in 0..<range.count { sums[k] += cells[k] }
                }
            }
            return sums
        }.flatMap { $0 }
    }

    /// The block whole (small blocks, tests).
    func dense() -> Matrix {
        var m = Matrix(rows: rows, columns: columns)
        for c in 0..<columns { let v = column(c); for i in 0..<rows { m[i, c] = v[i] } }
        return m
    }
}
