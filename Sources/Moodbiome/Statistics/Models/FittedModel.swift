/// The family of a regression model.
public enum ModelFamily: String, Sendable, CaseIterable {
    /// Linear regression by ordinary least squares.
    case gaussian
    /// Logistic regression (binomial GLM, logit link).
    case binomial

    public init?(name: String) {
        switch name.lowercased() {
        case "gaussian", "ols", "linear", "normal": self = .gaussian
        case "binomial", "logistic", "logit": self = .binomial
        default: return nil
        }
    }
}

/// A fitted linear or logistic model with what a report needs: the
/// coefficient rows, the fit statistics and the warnings a user must see.
public struct FittedModel: Sendable {
    public enum Fit: Sendable {
        case linear(LinearRegression)
        case logistic(LogisticRegression)
    }

    public let fit: Fit
    /// What the user must be told about the fit (left-out rows, outcome coding,
    /// aliased terms, separation, non-convergence).
    public let notes: [String]

    /// Builds the design and fits the model.
    public static func fit(formula: Formula, data: DataTable, family: ModelFamily = .gaussian,
                           covariance: CovarianceType = .classical, confidenceLevel: Double = 0.95,
                           references: [String: String] = [:]) throws -> FittedModel {
        let design = try DesignMatrix(formula: formula, data: data, references: references, binaryResponse: family == .binomial)
        let fit: Fit
        switch family {
        case .gaussian:
            let model = try LinearRegression(design: design, covarianceType: covariance, confidenceLevel: confidenceLevel)
            if model.dfResidual <= 0 {
                throw InputError(file: data.source,
                                 problem: "the model has \(model.rank) estimable coefficients but only \(model.nobs) complete rows: no residual degrees of freedom",
                                 fix: "Use fewer predictors or more samples")
            }
            fit = .linear(model)
        case .binomial:
            if covariance != .classical {
                throw InputError(file: "--robust", problem: "robust (HC) standard errors are implemented for linear models only",
                                 fix: "Drop --robust for --family binomial")
            }
            fit = .logistic(try LogisticRegression(design: design, confidenceLevel: confidenceLevel))
        }
        return FittedModel(fit: fit, notes: Self.notes(for: fit, design: design))
    }

    public var design: DesignMatrix {
        switch fit {
        case .linear(let m): m.design
        case .logistic(let m): m.design
        }
    }

    public var coefficients: [Coefficient] {
        switch fit {
        case .linear(let m): m.coefficients
        case .logistic(let m): m.coefficients
        }
    }

    public var family: ModelFamily {
        if case .linear = fit { return .gaussian }
        return .binomial
    }

    public var confidenceLevel: Double {
        switch fit {
        case .linear(let m): m.confidenceLevel
        case .logistic(let m): m.confidenceLevel
        }
    }

    /// The one-row fit table's columns and values, in order.
    public var fitStatistics: [(name: String, value: Double)] {
        switch fit {
        case .linear(let m):
            return [("nobs", Double(m.nobs)), ("df_residual", Double(m.dfResidual)), ("r_squared", m.rSquared),
                    ("adj_r_squared", m.adjustedRSquared), ("sigma", m.sigma), ("f_statistic", m.fStatistic),
                    ("f_p_value", m.fPValue), ("log_likelihood", m.logLikelihood), ("aic", m.aic), ("bic", m.bic),
                    ("n_dropped", Double(m.design.nDropped))]
        case .logistic(let m):
            return [("nobs", Double(m.nobs)), ("df_residual", Double(m.dfResidual)), ("deviance", m.deviance),
                    ("null_deviance", m.nullDeviance), ("pseudo_r_squared", m.pseudoRSquared),
                    ("log_likelihood", m.logLikelihood), ("aic", m.aic), ("bic", m.bic),
                    ("n_dropped", Double(m.design.nDropped)), ("converged", m.converged ? 1 : 0),
                    ("iterations", Double(m.iterations))]
        }
    }

    static func notes(for fit: Fit, design: DesignMatrix) -> [String] {
        var out = [String]()
        if let summary = design.exclusionSummary {
            out.append("\(summary); IDs: \(DiversityRun.list(design.droppedIDs))")
        }
        let coefficients: [Coefficient]
        switch fit {
        case .linear(let m): coefficients = m.coefficients
        case .logistic(let m): coefficients = m.coefficients
        }
        let aliased = coefficients.filter(\.isAliased).map(\.name)
        if !aliased.isEmpty {
            out.append("aliased (a linear combination of the other columns, not estimable; reported as NA): \(aliased.joined(separator: ", "))")
        }
        if case .linear(let m) = fit, m.covarianceType == .hc2 || m.covarianceType == .hc3,
           m.coefficients.contains(where: { $0.standardError?.isFinite == false }) {
            out.append("some observations have leverage 1, so \(m.covarianceType.rawValue.uppercased()) standard errors are undefined (NA/Inf); use hc0 or hc1")
        }
        if case .logistic(let m) = fit {
            if !m.converged {
                out.append("the fit did not converge in \(m.iterations) iterations; the estimates are unreliable")
            }
            if let s = m.separation {
                let kind = s.complete ? "complete separation" : "quasi-complete separation"
                out.append("\(kind): \(s.observationsFittedExactly) of \(m.nobs) observations are fitted with probability 0 or 1, so the maximum-likelihood estimates do not exist"
                    + (s.coefficients.isEmpty ? "" : " for \(s.coefficients.joined(separator: ", ")) (they diverge; their SEs and p-values are meaningless)")
                    + ". Consider removing or merging these terms, or a penalised (Firth) logistic regression")
            }
        }
        if let coding = design.responseCoding { out.append("outcome coding: \(coding)") }
        return out
    }
}
