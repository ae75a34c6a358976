/// Berger–Parker dominance, `d = max nᵢ / N`: the share of the most abundant
/// taxon.
///
/// Reference: Berger W. H. & Parker F. L. (1970) Diversity of planktonic
/// Foraminifera in deep-sea sediments. *Science* 168:1345–1347.
public func bergerParkerD(_ counts: ArraySlice<Double>) -> Double {
    let summary = AbundanceSummary(counts)
    return summary.maximum / summary.total
}

/// Strong's dominance, `Dw = maxᵢ [ bᵢ / N − i / S ]`, where `bᵢ` is the
/// cumulative abundance of the `i` most abundant taxa (present taxa only).
///
/// Reference: Strong W. L. (2002) Assessing species abundance unevenness
/// within and between plant communities. *Community Ecology* 3:237–246.
public func strong(_ counts: ArraySlice<Double>) -> Double {
    let present = counts.filter { $0 > 0 }.sorted(by: >)
    let total = present.reduce(0, +)
    let s = Double(present.count)
    var cumulative = 0.0
    var best = -Double.infinity
    for (k, n) in present.enumerated() {
        cumulative += n
        best = Swift.max(best, cumulative / total - Double(k + 1) / s)
    }
    return best
}

/// How ``giniIndex(_:method:)`` integrates the Lorenz curve.
public enum LorenzIntegration: String, Sendable, CaseIterable {
    /// Left Riemann sum, `B = (1/n) Σ yᵢ` (scikit-bio's default).
    case rectangles
    /// Trapezoid rule, `B = (1/n) (yₙ/2 + Σ_{i<n} yᵢ)`.
    case trapezoids
}

/// Gini index of inequality, `G = max(0, 1 − 2B)`, where `B` is the area
/// under the Lorenz curve of the sample's abundances sorted ascending.
///
/// Unlike every other metric here, zeros count: each taxon of the table is a
/// point of the Lorenz curve, so the index depends on how many taxa the table
/// lists (scikit-bio applies it to the whole row). The zeros come first in
/// the ascending order and add nothing to the cumulative sums, so the index
/// is computed from the non-zero values and the table's taxon count.
///
/// Reference: Gini C. (1912) *Variabilità e mutabilità*; Wittebolle L. et al.
/// (2009) Initial community evenness favours functionality under selective
/// stress. *Nature* 458:623–626.
public func giniIndex(_ present: ArraySlice<Double>, taxonCount: Int, method: LorenzIntegration = .rectangles) -> Double {
    let sorted = present.filter { $0 > 0 }.sorted()
    let total = sorted.reduce(0, +)
    let dx = 1 / Double(Swift.max(taxonCount, sorted.count))
    var cumulative = 0.0
    var sumY = 0.0
    for n in sorted {
        cumulative += n
        sumY += cumulative / total
    }
    let area: Double
    switch method {
    case .rectangles:
        area = dx * sumY
    case .trapezoids:
        let last = cumulative / total
        area = dx * (last / 2 + (sumY - last))
    }
    return Swift.max(0, 1 - 2 * area)
}

extension AlphaMetricDefinition {
    public static let bergerParkerD = AlphaMetricDefinition(
        name: "berger_parker_d", title: "Berger–Parker dominance", summary: "Berger–Parker dominance max n / N", reference: "Berger & Parker 1970, Science 168:1345",
        compute: { MoodbiomeCore.bergerParkerD($0.present) })
    public static let strong = AlphaMetricDefinition(
        name: "strong", title: "Strong's dominance", summary: "Strong's dominance max(b_i / N − i / S)", reference: "Strong 2002, Community Ecology 3:237",
        compute: { MoodbiomeCore.strong($0.present) })
    public static let giniIndex = AlphaMetricDefinition(
        name: "gini_index", title: "Gini index", summary: "Gini index of the Lorenz curve (zeros included)",
        reference: "Gini 1912; Wittebolle et al. 2009, Nature 458:623",
        compute: { MoodbiomeCore.giniIndex($0.present, taxonCount: $0.taxonCount, method: $0.options.giniMethod) })
}
