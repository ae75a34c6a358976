import FoundationEssentials

/// A continuous probability distribution on the real line (or a half-line):
/// its density, both tails, and their inverses.
///
/// Each tail is computed directly rather than as one minus the other, so a
/// p-value of 1e-300 keeps all its significant digits. The quantiles invert
/// whichever tail is smaller by safeguarded Newton iteration on the log of
/// the tail probability, which converges to full precision in a handful of
/// steps and falls back to bisection when a step would leave the bracket.
public protocol ContinuousDistribution: Sendable {
    /// The density f(x).
    func pdf(_ x: Double) -> Double
    /// The lower tail P(X ≤ x).
    func cdf(_ x: Double) -> Double
    /// The upper tail (survival function) P(X > x).
    func sf(_ x: Double) -> Double
    /// The smallest value the variable can take (−∞ or 0).
    var lowerBound: Double { get }
}

extension ContinuousDistribution {
    /// The quantile: the x with P(X ≤ x) = p.
    ///
    /// - Precondition: 0 ≤ p ≤ 1. Returns the support's ends at 0 and 1.
    public func quantile(_ p: Double) -> Double {
        precondition(p >= 0 && p <= 1, "probability \(p) is outside [0, 1]")
        if p == 0 { return lowerBound }
        if p == 1 { return .infinity }
        if p <= 0.5 { return invert(target: p, upper: false) }
        return invert(target: 1 - p, upper: true)
    }

    /// The inverse survival function: the x with P(X > x) = q.
    public func isf(_ q: Double) -> Double {
        precondition(q >= 0 && q <= 1, "probability \(q) is outside [0, 1]")
        if q == 0 { return .infinity }
        if q == 1 { return lowerBound }
        if q <= 0.5 { return invert(target: q, upper: true) }
        return invert(target: 1 - q, upper: false)
    }

    /// Solves `tail(x) = target` (target ≤ ½) for the lower or upper tail.
    func invert(target: Double, upper: Bool) -> Double {
        let tail: (Double) -> Double = upper ? { sf($0) } : { cdf($0) }
        let logTarget = log(target)
        // g(x) = log tail(x) − log target; decreasing in x for the upper
        // tail, increasing for the lower one.
        func g(_ x: Double) -> Double { log(tail(x)) - logTarget }
        let sign: Double = upper ? -1 : 1
        // Bracket: [lo, hi] with sign·g(lo) ≤ 0 ≤ sign·g(hi).
        var lo: Double, hi: Double
        if lowerBound == 0 {
            lo = 0; hi = 1
            while sign * g(hi) < 0 && hi < 1e307 { lo = hi; hi *= 16 }
            if lo == 0 {
                var probe = 1.0
                while sign * g(probe) > 0 && probe > 1e-307 { hi = probe; probe /= 16 }
                lo = probe
            }
        } else {
            lo = -1; hi = 1
            while sign * g(hi) < 0 && hi < 1e307 { lo = hi; hi *= 16 }
            while sign * g(lo) > 0 && lo > -1e307 { hi = lo; lo *= 16 }
        }
        // Midpoint of the bracket: geometric when both ends have the same
        // sign and differ by more than a factor of 4 (heavy tails span
        // hundreds of orders of magnitude), arithmetic otherwise.
        func midpoint() -> Double {
            if lo * hi > 0 && (hi / lo > 4 || lo / hi > 4) {
                return (lo > 0 ? 1 : -1) * abs(lo).squareRoot() * abs(hi).squareRoot()
            }
            return lo + (hi - lo) / 2
        }
        var x = midpoint()
        for _ in 0..<1000 {
            let t = tail(x)
            let gx = log(t) - logTarget
            if gx == 0 { return x }
            if sign * gx < 0 { lo = x } else { hi = x }
            // d/dx log tail = ±pdf/tail. Beyond |x| = 1 the step is taken
            // on log|x|, where heavy and light tails alike are close to
            // linear: x·exp(−g / (x·g')).
            let slope = sign * pdf(x) / t
            var next: Double
            if abs(x) > 1 {
                next = x * exp(-gx / (slope * x))
            } else {
                next = x - gx / slope
            }
            if !(next > lo && next < hi) || !next.isFinite { next = midpoint() }
            if abs(next - x) <= 4e-16 * abs(x) || next == lo || next == hi || abs(hi - lo) <= 2e-16 * abs(x) {
                return next
            }
            x = next
        }
        return x
    }
}
