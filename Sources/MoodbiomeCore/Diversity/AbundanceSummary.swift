#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sums shared by several metrics, taken over the non-zero abundances of
/// one sample (zeros are absent taxa and never enter a formula, as in
/// scikit-bio, except in ``giniIndex(_:method:)``).
struct AbundanceSummary {
    /// Total abundance `N = Σ nᵢ`.
    var total = 0.0
    /// Number of taxa present, `S`.
    var observed = 0
    /// Number of taxa seen exactly once (`F₁`) and twice (`F₂`).
    var singletons = 0
    var doubletons = 0
    /// Largest abundance.
    var maximum = 0.0

    init(_ counts: ArraySlice<Double>) {
        // No branch on the value but the sign: ones and twos are counted
        // by adding a comparison's 0 or 1 (they come in no order a CPU
        // could predict).
        for n in counts where n > 0 {
            total += n
            observed += 1
            singletons += n == 1 ? 1 : 0
            doubletons += n == 2 ? 1 : 0
            maximum = Swift.max(maximum, n)
        }
    }

    /// `Σ pᵢ^q` over present taxa, with `pᵢ = nᵢ / N`.
    static func powerSum(_ counts: ArraySlice<Double>, total: Double, order q: Double) -> Double {
        var s = 0.0
        if q == 2 {
            for n in counts where n > 0 { let p = n / total; s += p * p }
        } else {
            for n in counts where n > 0 { s += pow(n / total, q) }
        }
        return s
    }

    /// Shannon entropy in nats, `−Σ pᵢ ln pᵢ`, computed from proportions
    /// (more accurate than `ln N − Σ nᵢ ln nᵢ / N` when N is large).
    static func entropy(_ counts: ArraySlice<Double>, total: Double) -> Double {
        var h = 0.0
        for n in counts where n > 0 {
            let p = n / total
            h -= p * log(p)
        }
        return h
    }
}
