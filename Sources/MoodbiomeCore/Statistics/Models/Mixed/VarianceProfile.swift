import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// Profile-likelihood confidence intervals for the standard deviations of
/// a linear mixed model's random effects and of its residual, as lme4's
/// `confint(fit, method = "profile")` defines them (Bates et al. 2015,
/// J. Stat. Softw. 67(1), §5.1): the interval for a standard deviation ψ is
/// every value whose profiled deviance lies within χ²₁(level) of the
/// minimum,
///
///     { ψ : min over the other parameters of d(θ, σ | ψ) − d̂ ≤ χ²₁,level },
///
/// with `d(θ, σ) = log|L_θ|² + r²(θ)/σ² + n·log(2πσ²)` the maximum-likelihood
/// deviance (β profiled out by the penalised least-squares solve) — also
/// for REML fits, as lme4 profiles them. For a random term's standard
/// deviation ψ = σ·θₖ, the remaining θ and σ are minimised (BOBYQA over
/// log σ and the other θ); for the residual σ, all θ. Each end is the root
/// of `d(ψ) − d̂ − χ²` found by bracketing and regula falsi (Illinois) to
/// 1e-10 relative — the exact ends, where lme4 interpolates a spline
/// through a grid of profile points (so the two agree to about 1e-4). A
/// lower end whose profile never reaches the cut-off is 0, as in lme4.
///
/// The random terms' intervals are offered for models whose terms are all
/// scalar (random intercepts, and slopes in `||` form); with a term of
/// correlated effects only σ's interval is given (lme4 profiles
/// correlated terms on another scale).
///
/// **Robustness.** Each profile point is a minimisation of its own, and a
/// minimiser that stops short makes the profile too high and the interval
/// too narrow (seen on one CPU: a lower end of 2.8948 where the profile
/// crosses at 2.8762, because BOBYQA's first step was derived from a
/// variance of 1e-7 at its bound). So every minimisation takes first steps
/// on the parameters' scale and is restarted until restarts stop improving
/// (``BoundedMinimizer/minimize(starts:lower:upper:parameterTolerance:objectiveTolerance:restartTolerance:maxRestarts:maxEvaluations:f:)``);
/// the optimum is sought from the fit, the boundary (every variance 0) and
/// the interior (lme4's start, θ = 1). While an end is searched each point
/// starts from the previous point's optimum; the end found is then
/// confirmed by minimising the profile there afresh from four starts (the
/// previous optimum, the unconstrained optimum, the boundary — the other
/// variances at 0 — and the interior): it must sit on the threshold within
/// 1e-6 of the deviance. If it does not, the end is searched again with
/// all four starts at every point, and confirmed again. A profile point
/// below the optimum means the optimum was not the minimum: it is
/// re-minimised from that point and the intervals start again. An end that
/// still cannot be confirmed, or whose root cannot be bracketed, is NaN
/// (written NA) and listed in ``unconfirmed``, so the user is told instead
/// of given a wrong number.
public struct VarianceProfile: Sendable {
    /// Per variance-component row of the model (``LinearMixedModel/varianceComponents``):
    /// the interval for that row's standard deviation, or nil (correlations,
    /// correlated terms).
    public let intervals: [(low: Double, high: Double)?]
    public let level: Double
    /// The rows (indices into ``LinearMixedModel/varianceComponents``) with
    /// an end that could not be confirmed on the profile; those ends are NaN.
    public let unconfirmed: [Int]

    /// The note a user must see, or nil when every end was confirmed.
    public func note(for model: LinearMixedModel) -> ModelNote? {
        guard !unconfirmed.isEmpty else { return nil }
        return .profileUnconfirmed(unconfirmed.map { row in
            let c = model.varianceComponents[row]
            return c.group.map { "sd of \(c.term ?? "Intercept") | \($0)" } ?? "sigma"
        })
    }

    /// Profile intervals for `model`'s standard deviations at `level`.
    public init(model: LinearMixedModel, level: Double = 0.95) throws {
        precondition(level > 0 && level < 1, "level must be in (0, 1)")
        self.level = level
        let problem = ProfiledDeviance(model: model)
        var start = model.theta
        for _ in 0..<3 {
            do {
                try problem.minimize(from: start)
                (intervals, unconfirmed) = try Self.intervals(model: model, problem: problem, cutoff: ChiSquared(degreesOfFreedom: 1).quantile(level))
                return
            } catch let below as ProfiledDeviance.BelowOptimum {
                start = below.theta   // the optimum was not the minimum: again from the lower point
            }
        }
        throw DataError(.mixedModelNotPositiveDefinite, at: SourceLocation(file: model.source))
    }

    private static func intervals(model: LinearMixedModel, problem: ProfiledDeviance, cutoff: Double) throws
        -> ([(low: Double, high: Double)?], [Int]) {
        let k = model.blocks.count
        let scalar = model.blocks.allSatisfy { $0.q == 1 }
        var intervals = [(low: Double, high: Double)?](), unconfirmed = [Int]()
        var block = 0
        for (row, component) in model.varianceComponents.enumerated() {
            guard component.standardDeviation != nil else { intervals.append(nil); continue }
            let which: Int
            if component.group == nil {
                which = k
            } else if scalar {
                which = block
                block += 1
            } else {
                intervals.append(nil)
                continue
            }
            let estimate = which == k ? problem.sigmaHat : problem.thetaHat[which] * problem.sigmaHat
            let low = estimate > 0 ? try problem.end(which, estimate: estimate, upward: false, cutoff: cutoff) : 0
            let high = try problem.end(which, estimate: Swift.max(estimate, 1e-8 * problem.sigmaHat), upward: true, cutoff: cutoff)
            if low.isNaN || high.isNaN { unconfirmed.append(row) }
            intervals.append((low, high))
        }
        return (intervals, unconfirmed)
    }
}

/// The ML deviance `d(θ, σ) = log|L_θ|² + r²(θ)/σ² + n·log(2πσ²)` of a
/// mixed model, its minimum, and its profile over all parameters but one
/// standard deviation.
private final class ProfiledDeviance {
    struct BelowOptimum: Error { let theta: [Double] }

    let pls: PenalizedLeastSquares
    let n: Int, k: Int
    let lower: [Double], upper: [Double]
    /// Where the minimum is also sought: every variance 0 (the boundary),
    /// and lme4's start Tₜ = I (the interior).
    let boundary: [Double], interior: [Double]
    private(set) var thetaHat: [Double] = [], dHat = 0.0, sigmaHat = 0.0
    /// Per profiled parameter, the optimum of the last profile point (a warm start for the next).
    private var warm: [Int: [Double]] = [:]

    let source: String

    init(model: LinearMixedModel) {
        let design = model.design
        source = model.source
        pls = PenalizedLeastSquares(x: design.x.selectingColumns(model.keptColumns), y: design.response,
                                    groupings: model.blocks.map(\.grouping))
        n = design.x.rows
        k = model.blocks.count
        lower = RelativeCovariance.lowerBounds(blocks: model.blocks)
        upper = lower.map { _ in .infinity }
        boundary = lower.map { $0.isFinite ? $0 : 0 }
        interior = RelativeCovariance.start(blocks: model.blocks)
    }

    func deviance(_ theta: [Double], _ sigma: Double) -> Double {
        guard let s = pls.solve(theta: theta) else { return .infinity }
        return s.logDetL + s.pwrss / (sigma * sigma) + Double(n) * log(2 * Double.pi * sigma * sigma)
    }

    /// The ML minimum (σ profiled analytically), from `start`, the boundary and the interior.
    func minimize(from start: [Double]) throws {
        let starts = [start, boundary, interior]
        let best = try BoundedMinimizer.minimize(starts: starts, lower: lower, upper: upper) { self.pls.objective(theta: $0, reml: false) }
        guard let solution = pls.solve(theta: best.x) else { throw DataError(.mixedModelNotPositiveDefinite, at: SourceLocation(file: source)) }
        thetaHat = best.x
        dHat = best.value
        sigmaHat = (solution.pwrss / Double(n)).squareRoot()
        warm = [:]
    }

    /// How many starts each profile point is minimised from.
    enum Effort { case warm, thorough }

    /// min over the other parameters of the deviance with the standard
    /// deviation `which` (a block index, or k for σ) fixed at ψ. Variables:
    /// for σ, all θ; for a term's SD, log σ and the other θ (that term's θ is ψ/σ).
    func profile(_ which: Int, _ psi: Double, effort: Effort) throws -> Double {
        // σ fixed: every θ varies. A term's SD fixed (scalar terms only, one θ per term): log σ and the other θ.
        let others = which == k ? Array(thetaHat.indices) : (0..<k).filter { $0 != which }
        func theta(_ v: [Double]) -> ([Double], Double) {
            if which == k { return (v, psi) }
            let sigma = exp(v[0])
            var theta = [Double](repeating: 0, count: k)
            theta[which] = psi / sigma
            for (m, j) in others.enumerated() { theta[j] = v[m + 1] }
            return (theta, sigma)
        }
        let head = which == k ? [] : [log(sigmaHat)]
        let lo = head.map { _ in -Double.infinity } + others.map { lower[$0] }
        let hi = lo.map { _ in Double.infinity }
        let optimum = head + others.map { thetaHat[$0] }
        var starts = [warm[which] ?? optimum]
        if effort == .thorough {
            starts += [optimum, head + others.map { boundary[$0] }, head + others.map { interior[$0] }]
        }
        let r = try BoundedMinimizer.minimize(starts: starts, lower: lo, upper: hi) { v in
            let (t, sigma) = theta(v)
            return self.deviance(t, sigma)
        }
        warm[which] = r.x
        if r.value < dHat - 1e-9 * Swift.max(1, abs(dHat)) {
            throw BelowOptimum(theta: theta(r.x).0)
        }
        return r.value
    }

    /// The end of the interval on one side of `estimate`: the root of
    /// profile − d̂ − cutoff, or 0 for a lower end the profile never
    /// reaches; NaN when no root is found or it cannot be confirmed.
    func end(_ which: Int, estimate: Double, upward: Bool, cutoff: Double) throws -> Double {
        for effort in [Effort.warm, .thorough] {
            warm[which] = nil
            guard let root = try root(which, estimate: estimate, upward: upward, cutoff: cutoff, effort: effort) else { return .nan }
            if root == 0 || root == .infinity { return root }
            // Confirmed: minimised afresh from every start, the profile sits on the threshold.
            if abs(try profile(which, root, effort: .thorough) - dHat - cutoff) <= 1e-6 { return root }
        }
        return .nan
    }

    private func root(_ which: Int, estimate: Double, upward: Bool, cutoff: Double, effort: Effort) throws -> Double? {
        func g(_ psi: Double) throws -> Double { try profile(which, psi, effort: effort) - dHat - cutoff }
        var inside = estimate, outside = upward ? estimate * 1.5 + 1e-8 : estimate / 2
        var gOut = try g(outside)
        var steps = 0
        while gOut < 0 {
            steps += 1
            if !upward && (outside < 1e-10 * Swift.max(estimate, 1e-300) || steps > 60) { return 0 }
            guard steps <= 60 else { return .infinity }
            inside = outside
            outside = upward ? outside * 2 : outside / 4
            gOut = try g(outside)
        }
        return try bracketedRoot(inside, try g(inside), outside, gOut, relative: 1e-10, g)
    }
}
