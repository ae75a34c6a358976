import FoundationEssentials
import MoodbiomeNumerics

/// Negative binomial regression (NB2, log link): `y ~ NB(μ, θ)` with
/// `log μ = Xβ` and variance `μ + μ²/θ`, fitted by maximum likelihood in β
/// and θ jointly, as `MASS::glm.nb` (Venables & Ripley 2002, *Modern Applied
/// Statistics with S*, §7.4), which MaAsLin2's `NEGBIN` calls per feature.
///
/// Algorithm (MASS's, run to full convergence):
/// 1. a Poisson fit by IRLS from `μ = y + 0.1` (R's `poisson()$initialize`);
/// 2. θ by Newton's method on its score given μ (MASS `theta.ml`): start
///    `n / Σ(y/μ − 1)²`, score `Σ ψ(θ + y) − ψ(θ) + log θ + 1 − log(θ + μ) −
///    (y + θ)/(μ + θ)`, information `Σ −ψ′(θ + y) + ψ′(θ) − 1/θ + 2/(μ + θ)
///    − (y + θ)/(μ + θ)²`;
/// 3. alternately β given θ by Newton's method as reweighted least squares
///    (observed-information weights `θμ(y + θ)/(μ + θ)²`, working response
///    `η + (y − μ)(μ + θ)/(μ(y + θ))` — the log-likelihood is concave in η, so
///    this converges quadratically where MASS's Fisher scoring, `glm.fit`
///    with weights `μ/(1 + μ/θ)`, can crawl; steps halved while the deviance
///    rises; pivoted-QR solves; deviance
///    `2 Σ y·log(y/μ) − (y + θ)·log((y + θ)/(μ + θ))`) and θ given μ, until θ
///    changes by less than 1e-11 relative. MASS stops its loops earlier
///    (`epsilon` 1e-8, θ steps below ε^¼), so its estimates differ from these
///    in the 7th digit or so;
/// 4. where that alternation does not settle in 50 rounds (a flat profile:
///    strong overdispersion, where MASS stops at its "alternation limit"),
///    the root of the profile score in log θ — β refitted at each θ, the
///    score's slope given by the envelope theorem — bracketed and found by
///    regula falsi (Illinois), so the result is the joint maximum either way.
///
/// Conventions (`summary.negbin`): the covariance of β is `(XᵀWX)⁻¹` at the
/// final μ and θ (θ treated as known, dispersion 1); Wald z tests and
/// intervals; θ's standard error `1/√information`; log-likelihood
/// `Σ log Γ(θ + y) − log Γ(θ) − log Γ(y + 1) + θ log θ + y log μ − (θ + y)
/// log(θ + μ)` (y log μ taken as 0 when y = 0), AIC `−2 log L + 2(rank + 1)`.
/// The response may be non-integer (normalised counts), as `glm.nb` allows.
///
/// When the data show no overdispersion θ grows without bound (the
/// maximum is the Poisson model): the fit throws ``NegativeBinomialError/noOverdispersion``
/// once θ passes 1e10, where MASS stops at its iteration limit with a warning.
public struct NegativeBinomialRegression: Sendable {
    public let design: DesignMatrix
    public let coefficients: [Coefficient]
    public let covariance: Matrix
    /// The dispersion parameter θ (size) and its standard error.
    public let theta: Double
    public let thetaStandardError: Double
    public let fitted: [Double]
    public let rank: Int
    public let deviance: Double
    public let logLikelihood: Double
    public var aic: Double { -2 * logLikelihood + 2 * Double(rank + 1) }
    /// Outer iterations (IRLS for β, then θ).
    public let iterations: Int
    public var nobs: Int { design.response.count }

    public init(design: DesignMatrix, confidenceLevel: Double = 0.95, maxIterations: Int = 100) throws {
        precondition(confidenceLevel > 0 && confidenceLevel < 1, "confidence level must be in (0, 1)")
        self.design = design
        let x = design.x, y = design.response
        let p = x.columns
        if let bad = y.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
            throw NegativeBinomialError.negativeResponse(row: bad, value: y[bad])
        }
        let estimator = NegativeBinomialFit(x: x, y: y, maxIterations: maxIterations)
        let (theta, fit, outer) = try estimator.fit()
        self.theta = theta
        self.thetaStandardError = (1 / estimator.scoreAndInformation(theta, fit.mu).information).squareRoot()
        self.iterations = outer
        self.rank = fit.rank
        self.fitted = fit.mu
        self.deviance = fit.deviance
        self.logLikelihood = estimator.logLikelihood(theta: theta, mu: fit.mu)
        let covariance = try estimator.covariance(theta: theta, mu: fit.mu)
        self.covariance = covariance
        let z = Normal()
        let critical = z.quantile(1 - (1 - confidenceLevel) / 2)
        self.coefficients = (0..<p).map { j in
            let term = design.columnTerms[j].map { design.termLabels[$0] }
            guard let b = fit.beta[j] else { return .aliased(name: design.columnNames[j], term: term) }
            return .wald(name: design.columnNames[j], term: term, estimate: b, standardError: covariance[j, j].squareRoot(),
                         reference: z, critical: critical)
        }
    }
}

/// The estimation of a negative binomial regression (log link) as MASS's
/// `glm.nb`: IRLS for β at fixed θ, θ by maximum likelihood given μ, the
/// two alternated (or the profile score's root in log θ when the
/// alternation does not settle), then the log-likelihood and covariance.
struct NegativeBinomialFit {
    let x: Matrix
    let y: [Double]
    let maxIterations: Int
    var n: Int { x.rows }
    var p: Int { x.columns }

    typealias IRLSFit = (beta: [Double?], eta: [Double], mu: [Double], deviance: Double, rank: Int)

    /// IRLS for β at fixed θ (nil: Poisson) from `eta`; returns β, η, μ, deviance, rank.
    func irls(theta: Double?, eta start: [Double]) throws -> IRLSFit {
        func deviance(_ mu: [Double]) -> Double {
            var d = 0.0
            for i in 0..<n {
                let yLogY = y[i] > 0 ? y[i] * log(y[i] / mu[i]) : 0
                if let theta { d += 2 * (yLogY - (y[i] + theta) * log((y[i] + theta) / (mu[i] + theta))) }
                else { d += 2 * (yLogY - (y[i] - mu[i])) }
            }
            return d
        }
        var eta = start, mu = start.map(exp)
        var dev = deviance(mu)
        var beta = [Double?](repeating: nil, count: p), previous: [Double]? = nil
        var rank = 0, polishing = 0
        for _ in 1...maxIterations {
            var wx = x
            var wz = [Double](repeating: 0, count: n)
            for i in 0..<n {
                // Newton's weights, −∂²ℓ/∂η² = θμ(y + θ)/(μ + θ)² (> 0: ℓ is
                // concave in η), and response η + (∂ℓ/∂η)/w; Poisson: μ and (y − μ)/μ.
                let w: Double, step: Double
                if let t = theta {
                    w = t * mu[i] * (y[i] + t) / ((mu[i] + t) * (mu[i] + t))
                    step = (y[i] - mu[i]) * (mu[i] + t) / (mu[i] * (y[i] + t))
                } else {
                    w = mu[i]
                    step = (y[i] - mu[i]) / mu[i]
                }
                let s = w.squareRoot()
                wz[i] = s * (eta[i] + step)
                for j in 0..<p { wx[i, j] *= s }
            }
            let qr = try PivotedQR(wx)
            rank = qr.rank
            beta = try qr.solveLeastSquares(wz)
            var b = beta.map { $0 ?? 0 }
            eta = x.multiplied(by: b)
            mu = eta.map(exp)
            var newDev = deviance(mu)
            // Fisher scoring with the non-canonical log link can overshoot:
            // halve the step while the deviance rises (as R's glm2).
            if let previous {
                var halvings = 0
                while !(newDev <= dev * (1 + 1e-15)) && halvings < 40 {
                    halvings += 1
                    b = zip(b, previous).map { ($0 + $1) / 2 }
                    eta = x.multiplied(by: b)
                    mu = eta.map(exp)
                    newDev = deviance(mu)
                }
                beta = zip(beta, b).map { $0 == nil ? nil : $1 }
            }
            let step = previous.map { zip(b, $0).map { abs($0 - $1) / (abs($0) + 0.1) }.max() ?? 0 } ?? .infinity
            previous = b
            if abs(newDev - dev) / (abs(newDev) + 0.1) < 1e-12 {
                polishing += 1
                if step < 1e-11 || polishing > 2 { return (beta, eta, mu, newDev, rank) }
            }
            dev = newDev
        }
        throw NegativeBinomialError.notConverged
    }


    /// θ's score at μ — the profile likelihood's slope in θ, by the
    /// envelope theorem — and its information (MASS `theta.ml`'s two sums).
    func scoreAndInformation(_ t: Double, _ mu: [Double]) -> (score: Double, information: Double) {
        var score = 0.0, information = 0.0
        for i in 0..<n {
            score += digamma(t + y[i]) - digamma(t) + log(t) + 1 - log(t + mu[i]) - (y[i] + t) / (mu[i] + t)
            information += -trigamma(t + y[i]) + trigamma(t) - 1 / t + 2 / (mu[i] + t) - (y[i] + t) / ((mu[i] + t) * (mu[i] + t))
        }
        return (score, information)
    }


    /// θ given μ by Newton's method on its score (MASS `theta.ml`).
    func thetaML(_ mu: [Double]) throws -> Double {
        var t = Double(n) / zip(y, mu).reduce(0) { $0 + ($1.0 / $1.1 - 1) * ($1.0 / $1.1 - 1) }
        for _ in 0..<maxIterations {
            t = abs(t)
            let (score, information) = scoreAndInformation(t, mu)
            let delta = score / information
            t += delta
            guard t.isFinite && t < 1e10 else { throw NegativeBinomialError.noOverdispersion }
            if abs(delta) <= 1e-12 * t { return t }
        }
        throw NegativeBinomialError.notConverged
    }


    /// θ and the fit at θ, and the outer rounds: MASS's alternation, which
    /// settles in a few rounds when θ is well determined, else the root of
    /// the profile score in u = log θ, bracketed by doubling steps, then
    /// regula falsi (Illinois) to 1e-13 in u.
    func fit() throws -> (theta: Double, fit: IRLSFit, outer: Int) {
        var fit = try irls(theta: nil, eta: y.map { log($0 + 0.1) })
        var theta = (try? thetaML(fit.mu)) ?? 1
        var outer = 0, settled = false
        while outer < 50 && !settled {
            outer += 1
            fit = try irls(theta: theta, eta: fit.eta)
            guard let next = try? thetaML(fit.mu) else { break }
            settled = abs(next - theta) <= 1e-11 * theta
            theta = next
        }
        if !settled {
            func g(_ u: Double) throws -> Double {
                fit = try irls(theta: exp(u), eta: fit.eta)
                return scoreAndInformation(exp(u), fit.mu).score
            }
            var a = log(theta), ga = try g(a)
            var b = a + (ga > 0 ? 1 : -1), gb = try g(b)
            var width = 1.0
            while ga * gb > 0 {
                guard b < log(1e10) else { throw NegativeBinomialError.noOverdispersion }
                guard b > log(1e-10) else { throw NegativeBinomialError.notConverged }
                width *= 2
                (a, ga) = (b, gb)
                b = a + (ga > 0 ? width : -width)
                gb = try g(b)
            }
            guard let root = try bracketedRoot(a, ga, b, gb, relative: 1e-13, absolute: 1e-13, g) else { throw NegativeBinomialError.notConverged }
            theta = exp(root)
        }
        fit = try irls(theta: theta, eta: fit.eta)
        return (theta, fit, outer)
    }

    func logLikelihood(theta: Double, mu: [Double]) -> Double {
        var logL = 0.0
        for i in 0..<n {
            logL += lgamma(theta + y[i]) - lgamma(theta) - lgamma(y[i] + 1) + theta * log(theta)
                + (y[i] > 0 ? y[i] * log(mu[i]) : 0) - (theta + y[i]) * log(theta + mu[i])
        }
        return logL
    }

    /// Covariance (XᵀWX)⁻¹ at the final μ and θ.
    func covariance(theta: Double, mu: [Double]) throws -> Matrix {
        var wx = x
        for i in 0..<n {
            let s = (mu[i] / (1 + mu[i] / theta)).squareRoot()
            for j in 0..<p { wx[i, j] *= s }
        }
        let qr = try PivotedQR(wx)
        let rInverse = try qr.inverseOfLeadingR()
        return unpivot(rInverse.multiplied(by: rInverse, transposeOther: .transposed), permutation: qr.permutation, rank: qr.rank, columns: p)
    }
}

/// Why a negative binomial model could not be fitted, typed.
public enum NegativeBinomialError: Error, Equatable, Sendable {
    /// A response value below 0, or not a number (0-based row).
    case negativeResponse(row: Int, value: Double)
    /// θ grows without bound: no overdispersion, the Poisson model is the maximum.
    case noOverdispersion
    /// The iterations did not settle.
    case notConverged
}
