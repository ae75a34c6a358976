import FoundationEssentials

/// The χ² distribution with k degrees of freedom.
///
/// `P(X ≤ x) = P(k/2, x/2)` and `P(X > x) = Q(k/2, x/2)`, the regularised
/// incomplete gamma functions (Abramowitz & Stegun 26.4.19), each computed
/// directly.
public struct ChiSquared: ContinuousDistribution {
    public let degreesOfFreedom: Double

    public init(degreesOfFreedom: Double) {
        precondition(degreesOfFreedom > 0, "degrees of freedom must be positive")
        self.degreesOfFreedom = degreesOfFreedom
    }

    public var lowerBound: Double { 0 }

    public func pdf(_ x: Double) -> Double {
        if x < 0 { return 0 }
        let k = degreesOfFreedom / 2
        if x == 0 { return k < 1 ? .infinity : (k == 1 ? 0.5 : 0) }
        // x^(k−1)·e^(−x/2) / (2^k Γ(k)) = gammaPowerTerm(k, x/2) / x.
        return SpecialFunctions.gammaPowerTerm(a: k, x: x / 2) / x
    }

    public func cdf(_ x: Double) -> Double {
        x <= 0 ? 0 : SpecialFunctions.incompleteGamma(a: degreesOfFreedom / 2, x: x / 2).lower
    }

    public func sf(_ x: Double) -> Double {
        x <= 0 ? 1 : SpecialFunctions.incompleteGamma(a: degreesOfFreedom / 2, x: x / 2).upper
    }
}
