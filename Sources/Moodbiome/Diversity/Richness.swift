#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Observed features (richness), `S`: the number of taxa with non-zero abundance.
///
/// scikit-bio `observed_features` (alias `sobs`, formerly `observed_otus`).
/// An all-zero sample has `S = 0`.
public func observedFeatures(_ counts: ArraySlice<Double>) -> Double {
    var s = 0
    for n in counts where n > 0 { s += 1 }
    return Double(s)
}

/// Margalef's richness index, `D = (S − 1) / ln N`.
///
/// `N` is the number of individuals, so the index needs counts. Undefined
/// (NaN) for an empty sample and for `N = 1`, as in scikit-bio.
///
/// Reference: Margalef R. (1958) Information theory in ecology. *General
/// Systems* 3:36–71.
public func margalef(_ counts: ArraySlice<Double>) -> Double {
    let summary = AbundanceSummary(counts)
    if summary.total == 0 || summary.total == 1 { return .nan }
    return Double(summary.observed - 1) / log(summary.total)
}

/// Menhinick's richness index, `D = S / √N`.
///
/// Undefined (NaN) for an empty sample.
///
/// Reference: Menhinick E. F. (1964) A comparison of some species–individuals
/// diversity indices applied to samples of field insects. *Ecology* 45:859–861.
public func menhinick(_ counts: ArraySlice<Double>) -> Double {
    let summary = AbundanceSummary(counts)
    if summary.total == 0 { return .nan }
    return Double(summary.observed) / summary.total.squareRoot()
}
