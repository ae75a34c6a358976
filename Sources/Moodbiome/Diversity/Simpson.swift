/// Simpson's dominance, `D = Σ pᵢ²`: the probability that two individuals
/// drawn with replacement belong to the same taxon.
///
/// scikit-bio `dominance` (alias `simpson_d`) with `finite=False`; vegan's
/// `diversity(index = "simpson")` reports `1 − D`. NaN for an empty sample.
///
/// Reference: Simpson E. H. (1949) Measurement of diversity. *Nature* 163:688.
public func dominance(_ counts: ArraySlice<Double>) -> Double {
    let total = AbundanceSummary(counts).total
    if total == 0 { return .nan }
    return AbundanceSummary.powerSum(counts, total: total, order: 2)
}

/// Gini–Simpson index, `1 − D = 1 − Σ pᵢ²` (scikit-bio `simpson`, vegan
/// `diversity(index = "simpson")`). NaN for an empty sample.
public func simpson(_ counts: ArraySlice<Double>) -> Double {
    1 - dominance(counts)
}

/// Inverse Simpson index, `1 / D` — the effective number of species of
/// order 2 (Hill's N₂). scikit-bio `inv_simpson` (aliases `enspie`,
/// `invsimpson`), vegan `diversity(index = "invsimpson")`. NaN for an empty sample.
public func inverseSimpson(_ counts: ArraySlice<Double>) -> Double {
    1 / dominance(counts)
}

/// Simpson's evenness, `E = (1 / D) / S`. NaN for an empty sample.
///
/// Reference: Smith B. & Wilson J. B. (1996) A consumer's guide to evenness
/// indices. *Oikos* 76:70–82.
public func simpsonE(_ counts: ArraySlice<Double>) -> Double {
    let summary = AbundanceSummary(counts)
    if summary.total == 0 { return .nan }
    return 1 / (Double(summary.observed) * AbundanceSummary.powerSum(counts, total: summary.total, order: 2))
}
