import CZip
import FoundationEssentials
import MoodbiomeNumerics

/// A QIIME 2 artifact (`.qza`): a ZIP archive holding `<uuid>/metadata.yaml`
/// (with the artifact's semantic `type`) and its data under `<uuid>/data/`.
/// Read with libzip, without QIIME 2.
public struct QiimeArtifact: Sendable {
    public let path: String
    /// The semantic type (`FeatureTable[Frequency]`, `FeatureData[Taxonomy]`, `Phylogeny[Rooted]`).
    public let type: String
    /// The entries of the archive, by name.
    let entries: [String]

    /// libzip, loaded at the first artifact (``SystemLibrary``).
    static func library() throws -> mb_zip_functions {
        guard let zip = mb_zip()?.pointee else { throw SystemLibrary.Unavailable(.zip, reason: String(cString: mb_zip_error())) }
        return zip
    }

    public init(path: String) throws {
        self.path = path
        let zip = try Self.library()
        var error: Int32 = 0
        guard let archive = zip.zip_open(path, Int32(ZIP_RDONLY), &error) else {
            throw InputError(file: path, problem: "the file starts like a ZIP archive (a QIIME 2 .qza) but cannot be opened as one: it is truncated or damaged",
                             fix: "Export the artifact again from QIIME 2")
        }
        defer { zip.zip_discard(archive) }
        var names = [String]()
        let count = zip.zip_get_num_entries(archive, 0)
        for i in 0..<Swift.max(0, count) {
            if let name = zip.zip_get_name(archive, zip_uint64_t(i), 0) { names.append(String(cString: name)) }
        }
        self.entries = names
        guard let metadata = names.first(where: { $0.split(separator: "/").count == 2 && $0.hasSuffix("/metadata.yaml") }) else {
            throw InputError(file: path, problem: "this ZIP archive is not a QIIME 2 artifact: it has no <uuid>/metadata.yaml",
                             fix: "Give a .qza exported by QIIME 2, or the table itself (BIOM, CSV, TSV)")
        }
        let yaml = String(decoding: try Self.read(archive, metadata, path: path), as: UTF8.self)
        guard let line = yaml.split(separator: "\n").first(where: { $0.hasPrefix("type:") }) else {
            throw InputError(file: path, problem: "the artifact's metadata.yaml names no type", fix: "Export the artifact again from QIIME 2")
        }
        self.type = line.dropFirst("type:".count).trimmingWhitespace()
    }

    static func read(_ archive: OpaquePointer, _ name: String, path: String) throws -> [UInt8] {
        let zip = try library()
        var info = zip_stat_t()
        zip.zip_stat_init(&info)
        guard zip.zip_stat(archive, name, 0, &info) == 0, let file = zip.zip_fopen(archive, name, 0) else {
            throw InputError(file: path, problem: "the archive's entry \(name) cannot be read (the archive is damaged)")
        }
        defer { zip.zip_fclose(file) }
        // The declared size is checked against what the entry's compressed
        // bytes can expand to and against memory, and the buffer grows with
        // the bytes that arrive: a lying header costs nothing.
        let size = Int(clamping: info.size), compressed = Int(clamping: info.comp_size)
        let holdable = Int(info.comp_method) == Int(ZIP_CM_STORE) ? compressed : MemoryBudget.inflatedLimit(compressed: compressed)
        guard info.valid & UInt64(ZIP_STAT_SIZE) != 0, info.valid & UInt64(ZIP_STAT_COMP_SIZE) != 0, size <= holdable else {
            throw InputError(file: path, problem: "the archive's entry \(name) declares \(MemoryBudget.describe(size)) but holds \(MemoryBudget.describe(compressed)) of compressed data, more than compression can expand to (the archive is damaged or hostile)",
                             fix: "Export the artifact again from QIIME 2")
        }
        try MemoryBudget.check(size, for: "the archive's entry \(name)", file: path)
        var bytes = [UInt8]()
        bytes.reserveCapacity(Swift.min(size, 1 << 26))
        var block = [UInt8](repeating: 0, count: 1 << 20)
        while bytes.count < size {
            let n = block.withUnsafeMutableBytes { zip.zip_fread(file, $0.baseAddress!, zip_uint64_t(Swift.min($0.count, size - bytes.count))) }
            if n < 0 { throw InputError(file: path, problem: "the archive's entry \(name) cannot be inflated (the archive is damaged)", fix: "Export the artifact again from QIIME 2") }
            if n == 0 { throw InputError(file: path, problem: "the archive's entry \(name) ends early (the archive is damaged)", fix: "Export the artifact again from QIIME 2") }
            bytes.append(contentsOf: block[0..<Int(n)])
        }
        return bytes
    }

    /// The bytes of the data file `name` (below `<uuid>/data/`), if present.
    public func dataFile(_ name: String) throws -> [UInt8]? {
        guard let entry = entries.first(where: { $0.hasSuffix("/data/" + name) && $0.split(separator: "/").count == 3 }) else { return nil }
        let zip = try Self.library()
        var error: Int32 = 0
        guard let archive = zip.zip_open(path, Int32(ZIP_RDONLY), &error) else {
            throw InputError(file: path, problem: "the artifact cannot be reopened")
        }
        defer { zip.zip_discard(archive) }
        return try Self.read(archive, entry, path: path)
    }

    /// The feature table the artifact holds (`FeatureTable[…]`, a BIOM 2.1
    /// file inside); any other artifact type is refused by name.
    public func featureTable() throws -> CountTable {
        guard type.hasPrefix("FeatureTable[") else {
            throw InputError(file: path, problem: "this QIIME 2 artifact is a \(type), not a feature table",
                             fix: "Give a FeatureTable[Frequency] artifact (table.qza)")
        }
        guard let biom = try dataFile("feature-table.biom") else {
            throw InputError(file: path, problem: "this \(type) artifact has no data/feature-table.biom",
                             fix: "Export the artifact again from QIIME 2")
        }
        var table = try BIOM2.read(image: biom, source: path)
        table.origin?.format = "QIIME 2 artifact \(type) (BIOM 2.1 inside)"
        return table
    }
}
