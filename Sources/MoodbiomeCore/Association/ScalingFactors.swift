import FoundationEssentials
import MoodbiomeNumerics

/// Per-sample scaling factors of the count-based normalisations MaAsLin2
/// offers besides TSS and CLR. Each works on the kept features of a dense
/// block (`counts[sample][feature]`, samples with a zero total removed
/// beforehand) and returns the number every value of a sample is divided by.
enum ScalingFactors {
    /// Trimmed mean of M-values (Robinson & Oshlack 2010, *Genome Biology*
    /// 11:R25), as edgeR 3.40's `calcNormFactors(method = "TMM")` with its
    /// defaults, then MaAsLin2's `TMMnorm`:
    /// - features absent from every sample are set aside;
    /// - the reference sample is the one whose upper-quartile factor
    ///   (75% type-7 quantile of its counts over its total) is closest to
    ///   the mean of those factors (the first on ties) — or, when their
    ///   median is below 1e-20, the one with the largest Σ√count;
    /// - for each sample, over the features with a finite log ratio against
    ///   the reference: M = log₂((x/N)/(r/R)), A = ½(log₂(x/N) + log₂(r/R)),
    ///   variance weights v = (N − x)/(N x) + (R − r)/(R r); M trimmed by 30%
    ///   and A by 5% at each end by average ranks (`rank`), and the factor is
    ///   2 to the weighted mean Σ(M/v)/Σ(1/v) of what is kept (1 when every
    ///   |M| < 1e-6);
    /// - factors are scaled to a geometric mean of 1; the effective library
    ///   size is total × factor, and MaAsLin2 divides by it and multiplies by
    ///   the mean effective size, so the divisor returned is
    ///   `effective / mean(effective)`.
    static func tmm(_ counts: [[Double]]) -> [Double] {
        let n = counts.count
        let features = counts.first?.count ?? 0
        let present = (0..<features).filter { j in counts.contains { $0[j] > 0 } }
        let x = counts.map { row in present.map { row[$0] } }
        let totals = counts.map { $0.reduce(0, +) }
        var factors = [Double](repeating: 1, count: n)
        if !present.isEmpty && n > 1 {
            let upper = (0..<n).map { quantile(sorted: x[$0].sorted(), 0.75) / totals[$0] }
            let reference: Int
            if median(upper) < 1e-20 {
                let roots = x.map { $0.reduce(0) { $0 + $1.squareRoot() } }
                reference = roots.indices.max { roots[$0] < roots[$1] || roots[$0] == roots[$1] && $0 > $1 }!
            } else {
                let centre = upper.reduce(0, +) / Double(n)
                reference = upper.indices.min { abs(upper[$0] - centre) < abs(upper[$1] - centre) || abs(upper[$0] - centre) == abs(upper[$1] - centre) && $0 < $1 }!
            }
            factors = (0..<n).map { tmmFactor(x[$0], reference: x[reference], total: totals[$0], referenceTotal: totals[reference]) }
            let logMean = factors.reduce(0) { $0 + log($1) } / Double(n)
            factors = factors.map { $0 / exp(logMean) }
        }
        let effective = zip(totals, factors).map { $0 * $1 }
        let meanEffective = effective.reduce(0, +) / Double(n)
        return effective.map { $0 / meanEffective }
    }

    /// One sample's TMM factor against the reference (edgeR's
    /// `.calcFactorTMM`, logratioTrim 0.3, sumTrim 0.05, weighted, no A cutoff).
    static func tmmFactor(_ obs: [Double], reference ref: [Double], total nO: Double, referenceTotal nR: Double) -> Double {
        var m = [Double](), a = [Double](), v = [Double]()
        for (x, r) in zip(obs, ref) {
            let logR = log2((x / nO) / (r / nR))
            let absE = (log2(x / nO) + log2(r / nR)) / 2
            guard logR.isFinite && absE.isFinite else { continue }
            m.append(logR)
            a.append(absE)
            v.append((nO - x) / nO / x + (nR - r) / nR / r)
        }
        guard let largest = m.map(abs).max(), largest >= 1e-6 else { return 1 }
        let count = Double(m.count)
        let loL = (count * 0.3).rounded(.down) + 1, hiL = count + 1 - loL
        let loS = (count * 0.05).rounded(.down) + 1, hiS = count + 1 - loS
        let rankM = averageRanks(m).ranks, rankA = averageRanks(a).ranks
        var numerator = 0.0, denominator = 0.0
        for k in m.indices where rankM[k] >= loL && rankM[k] <= hiL && rankA[k] >= loS && rankA[k] <= hiS {
            numerator += m[k] / v[k]
            denominator += 1 / v[k]
        }
        let f = numerator / denominator
        return pow(2, f.isNaN ? 0 : f)
    }

    /// Cumulative-sum scaling (Paulson et al. 2013, *Nature Methods*
    /// 10:1200), as metagenomeSeq 1.40's `cumNorm(obj, p = cumNormStat(obj))`
    /// and `MRcounts(norm = TRUE)` (scale 1000), which MaAsLin2's `CSSnorm`
    /// calls:
    /// - the percentile ℓ (`cumNormStat`, rel = 0.1): the reference is the
    ///   mean over samples of each sample's counts sorted increasingly,
    ///   taken from its first positive value (L values); each sample's
    ///   non-zero counts give L type-7 quantiles at 0, 1/(L−1), …, 1; the
    ///   row medians d of |reference − quantile| over samples; ℓ is the first
    ///   index j (1-based) with |d₍j+1₎ − d₍j₎| / d₍j+1₎ > 0.1, over the L
    ///   values — at least 0.5 (metagenomeSeq's default, also used here when
    ///   no index qualifies, where metagenomeSeq stops with an error);
    /// - each sample's factor is the sum of its counts (each less machine ε,
    ///   zeros included) at or below the ℓ-quantile of its non-zero counts;
    /// - normalised value = count / (factor / 1000), so the divisor returned
    ///   is factor / 1000.
    static func css(_ counts: [[Double]]) -> (divisors: [Double], percentile: Double) {
        let n = counts.count
        let features = counts.first?.count ?? 0
        guard n > 0 && features > 0 else { return ([Double](repeating: 1, count: n), 0.5) }
        let sortedRows = counts.map { $0.sorted() }
        var reference = [Double](repeating: 0, count: features)
        for row in sortedRows { for j in 0..<features { reference[j] += row[j] } }
        reference = reference.map { $0 / Double(n) }.sorted()
        let positive = sortedRows.map { $0.filter { $0 != 0 } }
        var percentile = 0.5
        if let k = reference.firstIndex(where: { $0 > 0 }) {
            let length = features - k
            let probabilities = (0..<length).map { i -> Double in
                i == 0 ? 0 : i == length - 1 ? 1 : Double(i) * (1 / Double(length - 1))
            }
            var distances = [[Double]](repeating: [], count: length)
            for values in positive where !values.isEmpty {
                for (i, p) in probabilities.enumerated() { distances[i].append(abs(reference[k + i] - quantile(sorted: values, p))) }
            }
            let d = distances.map { median($0) }
            if let j = (0..<(length - 1)).first(where: { (i: Int) -> Bool in abs(d[i + 1] - d[i]) / d[i + 1] > 0.1 }) {
                percentile = Swift.max(0.5, Double(j + 1) / Double(length))
            }
        }
        let epsilon = Double.ulpOfOne
        let divisors = (0..<n).map { s -> Double in
            guard !positive[s].isEmpty else { return .nan }
            let threshold = quantile(sorted: positive[s], percentile)
            var sum = 0.0
            for x in counts[s] { let shifted = x - epsilon; if shifted <= threshold { sum += shifted } }
            return sum / 1000
        }
        return (divisors, percentile)
    }
}
