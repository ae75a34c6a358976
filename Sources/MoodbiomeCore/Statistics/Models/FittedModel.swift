import MoodbiomeIO

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

/// Something a user must be told about a fit, typed; the report layer
/// words it.
public enum ModelNote: Hashable, Sendable {
    /// Rows left out for missing values.
    case rowsExcluded(dropped: Int, total: Int, exclusions: [DesignMatrix.Exclusion], ids: [String])
    /// Columns that are linear combinations of the others (NA rows).
    case aliased([String])
    /// Observations with leverage 1 make HC2/HC3 standard errors undefined.
    case leverageOne(CovarianceType)
    case notConverged(iterations: Int)
    case separation(LogisticRegression.Separation, observations: Int)
    /// Which level of a text outcome is the event.
    case outcomeCoding(ResponseCoding)
    /// A logistic model with fewer than 10 events (of the rarer outcome)
    /// per estimated coefficient (Peduzzi et al. 1996, *J Clin Epidemiol*
    /// 49:1373): its estimates are biased and its intervals unreliable.
    case fewEvents(events: Int, parameters: Int)
    /// A mixed model at the boundary: a variance estimated as zero or a
    /// correlation of ±1 (lme4's "boundary (singular) fit").
    case singularFit
    /// lme4's convergence warning: the scaled gradient at the optimum
    /// exceeds its tolerance (NaN: the Hessian was not positive definite).
    case gradientTooLarge(maxGradient: Double, tolerance: Double, component: Int)
    /// The optimiser stopped at its evaluation limit.
    case optimizerLimit(evaluations: Int)
    /// lmerTest's warning: the Hessian of the variance parameters has
    /// negative or near-zero eigenvalues, so Satterthwaite's df are unreliable.
    case varianceHessian(negative: Int, zero: Int)
    /// Profile intervals whose ends could not be confirmed on the profile
    /// (``VarianceProfile/unconfirmed``), named `sd of Intercept | group`.
    case profileUnconfirmed([String])
}

/// A fitted linear or logistic model with what a report needs: the
/// coefficient rows, the fit statistics and the notes a user must see.
public struct FittedModel: Sendable {
    public enum Fit: Sendable {
        case linear(LinearRegression)
        case logistic(LogisticRegression)
        /// A linear mixed model (random-effects terms in the formula).
        case mixed(LinearMixedModel)
    }

    public let fit: Fit
    /// What the user must be told about the fit (left-out rows, outcome coding,
    /// aliased terms, separation, non-convergence).
    public let notes: [ModelNote]

    /// Builds the design and fits the model.
    ///
    /// - Throws: `DataError` for data the model cannot use (including no
    ///   residual degrees of freedom), `FormulaError`, and `ParameterError`
    ///   (`robust`) for robust errors in a logistic model.
    ///   - cluster: a column of cluster labels for cluster-robust standard
    ///     errors (rows without one are left out with the model's rows).
    public static func fit(formula: Formula, data: DataTable, family: ModelFamily = .gaussian,
                           covariance: CovarianceType = .classical, confidenceLevel: Double = 0.95,
                           references: [String: String] = [:], cluster: String? = nil,
                           reml: Bool = true) throws -> FittedModel {
        if formula.isMixed {
            if family == .binomial { throw ParameterError(.family, .onlyFor(.linearMixedModels)) }
            if cluster != nil { throw ParameterError(.cluster, .onlyFor(.fixedEffectsModels)) }
            if covariance != .classical { throw ParameterError(.robust, .onlyFor(.fixedEffectsModels)) }
            let design = try DesignMatrix(formula: formula, data: data, references: references)
            let fit = Fit.mixed(try LinearMixedModel(design: design, data: data, reml: reml, confidenceLevel: confidenceLevel))
            return FittedModel(fit: fit, notes: Self.notes(for: fit, design: design))
        }
        if family == .binomial && covariance != .classical && covariance != .cluster {
            throw ParameterError(.robust, .onlyFor(.linearModels))
        }
        if let cluster, data[cluster] == nil {
            throw DataError(.missingColumn(cluster, purpose: .cluster, available: data.columnNames),
                            at: SourceLocation(file: data.source, columnName: cluster))
        }
        let design = try DesignMatrix(formula: formula, data: data, references: references, binaryResponse: family == .binomial,
                                      alsoRequired: cluster.map { [$0] } ?? [])
        let clustering = cluster.map { Clustering(column: $0, data: data, design: design) }
        if let clustering, clustering.count < 2 {
            throw DataError(.tooFewClusters(column: clustering.column, count: clustering.count), at: SourceLocation(file: data.source, columnName: clustering.column))
        }
        let fit: Fit
        switch family {
        case .gaussian:
            let model = try LinearRegression(design: design, covarianceType: clustering == nil ? covariance : .cluster,
                                             confidenceLevel: confidenceLevel, clustering: clustering)
            if model.dfResidual <= 0 {
                throw DataError(.noResidualDegreesOfFreedom(rank: model.rank, rows: model.nobs), at: SourceLocation(file: data.source))
            }
            fit = .linear(model)
        case .binomial:
            fit = .logistic(try LogisticRegression(design: design, confidenceLevel: confidenceLevel, clustering: clustering))
        }
        return FittedModel(fit: fit, notes: Self.notes(for: fit, design: design))
    }

    public var design: DesignMatrix {
        switch fit {
        case .linear(let m): m.design
        case .logistic(let m): m.design
        case .mixed(let m): m.design
        }
    }

    public var coefficients: [Coefficient] {
        switch fit {
        case .linear(let m): m.coefficients
        case .logistic(let m): m.coefficients
        case .mixed(let m): m.coefficients
        }
    }

    /// The mixed model, if this is one.
    public var mixedModel: LinearMixedModel? {
        if case .mixed(let m) = fit { return m }
        return nil
    }

    public var family: ModelFamily {
        if case .logistic = fit { return .binomial }
        return .gaussian
    }

    public var confidenceLevel: Double {
        switch fit {
        case .linear(let m): m.confidenceLevel
        case .logistic(let m): m.confidenceLevel
        case .mixed(let m): m.confidenceLevel
        }
    }

    /// The one-row fit table's columns and values, in order.
    public var fitStatistics: [(name: String, value: Double)] {
        switch fit {
        case .linear(let m):
            // With robust or cluster-robust errors the overall test is the
            // robust Wald F, and says so in its name.
            let f = m.covarianceType == .classical ? "f" : "wald_f"
            return [("nobs", Double(m.nobs)), ("df_residual", Double(m.dfResidual)), ("r_squared", m.rSquared),
                    ("adj_r_squared", m.adjustedRSquared), ("sigma", m.sigma), (f + "_statistic", m.fStatistic),
                    (f + "_p_value", m.fPValue), ("log_likelihood", m.logLikelihood), ("aic", m.aic), ("bic", m.bic),
                    ("n_dropped", Double(m.design.nDropped))]
        case .logistic(let m):
            return [("nobs", Double(m.nobs)), ("df_residual", Double(m.dfResidual)), ("deviance", m.deviance),
                    ("null_deviance", m.nullDeviance), ("pseudo_r_squared", m.pseudoRSquared),
                    ("log_likelihood", m.logLikelihood), ("aic", m.aic), ("bic", m.bic),
                    ("n_dropped", Double(m.design.nDropped)), ("converged", m.converged ? 1 : 0),
                    ("iterations", Double(m.iterations)), ("events", Double(m.events)),
                    ("events_per_parameter", Double(m.events) / Double(Swift.max(1, m.coefficients.filter { !$0.isAliased }.count)))]
        case .mixed(let m):
            var out: [(name: String, value: Double)] = [("nobs", Double(m.nobs))]
            var seen = Set<String>()
            for block in m.blocks where seen.insert(block.term.groupLabel).inserted {
                out.append(("groups_" + block.term.groupLabel, Double(block.levels.count)))
            }
            out += [("sigma", m.sigma), ("log_likelihood", m.logLikelihood), (m.reml ? "reml_criterion" : "deviance", m.objective),
                    ("aic", m.aic), ("bic", m.bic), ("n_dropped", Double(m.design.nDropped)),
                    ("converged", m.optimizer.converged && m.gradientCheck?.passed != false ? 1 : 0),
                    ("singular", m.isSingular ? 1 : 0), ("evaluations", Double(m.optimizer.evaluations))]
            return out
        }
    }

    /// A fit statistic by name (`r_squared`, `pseudo_r_squared`…), or nil.
    public func fitStatistic(_ name: String) -> Double? {
        fitStatistics.first { $0.name == name }?.value
    }

    static func notes(for fit: Fit, design: DesignMatrix) -> [ModelNote] {
        var out = [ModelNote]()
        if design.nDropped > 0 {
            out.append(.rowsExcluded(dropped: design.nDropped, total: design.nDropped + design.ids.count,
                                     exclusions: design.exclusions, ids: design.droppedIDs))
        }
        let coefficients: [Coefficient]
        switch fit {
        case .linear(let m): coefficients = m.coefficients
        case .logistic(let m): coefficients = m.coefficients
        case .mixed(let m): coefficients = m.coefficients
        }
        let aliased = coefficients.filter(\.isAliased).map(\.name)
        if !aliased.isEmpty { out.append(.aliased(aliased)) }
        if case .linear(let m) = fit, m.covarianceType == .hc2 || m.covarianceType == .hc3,
           m.coefficients.contains(where: { $0.standardError?.isFinite == false }) {
            out.append(.leverageOne(m.covarianceType))
        }
        if case .logistic(let m) = fit {
            let parameters = m.coefficients.filter { !$0.isAliased }.count
            if m.events < 10 * parameters { out.append(.fewEvents(events: m.events, parameters: parameters)) }
            if !m.converged { out.append(.notConverged(iterations: m.iterations)) }
            if let s = m.separation { out.append(.separation(s, observations: m.nobs)) }
        }
        if case .mixed(let m) = fit {
            if m.isSingular { out.append(.singularFit) }
            if !m.optimizer.converged { out.append(.optimizerLimit(evaluations: m.optimizer.evaluations)) }
            if let check = m.gradientCheck, !check.passed {
                out.append(.gradientTooLarge(maxGradient: check.maxScaledGradient, tolerance: LinearMixedModel.GradientCheck.tolerance,
                                             component: check.component))
            }
            if m.hessianProblems.negative > 0 || m.hessianProblems.zero > 0 {
                out.append(.varianceHessian(negative: m.hessianProblems.negative, zero: m.hessianProblems.zero))
            }
        }
        if let coding = design.responseCoding { out.append(.outcomeCoding(coding)) }
        return out
    }
}
