import FoundationEssentials
import MoodbiomeNumerics

/// The causal compositional mediation model of Sohn & Li (2019, *Annals of
/// Applied Statistics* 13:661), as the R package ccmm 1.0 estimates it with
/// its normal approximation (`method.est.cov = "normal"`): the whole
/// community's composition M (n × k, rows closed, no zeros) as the mediator
/// of an exposure's effect on an outcome.
///
/// - Composition model: `log M_j = m0_j + a_j·tr + h_j·x + ε` on the
///   simplex (a closed composition `a`), solved in closed form — the normal
///   equations are `(S ⊗ G) s = m`, S the Gram matrix of (tr, 1, x) and
///   `G = k·I − J` on k − 1 parts, so `s = vec(G⁻¹ · M · S⁻¹)` with
///   `G⁻¹ = (I + J)/k`; `a_j = e^{s_j} / (1 + Σ e^{s})`, `a_k = 1 / (1 + Σ e^{s})`.
///   Bootstrapped on the given resamples: `E[log(k·a)]` is the mean over
///   them, and its covariance comes from ccmm's robust scale of each
///   `log(k·a_j)` and of each difference (a quantile regression on normal
///   scores over the central 90%, `s.h`) by `cov_ij = (s_i² + s_j² − s_{i−j}²)/2`.
/// - Outcome model: `y = b0 + Σ b_j log M_j + c·tr + g·x + e` with `Σ b_j = 0`,
///   by ccmm's scaled lasso under the linear constraint (coordinate descent
///   with an augmented Lagrangian; the penalty's start from the root of
///   `q⁴ + 2q² − t = 0`, `q = Φ⁻¹(1 − t/p)`, found by Brent's method as R's
///   `uniroot`), then debiased (van de Geer et al. 2014) with the
///   constrained inverse of the covariance estimated column by column.
/// - Effects: direct `c`; each taxon's indirect effect `E[log(k·a_j)]·b_j`;
///   the total indirect effect their sum; variances by the delta method
///   (ccmm's `idvar_j` and `tvar`, with the product term for each taxon).
public struct CompositionalMediation: Sendable {
    public struct Effect: Sendable, Equatable {
        public let name: String
        public let estimate: Double
        public let variance: Double
    }

    public let direct: Effect
    public let totalIndirect: Effect
    /// One per part of the composition, in column order.
    public let indirect: [Effect]
    /// Each resample's log(k·a), and the debiased outcome coefficients with their covariance.
    let compositionDraws: [[Double]]
    let coefficients: [Double]
    let coefficientCovariance: Matrix

    /// ccmm's bootstrap intervals (`method.est.cov = "bootstrap"`): each
    /// resample's composition parameter paired with a draw of the outcome
    /// coefficients from N(b, V) (seeded here); percentiles (R's type 7) of
    /// the direct effect, of each `log(k·a_j)·b_j` and of their sum. In the
    /// order direct, total indirect, each part.
    ///
    /// V is singular (the zero-sum constraint), so the draws are `b + L·z`
    /// with L its pivoted Cholesky factor (``semidefiniteFactor(_:)``),
    /// computed here without LAPACK: an eigendecomposition, as MASS's
    /// `mvrnorm` uses, rotates near-equal eigenvalues' vectors differently
    /// under different OpenBLAS kernels and thread counts, and the same seed
    /// would then draw other values on another machine.
    public func intervals(level: Double, seed: UInt64) throws -> [(low: Double, high: Double)] {
        let k = indirect.count, p = coefficients.count, r = compositionDraws.count
        let factor = Self.semidefiniteFactor(coefficientCovariance)
        var direct = [Double](), total = [Double](), parts = [[Double]](repeating: [], count: k)
        for b in 0..<r {
            var rng = Xoshiro256StarStar(seed: seed, stream: [0xCC, UInt64(b)])
            let z = (0..<p).map { _ in rng.nextNormal() }
            var draw = coefficients
            for m in 0..<factor.columns where z[m] != 0 {
                for a in 0..<p { draw[a] += factor[a, m] * z[m] }
            }
            direct.append(draw[k])
            var sum = 0.0
            for j in 0..<k {
                let v = compositionDraws[b][j] * draw[j]
                parts[j].append(v)
                sum += v
            }
            total.append(sum)
        }
        let alpha = 1 - level
        func interval(_ v: [Double]) -> (low: Double, high: Double) {
            let sorted = v.sorted()
            return (Mediation.percentile(sorted, alpha / 2), Mediation.percentile(sorted, 1 - alpha / 2))
        }
        return [interval(direct), interval(total)] + parts.map(interval)
    }

    /// - Parameters:
    ///   - composition: n × k, each row positive and summing to 1.
    ///   - covariates: n × q (no intercept column), or nil.
    ///   - resamples: bootstrap resamples of the rows (0-based indices), as
    ///     many as ccmm's `n.boot`.
    ///   - names: the parts' names, for the effects.
    public init(outcome y: [Double], composition: Matrix, exposure tr: [Double], covariates x: Matrix?, resamples: [[Int]],
                names: [String], tolerance: Double = 1e-6, maxIterations: Int = 5000) throws {
        let n = y.count, k = composition.columns
        precondition(composition.rows == n && tr.count == n && names.count == k)
        var logM = composition
        for i in 0..<logM.storage.count { logM.storage[i] = log(logM.storage[i]) }
        let (mean, covariance, draws) = try Self.compositionEffects(logM: logM, tr: tr, x: x, resamples: resamples)
        compositionDraws = draws
        let (b, bCovariance) = try Self.debiasedOutcome(y: y, logM: logM, tr: tr, x: x, tolerance: tolerance, maxIterations: maxIterations)
        coefficients = b
        coefficientCovariance = bCovariance
        direct = Effect(name: "direct", estimate: b[k], variance: bCovariance[k, k])
        indirect = (0..<k).map { j in
            let ea = mean[j], eb = b[j], va = covariance[j, j], vb = bCovariance[j, j]
            return Effect(name: "indirect:" + names[j], estimate: ea * eb, variance: ea * ea * vb + eb * eb * va + va * vb)
        }
        var total = 0.0
        for j in 0..<k { total += mean[j] * mean[j] * bCovariance[j, j] + b[j] * b[j] * covariance[j, j] }
        var cross = 0.0
        for j in 0..<k { for i in 0..<j { cross += covariance[i, j] * b[i] * b[j] + bCovariance[i, j] * mean[i] * mean[j] } }
        totalIndirect = Effect(name: "total_indirect", estimate: indirect.reduce(0) { $0 + $1.estimate }, variance: total + 2 * cross)
    }

    /// L (p × rank) with L·Lᵀ = V for a positive semidefinite V: Cholesky
    /// with diagonal pivoting (Higham 2002, *Accuracy and Stability of
    /// Numerical Algorithms*, §10.3), stopped when the largest remaining
    /// diagonal is below 1e-12 of the largest initial one. Plain arithmetic
    /// in a fixed order: the same bits on every machine.
    static func semidefiniteFactor(_ v: Matrix) -> Matrix {
        let p = v.rows
        var a = v
        var order = Array(0..<p)
        var columns = [[Double]]()
        let scale = (0..<p).map { v[$0, $0] }.max() ?? 0
        for step in 0..<p {
            var pivot = step
            for i in step..<p where a[order[i], order[i]] > a[order[pivot], order[pivot]] { pivot = i }
            let d = a[order[pivot], order[pivot]]
            guard d > 1e-12 * scale, d > 0 else { break }
            order.swapAt(step, pivot)
            let j = order[step], root = d.squareRoot()
            var column = [Double](repeating: 0, count: p)
            column[j] = root
            for i in (step + 1)..<Swift.max(p, step + 1) { column[order[i]] = a[order[i], j] / root }
            for i in (step + 1)..<Swift.max(p, step + 1) {
                for l in (step + 1)..<Swift.max(p, step + 1) { a[order[i], order[l]] -= column[order[i]] * column[order[l]] }
            }
            columns.append(column)
        }
        return Matrix(rows: p, columns: columns.count, columnMajor: columns.flatMap { $0 })
    }

    // MARK: The composition model

    /// The composition parameter `a` (k parts) of the rows `rows`.
    static func compositionParameter(logM: Matrix, tr: [Double], x: Matrix?, rows: [Int]) throws -> [Double] {
        let scores = try compositionScores(logM: logM, tr: tr, x: x, rows: rows, columns: 1)
        let e = (0..<scores.rows).map { exp(scores[$0, 0]) }
        let last = 1 / (1 + e.reduce(0, +))
        return e.map { $0 * last } + [last]
    }

    /// The composition model's coefficients in additive log-ratios against
    /// the last part, `log(A_jc / A_kc)` (k − 1 × the first `columns` of
    /// tr, 1, x): the solution of the normal equations.
    static func compositionScores(logM: Matrix, tr: [Double], x: Matrix?, rows: [Int], columns: Int) throws -> Matrix {
        let k = logM.columns, q = x?.columns ?? 0, p = q + 2
        // Regressors z = (tr, 1, x); S = Σ z zᵀ, and Mmat (k−1 × p):
        // Mmat[j, c] = k Σ_i logM_ij z_ic − Σ_i Σ_j' logM_ij' z_ic.
        var s = Matrix(rows: p, columns: p)
        var moments = Matrix(rows: k, columns: p)
        var z = [Double](repeating: 0, count: p)
        for i in rows {
            z[0] = tr[i]; z[1] = 1
            for c in 0..<q { z[2 + c] = x![i, c] }
            for a in 0..<p { for b in 0..<p { s[a, b] += z[a] * z[b] } }
            for j in 0..<k {
                let l = logM[i, j]
                for c in 0..<p { moments[j, c] += l * z[c] }
            }
        }
        var m = Matrix(rows: k - 1, columns: p)
        for c in 0..<p {
            var all = 0.0
            for j in 0..<k { all += moments[j, c] }
            for j in 0..<(k - 1) { m[j, c] = Double(k) * moments[j, c] - all }
        }
        // G⁻¹·Mmat with G⁻¹ = (I + J)/k: each entry plus its column's sum, over k.
        for c in 0..<p {
            var sum = 0.0
            for j in 0..<(k - 1) { sum += m[j, c] }
            for j in 0..<(k - 1) { m[j, c] = (m[j, c] + sum) / Double(k) }
        }
        // · S⁻¹ (S symmetric): solve S·Xᵀ = (G⁻¹M)ᵀ row by row; only the first column (a) is needed.
        let factor = try Cholesky(s)
        var scores = Matrix(rows: k - 1, columns: columns)
        for j in 0..<(k - 1) {
            let rhs = (0..<p).map { m[j, $0] }
            let solved = factor.triangularSolve(factor.triangularSolve(rhs, transposed: true))
            for c in 0..<columns { scores[j, c] = solved[c] }
        }
        return scores
    }

    /// ccmm's sensitivity analysis (`ccmm.sensitivity`, Sohn & Li 2019 §4):
    /// the total indirect effect if the residuals of the outcome and of each
    /// part's log-ratio had correlation ρ (an unmeasured mediator–outcome
    /// confounder). For each ρ: the outcome's residual variance from
    /// `y ~ tr + x`, the log-ratios' residual covariance S from the
    /// composition model, then the fixed point of `b = S⁻¹(cov(U₀, U₁) −
    /// ρ·σ₂·√diag S)`, `σ₂ = √((√diag S·(ρb))² + var U₀ − bᵀSb) − √diag S·(ρb)`
    /// from b = 0, σ₂ = 1e-6 (to 1e-6, at most 1,000 steps); the effect is
    /// `a·b`. Nil where ccmm stops (a negative or unbounded variance: ρ too strong).
    public static func sensitivity(outcome y: [Double], composition: Matrix, exposure tr: [Double], covariates x: Matrix?,
                                   rho: [Double]) throws -> [Double?] {
        let n = y.count, k = composition.columns, q = x?.columns ?? 0, p = q + 2
        var logM = composition
        for i in 0..<logM.storage.count { logM.storage[i] = log(logM.storage[i]) }
        let rows = Array(0..<n)
        let scores = try compositionScores(logM: logM, tr: tr, x: x, rows: rows, columns: p)
        // U0: residuals of y on (1, tr, x).
        var design = Matrix(rows: n, columns: p)
        for i in 0..<n {
            design[i, 0] = tr[i]; design[i, 1] = 1
            for c in 0..<q { design[i, 2 + c] = x![i, c] }
        }
        var gram = Matrix(rows: p, columns: p), xy = [Double](repeating: 0, count: p)
        for a in 0..<p {
            for i in 0..<n { xy[a] += design[i, a] * y[i] }
            for b in 0..<p { var t = 0.0; for i in 0..<n { t += design[i, a] * design[i, b] }; gram[a, b] = t }
        }
        let gramFactor = try Cholesky(gram)
        let coefficients = gramFactor.triangularSolve(gramFactor.triangularSolve(xy, transposed: true))
        let u0 = (0..<n).map { i in y[i] - (0..<p).reduce(0) { $0 + design[i, $1] * coefficients[$1] } }
        // U1: each log-ratio's residual from the composition model.
        var u1 = Matrix(rows: n, columns: k - 1)
        for i in 0..<n {
            for j in 0..<(k - 1) {
                var fitted = 0.0
                for c in 0..<p { fitted += design[i, c] * scores[j, c] }
                u1[i, j] = logM[i, j] - logM[i, k - 1] - fitted
            }
        }
        func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
        let m0 = mean(u0)
        let varU0 = u0.reduce(0) { $0 + ($1 - m0) * ($1 - m0) } / Double(n - 1)
        let means = (0..<(k - 1)).map { j in mean((0..<n).map { u1[$0, j] }) }
        var cov = Matrix(rows: k - 1, columns: k - 1)
        var cov01 = [Double](repeating: 0, count: k - 1)
        for a in 0..<(k - 1) {
            for i in 0..<n { cov01[a] += (u0[i] - m0) * (u1[i, a] - means[a]) }
            cov01[a] /= Double(n - 1)
            for b in 0..<(k - 1) {
                var t = 0.0
                for i in 0..<n { t += (u1[i, a] - means[a]) * (u1[i, b] - means[b]) }
                cov[a, b] = t / Double(n - 1)
            }
        }
        let sd = (0..<(k - 1)).map { cov[$0, $0].squareRoot() }
        let factor = try Cholesky(cov)
        let a = (0..<(k - 1)).map { scores[$0, 0] }
        return rho.map { r -> Double? in
            var b = [Double](repeating: 0, count: k - 1)
            var sigma = 1e-6, change = 1.0, iteration = 1
            var latest = b
            while change > 1e-6 && iteration < 1000 {
                let rhs = (0..<(k - 1)).map { cov01[$0] - r * sigma * sd[$0] }
                latest = factor.triangularSolve(factor.triangularSolve(rhs, transposed: true))
                var quadratic = 0.0
                for i in 0..<(k - 1) { for j in 0..<(k - 1) { quadratic += latest[i] * cov[i, j] * latest[j] } }
                var linear = 0.0
                for j in 0..<(k - 1) { linear += sd[j] * latest[j] * r }
                if quadratic > linear * linear + varU0 { return nil }
                let next = (linear * linear + varU0 - quadratic).squareRoot() - linear
                if next > 1e6 || next < 0 { return nil }
                change = Swift.max(zip(latest, b).map { abs($0 - $1) }.max() ?? 0, abs(next - sigma))
                b = latest
                sigma = next
                iteration += 1
            }
            return zip(a, latest).reduce(0) { $0 + $1.0 * $1.1 }
        }
    }

    /// `E[log(k·a)]` and its covariance over the resamples (ccmm's normal method).
    static func compositionEffects(logM: Matrix, tr: [Double], x: Matrix?, resamples: [[Int]]) throws -> ([Double], Matrix, [[Double]]) {
        let k = logM.columns, r = resamples.count
        let draws = try parallelChunkMap(count: r) { (range: Range<Int>) throws -> [[Double]] in
            try range.map { b in try compositionParameter(logM: logM, tr: tr, x: x, rows: resamples[b]).map { log(Double(k) * $0) } }
        }.flatMap { $0 }
        let mean = (0..<k).map { j in draws.reduce(0) { $0 + $1[j] } / Double(r) }
        let centred = draws.map { d in (0..<k).map { d[$0] - mean[$0] } }
        let scale = (0..<k).map { j in robustScale(centred.map { $0[j] }) }
        var covariance = Matrix(rows: k, columns: k)
        for j in 0..<k { covariance[j, j] = scale[j] * scale[j] }
        for j in 0..<k {
            for i in (j + 1)..<Swift.max(k, j + 1) {
                let d = robustScale(centred.map { $0[j] - $0[i] })
                let c = (covariance[j, j] + covariance[i, i] - d * d) / 2
                covariance[i, j] = c; covariance[j, i] = c
            }
        }
        return (mean, covariance, draws)
    }

    /// ccmm's `s.h`: a scale from the central 90% of the sorted values
    /// against the normal scores, `Σ Φ⁻¹(p)·Q(p) / (0.847·n) + 0.103·(Q_last − Q_first)`,
    /// p = s/n … l/n with s = ⌊0.05n⌋ + 1, l = n − ⌊0.05n⌋, Q R's type-7 quantile.
    static func robustScale(_ values: [Double]) -> Double {
        let n = values.count
        let sorted = values.sorted()
        let lo = Int((0.05 * Double(n)).rounded(.down)) + 1, hi = n - Int((0.05 * Double(n)).rounded(.down))
        let normal = Normal()
        var sum = 0.0, first = 0.0, last = 0.0
        for s in lo...hi {
            let p = Double(s) / Double(n)
            let qv = quantile(sorted: sorted, p)
            if s == lo { first = qv }
            if s == hi { last = qv }
            sum += normal.quantile(p) * qv
        }
        return sum / (0.847 * Double(n)) + 0.103 * (last - first)
    }

    // MARK: The outcome model

    /// The debiased coefficients `(b_1…b_k, c, g…)` and their covariance.
    static func debiasedOutcome(y: [Double], logM: Matrix, tr: [Double], x: Matrix?, tolerance: Double, maxIterations: Int) throws -> ([Double], Matrix) {
        let n = y.count, k = logM.columns, q = x?.columns ?? 0, p = k + 1 + q
        // Z = (log M, tr, x), projected off the constraint direction: Z̃ = Z (I − ccᵀ), c = (1/√k …, 0 …).
        var z = Matrix(rows: n, columns: p)
        for i in 0..<n {
            var rowMean = 0.0
            for j in 0..<k { rowMean += logM[i, j] }
            rowMean /= Double(k)
            for j in 0..<k { z[i, j] = logM[i, j] - rowMean }
            z[i, k] = tr[i]
            for c in 0..<q { z[i, k + 1 + c] = x![i, c] }
        }
        let constraint = (0..<p).map { $0 < k ? 1 / Double(k).squareRoot() : 0 }
        let fit = try ScaledLasso(y: y, x: z, constraint: constraint, tolerance: tolerance, maxIterations: maxIterations)
        // Centred Z̃ and y; Σ = Z̃cᵀZ̃c / n.
        var centred = z
        for j in 0..<p {
            var mean = 0.0
            for i in 0..<n { mean += z[i, j] }
            mean /= Double(n)
            for i in 0..<n { centred[i, j] -= mean }
        }
        let yMean = y.reduce(0, +) / Double(n)
        var sigma = Matrix(rows: p, columns: p)
        for a in 0..<p { for b in 0..<p { var s = 0.0; for i in 0..<n { s += centred[i, a] * centred[i, b] }; sigma[a, b] = s / Double(n) } }
        var projector = Matrix.identity(p)
        for a in 0..<p { for b in 0..<p { projector[a, b] -= constraint[a] * constraint[b] } }
        // The constrained inverse of Σ, row by row (ccmm's M̃), then Q·M̃.
        let gamma0 = fit.lambda0 / 3
        var inverse = Matrix(rows: p, columns: p)
        for i in 0..<p {
            var gamma = gamma0 / 2
            var row = [Double](repeating: 1, count: p)
            while gamma < 0.5 {
                gamma *= 2
                row = [Double](repeating: 1, count: p)
                var previous = [Double](repeating: 0, count: p)
                var iteration = 1
                while zip(row, previous).reduce(0, { $0 + abs($1.0 - $1.1) }) > tolerance && iteration < maxIterations {
                    previous = row
                    for j in 0..<p {
                        var v = projector[j, i]
                        for l in 0..<p where l != j { v -= sigma[j, l] * row[l] }
                        row[j] = (v < 0 ? -1 : v > 0 ? 1 : 0) * Swift.max(0, abs(v) - gamma) / sigma[j, j]
                    }
                    iteration += 1
                }
                if iteration < maxIterations { break }
            }
            for j in 0..<p { inverse[i, j] = row[j] }
        }
        var mt = Matrix(rows: p, columns: p)
        for a in 0..<p { for b in 0..<p { var s = 0.0; for l in 0..<p { s += projector[a, l] * inverse[l, b] }; mt[a, b] = s } }
        // b = β + M̃ Z̃cᵀ (yc − Z̃c β) / n.
        var residual = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var fitted = 0.0
            for j in 0..<p { fitted += centred[i, j] * fit.beta[j] }
            residual[i] = (y[i] - yMean) - fitted - fit.intercept
        }
        var zr = [Double](repeating: 0, count: p)
        for j in 0..<p { var s = 0.0; for i in 0..<n { s += centred[i, j] * residual[i] }; zr[j] = s }
        var b = fit.beta
        for a in 0..<p { var s = 0.0; for l in 0..<p { s += mt[a, l] * zr[l] }; b[a] += s / Double(n) }
        var covariance = Matrix(rows: p, columns: p)
        let scale = fit.sigma * fit.sigma / Double(n)
        for a in 0..<p {
            for c in 0..<p {
                var s = 0.0
                for l in 0..<p { var t = 0.0; for m in 0..<p { t += sigma[l, m] * mt[c, m] }; s += mt[a, l] * t }
                covariance[a, c] = scale * s
            }
        }
        return (b, covariance)
    }
}

/// ccmm's scaled lasso with a linear constraint `cᵀβ = 0` (Sun & Zhang 2012's
/// scaled lasso; coordinate descent, the constraint by an augmented
/// Lagrangian with μ = 1), on centred data.
struct ScaledLasso {
    let beta: [Double]
    let intercept: Double
    let sigma: Double
    let lambda0: Double

    init(y: [Double], x: Matrix, constraint: [Double], tolerance: Double, maxIterations: Int) throws {
        let n = x.rows, p = x.columns
        let yMean = y.reduce(0, +) / Double(n)
        var means = [Double](repeating: 0, count: p)
        for j in 0..<p { for i in 0..<n { means[j] += x[i, j] }; means[j] /= Double(n) }
        var xc = x
        for j in 0..<p { for i in 0..<n { xc[i, j] -= means[j] } }
        let yc = y.map { $0 - yMean }
        lambda0 = try Self.initialLambda(n: n, p: p, tolerance: tolerance)
        var sigma = 1.0, previous = 1.0, estimate = 0.5, iteration = 1
        var beta = [Double](repeating: 0, count: p)
        while abs(sigma - estimate) > 0.01 && iteration < 100 {
            iteration += 1
            sigma = (estimate + previous) / 2
            beta = Self.constrainedLasso(y: yc, x: xc, constraint: constraint, lambda: sigma * lambda0, tolerance: tolerance, maxIterations: maxIterations)
            let s = Swift.min(beta.filter { abs($0) > 0.001 }.count, n - 1)
            var rss = 0.0
            for i in 0..<n { var f = 0.0; for j in 0..<p { f += xc[i, j] * beta[j] }; rss += (yc[i] - f) * (yc[i] - f) }
            estimate = rss.squareRoot() / Double(n - s - 1).squareRoot()
            previous = sigma
        }
        self.sigma = estimate
        self.beta = beta
        var dot = 0.0
        for j in 0..<p { dot += means[j] * beta[j] }
        self.intercept = yMean - dot
    }

    /// λ₀ = √(2/n)·Φ⁻¹(1 − t/p), t the root of `q⁴ + 2q² − t` on (0, p − 1).
    static func initialLambda(n: Int, p: Int, tolerance: Double) throws -> Double {
        let normal = Normal()
        let pd = Double(p)
        func f(_ t: Double) -> Double {
            let q = normal.quantile(1 - t / pd)
            return pow(q, 4) + 2 * q * q - t
        }
        let t = brentRoot(f, 0, pd - 1, tolerance: tolerance)
        return (2 / Double(n)).squareRoot() * normal.quantile(1 - t / pd)
    }

    /// Coordinate-descent lasso of y on x with `cᵀβ = 0` (augmented Lagrangian, μ = 1).
    static func constrainedLasso(y: [Double], x: Matrix, constraint c: [Double], lambda: Double, tolerance: Double, maxIterations: Int) -> [Double] {
        let n = x.rows, p = x.columns, nd = Double(n)
        var gram = Matrix(rows: p, columns: p)
        for a in 0..<p { for b in a..<p { var s = 0.0; for i in 0..<n { s += x[i, a] * x[i, b] }; gram[a, b] = s; gram[b, a] = s } }
        var xy = [Double](repeating: 0, count: p)
        for j in 0..<p { for i in 0..<n { xy[j] += x[i, j] * y[i] } }
        // CᵀC for the one constraint row: c cᵀ.
        var beta = [Double](repeating: 1 / Double(p), count: p)
        var before = [Double](repeating: 0, count: p)
        var ksi = 0.0, ksiBefore = 1.0, iteration = 0
        var term0 = (0..<p).map { j -> Double in
            var s = xy[j]
            for l in 0..<p where l != j { s -= gram[j, l] * beta[l] }
            var constrained = c[j] * ksi
            for l in 0..<p where l != j { constrained += c[j] * c[l] * beta[l] }
            return s / nd - constrained
        }
        let term2 = (0..<p).map { gram[$0, $0] / nd + c[$0] * c[$0] }
        while abs(ksi - ksiBefore) > tolerance && iteration < maxIterations {
            ksiBefore = ksi
            var inner = 0
            for j in 0..<p { before[j] += 1 }
            while zip(beta, before).reduce(0, { $0 + abs($1.0 - $1.1) }) > tolerance && inner < 1000 {
                before = beta
                for j in 0..<p {
                    let t = term0[j]
                    beta[j] = (t < 0 ? -1 : t > 0 ? 1 : 0) * Swift.max(0, abs(t) - lambda) / term2[j]
                    let change = beta[j] - before[j]
                    if change != 0 {
                        for l in 0..<p where l != j { term0[l] -= gram[l, j] * change / nd + c[l] * c[j] * change }
                    }
                }
                inner += 1
            }
            var residual = 0.0
            for j in 0..<p { residual += c[j] * beta[j] }
            ksi += residual
            for j in 0..<p { term0[j] -= c[j] * residual }
            iteration += 1
        }
        return beta
    }
}

/// Brent's root finder exactly as R's `uniroot` (R_zeroin2: the netlib
/// zeroin of Brent 1973), from `f(a)`, `f(b)` of opposite signs.
func brentRoot(_ f: (Double) -> Double, _ lower: Double, _ upper: Double, tolerance: Double, maxIterations: Int = 1000) -> Double {
    var a = lower, b = upper, fa = f(a), fb = f(b)
    var c = a, fc = fa
    if fa == 0 { return a }
    if fb == 0 { return b }
    for _ in 0..<maxIterations {
        let previousStep = b - a
        if abs(fc) < abs(fb) {
            a = b; b = c; c = a
            fa = fb; fb = fc; fc = fa
        }
        let tolAct = 2 * Double.ulpOfOne * abs(b) + tolerance / 2
        var newStep = (c - b) / 2
        if abs(newStep) <= tolAct || fb == 0 { return b }
        if abs(previousStep) >= tolAct && abs(fa) > abs(fb) {
            var p: Double, q: Double
            let cb = c - b
            if a == c {
                let t1 = fb / fa
                p = cb * t1
                q = 1 - t1
            } else {
                let qq = fa / fc, t1 = fb / fc, t2 = fb / fa
                p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1))
                q = (qq - 1) * (t1 - 1) * (t2 - 1)
            }
            if p > 0 { q = -q } else { p = -p }
            if p < (0.75 * cb * q - abs(tolAct * q) / 2) && p < abs(previousStep * q / 2) { newStep = p / q }
        }
        if abs(newStep) < tolAct { newStep = newStep > 0 ? tolAct : -tolAct }
        a = b; fa = fb
        b += newStep; fb = f(b)
        if (fb > 0 && fc > 0) || (fb < 0 && fc < 0) { c = a; fc = fa }
    }
    return b
}
