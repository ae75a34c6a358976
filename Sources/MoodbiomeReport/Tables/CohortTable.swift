import Foundation
import MoodbiomeCore
import MoodbiomeIO

/// "Table 1" laid out: one row per numeric variable (mean ± SD, or median
/// [IQR]), a header row and one indented row per level for categorical
/// variables (n (%)), a "missing" row when values are missing; columns
/// Overall, each group, and the p-value and test across groups. The
/// statistics come from ``CohortSummary``.
public enum CohortTable {
    /// The table and its footnotes.
    public static func layout(_ summary: CohortSummary) -> (table: TextTable, notes: [String]) {
        let grouped = summary.groupBy != nil
        var columns = ["Characteristic"] + summary.groups.enumerated().map { k, g in
            k == 0 ? "Overall (n = \(g.n))" : "\(g.label) (n = \(g.n))"
        }
        if grouped { columns += ["p", "Test"] }
        var rows = [[TextTable.Cell]]()
        var notes = [String]()
        if let groupBy = summary.groupBy, summary.rowsWithoutGroup > 0 {
            notes.append("\(summary.rowsWithoutGroup) rows with no \(groupBy) appear in the Overall column only.")
        }
        func pad(_ cells: [String]) -> [TextTable.Cell] { cells.map { .text($0) } }
        for variable in summary.variables {
            switch variable.summary {
            case .numeric(let groups, let median):
                var row = [variable.name + (median ? ", median [IQR]" : ", mean ± SD")]
                for g in groups {
                    guard let g else { row.append("NA"); continue }
                    if median {
                        row.append("\(NumberPolicy.value(g.median)) [\(NumberPolicy.value(g.lowerQuartile))–\(NumberPolicy.value(g.upperQuartile))]")
                    } else {
                        row.append("\(NumberPolicy.value(g.mean)) ± \(g.count > 1 ? NumberPolicy.value(g.standardDeviation) : "NA")")
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
                }
                rows.append(pad(header))
                for (l, level) in levels.enumerated() {
                    var row = ["  " + level]
                    for (g, total) in present.enumerated() {
                        let k = counts[l][g]
                        row.append(total == 0 ? "0" : "\(k) (\(String(format: "%.1f", 100 * Double(k) / Double(total)))%)")
                    }
                    if grouped { row += ["", ""] }
                    rows.append(pad(row))
                }
            }
            if variable.missing[0] > 0 {
                rows.append(pad(["  missing"] + variable.missing.map(String.init) + (grouped ? ["", ""] : [])))
            }
        }
        return (TextTable(columns: columns, rows: rows), notes)
    }
}
