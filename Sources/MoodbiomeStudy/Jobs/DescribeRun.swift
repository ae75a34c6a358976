import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// `moodbiome describe` ("Table 1") as a library call.
public struct DescribeRun: Sendable {
    public var dataPath: String
    public var idColumn: String? = nil
    public var groupBy: String? = nil
    public var variables: [String]? = nil
    public var skewed: Set<String> = []
    public var format: TableFormat? = nil
    public var outputPath: String? = nil
    public var overwrite = false
    /// Prefix CSV/TSV text cells a spreadsheet would run as formulas with `'`.
    public var guardFormulas = false

    public init(dataPath: String) { self.dataPath = dataPath }

    public func run(report: (String) -> Void) throws -> String? {
        // Table 1 is for reading: Markdown unless a format or file says otherwise.
        let tableFormat = try TableFormat.resolve(requested: format, outputPath: outputPath, fallback: .markdown)
        if let outputPath { try checkOutputPath(outputPath, overwrite: overwrite, inputs: [dataPath]) }
        let data = try DataTable.read(dataPath, idColumn: idColumn)
        let summary = try CohortSummary(data: data, variables: variables, groupBy: groupBy, skewed: skewed)
        let (built, notes) = CohortTable.layout(summary)
        for note in notes { report("note: " + note) }
        var text = built.rendered(as: tableFormat, guardFormulas: guardFormulas)
        if tableFormat == .markdown && !notes.isEmpty { text += "\n" + notes.map { "- " + Escape.markdown($0) }.joined(separator: "\n") + "\n" }
        if let outputPath {
            try writeFileAtomically(text, to: outputPath, overwrite: overwrite, inputs: [dataPath])
            return nil
        }
        return text
    }
}
