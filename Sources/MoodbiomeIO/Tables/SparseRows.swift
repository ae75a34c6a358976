import FoundationEssentials
import MoodbiomeNumerics

/// A sparse table kept row by row, as a rows-are-features file lists it
/// (a HUMAnN table's `function|taxon` rows, samples as columns): row `r`'s
/// non-zeros are `values[rowStarts[r] ..< rowEnds[r]]`, their columns in
/// `columnIndices`, increasing. Rows may be any ranges of the arrays, so a
/// subset of the rows (``keeping(_:)``) shares the arrays instead of
/// copying them: for a stratified table that fills most of memory, the
/// strata are the read table itself, never transposed or copied.
public struct SparseRows: Sendable {
    public let rowIDs: [String]
    public let columnIDs: [String]
    public let rowStarts: [Int]
    public let rowEnds: [Int]
    public let columnIndices: [Int32]
    public let values: [Double]
    public let isIntegral: Bool

    public init(rowIDs: [String], columnIDs: [String], rowStarts: [Int], rowEnds: [Int], columnIndices: [Int32], values: [Double],
                isIntegral: Bool) {
        precondition(rowStarts.count == rowIDs.count && rowEnds.count == rowIDs.count, "one range per row")
        self.rowIDs = rowIDs
        self.columnIDs = columnIDs
        self.rowStarts = rowStarts
        self.rowEnds = rowEnds
        self.columnIndices = columnIndices
        self.values = values
        self.isIntegral = isIntegral
    }

    /// Rows laid end to end: row `r` from `starts[r]` to `starts[r + 1]`.
    init(rowIDs: [String], columnIDs: [String], contiguousStarts starts: [Int], columnIndices: [Int32], values: [Double], isIntegral: Bool) {
        self.init(rowIDs: rowIDs, columnIDs: columnIDs, rowStarts: Array(starts.dropLast()), rowEnds: Array(starts.dropFirst()),
                  columnIndices: columnIndices, values: values, isIntegral: isIntegral)
    }

    public var rowCount: Int { rowIDs.count }
    public var columnCount: Int { columnIDs.count }
    /// The non-zeros of the rows (not of the arrays, which may hold rows left out).
    public var nonZeroCount: Int { zip(rowStarts, rowEnds).reduce(0) { $0 + $1.1 - $1.0 } }

    public func range(ofRow r: Int) -> Range<Int> { rowStarts[r]..<rowEnds[r] }

    /// The rows at `indices`, in that order, sharing this table's arrays.
    public func keeping(_ indices: [Int]) -> SparseRows {
        SparseRows(rowIDs: indices.map { rowIDs[$0] }, columnIDs: columnIDs, rowStarts: indices.map { rowStarts[$0] },
                   rowEnds: indices.map { rowEnds[$0] }, columnIndices: columnIndices, values: values, isIntegral: isIntegral)
    }

    /// The same rows with other IDs (the columns' units stripped, the rows' functions named).
    public func renamed(rows: [String]? = nil, columns: [String]? = nil) -> SparseRows {
        SparseRows(rowIDs: rows ?? rowIDs, columnIDs: columns ?? columnIDs, rowStarts: rowStarts, rowEnds: rowEnds,
                   columnIndices: columnIndices, values: values, isIntegral: isIntegral)
    }

    /// The non-zeros column by column (the compressed sparse columns of a
    /// ``CountTable``, rows becoming its taxa).
    public func columnMajor() -> (columnStarts: [Int], rowIndices: [Int32], values: [Double]) {
        let (starts, ends) = (rowStarts, rowEnds)
        return Self.columnMajor(rows: rowCount, columns: columnCount, range: { starts[$0]..<ends[$0] }, columnIndices: columnIndices, values: values)
    }

    /// Rows (row `r`'s non-zeros at `range(r)`) turned into columns by a
    /// counting sort: blocks of rows on all cores each count their
    /// non-zeros per column and write them after the earlier blocks' within
    /// each column, so every column holds its rows in order as one pass would.
    /// With `target`, a non-zero in column `j` goes to column `target[j]`,
    /// and is left out where that is −1 (a selection of the columns).
    static func columnMajor(rows: Int, columns: Int, range: @Sendable (Int) -> Range<Int>, columnIndices: [Int32], values: [Double],
                            target: [Int32]? = nil) -> (columnStarts: [Int], rowIndices: [Int32], values: [Double]) {
        /// `body(column, row, value)` for each kept non-zero of `rows`, in order.
        @Sendable @inline(__always)
        func forEachEntry(_ rows: Range<Int>, _ body: (Int, Int, Double) -> Void) {
            columnIndices.withUnsafeBufferPointer { indices in
                values.withUnsafeBufferPointer { values in
                    (target ?? []).withUnsafeBufferPointer { map in
                        let mapped = target != nil
                        for r in rows {
                            for k in range(r) {
                                let j = mapped ? Int(map[Int(indices[k])]) : Int(indices[k])
                                if j >= 0 { body(j, r, values[k]) }
                            }
                        }
                    }
                }
            }
        }
        let blocks = parallelChunkMap(count: rows, minimumPerChunk: 256) { rows in
            var counts = [Int](repeating: 0, count: columns)
            counts.withUnsafeMutableBufferPointer { counts in forEachEntry(rows) { j, _, _ in counts[j] += 1 } }
            return (rows, counts)
        }
        var starts = [Int](repeating: 0, count: columns + 1)
        for (_, counts) in blocks { for j in 0..<columns { starts[j + 1] += counts[j] } }
        for j in 0..<columns { starts[j + 1] += starts[j] }
        var firsts = [[Int]](), running = Array(starts.dropLast())
        for (_, counts) in blocks {
            firsts.append(running)
            for j in 0..<columns { running[j] += counts[j] }
        }
        let starting = firsts
        let (rowIndices, out) = CountTable.sparseArrays(count: starts[columns]) { t, v in
            _ = parallelChunkMap(count: blocks.count) { chunk in
                for b in chunk {
                    var next = starting[b]
                    next.withUnsafeMutableBufferPointer { next in
                        forEachEntry(blocks[b].0) { j, row, value in
                            t[next[j]] = Int32(row)
                            v[next[j]] = value
                            next[j] += 1
                        }
                    }
                }
            }
        }
        return (starts, rowIndices, out)
    }

    /// The table with samples as columns: rows become its taxa.
    public func countTable(source: String, integral: Bool? = nil) -> CountTable {
        let (starts, rows, out) = columnMajor()
        return CountTable(uncheckedSampleIDs: columnIDs, taxonIDs: rowIDs, columnStarts: starts, taxonIndices: rows, values: out,
                          isIntegral: integral ?? isIntegral, taxonomy: nil, source: source)
    }
}
