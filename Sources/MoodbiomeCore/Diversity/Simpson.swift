/// Simpson's dominance, `D = Σ pᵢ²`: the probability that two individuals
/// drawn with replacement belong to the same taxon.
///
/// scikit-bio `dominance` (alias `simpson_d`) with `finite=False`; vegan's
/// `diversity(index = "simpson")` reports `1 − D`.
///
/// Reference: Simpson E. H. (1949) Measurement of diversity. *Nature* 163:688.
public func dominance(_ counts: ArraySlice<Double>) -> Double {
    let total = AbundanceSummary(counts).total
    return AbundanceSummary.powerSum(counts, total: total, order: 2)
}

/// Gini–Simpson index, `1 − D = 1 − Σ pᵢ²` (scikit-bio `simpson`, vegan
/// `diversity(index = "simpson")`).
public func simpson(_ counts: ArraySlice<Double>) -> Double {
    1 - dominance(counts)
}

/// Inverse Simpson index, `1 / D` — the effective number of species of
/// order 2 (Hill's N₂). scikit-bio `inv_simpson` (aliases `enspie`,
/// `invsimpson`), vegan `diversity(index = "invsimpson")`.
public func inverseSimpson(_ counts: ArraySlice<Double>) -> Double {
    1 / dominance(counts)
}

/// Simpson's evenness, `E = (1 / D) / S`.
///
/// Reference: Smith B. & Wilson J. B. (1996) A consumer's guide to evenness
/// indices. *Oikos* 76:70–82.
public func simpsonE(_ counts: ArraySlice<Double>) -> Double {
    let summary = AbundanceSummary(counts)
    return 1 / (Double(summary.observed) * AbundanceSummary.powerSum(counts, total: summary.total, order: 2))
}

extension AlphaMetricDefinition {
    public static let dominance = AlphaMetricDefinition(
        name: "dominance", title: "Simpson's dominance", aliases: ["simpson_d"], summary: "Simpson's dominance Σ p²",
        reference: "Simpson 1949, Nature 163:688", compute: { MoodbiomeCore.dominance($0.present) })
    public static let simpson = AlphaMetricDefinition(
        name: "simpson", title: "Simpson diversity", summary: "Gini–Simpson index 1 − Σ p²", reference: "Simpson 1949, Nature 163:688",
        axisQuantity: "Gini–Simpson index", axisUnit: .fixed("probability"), compute: { MoodbiomeCore.simpson($0.present) })
    public static let inverseSimpson = AlphaMetricDefinition(
        name: "inv_simpson", title: "Inverse Simpson", aliases: ["enspie", "invsimpson"], summary: "inverse Simpson 1 / Σ p² (Hill number of order 2)",
        reference: "Simpson 1949; Hill 1973, Ecology 54:427", axisQuantity: "inverse Simpson", axisUnit: .fixed("effective taxa"),
        compute: { MoodbiomeCore.inverseSimpson($0.present) })
    public static let simpsonE = AlphaMetricDefinition(
        name: "simpson_e", title: "Simpson's evenness", summary: "Simpson's evenness (1 / Σ p²) / S", reference: "Smith & Wilson 1996, Oikos 76:70",
        axisUnit: .fixed("evenness, 0–1"), compute: { MoodbiomeCore.simpsonE($0.present) })
}
