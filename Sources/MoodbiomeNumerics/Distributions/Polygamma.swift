import FoundationEssentials

/// The digamma function ψ(x) = d/dx log Γ(x), for x > 0 (NaN otherwise).
///
/// The recurrence ψ(x) = ψ(x + 1) − 1/x lifts x to at least 10, where the
/// asymptotic series `log x − 1/(2x) − Σ B₂ₖ/(2k·x²ᵏ)` to B₁₄ is accurate to
/// ~1e-17 (Abramowitz & Stegun 6.3.5 and 6.3.18; the scheme of Bernardo's
/// AS 103 with more terms). Matches R's `digamma` (Amos' `dpsifn`) to 1e-15
/// relative over (1e-3, 1e6) in the tests.
public func digamma(_ x: Double) -> Double {
    guard x > 0 && x.isFinite else { return x == .infinity ? .infinity : .nan }
    var x = x, shift = 0.0
    while x < 10 { shift -= 1 / x; x += 1 }
    let f = 1 / (x * x)
    let series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * (691.0 / 32760 - f / 12))))))
    return shift + log(x) - 0.5 / x - series
}

/// The trigamma function ψ′(x), for x > 0 (NaN otherwise).
///
/// The recurrence ψ′(x) = ψ′(x + 1) + 1/x² lifts x to at least 10, then the
/// asymptotic series `1/x + 1/(2x²) + Σ B₂ₖ/x²ᵏ⁺¹` to B₁₄ (Abramowitz &
/// Stegun 6.4.12; the scheme of Schneider's AS 121 with more terms).
/// Matches R's `trigamma` to 1e-15 relative over (1e-3, 1e6) in the tests.
public func trigamma(_ x: Double) -> Double {
    guard x > 0 && x.isFinite else { return x == .infinity ? 0 : .nan }
    var x = x, shift = 0.0
    while x < 10 { shift += 1 / (x * x); x += 1 }
    let f = 1 / (x * x)
    let series = f * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f * (1.0 / 30 - f * (5.0 / 66 - f * (691.0 / 2730 - f * 7.0 / 6))))))
    return shift + 1 / x + f / 2 + series / x
}
