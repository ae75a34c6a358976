import FoundationEssentials

extension Xoshiro256StarStar {
    /// A hypergeometric variate: how many of `draws` items taken without
    /// replacement from `successes + failures` are successes.
    ///
    /// Inversion from the mode: one uniform, then the probabilities are
    /// subtracted outward from the mode (alternately below and above,
    /// by the ratio recurrences of the pmf) until it is used up — an exact
    /// inversion of the distribution in that order, whose cost grows with
    /// the standard deviation, never with the counts (a sample of 10¹²
    /// reads costs what one of 10⁴ does at the same depth). The pmf at the
    /// mode is computed in Loader's (2000) saddle-point form, as R's
    /// `dhyper` does, so it stays accurate at any size.
    ///
    /// - Precondition: all arguments ≥ 0 and `draws ≤ successes + failures`;
    ///   whole numbers held exactly by `Double` (below 2⁵³).
    public mutating func nextHypergeometric(successes k: Double, failures f: Double, draws n: Double) -> Double {
        precondition(k >= 0 && f >= 0 && n >= 0 && n <= k + f, "invalid hypergeometric parameters")
        let low = Swift.max(0, n - f), high = Swift.min(n, k)
        if low == high { return low }
        let total = k + f
        var mode = ((n + 1) * (k + 1) / (total + 2)).rounded(.down)
        mode = Swift.min(Swift.max(mode, low), high)
        let pMode = exp(Self.logHypergeometric(mode, successes: k, failures: f, draws: n))
        var u = nextUniform()
        if u < pMode { return mode }
        u -= pMode
        var down = mode, up = mode
        var pDown = pMode, pUp = pMode
        while down > low || up < high {
            if up < high {
                // f(x+1)/f(x) = (k − x)(n − x) / ((x + 1)(f − n + x + 1))
                pUp *= (k - up) * (n - up) / ((up + 1) * (f - n + up + 1))
                up += 1
                if u < pUp { return up }
                u -= pUp
            }
            if down > low {
                // f(x−1)/f(x) = x(f − n + x) / ((k − x + 1)(n − x + 1))
                pDown *= down * (f - n + down) / ((k - down + 1) * (n - down + 1))
                down -= 1
                if u < pDown { return down }
                u -= pDown
            }
        }
        // Rounding left a sliver of probability unassigned: the mode takes it.
        return mode
    }

    /// log P(X = x) of the hypergeometric, from three binomial terms:
    /// `dbinom(x; k, p)·dbinom(n − x; f, p) / dbinom(n; k + f, p)` with
    /// p = n / (k + f) (R's `dhyper`).
    static func logHypergeometric(_ x: Double, successes k: Double, failures f: Double, draws n: Double) -> Double {
        let total = k + f
        let p = n / total, q = (total - n) / total
        return logBinomial(x, k, p, q) + logBinomial(n - x, f, p, q) - logBinomial(n, total, p, q)
    }

    /// log of the binomial pmf by Loader's saddle-point form (R's `dbinom_raw`).
    static func logBinomial(_ x: Double, _ n: Double, _ p: Double, _ q: Double) -> Double {
        if p == 0 { return x == 0 ? 0 : -.infinity }
        if q == 0 { return x == n ? 0 : -.infinity }
        if x == 0 {
            if n == 0 { return 0 }
            return p < 0.1 ? -SpecialFunctions.deviance(n, n * q) - n * p : n * log(q)
        }
        if x == n {
            return q < 0.1 ? -SpecialFunctions.deviance(n, n * p) - n * q : n * log(p)
        }
        if x < 0 || x > n { return -.infinity }
        let lc = SpecialFunctions.stirlingError(n) - SpecialFunctions.stirlingError(x) - SpecialFunctions.stirlingError(n - x)
            - SpecialFunctions.deviance(x, n * p) - SpecialFunctions.deviance(n - x, n * q)
        let lf = log(2 * Double.pi) + log(x) + log1p(-x / n)
        return lc - 0.5 * lf
    }
}
