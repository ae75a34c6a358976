import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics

/// The compositional mediation model against ccmm 1.0's normal method
/// (Fixtures/ccmm/generate_ccmm_r.R), on the same bootstrap rows.
@Suite struct CompositionalMediationTests {
    @Test(arguments: ["plain", "age"])
    func effectsAndVariancesMatchCcmm(_ name: String) throws {
        let data = try DataTable.read(fixturePath("ccmm/ccmm-data.csv"))
        let parts = (1...10).map { "C\($0)" }
        var composition = Matrix(rows: data.rowCount, columns: parts.count)
        for (j, part) in parts.enumerated() { for i in 0..<data.rowCount { composition[i, j] = data[part]!.numbers[i] } }
        let text = try String(contentsOfFile: fixturePath("ccmm/ccmm-bootstrap.csv"), encoding: .utf8)
        let resamples = text.split(separator: "\n").map { $0.split(separator: ",").map { Int($0)! - 1 } }
        let covariates = name == "age" ? Matrix(rows: data.rowCount, columns: 1, columnMajor: data["age"]!.numbers) : nil
        let model = try CompositionalMediation(outcome: data["y"]!.numbers, composition: composition, exposure: data["tr"]!.numbers,
                                               covariates: covariates, resamples: resamples, names: parts)
        let reference = csvRows("ccmm/ccmm-normal.csv").filter { $0["case"] == name }
        let ours = [model.direct, model.totalIndirect] + model.indirect
        #expect(ours.count == reference.count)
        for (effect, row) in zip(ours, reference) {
            #expect(effect.name == row["effect"]!)
            let estimate = Double(row["estimate"]!.trimmingCharacters(in: .whitespaces))!
            let variance = Double(row["variance"]!.trimmingCharacters(in: .whitespaces))!
            #expect(isClose(effect.estimate, estimate, relative: 1e-8, absolute: 1e-11), "\(name) \(effect.name) \(effect.estimate) vs \(estimate)")
            #expect(isClose(effect.variance, variance, relative: 1e-8, absolute: 1e-14), "\(name) \(effect.name) var \(effect.variance) vs \(variance)")
        }
    }

    /// ccmm's sensitivity of the total indirect effect to a mediator–outcome
    /// correlation ρ, and where it stops (ρ too strong).
    @Test(arguments: ["plain", "age"])
    func sensitivityMatchesCcmm(_ name: String) throws {
        let data = try DataTable.read(fixturePath("ccmm/ccmm-data.csv"))
        var composition = Matrix(rows: data.rowCount, columns: 10)
        for j in 0..<10 { for i in 0..<data.rowCount { composition[i, j] = data["C\(j + 1)"]!.numbers[i] } }
        let covariates = name == "age" ? Matrix(rows: data.rowCount, columns: 1, columnMajor: data["age"]!.numbers) : nil
        let reference = csvRows("ccmm/ccmm-sensitivity.csv").filter { $0["case"] == name }
        let rho = reference.map { Double($0["rho"]!.trimmingCharacters(in: .whitespaces))! }
        let ours = try CompositionalMediation.sensitivity(outcome: data["y"]!.numbers, composition: composition, exposure: data["tr"]!.numbers,
                                                         covariates: covariates, rho: rho)
        for (value, row) in zip(ours, reference) {
            let text = row["total_indirect"]!.trimmingCharacters(in: .whitespaces)
            if text == "NA" { #expect(value == nil, "\(name) rho \(row["rho"]!)"); continue }
            let expected = Double(text)!
            #expect(value.map { isClose($0, expected, relative: 1e-8) } == true, "\(name) rho \(row["rho"]!): \(String(describing: value)) vs \(expected)")
        }
    }

    /// The pivoted Cholesky factor of a singular covariance reproduces it,
    /// with the rank as its width.
    @Test func semidefiniteFactorReproducesASingularCovariance() {
        // V = B Bᵀ with B 4 × 2: rank 2.
        let b = Matrix([[1, 0.5], [0.2, -1], [0, 2], [1.5, 0.3]])
        var v = Matrix(rows: 4, columns: 4)
        for i in 0..<4 { for j in 0..<4 { v[i, j] = b[i, 0] * b[j, 0] + b[i, 1] * b[j, 1] } }
        let l = CompositionalMediation.semidefiniteFactor(v)
        #expect(l.columns == 2)
        for i in 0..<4 {
            for j in 0..<4 {
                let product = (0..<l.columns).reduce(0.0) { $0 + l[i, $1] * l[j, $1] }
                #expect(abs(product - v[i, j]) <= 1e-12, "\(i),\(j)")
            }
        }
    }
}
