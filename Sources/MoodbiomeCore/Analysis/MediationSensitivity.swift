import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// How strong would an unmeasured confounder of the mediator and the
/// outcome have to be to explain the ACME away? The sensitivity analysis of
/// Imai, Keele & Yamamoto (2010, *Statistical Science* 25:51–71), as the R
/// package mediation's `medsens` computes it for a linear mediator model and
/// a linear outcome model (with or without the exposure × mediator term).
///
/// For each ρ — the correlation of the two models' errors that a confounder
/// would induce — on the grid −1 + step, …, 1 − step, both models are fitted
/// as seemingly unrelated regressions with that error correlation: from the
/// separate least-squares fits, iterated feasible GLS (error covariance Ω
/// from the current residuals, variances `e'e/(n−1)`, covariance
/// ρ·sd₁·sd₂) until the squared change of the coefficients sums to at most
/// √ε (`eps = sqrt(.Machine$double.eps)`, medsens' default). The ACME is then
/// `a·b` (control) and `a·(b + b_XM)` (treated), the ADE `c′` (or, with the
/// interaction, `c′ + b_XM·E[M | x]` at the covariates' means), each with its
/// delta-method variance from the GLS covariance (medsens' formulas) and a
/// normal interval. The ρ at which an effect is 0 is the grid point where
/// its absolute value is smallest, as medsens reports it, with R²*_M·R²*_Y =
/// ρ² and R̃²_M·R̃²_Y = ρ²(1 − R²_M)(1 − R²_Y) (Imai et al.'s thresholds).
/// Exposures coded 0/1 (two levels); checked against mediation 4.5.1
/// (`Fixtures/medsens/`).
public struct MediationSensitivity: Sendable {
    public struct Point: Sendable, Equatable {
        public let rho: Double
        /// ACME and ADE under control and treated, each (estimate, low, high).
        public let acmeControl, acmeTreated, adeControl, adeTreated: (Double, Double, Double)

        public static func == (a: Point, b: Point) -> Bool {
            a.rho == b.rho && [a.acmeControl, a.acmeTreated, a.adeControl, a.adeTreated].map { [$0.0, $0.1, $0.2] }
                == [b.acmeControl, b.acmeTreated, b.adeControl, b.adeTreated].map { [$0.0, $0.1, $0.2] }
        }
    }

    public let mediator: String
    public let step: Double
    public let points: [Point]
    /// The ρ at which each effect is closest to 0 on the grid.
    public let acmeZeroRho: (control: Double, treated: Double)
    public let adeZeroRho: (control: Double, treated: Double)
    /// The thresholds at the ACME (control)'s ρ: R²*_M·R²*_Y and R̃²_M·R̃²_Y.
    public let r2Star: Double, r2Tilde: Double

    /// The grid of `medsens(rho.by = step)`: R's `seq(-1 + step, 1 - step, step)`.
    public static func grid(step: Double) -> [Double] {
        let from = -1 + step, to = 1 - step
        let n = Int(((to - from) / step + 1e-10).rounded(.down))
        return (0...n).map { from + Double($0) * step }
    }

    /// - Precondition: `mediation` is a linear mediator and linear outcome analysis with exposure values 0 and 1.
    public init(_ mediation: Mediation, exposure: String, step: Double = 0.1) throws {
        guard mediation.settings.family == .gaussian else { throw MediationError.sensitivityNeedsLinear }
        guard mediation.control == 0 && mediation.treated == 1 else { throw MediationError.sensitivityNeedsTwoLevels }
        let md = mediation.mediatorModel.design, od = mediation.outcomeModel.design
        let interaction = mediation.settings.interaction
        let m = try Mediation.Layout(design: md, exposure: exposure, mediator: nil, interaction: nil)
        let o = try Mediation.Layout(design: od, exposure: exposure, mediator: mediation.mediator,
                                     interaction: interaction ? try Formula.Covariate(Formula.quotedIfNeeded(exposure) + ":" + Formula.quotedIfNeeded(mediation.mediator), columns: []).terms[0].label : nil)
        let fit = SeeminglyUnrelated(a: md.x, ya: md.response, b: od.x, yb: od.response)
        let km = md.x.columns
        let z = Normal().quantile(1 - (1 - mediation.settings.confidenceLevel) / 2)
        // The mediator design's column means (medsens' m.bar), for the ADE with interaction.
        let means = (0..<km).map { j in (0..<md.x.rows).reduce(0.0) { $0 + md.x[$1, j] } / Double(md.x.rows) }
        let covariates = (0..<km).filter { $0 != m.exposure && !(md.hasIntercept && $0 == 0) }
        var points = [Point]()
        for rho in Self.grid(step: step) {
            let (beta, v) = fit.solve(rho: rho)
            let a = beta[m.exposure], vA = v[m.exposure, m.exposure]
            let b = beta[km + o.mediator!], vB = v[km + o.mediator!, km + o.mediator!]
            let c = beta[km + o.exposure], vC = v[km + o.exposure, km + o.exposure]
            func interval(_ e: Double, _ variance: Double) -> (Double, Double, Double) {
                (e, e - z * variance.squareRoot(), e + z * variance.squareRoot())
            }
            guard let t = o.interaction.map({ km + $0 }) else {
                let acme = interval(a * b, a * a * vB + b * b * vA), ade = interval(c, vC)
                points.append(Point(rho: rho, acmeControl: acme, acmeTreated: acme, adeControl: ade, adeTreated: ade))
                continue
            }
            let bXM = beta[t], vXM = v[t, t]
            let acme0 = interval(a * b, b * b * vA + a * a * vB)
            let acme1 = interval(a * (b + bXM), (b + bXM) * (b + bXM) * vA + a * a * (vB + vXM + 2 * v[km + o.mediator!, t]))
            // E[M | x] at the covariates' means, and its variance (medsens' terms).
            let intercept = beta[0], vIntercept = v[0, 0]
            let covariatePart = covariates.reduce(0.0) { $0 + beta[$1] * means[$1] }
            let quadratic = covariates.reduce(0.0) { s, j in covariates.reduce(s) { $0 + means[j] * v[j, $1] * means[$1] } }
            let mBar0 = intercept + covariatePart, vMBar0 = vIntercept + quadratic
            let mBar1 = intercept + a + covariatePart
            let cross = v[0, m.exposure] + covariates.reduce(0.0) { $0 + means[$1] * v[m.exposure, $1] } + covariates.reduce(0.0) { $0 + means[$1] * v[0, $1] }
            let vMBar1 = vIntercept + vA + quadratic + 2 * cross
            func ade(_ mBar: Double, _ vMBar: Double) -> (Double, Double, Double) {
                interval(c + bXM * mBar, vC + mBar * mBar * vXM + bXM * bXM * vMBar + vXM * vMBar + 2 * mBar * v[km + o.exposure, t])
            }
            points.append(Point(rho: rho, acmeControl: acme0, acmeTreated: acme1, adeControl: ade(mBar0, vMBar0), adeTreated: ade(mBar1, vMBar1)))
        }
        func zero(_ effect: (Point) -> Double) -> Double {
            points.min { (abs(effect($0)), $0.rho) < (abs(effect($1)), $1.rho) }!.rho
        }
        self.mediator = mediation.mediator
        self.step = step
        self.points = points
        acmeZeroRho = (zero { $0.acmeControl.0 }, zero { $0.acmeTreated.0 })
        adeZeroRho = (zero { $0.adeControl.0 }, zero { $0.adeTreated.0 })
        func rSquared(_ model: FittedModel) -> Double { if case .linear(let l) = model.fit { l.rSquared } else { .nan } }
        let r2M = rSquared(mediation.mediatorModel), r2Y = rSquared(mediation.outcomeModel)
        r2Star = acmeZeroRho.control * acmeZeroRho.control
        r2Tilde = r2Star * (1 - r2M) * (1 - r2Y)
    }
}

/// Two linear equations with correlated errors on the same rows, fitted by
/// iterated feasible GLS with the errors' correlation fixed at ρ (medsens'
/// "stacked equations"). Plain arithmetic in a fixed order.
struct SeeminglyUnrelated {
    let a: Matrix, ya: [Double], b: Matrix, yb: [Double]

    /// The stacked coefficients (first equation's, then the second's) and
    /// their GLS covariance (X'(Ω⁻¹ ⊗ I)X)⁻¹.
    func solve(rho: Double) -> (beta: [Double], covariance: Matrix) {
        let n = a.rows, ka = a.columns, kb = b.columns, k = ka + kb
        func cross(_ p: Matrix, _ q: Matrix) -> Matrix {
            var out = Matrix(rows: p.columns, columns: q.columns)
            for i in 0..<p.columns { for j in 0..<q.columns { var s = 0.0; for r in 0..<n { s += p[r, i] * q[r, j] }; out[i, j] = s } }
            return out
        }
        func crossY(_ p: Matrix, _ y: [Double]) -> [Double] {
            (0..<p.columns).map { i in var s = 0.0; for r in 0..<n { s += p[r, i] * y[r] }; return s }
        }
        let aa = cross(a, a), ab = cross(a, b), bb = cross(b, b)
        let aya = crossY(a, ya), ayb = crossY(a, yb), bya = crossY(b, ya), byb = crossY(b, yb)
        // The separate least-squares fits start the iteration.
        var beta = GaussJordan.inverse(aa).times(aya) + GaussJordan.inverse(bb).times(byb)
        var covariance = Matrix(rows: k, columns: k)
        var change = 1.0
        let eps = Double.ulpOfOne.squareRoot()
        while abs(change) > eps {
            let ea = (0..<n).map { r in ya[r] - (0..<ka).reduce(0.0) { $0 + a[r, $1] * beta[$1] } }
            let eb = (0..<n).map { r in yb[r] - (0..<kb).reduce(0.0) { $0 + b[r, $1] * beta[ka + $1] } }
            func sd(_ e: [Double]) -> Double {
                let mean = e.reduce(0, +) / Double(n)
                return (e.reduce(0.0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
            }
            let s11 = ea.reduce(0.0) { $0 + $1 * $1 } / Double(n - 1), s22 = eb.reduce(0.0) { $0 + $1 * $1 } / Double(n - 1)
            let s12 = rho * sd(ea) * sd(eb)
            let det = s11 * s22 - s12 * s12
            let w11 = s22 / det, w22 = s11 / det, w12 = -s12 / det
            var system = Matrix(rows: k, columns: k)
            for i in 0..<ka { for j in 0..<ka { system[i, j] = w11 * aa[i, j] } }
            for i in 0..<ka { for j in 0..<kb { system[i, ka + j] = w12 * ab[i, j]; system[ka + j, i] = w12 * ab[i, j] } }
            for i in 0..<kb { for j in 0..<kb { system[ka + i, ka + j] = w22 * bb[i, j] } }
            let rhs = (0..<ka).map { w11 * aya[$0] + w12 * ayb[$0] } + (0..<kb).map { w12 * bya[$0] + w22 * byb[$0] }
            covariance = GaussJordan.inverse(system)
            let next = covariance.times(rhs)
            change = zip(next, beta).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            beta = next
        }
        return (beta, covariance)
    }
}

/// The inverse of a small non-singular matrix by Gauss–Jordan elimination
/// with partial pivoting, in plain arithmetic (the same bits on every machine).
enum GaussJordan {
    static func inverse(_ m: Matrix) -> Matrix {
        let n = m.rows
        var a = m, inv = Matrix(rows: n, columns: n)
        for i in 0..<n { inv[i, i] = 1 }
        for c in 0..<n {
            let p = (c..<n).max { abs(a[$0, c]) < abs(a[$1, c]) }!
            if p != c { for j in 0..<n { (a[c, j], a[p, j]) = (a[p, j], a[c, j]); (inv[c, j], inv[p, j]) = (inv[p, j], inv[c, j]) } }
            let pivot = a[c, c]
            for j in 0..<n { a[c, j] /= pivot; inv[c, j] /= pivot }
            for r in 0..<n where r != c && a[r, c] != 0 {
                let f = a[r, c]
                for j in 0..<n { a[r, j] -= f * a[c, j]; inv[r, j] -= f * inv[c, j] }
            }
        }
        return inv
    }
}

extension Matrix {
    /// `self · v`.
    func times(_ v: [Double]) -> [Double] {
        (0..<rows).map { i in (0..<columns).reduce(0.0) { $0 + self[i, $1] * v[$1] } }
    }
}
