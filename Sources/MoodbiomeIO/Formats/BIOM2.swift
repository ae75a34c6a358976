import CHDF5
import FoundationEssentials
import MoodbiomeNumerics
import Synchronization

/// BIOM 2.1, the HDF5 table format of biom-format and QIIME 2
/// (http://biom-format.org/documentation/format_versions/biom-2.1.html).
///
/// Reading takes the sample-major compressed columns (`sample/matrix/data`,
/// `indices`, `indptr`) straight into a ``CountTable`` — the
/// observation-major copy the file also holds is never loaded — with the
/// sample and observation IDs, the observations' `taxonomy` metadata (a
/// rank-per-column string array, joined as `k__…; p__…`), and the `type`
/// and `generated-by` attributes. Reading is in two steps (``BIOM2Layout``):
/// HDF5 describes the file — in the `moodbiome-hdf5` helper process when it
/// is installed (``HDF5Process``), as HDF5 itself can crash on a damaged
/// file — and the table is then built without HDF5: data and indices stored
/// as deflated chunks (as biom-format writes them) are read from the file
/// where HDF5 placed them and inflated by libdeflate on all cores.
///
/// Writing produces both copies (observation-major and sample-major), the
/// required attributes, and the taxonomy, chunked and deflated at level 4
/// like biom-format; object modification times are not recorded, and the
/// creation date is the source's (or a fixed one), so that the same table
/// writes the same bytes.
enum BIOM2 {
    /// The HDF5 signature at the start of a file.
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The creation date written when the source has none: fixed, so that
    /// output bytes never depend on the clock (the run time is in provenance).
    static let fixedCreationDate = "2000-01-01T00:00:00"

    /// Loads HDF5 (at the first BIOM 2.1 file a process meets).
    static func loadLibrary() throws {
        if mb_h5_load() != 0 { throw SystemLibrary.Unavailable(.hdf5, reason: String(cString: mb_h5_error())) }
    }

    /// The HDF5 library's version, once loaded.
    static var libraryVersion: String { String(cString: mb_h5_version()) }

    /// One HDF5 file at a time in the process, opened, read or written and
    /// closed under this lock: HDF5 is thread-safe only when built so
    /// (Debian's is; a source build by default is not), and HDF5 knows an
    /// in-memory image (a table inside a `.qza`) by its name, the same for
    /// every image. Chunks are inflated afterwards, outside the lock
    /// (``BIOM2Layout/table(from:source:)``, libdeflate only).
    static let session = Mutex(())

    /// Reads the table at `path`: in the `moodbiome-hdf5` helper when it is
    /// installed (``HDF5Process``), else in this process.
    static func read(path: String) throws -> CountTable {
        if let table = try HDF5Process.read(path: path) { return table }
        return try readInProcess(path: path, source: path)
    }

    /// Reads the table at `path` with HDF5 in this process, naming it
    /// `source` in messages.
    static func readInProcess(path: String, source: String) throws -> CountTable {
        try layoutInProcess(path: path, source: source).table(from: .file(path), source: source)
    }

    /// What HDF5 says of the file at `path` (``BIOM2Layout``), in this process.
    static func layoutInProcess(path: String, source: String) throws -> BIOM2Layout {
        try loadLibrary()
        return try session.withLock { _ in try layoutLocked(path: path, source: source) }
    }

    private static func layoutLocked(path: String, source: String) throws -> BIOM2Layout {
        let file = mb_h5_open(path)
        guard file >= 0 else {
            throw InputError(file: source, problem: "the file starts like HDF5 (BIOM 2.1) but HDF5 cannot open it: it is truncated or damaged",
                             fix: "Export the table again (biom convert, or qiime tools export)")
        }
        defer { _ = mb_h5_close(file) }
        return try layout(file: file, source: source)
    }

    /// Reads an HDF5 file image held in memory (a table inside a `.qza`).
    static func read(image: [UInt8], source: String) throws -> CountTable {
        if let table = try HDF5Process.read(image: image, source: source) { return table }
        return try readInProcess(image: image, source: source)
    }

    /// Reads an HDF5 file image with HDF5 in this process.
    static func readInProcess(image: [UInt8], source: String) throws -> CountTable {
        try layoutInProcess(image: image, source: source).table(from: .image(image), source: source)
    }

    /// What HDF5 says of an HDF5 file image, in this process.
    static func layoutInProcess(image: [UInt8], source: String) throws -> BIOM2Layout {
        try loadLibrary()
        var bytes = image
        return try session.withLock { _ in try bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else {
                throw InputError(file: source, problem: "the BIOM 2.1 table inside is empty", fix: "Export the table again")
            }
            let file = mb_h5_open_image(base, buffer.count)
            guard file >= 0 else {
                throw InputError(file: source, problem: "the BIOM 2.1 table inside is not a readable HDF5 file (truncated or damaged)",
                                 fix: "Export the table again")
            }
            defer { _ = mb_h5_close(file) }
            return try layout(file: file, source: source)
        } }
    }

    /// The file's IDs, pointers, taxonomy and attributes, and where its data
    /// and indices lie: all that needs HDF5 (``BIOM2Layout``).
    static func layout(file: mb_hid, source: String) throws -> BIOM2Layout {
        func missing(_ what: String) -> InputError {
            InputError(file: source, problem: "this HDF5 file is not a BIOM 2.1 table: it has no \(what)",
                       fix: "Give a BIOM 2.1 table (biom convert --to-hdf5), or a CSV/TSV table")
        }
        for path in ["sample/ids", "observation/ids", "sample/matrix/data", "sample/matrix/indices", "sample/matrix/indptr"]
            where mb_h5_exists(file, path) == 0 {
            throw missing("'\(path)' dataset")
        }
        let sampleIDs = try names(file, "sample/ids", what: "sample ID", source: source)
        let observationIDs = try names(file, "observation/ids", what: "observation ID", source: source)
        let nnz = try length(file, "sample/matrix/data", memorySize: 8, source: source)
        guard try length(file, "sample/matrix/indices", memorySize: 4, integers: true, source: source) == nnz else {
            throw InputError(file: source, problem: "BIOM 2.1: sample/matrix/data and sample/matrix/indices differ in length")
        }
        guard try length(file, "sample/matrix/indptr", memorySize: 8, integers: true, source: source) == sampleIDs.count + 1 else {
            throw InputError(file: source, problem: "BIOM 2.1: sample/matrix/indptr does not have one entry per sample plus one")
        }
        var indptr = [Int64](repeating: 0, count: sampleIDs.count + 1)
        guard mb_h5_read(file, "sample/matrix/indptr", mb_h5_native_int64(), &indptr) == 0 else {
            throw InputError(file: source, problem: "BIOM 2.1: sample/matrix/indptr cannot be read")
        }
        let data = try stored(file, "sample/matrix/data", count: nnz, as: Double.self, memtype: mb_h5_native_double(), source: source)
        let indices = try stored(file, "sample/matrix/indices", count: nnz, as: Int32.self, memtype: mb_h5_native_int32(), source: source)
        let taxonomy = try taxonomyStrings(file, observations: observationIDs.count, source: source)
        let origin = TableOrigin(format: "BIOM 2.1 (HDF5)", type: attribute(file, "type"), generatedBy: attribute(file, "generated-by"),
                                 creationDate: attribute(file, "creation-date"))
        return BIOM2Layout(sampleIDs: sampleIDs, observationIDs: observationIDs, nonZeros: nnz, indptr: indptr, data: data,
                           indices: indices, taxonomy: taxonomy, origin: origin)
    }

    static func attribute(_ file: mb_hid, _ name: String) -> String? {
        guard let raw = mb_h5_attribute_string(file, "/", name) else { return nil }
        defer { free(raw) }
        return String(cString: raw)
    }

    /// A dataset's declared shape, checked before anything is allocated for
    /// it: every link on its path stays in this file, its values are stored
    /// in this file, HDF5 has its filters, the elements it declares fit in
    /// the bytes it stores (deflate expands at most 1,032-fold) and in memory
    /// as `memorySize`-byte values.
    static func inspect(_ file: mb_hid, _ path: String, memorySize: Int, source: String) throws -> mb_h5_dataset {
        var info = mb_h5_dataset()
        guard mb_h5_inspect(file, path, &info) == 0 else {
            throw InputError(file: source, problem: "BIOM 2.1: '\(path)' cannot be opened (the file is damaged)", fix: "Export the table again")
        }
        let rewrite = "Rewrite the table as one self-contained file: biom convert -i FILE -o NEW.biom --to-hdf5"
        switch Int(info.problem) {
        case Int(MB_H5_EXTERNAL_LINK):
            throw InputError(file: source, problem: "BIOM 2.1: '\(path)' is an external link into another HDF5 file; a table is read from one file, the one its provenance fingerprints",
                             fix: rewrite)
        case Int(MB_H5_EXTERNAL_STORAGE):
            throw InputError(file: source, problem: "BIOM 2.1: the values of '\(path)' are stored outside the file (external storage or a virtual dataset); a table is read from one file, the one its provenance fingerprints",
                             fix: rewrite)
        case Int(MB_H5_MISSING_FILTER):
            let name = withUnsafeBytes(of: info.filter) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw InputError(file: source, problem: "BIOM 2.1: '\(path)' is compressed with the '\(name)' filter, which this HDF5 library does not have (h5py's LZF, for one, exists only inside h5py)",
                             fix: "Rewrite the table with gzip compression, as biom-format writes it: biom convert -i FILE -o NEW.biom --to-hdf5")
        default:
            break
        }
        guard info.rank >= 1 && info.rank <= 2, info.dims.0 >= 0, info.dims.1 >= 0 else {
            throw InputError(file: source, problem: "BIOM 2.1: '\(path)' is not a one- or two-dimensional dataset", fix: "Export the table again")
        }
        let elements = info.rank == 2 ? MemoryBudget.byteCount(Int(info.dims.0), of: Int(info.dims.1)) : Int(info.dims.0)
        let declared = elements.flatMap { MemoryBudget.byteCount($0, of: Int(info.element_size)) }
        let stored = Int(info.stored_bytes)
        let holdable = info.filtered != 0 ? MemoryBudget.inflatedLimit(compressed: stored) : stored
        guard let elements, let declared, declared <= holdable else {
            let count = info.rank == 2 ? "\(info.dims.0) × \(info.dims.1)" : "\(info.dims.0)"
            throw InputError(file: source, problem: "BIOM 2.1: '\(path)' declares \(count) values but the file stores only \(MemoryBudget.describe(stored)) for it\(info.filtered != 0 ? " (compressed)" : "")",
                             fix: "The file is truncated or damaged; export the table again")
        }
        try MemoryBudget.check(MemoryBudget.byteCount(elements, of: memorySize), for: "BIOM 2.1: '\(path)' (\(elements) values)", file: source)
        return info
    }

    /// The length of a 1-D numeric dataset; `integers` when its values are
    /// positions (indices, pointers), which a float dataset cannot hold
    /// without HDF5 truncating 1.5 to 1.
    static func length(_ file: mb_hid, _ path: String, memorySize: Int, integers: Bool = false, source: String) throws -> Int {
        let info = try inspect(file, path, memorySize: memorySize, source: source)
        guard info.rank == 1 else { throw InputError(file: source, problem: "BIOM 2.1: '\(path)' is not a one-dimensional dataset") }
        let kind = Int(info.kind)
        guard kind == Int(MB_H5_INTEGER) || (!integers && kind == Int(MB_H5_FLOAT)) else {
            throw InputError(file: source, problem: "BIOM 2.1: '\(path)' holds \(kind == Int(MB_H5_FLOAT) ? "floating-point numbers" : kind == Int(MB_H5_STRING) ? "strings" : "values that are not numbers"), not \(integers ? "integer positions" : "numbers")",
                             fix: "Write the table with biom-format (biom convert --to-hdf5), which stores \(integers ? "indices and pointers as integers" : "counts as numbers")")
        }
        return Int(info.dims.0)
    }

    /// The IDs of `path`, each by the name rule (``Names``) and not empty.
    static func names(_ file: mb_hid, _ path: String, what: String, source: String) throws -> [String] {
        let names = try strings(file, path, what: what, source: source)
        if let k = names.firstIndex(of: "") {
            throw InputError(file: source, problem: "BIOM 2.1: \(what) \(k + 1) (\(path)) is empty", fix: "Give every sample and observation an ID")
        }
        return names
    }

    /// The strings of `path` (any rank, row-major), each by the name rule
    /// (``Names``): `what` names one in a message. `info` is the dataset's
    /// inspection when the caller has it already.
    static func strings(_ file: mb_hid, _ path: String, what: String, info known: mb_h5_dataset? = nil,
                        source: String) throws -> [String] {
        // A string costs its pointer, its object and its bytes: 64 bytes is a floor.
        let info = try known ?? inspect(file, path, memorySize: 64, source: source)
        let count = Int(info.dims.0) * (info.rank == 2 ? Int(info.dims.1) : 1)
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
        guard mb_h5_read_strings(file, path, &pointers, count) == 0 else {
            throw InputError(file: source, problem: "BIOM 2.1: '\(path)' is not a string dataset")
        }
        defer { mb_h5_free_strings(&pointers, count) }
        return try pointers.enumerated().map { k, pointer in
            try pointer.map { try Names.name(cString: $0, file: source, what: "\(what) \(k + 1) (\(path))") } ?? ""
        }
    }

    /// The observations' taxonomy, one lineage string per observation, or
    /// nil when the file has none.
    static func taxonomyStrings(_ file: mb_hid, observations: Int, source: String) throws -> [String]? {
        let path = "observation/metadata/taxonomy"
        guard mb_h5_exists(file, path) != 0 else { return nil }
        let info = try inspect(file, path, memorySize: 64, source: source)
        guard Int(info.dims.0) == observations else {
            throw InputError(file: source, problem: "BIOM 2.1: observation/metadata/taxonomy does not have one row per observation")
        }
        let all = try strings(file, path, what: "lineage", info: info, source: source)
        let width = info.rank == 2 ? Int(info.dims.1) : 1
        return (0..<observations).map { i in
            Taxonomy.join(Array(all[(i * width)..<((i + 1) * width)]))
        }
    }

    /// How a 1-D numeric dataset of `count` elements is to be read: its
    /// deflated chunks' places in the file, when its stored type is the
    /// memory type (inflated later, on all cores, without HDF5); else its
    /// values, read and converted by HDF5 now.
    static func stored<T: BitwiseCopyable & Sendable>(_ file: mb_hid, _ path: String, count: Int, as: T.Type, memtype: mb_hid,
                                                      source: String) throws -> BIOM2Layout.StoredArray<T> {
        var chunkLength: Int64 = 0, chunkCount: Int64 = 0
        if count > 0 && mb_h5_deflate_chunks(file, path, memtype, &chunkLength, &chunkCount) == 1 && chunkCount > 1 && chunkLength > 0 {
            let dataset = mb_h5_open_dataset(file, path)
            defer { _ = mb_h5_close_dataset(dataset) }
            var chunks = [BIOM2Layout.StoredChunk]()
            for index in 0..<chunkCount {
                var offset: Int64 = 0, address: Int64 = 0, size: Int64 = 0
                guard mb_h5_chunk_location(file, dataset, index, &offset, &address, &size) == 0 else {
                    throw InputError(file: source, problem: "BIOM 2.1: chunk \(index) of '\(path)' cannot be read (the file is damaged)")
                }
                chunks.append(.init(offset: Int(offset), address: Int(address), size: Int(size)))
            }
            return .deflated(chunkLength: Int(chunkLength), chunks: chunks)
        }
        return .values(try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            guard let base = buffer.baseAddress else { return }
            guard mb_h5_read(file, path, memtype, UnsafeMutableRawPointer(base)) == 0 else {
                throw InputError(file: source, problem: "BIOM 2.1: '\(path)' cannot be read as numbers")
            }
            initialized = count
        })
    }

    /// Writes `table` as BIOM 2.1.
    static func write(_ table: CountTable, to path: String) throws {
        try loadLibrary()
        try session.withLock { _ in try writeLocked(table, to: path) }
    }

    private static func writeLocked(_ table: CountTable, to path: String) throws {
        let file = mb_h5_create(path)
        guard file >= 0 else { throw OutputError(path: path, problem: "HDF5 cannot create the file") }
        var closed = false
        defer { if !closed { _ = mb_h5_close(file) } }
        func check(_ status: Int32, _ what: String) throws {
            if status != 0 { throw OutputError(path: path, problem: "HDF5 failed to write \(what)") }
        }
        let origin = table.origin
        try check(mb_h5_set_attribute_string(file, "/", "id", "No Table ID"), "the table's attributes")
        try check(mb_h5_set_attribute_string(file, "/", "type", origin?.type ?? "OTU table"), "the table's attributes")
        try check(mb_h5_set_attribute_string(file, "/", "format-url", "http://biom-format.org"), "the table's attributes")
        try check(mb_h5_set_attribute_int64s(file, "/", "format-version", [2, 1], 2), "the table's attributes")
        try check(mb_h5_set_attribute_string(file, "/", "generated-by", "Moodbiome \(moodbiomeVersion)"), "the table's attributes")
        try check(mb_h5_set_attribute_string(file, "/", "creation-date", origin?.creationDate ?? fixedCreationDate), "the table's attributes")
        try check(mb_h5_set_attribute_int64s(file, "/", "shape", [Int64(table.taxonCount), Int64(table.sampleCount)], 2), "the table's attributes")
        try check(mb_h5_set_attribute_int64s(file, "/", "nnz", [Int64(table.nonZeroCount)], 0), "the table's attributes")
        for group in ["observation/matrix", "observation/metadata", "observation/group-metadata",
                      "sample/matrix", "sample/metadata", "sample/group-metadata"] {
            let g = mb_h5_group(file, group)
            guard g >= 0 else { throw OutputError(path: path, problem: "HDF5 failed to create the group \(group)") }
            _ = mb_h5_close_group(g)
        }
        try writeStrings(file, "observation/ids", table.taxonIDs, columns: 0, path: path)
        try writeStrings(file, "sample/ids", table.sampleIDs, columns: 0, path: path)
        // Sample-major: the table's own columns.
        try check(mb_h5_write_doubles(file, "sample/matrix/data", table.values, Int64(table.nonZeroCount)), "sample/matrix/data")
        try check(mb_h5_write_int32s(file, "sample/matrix/indices", table.taxonIndices, Int64(table.nonZeroCount)), "sample/matrix/indices")
        try check(mb_h5_write_int32s(file, "sample/matrix/indptr", table.columnStarts.map { Int32($0) }, Int64(table.sampleCount + 1)), "sample/matrix/indptr")
        // Observation-major: the transpose (samples increasing within an observation).
        let (rowStarts, sampleIndices, rowValues) = table.observationMajor()
        try check(mb_h5_write_doubles(file, "observation/matrix/data", rowValues, Int64(rowValues.count)), "observation/matrix/data")
        try check(mb_h5_write_int32s(file, "observation/matrix/indices", sampleIndices, Int64(sampleIndices.count)), "observation/matrix/indices")
        try check(mb_h5_write_int32s(file, "observation/matrix/indptr", rowStarts.map { Int32($0) }, Int64(table.taxonCount + 1)), "observation/matrix/indptr")
        if let taxonomy = table.taxonomy {
            let ranks = taxonomy.map(Taxonomy.split)
            let width = Swift.max(1, ranks.map(\.count).max() ?? 1)
            let padded = ranks.flatMap { $0 + Array(repeating: "", count: width - $0.count) }
            try writeStrings(file, "observation/metadata/taxonomy", padded, columns: width, path: path)
        }
        closed = true
        try check(mb_h5_close(file), "the file")
    }

    static func writeStrings(_ file: mb_hid, _ dataset: String, _ strings: [String], columns: Int, path: String) throws {
        var pointers = strings.map { strdup($0) }
        defer { for p in pointers { free(p) } }
        let rows = columns > 0 ? strings.count / columns : strings.count
        let status = pointers.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) {
                mb_h5_write_strings(file, dataset, $0.baseAddress, Int64(rows), Int64(columns))
            }
        }
        if status != 0 { throw OutputError(path: path, problem: "HDF5 failed to write \(dataset)") }
    }
}
