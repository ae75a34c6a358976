import FoundationEssentials
import MoodbiomeIO

/// Scores an instrument for every row of a table: `moodbiome score` and
/// `analyze --scale`.
public struct ScaleScoring: Sendable {
    public let scale: MoodScale
    /// The item columns, in item order.
    public let items: [String]
    public var options = ScoringOptions()
    /// Prefix of the appended columns (default: the scale's id, `phq9_total`…).
    public var outputPrefix: String

    /// The item columns given explicitly, or `prefix1 … prefixK`.
    public init(scale: MoodScale, items: [String]?, prefix: String?) throws {
        self.scale = scale
        self.outputPrefix = scale.id.replacing("-", with: "_")
        if let items {
            guard items.count == scale.itemCount else {
                throw ScoringError.itemCount(scale: scale.id, expected: scale.itemCount, given: items.count)
            }
            self.items = items
        } else if let prefix {
            self.items = (1...scale.itemCount).map { "\(prefix)\($0)" }
        } else {
            throw ScoringError.noItems(scale: scale.id, itemCount: scale.itemCount)
        }
    }

    /// The table with `<prefix>_total`, `_band`, `_answered`, `_prorated`
    /// appended (every input column and row kept), and the number of
    /// invalid answers treated as missing.
    public func scored(_ data: DataTable) throws -> (table: DataTable, invalidAnswers: Int, unscored: [String]) {
        let columns = items.compactMap { data[$0]?.cells }
        let missingColumns = items.filter { data[$0] == nil }
        if !missingColumns.isEmpty {
            throw ScoringError.missingItemColumns(missingColumns, available: data.columnNames,
                                                  at: SourceLocation(file: data.source, columnName: missingColumns[0]))
        }
        var totals = [String](), bands = [String](), answered = [String](), prorated = [String]()
        var invalid = 0
        var unscored = [String]()
        for r in 0..<data.rowCount {
            var answers = [Int?]()
            for (i, column) in columns.enumerated() {
                switch scale.parseAnswer(column[r], item: i + 1) {
                case .missing: answers.append(nil)
                case .value(let v): answers.append(v)
                case .invalid(let rule):
                    if options.invalidAsMissing {
                        invalid += 1
                        answers.append(nil)
                    } else {
                        throw ScoringError.invalidAnswer(participant: data.ids[r], answer: column[r], column: items[i], rule: rule,
                                                         at: data.location(row: r, column: items[i]))
                    }
                }
            }
            let s = scale.score(answers, options: options)
            totals.append(s.total.map { NumberStyle.roundTrip.format($0) } ?? "NA")
            bands.append(s.band ?? "NA")
            answered.append(String(s.answered))
            prorated.append(s.prorated ? "true" : "false")
            if s.total == nil { unscored.append(data.ids[r]) }
        }
        let p = outputPrefix
        for name in ["\(p)_total", "\(p)_band", "\(p)_answered", "\(p)_prorated"] where data.index(of: name) != nil {
            throw ScoringError.scoreColumnExists(name, at: SourceLocation(file: data.source, columnName: name))
        }
        let table = data.appendingColumns([
            DataTable.Column(name: "\(p)_total", cells: totals, declaredKind: .numeric),
            DataTable.Column(name: "\(p)_band", cells: bands, declaredKind: .categorical),
            DataTable.Column(name: "\(p)_answered", cells: answered, declaredKind: .numeric),
            DataTable.Column(name: "\(p)_prorated", cells: prorated, declaredKind: .categorical),
        ])
        return (table, invalid, unscored)
    }
}

/// Why an instrument could not be scored as asked, typed; the report layer
/// words it.
public enum ScoringError: Error, Equatable, Sendable {
    /// The item columns named do not match the instrument's item count.
    case itemCount(scale: String, expected: Int, given: Int)
    /// Neither item columns nor a prefix were given.
    case noItems(scale: String, itemCount: Int)
    case missingItemColumns([String], available: [String], at: SourceLocation)
    case invalidAnswer(participant: String, answer: String, column: String, rule: AnswerRule, at: SourceLocation)
    /// A score column would overwrite an existing column.
    case scoreColumnExists(String, at: SourceLocation)
    case unknownScale(String, known: [String])
    case unknownBand(scale: String, band: String, bands: [String])
}
