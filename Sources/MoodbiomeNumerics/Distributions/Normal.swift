import FoundationEssentials

/// The normal distribution N(μ, σ²); `Normal()` is the standard normal.
///
/// `cdf(x) = ½·erfc(−z/√2)` with z = (x − μ)/σ, computed through the
/// complementary error function so that both tails keep full relative
/// precision down to about 1e-308 (z ≈ ±37.5).
public struct Normal: ContinuousDistribution {
    public let mean: Double
    public let standardDeviation: Double

    public init(mean: Double = 0, standardDeviation: Double = 1) {
        precondition(standardDeviation > 0, "standard deviation must be positive")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    public var lowerBound: Double { -.infinity }

    public func pdf(_ x: Double) -> Double {
        let z = (x - mean) / standardDeviation
        return exp(-0.5 * z * z - SpecialFunctions.halfLogTwoPi) / standardDeviation
    }

    public func cdf(_ x: Double) -> Double {
        let z = (x - mean) / standardDeviation
        return 0.5 * erfc(-z * 0.707_106_781_186_547_524_400_844_362_104_849)
    }

    public func sf(_ x: Double) -> Double {
        let z = (x - mean) / standardDeviation
        return 0.5 * erfc(z * 0.707_106_781_186_547_524_400_844_362_104_849)
    }
}
