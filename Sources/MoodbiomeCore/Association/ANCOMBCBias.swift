import FoundationEssentials
import MoodbiomeNumerics

/// ANCOM-BC's bias E–M (step 5 of ``ANCOMBC``): the mixture's iterations,
/// the M step's κ objective and the variance of the bias, as scikit-bio
/// 0.7.4's `_estimate_bias_em`, `_estimate_bias_var` and `_init_bias_params`.
extension ANCOMBC {
    /// The E–M estimate of the bias δ of coefficients `beta` with variances
    /// `variance` (scikit-bio's `_estimate_bias_em`, step for step), the
    /// variance of δ (its `_estimate_bias_var`) and the iterations taken.
    public static func emBias(beta: [Double], variance v: [Double], tolerance: Double = 1e-5, maxIterations: Int = 100)
        -> (delta: Double, variance: Double, iterations: Int) {
        let n = beta.count
        var params = [0.75, 0.125, 0.125] + initialBias(beta)
        var loss = Double.infinity, iterations = 0
        var state = EMState(beta: beta, variance: v)
        while loss > tolerance && iterations < maxIterations {
            state.expect(params)
            // M step.
            var updated = [Double](repeating: 0, count: 8)
            for r in 0..<3 { updated[r] = state.responsibilitySum(r) / Double(n) }
            updated[3] = state.biasUpdate(l1: params[4], l2: params[5])
            for r in 1...2 {
                let mean = state.meanShiftUpdate(r, delta: params[3])
                updated[3 + r] = r == 1 ? Swift.min(mean, 0) : Swift.max(mean, 0)
                updated[5 + r] = state.varianceUpdate(r, mean: params[3] + params[3 + r], from: params[5 + r])
            }
            loss = zip(updated, params).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
            params = updated
            iterations += 1
        }
        return (params[3], biasVariance(beta: beta, variance: v, params: params), iterations)
    }

    /// The E–M's working arrays, contiguous (component r's values at
    /// `r * n ..< (r + 1) * n`): the precisions 1/(vᵢ + κᵣ), their square
    /// roots and the responsibilities. Each sum runs over i in order (not
    /// NumPy's pairwise order: the results agree with scikit-bio's to
    /// rounding, as the fixtures check).
    struct EMState {
        let n: Int
        let beta: [Double], variance: [Double]
        var nu: [Double], sd: [Double], resp: [Double], squared: [Double]

        init(beta: [Double], variance: [Double]) {
            n = beta.count
            self.beta = beta
            self.variance = variance
            nu = [Double](repeating: 0, count: 3 * n)
            sd = nu
            resp = nu
            squared = [Double](repeating: 0, count: n)
            for i in 0..<n { nu[i] = 1 / variance[i]; sd[i] = nu[i].squareRoot() }
        }

        /// The precisions of components 1 and 2 and the responsibilities
        /// under `params` (π₀, π₁, π₂, δ, l₁, l₂, κ₁, κ₂).
        mutating func expect(_ params: [Double]) {
            let means = [params[3], params[4] + params[3], params[5] + params[3]]
            let n = self.n
            beta.withUnsafeBufferPointer { b in variance.withUnsafeBufferPointer { v in
                nu.withUnsafeMutableBufferPointer { nu in sd.withUnsafeMutableBufferPointer { sd in
                    resp.withUnsafeMutableBufferPointer { resp in
                        for r in 1...2 {
                            let k = params[5 + r]
                            for i in 0..<n { nu[r * n + i] = 1 / (v[i] + k); sd[r * n + i] = nu[r * n + i].squareRoot() }
                        }
                        for r in 0..<3 {
                            let mean = means[r], weight = params[r]
                            for i in 0..<n {
                                var t = b[i] - mean
                                t = t * t
                                t *= nu[r * n + i]
                                t *= -0.5
                                resp[r * n + i] = exp(t) * sd[r * n + i] * weight
                            }
                        }
                        for i in 0..<n {
                            let total = resp[i] + resp[n + i] + resp[2 * n + i]
                            for r in 0..<3 { resp[r * n + i] /= total }
                        }
                    }
                }}
            }}
        }

        func responsibilitySum(_ r: Int) -> Double {
            resp.withUnsafeBufferPointer { resp in
                var sum = 0.0
                for i in r * n ..< (r + 1) * n { sum += resp[i] }
                return sum
            }
        }

        /// δ: Σᵣ Σᵢ ρᵣᵢ (βᵢ − lᵣ) νᵣᵢ over Σᵣ Σᵢ ρᵣᵢ νᵣᵢ (l₀ = 0, whose
        /// ratio is βᵢ / vᵢ).
        func biasUpdate(l1: Double, l2: Double) -> Double {
            var numerator = 0.0, denominator = 0.0
            for r in 0..<3 {
                for i in 0..<n {
                    let ratio = r == 0 ? beta[i] / variance[i] : (beta[i] - (r == 1 ? l1 : l2)) * nu[r * n + i]
                    numerator += resp[r * n + i] * ratio
                    denominator += resp[r * n + i] * nu[r * n + i]
                }
            }
            return numerator / denominator
        }

        /// lᵣ: Σᵢ ρᵣᵢ νᵣᵢ (βᵢ − δ) over Σᵢ ρᵣᵢ νᵣᵢ.
        func meanShiftUpdate(_ r: Int, delta: Double) -> Double {
            var top = 0.0, bottom = 0.0
            for i in 0..<n {
                let w = resp[r * n + i] * nu[r * n + i]
                bottom += w
                top += w * (beta[i] - delta)
            }
            return top / bottom
        }

        /// κᵣ: the minimum over x ≥ 0 of ½ Σᵢ ρᵣᵢ ((βᵢ − μᵣ)² / (vᵢ + x) + log(vᵢ + x)),
        /// by SciPy's Nelder–Mead from the current κᵣ (``VarianceObjective``).
        mutating func varianceUpdate(_ r: Int, mean: Double, from start: Double) -> Double {
            let n = self.n
            for i in 0..<n { let d = beta[i] - mean; squared[i] = d * d }
            return squared.withUnsafeBufferPointer { s in variance.withUnsafeBufferPointer { v in
                resp.withUnsafeBufferPointer { resp in
                    guard let s = s.baseAddress, let v = v.baseAddress, let w = resp.baseAddress.map({ $0 + r * n }) else { return start }
                    var objective = VarianceObjective(weights: w, squared: s, variance: v, count: n, centre: Swift.max(start, 0))
                    return NelderMead.minimize({ objective($0) }, from: start)
                }
            }}
        }
    }

    /// The M step's objective for κ, `f(x) = ½ Σᵢ wᵢ (sᵢ/(vᵢ + x) + log(vᵢ + x))`,
    /// cheap near the Nelder–Mead's starting point c, where almost all of its
    /// evaluations fall once the E–M settles. With `tᵢ = vᵢ + c` and
    /// `d = x − c`, both parts are power series in `d/tᵢ`:
    ///
    ///     f(c + d) = f(c) + ½ Σₖ (−d)ᵏ (Aₖ − Bₖ/k),
    ///     Aₖ = Σᵢ wᵢ sᵢ / tᵢᵏ⁺¹,  Bₖ = Σᵢ wᵢ / tᵢᵏ
    ///
    /// (from `1/(t + d) = Σₖ (−d)ᵏ/tᵏ⁺¹` and `log(t + d) = log t − Σₖ (−d)ᵏ/(k tᵏ)`).
    /// Within `|d| ≤ min tᵢ / 6` the series is cut after k = 24, leaving at
    /// most (1/6)²⁵ ≈ 4e-20 of each term: far below the rounding of f(c)
    /// itself. So one pass over the features (the sums Aₖ and Bₖ, made when
    /// a first evaluation falls within reach) serves every evaluation near
    /// c, each then costing 24 multiply–adds instead of a logarithm per
    /// feature; points farther out are summed directly, and so is f(c), in
    /// feature order. The values differ from the direct sums by rounding
    /// only (tested); which simplex point is best near the flat minimum can
    /// then differ, as it does between NumPy's sums and ours: κ is set to
    /// SciPy's stopping rule either way (``NelderMead``).
    struct VarianceObjective {
        static let order = 24
        static let reach = 1.0 / 6
        let weights: UnsafePointer<Double>, squared: UnsafePointer<Double>, variance: UnsafePointer<Double>
        let count: Int
        let centre: Double
        /// f(c), and how far from c the series holds (`reach · min tᵢ`).
        let atCentre: Double, limit: Double
        /// ½(Aₖ − Bₖ/k) for k = 1…order, once an evaluation needs them
        /// (none when every evaluation falls farther out, as when κ sits at 0).
        private var coefficients: [Double]? = nil

        init(weights: UnsafePointer<Double>, squared: UnsafePointer<Double>, variance: UnsafePointer<Double>, count: Int, centre: Double) {
            self.weights = weights
            self.squared = squared
            self.variance = variance
            self.count = count
            self.centre = centre
            var nearest = Double.infinity
            for i in 0..<count { nearest = Swift.min(nearest, variance[i] + centre) }
            limit = nearest > 0 && nearest.isFinite ? Self.reach * nearest : 0
            atCentre = Self.sum(at: centre, weights: weights, squared: squared, variance: variance, count: count)
        }

        mutating func callAsFunction(_ x: Double) -> Double {
            let d = x - centre
            if d == 0 { return atCentre }
            guard abs(d) <= limit else { return direct(x) }
            if coefficients == nil { coefficients = expansion() }
            guard let c = coefficients, !c.isEmpty else { return direct(x) }
            let z = -d
            var sum = 0.0
            for k in stride(from: Self.order - 1, through: 0, by: -1) { sum = sum * z + c[k] }
            return atCentre + sum * z
        }

        /// ½(Aₖ − Bₖ/k), k = 1…24 (empty when a power overflows: then every
        /// point is summed directly). Plain loops over pointers, four chains
        /// of powers per feature (a debug build runs them at a useful speed,
        /// which vector types would not).
        func expansion() -> [Double] {
            let order = Self.order
            var sums = [Double](repeating: 0, count: 2 * order)
            sums.withUnsafeMutableBufferPointer { buffer in
                let a = buffer.baseAddress!, b = a + order
                var i = 0
                while i < count {
                    let r = 1 / (variance[i] + centre), r2 = r * r, r4 = r2 * r2
                    let w = weights[i], ws = weights[i] * (squared[i] * r)
                    // rᵏ for k = 1, 2, 3, 4, then each chain times r⁴.
                    var p1 = r, p2 = r2, p3 = r2 * r, p4 = r4
                    var k = 0
                    while k < order {
                        b[k] += w * p1; a[k] += ws * p1
                        b[k + 1] += w * p2; a[k + 1] += ws * p2
                        b[k + 2] += w * p3; a[k + 2] += ws * p3
                        b[k + 3] += w * p4; a[k + 3] += ws * p4
                        p1 *= r4; p2 *= r4; p3 *= r4; p4 *= r4
                        k += 4
                    }
                    i += 1
                }
            }
            var c = [Double](repeating: 0, count: order)
            for k in 0..<order { c[k] = 0.5 * (sums[k] - sums[order + k] / Double(k + 1)) }
            return c.allSatisfy(\.isFinite) ? c : []
        }

        func direct(_ x: Double) -> Double {
            Self.sum(at: x, weights: weights, squared: squared, variance: variance, count: count)
        }

        /// f(x) summed over the features in order.
        static func sum(at x: Double, weights: UnsafePointer<Double>, squared: UnsafePointer<Double>, variance: UnsafePointer<Double>, count: Int) -> Double {
            // (A while loop: a debug build's range iterator would cost more than the sum.)
            var sum = 0.0, i = 0
            while i < count {
                let total = variance[i] + x
                sum += weights[i] * (squared[i] / total + log(total))
                i += 1
            }
            return 0.5 * sum
        }
    }
}

extension ANCOMBC {
    /// The variance of the bias, `1 / Σᵢ 1/(vᵢ + κᵢ)`: κ₁ for the features
    /// below the π₁ quantile of β, κ₂ for those at or above the 1 − π₂
    /// quantile, 0 otherwise (scikit-bio's `_estimate_bias_var`).
    ///
    /// Coefficients equal in exact arithmetic (taxa with the same values in
    /// the compared groups, centred by different feature means) differ in
    /// their last bits, by amounts that depend on the order of the sums; a
    /// run of them can straddle a quantile, and which side each falls on
    /// would then be rounding noise (7% of the Soil bias variance on
    /// GlobalPatterns). So before the split, each run of sorted values
    /// within 1e-12 (relative) of the run's first is set equal to it: ties
    /// fall on one side, as in exact arithmetic.
    static func biasVariance(beta: [Double], variance v: [Double], params: [Double]) -> Double {
        let b = tiesMadeExact(beta)
        let sorted = b.sorted()
        let q1 = quantile(sorted: sorted, params[1]), q2 = quantile(sorted: sorted, 1 - params[2])
        var sum = 0.0
        for i in 0..<b.count {
            let extra = b[i] < q1 ? params[6] : b[i] >= q2 ? params[7] : 0
            sum += 1 / (v[i] + extra)
        }
        let variance = 1 / sum
        return variance.isNaN ? 0 : variance.isInfinite ? (variance > 0 ? Double.greatestFiniteMagnitude : -Double.greatestFiniteMagnitude) : variance
    }

    /// `values` with each run of sorted values within 1e-12·max(1, |first|)
    /// of the run's first made equal to it.
    static func tiesMadeExact(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var out = values
        guard var first = order.first.map({ values[$0] }) else { return out }
        for k in order.dropFirst() {
            if abs(values[k] - first) <= 1e-12 * Swift.max(1, abs(first)) { out[k] = first } else { first = values[k] }
        }
        return out
    }

    /// The starting δ, l₁, l₂, κ₁, κ₂ (scikit-bio's `_init_bias_params`):
    /// δ the mean of the coefficients between the quartiles, l₁ and κ₁ the
    /// mean and variance of those below the 12.5% quantile, l₂ and κ₂ of
    /// those above the 87.5% (a variance of 0, or a single value, gives 1).
    static func initialBias(_ beta: [Double]) -> [Double] {
        let sorted = beta.sorted()
        let edges = [0.125, 0.25, 0.75, 0.875].map { quantile(sorted: sorted, $0) }
        let middle = beta.filter { $0 >= edges[1] && $0 <= edges[2] }
        let delta = mean(middle.isEmpty ? beta : middle)
        func tail(_ values: [Double], fallback: Double) -> (Double, Double) {
            guard !values.isEmpty else { return (fallback, 1) }
            let m = mean(values)
            guard values.count > 1 else { return (m, 1) }
            let variance = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)
            return (m, variance == 0 ? 1 : variance)
        }
        let (l1, k1) = tail(beta.filter { $0 < edges[0] }, fallback: sorted.first!)
        let (l2, k2) = tail(beta.filter { $0 > edges[3] }, fallback: sorted.last!)
        return [delta, l1, l2, k1, k2]
    }
}
