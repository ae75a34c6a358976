import FoundationEssentials

/// The penalised least-squares (PLS) system of a linear mixed model
/// `y = Xβ + ZΛu + ε`, `u ~ N(0, σ²I)`, for one value of the relative
/// covariance parameter θ, solved as lme4 does (Bates, Mächler, Bolker &
/// Walker 2015, *J. Stat. Softw.* 67(1), §3.2–3.4):
///
///     [ ΛᵀZᵀZΛ + I   ΛᵀZᵀX ] [u]   [ΛᵀZᵀy]
///     [ XᵀZΛ          XᵀX  ] [β] = [ Xᵀy ]
///
/// factored by a block Cholesky. Each random-effects term is a
/// ``Grouping``: q coefficients per group, the group of each row, and the
/// term's q model-matrix values per row; Λ is block-diagonal with one
/// lower-triangular q × q factor Tₜ per term, filled column by column from
/// θ (lme4's order). The term with the most groups — put it first —
/// (block 0, `q₀` effects per group) is block-diagonal in this
/// system — one `q₀ × q₀` block `Aⱼ = T₀ᵀZⱼᵀZⱼT₀ + I` per group — and is
/// eliminated group by group with LAPACK on each small block; what is left,
/// the Schur complement over the other terms' effects and β, is dense and
/// factored once by `dpotrf`. The cost per θ is O(n·q + groups·q₀·m²) plus
/// the dense factorisation of `(d₂ + p)³/3`, with `d₂` the other terms'
/// effect count; ``denseLimit`` bounds `d₂ + p` (a crossed design with two
/// large groupings is beyond this dense treatment: callers check
/// ``denseColumns(groupings:fixedColumns:)`` first).
///
/// Precomputed once (θ-free): per group of block 0, `ZⱼᵀZⱼ`, `ZⱼᵀX`,
/// `Zⱼᵀy` and the sparse cross products with the other terms' columns;
/// `Z₂ᵀZ₂`, `Z₂ᵀX`, `Z₂ᵀy`, `XᵀX`, `Xᵀy`.
///
/// Each evaluation returns `log det(ΛᵀZᵀZΛ + I)` (lme4's `ldL2`), `log
/// det(R_XᵀR_X)` (`ldRX2`) and the penalised residual sum of squares
/// `‖y − Xβ̂ − ZΛû‖² + ‖û‖²` computed from the residuals themselves (not
/// as a difference of large quadratic forms), with the solutions û, β̂.
public struct PenalizedLeastSquares: Sendable {
    /// The largest dense Schur complement (`d₂ + p`) handled.
    public static let denseLimit = 2_000

    /// One random-effects term on the model's rows.
    public struct Grouping: Sendable {
        /// Coefficients per group.
        public let q: Int
        /// Number of groups.
        public let groups: Int
        /// For each row, its group (0..<groups).
        public let groupOfRow: [Int]
        /// The term's model-matrix rows, row-major: row i's q values at `i·q`.
        public let z: [Double]

        public init(q: Int, groups: Int, groupOfRow: [Int], z: [Double]) {
            precondition(z.count == groupOfRow.count * q, "z must hold q values per row")
            self.q = q
            self.groups = groups
            self.groupOfRow = groupOfRow
            self.z = z
        }
    }

    /// The size of the dense part, `d₂ + p`, for these groupings (the first
    /// being solved group by group) and `fixedColumns` fixed effects.
    public static func denseColumns(groupings: [Grouping], fixedColumns: Int) -> Int {
        groupings.dropFirst().reduce(fixedColumns) { $0 + $1.groups * $1.q }
    }

    /// The lower-triangular factors Tₜ (column-major q × q) from θ, filled
    /// column by column (lme4's `Lind` order).
    public static func relativeFactors(theta: [Double], qs: [Int]) -> [[Double]] {
        var k = 0
        return qs.map { q in
            var t = [Double](repeating: 0, count: q * q)
            for j in 0..<q {
                for i in j..<q {
                    t[i + j * q] = theta[k]
                    k += 1
                }
            }
            return t
        }
    }

    let n: Int
    let p: Int
    let blocks: [Grouping]
    /// Model matrix n × p, column-major (the non-aliased fixed columns).
    let x: [Double]
    let y: [Double]

    // Block 0.
    let q0: Int
    let groups0: Int
    /// Per group j: ZⱼᵀZⱼ (q₀ × q₀ at j·q₀²), ZⱼᵀX (q₀ × p at j·q₀·p), Zⱼᵀy (q₀ at j·q₀).
    let g0: [Double], zx0: [Double], zy0: [Double]
    /// Per group j, the cross products with other terms' groups it meets:
    /// entries `crossStart[j]..<crossStart[j+1]` of `crossBlock` (the term
    /// index t ≥ 1), `crossColumn` (first column in the d₂ space) and
    /// `crossValues` offset (a q₀ × q_t matrix).
    let crossStart: [Int], crossBlock: [Int], crossColumn: [Int], crossValueStart: [Int]
    let crossValues: [Double]
    /// Per group j, its active columns in the (d₂ + p) space, increasing:
    /// `active[activeStart[j]..<activeStart[j+1]]`.
    let activeStart: [Int], active: [Int]

    // The dense part.
    /// Offset of each term's effects in the d₂ space (block 0 has none: -1).
    let offset2: [Int]
    let d2: Int
    /// Z₂ᵀZ₂ (d₂ × d₂), XᵀZ₂ (p × d₂), Z₂ᵀy (d₂), XᵀX (p × p), Xᵀy (p).
    let z2z2: [Double], xz2: [Double], z2y: [Double], xx: [Double], xy: [Double]

    /// The solution and determinants at one θ.
    public struct Solution: Sendable {
        /// log det(ΛᵀZᵀZΛ + I).
        public var logDetL: Double
        /// log det(R_XᵀR_X) = log det(XᵀV⁻¹X)·σ²-free.
        public var logDetRX: Double
        /// Penalised residual sum of squares.
        public var pwrss: Double
        public var beta: [Double]
        /// Spherical random effects u, block by block, group by group.
        public var u: [[Double]]
        public var residuals: [Double]
        /// L_XX, the fixed-effects corner of the dense Cholesky factor (p × p, lower, column-major).
        public var lxx: [Double]

        /// `(R_XᵀR_X)⁻¹`, p × p column-major: vcov(β)/σ².
        public func unscaledCovariance(p: Int) -> [Double]? {
            var a = lxx
            let ok = a.withUnsafeMutableBufferPointer { StridedKernels.inverseFromCholeskyLower(n: p, a: $0.baseAddress!, lda: p) }
            return ok ? a : nil
        }
    }

    /// Precomputes the θ-free products.
    ///
    /// - Precondition: at least one grouping, and
    ///   `denseColumns(groupings:fixedColumns:) ≤ denseLimit`.
    public init(x: Matrix, y: [Double], groupings blocks: [Grouping]) {
        precondition(!blocks.isEmpty, "a mixed model has random effects")
        precondition(Self.denseColumns(groupings: blocks, fixedColumns: x.columns) <= Self.denseLimit, "dense part too large")
        let n = x.rows, p = x.columns
        self.n = n
        self.p = p
        self.blocks = blocks
        self.x = x.storage
        self.y = y
        let q0 = blocks[0].q, groups0 = blocks[0].groups
        self.q0 = q0
        self.groups0 = groups0
        var offset2 = [-1], d2 = 0
        for t in 1..<blocks.count {
            offset2.append(d2)
            d2 += blocks[t].groups * blocks[t].q
        }
        self.offset2 = offset2
        self.d2 = d2

        // Rows by group of block 0.
        let level0 = blocks[0].groupOfRow, z0 = blocks[0].z
        var rowsOf = [[Int]](repeating: [], count: groups0)
        for i in 0..<n { rowsOf[level0[i]].append(i) }

        var g0 = [Double](repeating: 0, count: groups0 * q0 * q0)
        var zx0 = [Double](repeating: 0, count: groups0 * q0 * p)
        var zy0 = [Double](repeating: 0, count: groups0 * q0)
        var crossStart = [0], crossBlock = [Int](), crossColumn = [Int](), crossValueStart = [Int](), crossValues = [Double]()
        var activeStart = [0], active = [Int]()
        for j in 0..<groups0 {
            // Cross products with the other terms: keyed by first column.
            var cross = [Int: (block: Int, values: [Double])]()
            for i in rowsOf[j] {
                for a in 0..<q0 {
                    let za = z0[i * q0 + a]
                    for b in 0..<q0 { g0[j * q0 * q0 + a + b * q0] += za * z0[i * q0 + b] }
                    for k in 0..<p { zx0[j * q0 * p + a + k * q0] += za * x.storage[i + k * n] }
                    zy0[j * q0 + a] += za * y[i]
                }
                for t in 1..<blocks.count {
                    let qt = blocks[t].q
                    let column = offset2[t] + blocks[t].groupOfRow[i] * qt
                    var entry = cross[column] ?? (t, [Double](repeating: 0, count: q0 * qt))
                    for a in 0..<q0 {
                        for b in 0..<qt { entry.values[a + b * q0] += z0[i * q0 + a] * blocks[t].z[i * qt + b] }
                    }
                    cross[column] = entry
                }
            }
            for column in cross.keys.sorted() {
                let entry = cross[column]!
                crossBlock.append(entry.block)
                crossColumn.append(column)
                crossValueStart.append(crossValues.count)
                crossValues.append(contentsOf: entry.values)
                for b in 0..<blocks[entry.block].q { active.append(column + b) }
            }
            for k in 0..<p { active.append(d2 + k) }
            crossStart.append(crossBlock.count)
            activeStart.append(active.count)
        }
        self.g0 = g0
        self.zx0 = zx0
        self.zy0 = zy0
        self.crossStart = crossStart
        self.crossBlock = crossBlock
        self.crossColumn = crossColumn
        self.crossValueStart = crossValueStart
        self.crossValues = crossValues
        self.activeStart = activeStart
        self.active = active

        // Dense products.
        var z2z2 = [Double](repeating: 0, count: d2 * d2)
        var xz2 = [Double](repeating: 0, count: p * d2)
        var z2y = [Double](repeating: 0, count: d2)
        if d2 > 0 {
            var columns = [Int](), values = [Double]()
            for i in 0..<n {
                columns.removeAll(keepingCapacity: true)
                values.removeAll(keepingCapacity: true)
                for t in 1..<blocks.count {
                    let qt = blocks[t].q
                    for b in 0..<qt {
                        columns.append(offset2[t] + blocks[t].groupOfRow[i] * qt + b)
                        values.append(blocks[t].z[i * qt + b])
                    }
                }
                for (a, ca) in columns.enumerated() {
                    for (b, cb) in columns.enumerated() { z2z2[ca + cb * d2] += values[a] * values[b] }
                    for k in 0..<p { xz2[k + ca * p] += x.storage[i + k * n] * values[a] }
                    z2y[ca] += values[a] * y[i]
                }
            }
        }
        self.z2z2 = z2z2
        self.xz2 = xz2
        self.z2y = z2y
        self.xx = x.multiplied(by: x, transposeSelf: .transposed).storage
        self.xy = x.multiplied(by: y, transpose: .transposed)
    }

    /// Solves the system at θ; nil when a factorisation fails (not
    /// positive definite, which only rounding can cause). In stages: the
    /// dense system of the blocks after the first, block 0 eliminated group
    /// by group, the dense Schur complement factored and solved, then the
    /// random effects and residuals.
    public func solve(theta: [Double]) -> Solution? {
        let factors = Self.relativeFactors(theta: theta, qs: blocks.map(\.q))
        var (s, c) = denseSystem(factors)
        guard var zero = eliminateBlockZero(factors, s: &s, c: &c) else { return nil }
        guard let (w, logDetRX) = Self.solveSchur(&s, c, d2: d2, logDetL: &zero.logDetL), zero.logDetL.isFinite else { return nil }
        let ds = d2 + p
        let beta = Array(w[d2...])
        var lxx = [Double](repeating: 0, count: p * p)
        for col in 0..<p { for row in col..<p { lxx[row + col * p] = s[d2 + row + (d2 + col) * ds] } }
        let u = randomEffects(zero, w: w)
        let (residuals, pwrss) = residualsAndPenalisedRSS(beta: beta, u: u, factors: factors)
        return Solution(logDetL: zero.logDetL, logDetRX: logDetRX, pwrss: pwrss, beta: beta, u: u,
                        residuals: residuals, lxx: lxx)
    }

    /// The dense system of the blocks after the first and the fixed effects:
    /// its lower triangle (relative factors applied, + I on the random part)
    /// and right-hand side.
    func denseSystem(_ factors: [[Double]]) -> (s: [Double], c: [Double]) {
        let ds = d2 + p
        var s = [Double](repeating: 0, count: ds * ds)
        var c = [Double](repeating: 0, count: ds)
        s.withUnsafeMutableBufferPointer { sb in
            let sp = sb.baseAddress!
            for col in 0..<d2 { for row in 0..<d2 { sp[row + col * ds] = z2z2[row + col * d2] } }
            for col in 0..<d2 { for k in 0..<p { sp[d2 + k + col * ds] = xz2[k + col * p] } }
            for col in 0..<p { for row in 0..<p { sp[d2 + row + (d2 + col) * ds] = xx[row + col * p] } }
            for t in 1..<blocks.count {
                let qt = blocks[t].q
                factors[t].withUnsafeBufferPointer { tb in
                    for l in 0..<blocks[t].groups {
                        let first = offset2[t] + l * qt
                        // Columns of the block: [Z₂ᵀZ₂; XᵀZ₂][:, block]·T_t.
                        StridedKernels.lowerTriangularMultiply(side: .right, transpose: false, m: ds, n: qt,
                                                               l: tb.baseAddress!, ldl: qt, b: sp + first * ds, ldb: ds)
                        // Rows of the block (within Z₂ᵀZ₂): T_tᵀ·[…].
                        StridedKernels.lowerTriangularMultiply(side: .left, transpose: true, m: qt, n: d2,
                                                               l: tb.baseAddress!, ldl: qt, b: sp + first, ldb: ds)
                    }
                }
            }
            for i in 0..<d2 { sp[i + i * ds] += 1 }
        }
        for i in 0..<d2 { c[i] = z2y[i] }
        for k in 0..<p { c[d2 + k] = xy[k] }
        c.withUnsafeMutableBufferPointer { cb in
            for t in 1..<blocks.count {
                let qt = blocks[t].q
                factors[t].withUnsafeBufferPointer { tb in
                    StridedKernels.lowerTriangularMultiply(side: .left, transpose: true, m: qt, n: blocks[t].groups,
                                                           l: tb.baseAddress!, ldl: qt, b: cb.baseAddress! + offset2[t], ldb: qt)
                }
            }
        }

        return (s, c)
    }

    /// Block 0 eliminated group by group: each group's factor Lⱼ, its Eⱼ
    /// and fⱼ, and log det of the Lⱼ; `s` and `c` updated. Nil when a
    /// factorisation fails.
    struct BlockZero {
        var logDetL: Double
        var lStore: [Double]
        var eStore: [Double]
        var fStore: [Double]
    }

    func eliminateBlockZero(_ factors: [[Double]], s: inout [Double], c: inout [Double]) -> BlockZero? {
        let t0 = factors[0]
        let ds = d2 + p
        var logDetL = 0.0
        var lStore = [Double](repeating: 0, count: groups0 * q0 * q0)
        var eStore = [Double](repeating: 0, count: q0 * active.count)
        var fStore = [Double](repeating: 0, count: groups0 * q0)
        var gram = [Double]()
        var failed = false
        t0.withUnsafeBufferPointer { tb in
            let tp = tb.baseAddress!
            lStore.withUnsafeMutableBufferPointer { lb in
            eStore.withUnsafeMutableBufferPointer { eb in
            fStore.withUnsafeMutableBufferPointer { fb in
            s.withUnsafeMutableBufferPointer { sb in
            c.withUnsafeMutableBufferPointer { cb in
                for j in 0..<groups0 where !failed {
                    // Aⱼ = T₀ᵀGⱼT₀ + I, factored.
                    let lj = lb.baseAddress! + j * q0 * q0
                    for k in 0..<(q0 * q0) { lj[k] = g0[j * q0 * q0 + k] }
                    StridedKernels.lowerTriangularMultiply(side: .right, transpose: false, m: q0, n: q0, l: tp, ldl: q0, b: lj, ldb: q0)
                    StridedKernels.lowerTriangularMultiply(side: .left, transpose: true, m: q0, n: q0, l: tp, ldl: q0, b: lj, ldb: q0)
                    for a in 0..<q0 { lj[a + a * q0] += 1 }
                    guard StridedKernels.choleskyLower(n: q0, a: lj, lda: q0) else { failed = true; break }
                    for a in 0..<q0 { logDetL += 2 * Glibc.log(lj[a + a * q0]) }
                    // Bⱼ = T₀ᵀ[Cⱼ·Λ₂ | ZⱼᵀX], then Eⱼ = Lⱼ⁻¹Bⱼ.
                    let first = activeStart[j], m = activeStart[j + 1] - first
                    let ej = eb.baseAddress! + q0 * first
                    var column = 0
                    for e in crossStart[j]..<crossStart[j + 1] {
                        let t = crossBlock[e], qt = blocks[t].q
                        for k in 0..<(q0 * qt) { ej[column * q0 + k] = crossValues[crossValueStart[e] + k] }
                        factors[t].withUnsafeBufferPointer { ttb in
                            StridedKernels.lowerTriangularMultiply(side: .right, transpose: false, m: q0, n: qt,
                                                                   l: ttb.baseAddress!, ldl: qt, b: ej + column * q0, ldb: q0)
                        }
                        column += qt
                    }
                    for k in 0..<(q0 * p) { ej[column * q0 + k] = zx0[j * q0 * p + k] }
                    StridedKernels.lowerTriangularMultiply(side: .left, transpose: true, m: q0, n: m, l: tp, ldl: q0, b: ej, ldb: q0)
                    StridedKernels.lowerTriangularSolve(side: .left, transpose: false, m: q0, n: m, l: lj, ldl: q0, b: ej, ldb: q0)
                    // fⱼ = Lⱼ⁻¹T₀ᵀZⱼᵀy.
                    let fj = fb.baseAddress! + j * q0
                    for a in 0..<q0 { fj[a] = zy0[j * q0 + a] }
                    StridedKernels.lowerTriangularMultiply(side: .left, transpose: true, m: q0, n: 1, l: tp, ldl: q0, b: fj, ldb: q0)
                    StridedKernels.lowerTriangularSolve(side: .left, transpose: false, m: q0, n: 1, l: lj, ldl: q0, b: fj, ldb: q0)
                    // S −= EⱼᵀEⱼ and c −= Eⱼᵀfⱼ on the active columns.
                    if gram.count < m * m { gram = [Double](repeating: 0, count: m * m) }
                    gram.withUnsafeMutableBufferPointer { gb in
                        StridedKernels.gramUpdate(n: m, k: q0, alpha: 1, a: ej, lda: q0, beta: 0, c: gb.baseAddress!, ldc: m)
                        for b in 0..<m {
                            let cb2 = active[first + b]
                            for a in b..<m { sb[active[first + a] + cb2 * ds] -= gb[a + b * m] }
                        }
                    }
                    for a in 0..<m {
                        var sum = 0.0
                        for k in 0..<q0 { sum += ej[a * q0 + k] * fj[k] }
                        cb[active[first + a]] -= sum
                    }
                }
            }}}}}
        }
        if failed { return nil }
        return BlockZero(logDetL: logDetL, lStore: lStore, eStore: eStore, fStore: fStore)
    }

    /// The dense Schur complement factored (adding its random part's log
    /// det to `logDetL`) and solved for w; nil when not positive definite.
    static func solveSchur(_ s: inout [Double], _ c: [Double], d2: Int, logDetL: inout Double) -> (w: [Double], logDetRX: Double)? {
        let ds = c.count
        var logDetRX = 0.0
        var w = c
        var detL = logDetL
        let ok = s.withUnsafeMutableBufferPointer { sb -> Bool in
            let sp = sb.baseAddress!
            guard StridedKernels.choleskyLower(n: ds, a: sp, lda: ds) else { return false }
            for i in 0..<d2 { detL += 2 * Glibc.log(sp[i + i * ds]) }
            for i in d2..<ds { logDetRX += 2 * Glibc.log(sp[i + i * ds]) }
            w.withUnsafeMutableBufferPointer { wb in
                StridedKernels.lowerTriangularSolve(side: .left, transpose: false, m: ds, n: 1, l: sp, ldl: ds, b: wb.baseAddress!, ldb: ds)
                StridedKernels.lowerTriangularSolve(side: .left, transpose: true, m: ds, n: 1, l: sp, ldl: ds, b: wb.baseAddress!, ldb: ds)
            }
            return true
        }
        guard ok else { return nil }
        logDetL = detL
        return (w, logDetRX)
    }

    /// The spherical random effects: block 0 by back-substitution,
    /// uⱼ = Lⱼ⁻ᵀ(fⱼ − Eⱼ·w[active]); the other blocks from w.
    func randomEffects(_ zero: BlockZero, w: [Double]) -> [[Double]] {
        let lStore = zero.lStore, eStore = zero.eStore
        var u0 = zero.fStore
        u0.withUnsafeMutableBufferPointer { ub in
            lStore.withUnsafeBufferPointer { lb in
                for j in 0..<groups0 {
                    let first = activeStart[j], m = activeStart[j + 1] - first
                    let uj = ub.baseAddress! + j * q0
                    for a in 0..<m {
                        let wa = w[active[first + a]]
                        for k in 0..<q0 { uj[k] -= eStore[q0 * (first + a) + k] * wa }
                    }
                    StridedKernels.lowerTriangularSolve(side: .left, transpose: true, m: q0, n: 1,
                                                        l: lb.baseAddress! + j * q0 * q0, ldl: q0, b: uj, ldb: q0)
                }
            }
        }
        var u = [u0]
        for t in 1..<blocks.count {
            u.append(Array(w[offset2[t]..<(offset2[t] + blocks[t].groups * blocks[t].q)]))
        }

        return u
    }

    /// Residuals y − Xβ − Σ Z_t·(T_t u_t), and the penalised RSS.
    func residualsAndPenalisedRSS(beta: [Double], u: [[Double]], factors: [[Double]]) -> (residuals: [Double], pwrss: Double) {
        var residuals = y
        for k in 0..<p {
            let bk = beta[k]
            if bk == 0 { continue }
            for i in 0..<n { residuals[i] -= x[i + k * n] * bk }
        }
        var pwrss = 0.0
        for t in 0..<blocks.count {
            let qt = blocks[t].q, groups = blocks[t].groups
            var b = u[t]
            b.withUnsafeMutableBufferPointer { bb in
                factors[t].withUnsafeBufferPointer { tb in
                    StridedKernels.lowerTriangularMultiply(side: .left, transpose: false, m: qt, n: groups,
                                                           l: tb.baseAddress!, ldl: qt, b: bb.baseAddress!, ldb: qt)
                }
            }
            let z = blocks[t].z, level = blocks[t].groupOfRow
            for i in 0..<n {
                var sum = 0.0
                for k in 0..<qt { sum += z[i * qt + k] * b[level[i] * qt + k] }
                residuals[i] -= sum
            }
            for v in u[t] { pwrss += v * v }
        }
        for r in residuals { pwrss += r * r }
        return (residuals, pwrss)
    }

    /// lme4's profiled deviance (ML) or REML criterion at a solution:
    /// ML `ldL2 + n(1 + log(2π·pwrss/n))`, REML
    /// `ldL2 + ldRX2 + (n − p)(1 + log(2π·pwrss/(n − p)))`.
    public func objective(_ s: Solution, reml: Bool) -> Double {
        let nn = Double(reml ? n - p : n)
        return s.logDetL + (reml ? s.logDetRX : 0) + nn * (1 + Glibc.log(2 * Double.pi * s.pwrss / nn))
    }

    /// The objective at θ (+∞ where the system cannot be solved).
    public func objective(theta: [Double], reml: Bool) -> Double {
        solve(theta: theta).map { objective($0, reml: reml) } ?? .infinity
    }
}
