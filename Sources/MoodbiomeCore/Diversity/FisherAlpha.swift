#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fisher's alpha, the parameter `α` of the log-series that solves
/// `S = α ln(1 + N / α)`.
///
/// The left side increases strictly in `α` from 0 to `N`, so for `S < N` the
/// root is unique; it is found by bisection refined with Newton steps to full
/// double precision (scikit-bio minimises the squared residual with Brent's
/// method, accurate to about 1e-8 relative; vegan's `fisher.alpha` uses
/// `uniroot`). When every individual is a different taxon (`S = N`) α is
/// infinite, as in scikit-bio. Needs counts.
///
/// Reference: Fisher R. A., Corbet A. S. & Williams C. B. (1943) The relation
/// between the number of species and the number of individuals in a random
/// sample of an animal population. *J. Anim. Ecol.* 12:42–58.
public func fisherAlpha(_ counts: ArraySlice<Double>) -> Double {
    let summary = AbundanceSummary(counts)
    let n = summary.total, s = Double(summary.observed)
    if s >= n { return .infinity }
    func residual(_ a: Double) -> Double { a * log1p(n / a) - s }
    // Bracket the root: residual(lo) < 0 < residual(hi).
    var lo = 1e-300, hi = Swift.max(1.0, s)
    while residual(hi) < 0 { hi *= 2 }
    var a = hi / 2
    for _ in 0..<200 {
        let r = residual(a)
        if r == 0 { return a }
        if r < 0 { lo = a } else { hi = a }
        let slope = log1p(n / a) - n / (a + n)
        var next = a - r / slope
        if !(next > lo && next < hi) || !next.isFinite { next = (lo + hi) / 2 }
        if abs(next - a) <= 1e-15 * a { return next }
        a = next
    }
    return a
}

extension AlphaMetricDefinition {
    public static let fisherAlpha = AlphaMetricDefinition(
        name: "fisher_alpha", title: "Fisher's alpha", requiresCounts: true, summary: "Fisher's log-series alpha",
        reference: "Fisher, Corbet & Williams 1943, J. Anim. Ecol. 12:42", compute: { MoodbiomeCore.fisherAlpha($0.present) })
}
