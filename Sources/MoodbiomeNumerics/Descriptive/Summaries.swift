/// The arithmetic mean (NaN for no values).
public func mean(_ v: [Double]) -> Double {
    v.reduce(0, +) / Double(v.count)
}

/// The sample standard deviation, with the n − 1 divisor (R's `sd`,
/// NumPy's `std(ddof=1)`); NaN for fewer than two values.
public func standardDeviation(_ v: [Double]) -> Double {
    let n = Double(v.count)
    let m = v.reduce(0, +) / n
    return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)).squareRoot()
}

/// The p-quantile of sorted values by linear interpolation between order
/// statistics: R's default `quantile(type = 7)` and NumPy's `linear` method,
/// `x₍ₕ₎ + (h − ⌊h⌋)(x₍ₕ₊₁₎ − x₍ₕ₎)` with h = (n − 1)p (0-based).
///
/// - Precondition: `sorted` is non-empty and in increasing order; 0 ≤ p ≤ 1.
public func quantile(sorted: [Double], _ p: Double) -> Double {
    precondition(!sorted.isEmpty, "quantile of no values")
    let h = Double(sorted.count - 1) * p
    let i = Int(h.rounded(.down))
    return i + 1 < sorted.count ? sorted[i] + (h - Double(i)) * (sorted[i + 1] - sorted[i]) : sorted[i]
}
