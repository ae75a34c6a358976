import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// Everything `moodbiome score` does: read a table, score one instrument
/// for every row, write the table with the score columns appended.
public struct ScoreRun: Sendable {
    public var dataPath: String
    public var scale: String
    public var items: [String]? = nil
    public var prefix: String? = nil
    public var idColumn: String? = nil
    public var options = ScoringOptions()
    /// Prefix of the appended columns (default: the scale's id).
    public var name: String? = nil
    public var format: TableFormat? = nil
    public var outputPath: String? = nil
    public var overwrite = false
    /// Prefix CSV/TSV text cells a spreadsheet would run as formulas with `'`.
    public var guardFormulas = false
    /// How the front end spells parameters in notes.
    public var spelling = ParameterSpelling.canonical

    public init(dataPath: String, scale: String) {
        self.dataPath = dataPath
        self.scale = scale
    }

    /// Resolves a scale name, with the list of names when it is unknown.
    public static func scale(named name: String) throws -> MoodScale {
        guard let s = MoodScale.named(name) else {
            throw ScoringError.unknownScale(name, known: MoodScale.all.map(\.id))
        }
        return s
    }

    /// The output settings, and the scale's name.
    public func validate() throws {
        try TableDestination.validate(format: format, path: outputPath, overwrite: overwrite, guardFormulas: guardFormulas)
        _ = try Self.scale(named: scale)
    }

    public func run(report: (String) -> Void) throws -> String? {
        try validate()
        let tableFormat = try TableFormat.resolve(requested: format, outputPath: outputPath)
        if let outputPath { try checkOutputPath(outputPath, overwrite: overwrite, inputs: [dataPath]) }
        if items != nil && prefix != nil { throw ParameterError(.items, .conflicts(.prefix)) }
        if let maxMissing = options.maxMissing, maxMissing < 0 {
            throw ParameterError(.maxMissing, .outOfRange(value: String(maxMissing), allowed: .atLeast("0")))
        }
        var scoring = try ScaleScoring(scale: Self.scale(named: scale), items: items, prefix: prefix)
        let itemCount = scoring.scale.itemCount
        if let maxMissing = options.maxMissing, maxMissing >= itemCount {
            throw ParameterError(.maxMissing, .outOfRange(value: String(maxMissing), allowed: .between("0", String(itemCount - 1))))
        }
        if let reversed = options.reversedItems, let outside = reversed.sorted().first(where: { !(1...itemCount).contains($0) }) {
            throw ParameterError(.reverse, .outOfRange(value: String(outside), allowed: .between("1", String(itemCount))))
        }
        scoring.options = options
        if let name { scoring.outputPrefix = name }
        let data = try DataTable.read(dataPath, idColumn: idColumn)
        let (table, invalid, unscored) = try scoring.scored(data)
        if invalid > 0 {
            report("note: \(invalid) invalid answer\(invalid == 1 ? "" : "s") counted as missing (\(spelling.spell(.invalid)) as-missing)")
        }
        if !unscored.isEmpty {
            let limit = options.maxMissing ?? scoring.scale.maxMissing
            report("note: \(unscored.count) participant\(unscored.count == 1 ? "" : "s") not scored (more than \(limit) item\(limit == 1 ? "" : "s") missing): \(Words.list(unscored))")
        }
        let text = table.textTable.rendered(as: tableFormat, guardFormulas: guardFormulas)
        if let outputPath {
            try writeFileAtomically(text, to: outputPath, overwrite: overwrite, inputs: [dataPath])
            return nil
        }
        return text
    }
}
