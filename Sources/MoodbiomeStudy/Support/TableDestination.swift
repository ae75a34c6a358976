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

    /// Checks, before any work, that the file may be written.
    public func check(inputs: [String]) throws {
        _ = try resolvedFormat()
        if let path { try checkOutputPath(path, overwrite: overwrite, inputs: inputs) }
    }

    /// Writes `table`; returns the text instead when there is no file.
    public func deliver(_ table: TextTable, inputs: [String]) throws -> String? {
        let text = table.rendered(as: try resolvedFormat(), guardFormulas: guardFormulas)
        guard let path else { return text }
        try writeFileAtomically(text, to: path, overwrite: overwrite, inputs: inputs)
        return nil
    }
}
