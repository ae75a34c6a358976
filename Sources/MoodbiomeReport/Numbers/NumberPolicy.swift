import FoundationEssentials
import MoodbiomeNumerics

/// How numbers are written for people — the one policy every table,
/// caption and sentence follows.
///
/// - Values: 3 significant digits in plain notation between 1e-4 and 1e6,
///   scientific outside; whole numbers below 1e6 as they are; `NA` when
///   missing (`Inf`/`-Inf` for infinities).
/// - p- and q-values: ``pValue(_:)``.
public enum NumberPolicy {
    /// A value for people (see the type's rules).
    public static func value(_ x: Double?, digits: Int = 3) -> String {
        guard let x, x.isFinite else { return x.map { $0.isNaN ? "NA" : ($0 > 0 ? "Inf" : "-Inf") } ?? "NA" }
        if x == 0 { return "0" }
        let magnitude = abs(x)
        if x == x.rounded() && magnitude < 1e6 { return String(Int(x)) }
        if magnitude >= 1e-4 && magnitude < 1e6 {
            let decimals = Swift.max(0, digits - 1 - Int(floor(log10(magnitude))))
            var text = String(cFormat: "%.\(decimals)f", x)
            if text.hasPrefix("-") && Double(text) == 0 { text.removeFirst() }
            return text
        }
        return String(cFormat: "%.\(digits - 1)e", x)
    }

    /// A p- or q-value, the one style of every command's tables, captions,
    /// summaries and printed model: `< 0.001` below a thousandth, else 2
    /// significant digits (3 below 0.01 would over-state precision). The
    /// data files keep every digit.
    public static func pValue(_ p: Double?) -> String {
        guard let p, !p.isNaN else { return "NA" }
        if p < 0.001 { return "< 0.001" }
        return value(p, digits: 2)
    }

    /// A permutation p-value for reading: at its floor 1/(N + 1) it is a
    /// bound, not a value — `≤ 0.001` from 999 permutations — else as
    /// ``pValue(_:style:)``.
    public static func permutationPValue(_ p: Double?, permutations: Int) -> String {
        guard let p, !p.isNaN, permutations > 0 else { return pValue(p) }
        let floor = 1 / Double(permutations + 1)
        guard p <= floor * (1 + 1e-9) else { return pValue(p) }
        // The floor rounded up to one significant digit: 1/1000 → 0.001, 1/30 → 0.04.
        let scale = pow(10, (log10(floor)).rounded(.down))
        return "≤ " + String(cFormat: "%g", (floor / scale - 1e-9).rounded(.up) * scale)
    }

    /// A confidence interval `low to high` with 3 significant digits, or
    /// more where 3 would hide its relation to the null value (0 for
    /// differences, 1 for ratios): `0.985 to 1.00` becomes `0.985 to 0.9996`
    /// when the upper limit is below 1, so a reader sees it excludes the null.
    public static func interval(_ low: Double?, _ high: Double?, null: Double = 0) -> String {
        guard let low, let high else { return "\(value(low)) to \(value(high))" }
        func side(_ x: Double) -> Int { x < null ? -1 : x > null ? 1 : 0 }
        for digits in 3...8 {
            let a = value(low, digits: digits), b = value(high, digits: digits)
            let shownLow = Double(a) ?? low, shownHigh = Double(b) ?? high
            if side(shownLow) == side(low) && side(shownHigh) == side(high) { return "\(a) to \(b)" }
        }
        return "\(value(low, digits: 8)) to \(value(high, digits: 8))"
    }

    /// A p-value (or q-value) in running text: `p = 0.0069`, `p < 0.001` —
    /// never "p = < 0.001".
    public static func statement(_ p: Double?, symbol: String = "p") -> String {
        let text = pValue(p)
        return text.hasPrefix("<") ? "\(symbol) \(text)" : "\(symbol) = \(text)"
    }

    /// A confidence level as a percentage (`95`, `90`, `99.5`).
    public static func percent(_ level: Double) -> String {
        let x = (level * 100 * 1e9).rounded() / 1e9   // 0.9 × 100 is 90.00000000000001
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }
}
