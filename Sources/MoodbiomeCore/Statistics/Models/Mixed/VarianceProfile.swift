import Foundation
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
public struct VarianceProfile: Sendable {
    /// Per variance-component row of the model (``LinearMixedModel/varianceComponents``):
    /// the interval for that row's standard deviation, or nil (correlations,
    /// correlated terms).
    public let intervals: [(low: Double, high: Double)?]
    public let level: Double

    public init(model: LinearMixedModel, level: Double = 0.95) throws {
        precondition(level > 0 && level < 1, "level must be in (0, 1)")
        self.level = level
        let design = model.design, blocks = model.blocks
        let n = design.x.rows
        let pls = PenalizedLeastSquares(x: design.x.selectingColumns(model.keptColumns), y: design.response, groupings: blocks.map(\.grouping))
        let scalar = blocks.allSatisfy { $0.q == 1 }
        let cutoff = ChiSquared(degreesOfFreedom: 1).quantile(level)

        /// The ML deviance at θ and σ (∞ where the system has no solution).
        func deviance(_ theta: [Double], _ sigma: Double) -> Double {
            guard let s = pls.solve(theta: theta) else { return .infinity }
            return s.logDetL + s.pwrss / (sigma * sigma) + Double(n) * log(2 * Double.pi * sigma * sigma)
        }
        // The ML minimum, σ profiled analytically.
        let k = blocks.count
        let lower = RelativeCovariance.lowerBounds(blocks: blocks), upper = lower.map { _ in Double.infinity }
        let best = try BoundedMinimizer.minimize(start: model.theta, lower: lower, upper: upper) {
            pls.objective(theta: $0, reml: false)
        }
        let thetaHat = best.x, dHat = best.value
        guard let solution = pls.solve(theta: thetaHat) else { throw DataError(.mixedModelNotPositiveDefinite, at: SourceLocation(file: model.source)) }
        let sigmaHat = (solution.pwrss / Double(n)).squareRoot()

        /// min over the other parameters of the deviance with the
        /// standard deviation `which` (a block index, or k for σ) fixed at ψ.
        func profile(_ which: Int, _ psi: Double) throws -> Double {
            if which == k {
                return try BoundedMinimizer.minimize(start: thetaHat, lower: lower, upper: upper) { deviance($0, psi) }.value
            }
            // Variables: log σ, then the other θ.
            let others = (0..<k).filter { $0 != which }
            let start = [log(sigmaHat)] + others.map { thetaHat[$0] }
            let r = try BoundedMinimizer.minimize(start: start, lower: [-.infinity] + others.map { _ in 0 },
                                                  upper: [Double](repeating: .infinity, count: start.count)) { v in
                let sigma = exp(v[0])
                var theta = [Double](repeating: 0, count: k)
                theta[which] = psi / sigma
                for (m, j) in others.enumerated() { theta[j] = v[m + 1] }
                return deviance(theta, sigma)
            }
            return r.value
        }

        /// The end of the interval on one side of `estimate`.
        func end(_ which: Int, estimate: Double, upward: Bool) throws -> Double {
            func g(_ psi: Double) throws -> Double { try profile(which, psi) - dHat - cutoff }
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
            return try bracketedRoot(inside, try g(inside), outside, gOut, relative: 1e-10, g) ?? .nan
        }

        var intervals = [(low: Double, high: Double)?]()
        var block = 0
        for component in model.varianceComponents {
            guard component.standardDeviation != nil else { intervals.append(nil); continue }
            if component.group == nil {
                intervals.append((try end(k, estimate: sigmaHat, upward: false), try end(k, estimate: sigmaHat, upward: true)))
            } else if scalar {
                let estimate = thetaHat[block] * sigmaHat
                intervals.append(estimate > 0
                    ? (try end(block, estimate: estimate, upward: false), try end(block, estimate: estimate, upward: true))
                    : (0, try end(block, estimate: 1e-8 * sigmaHat, upward: true)))
                block += 1
            } else {
                intervals.append(nil)
            }
        }
        self.intervals = intervals
    }
}
