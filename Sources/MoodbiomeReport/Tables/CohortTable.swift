import FoundationEssentials
import MoodbiomeNumerics
import MoodbiomeCore
import MoodbiomeIO

/// "Table 1" laid out: one row per numeric variable (mean ± SD, or median
/// [IQR]), a header row and one indented row per level for categorical
/// variables (n (%)), a "missing" row when values are missing; columns
/// Overall, each group, and the p-value and test across groups. The
/// statistics come from ``CohortSummary``.
public enum CohortTable {
    /// Decimals that show `x` to 3 significant digits, 0 to 4.
    static func decimals(_ x: Double) -> Int {
        guard x.isFinite, x > 0 else { return 0 }
        return Swift.max(0, Swift.min(4, 2 - Int(floor(log10(x)))))
    }

    /// What a row is, when participants have several samples.
    static func unitNote(_ summary: CohortSummary) -> String? {
        switch summary.unit {
        case .samples:
            return nil
        case .participants(let column, let participants, let samples, let means, let modes):
            var text = "Described per participant (\(participants) participants by \(column), from \(samples) samples): "
            var how = [String]()
            if !means.isEmpty { how.append("\(means.joined(separator: ", ")) as each participant's mean over their samples") }
            if !modes.isEmpty { how.append("\(modes.joined(separator: ", ")) as each participant's most frequent value") }
            text += how.isEmpty ? "every variable is constant within a participant" : how.joined(separator: "; ") + ", the others constant within a participant"
            return text + (summary.groupBy == nil ? "." : "; the tests compare participants, not samples.")
        case .samplesWithoutTests(let column, let group):
            return "\(group) changes within a \(column), so the groups hold samples, not participants: the table describes samples, and no tests are shown (they would treat a participant's samples as independent)."
        }
    }

    /// The table and its footnotes. `names` orders the group columns and
    /// names groups and levels as `--levels` asks (`obese=0:lean,1:obese`).
    public static func layout(_ summary: CohortSummary, names: DisplayNames = DisplayNames()) -> (table: TextTable, notes: [String]) {
        // Groups with tests: the p and Test columns (none when tests would
        // treat a participant's samples as independent).
        let grouped: Bool
        if case .samplesWithoutTests = summary.unit { grouped = false } else { grouped = summary.groupBy != nil }
        // Column order: Overall, then the groups in --levels order (others after).
        var perm = Array(summary.groups.indices)
        if let g = summary.groupBy, let order = names.levels[g]?.map(\.value) {
            let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            perm = [0] + summary.groups.indices.dropFirst().sorted {
                (rank[summary.groups[$0].label] ?? order.count + $0, $0) < (rank[summary.groups[$1].label] ?? order.count + $1, $1)
            }
        }
        var columns = ["Characteristic"] + perm.map { k in
            let g = summary.groups[k]
            return k == 0 ? "Overall (n = \(g.n))" : "\(summary.groupBy.map { names.value(g.label, of: $0) } ?? g.label) (n = \(g.n))"
        }
        if grouped { columns += ["p", "Test"] }
        var rows = [[TextTable.Cell]]()
        var notes = [String]()
        if let groupBy = summary.groupBy, summary.rowsWithoutGroup > 0 {
            notes.append("\(summary.rowsWithoutGroup) rows with no \(groupBy) appear in the Overall column only.")
        }
        if let note = unitNote(summary) { notes.insert(note, at: 0) }
        func pad(_ cells: [String]) -> [TextTable.Cell] { cells.map { .text($0) } }
        for variable in summary.variables {
            switch variable.summary {
            case .numeric(let groups, let median):
                var row = [variable.name + (median ? ", median [IQR]" : ", mean ± SD")]
                // One number of decimals per row, from the overall column's
                // spread (3 significant digits of its SD, or of its IQR).
                let overall = groups.first ?? nil
                let spread = median ? (overall.map { $0.upperQuartile - $0.lowerQuartile } ?? 0) : (overall?.standardDeviation ?? 0)
                let decimals = Self.decimals(spread.isFinite && spread > 0 ? spread : abs(overall.map { median ? $0.median : $0.mean } ?? 1))
                func f(_ x: Double) -> String { x.isFinite ? String(cFormat: "%.\(decimals)f", x) : "NA" }
                for g in perm.map({ groups[$0] }) {
                    guard let g else { row.append("NA"); continue }
                    if median {
                        row.append("\(f(g.median)) [\(f(g.lowerQuartile))–\(f(g.upperQuartile))]")
                    } else {
                        row.append("\(f(g.mean)) ± \(g.count > 1 ? f(g.standardDeviation) : "NA")")
                    }
                }
                if grouped { row += [NumberPolicy.pValue(variable.test?.pValue), variable.test?.method ?? ""] }
                rows.append(pad(row))
            case .categorical(let levels, let counts, let present):
                var header = [variable.name + ", n (%)"] + Array(repeating: "", count: summary.groups.count)
                if grouped, let test = variable.test {
                    header += [NumberPolicy.pValue(test.pValue), test.statistic.isNaN ? "" : test.method]
                    if variable.smallExpectedCount {
                        notes.append("\(variable.name): an expected count is below 5, so the χ² p-value is approximate.")
                    }
                } else if grouped {
                    header += ["", ""]
                }
                rows.append(pad(header))
                for (l, level) in levels.enumerated() {
                    var row = ["  " + names.value(level, of: variable.name)]
                    for g in perm {
                        let total = present[g], k = counts[l][g]
                        row.append(total == 0 ? "0" : "\(k) (\(String(cFormat: "%.1f", 100 * Double(k) / Double(total)))%)")
                    }
                    if grouped { row += ["", ""] }
                    rows.append(pad(row))
                }
            }
            if variable.missing[0] > 0 {
                rows.append(pad(["  missing"] + perm.map { String(variable.missing[$0]) } + (grouped ? ["", ""] : [])))
            }
        }
        return (TextTable(columns: columns, rows: rows), notes)
    }
}
