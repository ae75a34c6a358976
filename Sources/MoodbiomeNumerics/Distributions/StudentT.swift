import FoundationEssentials

/// Student's t distribution with ν degrees of freedom.
///
/// For t < 0, `P(T ≤ t) = ½·I_x(ν/2, ½)` with `x = ν/(ν + t²)` (Abramowitz
/// & Stegun 26.7.1 via 26.5.27); the upper tail is its mirror image. Both
/// `x` and `1 − x = t²/(ν + t²)` are formed directly, never as a
/// difference, so the far tails keep full precision.
public struct StudentT: ContinuousDistribution {
    public let degreesOfFreedom: Double

    public init(degreesOfFreedom: Double) {
        precondition(degreesOfFreedom > 0, "degrees of freedom must be positive")
        self.degreesOfFreedom = degreesOfFreedom
    }

    public var lowerBound: Double { -.infinity }

    public func pdf(_ t: Double) -> Double {
        let nu = degreesOfFreedom
        // log(1 + t²/ν), without overflow for huge |t|.
        let logKernel: Double = abs(t) > 1e100 ? 2 * log(abs(t)) - log(nu) : log1p(t * t / nu)
        let logNormaliser: Double = lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * Double.pi)
        let logDensity = logNormaliser - (nu + 1) / 2 * logKernel
        return exp(logDensity)
    }

    /// P(T ≤ −|t|): the tail on the far side of zero.
    func farTail(_ t: Double) -> Double {
        if t.isNaN { return .nan }
        let nu = degreesOfFreedom
        let a = abs(t)
        if a.isInfinite { return 0 }
        let x: Double, y: Double
        if a > 1e150 {
            // x = ν/t² underflows; use I_x(ν/2, ½) = x^(ν/2)/((ν/2)·B(ν/2, ½))·(1 + O(x)),
            // exact to rounding since x < 1e-300/ν.
            let half = nu / 2
            let logX = log(nu) - 2 * log(a)
            return 0.5 * exp(half * logX - log(half) - (lgamma(half) + lgamma(0.5) - lgamma(half + 0.5)))
        } else {
            let t2 = a * a
            x = nu / (nu + t2); y = t2 / (nu + t2)
        }
        return 0.5 * SpecialFunctions.incompleteBeta(a: nu / 2, b: 0.5, x: x, y: y).lower
    }

    public func cdf(_ t: Double) -> Double { t <= 0 ? farTail(t) : 1 - farTail(t) }
    public func sf(_ t: Double) -> Double { t >= 0 ? farTail(t) : 1 - farTail(t) }
}
