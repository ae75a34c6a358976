import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

/// Table 1's statistics and layout, against values computed independently
/// (SciPy 1.17.1 and NumPy 2.4, shown beside each number).
@Suite struct CohortSummaryTests {
    @Test func describesByGroupWithTheRightTests() throws {
        let data = table([
            ("age", ["30", "40", "50", "35", "45", "NA", "60", "20"]),
            ("sex", ["F", "M", "F", "F", "M", "M", "F", "M"]),
            ("band", ["mild", "minimal", "mild", "moderate", "minimal", "mild", "moderate", "NA"]),
        ])
        let summary = try CohortSummary(data: data, groupBy: "band")
        // Bands in their scale's order, not alphabetical.
        #expect(summary.groups.map(\.label) == ["Overall", "minimal", "mild", "moderate"])
        #expect(summary.rowsWithoutGroup == 1)
        // age: np.mean and np.std(ddof=1) of the 7 values: 40 and 13.228756555322953;
        // scipy.stats.f_oneway([40, 45], [30, 50], [35, 60]): F = 0.16667, p = 0.8538149682454624.
        guard case .numeric(let age, median: false) = summary.variables[0].summary, let overall = age[0] else {
            Issue.record("age is not summarised as a mean"); return
        }
        #expect(overall.mean == 40 && isClose(overall.standardDeviation, 13.228756555322953, relative: 1e-14))
        #expect(isClose(try #require(summary.variables[0].test?.pValue), 0.8538149682454624, relative: 1e-12))
        #expect(summary.variables[0].missing == [1, 0, 1, 0])
        // sex by band, [[0, 2, 2], [2, 1, 0]]: chi2_contingency(correction=False) p = 0.1177856432784892,
        // expected counts as low as 0.857 (flagged).
        #expect(isClose(try #require(summary.variables[1].test?.pValue), 0.1177856432784892, relative: 1e-12))
        #expect(summary.variables[1].smallExpectedCount)

        let (built, notes) = CohortTable.layout(summary)
        #expect(built.columns == ["Characteristic", "Overall (n = 8)", "minimal (n = 2)", "mild (n = 3)", "moderate (n = 2)", "p", "Test"])
        let rows = built.rows.map { $0.map { cell -> String in if case .text(let s) = cell { return s } else { return "" } } }
        #expect(rows[0] == ["age, mean ± SD", "40.0 ± 13.2", "42.5 ± 3.5", "40.0 ± 14.1", "47.5 ± 17.7", "0.85", "one-way ANOVA"])
        #expect(rows[1] == ["  missing", "1", "0", "1", "0", "", ""])
        #expect(rows[2] == ["sex, n (%)", "", "", "", "", "0.12", "Pearson chi-squared test"])
        #expect(rows[3] == ["  F", "4 (50.0%)", "0 (0.0%)", "2 (66.7%)", "2 (100.0%)", "", ""])
        #expect(notes == ["1 rows with no band appear in the Overall column only.",
                          "sex: an expected count is below 5, so the χ² p-value is approximate."])
    }

    @Test func mediansUseRankTests() throws {
        let data = table([("x", ["1", "2", "3", "4", "10", "20"]), ("g", ["a", "a", "a", "b", "b", "b"])])
        let summary = try CohortSummary(data: data, groupBy: "g", skewed: ["x"])
        let row = CohortTable.layout(summary).table.rows[0].map { cell -> String in if case .text(let s) = cell { return s } else { return "" } }
        // np.percentile([1, 2, 3, 4, 10, 20], [25, 50, 75]) = 2.25, 3.5, 8.5; of [1, 2, 3]: 1.5, 2, 2.5.
        // scipy.stats.mannwhitneyu([1, 2, 3], [4, 10, 20]): U = 0, exact p = 0.1.
        #expect(row == ["x, median [IQR]", "3.50 [2.25–8.50]", "2.00 [1.50–2.50]", "10.00 [7.00–15.00]", "0.10", "Mann-Whitney U test"])
    }

    /// Six participants with two samples each: Table 1 describes
    /// participants — constant columns as they are, varying numbers as each
    /// participant's mean, varying categories as the most frequent level —
    /// and tests them (scipy.stats.ttest_ind([2, 2, 5.5], [8, 9, 11.5],
    /// equal_var=False).pvalue = 0.015867718664106405).
    @Test func repeatedSamplesAreDescribedPerParticipant() throws {
        let data = table([("pid", ["p1", "p1", "p2", "p2", "p3", "p3", "p4", "p4", "p5", "p5", "p6", "p6"]),
                          ("arm", ["a", "a", "a", "a", "a", "a", "b", "b", "b", "b", "b", "b"]),
                          ("x", ["1", "3", "2", "2", "5", "6", "7", "9", "8", "10", "12", "11"]),
                          ("diet", ["v", "m", "m", "m", "v", "v", "m", "v", "v", "v", "m", "m"])])
        let summary = try CohortSummary.study(data: data, outcome: nil, groupedByOutcome: false, metrics: ["x"], reads: nil,
                                              covariates: ["diet"], groupBy: "arm", participants: "pid")
        #expect(summary.unit == .participants(column: "pid", participants: 6, samples: 12, means: ["x"], modes: ["diet"]))
        #expect(summary.groups.map(\.n) == [6, 3, 3])
        guard case .numeric(let x, _) = summary.variables[0].summary else { Issue.record("x not numeric"); return }
        #expect(isClose(try #require(x[1]).mean, 9.5 / 3, relative: 1e-15) && x[2]?.mean == 9.5)
        #expect(isClose(try #require(summary.variables[0].test?.pValue), 0.015867718664106405, relative: 1e-12))
        // diet: p1 has m and v once each (the first in level order, m), p2 m, p3 v; p4 m/v → m, p5 v, p6 m.
        guard case .categorical(let levels, let counts, _) = summary.variables[1].summary else { Issue.record("diet not categorical"); return }
        #expect(levels == ["m", "v"] && counts == [[4, 2, 2], [2, 1, 1]])
        let notes = CohortTable.layout(summary).notes
        #expect(notes.first == "Described per participant (6 participants by pid, from 12 samples): x as each participant's mean over their samples; diet as each participant's most frequent value, the others constant within a participant; the tests compare participants, not samples.")

        // A grouping that changes within participants: samples, no tests.
        let byDiet = try CohortSummary.study(data: data, outcome: nil, groupedByOutcome: false, metrics: ["x"], reads: nil,
                                             covariates: [], groupBy: "diet", participants: "pid")
        #expect(byDiet.unit == .samplesWithoutTests(column: "pid", group: "diet"))
        #expect(byDiet.variables.allSatisfy { $0.test == nil })
        let (laid, byDietNotes) = CohortTable.layout(byDiet)
        #expect(laid.columns == ["Characteristic", "Overall (n = 12)", "m (n = 6)", "v (n = 6)"])
        #expect(byDietNotes == ["diet changes within a pid, so the groups hold samples, not participants: the table describes samples, and no tests are shown (they would treat a participant's samples as independent)."])
    }
}
