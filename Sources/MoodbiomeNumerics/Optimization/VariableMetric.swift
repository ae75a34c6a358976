/// R's `optim(method = "BFGS")`: the variable-metric minimiser of Nash
/// (1990, *Compact Numerical Methods for Computers*, 2nd ed., Algorithm 21),
/// `vmmin` in R's `src/appl/optim.c`, step for step.
///
/// It is written out here rather than taken from an optimisation library
/// because the point where it stops *is* the published number: vegan's
/// `betadisper(type = "median")` finds each group's spatial median with
/// this routine and its defaults (relative tolerance √ε on the function
/// value, at most 100 iterations), so matching vegan means taking the same
/// steps — a different BFGS converges to a point a tolerance away.
///
/// The algorithm: BFGS updates of an inverse-Hessian approximation B
/// (reset to I at the start, after an uphill direction, and every 2n
/// gradient evaluations); a backtracking line search from step 1,
/// shrinking by 0.2 until the Armijo condition with constant 1e-4 holds;
/// it stops when an accepted step changes f by at most
/// `reltol·(|f| + reltol)`, when no coordinate changes any more (tested as
/// `10 + x == 10 + x'`), or after `maxIterations` gradient evaluations.
public enum VariableMetric {
    public struct Result: Sendable {
        public let x: [Double]
        public let value: Double
        public let converged: Bool
        /// Gradient evaluations (R's `counts["gradient"]`).
        public let iterations: Int
        /// Function evaluations (R's `counts["function"]`).
        public let evaluations: Int
    }

    /// Minimises `f` from `start`; `gradient` is f's gradient.
    public static func minimize(start: [Double],
                                relativeTolerance reltol: Double = 1.490116119384765625e-8,
                                maxIterations: Int = 100,
                                f: ([Double]) -> Double,
                                gradient: ([Double]) -> [Double]) -> Result {
        let n = start.count
        let stepReduction = 0.2, acceptance = 1e-4, relativeTest = 10.0
        var b = start
        var value = f(b)
        guard value.isFinite, n > 0 else { return Result(x: b, value: value, converged: value.isFinite, iterations: 0, evaluations: 1) }
        var evaluations = 1
        var fmin = value
        var gradientCount = 1
        var g = gradient(b)
        var iterations = 1
        var lastReset = gradientCount
        var bInv = [Double](repeating: 0, count: n * n)   // lower triangle used, row-major [i*n + j], j ≤ i
        var x = [Double](repeating: 0, count: n), c = x, t = x
        var count = 0
        repeat {
            if lastReset == gradientCount {
                for i in 0..<n {
                    for j in 0..<i { bInv[i * n + j] = 0 }
                    bInv[i * n + i] = 1
                }
            }
            for i in 0..<n { x[i] = b[i]; c[i] = g[i] }
            var gradProjection = 0.0
            for i in 0..<n {
                var s = 0.0
                for j in 0...i { s -= bInv[i * n + j] * g[j] }
                for j in (i + 1)..<Swift.max(n, i + 1) { s -= bInv[j * n + i] * g[j] }
                t[i] = s
                gradProjection += s * g[i]
            }
            if gradProjection < 0 {
                var step = 1.0
                var accepted = false
                repeat {
                    count = 0
                    for i in 0..<n {
                        b[i] = x[i] + step * t[i]
                        if relativeTest + x[i] == relativeTest + b[i] { count += 1 }
                    }
                    if count < n {
                        value = f(b)
                        evaluations += 1
                        accepted = value.isFinite && value <= fmin + gradProjection * step * acceptance
                        if !accepted { step *= stepReduction }
                    }
                } while !(count == n || accepted)
                let enough = value > -Double.infinity && abs(value - fmin) > reltol * (abs(fmin) + reltol)
                if !enough { count = n; fmin = value }
                if count < n {
                    fmin = value
                    g = gradient(b)
                    gradientCount += 1
                    iterations += 1
                    var d1 = 0.0
                    for i in 0..<n {
                        t[i] *= step
                        c[i] = g[i] - c[i]
                        d1 += t[i] * c[i]
                    }
                    if d1 > 0 {
                        var d2 = 0.0
                        for i in 0..<n {
                            var s = 0.0
                            for j in 0...i { s += bInv[i * n + j] * c[j] }
                            for j in (i + 1)..<Swift.max(n, i + 1) { s += bInv[j * n + i] * c[j] }
                            x[i] = s
                            d2 += s * c[i]
                        }
                        d2 = 1 + d2 / d1
                        for i in 0..<n {
                            for j in 0...i { bInv[i * n + j] += (d2 * t[i] * t[j] - x[i] * t[j] - t[i] * x[j]) / d1 }
                        }
                    } else {
                        lastReset = gradientCount
                    }
                } else if lastReset < gradientCount {
                    count = 0
                    lastReset = gradientCount
                }
            } else {
                count = 0
                if lastReset == gradientCount { count = n } else { lastReset = gradientCount }
            }
            if iterations >= maxIterations { break }
            if gradientCount - lastReset > 2 * n { lastReset = gradientCount }
        } while count != n || lastReset != gradientCount
        return Result(x: b, value: fmin, converged: iterations < maxIterations, iterations: iterations, evaluations: evaluations)
    }
}
