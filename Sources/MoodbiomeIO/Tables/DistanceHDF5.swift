import CHDF5
import FoundationEssentials
import MoodbiomeNumerics
#if canImport(Glibc)
import Glibc
#endif

/// How distances are stored in a file: IEEE single or double precision.
public enum DistancePrecision: String, Sendable, CaseIterable {
    case float32, float64

    /// Bytes per distance.
    public var bytes: Int { self == .float32 ? 4 : 8 }
}

/// What a stripe file (`beta --stripes K/N --partial`) holds besides its
/// distances: which stripe, of what, made how. Stripes merge only when all
/// but `stripe` and `rows` agree.
public struct StripeIdentity: Sendable, Equatable {
    /// The beta metric and its settings ("braycurtis", "aitchison pseudocount=1").
    public var metric: String
    /// SHA-256 of each input (the table, and the tree), in order.
    public var inputs: String
    /// The Moodbiome version that computed it.
    public var version: String
    public var precision: DistancePrecision
    /// K of N, 1-based.
    public var stripe: Int
    public var stripes: Int

    public init(metric: String, inputs: String, version: String = moodbiomeVersion, precision: DistancePrecision,
                stripe: Int, stripes: Int) {
        self.metric = metric
        self.inputs = inputs
        self.version = version
        self.precision = precision
        self.stripe = stripe
        self.stripes = stripes
    }
}

/// Distance matrices as HDF5 files, in unifrac-binaries' layout.
///
/// A whole matrix (`.h5`): the datasets `format` ("BDSM"), `version`
/// ("2020.12"), `order` (the sample IDs) and `matrix` (n × n, float32 or
/// float64, contiguous) — what `unifrac.h5unifrac` and Striped UniFrac's
/// tools read. A stripe (``StripeIdentity``): `order`, and `distances`, the
/// stripe's pairs in condensed order (``PairRows``), with the identity as
/// attributes of the root group. Both are written row block by row block,
/// so no second copy of the distances is ever made.
public enum DistanceHDF5 {
    /// The format string of a stripe file.
    static let stripeFormat = "Moodbiome distance stripe"

    /// Writes the whole matrix from its condensed distances (``PairRows``
    /// order), in `precision`, atomically.
    /// Band by band as ``writeMatrix(_:to:bandBytes:)`` writes stripes: the
    /// condensed values are read in order (writing row by row would fetch
    /// each row's left part from n places, a cache miss each).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func writeMatrix<T: BinaryFloatingPoint & BitwiseCopyable>(
        ids: [String], condensed: [T], precision: DistancePrecision, metric: String, to path: String, bandBytes: Int = 256 << 20) throws {
        let n = ids.count
        precondition(condensed.count == PairRows.pairCount(n))
        let rowsPerBand = Swift.max(1, bandBytes / (16 * Swift.max(n, 1)))
        try writeFile(path) { file in
            try writeMatrixHeader(file, ids: ids, metric: metric, path: path)
            let dataset = try createReals(file, "matrix", dims: [Int64(n), Int64(n)], precision: precision, path: path)
            defer { _ = mb_h5_close_dataset(dataset) }
            var buffers: (upper: [Double], lower: [Double]) = ([], [])
            var a = 0
            while a < n {
                let band = PairRows(n: n, rows: a..<Swift.min(n, a + rowsPerBand))
                let values = condensed[band.offset..<(band.offset + band.count)].map { Double($0) }
                try writeBand(dataset, band, values, precision: precision, path: path, buffers: &buffers)
                a = band.rows.upperBound
            }
        }
    }

    /// What precedes `matrix` in a whole-matrix file, in the same order
    /// whichever way the matrix is then written (so the same bytes).
    static func writeMatrixHeader(_ file: mb_hid, ids: [String], metric: String, path: String) throws {
        try check(mb_h5_write_fixed_string(file, "format", "BDSM"), "format", path)
        try check(mb_h5_write_fixed_string(file, "version", "2020.12"), "version", path)
        try check(mb_h5_set_attribute_string(file, "/", "generated-by", "Moodbiome \(moodbiomeVersion)"), "the attributes", path)
        try check(mb_h5_set_attribute_string(file, "/", "metric", metric), "the attributes", path)
        try BIOM2.writeStrings(file, "order", ids, columns: 0, path: path)
    }

    /// Writes the whole matrix from its stripes, a band of rows at a time:
    /// the band's pairs are read from their stripe and written twice, as
    /// the rows `[a, b) × [a, n)` (the band's part of the upper triangle,
    /// its diagonal block filled both ways) and, transposed, as the columns
    /// `[b, n) × [a, b)` below it. Every value of the square matrix is
    /// written once, so the file is the one ``writeMatrix(ids:condensed:precision:metric:to:)``
    /// writes, byte for byte; memory is two bands (about `bandBytes`),
    /// never the matrix.
    public static func writeMatrix(_ set: StripeSet, to path: String, bandBytes: Int = 256 << 20) throws {
        let n = set.ids.count, precision = set.identity.precision
        let rowsPerBand = Swift.max(1, bandBytes / (16 * n))
        try writeFile(path) { file in
            try writeMatrixHeader(file, ids: set.ids, metric: set.identity.metric, path: path)
            let dataset = try createReals(file, "matrix", dims: [Int64(n), Int64(n)], precision: precision, path: path)
            defer { _ = mb_h5_close_dataset(dataset) }
            var buffers: (upper: [Double], lower: [Double]) = ([], [])
            for stripe in set.stripes {
                var a = stripe.pairs.rows.lowerBound
                while a < stripe.pairs.rows.upperBound {
                    let band = PairRows(n: n, rows: a..<Swift.min(stripe.pairs.rows.upperBound, a + rowsPerBand))
                    let values = try DistanceHDF5.values(stripe.layout, from: stripe.path, first: band.offset - stripe.pairs.offset, count: band.count)
                    try writeBand(dataset, band, values, precision: precision, path: path, buffers: &buffers)
                    a = band.rows.upperBound
                }
            }
        }
    }

    /// The band's two blocks of the square matrix (see ``writeMatrix(_:to:bandBytes:)``).
    /// `buffers` are reused from band to band (fresh pages for every band
    /// cost more than the writing).
    static func writeBand(_ dataset: mb_hid, _ band: PairRows, _ values: [Double], precision: DistancePrecision, path: String,
                          buffers: inout (upper: [Double], lower: [Double])) throws {
        let n = band.n, a = band.rows.lowerBound, b = band.rows.upperBound, width = n - a, height = b - a
        buffers.upper.removeAll(keepingCapacity: true)
        buffers.upper.append(contentsOf: repeatElement(0, count: height * width))
        buffers.lower.removeAll(keepingCapacity: true)
        buffers.lower.append(contentsOf: repeatElement(0, count: (n - b) * height))
        fillBand(band, values, upper: &buffers.upper, lower: &buffers.lower)
        try writeBlock(dataset, rows: a..<b, columns: a..<n, buffers.upper, precision: precision, path: path)
        try writeBlock(dataset, rows: b..<n, columns: a..<b, buffers.lower, precision: precision, path: path)
    }

    static func fillBand(_ band: PairRows, _ values: [Double], upper: inout [Double], lower: inout [Double]) {
        let n = band.n, a = band.rows.lowerBound, b = band.rows.upperBound, width = n - a, height = b - a
        for i in band.rows {
            let first = band.index(i, i + 1) - (i + 1)
            for j in (i + 1)..<Swift.max(n, i + 1) {
                let d = values[first + j]
                upper[(i - a) * width + (j - a)] = d
                if j < b { upper[(j - a) * width + (i - a)] = d } else { lower[(j - b) * height + (i - a)] = d }
            }
        }
    }

    static func createReals(_ file: mb_hid, _ name: String, dims: [Int64], precision: DistancePrecision, path: String) throws -> mb_hid {
        let dataset = dims.withUnsafeBufferPointer { mb_h5_create_reals(file, name, Int32(dims.count), $0.baseAddress!, Int32(precision.bytes)) }
        guard dataset >= 0 else { throw OutputError(path: path, problem: "HDF5 failed to create \(name)") }
        return dataset
    }

    /// One block of a rank-2 dataset from row-major doubles, converted to `precision`.
    static func writeBlock(_ dataset: mb_hid, rows: Range<Int>, columns: Range<Int>, _ values: [Double], precision: DistancePrecision,
                           path: String) throws {
        let (r, c, h, w) = (Int64(rows.lowerBound), Int64(columns.lowerBound), Int64(rows.count), Int64(columns.count))
        let status: Int32 = precision == .float64
            ? values.withUnsafeBytes { mb_h5_write_block(dataset, r, h, c, w, mb_h5_native_double(), $0.baseAddress!) }
            : values.map { Float($0) }.withUnsafeBytes { mb_h5_write_block(dataset, r, h, c, w, mb_h5_native_float(), $0.baseAddress!) }
        try check(status, "matrix", path)
    }

    /// Writes principal coordinates as unifrac-binaries does beside its
    /// matrix (what `unifrac.h5pcoa` reads): `order`, `pcoa_method` ("FSVD"
    /// or "EIGH"), `pcoa_eigvals` (k), `pcoa_samples` (n × k, row-major)
    /// and `pcoa_proportion_explained` (k), all float64, atomically.
    public static func writeOrdination(ids: [String], method: String, eigenvalues: [Double], proportions: [Double],
                                       samples: Matrix, to path: String) throws {
        let n = ids.count, k = eigenvalues.count
        precondition(samples.rows == n && samples.columns == k && proportions.count == k)
        try writeFile(path) { file in
            try check(mb_h5_set_attribute_string(file, "/", "generated-by", "Moodbiome \(moodbiomeVersion)"), "the attributes", path)
            try BIOM2.writeStrings(file, "order", ids, columns: 0, path: path)
            try check(mb_h5_write_fixed_string(file, "pcoa_method", method), "pcoa_method", path)
            try writeRows(file, "pcoa_eigvals", dims: [Int64(k)], precision: .float64, path: path, rows: k) { Array(eigenvalues[$0]) }
            try writeRows(file, "pcoa_proportion_explained", dims: [Int64(k)], precision: .float64, path: path, rows: k) { Array(proportions[$0]) }
            try writeRows(file, "pcoa_samples", dims: [Int64(n), Int64(k)], precision: .float64, path: path, rows: n) { range in
                range.flatMap { i in (0..<k).map { samples[i, $0] } }
            }
        }
    }

    /// Writes one stripe: its pairs' distances (``PairRows`` order) and identity.
    public static func writeStripe(ids: [String], pairs: PairRows, distances: [Double], identity: StripeIdentity, to path: String) throws {
        precondition(distances.count == pairs.count && pairs.n == ids.count)
        try writeFile(path) { file in
            try check(mb_h5_write_fixed_string(file, "format", stripeFormat), "format", path)
            try writeIdentity(file, identity, pairs: pairs, path: path)
            try BIOM2.writeStrings(file, "order", ids, columns: 0, path: path)
            try writeRows(file, "distances", dims: [Int64(pairs.count)], precision: identity.precision, path: path,
                          rows: pairs.count, block: 1 << 20) { range in Array(distances[range]) }
        }
    }

    /// Writes the HDF5 file `path` atomically (a temporary sibling renamed
    /// over it), HDF5 loaded and held by this process' one HDF5 session: an
    /// error of HDF5's own is an OutputError.
    static func writeFile(_ path: String, _ body: (mb_hid) throws -> Void) throws {
        try BIOM2.loadLibrary()
        try writeThroughTemporary(path) { temporary in
            try BIOM2.session.withLock { _ in
                let file = mb_h5_create(temporary)
                guard file >= 0 else { throw OutputError(path: path, problem: "HDF5 cannot create the file") }
                var closed = false
                defer { if !closed { _ = mb_h5_close(file) } }
                try body(file)
                closed = true
                try check(mb_h5_close(file), "the file", path)
            }
        }
    }

    static func check(_ status: Int32, _ what: String, _ path: String) throws {
        if status != 0 { throw OutputError(path: path, problem: "HDF5 failed to write \(what)") }
    }

    /// Creates the contiguous dataset `name` and fills it `block` rows at a
    /// time from `rows(range)` (row-major doubles, converted to `precision`
    /// here: the conversion rounds to nearest, as the reference tools' casts do).
    static func writeRows(_ file: mb_hid, _ name: String, dims: [Int64], precision: DistancePrecision, path: String,
                          rows: Int, block: Int? = nil, _ values: (Range<Int>) -> [Double]) throws {
        let dataset = try createReals(file, name, dims: dims, precision: precision, path: path)
        defer { _ = mb_h5_close_dataset(dataset) }
        let width = dims.count > 1 ? Int(dims[1]) : 1
        // About 8 MB of doubles per write.
        let step = block ?? Swift.max(1, (1 << 20) / Swift.max(1, width))
        var first = 0
        while first < rows {
            let range = first..<Swift.min(rows, first + step)
            let chunk = values(range)
            let status: Int32 = precision == .float64
                ? chunk.withUnsafeBytes { mb_h5_write_rows(dataset, Int64(range.lowerBound), Int64(range.count), mb_h5_native_double(), $0.baseAddress!) }
                : chunk.map { Float($0) }.withUnsafeBytes { mb_h5_write_rows(dataset, Int64(range.lowerBound), Int64(range.count), mb_h5_native_float(), $0.baseAddress!) }
            try check(status, name, path)
            first = range.upperBound
        }
    }
}
