import FoundationEssentials
import MoodbiomeNumerics

/// Which way a count table's file is laid out.
public enum SampleOrientation: String, Sendable, CaseIterable {
    /// QIIME 2 / `biom convert` feature tables (header starting `#OTU ID`,
    /// or a `# Constructed from biom file` preamble) have samples as
    /// columns; every other table has samples as rows.
    case auto
    /// One sample per line, one taxon per column (vegan, phyloseq `otu_table(taxa_are_rows = FALSE)`).
    case rows
    /// One taxon per line, one sample per column (QIIME 2, BIOM TSV, mothur-derived).
    case columns
}

/// A taxa × samples table of abundances, held sparse: memory grows with the
/// non-zero counts, not with samples × taxa.
///
/// The layout is compressed sparse columns with one column per sample (the
/// sample-major CSC of BIOM 2.1): sample `j`'s non-zero abundances are
/// `values[columnStarts[j] ..< columnStarts[j + 1]]`, in increasing taxon
/// order, and `taxonIndices` holds their taxa — 12 bytes per non-zero
/// (a 32-bit index and a double). Zeros are never stored. Values are finite
/// and positive; `isIntegral` says whether every value is a whole number,
/// which count-based estimators require.
public struct CountTable: Sendable {
    /// Sample identifiers, one per column.
    public let sampleIDs: [String]
    /// Taxon (feature, OTU, ASV) identifiers.
    public let taxonIDs: [String]
    /// Where each sample's non-zeros start; `sampleCount + 1` entries, the last `nonZeroCount`.
    public let columnStarts: [Int]
    /// The taxon of each non-zero, increasing within a sample.
    public let taxonIndices: [Int32]
    /// The non-zero abundances.
    public let values: [Double]
    /// Every value is a whole number.
    public let isIntegral: Bool
    /// Each taxon's lineage (`k__Bacteria; p__Firmicutes; …`), when the file carries it.
    public let taxonomy: [String]?
    /// Where the table came from (a path, or a description).
    public let source: String
    /// The file format and what the file says of itself, when known.
    public var origin: TableOrigin? = nil

    /// A table from a dense taxa × samples matrix (small tables, tests).
    ///
    /// - Throws: `InputError` for mismatched sizes, duplicate IDs or
    ///   negative / non-finite values.
    public init(sampleIDs: [String], taxonIDs: [String], counts: Matrix,
                taxonomy: [String]? = nil, source: String = "<memory>") throws {
        guard counts.rows == taxonIDs.count, counts.columns == sampleIDs.count else {
            throw InputError(file: source, problem: "the matrix is \(counts.rows) × \(counts.columns) but there are \(taxonIDs.count) taxon and \(sampleIDs.count) sample IDs")
        }
        var starts = [0], indices = [Int32](), values = [Double]()
        for j in 0..<counts.columns {
            for (t, v) in counts.column(j).enumerated() where v != 0 {
                indices.append(Int32(t))
                values.append(v)
            }
            starts.append(values.count)
        }
        try self.init(sampleIDs: sampleIDs, taxonIDs: taxonIDs, columnStarts: starts, taxonIndices: indices,
                      values: values, taxonomy: taxonomy, source: source)
    }

    /// A table from its sparse parts, checked: sizes, unique IDs, taxon
    /// indices in range and increasing within each sample, values finite
    /// and positive.
    public init(sampleIDs: [String], taxonIDs: [String], columnStarts: [Int], taxonIndices: [Int32], values: [Double],
                taxonomy: [String]? = nil, source: String = "<memory>") throws {
        guard columnStarts.count == sampleIDs.count + 1, columnStarts.first == 0, columnStarts.last == values.count,
              taxonIndices.count == values.count else {
            throw InputError(file: source, problem: "the sparse table's parts do not fit together (\(sampleIDs.count) samples, \(columnStarts.count) column starts, \(taxonIndices.count) indices, \(values.count) values)")
        }
        if let taxonomy, taxonomy.count != taxonIDs.count {
            throw InputError(file: source, problem: "\(taxonomy.count) taxonomy entries for \(taxonIDs.count) taxa")
        }
        try Self.checkUnique(sampleIDs, kind: "sample", file: source, lines: nil)
        try Self.checkUnique(taxonIDs, kind: "taxon", file: source, lines: nil)
        var integral = true
        for j in 0..<sampleIDs.count {
            guard columnStarts[j] <= columnStarts[j + 1] else {
                throw InputError(file: source, problem: "the column starts decrease at sample '\(sampleIDs[j])'")
            }
            var previous: Int32 = -1
            for k in columnStarts[j]..<columnStarts[j + 1] {
                let t = taxonIndices[k], v = values[k]
                guard t > previous, Int(t) < taxonIDs.count else {
                    throw InputError(file: source, problem: "taxon index \(t) of sample '\(sampleIDs[j])' is out of range or out of order")
                }
                guard v.isFinite, v > 0 else {
                    throw InputError(file: source, problem: "abundances must be finite and non-negative; found \(v) in sample '\(sampleIDs[j])'")
                }
                if integral && v != v.rounded(.towardZero) { integral = false }
                previous = t
            }
        }
        self.init(uncheckedSampleIDs: sampleIDs, taxonIDs: taxonIDs, columnStarts: columnStarts, taxonIndices: taxonIndices,
                  values: values, isIntegral: integral, taxonomy: taxonomy, source: source)
    }

    package init(uncheckedSampleIDs sampleIDs: [String], taxonIDs: [String], columnStarts: [Int], taxonIndices: [Int32],
                 values: [Double], isIntegral: Bool, taxonomy: [String]?, source: String) {
        self.sampleIDs = sampleIDs
        self.taxonIDs = taxonIDs
        self.columnStarts = columnStarts
        self.taxonIndices = taxonIndices
        self.values = values
        self.isIntegral = isIntegral
        self.taxonomy = taxonomy
        self.source = source
    }

    /// Number of samples.
    public var sampleCount: Int { sampleIDs.count }
    /// Number of taxa.
    public var taxonCount: Int { taxonIDs.count }
    /// Number of non-zero abundances.
    public var nonZeroCount: Int { values.count }

    /// The positions of sample `j`'s non-zeros in `values` and `taxonIndices`.
    public func range(ofSample j: Int) -> Range<Int> { columnStarts[j]..<columnStarts[j + 1] }

    /// Sample `j`'s non-zero abundances, in taxon order (no copy).
    public func nonZeroValues(ofSample j: Int) -> ArraySlice<Double> { values[range(ofSample: j)] }

    /// Sample `j`'s abundances, one per taxon, zeros included (a new array:
    /// for small tables and tests; the metrics use the non-zeros).
    public func abundances(ofSample j: Int) -> [Double] {
        var out = [Double](repeating: 0, count: taxonCount)
        for k in range(ofSample: j) { out[Int(taxonIndices[k])] = values[k] }
        return out
    }

    /// The abundance of taxon `t` in sample `j` (binary search).
    public func value(taxon t: Int, sample j: Int) -> Double {
        var lo = columnStarts[j], hi = columnStarts[j + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(taxonIndices[mid]) < t { lo = mid + 1 } else { hi = mid }
        }
        return lo < columnStarts[j + 1] && Int(taxonIndices[lo]) == t ? values[lo] : 0
    }

    /// Total abundance of each sample.
    public var sampleTotals: [Double] {
        (0..<sampleCount).map { nonZeroValues(ofSample: $0).reduce(0, +) }
    }

    /// Whether sample `j` has no reads at all.
    public func isEmptySample(_ j: Int) -> Bool { columnStarts[j] == columnStarts[j + 1] }

    /// The table as a dense taxa × samples matrix (for blocks of a table;
    /// a population-scale table would not fit).
    public func denseMatrix() -> Matrix {
        var m = Matrix(rows: taxonCount, columns: sampleCount)
        for j in 0..<sampleCount {
            for k in range(ofSample: j) { m[Int(taxonIndices[k]), j] = values[k] }
        }
        return m
    }

    /// The table as a dense samples × taxa matrix (one column per taxon;
    /// small tables, tests: the association models build their blocks with
    /// `denseBlock` in MoodbiomeCore).
    public func denseSamplesByTaxa() -> Matrix {
        var m = Matrix(rows: sampleCount, columns: taxonCount)
        for j in 0..<sampleCount {
            for k in range(ofSample: j) { m[j, Int(taxonIndices[k])] = values[k] }
        }
        return m
    }

    /// The table taxon by taxon (compressed rows): where each taxon's
    /// non-zeros start, their samples in increasing order, and the values.
    public func observationMajor() -> (rowStarts: [Int], sampleIndices: [Int32], values: [Double]) {
        taxonMajor(Array(0..<taxonCount))
    }

    /// The non-zeros of `taxa` taxon by taxon, in that order (a counting
    /// sort on all cores, ``SparseRows/columnMajor(rows:columns:range:columnIndices:values:target:)``):
    /// where each one's non-zeros start, their samples in increasing order,
    /// and the values.
    public func taxonMajor(_ taxa: [Int]) -> (rowStarts: [Int], sampleIndices: [Int32], values: [Double]) {
        let starts = columnStarts
        let (rows, samples, out) = SparseRows.columnMajor(rows: sampleCount, columns: taxa.count, range: { starts[$0]..<starts[$0 + 1] },
                                                          columnIndices: taxonIndices, values: values, target: positions(of: taxa))
        return (rows, samples, out)
    }

    /// The memory the table's numbers take, in bytes.
    public var storageBytes: Int { values.count * 12 + columnStarts.count * 8 }

    static func checkUnique(_ ids: [String], kind: String, file: String, lines: [Int]?,
                            column: Int? = nil) throws {
        guard let (k, first) = firstRepeat(ids) else { return }
        let whereFirst = lines.map { "line \($0[first])" } ?? "position \(first + 1)"
        throw InputError(
            file: file, line: lines?[k], column: column,
            problem: "duplicate \(kind) ID '\(ids[k])' (first seen at \(whereFirst))",
            fix: "Every \(kind) needs a unique ID; merge or rename the duplicates")
    }

    /// The first ID equal to an earlier one, and where that earlier one is:
    /// the IDs' hashes computed on all cores, then one pass over a table of
    /// positions (open addressing; IDs compared only where hashes match).
    /// A million feature IDs take ~0.1 s instead of a dictionary's 0.45 s.
    static func firstRepeat(_ ids: [String]) -> (at: Int, first: Int)? {
        guard ids.count > 1 else { return nil }
        let hashes = parallelChunkMap(count: ids.count, minimumPerChunk: 16_384) { range in range.map { ids[$0].hashValue } }.flatMap { $0 }
        var capacity = 4
        while capacity < 2 * ids.count { capacity <<= 1 }
        let mask = capacity - 1
        var slots = [Int](repeating: -1, count: capacity)
        for k in ids.indices {
            var s = hashes[k] & mask
            while slots[s] >= 0 {
                let j = slots[s]
                if hashes[j] == hashes[k] && ids[j] == ids[k] { return (k, j) }
                s = (s + 1) & mask
            }
            slots[s] = k
        }
        return nil
    }
}

/// The file a table came from: its format, and the table's own record of
/// its type, producer and creation date where the format keeps them.
public struct TableOrigin: Sendable, Equatable {
    public var format: String
    public var type: String?
    public var generatedBy: String?
    public var creationDate: String?
    /// What a user should know about how the table was read (taxonomy
    /// features not in the table, a collapse), for the notes on stderr.
    public var notes: [String] = []
    /// A CSV/TSV table: whether its rows were read as the samples.
    public var samplesInRows: Bool? = nil
    /// A CSV/TSV table whose orientation the metadata's IDs decided.
    public var orientationChoice: OrientationChoice? = nil

    public init(format: String, type: String? = nil, generatedBy: String? = nil, creationDate: String? = nil) {
        self.format = format
        self.type = type
        self.generatedBy = generatedBy
        self.creationDate = creationDate
    }
}

/// How the metadata's sample IDs oriented a CSV/TSV count table
/// (``CountTableReadOptions/metadataSampleIDs``).
public struct OrientationChoice: Sendable, Equatable {
    /// The side read as the samples.
    public var orientation: SampleOrientation
    /// How many of the first column's and of the header's IDs are metadata IDs.
    public var rowsMatched: Int
    public var columnsMatched: Int
    /// The side the file's form alone would have made the samples.
    public var usual: SampleOrientation

    /// Worth saying: the metadata overrode the usual reading, or both sides
    /// named metadata IDs (a doubtful reading).
    public var isNotable: Bool { orientation != usual || Swift.min(rowsMatched, columnsMatched) > 0 }
}

/// Builds a sparse table taxon by taxon (the layout of a taxa-as-rows
/// file), then turns it into sample-major columns by a counting sort: the
/// non-zeros of each sample come out in taxon order.
struct TaxonMajorBuilder {
    var rowStarts = [0]
    var sampleIndices = [Int32]()
    var values = [Double]()

    mutating func append(sample: Int, value: Double) {
        sampleIndices.append(Int32(sample))
        values.append(value)
    }

    mutating func endTaxon() { rowStarts.append(values.count) }

    /// The sample-major CSC of `samples` columns (``SparseRows/columnMajor(rows:columns:range:columnIndices:values:)``).
    func sampleMajor(samples: Int) -> (columnStarts: [Int], taxonIndices: [Int32], values: [Double]) {
        let rowStarts = rowStarts
        let (starts, taxa, out) = SparseRows.columnMajor(rows: rowStarts.count - 1, columns: samples, range: { rowStarts[$0]..<rowStarts[$0 + 1] },
                                                         columnIndices: sampleIndices, values: values)
        return (starts, taxa, out)
    }
}

extension CountTable {
    /// A sparse table's taxon indices and values, `count` of each, written
    /// in place by `fill` — typically on all cores, each chunk at its own
    /// positions: allocated once, uninitialised and with huge pages, so no
    /// array is grown or copied. `fill` must write every position.
    static func sparseArrays(count: Int, _ fill: (_ taxa: SharedPointer<Int32>, _ values: SharedPointer<Double>) -> Void) -> ([Int32], [Double]) {
        var values = [Double]()
        let taxa = [Int32](unsafeUninitializedCapacity: Swift.max(count, 1)) { taxonBuffer, taxonCount in
            values = [Double](unsafeUninitializedCapacity: Swift.max(count, 1)) { valueBuffer, valueCount in
                for buffer in [UnsafeMutableRawBufferPointer(taxonBuffer), UnsafeMutableRawBufferPointer(valueBuffer)] {
                    if let base = buffer.baseAddress { adviseHugePages(base, byteCount: buffer.count) }
                }
                fill(SharedPointer(taxonBuffer.baseAddress!), SharedPointer(valueBuffer.baseAddress!))
                valueCount = count
            }
            taxonCount = count
        }
        return (taxa, values)
    }
}

/// A pointer that chunks of a parallel loop write through, each at its own
/// positions (so it may cross threads).
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ base: UnsafeMutablePointer<T>) { self.base = base }
    subscript(_ i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
    static func + (p: SharedPointer, offset: Int) -> UnsafeMutablePointer<T> { p.base + offset }
}
