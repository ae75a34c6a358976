import MoodbiomeIO
import MoodbiomeNumerics

/// The statistics of a study's "Table 1": cohort characteristics, overall
/// and per group, with a test of difference between the groups. The report
/// layer lays them out.
///
/// - Numeric variables: mean and SD (sample SD), or median and quartiles
///   (R's type 7) for the variables listed as skewed; groups compared by
///   Welch's t-test (2 groups) or one-way ANOVA (more) for means, by the
///   Mann–Whitney U or Kruskal–Wallis test for medians.
/// - Categorical variables: counts per level, of the non-missing values;
///   groups compared by Pearson's χ² test, with a flag when an expected
///   count is below 5.
/// - Missing values counted per group.
/// Rows whose group is missing count in the Overall column only.
public struct CohortSummary: Sendable {
    /// A numeric variable's summary in one group.
    public struct NumericSummary: Sendable, Equatable {
        public let count: Int
        public let mean: Double
        /// NaN with fewer than two values.
        public let standardDeviation: Double
        public let median: Double
        public let lowerQuartile: Double
        public let upperQuartile: Double
    }

    public enum Summary: Sendable {
        /// Per group (Overall first): nil when the group has no value.
        case numeric([NumericSummary?], median: Bool)
        /// `counts[level][group]` (Overall first) and the non-missing totals per group.
        case categorical(levels: [String], counts: [[Int]], present: [Int])
    }

    /// One variable's row(s).
    public struct Variable: Sendable {
        public let name: String
        public let summary: Summary
        /// The test across groups (nil without groups, or with fewer than two non-empty groups).
        public let test: TestResult?
        /// A χ² test with an expected count below 5 (its p-value is approximate).
        public let smallExpectedCount: Bool
        /// Missing values per group, Overall first.
        public let missing: [Int]
    }

    /// Overall, then each group level in display order, with their sizes.
    public let groups: [(label: String, n: Int)]
    public let groupBy: String?
    public let variables: [Variable]
    /// Rows whose group is missing (in the Overall column only).
    public let rowsWithoutGroup: Int
    /// What a row of the table is: a sample, or a participant.
    public var unit = Unit.samples

    /// With several samples per participant, a Table 1 either describes
    /// participants (one row each, so its tests compare independent units)
    /// or, when the groups change within participants, describes samples
    /// without tests.
    public enum Unit: Sendable, Equatable {
        case samples
        /// One row per participant: `means` are the variables that vary
        /// within participants, summarised by each participant's mean;
        /// `modes` the categorical ones, by each one's most frequent level.
        case participants(column: String, participants: Int, samples: Int, means: [String], modes: [String])
        /// The grouping varies within participants: samples described, no tests.
        case samplesWithoutTests(column: String, group: String)
    }

    /// The most groups a cohort table compares (each is a column of the table).
    public static let maximumGroups = 50

    /// The group levels in display order: severity bands in their scale's
    /// order when the values are band names, sorted levels otherwise.
    public static func order(_ levels: [String]) -> [String] {
        for scale in MoodScale.all {
            let names = scale.bands.map(\.name)
            if Set(levels).isSubset(of: Set(names)) { return names.filter { levels.contains($0) } }
        }
        return sortedLevels(levels)
    }

    /// Summarises `variables` (default: every column but the group) of `data`.
    ///
    /// - Throws: `DataError` for a column the table does not have.
    public init(data: DataTable, variables requested: [String]? = nil, groupBy: String? = nil, skewed: Set<String> = [],
                tests: Bool = true) throws {
        var groupColumn: DataTable.Column? = nil
        if let groupBy {
            guard let column = data[groupBy] else {
                throw DataError(.missingColumn(groupBy, purpose: .groupBy, available: data.columnNames),
                                at: SourceLocation(file: data.source, columnName: groupBy))
            }
            groupColumn = column
        }
        let names = requested ?? data.columnNames.filter { $0 != groupBy }
        var columns = [DataTable.Column]()
        for v in names {
            guard let column = data[v] else {
                throw DataError(.missingColumn(v, purpose: .describe, available: data.columnNames),
                                at: SourceLocation(file: data.source, columnName: v))
            }
            columns.append(column)
        }
        let levels = groupColumn.map { Self.order($0.levels) } ?? []
        if let groupBy, levels.count > Self.maximumGroups {
            throw DataError(.tooManyGroups(column: groupBy, levels: levels.count, limit: Self.maximumGroups),
                            at: SourceLocation(file: data.source, columnName: groupBy))
        }
        let memberships: [[Int]] = [Array(0..<data.rowCount)] + levels.map { level in
            (0..<data.rowCount).filter { groupColumn?.cells[$0] == level }
        }
        self.groupBy = groupBy
        self.groups = [("Overall", data.rowCount)] + levels.enumerated().map { ($1, memberships[$0 + 1].count) }
        self.rowsWithoutGroup = groupColumn.map { c in (0..<data.rowCount).filter { c.isMissing($0) }.count } ?? 0

        var out = [Variable]()
        for column in columns {
            let missing = memberships.map { $0.filter { column.isMissing($0) }.count }
            if column.kind == .numeric {
                let values = memberships.map { $0.map { column.numbers[$0] }.filter(\.isFinite) }
                let median = skewed.contains(column.name)
                let summaries = values.map { g -> NumericSummary? in
                    guard !g.isEmpty else { return nil }
                    let sorted = g.sorted()
                    return NumericSummary(count: g.count, mean: g.reduce(0, +) / Double(g.count),
                                          standardDeviation: g.count > 1 ? standardDeviation(g) : .nan,
                                          median: quantile(sorted: sorted, 0.5), lowerQuartile: quantile(sorted: sorted, 0.25),
                                          upperQuartile: quantile(sorted: sorted, 0.75))
                }
                var test: TestResult? = nil
                if groupBy != nil && tests {
                    let groups = Array(values.dropFirst()).filter { !$0.isEmpty }
                    if groups.count >= 2 {
                        test = median
                            ? (groups.count == 2 ? GroupComparison.mannWhitneyU(groups[0], groups[1]) : GroupComparison.kruskalWallis(groups))
                            : (groups.count == 2 ? GroupComparison.welchT(groups[0], groups[1]) : GroupComparison.oneWayANOVA(groups))
                    }
                }
                out.append(Variable(name: column.name, summary: .numeric(summaries, median: median), test: test,
                                    smallExpectedCount: false, missing: missing))
            } else {
                let present = memberships.map { $0.filter { !column.isMissing($0) } }
                let valueLevels = Self.order(Array(Set(present[0].map { column.cells[$0] })))
                let counts = valueLevels.map { level in present.map { g in g.filter { column.cells[$0] == level }.count } }
                var test: TestResult? = nil
                var small = false
                if groupBy != nil && tests {
                    let table = counts.map { Array($0.dropFirst()) }.filter { $0.contains { $0 > 0 } }
                    let result = GroupComparison.chiSquareIndependence(table)
                    let sparse = !result.statistic.isNaN && GroupComparison.smallestExpectedCount(table) < 5
                    if sparse && table.count == 2 && table.allSatisfy({ $0.filter { $0 >= 0 }.count == 2 }) && table[0].count == 2 {
                        // A sparse 2 × 2 table: Fisher's exact test instead of χ².
                        test = GroupComparison.fisherExact(table)
                    } else {
                        test = result
                        small = sparse
                    }
                }
                out.append(Variable(name: column.name, summary: .categorical(levels: valueLevels, counts: counts, present: present.map(\.count)),
                                    test: test, smallExpectedCount: small, missing: missing))
            }
        }
        self.variables = out
    }
}

extension CohortSummary {
    /// The Table 1 of a diversity study, by group: the outcome (left out
    /// when the groups are made from it — its own severity bands or its 0/1
    /// values — which would only restate the grouping), the diversity
    /// metrics, the sequencing depth, then the covariates' columns; never the
    /// grouping column itself.
    ///
    /// Conventions beyond ``init(data:variables:groupBy:skewed:)``: a numeric
    /// column holding only 0 and 1 is summarised as categorical (n (%)); the
    /// depth and ordinal columns — whole numbers with 3 to 7 distinct values,
    /// such as the Bristol stool type — as median [IQR] with rank tests.
    ///
    /// - Parameters:
    ///   - reads: each row's reads (nil to leave the depth out); the row is
    ///     named `reads`, or `reads (count table)` when the data has a `reads` column.
    ///   - participants: the column of each sample's participant when
    ///     participants have several samples (``Unit``).
    public static func study(data: DataTable, outcome: String?, groupedByOutcome: Bool, metrics: [String], reads: [Double]?,
                             covariates: [String], groupBy: String?, participants: String? = nil) throws -> CohortSummary {
        var table = data
        var variables = [String]()
        if let outcome, !groupedByOutcome, outcome != groupBy { variables.append(outcome) }
        variables += metrics
        var skewed = Set<String>()
        if let reads {
            let name = data["reads"] == nil ? "reads" : "reads (count table)"
            table = table.appendingColumns([DataTable.Column(name: name, numbers: reads)])
            variables.append(name)
            skewed.insert(name)
        }
        for c in covariates where !variables.contains(c) && c != groupBy && c != outcome { variables.append(c) }
        var recoded = [DataTable.Column]()
        for name in variables {
            guard let column = table[name], column.kind == .numeric else { continue }
            let values = Set(column.numbers.filter(\.isFinite))
            if !values.isEmpty && values.isSubset(of: [0, 1]) {
                recoded.append(DataTable.Column(name: name, cells: column.cells, declaredKind: .categorical))
            } else if values.allSatisfy({ $0 == $0.rounded() }) && (3...7).contains(values.count) {
                skewed.insert(name)
            }
        }
        if !recoded.isEmpty {
            let names = Set(recoded.map(\.name))
            table = table.selectingColumns(table.columnNames.filter { !names.contains($0) }).appendingColumns(recoded)
        }
        guard let participants, let column = table[participants], Set(column.cells).count < table.rowCount else {
            return try CohortSummary(data: table, variables: variables, groupBy: groupBy, skewed: skewed)
        }
        let groups = PermutationPlan.strata(column.cells)
        if let groupBy, let g = table[groupBy], !PermutationPlan.isConstant(g.cells, within: groups) {
            var summary = try CohortSummary(data: table, variables: variables, groupBy: groupBy, skewed: skewed, tests: false)
            summary.unit = .samplesWithoutTests(column: participants, group: groupBy)
            return summary
        }
        let (perParticipant, means, modes) = collapse(table, groups: groups, columns: variables + (groupBy.map { [$0] } ?? []))
        var summary = try CohortSummary(data: perParticipant, variables: variables, groupBy: groupBy, skewed: skewed)
        summary.unit = .participants(column: participants, participants: groups.count, samples: table.rowCount,
                                     means: means.filter { variables.contains($0) }, modes: modes.filter { variables.contains($0) })
        return summary
    }

    /// One row per group of rows (a participant's samples): a column
    /// constant within every group keeps its value; a numeric one that
    /// varies takes the group's mean of its non-missing values, a
    /// categorical one its most frequent level (ties: the first in level order).
    static func collapse(_ data: DataTable, groups: [[Int]], columns names: [String]) -> (DataTable, means: [String], modes: [String]) {
        var columns = [DataTable.Column](), means = [String](), modes = [String]()
        for name in names {
            guard let c = data[name] else { continue }
            if PermutationPlan.isConstant(c.cells, within: groups) {
                columns.append(DataTable.Column(name: name, cells: groups.map { c.cells[$0[0]] }, declaredKind: c.kind))
            } else if c.kind == .numeric {
                means.append(name)
                columns.append(DataTable.Column(name: name, numbers: groups.map { g in
                    let values = g.map { c.numbers[$0] }.filter(\.isFinite)
                    return values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
                }))
            } else {
                modes.append(name)
                columns.append(DataTable.Column(name: name, cells: groups.map { g in
                    let present = g.filter { !c.isMissing($0) }.map { c.cells[$0] }
                    let counts = Dictionary(present.map { ($0, 1) }, uniquingKeysWith: +)
                    return order(Array(counts.keys)).max { (counts[$0] ?? 0) < (counts[$1] ?? 0) } ?? c.cells[g[0]]
                }, declaredKind: .categorical))
            }
        }
        return (DataTable(source: data.source, idColumnName: data.idColumnName, ids: groups.map { data.ids[$0[0]] }, columns: columns), means, modes)
    }
}
