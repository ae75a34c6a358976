import FoundationEssentials

/// Snedecor's F distribution with (d₁, d₂) degrees of freedom.
///
/// `P(F ≤ f) = I_x(d₁/2, d₂/2)` with `x = d₁f/(d₁f + d₂)` and
/// `1 − x = d₂/(d₁f + d₂)` (Abramowitz & Stegun 26.6.2), both tails direct.
public struct FDistribution: ContinuousDistribution {
    public let numeratorDegreesOfFreedom: Double
    public let denominatorDegreesOfFreedom: Double

    public init(numeratorDegreesOfFreedom: Double, denominatorDegreesOfFreedom: Double) {
        precondition(numeratorDegreesOfFreedom > 0 && denominatorDegreesOfFreedom > 0,
                     "degrees of freedom must be positive")
        self.numeratorDegreesOfFreedom = numeratorDegreesOfFreedom
        self.denominatorDegreesOfFreedom = denominatorDegreesOfFreedom
    }

    public var lowerBound: Double { 0 }

    public func pdf(_ f: Double) -> Double {
        if f <= 0 { return 0 }
        let d1 = numeratorDegreesOfFreedom, d2 = denominatorDegreesOfFreedom
        let s = d1 * f + d2
        // f·pdf(f) = betaPowerTerm(d1/2, d2/2, x, y)·(d1/2 + d2/2)/... : use the
        // density of x = d1 f/(d1 f + d2) and the Jacobian dx/df = d1 d2 / s².
        let x = d1 * f / s, y = d2 / s
        let a = d1 / 2, b = d2 / 2
        // Beta(a, b) density at x is betaPowerTerm/(x·y).
        let betaDensity = SpecialFunctions.betaPowerTerm(a: a, b: b, x: x, y: y) / (x * y)
        return betaDensity * d1 * d2 / (s * s)
    }

    func incompleteBeta(_ f: Double) -> (lower: Double, upper: Double) {
        let d1 = numeratorDegreesOfFreedom, d2 = denominatorDegreesOfFreedom
        if f.isInfinite { return (1, 0) }
        let s = d1 * f + d2
        return SpecialFunctions.incompleteBeta(a: d1 / 2, b: d2 / 2, x: d1 * f / s, y: d2 / s)
    }

    public func cdf(_ f: Double) -> Double { f <= 0 ? 0 : incompleteBeta(f).lower }
    public func sf(_ f: Double) -> Double { f <= 0 ? 1 : incompleteBeta(f).upper }
}
