import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

/// One SciPy / statsmodels test case from tests-scipy.csv.
struct HypothesisCase: Sendable, CustomTestStringConvertible {
    let test: String
    let name: String
    let vectors: [[Double]]
    let statistic: Double?
    let pValue: Double?
    var testDescription: String { "\(test) \(name)" }

    static let all: [HypothesisCase] = referenceRows("tests-scipy.csv").map { r in
        HypothesisCase(test: r[0], name: r[1],
                       vectors: r[2].split(separator: "|").map { $0.split(separator: ";").map { Double($0)! } },
                       statistic: Double(r[3]), pValue: Double(r[4]))
    }
}

@Suite struct HypothesisTestReferenceTests {
    /// Statistics within 1e-10 relative and p-values within 1e-10 absolute
    /// of SciPy (pearsonr, spearmanr, kendalltau, ttest_ind(equal_var=False),
    /// mannwhitneyu, kruskal, f_oneway, chi2_contingency without correction)
    /// and statsmodels' multipletests.
    @Test(arguments: HypothesisCase.all)
    func agreesWithSciPy(_ c: HypothesisCase) {
        let v = c.vectors
        let result: TestResult
        switch c.test {
        case "pearson": result = Correlation.pearson(v[0], v[1])
        case "spearman": result = Correlation.spearman(v[0], v[1])
        case "kendall": result = Correlation.kendall(v[0], v[1])
        case "welch": result = GroupComparison.welchT(v[0], v[1])
        case "mannwhitney": result = GroupComparison.mannWhitneyU(v[0], v[1])
        case "kruskal": result = GroupComparison.kruskalWallis(v)
        case "anova": result = GroupComparison.oneWayANOVA(v)
        case "chisq": result = GroupComparison.chiSquareIndependence(v.map { $0.map { Int($0) } })
        default:
            let method = PValueAdjustment(name: String(c.test.dropFirst("adjust-".count)))!
            let adjusted = method.adjust(v[0])
            for (a, e) in zip(adjusted, v[1]) { #expect(abs(a - e) < 1e-15, "\(a) vs \(e)") }
            return
        }
        #expect(isClose(result.statistic, c.statistic!, relative: 1e-10), "statistic \(result.statistic) vs \(c.statistic!)")
        #expect(abs(result.pValue - c.pValue!) < 1e-10, "p \(result.pValue) vs \(c.pValue!)")
    }

    @Test func exactKendallAndMannWhitneyEdgeCases() {
        // Perfect agreement of 5 untied pairs: 2/5! two-sided.
        let k = Correlation.kendall([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])
        #expect(k.statistic == 1)
        #expect(abs(k.pValue - 2.0 / 120) < 1e-15)
        // Complete separation of 3 vs 3: P(U ≥ 9) = 1/C(6,3) = 1/20, two-sided 0.1.
        let u = GroupComparison.mannWhitneyU([1, 2, 3], [4, 5, 6])
        #expect(u.statistic == 0)
        #expect(abs(u.pValue - 0.1) < 1e-15)
    }

    /// Degenerate inputs give NaN, never a crash.
    @Test func degenerateGroupsAreNaN() {
        #expect(GroupComparison.welchT([1, 1, 1], [2, 2]).pValue.isNaN)
        #expect(GroupComparison.welchT([1], [2, 3]).pValue.isNaN)
        #expect(GroupComparison.oneWayANOVA([[1, 1], [1, 1]]).pValue.isNaN)
        #expect(GroupComparison.kruskalWallis([[1, 1], [1, 1]]).pValue.isNaN)
        #expect(Correlation.pearson([1, 2], [2, 1]).pValue.isNaN)
        #expect(Correlation.spearman([1, 1, 1], [1, 2, 3]).pValue.isNaN)
        #expect(GroupComparison.chiSquareIndependence([[3, 0], [0, 0]]).pValue.isNaN)
    }

    @Test func adjustmentKeepsNaNAndOrder() {
        let q = PValueAdjustment.benjaminiHochberg.adjust([0.02, .nan, 0.01])
        #expect(q[1].isNaN)
        #expect(q[0] == 0.02 && q[2] == 0.02)
    }
}

@Suite struct MannWhitneyExactAtScaleTests {
    /// SciPy 1.17.1 `mannwhitneyu(x, y)` (method auto → exact: one sample ≤ 8,
    /// no ties) with 12,000 values in the other sample; the exact path used
    /// to take gigabytes here.
    @Test(.timeLimit(.minutes(1)), arguments: [
        ([-1, 5000.5, 11000.5, 11999.5], 28002.0, 0.5770967159844118),
        ([11990.5, 11995.5, 11998.5, 12000.5, 12001, 12002, 12003, 12004], 95986.0, 8.657230200701114e-26),
    ])
    func exactPathScales(x: [Double], u: Double, p: Double) {
        let y = (0..<12000).map(Double.init)
        let result = GroupComparison.mannWhitneyU(x, y)
        #expect(result.statistic == u)
        #expect(isClose(result.pValue, p, relative: 1e-9))
    }
}
