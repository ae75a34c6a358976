import FoundationEssentials
import MoodbiomeNumerics

/// Comparisons of a numeric variable between groups, each with a two-sided
/// p-value. NaN values are left out of every group first.
public enum GroupComparison {
    /// Welch's unequal-variance two-sample t-test:
    /// `t = (x̄ − ȳ)/√(s²ₓ/nₓ + s²ᵧ/nᵧ)` on the Welch–Satterthwaite degrees of
    /// freedom (Welch 1947; SciPy `ttest_ind(equal_var=False)`, R `t.test`).
    /// NaN when a group has fewer than 2 values or neither group varies.
    public static func welchT(_ x: [Double], _ y: [Double]) -> TestResult {
        let a = x.filter { !$0.isNaN }, b = y.filter { !$0.isNaN }
        let na = Double(a.count), nb = Double(b.count)
        let ma = a.reduce(0, +) / na, mb = b.reduce(0, +) / nb
        let va = a.reduce(0) { $0 + ($1 - ma) * ($1 - ma) } / (na - 1)
        let vb = b.reduce(0) { $0 + ($1 - mb) * ($1 - mb) } / (nb - 1)
        let sa = va / na, sb = vb / nb
        let t = (ma - mb) / (sa + sb).squareRoot()
        let df = (sa + sb) * (sa + sb) / (sa * sa / (na - 1) + sb * sb / (nb - 1))
        // Undefined (NaN) with fewer than 2 values in a group or no variance at all.
        let p = t.isNaN || !(df > 0) || !df.isFinite ? Double.nan : Swift.min(1, 2 * StudentT(degreesOfFreedom: df).sf(abs(t)))
        return TestResult(method: "Welch two-sample t-test", statistic: t, pValue: p, degreesOfFreedom: df, n: a.count + b.count)
    }

    /// The Mann–Whitney U test (Wilcoxon rank-sum). The statistic is
    /// `U₁ = R₁ − n₁(n₁ + 1)/2` for the first sample, as SciPy reports it.
    ///
    /// The p-value follows SciPy's `method="auto"`: exact (the null
    /// distribution of U by the Mann–Whitney recurrence) when there are no
    /// ties and either sample has at most 8 values; otherwise the normal
    /// approximation with continuity correction and the tie-corrected
    /// variance `n₁n₂/12·((n + 1) − Σ(t³ − t)/(n(n − 1)))`.
    public static func mannWhitneyU(_ x: [Double], _ y: [Double]) -> TestResult {
        let a = x.filter { !$0.isNaN }, b = y.filter { !$0.isNaN }
        let n1 = a.count, n2 = b.count, n = n1 + n2
        let (ranks, ties) = averageRanks(a + b)
        let r1 = ranks[0..<n1].reduce(0, +)
        let u1 = r1 - Double(n1 * (n1 + 1)) / 2
        let u2 = Double(n1 * n2) - u1
        let big = Swift.max(u1, u2)
        let p: Double
        if ties.isEmpty && Swift.min(n1, n2) <= 8, let tail = mannWhitneyExactUpperTail(Int(big.rounded()), n1, n2) {
            p = Swift.min(1, 2 * tail)
        } else {
            let tieTerm = ties.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
            let sigma = (Double(n1 * n2) / 12 * (Double(n + 1) - tieTerm / (Double(n) * Double(n - 1)))).squareRoot()
            let z = (big - Double(n1 * n2) / 2 - 0.5) / sigma
            p = Swift.min(1, 2 * Normal().sf(z))
        }
        return TestResult(method: "Mann-Whitney U test", statistic: u1, pValue: p, degreesOfFreedom: nil, n: n)
    }

    /// P(U ≥ u) under H₀ for sample sizes m and n (m ≤ 8 on SciPy's exact
    /// path), from the exact counts of arrangements: the number of ways to
    /// reach each U is the coefficient of the Gaussian binomial
    /// `[m + n choose m]_q = ∏ᵢ₌₁..ₘ (1 − q^{n+i}) / (1 − q^i)` (Andrews,
    /// *The Theory of Partitions*, §3.2), built factor by factor in 128-bit
    /// integers — each step is itself a Gaussian binomial, so nothing grows
    /// past C(m + n, m) — in O(m²n) time and O(mn) memory, whatever the
    /// larger sample's size. When C(m + n, m) would not fit (n above ~10⁵
    /// with m = 8) the normal approximation, which then agrees to many
    /// digits, is used instead (nil).
    static func mannWhitneyExactUpperTail(_ u: Int, _ m: Int, _ n: Int) -> Double? {
        let (small, large) = (Swift.min(m, n), Swift.max(m, n))
        let maxU = small * large
        if u <= 0 { return 1 }
        if u > maxU { return 0 }
        // C(small + large, small) must fit comfortably in 126 bits.
        var logTotal = 0.0
        for i in 1...Swift.max(small, 1) where small > 0 { logTotal += log2(Double(large + i)) - log2(Double(i)) }
        guard logTotal < 120 else { return nil }
        var c = [Int128](repeating: 0, count: maxU + 1)
        c[0] = 1
        var degree = 0
        for i in 1...Swift.max(small, 1) where small > 0 {
            // × (1 − q^{large+i})
            let shift = large + i
            let newDegree = degree + shift
            if newDegree <= maxU + i {
                for k in stride(from: Swift.min(newDegree, maxU), through: shift, by: -1) { c[k] -= c[k - shift] }
            }
            // ÷ (1 − q^i): exact, as the quotient is a polynomial.
            for k in i...maxU { c[k] += c[k - i] }
            degree = i * large
        }
        var total: Int128 = 0, tail: Int128 = 0
        for k in 0...maxU {
            total += c[k]
            if k >= u { tail += c[k] }
        }
        return Double(tail) / Double(total)
    }

    /// The Kruskal–Wallis H test on k groups, tie-corrected:
    /// `H = [12/(N(N + 1)) Σ Rᵢ²/nᵢ − 3(N + 1)] / [1 − Σ(t³ − t)/(N³ − N)]`,
    /// p from χ² on k − 1 degrees of freedom (Kruskal & Wallis 1952; SciPy
    /// `kruskal`, R `kruskal.test`).
    public static func kruskalWallis(_ groups: [[Double]]) -> TestResult {
        let clean = groups.map { $0.filter { !$0.isNaN } }.filter { !$0.isEmpty }
        let all = clean.flatMap { $0 }
        let nTotal = Double(all.count)
        let (ranks, ties) = averageRanks(all)
        var h = 0.0, offset = 0
        for g in clean {
            let r = ranks[offset..<(offset + g.count)].reduce(0, +)
            h += r * r / Double(g.count)
            offset += g.count
        }
        h = 12 / (nTotal * (nTotal + 1)) * h - 3 * (nTotal + 1)
        let tieTerm = ties.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
        h /= 1 - tieTerm / (nTotal * nTotal * nTotal - nTotal)
        let df = Double(clean.count - 1)
        let p = df > 0 && !h.isNaN ? ChiSquared(degreesOfFreedom: df).sf(h) : .nan
        return TestResult(method: "Kruskal-Wallis rank-sum test", statistic: h, pValue: p, degreesOfFreedom: df, n: all.count)
    }
}

extension GroupComparison {
    /// Classical one-way analysis of variance: `F = [SS_between/(k − 1)] /
    /// [SS_within/(N − k)]` on (k − 1, N − k) df (Fisher; SciPy `f_oneway`).
    public static func oneWayANOVA(_ groups: [[Double]]) -> TestResult {
        let clean = groups.map { $0.filter { !$0.isNaN } }.filter { !$0.isEmpty }
        let all = clean.flatMap { $0 }
        let n = Double(all.count), k = Double(clean.count)
        let grand = all.reduce(0, +) / n
        var between = 0.0, within = 0.0
        for g in clean {
            let m = g.reduce(0, +) / Double(g.count)
            between += Double(g.count) * (m - grand) * (m - grand)
            within += g.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        }
        let f = (between / (k - 1)) / (within / (n - k))
        let p = k > 1 && n > k && f.isFinite ? FDistribution(numeratorDegreesOfFreedom: k - 1, denominatorDegreesOfFreedom: n - k).sf(f) : .nan
        return TestResult(method: "one-way ANOVA", statistic: f, pValue: p, degreesOfFreedom: k - 1, n: all.count)
    }

    /// Pearson's χ² test of independence on an r × c table of counts,
    /// `Σ (O − E)²/E` on (r − 1)(c − 1) df, without continuity correction
    /// (SciPy `chi2_contingency(correction=False)`). Rows or columns that
    /// are all zero are dropped first.
    public static func chiSquareIndependence(_ counts: [[Int]]) -> TestResult {
        var table = counts.filter { $0.contains { $0 > 0 } }
        if let width = table.first?.count {
            let keep = (0..<width).filter { c in table.contains { $0[c] > 0 } }
            table = table.map { row in keep.map { row[$0] } }
        }
        let r = table.count, c = table.first?.count ?? 0
        let total = Double(table.flatMap { $0 }.reduce(0, +))
        guard r > 1 && c > 1 else {
            return TestResult(method: "Pearson chi-squared test", statistic: .nan, pValue: .nan, degreesOfFreedom: nil, n: Int(total))
        }
        let rowSums = table.map { Double($0.reduce(0, +)) }
        let colSums = (0..<c).map { j in Double(table.reduce(0) { $0 + $1[j] }) }
        var x2 = 0.0
        for i in 0..<r {
            for j in 0..<c {
                let e = rowSums[i] * colSums[j] / total
                x2 += (Double(table[i][j]) - e) * (Double(table[i][j]) - e) / e
            }
        }
        let df = Double((r - 1) * (c - 1))
        return TestResult(method: "Pearson chi-squared test", statistic: x2, pValue: ChiSquared(degreesOfFreedom: df).sf(x2),
                          degreesOfFreedom: df, n: Int(total))
    }

    /// Fisher's exact test of a 2 × 2 table `[[a, b], [c, d]]`, two-sided as
    /// R's `fisher.test` and SciPy's `fisher_exact` define it: the sum of
    /// the hypergeometric probabilities (margins fixed) of every table no
    /// more probable than the observed one, with R's relative tolerance
    /// 1 + 1e-7 for ties. The statistic is the sample odds ratio ad/(bc)
    /// (SciPy's; R reports the conditional MLE instead).
    public static func fisherExact(_ t: [[Int]]) -> TestResult {
        precondition(t.count == 2 && t.allSatisfy { $0.count == 2 }, "Fisher's exact test here is for 2 × 2 tables")
        let a = t[0][0], b = t[0][1], c = t[1][0], d = t[1][1]
        let row1 = a + b, col1 = a + c, n = a + b + c + d
        func logChoose(_ n: Int, _ k: Int) -> Double { lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1)) }
        let lo = Swift.max(0, col1 - (n - row1)), hi = Swift.min(row1, col1)
        let logDenominator = logChoose(n, col1)
        func probability(_ x: Int) -> Double { exp(logChoose(row1, x) + logChoose(n - row1, col1 - x) - logDenominator) }
        let observed = probability(a)
        var p = 0.0
        if lo <= hi { for x in lo...hi { let q = probability(x); if q <= observed * (1 + 1e-7) { p += q } } }
        let odds = Double(a * d) / Double(b * c)
        return TestResult(method: "Fisher's exact test", statistic: odds, pValue: Swift.min(1, p), degreesOfFreedom: nil, n: n)
    }

    /// The smallest expected count of a contingency table (χ² is doubtful below 5).
    public static func smallestExpectedCount(_ counts: [[Int]]) -> Double {
        let total = Double(counts.flatMap { $0 }.reduce(0, +))
        let rowSums = counts.map { Double($0.reduce(0, +)) }.filter { $0 > 0 }
        let width = counts.first?.count ?? 0
        let colSums = (0..<width).map { j in Double(counts.reduce(0) { $0 + $1[j] }) }.filter { $0 > 0 }
        return (rowSums.min() ?? 0) * (colSums.min() ?? 0) / total
    }
}
