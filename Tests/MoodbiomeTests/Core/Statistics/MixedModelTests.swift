import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport

/// Linear mixed models against lme4 1.1-31 + lmerTest 3.1-3
/// (Fixtures/mixed/generate_mixed_r.R, with a tightened optimiser).
///
/// Tolerances (relative, or absolute near zero): fixed effects 1e-6,
/// standard errors 1e-5, Satterthwaite df 1e-4, log-likelihood 1e-8,
/// variance components 1e-5 — the optimisers' agreement on θ is the
/// limit, the flat directions of the REML criterion moving the variances
/// by ~1e-7 while the criterion changes by 1e-12.
@Suite("Linear mixed models against lme4 and lmerTest")
struct MixedModelTests {
    static let coefficients = csvRows("mixed/mixed-coefficients.csv")
    static let varcorr = csvRows("mixed/mixed-varcorr.csv")
    static let fit = csvRows("mixed/mixed-fit.csv")

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let formula: String
        let data: String
        let reml: Bool
        var testDescription: String { name }
    }

    static let cases = [
        Case(name: "long_intercept", formula: "phq9_total ~ shannon + months + age + sex + bmi + antidepressant + (1 | participant_id)", data: "long", reml: true),
        Case(name: "long_slope_ml", formula: "phq9_total ~ shannon * months + (1 + months | participant_id)", data: "long", reml: false),
        Case(name: "long_uncorrelated", formula: "phq9_total ~ shannon + months + (months || participant_id)", data: "long", reml: true),
        Case(name: "long_nested", formula: "phq9_total ~ shannon + months + (1 | site/participant_id)", data: "long", reml: true),
        Case(name: "long_crossed", formula: "phq9_total ~ shannon + (1 | participant_id) + (1 | visit)", data: "long", reml: true),
        Case(name: "twins_phenotype", formula: "shannon ~ phenotype + (1 | subject)", data: "twins", reml: true),
        Case(name: "twins_obese_ml", formula: "observed_features ~ obese + (1 | subject)", data: "twins", reml: false),
    ]

    static func twinsData() throws -> DataTable { try twinsMetadataWithDiversity(richness: "observed_features") }

    static func data(_ name: String) throws -> DataTable {
        name == "twins" ? try twinsData() : try DataTable.read(fixturePath("mixed/longitudinal.csv"))
    }

    func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool { isClose(a, b, relative: tolerance, absolute: tolerance) }

    @Test(arguments: cases)
    func matchesLme4AndLmerTest(_ c: Case) throws {
        let model = try FittedModel.fit(formula: Formula(c.formula), data: Self.data(c.data), reml: c.reml)
        let m = try #require(model.mixedModel)
        // Fixed effects, SEs, Satterthwaite df, t and p.
        let rows = Self.coefficients.filter { $0["case"] == c.name }
        #expect(rows.count == model.coefficients.count)
        for (coefficient, ref) in zip(model.coefficients, rows) {
            let name = coefficient.name
            #expect(close(coefficient.estimate!, Double(ref["estimate"]!)!, 1e-6), "\(name) estimate")
            #expect(close(coefficient.standardError!, Double(ref["std_error"]!)!, 1e-5), "\(name) SE")
            #expect(close(coefficient.degreesOfFreedom!, Double(ref["df"]!)!, 1e-4), "\(name) df \(coefficient.degreesOfFreedom!) vs \(ref["df"]!)")
            #expect(close(coefficient.statistic!, Double(ref["statistic"]!)!, 1e-5), "\(name) t")
            #expect(isClose(coefficient.pValue!, Double(ref["p_value"]!)!, relative: 1e-3), "\(name) p")
        }
        // Variance components, in lme4's order and with its group names.
        let components = Self.varcorr.filter { $0["case"] == c.name }
        #expect(components.count == m.varianceComponents.count)
        for (component, ref) in zip(m.varianceComponents, components) {
            #expect((component.group ?? "Residual") == ref["group"]!)
            #expect((component.term ?? "") == ref["term"]!.replacingOccurrences(of: "(Intercept)", with: "Intercept"))
            #expect((component.term2 ?? "") == ref["term2"]!.replacingOccurrences(of: "(Intercept)", with: "Intercept"))
            #expect(close(component.variance, Double(ref["variance"]!)!, 1e-5), "\(ref) variance \(component.variance)")
            let sdcor = component.correlation ?? component.standardDeviation!
            #expect(close(sdcor, Double(ref["sdcor"]!)!, 1e-5), "\(ref) sd/cor \(sdcor)")
        }
        // Fit statistics.
        let fit = Dictionary(uniqueKeysWithValues: Self.fit.filter { $0["case"] == c.name }.map { ($0["name"]!, Double($0["value"]!)!) })
        #expect(isClose(m.logLikelihood, fit["log_likelihood"]!, relative: 1e-8))
        #expect(isClose(m.objective, fit[c.reml ? "reml_criterion" : "deviance"]!, relative: 1e-8))
        #expect(isClose(m.aic, fit["aic"]!, relative: 1e-8))
        #expect(isClose(m.bic, fit["bic"]!, relative: 1e-8))
        #expect(isClose(m.sigma, fit["sigma"]!, relative: 1e-5))
        #expect(Double(m.nobs) == fit["nobs"]!)
        for (k, theta) in m.theta.enumerated() {
            #expect(close(theta, fit["theta\(k + 1)"]!, 1e-5), "theta \(k + 1)")
        }
        #expect(m.optimizer.converged)
        #expect(model.fitStatistic("converged") == 1)
    }

    /// Profile intervals of the standard deviations, for the cases whose
    /// random terms are all scalar, against the exact ends of an independent
    /// dense computation in R (mixed-profile-exact.csv: the ML deviance from
    /// dense matrices, the other parameters re-minimised by Nelder–Mead from
    /// several starts, each end by uniroot at 1e-12) to 1e-8 — what that
    /// computation's tolerances leave uncertain — and 0 where the profile
    /// never reaches the cut-off. lme4's `confint(method = "profile")`
    /// (mixed-profile.csv) interpolates a spline through its profile points,
    /// 1e-4 off in the interior and up to 1.3% near a boundary (the
    /// uncorrelated model's months SD), so it is checked at 2e-2.
    @Test(arguments: cases.filter { !$0.name.contains("slope") })
    func profileIntervalsMatchLme4(_ c: Case) throws {
        let model = try FittedModel.fit(formula: Formula(c.formula), data: Self.data(c.data), reml: c.reml)
        let m = try #require(model.mixedModel)
        let profile = try VarianceProfile(model: m)
        #expect(profile.unconfirmed.isEmpty)
        let intervals = profile.intervals.compactMap { $0 }
        let rows = csvRows("mixed/mixed-profile.csv").filter { $0["case"] == c.name }
        let exact = csvRows("mixed/mixed-profile-exact.csv").filter { $0["case"] == c.name }
        #expect(intervals.count == rows.count)
        for (k, (interval, row)) in zip(intervals, rows).enumerated() {
            #expect(interval.low <= interval.high)
            let e = try #require(exact.first { $0["index"] == String(k + 1) })
            let low = Double(e["low"]!)!, high = Double(e["high"]!)!
            #expect(low == 0 ? interval.low == 0 : isClose(interval.low, low, relative: 1e-8), "\(row["parameter"]!) low \(interval.low) vs exact \(low)")
            #expect(isClose(interval.high, high, relative: 1e-8), "\(row["parameter"]!) high \(interval.high) vs exact \(high)")
            // lme4 gives NA for twins_phenotype (its profile stops with a warning).
            guard let lme4Low = Double(row["low"]!), let lme4High = Double(row["high"]!) else { continue }
            #expect(isClose(interval.low, lme4Low, relative: 2e-2, absolute: 1e-12) && isClose(interval.high, lme4High, relative: 2e-2))
        }
        // The point estimates (ML) lie inside their intervals.
        for (component, interval) in zip(m.varianceComponents, profile.intervals) {
            guard let interval, let sd = component.standardDeviation, !c.reml else { continue }
            #expect(interval.low <= sd && sd <= interval.high)
        }
    }

    @Test func tablesAndJSONCarryTheRandomEffects() throws {
        let model = try FittedModel.fit(formula: Formula("phq9_total ~ shannon * months + (1 + months | participant_id)"),
                                        data: Self.data("long"))
        let table = try #require(model.randomEffectsTable)
        #expect(table.columns == ["group", "term", "term2", "variance", "sd", "correlation"])
        let csv = table.rendered(as: .csv)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[1].hasPrefix("participant_id,Intercept,,"))
        #expect(lines[3].hasPrefix("participant_id,Intercept,months,"))
        #expect(lines[3].hasSuffix(",") == false)
        #expect(lines[4].hasPrefix("Residual,,,"))
        #expect(model.coefficientTable().columns == ["term", "estimate", "std_error", "statistic", "df", "p_value", "conf_low", "conf_high", "aliased"])
        let json = model.json()
        #expect(json.contains("\"random_effects\": [\n    {\"group\": \"participant_id\", \"term\": \"Intercept\", \"term2\": null,"))
        #expect(json.contains("\"groups_participant_id\": 60"))
        #expect(json.contains("\"singular\": false"))
        let summary = model.consoleSummary()
        #expect(summary.hasPrefix("Linear mixed model fit by REML; t-tests use Satterthwaite's method\n"))
        #expect(summary.contains("Number of obs: 238, groups: participant_id, 60"))
    }

    /// A grouping with no variance between groups: θ = 0, lme4's "boundary
    /// (singular) fit", and the gradient check skipped as lme4 skips it.
    @Test func singularFitsAreReported() throws {
        var text = "id,y,x,g\n"
        // y depends on x only; g is unrelated to y (alternating pattern within groups).
        for i in 0..<60 {
            let x = Double(i % 10)
            let y = 2 + 0.5 * x + [0.3, -0.3, 0.1, -0.1][i % 4]
            text += "r\(i),\(y),\(x),g\(i / 6)\n"
        }
        let data = try DataTable.read(temporaryFile("singular.csv", text))
        let model = try FittedModel.fit(formula: Formula("y ~ x + (1 | g)"), data: data)
        let m = try #require(model.mixedModel)
        #expect(m.theta[0] < 1e-4)
        #expect(m.isSingular)
        #expect(m.gradientCheck == nil)
        #expect(model.notes.contains(.singularFit))
        #expect(Words.note(.singularFit).hasPrefix("boundary (singular) fit: a random-effect variance is estimated as zero"))
        #expect(model.fitStatistic("singular") == 1)
    }

    /// An end that cannot be confirmed is NA and said so, word for word.
    @Test func unconfirmedProfileEndsAreSaidInWords() {
        #expect(Words.note(.profileUnconfirmed(["sd of Intercept | participant_id", "sigma"]))
                == "the profile interval of sd of Intercept | participant_id, sigma could not be confirmed (minimised afresh, the profile at its end is not at the χ² cut-off), so it is written as NA; simplify the random-effects terms or report the Wald interval")
    }

    @Test func badMixedModelsAreRefusedInWords() throws {
        let data = try Self.data("long")
        #expect { try FittedModel.fit(formula: Formula("phq9_total ~ shannon + (1 | sex2)"), data: data) } throws: {
            message($0).contains("'sex2'")
        }
        #expect { try FittedModel.fit(formula: Formula("phq9_total ~ months + (1 | shannon)"), data: data) } throws: {
            message($0).contains("the random term (1 | shannon) has 238 random effects for 238 rows: its variance cannot be separated from the residual variance")
        }
        #expect { try FittedModel.fit(formula: Formula("antidepressant ~ shannon + (1 | participant_id)"), data: data, family: .binomial) } throws: {
            message($0).contains("logistic mixed models (GLMMs) are not implemented")
        }
        #expect { try FittedModel.fit(formula: Formula("phq9_total ~ shannon + (1 | participant_id)"), data: data, covariance: .hc3) } throws: {
            message($0) == "--robust: does not apply to a mixed model: its standard errors come from the estimated variance components, with Satterthwaite degrees of freedom. Drop --robust, or drop the random-effects terms and keep --robust"
        }
        #expect { try FittedModel.fit(formula: Formula("phq9_total ~ shannon + (1 | participant_id)"), data: data, cluster: "site") } throws: {
            message($0).contains("--cluster: does not apply to a mixed model")
        }
        // Two crossed groupings of thousands of levels: the dense part is refused, with the limit.
        var crossed = "id,y,a,b\n"
        for i in 0..<4_200 { crossed += "r\(i),\(Double(i % 7) * 0.5),a\(i % 2_050),b\(i % 2_100)\n" }
        let big = try DataTable.read(temporaryFile("crossed.csv", crossed))
        #expect { try FittedModel.fit(formula: Formula("y ~ 1 + (1 | a) + (1 | b)"), data: big) } throws: {
            message($0).contains("the random effects after the largest grouping need a dense system of 2051 columns, more than the 2000 Moodbiome solves")
        }
        let one = try DataTable.read(temporaryFile("one.csv", "id,y,x,g\na,1,2,k\nb,2,3,k\nc,3,5,k\nd,2,1,k\n"))
        #expect { try FittedModel.fit(formula: Formula("y ~ x + (1 | g)"), data: one) } throws: {
            message($0).contains("the grouping 'g' has 1 group among the rows used; a random effect needs at least 2")
        }
    }

    /// The profiled REML criterion is invariant to the sign of θ's
    /// diagonal and the solver agrees with a direct dense solution of
    /// Henderson's equations on a small crossed design.
    @Test func penalizedLeastSquaresMatchesADenseSolution() throws {
        let data = try Self.data("long")
        let formula = try Formula("phq9_total ~ shannon + (1 | participant_id) + (1 | visit)")
        let design = try DesignMatrix(formula: formula, data: data)
        let blocks = try RandomEffectsBlock.build(formula: formula, data: data, design: design)
        let pls = PenalizedLeastSquares(x: design.x, y: design.response, groupings: blocks.map(\.grouping))
        let theta = [0.8, 0.3]
        let s = try #require(pls.solve(theta: theta))
        #expect(isClose(pls.objective(theta: [-0.8, -0.3], reml: true), pls.objective(s, reml: true), relative: 1e-12))
        // Dense: Z = [Z₁ | Z₂]; Λ = diag(θ₁I, θ₂I); solve the (q + p) system.
        let n = design.x.rows, p = design.x.columns
        let q1 = blocks[0].levels.count, q2 = blocks[1].levels.count, q = q1 + q2
        var w = Matrix(rows: n, columns: q + p)
        for i in 0..<n {
            w[i, blocks[0].levelOfRow[i]] = theta[0]
            w[i, q1 + blocks[1].levelOfRow[i]] = theta[1]
            for k in 0..<p { w[i, q + k] = design.x[i, k] }
        }
        var a = w.multiplied(by: w, transposeSelf: .transposed)
        for j in 0..<q { a[j, j] += 1 }
        let rhs = w.multiplied(by: design.response, transpose: .transposed)
        let u = try Cholesky(a)
        // Solve UᵀU z = rhs.
        var z = rhs
        for i in 0..<(q + p) {
            for k in 0..<i { z[i] -= u.upper[k, i] * z[k] }
            z[i] /= u.upper[i, i]
        }
        for i in stride(from: q + p - 1, through: 0, by: -1) {
            for k in (i + 1)..<(q + p) { z[i] -= u.upper[i, k] * z[k] }
            z[i] /= u.upper[i, i]
        }
        for k in 0..<p { #expect(isClose(s.beta[k], z[q + k], relative: 1e-10)) }
        for j in 0..<q1 { #expect(isClose(s.u[0][j], z[j], relative: 1e-9, absolute: 1e-12)) }
        var ldL = 0.0
        for j in 0..<q { ldL += 2 * log(u.upper[j, j]) }
        #expect(isClose(s.logDetL, ldL, relative: 1e-11))
        var ldRX = 0.0
        for j in q..<(q + p) { ldRX += 2 * log(u.upper[j, j]) }
        #expect(isClose(s.logDetRX, ldRX, relative: 1e-11))
        let fitted = w.multiplied(by: z)
        var pwrss = 0.0
        for i in 0..<n { pwrss += (design.response[i] - fitted[i]) * (design.response[i] - fitted[i]) }
        for j in 0..<q { pwrss += z[j] * z[j] }
        #expect(isClose(s.pwrss, pwrss, relative: 1e-11))
    }
}
