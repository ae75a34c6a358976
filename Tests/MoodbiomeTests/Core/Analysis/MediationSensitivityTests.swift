import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO

/// Imai, Keele & Yamamoto's sensitivity analysis against mediation 4.5.1's
/// medsens (Fixtures/medsens/generate_medsens_r.R): every grid point's ACME
/// and ADE, their intervals, and the ρ at which each is 0.
@Suite("Sensitivity of the ACME to mediator–outcome confounding")
struct MediationSensitivityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String, covariates: [String], interaction: Bool, step: Double, level: Double
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "plain", covariates: ["age", "C(sex)"], interaction: false, step: 0.1, level: 0.95),
        Case(name: "interaction", covariates: ["age", "C(sex)"], interaction: true, step: 0.05, level: 0.9),
        Case(name: "bare", covariates: [], interaction: false, step: 0.01, level: 0.95),
    ]

    static func reference(_ file: String) -> [[String: String]] {
        let lines = try! String(contentsOfFile: fixturePath("medsens/" + file), encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        let header = lines[0].split(separator: ",").map(String.init)
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) })) }
    }

    @Test(arguments: cases)
    func matchesMedsens(_ c: Case) throws {
        let data = try DataTable.read(fixturePath("mediation/mediation-data.csv"))
        var settings = Mediation.Settings()
        settings.simulations = 100
        settings.interaction = c.interaction
        settings.confidenceLevel = c.level
        let terms = try c.covariates.map { try Formula.Covariate($0, columns: data.columnNames) }
        let mediation = try Mediation(data: data, exposure: "diet", mediator: "shannon", outcome: "phq9_total", covariates: terms,
                                      control: 0, treated: 1, settings: settings)
        let s = try MediationSensitivity(mediation, exposure: "diet", step: c.step)
        let rows = Self.reference("medsens-r.csv").filter { $0["case"] == c.name }
        #expect(rows.count == s.points.count)
        var worst = 0.0
        for (row, p) in zip(rows, s.points) {
            #expect(abs(Double(row["rho"]!)! - p.rho) < 1e-12)
            let ours = [p.acmeControl, p.acmeTreated, p.adeControl, p.adeTreated].flatMap { [$0.0, $0.1, $0.2] }
            let keys = ["d0", "d1", "z0", "z1"].flatMap { [$0, "lower_" + $0, "upper_" + $0] }
            for (key, value) in zip(keys, ours) {
                let r = Double(row[key]!)!
                worst = max(worst, abs(value - r) / max(abs(r), 1e-3))
            }
        }
        #expect(worst < 1e-8, "largest relative difference \(worst)")
        let critical = Self.reference("medsens-critical-r.csv").first { $0["case"] == c.name }!
        #expect(abs(s.acmeZeroRho.control - Double(critical["err_cr_d0"]!)!) < 1e-12)
        #expect(abs(s.acmeZeroRho.treated - Double(critical["err_cr_d1"]!)!) < 1e-12)
        #expect(abs(s.adeZeroRho.control - Double(critical["err_cr_z0"]!)!) < 1e-12)
        #expect(abs(s.adeZeroRho.treated - Double(critical["err_cr_z1"]!)!) < 1e-12)
        #expect(abs(s.r2Star - Double(critical["r2star_d"]!)!) < 1e-12)
        #expect(abs(s.r2Tilde - Double(critical["r2tilde_d"]!)!) < 1e-10)
    }

    @Test func theGridIsR() {
        #expect(MediationSensitivity.grid(step: 0.1).count == 19)
        #expect(MediationSensitivity.grid(step: 0.01).count == 199)
        #expect(MediationSensitivity.grid(step: 0.05).first == -0.95)
    }
}

/// BCa intervals of bootstrap effects against mediation 4.5.1's own, on its
/// own replicates (Fixtures/medsens/generate_bca_r.R).
@Suite("BCa intervals of bootstrap mediation effects")
struct MediationBCaTests {
    @Test func matchesMediationOnItsReplicates() throws {
        let replicates = MediationSensitivityTests.reference("bca-replicates-r.csv")
        var vectors = [String: [Double]]()
        for row in replicates { vectors[row["case"]! + " " + row["effect"]!, default: []].append(Double(row["value"]!)!) }
        var checked = 0
        for row in MediationSensitivityTests.reference("bca-intervals-r.csv") {
            let v = try #require(vectors[row["case"]! + " " + row["effect"]!])
            let (low, high) = Mediation.biasCorrected(v, sorted: v.sorted(), level: Double(row["level"]!)!)
            for (ours, theirs) in [(low, Double(row["low"]!)!), (high, Double(row["high"]!)!)] {
                #expect(abs(ours - theirs) <= 1e-12 * max(1, abs(theirs)), "\(row["case"]!) \(row["effect"]!): \(ours) vs \(theirs)")
            }
            checked += 1
        }
        #expect(checked == 30)
    }

    /// BCa with a quasi-Bayesian method is refused; with the bootstrap it changes only the intervals.
    @Test func onlyTheIntervalsChange() throws {
        let data = try DataTable.read(fixturePath("mediation/mediation-data.csv"))
        var settings = Mediation.Settings()
        settings.method = .bootstrap
        settings.simulations = 300
        let percentile = try Mediation(data: data, exposure: "diet", mediator: "shannon", outcome: "phq9_total", covariates: [],
                                       control: 0, treated: 1, settings: settings)
        settings.interval = .bca
        let bca = try Mediation(data: data, exposure: "diet", mediator: "shannon", outcome: "phq9_total", covariates: [],
                                control: 0, treated: 1, settings: settings)
        #expect(percentile.draws == bca.draws)
        #expect(zip(percentile.effects, bca.effects).allSatisfy { $0.estimate == $1.estimate && $0.pValue == $1.pValue })
        #expect(zip(percentile.effects, bca.effects).contains { $0.low != $1.low })
    }
}
