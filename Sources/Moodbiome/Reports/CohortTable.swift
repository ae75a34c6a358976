import Foundation

/// "Table 1" of a study: cohort characteristics, overall and per group,
/// with a test of difference between the groups.
///
/// - Numeric variables: mean ± SD (sample SD), or median [IQR] (quartiles
///   by R's type 7) for the variables listed as skewed; groups compared by
///   Welch's t-test (2 groups) or one-way ANOVA (more) for means, by the
///   Mann–Whitney U or Kruskal–Wallis test for medians.
/// - Categorical variables: n (%) per level, percentages of the non-missing
///   values in the column; groups compared by Pearson's χ² test (a note
///   says so when an expected count is below 5).
/// - Missing values: a "missing" row with the counts, when there are any.
/// Rows whose group is missing count in the Overall column only.
public struct CohortTable: Sendable {
    public var data: DataTable
    /// The variables to describe (default: every column but the group).
    public var variables: [String]? = nil
    /// The grouping column.
    public var groupBy: String? = nil
    /// Numeric variables summarised as median [IQR].
    public var skewed: Set<String> = []

    public init(data: DataTable) { self.data = data }

    /// The group levels in display order: severity bands in their scale's
    /// order when the values are band names, sorted levels otherwise.
    static func order(_ levels: [String]) -> [String] {
        for scale in MoodScale.all {
            let names = scale.bands.map(\.name)
            if Set(levels).isSubset(of: Set(names)) { return names.filter { levels.contains($0) } }
        }
        return sortedLevels(levels)
    }

    /// The table and its footnotes.
    public func build() throws -> (table: TextTable, notes: [String]) {
        if let groupBy, data.index(of: groupBy) == nil {
            throw data.missingColumn(groupBy, problem: "no column '\(groupBy)' to group by")
        }
        let variables = self.variables ?? data.columnNames.filter { $0 != groupBy }
        for v in variables where data.index(of: v) == nil {
            throw data.missingColumn(v, problem: "no column '\(v)' to describe")
        }
        let groupCells = groupBy.map { data.cells(of: $0)! }
        let levels = groupCells.map { Self.order(Array(Set($0.filter { !DataTable.isMissing($0) }))) } ?? []
        let memberships: [[Int]] = [Array(0..<data.rowCount)] + levels.map { level in
            (0..<data.rowCount).filter { groupCells![$0] == level }
        }
        var columns = ["Characteristic", "Overall (n = \(data.rowCount))"]
        columns += levels.enumerated().map { "\($1) (n = \(memberships[$0 + 1].count))" }
        if groupBy != nil { columns += ["p", "Test"] }
        var rows = [[TextTable.Cell]]()
        var notes = [String]()
        if let groupBy, let cells = groupCells {
            let missing = cells.filter(DataTable.isMissing).count
            if missing > 0 { notes.append("\(missing) rows with no \(groupBy) appear in the Overall column only.") }
        }
        func pad(_ cells: [String]) -> [TextTable.Cell] { cells.map { .text($0) } }
        for v in variables {
            let cells = data.cells(of: v)!
            let missingCounts = memberships.map { $0.filter { DataTable.isMissing(cells[$0]) }.count }
            if data.kind(of: v) == .numeric {
                let values = memberships.map { $0.compactMap { Double(cells[$0]) }.filter(\.isFinite) }
                let median = skewed.contains(v)
                var row = [v + (median ? ", median [IQR]" : ", mean ± SD")]
                for g in values {
                    if g.isEmpty { row.append("NA"); continue }
                    if median {
                        let s = g.sorted()
                        row.append("\(humanNumber(Figures.quantile(s, 0.5))) [\(humanNumber(Figures.quantile(s, 0.25)))–\(humanNumber(Figures.quantile(s, 0.75)))]")
                    } else {
                        let m = g.reduce(0, +) / Double(g.count)
                        row.append("\(humanNumber(m)) ± \(g.count > 1 ? humanNumber(standardDeviation(g)) : "NA")")
                    }
                }
                if groupBy != nil {
                    let groups = Array(values.dropFirst()).filter { !$0.isEmpty }
                    let test: TestResult? = groups.count < 2 ? nil
                        : median ? (groups.count == 2 ? GroupComparison.mannWhitneyU(groups[0], groups[1]) : GroupComparison.kruskalWallis(groups))
                        : (groups.count == 2 ? GroupComparison.welchT(groups[0], groups[1]) : GroupComparison.oneWayANOVA(groups))
                    row += [humanPValue(test?.pValue), test?.method ?? ""]
                }
                rows.append(pad(row))
            } else {
                let present = memberships.map { $0.filter { !DataTable.isMissing(cells[$0]) } }
                let valueLevels = Self.order(Array(Set(present[0].map { cells[$0] })))
                var header = [v + ", n (%)"] + Array(repeating: "", count: memberships.count)
                if groupBy != nil {
                    let table = valueLevels.map { level in present.dropFirst().map { g in g.filter { cells[$0] == level }.count } }
                    let test = GroupComparison.chiSquareIndependence(table)
                    header += [humanPValue(test.pValue), test.statistic.isNaN ? "" : test.method]
                    if !test.statistic.isNaN && GroupComparison.smallestExpectedCount(table) < 5 {
                        notes.append("\(v): an expected count is below 5, so the χ² p-value is approximate.")
                    }
                }
                rows.append(pad(header))
                for level in valueLevels {
                    var row = ["  " + level]
                    for g in present {
                        let k = g.filter { cells[$0] == level }.count
                        row.append(g.isEmpty ? "0" : "\(k) (\(String(format: "%.1f", 100 * Double(k) / Double(g.count)))%)")
                    }
                    if groupBy != nil { row += ["", ""] }
                    rows.append(pad(row))
                }
            }
            if missingCounts[0] > 0 {
                rows.append(pad(["  missing"] + missingCounts.map(String.init) + (groupBy != nil ? ["", ""] : [])))
            }
        }
        return (TextTable(columns: columns, rows: rows), notes)
    }
}

/// `moodbiome describe` as a library call.
public struct DescribeRun: Sendable {
    public var dataPath: String
    public var idColumn: String? = nil
    public var groupBy: String? = nil
    public var variables: [String]? = nil
    public var skewed: Set<String> = []
    public var format: String? = nil
    public var outputPath: String? = nil
    public var overwrite = false

    public init(dataPath: String) { self.dataPath = dataPath }

    public func run(report: (String) -> Void) throws -> String? {
        // Table 1 is for reading: Markdown unless a format or file says otherwise.
        let tableFormat = try format == nil && outputPath == nil ? .markdown : TableFormat.resolve(requested: format, outputPath: outputPath)
        if let outputPath { try checkOutputPath(outputPath, overwrite: overwrite) }
        var table = CohortTable(data: try DataTable.read(dataPath, idColumn: idColumn))
        table.groupBy = groupBy
        table.variables = variables
        table.skewed = skewed
        let (built, notes) = try table.build()
        for note in notes { report("note: " + note) }
        var text = built.rendered(as: tableFormat)
        if tableFormat == .markdown && !notes.isEmpty { text += "\n" + notes.map { "- " + $0 }.joined(separator: "\n") + "\n" }
        if let outputPath {
            try writeFileAtomically(text, to: outputPath, overwrite: overwrite)
            return nil
        }
        return text
    }
}
