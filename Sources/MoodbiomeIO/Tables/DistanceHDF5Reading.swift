import CHDF5
import FoundationEssentials
import MoodbiomeNumerics
#if canImport(Glibc)
import Glibc
#endif

/// A distance file as HDF5 describes it (in the `moodbiome-hdf5` helper,
/// as BIOM 2.1 tables are): the IDs, the attributes, and where the values
/// lie — which this process then reads itself, checking every size
/// against the file first.
struct DistanceFileLayout: Sendable, Equatable {
    var order: [String]
    /// `format`'s text ("BDSM", or a stripe's), empty when there is none.
    var format: String
    /// The root group's string attributes a stripe has.
    var strings: [String: String]
    /// The root group's integer attributes a stripe has.
    var integers: [String: [Int64]]
    /// "matrix", "distances" or "shares".
    var dataset: String
    var dims: [Int64]
    var elementSize: Int
    var address: Int
    var bytes: Int
    /// A PERMANOVA share's metadata: column names (the IDs' first), their
    /// kinds, and the cells row by row; empty for distances.
    var tableColumns: [String] = []
    var tableKinds: [String] = []
    var tableCells: [String] = []

    static let stringKeys = ["metric", "inputs", "moodbiome-version", "precision"] + PermanovaRecipe.keys
    static let integerKeys = ["stripe", "stripes", "rows"]
}

extension DistanceHDF5 {
    /// The layout of the distance file at `path`, described in the helper
    /// when it is installed, else in this process.
    static func layout(_ path: String) throws -> DistanceFileLayout {
        if let layout = try HDF5Process.describeDistances(path: path) { return layout }
        return try layoutInProcess(path: path, source: path)
    }

    /// What HDF5 says of the distance file at `path`, in this process.
    static func layoutInProcess(path: String, source: String) throws -> DistanceFileLayout {
        try BIOM2.loadLibrary()
        return try BIOM2.session.withLock { _ in
            let file = mb_h5_open(path)
            guard file >= 0 else {
                throw InputError(file: source, problem: "HDF5 cannot open this file", fix: "Give a distance matrix written by moodbiome beta or Striped UniFrac (.h5)")
            }
            defer { _ = mb_h5_close(file) }
            guard mb_h5_exists(file, "order") != 0 else {
                throw InputError(file: source, problem: "this HDF5 file has no 'order' dataset (the sample IDs)",
                                 fix: "Give a distance matrix in unifrac-binaries' layout (order, matrix), as moodbiome beta -o FILE.h5 writes it")
            }
            let order = try BIOM2.names(file, "order", what: "sample ID", source: source)
            let format = mb_h5_exists(file, "format") != 0 ? (try BIOM2.strings(file, "format", what: "format", source: source).first ?? "") : ""
            let candidates: [String] = ["distances", "shares", "matrix"]
            guard let dataset = candidates.first(where: { name in mb_h5_exists(file, name) != 0 }) else {
                throw InputError(file: source, problem: "this HDF5 file has neither a 'matrix' nor a 'distances' dataset",
                                 fix: "Give a distance matrix in unifrac-binaries' layout (order, matrix), or a stripe from moodbiome beta \(Parameter.partial.mention)")
            }
            var info = mb_h5_dataset()
            guard mb_h5_inspect(file, dataset, &info) == 0, info.problem == MB_H5_READABLE, (1...2).contains(info.rank) else {
                throw InputError(file: source, problem: "'\(dataset)' cannot be read: it is stored outside the file, or damaged")
            }
            var size: Int64 = 0, address: Int64 = 0, bytes: Int64 = 0
            guard mb_h5_contiguous_reals(file, dataset, &size, &address, &bytes) == 0 else {
                throw InputError(file: source, problem: "'\(dataset)' is not stored as contiguous little-endian float32 or float64 values (it is chunked, compressed or of another type)",
                                 fix: "Rewrite it contiguous: h5repack -l \(dataset):CONTI \(source) NEW.h5")
            }
            var strings = [String: String](), integers = [String: [Int64]]()
            for key in DistanceFileLayout.stringKeys {
                if let raw = mb_h5_attribute_string(file, "/", key) { strings[key] = String(cString: raw); free(raw) }
            }
            for key in DistanceFileLayout.integerKeys {
                var values = [Int64](repeating: 0, count: 4)
                let count = mb_h5_attribute_int64s(file, "/", key, &values, 4)
                if count > 0 { integers[key] = Array(values.prefix(Int(count))) }
            }
            let dims = info.rank == 2 ? [info.dims.0, info.dims.1] : [info.dims.0]
            var layout = DistanceFileLayout(order: order, format: format, strings: strings, integers: integers, dataset: dataset, dims: dims,
                                            elementSize: Int(size), address: Int(address), bytes: Int(bytes))
            if dataset == "shares" && mb_h5_exists(file, "metadata") != 0 {
                layout.tableColumns = try BIOM2.strings(file, "metadata-columns", what: "metadata column", source: source)
                layout.tableKinds = try BIOM2.strings(file, "metadata-kinds", what: "metadata kind", source: source)
                layout.tableCells = try BIOM2.strings(file, "metadata", what: "metadata cell", source: source)
            }
            return layout
        }
    }

    /// The values of the layout's dataset from `first` (an element index)
    /// on, `count` of them, read from the file at the address HDF5 gave —
    /// checked against the file's size first — and widened to doubles.
    static func values(_ layout: DistanceFileLayout, from path: String, first: Int, count: Int) throws -> [Double] {
        try MemoryBudget.check(MemoryBudget.byteCount(count, of: 8), for: "\(count) distances", file: path)
        return try [Double](unsafeUninitializedCapacity: count) { out, initialized in
            try read(layout, from: path, first: first, count: count, into: out.baseAddress!)
            initialized = count
        }
    }

    /// As ``values(_:from:first:count:)``, into `out` (room for `count`):
    /// read and widened a megabyte at a time, so a caller reading block
    /// after block into the same memory touches no fresh pages.
    static func read(_ layout: DistanceFileLayout, from path: String, first: Int, count: Int, into out: UnsafeMutablePointer<Double>) throws {
        let elements = layout.dims.reduce(1) { $0 * Int($1) }
        guard first >= 0, count >= 0, first + count <= elements else { throw InputError(file: path, problem: "values \(first)..<\(first + count) of \(elements) asked for") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(file: path, problem: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, layout.address >= 0, layout.bytes == elements * layout.elementSize,
              layout.address + layout.bytes <= Int(status.st_size) else {
            throw InputError(file: path, problem: "'\(layout.dataset)' declares \(elements) values of \(layout.elementSize) bytes, which the file's \(MemoryBudget.describe(Int(status.st_size))) does not hold",
                             fix: "The file is truncated or damaged; write it again")
        }
        let size = layout.elementSize, piece = Swift.max(1, (1 << 20) / size)
        var raw = [UInt8](unsafeUninitializedCapacity: Swift.min(count, piece) * size + 1) { _, initialized in initialized = Swift.min(count, piece) * size + 1 }
        var start = 0
        while start < count {
            let n = Swift.min(piece, count - start)
            var done = 0
            while done < n * size {
                let got = raw.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, n * size - done, off_t(layout.address + (first + start) * size + done)) }
                if got < 0 && errno == EINTR { continue }
                guard got > 0 else { throw InputError(file: path, problem: "cannot read '\(layout.dataset)': the file ended early") }
                done += got
            }
            // Little-endian values widened in one tight loop (vector converts).
            raw.withUnsafeBytes { bytes in
                let target = out + start
                if size == 4 {
                    for i in 0..<n { target[i] = Double(Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))) }
                } else {
                    for i in 0..<n { target[i] = Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))) }
                }
            }
            start += n
        }
    }
}

/// A stripe read back: its identity, rows and distances.
public struct DistanceStripe: Sendable {
    public let path: String
    public let ids: [String]
    public let identity: StripeIdentity
    public let pairs: PairRows
    /// For a PERMANOVA share: the test it belongs to.
    public let recipe: PermanovaRecipe?
    let layout: DistanceFileLayout

    /// The stripe's values as stored: its distances (condensed order), or
    /// a PERMANOVA share's rows.
    public func distances() throws -> [Double] {
        try DistanceHDF5.values(layout, from: path, first: 0, count: layout.dims.reduce(1) { $0 * Int($1) })
    }

    /// A share's numbers per row.
    public var shareWidth: Int { layout.dims.count == 2 ? Int(layout.dims[1]) : 0 }
}

extension DistanceHDF5 {
    /// Reads a stripe file's identity and checks its shape; the distances
    /// are read on demand (``DistanceStripe/distances()``).
    public static func readStripe(_ path: String) throws -> DistanceStripe {
        let layout = try layout(path)
        let isShare = layout.format == sharesFormat && layout.dataset == "shares" && layout.dims.count == 2
        guard isShare || (layout.format == stripeFormat && layout.dataset == "distances") else {
            throw InputError(file: path, problem: "this is not a stripe written by moodbiome beta \(Parameter.partial.mention)",
                             fix: "Give the files that moodbiome beta \(Parameter.stripes.mention) K/N \(Parameter.partial.mention) FILE wrote")
        }
        func text(_ key: String) throws -> String {
            guard let value = layout.strings[key] else { throw InputError(file: path, problem: "the stripe has no '\(key)' attribute (the file is damaged)") }
            return value
        }
        func integers(_ key: String, _ count: Int) throws -> [Int] {
            guard let values = layout.integers[key], values.count == count, values.allSatisfy({ $0 >= 0 && $0 < Int64(Int32.max) * 1024 }) else {
                throw InputError(file: path, problem: "the stripe's '\(key)' attribute is missing or damaged")
            }
            return values.map { Int($0) }
        }
        guard let precision = DistancePrecision(rawValue: try text("precision")), isShare || precision.bytes == layout.elementSize else {
            throw InputError(file: path, problem: "the stripe's precision attribute does not match its values")
        }
        let k = try integers("stripe", 1)[0], stripes = try integers("stripes", 1)[0], rows = try integers("rows", 2)
        let n = layout.order.count
        guard n >= 2, (1...Swift.max(1, stripes)).contains(k), rows[0] < rows[1], rows[1] <= n,
              isShare ? layout.dims[0] == Int64(rows[1] - rows[0]) && layout.dims[1] >= 1 && layout.elementSize == 8
                      : layout.dims == [Int64(PairRows(n: n, rows: rows[0]..<rows[1]).count)] else {
            throw InputError(file: path, problem: "the stripe's rows, stripe number and distances do not agree (the file is damaged)")
        }
        let identity = StripeIdentity(metric: try text("metric"), inputs: try text("inputs"), version: try text("moodbiome-version"),
                                      precision: precision, stripe: k, stripes: stripes)
        return DistanceStripe(path: path, ids: layout.order, identity: identity, pairs: PairRows(n: n, rows: rows[0]..<rows[1]),
                              recipe: isShare ? try PermanovaRecipe(layout, source: path) : nil, layout: layout)
    }

    /// Refuses a layout that is not a whole n × n `matrix`.
    static func checkWholeMatrix(_ layout: DistanceFileLayout, path: String) throws {
        if layout.dataset != "matrix" {
            throw InputError(file: path, problem: "this is one stripe of a distance matrix, not the whole matrix",
                             fix: "Merge the stripes first: moodbiome merge-partial PART-1.h5 … PART-N.h5 -o matrix.h5")
        }
        let n = layout.order.count
        guard layout.dims == [Int64(n), Int64(n)] else {
            throw InputError(file: path, problem: "'matrix' is \(layout.dims.map(String.init).joined(separator: " × ")) but 'order' names \(n) samples",
                             fix: "A distance matrix is n × n, with n the samples in 'order'")
        }
    }

    /// Reads a whole matrix (`matrix`, n × n) into memory, every property of
    /// a distance matrix checked as for the TSV form.
    public static func readMatrix(_ path: String, plan: ((Int) throws -> Void)? = nil) throws -> DistanceMatrix {
        let layout = try layout(path)
        try checkWholeMatrix(layout, path: path)
        let n = layout.order.count
        try (plan ?? { try DistanceMatrix.checkMemory(samples: $0, file: path) })(n)
        try MemoryBudget.check(MemoryBudget.byteCount(n * n, of: 8), for: "a \(n) × \(n) distance matrix", file: path)
        try CountTable.checkUnique(layout.order, kind: "sample", file: path, lines: nil)
        var m = Matrix(rows: n, columns: n)
        // About 8 MB of values per read.
        let rowsPerRead = Swift.max(1, (1 << 20) / n)
        var block = [Double](), blockStart = 0
        for i in 0..<n {
            if i == blockStart + block.count / n {
                blockStart = i
                block = try values(layout, from: path, first: i * n, count: Swift.min(rowsPerRead, n - i) * n)
            }
            for j in 0..<n {
                let v = block[(i - blockStart) * n + j]
                guard v.isFinite, v >= 0 else {
                    throw InputError(file: path, problem: "distance \(NumberStyle.roundTrip.format(v)) between '\(layout.order[i])' and '\(layout.order[j])' (row \(i + 1), column \(j + 1) of 'matrix')",
                                     fix: "Distances are finite, non-negative numbers")
                }
                if j < i && v != m[j, i] {
                    throw InputError(file: path, problem: "the matrix is not symmetric: '\(layout.order[j])'–'\(layout.order[i])' is \(NumberStyle.roundTrip.format(m[j, i])) but '\(layout.order[i])'–'\(layout.order[j])' is \(NumberStyle.roundTrip.format(v))",
                                     fix: "Give a symmetric distance matrix")
                }
                m[i, j] = v
            }
            guard m[i, i] == 0 else {
                throw InputError(file: path, problem: "the distance of '\(layout.order[i])' to itself is \(NumberStyle.roundTrip.format(m[i, i])), not 0",
                                 fix: "A distance matrix has zeros on its diagonal")
            }
        }
        return DistanceMatrix(ids: layout.order, values: m, source: path)
    }
}
