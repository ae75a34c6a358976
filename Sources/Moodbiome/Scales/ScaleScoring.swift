import Foundation

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
        self.outputPrefix = scale.id.replacingOccurrences(of: "-", with: "_")
        if let items {
            guard items.count == scale.itemCount else {
                throw InputError(file: "--items", problem: "\(scale.id) has \(scale.itemCount) items but \(items.count) columns were named",
                                 fix: "Name the \(scale.itemCount) item columns in item order")
            }
            self.items = items
        } else if let prefix {
            self.items = (1...scale.itemCount).map { "\(prefix)\($0)" }
        } else {
            throw InputError(file: "--items", problem: "no item columns given", fix: "Pass --items col1,col2,… or --prefix (columns PREFIX1 … PREFIX\(scale.itemCount))")
        }
    }

    /// The table with `<prefix>_total`, `_band`, `_answered`, `_prorated`
    /// appended (every input column and row kept), and the number of
    /// invalid answers treated as missing.
    public func scored(_ data: DataTable) throws -> (table: DataTable, invalidAnswers: Int, unscored: [String]) {
        let missingColumns = items.filter { data.index(of: $0) == nil }
        if !missingColumns.isEmpty {
            throw InputError(file: data.source, columnName: missingColumns[0],
                             problem: "the item column\(missingColumns.count == 1 ? "" : "s") \(missingColumns.joined(separator: ", ")) \(missingColumns.count == 1 ? "is" : "are") not in the table",
                             fix: "Columns are: " + data.columnNames.joined(separator: ", "))
        }
        let columns = items.map { data.cells(of: $0)! }
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
                        throw data.error(row: r, column: items[i],
                                         problem: "participant '\(data.ids[r])' answered '\(column[r])' to \(items[i]); \(rule)",
                                         fix: "Correct the answer, mark it missing (NA), or pass --invalid as-missing to count such answers as missing")
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
            throw InputError(file: data.source, columnName: name, problem: "the table already has a column '\(name)'",
                             fix: "Rename it, or choose another prefix with --name")
        }
        let table = data.appendingColumns([("\(p)_total", totals), ("\(p)_band", bands), ("\(p)_answered", answered), ("\(p)_prorated", prorated)],
                                          kinds: ["\(p)_total": .numeric, "\(p)_band": .categorical, "\(p)_answered": .numeric, "\(p)_prorated": .categorical])
        return (table, invalid, unscored)
    }
}
