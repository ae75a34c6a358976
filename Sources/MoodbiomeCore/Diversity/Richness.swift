#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Observed features (richness), `S`: the number of taxa with non-zero abundance.
///
/// scikit-bio `observed_features` (alias `sobs`, formerly `observed_otus`).
public func observedFeatures(_ counts: ArraySlice<Double>) -> Double {
    var s = 0
    for n in counts where n > 0 { s += 1 }
    return Double(s)
}

/// Margalef's richness index, `D = (S − 1) / ln N`.
///
/// `N` is the number of individuals, so the index needs counts. Undefined
/// (NaN) for `N = 1`, as in scikit-bio.
///
/// Reference: Margalef R. (1958) Information theory in ecology. *General
/// Systems* 3:36–71.
public func margalef(_ counts: ArraySlice<Double>) -> Double {
    let summary = AbundanceSummary(counts)
    if summary.total == 1 { return .nan }
    return Double(summary.observed - 1) / log(summary.total)
}

/// Menhinick's richness index, `D = S / √N`.
///
/// Reference: Menhinick E. F. (1964) A comparison of some species–individuals
/// diversity indices applied to samples of field insects. *Ecology* 45:859–861.
public func menhinick(_ counts: ArraySlice<Double>) -> Double {
    let summary = AbundanceSummary(counts)
    return Double(summary.observed) / summary.total.squareRoot()
}

extension AlphaMetricDefinition {
    public static let observedFeatures = AlphaMetricDefinition(
        name: "observed_features", title: "Observed features", aliases: ["sobs", "observed_otus", "richness"],
        summary: "richness S: number of taxa present", reference: "scikit-bio observed_features",
        axisQuantity: "observed features", axisUnit: .fixed("taxa"), compute: { MoodbiomeCore.observedFeatures($0.present) })
    public static let margalef = AlphaMetricDefinition(
        name: "margalef", title: "Margalef's richness", requiresCounts: true, summary: "Margalef richness (S − 1) / ln N",
        reference: "Margalef 1958, General Systems 3:36", undefinedWhen: "the sample has a single read (N = 1)",
        compute: { MoodbiomeCore.margalef($0.present) })
    public static let menhinick = AlphaMetricDefinition(
        name: "menhinick", title: "Menhinick's richness", requiresCounts: true, summary: "Menhinick richness S / √N",
        reference: "Menhinick 1964, Ecology 45:859", compute: { MoodbiomeCore.menhinick($0.present) })
}
