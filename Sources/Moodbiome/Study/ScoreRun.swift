import Foundation

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
    public var format: String? = nil
    public var outputPath: String? = nil
    public var overwrite = false

    public init(dataPath: String, scale: String) {
        self.dataPath = dataPath
        self.scale = scale
    }

    /// Resolves a scale name, with the list of names when it is unknown.
    public static func scale(named name: String) throws -> MoodScale {
        guard let s = MoodScale.named(name) else {
            throw InputError(file: "--scale", problem: "unknown instrument '\(name)'",
                             fix: "Known: " + MoodScale.all.map(\.id).joined(separator: ", ") + " (see `moodbiome scales`)")
        }
        return s
    }

    public func run(report: (String) -> Void) throws -> String? {
        let tableFormat = try TableFormat.resolve(requested: format, outputPath: outputPath)
        if let outputPath { try checkOutputPath(outputPath, overwrite: overwrite) }
        var scoring = try ScaleScoring(scale: Self.scale(named: scale), items: items, prefix: prefix)
        scoring.options = options
        if let name { scoring.outputPrefix = name }
        let data = try DataTable.read(dataPath, idColumn: idColumn)
        let (table, invalid, unscored) = try scoring.scored(data)
        if invalid > 0 {
            report("note: \(invalid) invalid answer\(invalid == 1 ? "" : "s") counted as missing (--invalid as-missing)")
        }
        if !unscored.isEmpty {
            let limit = options.maxMissing ?? scoring.scale.maxMissing
            report("note: \(unscored.count) participant\(unscored.count == 1 ? "" : "s") not scored (more than \(limit) item\(limit == 1 ? "" : "s") missing): \(DiversityRun.list(unscored))")
        }
        let text = table.textTable.rendered(as: tableFormat)
        if let outputPath {
            try writeFileAtomically(text, to: outputPath, overwrite: overwrite)
            return nil
        }
        return text
    }

    /// The text of `moodbiome scales`.
    public static func catalogue() -> String {
        var out = ""
        for s in MoodScale.all {
            let ranges = Set(s.itemMaximum).count == 1 ? "\(s.itemCount) items 0–\(s.itemMaximum[0])"
                : "\(s.itemCount) items (" + Dictionary(grouping: s.itemMaximum.indices, by: { s.itemMaximum[$0] })
                    .sorted { $0.key > $1.key }.map { "0–\($0.key): \($0.value.map { String($0 + 1) }.joined(separator: ","))" }.joined(separator: "; ") + ")"
            out += "\(s.id)\n  \(s.name) — \(s.construct)\n  \(ranges), total 0–\(s.maximumTotal)"
            if !s.reversedItems.isEmpty { out += "; reverse-scored items \(s.reversedItems.sorted().map(String.init).joined(separator: ", "))" }
            if !s.letteredItems.isEmpty { out += "; items \(s.letteredItems.sorted().map(String.init).joined(separator: " and ")) answered 0, 1a, 1b, 2a, 2b, 3a, 3b" }
            out += "\n  bands: " + s.bands.map { "\(NumberStyle.roundTrip.format($0.lower))–\(NumberStyle.roundTrip.format($0.upper)) \($0.name)" }.joined(separator: ", ")
            out += "\n  missing items: " + (s.maxMissing == 0 ? "none allowed" : "up to \(s.maxMissing) prorated (mean of the answered items)")
            out += "\n  source: \(s.source)\n\n"
        }
        return out
    }
}
