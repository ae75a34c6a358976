import FoundationEssentials
import MoodbiomeNumerics

/// Correlation coefficients with two-sided p-values.
///
/// Pairs with a missing (NaN) value in either vector are left out first.
public enum Correlation {
    /// Pearson's product-moment r; p from `t = r·√((n − 2)/(1 − r²))` on
    /// n − 2 degrees of freedom (identical to SciPy's exact beta form).
    public static func pearson(_ x: [Double], _ y: [Double]) -> TestResult {
        let (a, b) = completePairs(x, y)
        let r = pearsonCoefficient(a, b)
        return TestResult(method: "Pearson correlation", statistic: r,
                          pValue: tTestOfCorrelation(r, n: a.count), degreesOfFreedom: Double(a.count - 2), n: a.count)
    }

    /// Spearman's ρ: Pearson's r of the mid-ranks (which is the
    /// tie-corrected ρ), p from the same t approximation (SciPy, R's
    /// `cor.test(..., exact = FALSE)`).
    public static func spearman(_ x: [Double], _ y: [Double]) -> TestResult {
        let (a, b) = completePairs(x, y)
        let rho = pearsonCoefficient(averageRanks(a).ranks, averageRanks(b).ranks)
        return TestResult(method: "Spearman rank correlation", statistic: rho,
                          pValue: tTestOfCorrelation(rho, n: a.count), degreesOfFreedom: Double(a.count - 2), n: a.count)
    }

    /// Kendall's τ-b, `(C − D)/√((n₀ − n₁)(n₀ − n₂))` with n₁, n₂ the tied
    /// pairs in x and y.
    ///
    /// The p-value follows SciPy's `method="auto"`: without ties and with
    /// n ≤ 33 (or at most one discordant/concordant pair) the exact null
    /// distribution of the number of inversions (Kendall 1970); otherwise
    /// the normal approximation with the tie-corrected variance
    /// `(v₀ − vₜ − vᵤ)/18 + v₁ + v₂` (Kendall 1970, ch. 4).
    public static func kendall(_ x: [Double], _ y: [Double]) -> TestResult {
        let (a, b) = completePairs(x, y)
        let n = a.count
        var concordantMinusDiscordant = 0, discordant = 0
        var tiesX = 0, tiesY = 0, tiesBoth = 0
        for i in 0..<n {
            for j in (i + 1)..<Swift.max(n, i + 1) {
                let dx = a[i] - a[j], dy = b[i] - b[j]
                if dx == 0 && dy == 0 { tiesBoth += 1; tiesX += 1; tiesY += 1 }
                else if dx == 0 { tiesX += 1 }
                else if dy == 0 { tiesY += 1 }
                else if (dx > 0) == (dy > 0) { concordantMinusDiscordant += 1 }
                else { concordantMinusDiscordant -= 1; discordant += 1 }
            }
        }
        let total = n * (n - 1) / 2
        if n < 2 || tiesX == total || tiesY == total {
            return TestResult(method: "Kendall rank correlation (tau-b)", statistic: .nan, pValue: .nan, degreesOfFreedom: nil, n: n)
        }
        let tau = Swift.max(-1, Swift.min(1, Double(concordantMinusDiscordant)
            / (Double(total - tiesX) * Double(total - tiesY)).squareRoot()))
        let p: Double
        if tiesX == 0 && tiesY == 0 && (n <= 33 || Swift.min(discordant, total - discordant) <= 1) {
            p = kendallExactPValue(n: n, discordant: discordant)
        } else {
            let (x0, x1, x2) = tieSums(a), (y0, y1, y2) = tieSums(b)
            let m = Double(n) * Double(n - 1)
            var variance = (m * Double(2 * n + 5) - x2 - y2) / 18 + 2 * x0 * y0 / m
            if n > 2 { variance += x1 * y1 / (9 * m * Double(n - 2)) }
            let z = Double(concordantMinusDiscordant) / variance.squareRoot()
            p = Swift.min(1, 2 * Normal().sf(abs(z)))
        }
        return TestResult(method: "Kendall rank correlation (tau-b)", statistic: tau, pValue: p, degreesOfFreedom: nil, n: n)
    }

    /// Two-sided exact p-value of Kendall's statistic with `discordant`
    /// inversions among n untied pairs: `2·P(I ≤ min(c, N − c))` under the
    /// Mahonian distribution of inversions, capped at 1.
    static func kendallExactPValue(n: Int, discordant: Int) -> Double {
        let total = n * (n - 1) / 2
        let c = Swift.min(discordant, total - discordant)
        if n <= 2 { return 1 }
        if 4 * c == n * (n - 1) { return 1 }
        // counts[k]/n! = P(I = k); built by the recurrence over n with the
        // running division by j keeping the numbers in range.
        var counts = [Double](repeating: 0, count: c + 1)
        counts[0] = 1
        if c >= 1 { counts[1] = 1 }
        for j in 3...n {
            // new[k] = Σ_{i=0}^{min(k, j−1)} old[k − i]: prefix sums minus a lag.
            var prefix = counts
            for k in 1..<prefix.count { prefix[k] += prefix[k - 1] }
            for k in 0...c {
                counts[k] = prefix[k] - (k >= j ? prefix[k - j] : 0)
            }
            // Divide by j to keep magnitudes bounded; track the product.
            for k in 0...c { counts[k] /= Double(j) }
        }
        // After dividing by 3·4·…·n, counts[k] = (#perms with k inversions)/ (n!/2).
        let cumulative = counts.reduce(0, +)
        return Swift.min(1, cumulative)
    }

    /// Σt(t−1)/2, Σt(t−1)(t−2), Σt(t−1)(2t+5) over tie groups of v.
    static func tieSums(_ v: [Double]) -> (Double, Double, Double) {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0
        for t in averageRanks(v).tieSizes.map(Double.init) {
            s0 += t * (t - 1) / 2
            s1 += t * (t - 1) * (t - 2)
            s2 += t * (t - 1) * (2 * t + 5)
        }
        return (s0, s1, s2)
    }

    static func completePairs(_ x: [Double], _ y: [Double]) -> ([Double], [Double]) {
        precondition(x.count == y.count, "vectors differ in length")
        var a = [Double](), b = [Double]()
        for i in x.indices where !x[i].isNaN && !y[i].isNaN { a.append(x[i]); b.append(y[i]) }
        return (a, b)
    }

    static func pearsonCoefficient(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            let dx = x[i] - mx, dy = y[i] - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        let r = sxy / (sxx.squareRoot() * syy.squareRoot())
        if r.isNaN { return .nan }   // a constant vector: undefined, not ±1
        return Swift.max(-1, Swift.min(1, r))
    }

    static func tTestOfCorrelation(_ r: Double, n: Int) -> Double {
        if n < 3 || r.isNaN { return .nan }
        if abs(r) == 1 { return 0 }
        let df = Double(n - 2)
        let t = r * (df / ((1 - r) * (1 + r))).squareRoot()
        return Swift.min(1, 2 * StudentT(degreesOfFreedom: df).sf(abs(t)))
    }
}
