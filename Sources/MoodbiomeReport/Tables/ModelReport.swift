import FoundationEssentials
import MoodbiomeNumerics
import MoodbiomeCore
import MoodbiomeIO

/// The report's table of whole models: every coefficient of each metric's
/// model — the metric or exposure, each covariate's, the intercept — with
/// its estimate, confidence interval and p, as a journal's full-model
/// table (models.csv holds the same with every digit).
public func everyTermTable(_ models: [(metric: String, model: FittedModel)], oddsRatios: Bool, level: String) -> TextTable {
    let mixed = models.contains { $0.model.mixedModel != nil }
    let header = ["Model", "Term", oddsRatios ? "OR (\(level)% CI)" : "β (\(level)% CI)", "p"] + (mixed ? ["df"] : [])
    var rows = [[TextTable.Cell]]()
    for (metric, model) in models {
        for c in model.coefficients {
            var estimate = "aliased"
            if let b = c.estimate, let low = c.confidenceLow, let high = c.confidenceHigh {
                estimate = oddsRatios && c.term != nil
                    ? "\(NumberPolicy.value(exp(b))) (\(NumberPolicy.interval(exp(low), exp(high), null: 1)))"
                    : "\(NumberPolicy.value(b)) (\(NumberPolicy.interval(low, high)))"
            }
            var row = [metric, c.name, estimate, NumberPolicy.pValue(c.pValue)]
            if mixed { row.append(NumberPolicy.value(c.degreesOfFreedom)) }
            rows.append(row.map { .text($0) })
        }
    }
    return TextTable(columns: header, rows: rows)
}

extension FittedModel {
    /// The tidy (broom-style) coefficient table: `term, estimate, std_error,
    /// statistic, p_value, conf_low, conf_high`, then `odds_ratio,
    /// odds_ratio_low, odds_ratio_high` when `exponentiate` is set (logistic
    /// models), `std_estimate` and `vif` for linear models, and `aliased`.
    /// Mixed models have `df` (Satterthwaite's) after `statistic`, as
    /// broom.mixed's `tidy`, and no `std_estimate`/`vif`. Aliased rows are
    /// NA throughout.
    public func coefficientTable(exponentiate: Bool = false) -> TextTable {
        let mixed = mixedModel != nil
        var columns = ["term", "estimate", "std_error", "statistic"] + (mixed ? ["df"] : []) + ["p_value", "conf_low", "conf_high"]
        let linear = family == .gaussian && !mixed
        if exponentiate { columns += ["odds_ratio", "odds_ratio_low", "odds_ratio_high"] }
        if linear { columns += ["std_estimate", "vif"] }
        columns.append("aliased")
        func number(_ x: Double?) -> TextTable.Cell { .number(x ?? .nan) }
        let rows: [[TextTable.Cell]] = coefficients.map { c in
            var row: [TextTable.Cell] = [.text(c.name), number(c.estimate), number(c.standardError), number(c.statistic)]
            if mixed { row.append(number(c.degreesOfFreedom)) }
            row += [number(c.pValue), number(c.confidenceLow), number(c.confidenceHigh)]
            if exponentiate {
                row += [number(c.estimate.map(exp)), number(c.confidenceLow.map(exp)), number(c.confidenceHigh.map(exp))]
            }
            if linear { row += [number(c.standardizedEstimate), number(c.varianceInflation)] }
            row.append(.text(c.isAliased ? "true" : "false"))
            return row
        }
        return TextTable(columns: columns, rows: rows)
    }

    /// The variance components of a mixed model in the layout of lme4's
    /// `as.data.frame(VarCorr(fit))`: `group, term, term2, variance, sd,
    /// correlation` — a variance row has `sd` and no `correlation`; a
    /// correlation row has the covariance under `variance`, the
    /// correlation, and no `sd`; the last row is the residual's. Nil for
    /// other models.
    public var randomEffectsTable: TextTable? { randomEffectsTable(profile: nil) }

    /// The variance components with, given a ``VarianceProfile``, the
    /// profile confidence interval of each standard deviation in
    /// `sd_conf_low, sd_conf_high` (empty for correlations and correlated terms).
    public func randomEffectsTable(profile: VarianceProfile?) -> TextTable? {
        guard let m = mixedModel else { return nil }
        func optional(_ x: Double?) -> TextTable.Cell { x.map { .number($0) } ?? .text("") }
        let rows: [[TextTable.Cell]] = m.varianceComponents.enumerated().map { k, c in
            var row: [TextTable.Cell] = [.text(c.group ?? "Residual"), .text(c.term ?? ""), .text(c.term2 ?? ""), .number(c.variance),
                                         optional(c.standardDeviation), optional(c.correlation)]
            if let profile { row += [optional(profile.intervals[k]?.low), optional(profile.intervals[k]?.high)] }
            return row
        }
        return TextTable(columns: ["group", "term", "term2", "variance", "sd", "correlation"] + (profile == nil ? [] : ["sd_conf_low", "sd_conf_high"]),
                         rows: rows)
    }

    /// The one-row fit table.
    /// One row of fit statistics; yes/no ones (`converged`, `singular`)
    /// as `true`/`false`, as the coefficient tables write `aliased`.
    public var fitTable: TextTable {
        TextTable(columns: fitStatistics.map(\.name), rows: [fitStatistics.map { statistic -> TextTable.Cell in
            Self.flagStatistics.contains(statistic.name) ? .text(statistic.value == 1 ? "true" : "false") : .number(statistic.value)
        }])
    }

    /// The fit statistics that are yes/no.
    static let flagStatistics: Set<String> = ["converged", "singular"]

    /// A description of the model for machine-readable output.
    var modelFields: [(String, String)] {
        var fields: [(String, String)] = [
            ("formula", jsonString(design.formula.text)),
            ("family", jsonString(family.rawValue)),
            ("method", jsonString(methodName)),
            ("response", jsonString(design.responseLabel)),
        ]
        if case .linear(let m) = fit { fields.append(("covariance", jsonString(m.covarianceType.rawValue))) }
        fields.append(("confidence_level", NumberStyle.roundTrip.format(confidenceLevel)))
        fields.append(("nobs", String(design.ids.count)))
        fields.append(("n_dropped", String(design.nDropped)))
        fields.append(("exclusions", "[" + design.exclusions.map { "{\"variable\": \(jsonString($0.variable)), \"rows\": \($0.rows)}" }.joined(separator: ", ") + "]"))
        fields.append(("dropped_ids", "[" + design.droppedIDs.map(jsonString).joined(separator: ", ") + "]"))
        fields.append(("notes", "[" + notes.map { jsonString(Words.note($0)) }.joined(separator: ", ") + "]"))
        return fields
    }

    var methodName: String {
        switch fit {
        case .linear: "ordinary least squares (pivoted QR)"
        case .logistic: "logistic regression (IRLS)"
        case .mixed(let m): "linear mixed model (\(m.reml ? "REML" : "maximum likelihood"), lme4's penalised least squares; Satterthwaite df as lmerTest)"
        }
    }

    /// `{"model": {…}, "coefficients": [...], "fit": {...}}`, and
    /// `"random_effects": [...]` (the variance components) for mixed models.
    public func json(exponentiate: Bool = false, numbers: NumberStyle = .roundTrip) -> String {
        func number(_ x: Double) -> String { x.isFinite ? numbers.format(x) : "null" }
        let table = coefficientTable(exponentiate: exponentiate)
        var out = "{\n  \"model\": {\n"
        out += modelFields.map { "    \(jsonString($0.0)): \($0.1)" }.joined(separator: ",\n")
        out += "\n  },\n  \"coefficients\": [\n"
        out += table.rows.map { row in
            "    {" + zip(table.columns, row).map { name, cell in
                let value: String
                switch cell {
                case .text(let s): value = name == "aliased" ? s : jsonString(s)
                case .number(let x): value = number(x)
                }
                return jsonString(name) + ": " + value
            }.joined(separator: ", ") + "}"
        }.joined(separator: ",\n")
        if let m = mixedModel {
            func optional(_ x: Double?) -> String { x.map(number) ?? "null" }
            out += "\n  ],\n  \"random_effects\": [\n"
            out += m.varianceComponents.map { c in
                "    {\"group\": \(jsonString(c.group ?? "Residual")), \"term\": \(c.term.map(jsonString) ?? "null"), "
                    + "\"term2\": \(c.term2.map(jsonString) ?? "null"), \"variance\": \(number(c.variance)), "
                    + "\"sd\": \(optional(c.standardDeviation)), \"correlation\": \(optional(c.correlation))}"
            }.joined(separator: ",\n")
        }
        out += "\n  ],\n  \"fit\": {"
        out += fitStatistics.map { name, value in
            let text = Self.flagStatistics.contains(name) ? (value == 1 ? "true" : "false") : number(value)
            return jsonString(name) + ": " + text
        }.joined(separator: ", ")
        return out + "}\n}\n"
    }

    /// A readable summary in the manner of R's `summary(lm)` / `summary(glm)`.
    public func consoleSummary(exponentiate: Bool = false) -> String {
        let d = design
        var out = ""
        switch fit {
        case .linear(let m):
            out += "Linear regression (ordinary least squares), \(m.covarianceType == .classical ? "classical" : m.covarianceType.rawValue.uppercased()) standard errors\n"
        case .logistic:
            out += "Logistic regression (binomial, logit link), Wald tests\n"
        case .mixed(let m):
            out += "Linear mixed model fit by \(m.reml ? "REML" : "maximum likelihood"); t-tests use Satterthwaite's method\n"
        }
        out += "Formula: \(d.formula.text)\n"
        out += "n = \(d.ids.count)" + (Words.exclusionSummary(d).map { "; \($0)" } ?? "") + "\n\n"
        func g(_ x: Double?, _ digits: Int = 4) -> String {
            guard let x else { return "NA" }
            return NumberStyle.significantDigits(digits).format(x)
        }
        if let m = mixedModel {
            out += "\(m.reml ? "REML criterion" : "Deviance") at convergence: \(g(m.objective, 7))\n\n"
            out += "Random effects:\n"
            var lines = [["Groups", "Name", "Variance", "Std.Dev.", "Corr"]]
            for c in m.varianceComponents where c.term2 == nil {
                let correlations = m.varianceComponents.filter { $0.group == c.group && $0.term2 == c.term && c.group != nil }
                lines.append([c.group ?? "Residual", c.term ?? "", g(c.variance), g(c.standardDeviation),
                              correlations.map { g($0.correlation, 3) }.joined(separator: " ")])
            }
            out += alignedColumns(lines, leftAligned: 2)
            let groups = m.blocks.map { "\($0.term.groupLabel), \($0.levels.count)" }
            var seen = Set<String>()
            out += "Number of obs: \(m.nobs), groups: " + groups.filter { seen.insert($0).inserted }.joined(separator: "; ") + "\n\n"
            out += "Fixed effects:\n"
        }
        let level = NumberPolicy.percent(confidenceLevel)
        let statName = family == .gaussian ? "t" : "z"
        var header = ["", "Estimate", "Std. Error"] + (mixedModel != nil ? ["df"] : [])
            + ["\(statName) value", "Pr(>|\(statName)|)", "\(level)% CI"]
        if exponentiate { header.append("Odds ratio (\(level)% CI)") }
        var lines = [header]
        for c in coefficients {
            var row = [c.name, g(c.estimate, 5), g(c.standardError, 4)] + (mixedModel != nil ? [g(c.degreesOfFreedom, 5)] : [])
                + [g(c.statistic, 4), NumberPolicy.pValue(c.pValue),
                   c.isAliased ? "(aliased)" : "[\(g(c.confidenceLow)), \(g(c.confidenceHigh))]"]
            if exponentiate {
                row.append(c.isAliased ? "NA" : "\(g(c.estimate.map(exp))) [\(g(c.confidenceLow.map(exp))), \(g(c.confidenceHigh.map(exp)))]")
            }
            lines.append(row)
        }
        out += alignedColumns(lines, leftAligned: 1)
        out += "\n"
        switch fit {
        case .linear(let m):
            out += "Residual standard error: \(g(m.sigma)) on \(m.dfResidual) degrees of freedom\n"
            out += "R-squared: \(g(m.rSquared)), adjusted R-squared: \(g(m.adjustedRSquared))\n"
            if m.fStatistic.isFinite {
                let name = m.covarianceType == .classical ? "F-statistic" : "Robust Wald F-statistic (\(m.covarianceType == .cluster ? "cluster-robust" : m.covarianceType.rawValue.uppercased()) covariance)"
                out += "\(name): \(g(m.fStatistic)) on \(m.fDegreesOfFreedom.numerator) and \(m.fDegreesOfFreedom.denominator) DF, p-value: \(NumberPolicy.pValue(m.fPValue))\n"
            }
            out += "Log-likelihood: \(g(m.logLikelihood, 6)), AIC: \(g(m.aic, 6)), BIC: \(g(m.bic, 6))\n"
        case .logistic(let m):
            out += "Null deviance: \(g(m.nullDeviance, 6)) on \(m.nobs - (d.hasIntercept ? 1 : 0)) degrees of freedom\n"
            out += "Residual deviance: \(g(m.deviance, 6)) on \(m.dfResidual) degrees of freedom\n"
            out += "AIC: \(g(m.aic, 6)), BIC: \(g(m.bic, 6)), McFadden R-squared: \(g(m.pseudoRSquared))\n"
            out += "IRLS iterations: \(m.iterations)\(m.converged ? "" : " (not converged)")\n"
        case .mixed(let m):
            out += "Log-likelihood\(m.reml ? " (REML)" : ""): \(g(m.logLikelihood, 7)), AIC: \(g(m.aic, 7)), BIC: \(g(m.bic, 7))\n"
            if m.isSingular { out += "boundary (singular) fit: see the notes\n" }
        }
        return out
    }

    /// Rows of cells as aligned text columns: the first `leftAligned`
    /// columns padded on the right, the others on the left.
    func alignedColumns(_ lines: [[String]], leftAligned: Int) -> String {
        let count = lines.map(\.count).max() ?? 0
        let widths = (0..<count).map { col in lines.map { col < $0.count ? $0[col].count : 0 }.max() ?? 0 }
        var out = ""
        for line in lines {
            out += line.enumerated().map { col, cell in
                col < leftAligned ? cell.padded(to: widths[col])
                    : String(repeating: " ", count: widths[col] - cell.count) + cell
            }.joined(separator: "  ") + "\n"
        }
        return out
    }
}
