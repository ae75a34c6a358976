import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// A linear mixed model `y = Xβ + Zb + ε`, `b ~ N(0, σ²ΛΛᵀ)`, `ε ~ N(0, σ²I)`,
/// fitted as R's lme4 `lmer` fits it, with lmerTest's Satterthwaite tests.
///
/// **Estimation** (Bates, Mächler, Bolker & Walker 2015, *Fitting linear
/// mixed-effects models using lme4*, J. Stat. Softw. 67(1)). The relative
/// covariance factor Λ(θ) is block-diagonal, one lower-triangular `q × q`
/// factor Tₜ per random term repeated over its groups. For each θ the
/// penalised least-squares system is solved (``PenalizedLeastSquares``)
/// and β and σ are profiled out, leaving
/// - ML: `d(θ) = log|L|² + n(1 + log(2π·r²/n))`,
/// - REML (default): `d_R(θ) = log|L|² + log|R_X|² + (n − p)(1 + log(2π·r²/(n − p))))`,
///
/// with `r²` the penalised residual sum of squares. θ is minimised by
/// BOBYQA (NLopt, as lme4's default `nloptwrap`) from Tₜ = I with the
/// diagonals of the Tₜ bounded below by 0; then `σ̂² = r²/n` (ML) or
/// `r²/(n − p)` (REML), `vcov(β̂) = σ̂²(R_XᵀR_X)⁻¹`, and the random effects'
/// covariance is `σ̂²TₜTₜᵀ`. Rank-deficient fixed columns are dropped first
/// (reported as aliased, as lme4's "fixed-effect model matrix is rank
/// deficient").
///
/// **Fit statistics** (lme4's conventions): `logLik = −d/2` (the REML
/// log-likelihood for REML fits), `AIC = d + 2k`, `BIC = d + k·log n` with
/// `k = p + dim θ + 1`. A fit is singular when a diagonal element of some
/// Tₜ is below 1e-4 (lme4's `isSingular`): a variance estimated as zero or
/// a correlation of ±1 — "boundary (singular) fit".
///
/// **Convergence check** (lme4's `checkConv`): the gradient g and Hessian
/// H of the objective at θ̂ by central differences (step 1e-4); the fit is
/// flagged when `max min(|U⁻¹g|, |g|) > 0.002` with `H = UᵀU` (the scaled
/// gradient `solve(chol(H), g)` of lme4's `check.conv.grad`), skipped for
/// singular fits.
///
/// **Tests** (lmerTest's `summary`, Kuznetsova, Brockhoff & Christensen
/// 2017, J. Stat. Softw. 82(13)): t = β̂/SE on Satterthwaite's degrees of
/// freedom `ν = 2·V²/(∇Vᵀ A ∇V)` with V = SE², ∇V its gradient in the
/// variance parameters (θ, σ) and `A = 2H⁻¹` their asymptotic covariance,
/// H the Hessian of the deviance in (θ, σ). Both derivatives are numDeriv's
/// Richardson-extrapolated central differences (``NumericalDerivatives``),
/// as lmerTest computes them, and H is inverted through its eigenvalues
/// (a pseudo-inverse dropping those below 1e-8, lmerTest's tolerance).
/// Confidence intervals are `β̂ ± t₍ν₎·SE` (Wald with Satterthwaite df; lme4's
/// `confint` profiles instead). Profile intervals for the standard
/// deviations: ``VarianceProfile``. Standardised coefficients are β·sd(xⱼ)/sd(y)
/// over the rows used, as for linear models.
public struct LinearMixedModel: Sendable {
    public let design: DesignMatrix
    public let blocks: [RandomEffectsBlock]
    /// The data file the model was fitted on, for errors.
    public let source: String
    /// The design's non-aliased columns, in design order (the fixed effects fitted).
    public let keptColumns: [Int]
    /// Restricted maximum likelihood (lme4's default) or maximum likelihood.
    public let reml: Bool
    public let confidenceLevel: Double
    /// The relative covariance parameters at the optimum (lme4's `getME(fit, "theta")`).
    public let theta: [Double]
    public let coefficients: [Coefficient]
    /// Coefficient covariance, design order (NaN for aliased columns).
    public let covariance: Matrix
    /// Residual standard deviation σ̂.
    public let sigma: Double
    /// The REML criterion (REML fits) or the deviance −2 log L (ML fits).
    public let objective: Double
    public var logLikelihood: Double { -objective / 2 }
    /// Estimated parameters: fixed effects, θ and σ.
    public var parameterCount: Int { rank + theta.count + 1 }
    public var aic: Double { objective + 2 * Double(parameterCount) }
    public var bic: Double { objective + log(Double(nobs)) * Double(parameterCount) }
    public var nobs: Int { design.response.count }
    /// The number of non-aliased fixed-effect columns.
    public let rank: Int
    /// The variance components, lme4's `as.data.frame(VarCorr(fit))`.
    public let varianceComponents: [VarianceComponent]
    /// The conditional modes of the random effects b̂ = Λû, per block: per
    /// group, its q values.
    public let randomEffects: [[Double]]
    public let fitted: [Double]
    public let residuals: [Double]
    /// A boundary (singular) fit.
    public let isSingular: Bool
    public let optimizer: Optimizer
    /// The scaled-gradient check; nil when it was skipped (singular fits).
    public let gradientCheck: GradientCheck?
    /// Eigenvalues of the variance parameters' Hessian that lmerTest warns
    /// about (negative or within 1e-8 of zero).
    public let hessianProblems: (negative: Int, zero: Int)
    /// lmerTest's ingredients of Satterthwaite's approximation: the
    /// covariance of the variance parameters (`2H⁻¹`) and, for each entry
    /// (a, b) of the kept coefficients' covariance, its gradient in them.
    let varparCovariance: [[Double]]
    let covarianceJacobian: [[Double]]

    public struct Optimizer: Sendable, Equatable {
        public let evaluations: Int
        /// Stopped by a tolerance (not by the evaluation limit).
        public let converged: Bool
    }

    public struct GradientCheck: Sendable, Equatable {
        /// max over θ of min(|U⁻¹g|, |g|) (H = UᵀU), or NaN when H was not positive definite.
        public let maxScaledGradient: Double
        /// The component (0-based) where it is largest.
        public let component: Int
        public static let tolerance = 0.002
        public var passed: Bool { maxScaledGradient.isFinite && maxScaledGradient <= Self.tolerance }
    }

    /// One row of the variance-components table.
    public struct VarianceComponent: Sendable, Equatable {
        /// The grouping (`participant`, `participant:site`, `participant.1`
        /// for a second uncorrelated term), or nil for the residual.
        public let group: String?
        public let term: String?
        /// The second term of a correlation row.
        public let term2: String?
        /// A variance, or for a correlation row the covariance.
        public let variance: Double
        public let standardDeviation: Double?
        public let correlation: Double?
    }

    /// Fits `design` (its formula's fixed part) with `formula`'s random terms.
    ///
    /// - Throws: `DataError` for groupings the model cannot use (fewer
    ///   than two groups, as many effects as rows, too large a dense
    ///   system, no residual degrees of freedom).
    public init(design: DesignMatrix, data: DataTable, reml: Bool = true, confidenceLevel: Double = 0.95) throws {
        try self.init(design: design, blocks: RandomEffectsBlock.build(formula: design.formula, data: data, design: design),
                      source: data.source, reml: reml, confidenceLevel: confidenceLevel)
    }

    /// Fits with random-effects blocks already built for `design`'s rows
    /// (many responses on one design: per-feature models share them).
    init(design: DesignMatrix, blocks: [RandomEffectsBlock], source: String, reml: Bool = true, confidenceLevel: Double = 0.95) throws {
        precondition(confidenceLevel > 0 && confidenceLevel < 1, "confidence level must be in (0, 1)")
        self.design = design
        self.reml = reml
        self.confidenceLevel = confidenceLevel
        self.blocks = blocks
        self.source = source
        let n = design.x.rows, pAll = design.x.columns
        let location = SourceLocation(file: source)

        // Non-aliased fixed columns, in design order.
        let kept: [Int]
        if pAll > 0 {
            let qr = try PivotedQR(design.x)
            kept = Array(qr.permutation.prefix(qr.rank)).sorted()
        } else {
            kept = []
        }
        let p = kept.count
        self.keptColumns = kept
        self.rank = p
        if n - p <= 0 {
            throw DataError(.noResidualDegreesOfFreedom(rank: p, rows: n), at: location)
        }
        let x = design.x.selectingColumns(kept)
        let groupings = blocks.map(\.grouping)
        let dense = PenalizedLeastSquares.denseColumns(groupings: groupings, fixedColumns: p)
        if dense > PenalizedLeastSquares.denseLimit {
            throw DataError(.mixedModelTooLarge(columns: dense, limit: PenalizedLeastSquares.denseLimit), at: location)
        }
        let pls = PenalizedLeastSquares(x: x, y: design.response, groupings: groupings)

        // Optimise θ.
        let lower = RelativeCovariance.lowerBounds(blocks: blocks)
        let result = try BoundedMinimizer.minimize(start: RelativeCovariance.start(blocks: blocks), lower: lower,
                                                   upper: lower.map { _ in .infinity }) {
            pls.objective(theta: $0, reml: reml)
        }
        self.optimizer = Optimizer(evaluations: result.evaluations, converged: result.converged)
        guard let solution = pls.solve(theta: result.x) else {
            throw DataError(.mixedModelNotPositiveDefinite, at: location)
        }
        let theta = result.x
        self.theta = theta
        self.objective = pls.objective(solution, reml: reml)
        let sigma2 = solution.pwrss / Double(reml ? n - p : n)
        self.sigma = sigma2.squareRoot()
        self.residuals = solution.residuals
        self.fitted = zip(design.response, solution.residuals).map { $0 - $1 }

        // Singularity: a diagonal of some Tₜ at (near) zero.
        var singular = false
        for (k, bound) in lower.enumerated() where bound == 0 && theta[k] < 1e-4 { singular = true }
        self.isSingular = singular

        let factors = RelativeCovariance.factors(theta: theta, blocks: blocks)
        self.randomEffects = Self.conditionalModes(solution.u, factors: factors, blocks: blocks)
        self.varianceComponents = Self.components(blocks: blocks, factors: factors, sigma2: sigma2)

        // Covariance of β̂.
        guard let unscaled = solution.unscaledCovariance(p: p) else { throw DataError(.mixedModelNotPositiveDefinite, at: location) }
        var covariance = Matrix(rows: pAll, columns: pAll, repeating: .nan)
        for (a, i) in kept.enumerated() { for (b, j) in kept.enumerated() { covariance[i, j] = sigma2 * unscaled[a + b * p] } }
        self.covariance = covariance

        // lme4's convergence check.
        if singular {
            self.gradientCheck = nil
        } else {
            self.gradientCheck = Self.checkGradient(theta: theta, lower: lower) { pls.objective(theta: $0, reml: reml) }
        }

        // lmerTest's Satterthwaite degrees of freedom.
        let satterthwaite = Self.satterthwaite(pls, varpar: theta + [sigma2.squareRoot()], n: n, p: p, reml: reml)
        self.hessianProblems = satterthwaite.problems
        self.varparCovariance = satterthwaite.varparCovariance
        self.covarianceJacobian = satterthwaite.jacobian
        self.coefficients = Self.coefficientRows(design: design, kept: kept, beta: solution.beta, covariance: covariance,
                                                 varparCovariance: satterthwaite.varparCovariance, jacobian: satterthwaite.jacobian,
                                                 confidenceLevel: confidenceLevel)
    }

    /// Conditional modes b = Tₜu per group.
    static func conditionalModes(_ u: [[Double]], factors: [[Double]], blocks: [RandomEffectsBlock]) -> [[Double]] {
        blocks.indices.map { t in
            let q = blocks[t].q
            var b = [Double](repeating: 0, count: u[t].count)
            for g in 0..<blocks[t].levels.count {
                for i in 0..<q {
                    var sum = 0.0
                    for k in 0...i { sum += factors[t][i + k * q] * u[t][g * q + k] }
                    b[g * q + i] = sum
                }
            }
            return b
        }
    }

    /// lmerTest's ingredients at the variance parameters (θ, σ): the
    /// numerical Hessian of the deviance, made `2H⁺`, and the Jacobian of
    /// the coefficients' covariance.
    static func satterthwaite(_ pls: PenalizedLeastSquares, varpar: [Double], n: Int, p: Int, reml: Bool)
        -> (varparCovariance: [[Double]], problems: (negative: Int, zero: Int), jacobian: [[Double]]) {
        func deviance(_ vp: [Double]) -> Double {
            let s2 = vp[vp.count - 1] * vp[vp.count - 1]
            guard let s = pls.solve(theta: Array(vp.dropLast())) else { return .nan }
            var d = s.logDetL + s.pwrss / s2 + Double(n) * Glibc.log(2 * Double.pi * s2)
            if reml { d += s.logDetRX - Double(p) * Glibc.log(2 * Double.pi * s2) }
            return d
        }
        func covarianceOfBeta(_ vp: [Double]) -> [Double] {
            let s2 = vp[vp.count - 1] * vp[vp.count - 1]
            guard let s = pls.solve(theta: Array(vp.dropLast())), let v = s.unscaledCovariance(p: p) else {
                return [Double](repeating: .nan, count: p * p)
            }
            return v.map { $0 * s2 }
        }
        let hessian = NumericalDerivatives.hessian(deviance, at: varpar)
        let (varparCovariance, problems) = pseudoInverseTimesTwo(hessian)
        return (varparCovariance, problems, NumericalDerivatives.jacobian(covarianceOfBeta, at: varpar))
    }

    /// The coefficient table: t on Satterthwaite's df, standardised estimates.
    static func coefficientRows(design: DesignMatrix, kept: [Int], beta: [Double], covariance: Matrix, varparCovariance: [[Double]],
                                jacobian: [[Double]], confidenceLevel: Double) -> [Coefficient] {
        let p = kept.count
        let sdY = standardDeviation(design.response)
        var rows = [Coefficient]()
        for j in 0..<design.x.columns {
            let name = design.columnNames[j]
            let term = design.columnTerms[j].map { design.termLabels[$0] }
            guard let a = kept.firstIndex(of: j) else {
                rows.append(.aliased(name: name, term: term))
                continue
            }
            let v = covariance[j, j]
            let gradient = jacobian[a + a * p]
            var denominator = 0.0
            for r in gradient.indices { for c in gradient.indices { denominator += gradient[r] * varparCovariance[r][c] * gradient[c] } }
            let df = 2 * v * v / denominator
            let reference: (any ContinuousDistribution)? = df.isFinite && df > 0 ? StudentT(degreesOfFreedom: df) : nil
            let critical = reference?.quantile(1 - (1 - confidenceLevel) / 2) ?? .nan
            var row = Coefficient.wald(name: name, term: term, estimate: beta[a], standardError: v.squareRoot(),
                                       reference: reference, critical: critical)
            row.degreesOfFreedom = df
            if design.columnTerms[j] != nil {
                row.standardizedEstimate = beta[a] * standardDeviation(Array(design.x.column(j))) / sdY
            }
            rows.append(row)
        }
        return rows
    }

    /// `2H⁺` through the eigenvalues of H, dropping those at or below 1e-8,
    /// and the counts of negative and near-zero eigenvalues (lmerTest).
    static func pseudoInverseTimesTwo(_ h: [[Double]]) -> ([[Double]], (negative: Int, zero: Int)) {
        let k = h.count
        guard k > 0, h.allSatisfy({ $0.allSatisfy(\.isFinite) }), let eigen = try? SymmetricEigen(Matrix(h)) else {
            return (h, (0, 0))
        }
        let tolerance = 1e-8
        var out = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var negative = 0, zero = 0
        for (m, lambda) in eigen.eigenvalues.enumerated() {
            if lambda < -tolerance { negative += 1 }
            if abs(lambda) < tolerance { zero += 1 }
            guard lambda > tolerance else { continue }
            for r in 0..<k {
                for c in 0..<k { out[r][c] += 2 * eigen.eigenvectors[r, m] * eigen.eigenvectors[c, m] / lambda }
            }
        }
        return (out, (negative, zero))
    }

    /// lme4's scaled-gradient check from central differences (step 1e-4).
    static func checkGradient(theta: [Double], lower: [Double], f: ([Double]) -> Double) -> GradientCheck {
        let k = theta.count
        let delta = 1e-4
        let f0 = f(theta)
        var gradient = [Double](repeating: 0, count: k)
        var hessian = Matrix(rows: k, columns: k)
        func shifted(_ steps: [(Int, Double)]) -> Double {
            var x = theta
            for (i, s) in steps { x[i] += s }
            return f(x)
        }
        for i in 0..<k {
            let up = shifted([(i, delta)]), down = shifted([(i, -delta)])
            gradient[i] = (up - down) / (2 * delta)
            hessian[i, i] = (up - 2 * f0 + down) / (delta * delta)
            for j in 0..<i {
                let value = (shifted([(i, delta), (j, delta)]) - shifted([(i, delta), (j, -delta)])
                             - shifted([(i, -delta), (j, delta)]) + shifted([(i, -delta), (j, -delta)])) / (4 * delta * delta)
                hessian[i, j] = value
                hessian[j, i] = value
            }
        }
        guard let cholesky = try? Cholesky(hessian) else {
            return GradientCheck(maxScaledGradient: .nan, component: 0)
        }
        // lme4's scaled gradient: solve(chol(H), g) = U⁻¹g with H = UᵀU.
        let w = cholesky.triangularSolve(gradient)
        var best = 0.0, component = 0
        for i in 0..<k {
            let value = Swift.min(abs(w[i]), abs(gradient[i]))
            if value > best { best = value; component = i }
        }
        return GradientCheck(maxScaledGradient: best, component: component)
    }

    /// The variance-components rows in `as.data.frame(VarCorr(fit))`'s
    /// order: per block, the variances, then the correlations of the lower
    /// triangle column by column; the residual last.
    static func components(blocks: [RandomEffectsBlock], factors: [[Double]], sigma2: Double) -> [VarianceComponent] {
        var out = [VarianceComponent]()
        var seen = [String: Int]()
        for (t, block) in blocks.enumerated() {
            let q = block.q
            var label = block.term.groupLabel
            if let count = seen[label] {
                seen[label] = count + 1
                label += ".\(count)"
            } else {
                seen[label] = 1
            }
            // Σ = σ²TTᵀ.
            var sigma = [Double](repeating: 0, count: q * q)
            for i in 0..<q {
                for j in 0..<q {
                    var sum = 0.0
                    for k in 0...Swift.min(i, j) { sum += factors[t][i + k * q] * factors[t][j + k * q] }
                    sigma[i + j * q] = sigma2 * sum
                }
            }
            for i in 0..<q {
                out.append(VarianceComponent(group: label, term: block.columnNames[i], term2: nil, variance: sigma[i + i * q],
                                             standardDeviation: sigma[i + i * q].squareRoot(), correlation: nil))
            }
            for j in 0..<q {
                for i in (j + 1)..<Swift.max(q, j + 1) {
                    let covariance = sigma[i + j * q]
                    let denominator = (sigma[i + i * q] * sigma[j + j * q]).squareRoot()
                    out.append(VarianceComponent(group: label, term: block.columnNames[j], term2: block.columnNames[i],
                                                 variance: covariance, standardDeviation: nil,
                                                 correlation: denominator > 0 ? covariance / denominator : .nan))
                }
            }
        }
        out.append(VarianceComponent(group: nil, term: nil, term2: nil, variance: sigma2,
                                     standardDeviation: sigma2.squareRoot(), correlation: nil))
        return out
    }

    /// A linear combination `Lβ` of the coefficients (`l` over the design's
    /// columns; aliased ones must be 0) with its standard error and
    /// Satterthwaite's degrees of freedom `2(LVLᵀ)² / (gᵀ A g)`, g the
    /// gradient of LVLᵀ in the variance parameters and A their covariance —
    /// lmerTest's `contest1D` (Kuznetsova et al. 2017).
    public func contrast(_ l: [Double]) -> (estimate: Double, standardError: Double, degreesOfFreedom: Double) {
        let kl = keptColumns.map { l[$0] }
        let beta = keptColumns.map { coefficients[$0].estimate ?? 0 }
        let estimate = zip(kl, beta).reduce(0) { $0 + $1.0 * $1.1 }
        let variance = quadraticForm(kl, covariance: keptColumns.map { i in keptColumns.map { covariance[i, $0] } })
        let g = contrastGradient(kl)
        let df = 2 * variance * variance / quadraticForm(g, covariance: varparCovariance)
        return (estimate, variance.squareRoot(), df)
    }

    /// The Wald F test of `Lβ = 0` (rows of `l` over the design's columns)
    /// with Satterthwaite's denominator df — lmerTest's `contestMD`: LVLᵀ
    /// diagonalised, one df νₘ per eigenvector, F on `2E/(E − q)` df with
    /// `E = Σ νₘ/(νₘ − 2)` (νₘ itself when q = 1 or all νₘ agree within
    /// 1e-8; 2 when some νₘ ≤ 2).
    public func fTest(_ l: [[Double]]) -> (f: Double, numeratorDF: Int, denominatorDF: Double)? {
        let kl = l.map { row in keptColumns.map { row[$0] } }
        let beta = keptColumns.map { coefficients[$0].estimate ?? 0 }
        let v = keptColumns.map { i in keptColumns.map { covariance[i, $0] } }
        let r = kl.count
        var lvl = Matrix(rows: r, columns: r)
        for a in 0..<r { for b in 0..<r { lvl[a, b] = bilinearForm(kl[a], kl[b], covariance: v) } }
        guard r > 0, let eigen = try? SymmetricEigen(lvl) else { return nil }
        // Eigenvalues largest first, as R's eigen().
        let order = Array((0..<r).reversed())
        let largest = eigen.eigenvalues[order[0]]
        let tolerance = Swift.max(Double.ulpOfOne.squareRoot() * largest, 0)
        let positive = order.filter { eigen.eigenvalues[$0] > tolerance }
        guard !positive.isEmpty else { return nil }
        var f = 0.0, nu = [Double]()
        for m in positive {
            let d = eigen.eigenvalues[m]
            // Row m of PᵀL.
            let ptl = (0..<kl[0].count).map { c in (0..<r).reduce(0.0) { $0 + eigen.eigenvectors[$1, m] * kl[$1][c] } }
            let projected = zip(ptl, beta).reduce(0) { $0 + $1.0 * $1.1 }
            f += projected * projected / d
            nu.append(2 * d * d / quadraticForm(contrastGradient(ptl), covariance: varparCovariance))
        }
        let q = positive.count
        f /= Double(q)
        let ddf: Double
        if q == 1 || nu.allSatisfy({ abs($0 - nu[0]) < 1e-8 }) {
            ddf = nu[0]
        } else if nu.contains(where: { $0 <= 2 }) {
            ddf = 2
        } else {
            let e = nu.reduce(0) { $0 + $1 / ($1 - 2) }
            ddf = 2 * e / (e - Double(q))
        }
        return (f, q, ddf)
    }

    /// The gradient of `kᵀ V k` (k over the kept coefficients) in the variance parameters.
    func contrastGradient(_ k: [Double]) -> [Double] {
        let p = k.count
        let count = varparCovariance.count
        var g = [Double](repeating: 0, count: count)
        for a in 0..<p where k[a] != 0 {
            for b in 0..<p where k[b] != 0 {
                let gradient = covarianceJacobian[a + b * p]
                for r in 0..<count { g[r] += k[a] * k[b] * gradient[r] }
            }
        }
        return g
    }
}

func quadraticForm(_ x: [Double], covariance: [[Double]]) -> Double { bilinearForm(x, x, covariance: covariance) }

func bilinearForm(_ x: [Double], _ y: [Double], covariance: [[Double]]) -> Double {
    var s = 0.0
    for a in x.indices where x[a] != 0 { for b in y.indices { s += x[a] * covariance[a][b] * y[b] } }
    return s
}
