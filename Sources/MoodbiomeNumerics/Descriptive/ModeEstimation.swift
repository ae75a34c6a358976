import FoundationEssentials

/// Estimates of the mode of a continuous sample, as R's modeest 2.4
/// computes them (Poncet 2019). LinDA's bias correction takes the mode of
/// the features' coefficients with `mlv(x, method = "meanshift", kernel =
/// "gaussian")`, which is ``meanShiftMode(_:)``.
public enum ModeEstimation {
    /// The mean-shift mode (Fukunaga & Hostetler 1975) with a Gaussian
    /// kernel, as modeest's `meanshift`: from `start` (the shorth by
    /// default), `M = Σ xᵢ K((xᵢ − par)/h) / Σ K((xᵢ − par)/h)` is iterated
    /// until `|M/par − 1| < √ε` (the previous `par` is returned, as modeest
    /// does) or 1,000 iterations; `h` is ``bandwidthNRD0(_:)``.
    ///
    /// Returns NaN for fewer than two values or when every kernel weight
    /// underflows (modeest stops there with an error).
    public static func meanShiftMode(_ x: [Double], bandwidth: Double? = nil, start: Double? = nil,
                                     iterations: Int = 1000, tolerance: Double = Double.ulpOfOne.squareRoot()) -> Double {
        guard x.count >= 2 else { return .nan }
        let h = bandwidth ?? bandwidthNRD0(x)
        var par = start ?? shorth(x)
        for _ in 0..<iterations {
            var weighted = 0.0, total = 0.0
            for v in x {
                let z = (v - par) / h
                // dnorm's constant cancels in the ratio.
                let k = exp(-0.5 * z * z)
                weighted += v * k
                total += k
            }
            let m = weighted / total
            guard !m.isNaN else { return .nan }
            if abs(m / par - 1) < tolerance { break }
            par = m
        }
        return par
    }

    /// The shorth: the mean of the shortest half of the sorted sample, the
    /// `k + 1 = ⌈n/2⌉` consecutive order statistics with the smallest range
    /// (modeest's `shorth`, `venter(type = "shorth")`); among equally short
    /// halves the one starting at the truncated mean of their starts, as
    /// modeest's `tie.action = "mean"` indexes it.
    public static func shorth(_ x: [Double]) -> Double {
        precondition(!x.isEmpty, "the shorth of no values")
        let y = x.sorted(), n = y.count
        let k = (n + 1) / 2 - 1   // ⌈n/2⌉ − 1
        var best = Double.infinity, starts = [Int]()
        for i in 0..<(n - k) {
            let d = y[i + k] - y[i]
            if d < best { best = d; starts = [i] } else if d == best { starts.append(i) }
        }
        // 1-based mean of the starts, truncated as R truncates an index.
        let oneBased = starts.map { Double($0 + 1) }
        let i = Int(oneBased.reduce(0, +) / Double(oneBased.count)) - 1
        return y[i...(i + k)].reduce(0, +) / Double(k + 1)
    }

    /// Silverman's rule of thumb, R's `bw.nrd0`: `0.9 · min(sd, IQR/1.34) ·
    /// n^(−1/5)`, falling back to the SD, then `|x₁|`, then 1 when the
    /// spread is 0.
    public static func bandwidthNRD0(_ x: [Double]) -> Double {
        precondition(x.count >= 2, "a bandwidth needs at least two values")
        let sorted = x.sorted()
        let hi = standardDeviation(x)
        let iqr = quantile(sorted: sorted, 0.75) - quantile(sorted: sorted, 0.25)
        var lo = Swift.min(hi, iqr / 1.34)
        if lo == 0 || lo.isNaN {
            lo = hi
            if lo == 0 || lo.isNaN { lo = abs(x[0]) }
            if lo == 0 || lo.isNaN { lo = 1 }
        }
        return 0.9 * lo * pow(Double(x.count), -0.2)
    }
}
