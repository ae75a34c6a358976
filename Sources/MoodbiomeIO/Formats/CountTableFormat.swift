import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The file formats a count table is read from and written to.
public enum CountTableFormat: String, Sendable, CaseIterable {
    /// CSV or TSV (samples as rows, or QIIME's taxa-as-rows TSV).
    case delimited
    /// BIOM 2.1 (HDF5), as QIIME 2 and biom-format write it.
    case biom
    /// BIOM 1.0 (JSON), dense or sparse.
    case biomJSON = "biom-json"
    /// A QIIME 2 artifact (`.qza`, a ZIP archive) holding a feature table.
    case qiime2Artifact = "qza"
    /// mothur's `.shared` file (one label chosen).
    case mothurShared = "shared"
    /// A merged MetaPhlAn profile (one rank chosen).
    case metaphlan

    /// The format a file's bytes show (not only its extension): HDF5 and ZIP
    /// signatures, a JSON object, mothur's and MetaPhlAn's headers; CSV/TSV
    /// otherwise.
    public static func detect(path: String) throws -> CountTableFormat {
        let head = try FileBytes.prefix(of: path, count: 4096)
        // HDF5's signature is at 0, or after a user block of 512, 1024, 2048 … bytes.
        if [0, 512, 1024, 2048].contains(where: { head.dropFirst($0).starts(with: BIOM2.signature) }) { return .biom }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .qiime2Artifact }
        var start = 0
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < head.count, [0x20, 0x09, 0x0A, 0x0D].contains(head[start]) { start += 1 }
        if start < head.count, head[start] == UInt8(ascii: "{") { return .biomJSON }
        let text = String(decoding: head[start...], as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.trimming("\r") }
        if let first = lines.first {
            let fields = first.split(separator: "\t", omittingEmptySubsequences: false)
            if fields.count >= 3 && fields[0] == "label" && fields[1] == "Group" && fields[2] == "numOtus" { return .mothurShared }
        }
        // MetaPhlAn's header: a tab-separated line whose first field is
        // exactly clade_name (a sample merely named clade_name_1 is not one).
        func isCladeHeader(_ line: String) -> Bool {
            guard let tab = line.firstIndex(of: "\t") else { return false }
            return ["clade_name", "#clade_name"].contains(String(line[..<tab]).trimming(" \""))
        }
        if lines.contains(where: { $0.hasPrefix("#mpa_") || isCladeHeader($0) }) { return .metaphlan }
        if let firstData = lines.first(where: { !$0.hasPrefix("#") && !$0.hasPrefix("ID") }),
           let id = firstData.split(separator: "\t").first, (id.hasPrefix("k__") || id.hasPrefix("d__")) && lines.contains(where: { $0.contains("|") }) {
            return .metaphlan
        }
        return .delimited
    }
}

extension CountTableFormat {
    /// The format as the table's readers name it.
    public var readableName: String {
        switch self {
        case .delimited: "CSV/TSV"
        case .biom: "BIOM 2.1 (HDF5)"
        case .biomJSON: "BIOM 1.0 (JSON)"
        case .qiime2Artifact: "QIIME 2 artifact"
        case .mothurShared: "mothur .shared"
        case .metaphlan: "MetaPhlAn profile"
        }
    }

}

extension CountTableReadOptions {
    /// Each option that only one format reads must meet that format: a
    /// mothur label, a delimiter or a layout given for a table of another
    /// format would change nothing, so it is refused; names for collapsed
    /// features need a rank to collapse to.
    public func check(for format: CountTableFormat) throws {
        if label != nil && format != .mothurShared {
            throw ParameterError(.label, .onlyFor(.tableFormat(CountTableFormat.mothurShared.readableName, found: format.readableName)))
        }
        if delimiter != nil && format != .delimited {
            throw ParameterError(.delimiter, .onlyFor(.tableFormat(CountTableFormat.delimited.readableName, found: format.readableName)))
        }
        if orientation != .auto && format != .delimited {
            throw ParameterError(.samplesIn, .onlyFor(.tableFormat(CountTableFormat.delimited.readableName, found: format.readableName)))
        }
        if collapsedNames != nil && rank == nil { throw ParameterError(.names, .requires(.level)) }
    }
}

extension CountTable {
    /// Reads a count table in any supported format, chosen by the file's
    /// content (see ``CountTableFormat/detect(path:)``).
    ///
    /// - Throws: `InputError` naming the file, the format recognised and
    ///   what is wrong with it.
    ///
    /// With `options.taxonomyPath` the lineages of that file are attached
    /// (its features the table lacks are noted in `origin.notes`); with
    /// `options.rank` a MetaPhlAn profile's rows of that rank are read and
    /// any other table is collapsed to that rank (``collapsed(to:names:)``).
    public static func read(_ path: String, options: CountTableReadOptions = .init()) throws -> CountTable {
        let format = try options.format ?? CountTableFormat.detect(path: path)
        try options.check(for: format)
        var table = try readFormat(path, format: format, options: options)
        if let taxonomyPath = options.taxonomyPath {
            let (attached, extra) = try table.attachingTaxonomy(TaxonomyTable.read(taxonomyPath))
            table = attached
            if !extra.isEmpty {
                var origin = table.origin ?? TableOrigin(format: format.rawValue)
                origin.notes.append("\(taxonomyPath): \(extra.count) feature\(extra.count == 1 ? "" : "s") of the taxonomy \(extra.count == 1 ? "is" : "are") not in the table (ignored)")
                table.origin = origin
            }
        }
        if let rank = options.rank, format != .metaphlan {
            let before = table.taxonCount
            table = try table.collapsed(to: rank, names: options.collapsedNames ?? .lineage)
            var origin = table.origin ?? TableOrigin(format: format.rawValue)
            origin.notes.append("\(path): \(before) features collapsed to \(table.taxonCount) at \(rank.rawValue) level")
            table.origin = origin
        }
        return table
    }

    static func readFormat(_ path: String, format: CountTableFormat, options: CountTableReadOptions) throws -> CountTable {
        switch format {
        case .delimited:
            let text = try DelimitedText(path: path, delimiter: options.delimiter)
            return try read(text, options: options)
        case .biom: return try BIOM2.read(path: path)
        case .biomJSON: return try BIOMJSON.read(path: path)
        case .qiime2Artifact: return try QiimeArtifact(path: path).featureTable()
        case .mothurShared: return try MothurShared.read(path: path, label: options.label)
        case .metaphlan: return try MetaPhlAn.read(path: path, rank: options.rank ?? .species)
        }
    }

    /// Writes the table in `format` (CSV/TSV: samples as rows; BIOM 2.1;
    /// BIOM 1.0 JSON), atomically.
    public func write(to path: String, format: CountTableFormat, delimiter: Delimiter = .comma, overwrite: Bool, inputs: [String] = []) throws {
        switch format {
        case .biom:
            try checkOutputPath(path, overwrite: overwrite, inputs: inputs)
            try writeThroughTemporary(path) { try BIOM2.write(self, to: $0) }
        case .biomJSON:
            try writeFileAtomically(BIOMJSON.text(self), to: path, overwrite: overwrite, inputs: inputs)
        case .delimited:
            try writeFileAtomically(delimitedText(delimiter), to: path, overwrite: overwrite, inputs: inputs)
        case .qiime2Artifact, .mothurShared, .metaphlan:
            throw OutputError(path: path, problem: "Moodbiome reads \(format.rawValue) files but does not write them",
                              fix: "Write CSV, TSV, BIOM 2.1 (.biom) or BIOM 1.0 JSON")
        }
    }

    /// The table as CSV or TSV, samples as rows (vegan's layout). This
    /// layout has no place for a taxonomy: BIOM keeps it.
    func delimitedText(_ delimiter: Delimiter) -> String {
        let header = ["sample_id"] + taxonIDs
        var rows = [[TextTable.Cell]]()
        rows.reserveCapacity(sampleCount)
        for j in 0..<sampleCount {
            var row = [TextTable.Cell](repeating: .number(0), count: taxonCount + 1)
            row[0] = .text(sampleIDs[j])
            for k in range(ofSample: j) { row[Int(taxonIndices[k]) + 1] = .number(values[k]) }
            rows.append(row)
        }
        let table = TextTable(columns: header, rows: rows)
        return delimiter == .tab ? table.tsv() : table.csv()
    }
}

/// Writes a file that a library writes by path: into a temporary sibling,
/// then renamed over the destination — or, when the destination is a FIFO
/// or a character device (`/dev/stdout`, a named pipe), streamed into it
/// and the temporary removed, so the pipe is never replaced by a file.
func writeThroughTemporary(_ path: String, _ body: (String) throws -> Void) throws {
    if FileIdentity(path: path)?.isStream == true {
        let temporary = try temporaryPath(in: FileManager.default.temporaryDirectory.path, for: URL(fileURLWithPath: path).lastPathComponent, path: path)
        close(temporary.fd)
        defer { unlink(temporary.path) }
        try body(temporary.path)
        let bytes = try FileBytes.contents(of: temporary.path)
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { throw OutputError(path: path, problem: "cannot open for writing: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            guard n > 0 else { throw OutputError(path: path, problem: "cannot write the output: \(String(cString: strerror(errno)))") }
            written += n
        }
        return
    }
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let temporary = try temporaryPath(in: directory, for: URL(fileURLWithPath: path).lastPathComponent, path: path)
    close(temporary.fd)
    do {
        try body(temporary.path)
        let mask = umask(0); umask(mask)
        chmod(temporary.path, 0o666 & ~mask)
        guard rename(temporary.path, path) == 0 else {
            throw OutputError(path: path, problem: "cannot write the output: \(String(cString: strerror(errno)))")
        }
    } catch {
        unlink(temporary.path)
        throw error
    }
}
