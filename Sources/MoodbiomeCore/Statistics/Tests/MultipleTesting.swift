/// Corrections of p-values for multiple testing.
public enum PValueAdjustment: String, Sendable, CaseIterable {
    /// Benjamini–Hochberg (1995) false-discovery-rate q-values:
    /// `q₍ᵢ₎ = min_{j ≥ i} m·p₍ⱼ₎/j`, capped at 1.
    case benjaminiHochberg = "bh"
    /// Holm's (1979) step-down family-wise correction:
    /// `p̃₍ᵢ₎ = max_{j ≤ i} (m − j + 1)·p₍ⱼ₎`, capped at 1.
    case holm
    /// Bonferroni: `min(1, m·p)`.
    case bonferroni

    /// Parses `bh`/`fdr_bh`/`BH`, `holm`, `bonferroni`.
    public init?(name: String) {
        switch name.lowercased() {
        case "bh", "fdr_bh", "fdr", "benjamini-hochberg": self = .benjaminiHochberg
        case "holm": self = .holm
        case "bonferroni": self = .bonferroni
        default: return nil
        }
    }

    /// The adjusted p-values, in the input order. NaN p-values are left
    /// NaN and do not count towards m (as R's `p.adjust` with `n = sum(!is.na(p))`).
    public func adjust(_ pValues: [Double]) -> [Double] {
        let present = pValues.indices.filter { !pValues[$0].isNaN }
        let m = present.count
        var out = [Double](repeating: .nan, count: pValues.count)
        if m == 0 { return out }
        let md = Double(m)
        switch self {
        case .bonferroni:
            for i in present { out[i] = Swift.min(1, md * pValues[i]) }
        case .holm:
            let order = present.sorted { pValues[$0] < pValues[$1] || (pValues[$0] == pValues[$1] && $0 < $1) }
            var running = 0.0
            for (rank, i) in order.enumerated() {
                running = Swift.max(running, Double(m - rank) * pValues[i])
                out[i] = Swift.min(1, running)
            }
        case .benjaminiHochberg:
            let order = present.sorted { pValues[$0] < pValues[$1] || (pValues[$0] == pValues[$1] && $0 < $1) }
            var running = 1.0
            for rank in stride(from: m - 1, through: 0, by: -1) {
                let i = order[rank]
                running = Swift.min(running, md / Double(rank + 1) * pValues[i])
                out[i] = Swift.min(1, running)
            }
        }
        return out
    }
}
