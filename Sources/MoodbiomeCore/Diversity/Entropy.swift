#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The logarithm base of an entropy.
///
/// scikit-bio 0.7 and vegan default to the natural logarithm (nats); QIIME 2's
/// `alpha --p-metric shannon` reports base 2 (bits); base 10 gives "dits".
public enum LogBase: Sendable, Equatable, CustomStringConvertible {
    case e
    case two
    case ten

    /// `ln(base)`, the divisor that converts nats.
    var lnBase: Double {
        switch self {
        case .e: return 1
        case .two: return M_LN2
        case .ten: return M_LN10
        }
    }

    public var description: String {
        switch self {
        case .e: return "e"
        case .two: return "2"
        case .ten: return "10"
        }
    }

    /// Parses `e`, `2` or `10`.
    public init?(_ text: String) {
        switch text.lowercased() {
        case "e", "ln", "natural": self = .e
        case "2", "bits": self = .two
        case "10": self = .ten
        default: return nil
        }
    }
}

/// Shannon's entropy, `H = −Σ pᵢ log_b pᵢ` with `pᵢ = nᵢ / N` over present taxa.
///
/// Plug-in estimator (no bias correction). Base `e` by default, as in
/// scikit-bio 0.7 and vegan's `diversity()`; QIIME 2 reports base 2.
/// Works on relative abundances as well as counts. 0 for a single taxon.
///
/// Reference: Shannon C. E. (1948) A mathematical theory of communication.
/// *Bell System Technical Journal* 27:379–423.
public func shannon(_ counts: ArraySlice<Double>, base: LogBase = .e) -> Double {
    let summary = AbundanceSummary(counts)
    return AbundanceSummary.entropy(counts, total: summary.total) / base.lnBase
}

/// Pielou's evenness, `J = H / ln S` (Shannon's H in nats over its maximum).
///
/// Independent of the log base. By scikit-bio's convention it is 1 when a
/// single taxon is present.
///
/// Reference: Pielou E. C. (1966) The measurement of diversity in different
/// types of biological collections. *J. Theor. Biol.* 13:131–144.
public func pielouE(_ counts: ArraySlice<Double>) -> Double {
    let summary = AbundanceSummary(counts)
    if summary.observed == 1 { return 1 }
    return AbundanceSummary.entropy(counts, total: summary.total) / log(Double(summary.observed))
}

/// Heip's evenness, `E = (e^H − 1) / (S − 1)` with H in nats.
///
/// 1 for a single taxon (scikit-bio convention).
///
/// Reference: Heip C. (1974) A new index measuring evenness. *J. Mar. Biol.
/// Assoc. UK* 54:555–557.
public func heipE(_ counts: ArraySlice<Double>) -> Double {
    let summary = AbundanceSummary(counts)
    if summary.observed == 1 { return 1 }
    return (exp(AbundanceSummary.entropy(counts, total: summary.total)) - 1) / Double(summary.observed - 1)
}

/// Brillouin's index, `HB = (ln N! − Σ ln nᵢ!) / N`, in nats.
///
/// The entropy of a fully censused collection; needs integer counts.
/// Computed with `lgamma` (`ln n! = lnΓ(n + 1)`).
///
/// Reference: Brillouin L. (1956) *Science and Information Theory*. Academic
/// Press; Pielou (1975) *Ecological Diversity*.
public func brillouinD(_ counts: ArraySlice<Double>) -> Double {
    var total = 0.0
    var sumLogFactorials = 0.0
    for n in counts where n > 0 {
        total += n
        sumLogFactorials += lgamma(n + 1)
    }
    return (lgamma(total + 1) - sumLogFactorials) / total
}

extension AlphaMetricDefinition {
    public static let shannon = AlphaMetricDefinition(
        name: "shannon", title: "Shannon diversity", usesLogBase: true, summary: "Shannon entropy −Σ p log p",
        reference: "Shannon 1948, Bell Syst. Tech. J. 27:379", axisQuantity: "Shannon entropy", axisUnit: .logBase,
        compute: { MoodbiomeCore.shannon($0.present, base: $0.options.base) })
    public static let pielouE = AlphaMetricDefinition(
        name: "pielou_e", title: "Pielou's evenness", summary: "Pielou's evenness H / ln S", reference: "Pielou 1966, J. Theor. Biol. 13:131",
        axisUnit: .fixed("evenness, 0–1"), compute: { MoodbiomeCore.pielouE($0.present) })
    public static let heipE = AlphaMetricDefinition(
        name: "heip_e", title: "Heip's evenness", summary: "Heip's evenness (e^H − 1) / (S − 1)", reference: "Heip 1974, J. Mar. Biol. Assoc. UK 54:555",
        axisUnit: .fixed("evenness, 0–1"), compute: { MoodbiomeCore.heipE($0.present) })
    public static let brillouinD = AlphaMetricDefinition(
        name: "brillouin_d", title: "Brillouin diversity", requiresCounts: true, summary: "Brillouin index (ln N! − Σ ln n!) / N",
        reference: "Brillouin 1956, Science and Information Theory", compute: { MoodbiomeCore.brillouinD($0.present) })
}
