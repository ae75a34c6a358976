import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO

/// How figures name columns and their values: `--display-name
/// COLUMN=TEXT` (`phq9_total=Depression (PHQ-9)`), `--levels
/// COLUMN=a,b,c` for the order of a grouping's levels, with `value:label`
/// entries to name values (`obese=0:lean,1:obese`). Without them an
/// instrument's scored columns read as the instrument names them
/// (`phq9_total` → "PHQ-9 total", `phq9_band` → "PHQ-9 severity band");
/// other names are shown as they are. Tables and methods keep the column
/// names, which is what a reader must type to reproduce the analysis.
public struct DisplayNames: Sendable {
    /// Display text per column.
    public var labels: [String: String] = [:]
    /// Per column, the levels in display order, each with an optional label.
    public var levels: [String: [(value: String, label: String?)]] = [:]

    public init() {}

    /// Parses `COLUMN=a,b:label,c` items (`--levels`).
    ///
    /// - Returns: false for an item not in that form (nothing is added).
    public mutating func addLevels(_ item: String) -> Bool {
        guard let eq = item.firstIndex(of: "="), eq != item.startIndex else { return false }
        let column = String(item[..<eq])
        let entries = item[item.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false).map { entry -> (String, String?) in
            if let colon = entry.firstIndex(of: ":") {
                return (String(entry[..<colon]).trimmed, String(entry[entry.index(after: colon)...]).trimmed)
            }
            return (String(entry).trimmed, nil)
        }
        guard !entries.isEmpty, entries.allSatisfy({ !$0.0.isEmpty }) else { return false }
        levels[column] = entries.map { (value: $0.0, label: $0.1) }
        return true
    }

    /// Checks the names against the study's table: every column named is
    /// one of its columns, each level listed once and found in its column.
    /// (A name for a column that is not there would change nothing: an error.)
    public func validate(against data: DataTable) throws {
        for column in labels.keys.sorted() where data[column] == nil {
            throw ParameterError(.displayName, .malformed(value: column, expected: "a column of the study's table"))
        }
        for (column, entries) in levels.sorted(by: { $0.key < $1.key }) {
            guard let cells = data[column]?.levels else {
                throw ParameterError(.levels, .malformed(value: column, expected: "a column of the study's table"))
            }
            try ParameterError.checkDistinct(entries.map(\.value), .levels)
            for entry in entries where !cells.contains(entry.value) {
                throw ParameterError(.levels, .malformed(value: "\(column)=\(entry.value)",
                                                         expected: "a level of \(column) (its levels: \(cells.sorted().joined(separator: ", ")))"))
            }
        }
    }

    /// The parameters as provenance records them: `labels` and `levels`
    /// (each column's levels written back as `a,b:label,c`).
    public var provenance: [(name: String, json: String)] {
        [("labels", jsonValue(labels)),
         ("levels", jsonValue(levels.mapValues { entries in
             entries.map { entry in entry.label.map { "\(entry.value):\($0)" } ?? entry.value }.joined(separator: ",") }))]
    }

    /// Parses `COLUMN=TEXT` (`--display-name`).
    public mutating func addLabel(_ item: String) -> Bool {
        guard let eq = item.firstIndex(of: "="), eq != item.startIndex, item.index(after: eq) != item.endIndex else { return false }
        labels[String(item[..<eq])] = String(item[item.index(after: eq)...])
        return true
    }

    /// The column as figures name it.
    public func column(_ name: String) -> String {
        if let label = labels[name] { return label }
        for (suffix, word) in [("_total", "total"), ("_band", "severity band")] where name.hasSuffix(suffix) {
            let stem = String(name.dropLast(suffix.count))
            if let scale = MoodScale.all.first(where: { $0.id.replacing("-", with: "_") == stem }) {
                return "\(scale.abbreviation) \(word)"
            }
        }
        // An alpha-diversity metric's column reads as the metric's proper name.
        if let metric = AlphaMetric(name: name) { return metric.title }
        return name
    }

    /// A value of `column` as figures name it.
    public func value(_ value: String, of column: String) -> String {
        levels[column]?.first { $0.value == value }?.label ?? value
    }

    /// Groups of `column` in display order — the `--levels` order, then any
    /// others as they came — and named.
    public func ordered<T>(_ groups: [(label: String, values: T)], of column: String) -> [(label: String, values: T)] {
        guard let order = levels[column]?.map(\.value) else { return groups }
        let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        return groups.enumerated().sorted { a, b in
            (rank[a.element.label] ?? order.count + a.offset, a.offset) < (rank[b.element.label] ?? order.count + b.offset, b.offset)
        }.map { (label: value($0.element.label, of: column), values: $0.element.values) }
    }
}

private extension String {
    var trimmed: String { trimmingWhitespace() }
}

extension Parameter {
    public static let displayName = Parameter("displayName")
    public static let levels = Parameter("levels")
}
