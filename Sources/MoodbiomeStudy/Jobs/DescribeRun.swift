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
    /// The numeric columns summarised as median [IQR].
    public var skewed: [String] = []
    public var format: TableFormat? = nil
    public var outputPath: String? = nil
    public var overwrite = false
    /// Prefix CSV/TSV text cells a spreadsheet would run as formulas with `'`.
    public var guardFormulas = false

    public init(dataPath: String) { self.dataPath = dataPath }

    /// Checks the parameters that need no data.
    public func validate() throws {
        try TableDestination.validate(format: format, path: outputPath, overwrite: overwrite, guardFormulas: guardFormulas, fallback: .markdown)
        if let variables { try ParameterError.checkDistinct(variables, .variables) }
        try ParameterError.checkDistinct(skewed, .median)
    }

    public func run(report: (String) -> Void) throws -> String? {
        try validate()
        // Table 1 is for reading: Markdown unless a format or file says otherwise.
        let tableFormat = try TableFormat.resolve(requested: format, outputPath: outputPath, fallback: .markdown)
        if let outputPath { try checkOutputPath(outputPath, overwrite: overwrite, inputs: [dataPath]) }
        let data = try DataTable.read(dataPath, idColumn: idColumn)
        // A median column must be one that is described.
        let described = variables ?? data.columnNames.filter { $0 != groupBy }
        for column in skewed where !described.contains(column) {
            if data[column] == nil {
                throw DataError(.missingColumn(column, purpose: .describe, available: data.columnNames), at: SourceLocation(file: data.source, columnName: column))
            }
            throw ParameterError(.median, .malformed(value: column, expected: "a column among those described (\(Words.list(described)))"))
        }
        let summary = try CohortSummary(data: data, variables: variables, groupBy: groupBy, skewed: Set(skewed))
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

extension Parameter {
    public static let variables = Parameter("variables")
    public static let median = Parameter("median")
}
