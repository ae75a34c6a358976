import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport

@Suite("Cluster-robust errors and the robust Wald F against sandwich and lmtest")
struct ClusterRobustTests {
    static let reference = csvRows("cluster/cluster-r.csv")

    func twinsData() throws -> DataTable { try twinsMetadataWithDiversity(richness: "richness") }

    func check(_ model: FittedModel, case name: String) {
        let rows = Self.reference.filter { $0["case"] == name && $0["term"] != "wald_f" }
        #expect(rows.count == model.coefficients.count)
        for (c, ref) in zip(model.coefficients, rows) {
            #expect(isClose(c.estimate!, Double(ref["estimate"]!)!, relative: 1e-10), "\(c.name)")
            #expect(isClose(c.standardError!, Double(ref["std_error"]!)!, relative: 1e-10), "\(c.name) SE")
            #expect(isClose(c.statistic!, Double(ref["statistic"]!)!, relative: 1e-10), "\(c.name) statistic")
            #expect(isClose(c.pValue!, Double(ref["p_value"]!)!, relative: 1e-9), "\(c.name) p")
        }
    }

    @Test func logisticWithClustersMatchesVcovCL() throws {
        let model = try FittedModel.fit(formula: Formula("obese ~ shannon + richness"), data: twinsData(), family: .binomial,
                                        cluster: "subject")
        check(model, case: "twins_logit_cluster")
    }

    @Test func olsWithClustersMatchesVcovCLAndWaldtest() throws {
        let model = try FittedModel.fit(formula: Formula("shannon ~ phenotype + richness"), data: twinsData(), cluster: "subject")
        check(model, case: "twins_ols_cluster")
        let f = Self.reference.first { $0["case"] == "twins_ols_cluster" && $0["term"] == "wald_f" }!
        #expect(isClose(model.fitStatistic("wald_f_statistic")!, Double(f["statistic"]!)!, relative: 1e-10))
        #expect(isClose(model.fitStatistic("wald_f_p_value")!, Double(f["p_value"]!)!, relative: 1e-8))
        #expect(model.fitStatistic("f_statistic") == nil)
    }

    /// NIST Longley with HC3 and HC1: the robust Wald F (227.6 with HC3, as
    /// statsmodels and Stata report), not the classical F (330.3). Longley's
    /// design has condition number ~10⁸ after centring, and R's and
    /// Moodbiome's HC covariances agree to ~6e-8 there: compared at 1e-6.
    @Test(arguments: [("longley_hc3", CovarianceType.hc3), ("longley_hc1", .hc1)])
    func robustModelsReportTheRobustWaldF(name: String, type: CovarianceType) throws {
        let data = try DataTable.read(fixturePath("nist/longley.csv"))
        let model = try FittedModel.fit(formula: Formula("y ~ x1 + x2 + x3 + x4 + x5 + x6"), data: data, covariance: type)
        let f = Self.reference.first { $0["case"] == name }!
        #expect(isClose(model.fitStatistic("wald_f_statistic")!, Double(f["statistic"]!)!, relative: 1e-6))
        #expect(isClose(model.fitStatistic("wald_f_p_value")!, Double(f["p_value"]!)!, relative: 1e-5))
    }

    @Test func clusterErrorsAreWordedAndTablesWithoutIDsNumbered() throws {
        let data = try twinsData()
        #expect { try FittedModel.fit(formula: Formula("shannon ~ richness"), data: data, cluster: "family") } throws: {
            message($0).contains("no column 'family' to take the clusters from")
        }
        // Three phenotype clusters: allowed (G ≥ 2), if unwise.
        let three = try FittedModel.fit(formula: Formula("shannon ~ richness"), data: data, cluster: "phenotype")
        #expect(three.coefficients[1].standardError! > 0)
        let plain = temporaryFile("p.csv", "x,y\n0.5,1\n0.5,2\n1,3\n2,5\n")
        let table = try DataTable.read(plain, idColumn: DataTable.noIDColumn)
        #expect(table.ids == ["1", "2", "3", "4"])
        #expect(table.columnNames == ["x", "y"])
    }
}
