#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hill number (effective number of species) of order `q`,
/// `ᵠD = (Σ pᵢ^q)^(1/(1−q))`.
///
/// Order 0 is richness, order 1 the limit `exp(H)` (computed as such), order
/// 2 the inverse Simpson index, order ∞ the limit `1 / max pᵢ`.
///
/// Reference: Hill M. O. (1973) Diversity and evenness: a unifying notation
/// and its consequences. *Ecology* 54:427–432.
public func hill(_ counts: ArraySlice<Double>, order q: Double = 2) -> Double {
    let summary = AbundanceSummary(counts)
    if q == 1 { return exp(AbundanceSummary.entropy(counts, total: summary.total)) }
    if q == .infinity { return summary.total / summary.maximum }
    return pow(AbundanceSummary.powerSum(counts, total: summary.total, order: q), 1 / (1 - q))
}

/// Rényi entropy of order `q`, `ᵠH = ln(Σ pᵢ^q) / (1 − q)`, divided by
/// `ln b` for base `b`.
///
/// Order 0 is `ln S`, order 1 Shannon's entropy, order ∞ `−ln max pᵢ`.
/// By scikit-bio's convention a single taxon gives 0.
///
/// Reference: Rényi A. (1961) On measures of entropy and information.
/// *Proc. 4th Berkeley Symp. Math. Statist. Prob.* 1:547–561.
public func renyi(_ counts: ArraySlice<Double>, order q: Double = 2, base: LogBase = .e) -> Double {
    let summary = AbundanceSummary(counts)
    if summary.observed == 1 { return 0 }
    let h: Double
    if q == 0 {
        h = log(Double(summary.observed))
    } else if q == 1 {
        h = AbundanceSummary.entropy(counts, total: summary.total)
    } else if q == .infinity {
        h = -log(summary.maximum / summary.total)
    } else {
        h = log(AbundanceSummary.powerSum(counts, total: summary.total, order: q)) / (1 - q)
    }
    return h / base.lnBase
}

/// Tsallis entropy of order `q`, `ᵠS = (1 − Σ pᵢ^q) / (q − 1)`.
///
/// Order 1 is Shannon's entropy in nats, order 2 the Gini–Simpson index,
/// order ∞ gives 0. A single taxon gives 0 (scikit-bio).
///
/// Reference: Tsallis C. (1988) Possible generalization of Boltzmann–Gibbs
/// statistics. *J. Stat. Phys.* 52:479–487.
public func tsallis(_ counts: ArraySlice<Double>, order q: Double = 2) -> Double {
    let summary = AbundanceSummary(counts)
    if summary.observed == 1 { return 0 }
    if q == 1 { return AbundanceSummary.entropy(counts, total: summary.total) }
    if q == .infinity { return 0 }
    return (1 - AbundanceSummary.powerSum(counts, total: summary.total, order: q)) / (q - 1)
}

extension AlphaMetricDefinition {
    public static let hill = AlphaMetricDefinition(
        name: "hill", title: "Hill number", takesOrder: true, summary: "Hill number (Σ p^q)^(1/(1−q)); name hill_Q picks the order",
        reference: "Hill 1973, Ecology 54:427", compute: { MoodbiomeCore.hill($0.present, order: $0.order) })
    public static let renyi = AlphaMetricDefinition(
        name: "renyi", title: "Rényi entropy", takesOrder: true, usesLogBase: true, summary: "Rényi entropy ln(Σ p^q) / (1 − q); renyi_Q picks the order",
        reference: "Rényi 1961, Proc. 4th Berkeley Symp. 1:547",
        compute: { MoodbiomeCore.renyi($0.present, order: $0.order, base: $0.options.base) })
    public static let tsallis = AlphaMetricDefinition(
        name: "tsallis", title: "Tsallis entropy", takesOrder: true, summary: "Tsallis entropy (1 − Σ p^q) / (q − 1); tsallis_Q picks the order",
        reference: "Tsallis 1988, J. Stat. Phys. 52:479", compute: { MoodbiomeCore.tsallis($0.present, order: $0.order) })
}
