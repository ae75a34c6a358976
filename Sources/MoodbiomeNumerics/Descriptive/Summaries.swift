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

/// The median: the middle value, or the mean of the two middle values (R's
/// `median`, matrixStats' `rowMedians`); NaN for no values.
public func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let s = values.sorted()
    let h = s.count / 2
    return s.count % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2
}

/// The p-quantile of sorted values by linear interpolation between order
/// statistics: R's default `quantile(type = 7)` (NumPy's `linear` method),
/// computed as R's `quantile.default` does, to the last bit: with the
/// 1-based index `j = 1 + (n − 1)p`, `lo = ⌊j⌋`, `h = j − lo`, the result is
/// `(1 − h)·x₍lo₎ + h·x₍lo+1₎`, or `x₍lo₎` when `h = 0` or the two are equal.
/// (Bit-exactness matters where a quantile is a threshold that values are
/// compared with, as in metagenomeSeq's cumulative-sum scaling.)
///
/// - Precondition: `sorted` is non-empty and in increasing order; 0 ≤ p ≤ 1.
public func quantile(sorted: [Double], _ p: Double) -> Double {
    precondition(!sorted.isEmpty, "quantile of no values")
    let index = 1 + Double(sorted.count - 1) * p
    let lo = index.rounded(.down)
    let low = sorted[Int(lo) - 1]
    let h = index - lo
    guard h > 0, Int(lo) < sorted.count, sorted[Int(lo)] != low else { return low }
    return (1 - h) * low + h * sorted[Int(lo)]
}
