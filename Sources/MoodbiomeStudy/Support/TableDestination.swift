import FoundationEssentials
import MoodbiomeIO
import MoodbiomeReport

/// Where a job's result table goes: a file (written atomically) in a
/// format chosen by `format` or the file's extension, or standard output.
public struct TableDestination: Sendable, Equatable {
    public var format: TableFormat? = nil
    public var path: String? = nil
    public var overwrite = false
    public var guardFormulas = false

    public init() {}

    /// The format, checked against the file's extension.
    public func resolvedFormat() throws -> TableFormat {
        try TableFormat.resolve(requested: format, outputPath: path)
    }

    /// Checks, before any work, that the file may be written (`otherOutputs`:
    /// the job's other files, which `overwrite` also replaces).
    public func check(inputs: [String], otherOutputs: [String?] = []) throws {
        try Self.validate(format: format, path: path, overwrite: overwrite, guardFormulas: guardFormulas, otherOutputs: otherOutputs)
        if let path { try checkOutputPath(path, overwrite: overwrite, inputs: inputs) }
    }

    /// The output options of a job that writes one table (and perhaps
    /// other files, `otherOutputs`), checked before any work: the format
    /// agrees with the file's extension; replacing needs a file to replace;
    /// guarding text cells needs a CSV or TSV output (`fallback`: the
    /// table's format when neither a format nor an extension says).
    public static func validate(format: TableFormat?, path: String?, overwrite: Bool, guardFormulas: Bool,
                                fallback: TableFormat = .csv, otherOutputs: [String?] = []) throws {
        let resolved = try TableFormat.resolve(requested: format, outputPath: path, fallback: fallback)
        let others = otherOutputs.compactMap { $0 }
        if overwrite && path == nil && others.isEmpty { throw ParameterError(.overwrite, .requires(.output)) }
        let delimited = [resolved] + others.compactMap { try? TableFormat.resolve(requested: nil, outputPath: $0) }
        if guardFormulas && !delimited.contains(where: { $0 == .csv || $0 == .tsv }) {
            throw ParameterError(.guardFormulas, .onlyFor(.delimitedOutput))
        }
    }

    /// Writes `table`; returns the text instead when there is no file.
    public func deliver(_ table: TextTable, inputs: [String]) throws -> String? {
        let text = table.rendered(as: try resolvedFormat(), guardFormulas: guardFormulas)
        guard let path else { return text }
        try writeFileAtomically(text, to: path, overwrite: overwrite, inputs: inputs)
        return nil
    }
}

extension Parameter {
    /// Prefix formula-like text cells (`--safe-csv`).
    public static let guardFormulas = Parameter("guardFormulas")
}
