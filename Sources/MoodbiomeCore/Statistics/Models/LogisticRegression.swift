import FoundationEssentials
import MoodbiomeNumerics

/// Logistic regression (binomial GLM, logit link) by iteratively reweighted
/// least squares, each step a pivoted-QR least-squares solve of
/// `√W·X β ≈ √W·z` with working response `z = η + (y − μ)/(μ(1 − μ))` and
/// weights `W = μ(1 − μ)` (McCullagh & Nelder 1989, §2.5; R's `glm.fit`).
///
/// Conventions:
/// - Start at `μ = (y + ½)/2` (R's `mustart`); stop when the deviance
///   changes by less than 1e-12 relative (`|ΔD|/(|D| + 0.1)`) and the
///   estimates by less than 1e-11 (up to two polishing steps), or after
///   100 iterations (reported as not converged). The covariance
///   `(XᵀWX)⁻¹` is evaluated at the final estimates (statsmodels `Logit`).
/// - Wald z tests and intervals `β ± z₍₁₋α/2₎·SE`; odds ratios `exp(β)` with
///   the exponentiated interval.
/// - Deviance `D = −2 Σ [y log μ + (1 − y) log(1 − μ)]`; log L = −D/2; AIC =
///   D + 2r; BIC = D + r·log n; null deviance from the intercept-only fit
///   (μ = ȳ), or μ = ½ without an intercept; McFadden's R² = 1 − D/D₀.
/// - Separation: when fitted probabilities come within 1e-10 of 0 or 1
///   (R warns at 10·ε, which a deviance-based stop often never reaches),
///   the maximum-likelihood estimates do not exist. The fit is reported
///   with the separation flagged — complete when the deviance has gone to
///   zero (every observation fitted exactly), quasi-complete otherwise —
///   and the coefficients involved: those still moving along the
///   separating direction over the last iterations (at least 5% of the
///   largest change).
public struct LogisticRegression: Sendable {
    /// Complete or quasi-complete separation, and the coefficients involved.
    public struct Separation: Sendable, Hashable {
        public let complete: Bool
        public let coefficients: [String]
        /// Observations fitted at probability 0 or 1.
        public let observationsFittedExactly: Int
    }

    public let design: DesignMatrix
    public let coefficients: [Coefficient]
    public let covariance: Matrix
    public let confidenceLevel: Double
    public let fitted: [Double]
    public let rank: Int
    public var nobs: Int { design.response.count }
    /// Observations of the rarer outcome (the events that limit what the
    /// model can estimate).
    public var events: Int {
        let ones = design.response.filter { $0 == 1 }.count
        return Swift.min(ones, nobs - ones)
    }
    public var dfResidual: Int { nobs - rank }
    public let deviance: Double
    public let nullDeviance: Double
    public let logLikelihood: Double
    public let aic: Double
    public let bic: Double
    public var pseudoRSquared: Double { 1 - deviance / nullDeviance }
    public let converged: Bool
    public let iterations: Int
    public let separation: Separation?

    /// How the covariance was estimated: model-based, or cluster-robust.
    public let clustering: Clustering?

    /// - Parameter clustering: cluster-robust standard errors over these
    ///   clusters (`sandwich::vcovCL` with its default for GLMs, type HC0:
    ///   the scores `xᵢ(yᵢ − μᵢ)` summed within clusters, times
    ///   `G/(G − 1)`), z tests as `lmtest::coeftest`.
    public init(design: DesignMatrix, confidenceLevel: Double = 0.95, maxIterations: Int = 100, clustering: Clustering? = nil) throws {
        self.clustering = clustering
        precondition(confidenceLevel > 0 && confidenceLevel < 1, "confidence level must be in (0, 1)")
        self.design = design
        self.confidenceLevel = confidenceLevel
        let x = design.x, y = design.response
        let n = x.rows, p = x.columns
        let epsilon = 10 * Double.ulpOfOne
        func clamp(_ m: Double) -> Double { Swift.min(Swift.max(m, epsilon), 1 - epsilon) }
        func deviance(_ mu: [Double]) -> Double {
            var d = 0.0
            for i in 0..<n { d += y[i] == 1 ? -2 * log(mu[i]) : -2 * log1p(-mu[i]) }
            return d
        }
        var mu = y.map { ($0 + 0.5) / 2 }
        var eta = mu.map { log($0 / (1 - $0)) }
        var beta = [Double?](repeating: nil, count: p)
        var history = [[Double]]()
        var dev = deviance(mu)
        var converged = false
        var iterations = 0
        var rank = 0
        var polishing = 0
        for iteration in 1...maxIterations {
            iterations = iteration
            var wx = x
            var wz = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let w = mu[i] * (1 - mu[i])
                let s = w.squareRoot()
                wz[i] = s * (eta[i] + (y[i] - mu[i]) / w)
                for j in 0..<p { wx[i, j] *= s }
            }
            let qr = try PivotedQR(wx)
            rank = qr.rank
            beta = try qr.solveLeastSquares(wz)
            let b = beta.map { $0 ?? 0 }
            history.append(b)
            eta = x.multiplied(by: b)
            mu = eta.map { clamp(1 / (1 + exp(-$0))) }
            let newDev = deviance(mu)
            let step: Double = history.count >= 2
                ? zip(history[history.count - 1], history[history.count - 2]).map { (a: Double, b: Double) -> Double in abs(a - b) / (abs(a) + 0.1) }.max() ?? 0
                : .infinity
            if abs(newDev - dev) / (abs(newDev) + 0.1) < 1e-12 {
                // Newton converges quadratically: polish until the estimates
                // stop moving (at most two more steps), so they carry full
                // precision rather than the square root of the tolerance.
                polishing += 1
                if step < 1e-11 || polishing > 2 {
                    dev = newDev
                    converged = true
                    break
                }
            }
            dev = newDev
        }
        self.rank = rank
        self.converged = converged
        self.iterations = iterations
        self.deviance = dev
        self.fitted = mu
        self.logLikelihood = -dev / 2
        self.aic = dev + 2 * Double(rank)
        self.bic = dev + log(Double(n)) * Double(rank)
        if design.hasIntercept {
            let ybar = y.reduce(0, +) / Double(n)
            self.nullDeviance = deviance([Double](repeating: ybar, count: n))
        } else {
            self.nullDeviance = deviance([Double](repeating: 0.5, count: n))
        }

        let covariance = try Self.covariance(x: x, y: y, mu: mu, clustering: clustering)
        self.covariance = covariance
        self.separation = Self.separation(mu: mu, history: history, deviance: dev, design: design)

        let z = Normal()
        let critical = z.quantile(1 - (1 - confidenceLevel) / 2)
        var rows = [Coefficient]()
        for j in 0..<p {
            let term = design.columnTerms[j].map { design.termLabels[$0] }
            guard let b = beta[j] else {
                rows.append(.aliased(name: design.columnNames[j], term: term))
                continue
            }
            rows.append(.wald(name: design.columnNames[j], term: term, estimate: b,
                              standardError: covariance[j, j].squareRoot(), reference: z, critical: critical))
        }
        self.coefficients = rows
    }

    /// Covariance (XᵀWX)⁻¹ at the final estimates, or with clustering
    /// vcovCL's sandwich (HC0 scores summed within clusters, × G/(G − 1)).
    static func covariance(x: Matrix, y: [Double], mu: [Double], clustering: Clustering?) throws -> Matrix {
        let n = x.rows, p = x.columns
        var wx = x
        for i in 0..<n {
            let s = (mu[i] * (1 - mu[i])).squareRoot()
            for j in 0..<p { wx[i, j] *= s }
        }
        let qr = try PivotedQR(wx)
        let rInverse = try qr.inverseOfLeadingR()
        let bread = rInverse.multiplied(by: rInverse, transposeOther: .transposed)
        var pivotedCovariance = bread
        if let clustering {
            let r = qr.rank
            var scores = Matrix(rows: n, columns: r)
            for i in 0..<n { for k in 0..<r { scores[i, k] = x[i, qr.permutation[k]] * (y[i] - mu[i]) } }
            var meat = clustering.meat(scores)
            let g = Double(clustering.count)
            let factor = g / (g - 1)
            for k in meat.storage.indices { meat.storage[k] *= factor }
            pivotedCovariance = bread.multiplied(by: meat).multiplied(by: bread)
        }
        return unpivot(pivotedCovariance, permutation: qr.permutation, rank: qr.rank, columns: p)
    }

    /// Separation: fitted probabilities within 1e-10 of 0 or 1 (η beyond
    /// ±23) do not occur in a fit whose estimates exist at any realistic n;
    /// the coefficients still moving over the last steps are the ones involved.
    static func separation(mu: [Double], history: [[Double]], deviance dev: Double, design: DesignMatrix) -> Separation? {
        let exact = mu.filter { Swift.min($0, 1 - $0) < 1e-10 }.count
        guard exact > 0 else { return nil }
        var involved = [String]()
        if history.count >= 2 {
            let last = history[history.count - 1], earlier = history[Swift.max(0, history.count - 4)]
            let change = zip(last, earlier).map { abs($0 - $1) }
            let largest = change.max() ?? 0
            for j in 0..<design.x.columns where largest > 0 && change[j] > 0.05 * largest && design.columnTerms[j] != nil {
                involved.append(design.columnNames[j])
            }
        }
        return Separation(complete: dev < 1e-6, coefficients: involved, observationsFittedExactly: exact)
    }
}
