import FoundationEssentials
import MoodbiomeNumerics

/// Ordinary least squares of many responses on one design, all at once:
/// one pivoted QR of the design (LAPACK `dgeqp3`, R's `lm` rank rule),
/// `Qᵀ·Y` for every response as one GEMM, the coefficients from `R⁻¹`,
/// residuals `Y − Q(QᵀY)` formed column by column and their sums of squares.
/// Standard errors `σ̂·√((R⁻¹R⁻ᵀ)ⱼⱼ)`, t tests on `n − rank` degrees of
/// freedom — each column's numbers are those of R's `lm(y ~ design)`
/// (aliased columns NaN, as R's `NA`).
///
/// This is how thousands of per-feature models cost one factorisation:
/// MaAsLin2 fits them one `glm` at a time.
public struct BatchLinearFit: Sendable {
    /// p × responses: coefficients, NaN for aliased columns.
    public let estimates: Matrix
    public let standardErrors: Matrix
    public let statistics: Matrix
    public let pValues: Matrix
    /// Residual degrees of freedom, `n − rank`.
    public let residualDF: Int
    public let rank: Int

    /// Fits every column of `y` (n × responses) on `x` (n × p); without
    /// `tests`, the p-values are left NaN (for a caller that tests corrected
    /// estimates itself, as LinDA).
    public init(x: Matrix, y: Matrix, tests: Bool = true) throws {
        precondition(x.rows == y.rows, "the design and the responses have the same rows")
        let factor = try Factor(x), m = y.columns
        guard factor.rank > 0 && m > 0 else { self.init(factor: factor, responses: m, tests: tests); return }
        let q = factor.q, n = x.rows, r = factor.rank
        let qty = q.multiplied(by: y, transposeSelf: .transposed)            // r × m
        // Residual sums of squares from the residuals themselves,
        // `yᵢ − Σₖ Q[i, k]·(QᵀY)[k, c]`, each fitted value formed as the
        // residual is taken (one pass over Y, no n × m temporary), in a
        // fixed order of plain loops: the same bits on every CPU and
        // thread count. Columns on all cores.
        let rss = parallelChunkMap(count: m, minimumPerChunk: 32) { range -> [Double] in
            q.storage.withUnsafeBufferPointer { q in
                qty.storage.withUnsafeBufferPointer { qty in
                    y.storage.withUnsafeBufferPointer { y in
                        var fitted = [Double](repeating: 0, count: n)
                        return range.map { c in
                            for i in 0..<n { fitted[i] = 0 }
                            for k in 0..<r {
                                let b = qty[k + c * r], column = k * n
                                for i in 0..<n { fitted[i] += q[column + i] * b }
                            }
                            var rss = 0.0
                            let column = c * n
                            for i in 0..<n { let d = y[column + i] - fitted[i]; rss += d * d }
                            return rss
                        }
                    }
                }
            }
        }.flatMap { $0 }
        self.init(factor: factor, qty: qty, rss: rss, tests: tests)
    }

    /// Fits `responses` columns never held whole: `rows(block, range)`
    /// writes rows `range` of every response into `block`, row by row
    /// (row i's `responses` values at `block[(i − range.lowerBound) · responses]`),
    /// and is called twice for each range — for `QᵀY`, then for the
    /// residuals `Y − Q·QᵀY`. The rows go in eight groups whatever the core
    /// count, each group in blocks of 64 rows in order and the groups' sums
    /// added in order: the same bits on any machine. For many responses on
    /// many rows (LinDA's features), where the whole n × responses matrix
    /// would cost more to page in than to make twice.
    public init(x: Matrix, responses m: Int, tests: Bool = true,
                rows: @Sendable (_ block: UnsafeMutablePointer<Double>, _ range: Range<Int>) -> Void) throws {
        let factor = try Factor(x), n = x.rows
        guard factor.rank > 0 && m > 0 else { self.init(factor: factor, responses: m, tests: tests); return }
        let q = factor.q, r = factor.rank
        // One pass: per group, Σ over its blocks of Y[block]ᵀ · Q[block] (m × r, (QᵀY)ᵀ).
        let parts = Self.byRowGroups(n: n, m: m, length: m * r, rows: rows) { block, range, sum in
            q.storage.withUnsafeBufferPointer { q in
                for columns in Self.singleThreadedSlices(m: m, r: r) {
                    StridedKernels.multiply(transposeA: false, transposeB: false, m: columns.count, n: r, k: range.count, alpha: 1,
                                            a: block + columns.lowerBound, lda: m, b: q.baseAddress! + range.lowerBound, ldb: n,
                                            beta: 1, c: sum + columns.lowerBound, ldc: m)
                }
            }
        }
        var transposed = [Double](repeating: 0, count: m * r)
        for part in parts { for k in 0..<(m * r) { transposed[k] += part[k] } }
        // The other: per group, each response's Σ (y − Q[block]·QᵀY)², rows in order.
        let qtyT = transposed
        let rssParts = Self.byRowGroups(n: n, m: m, length: m, rows: rows) { block, range, sum in
            q.storage.withUnsafeBufferPointer { q in
                qtyT.withUnsafeBufferPointer { qtyT in
                    for columns in Self.singleThreadedSlices(m: m, r: r) {
                        StridedKernels.multiply(transposeA: false, transposeB: true, m: columns.count, n: range.count, k: r, alpha: -1,
                                                a: qtyT.baseAddress! + columns.lowerBound, lda: m, b: q.baseAddress! + range.lowerBound, ldb: n,
                                                beta: 1, c: block + columns.lowerBound, ldc: m)
                    }
                }
            }
            for i in 0..<range.count {
                let residuals = block + i * m
                for c in 0..<m { sum[c] += residuals[c] * residuals[c] }
            }
        }
        var rss = [Double](repeating: 0, count: m)
        for part in rssParts { for c in 0..<m { rss[c] += part[c] } }
        var qty = Matrix(rows: r, columns: m)
        for c in 0..<m { for k in 0..<r { qty[k, c] = transposed[c + k * m] } }
        self.init(factor: factor, qty: qty, rss: rss, tests: tests)
    }

    /// Rows per block of ``init(x:responses:tests:rows:)``.
    static let blockRows = 64

    /// The responses in slices whose products with a block of rows
    /// (slice × r × ``blockRows`` multiply–adds) stay under OpenBLAS's threshold for
    /// threading a `dgemm` (65,536 × 4): each call then runs on its
    /// caller's thread, as both cores call at once. (OpenBLAS's thread count
    /// is process-wide, so it is never changed for a call: another thread's
    /// call may be running on it.) Fixed by the sizes alone, so the same
    /// slices, the same bits, on any machine.
    static func singleThreadedSlices(m: Int, r: Int) -> [Range<Int>] {
        let width = Swift.max(8, (65_536 * 4 / Swift.max(1, blockRows * r)) / 8 * 8)
        return stride(from: 0, to: m, by: width).map { $0..<Swift.min(m, $0 + width) }
    }

    /// Runs `body(block, range, sum)` over the rows in eight fixed groups
    /// (on all cores), each group's blocks of 64 rows in order into the
    /// group's own `sum` (`length` zeros to start); the groups' sums in order.
    private static func byRowGroups(n: Int, m: Int, length: Int, rows: @Sendable (UnsafeMutablePointer<Double>, Range<Int>) -> Void,
                                    body: @Sendable (UnsafeMutablePointer<Double>, Range<Int>, UnsafeMutablePointer<Double>) -> Void)
        -> [[Double]] {
        let groups = 8
        return parallelChunkMap(count: groups) { chosen in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: blockRows * m) { buffer in
                chosen.map { g -> [Double] in
                    var sum = [Double](repeating: 0, count: length)
                    sum.withUnsafeMutableBufferPointer { sum in
                        let groupRows = (n * g / groups)..<(n * (g + 1) / groups)
                        for start in stride(from: groupRows.lowerBound, to: groupRows.upperBound, by: blockRows) {
                            let range = start..<Swift.min(start + blockRows, groupRows.upperBound)
                            rows(buffer.baseAddress!, range)
                            body(buffer.baseAddress!, range, sum.baseAddress!)
                        }
                    }
                    return sum
                }
            }
        }.flatMap { $0 }
    }

    /// The design's pivoted QR, its rank, thin `Q` (n × rank) and `R⁻¹`.
    private struct Factor {
        let qr: PivotedQR, rank: Int, q: Matrix, rInverse: Matrix
        init(_ x: Matrix) throws {
            qr = try PivotedQR(x)
            rank = qr.rank
            q = rank > 0 ? try qr.thinQ().selectingColumns(Array(0..<rank)) : Matrix(rows: x.rows, columns: 0)
            rInverse = rank > 0 ? try qr.inverseOfLeadingR() : Matrix(rows: 0, columns: 0)
        }
    }

    /// Every coefficient NaN (a design of rank 0, or no responses).
    private init(factor: Factor, responses m: Int, tests: Bool) {
        let p = factor.qr.permutation.count
        let nan = Matrix(rows: p, columns: m, repeating: .nan)
        (estimates, standardErrors, statistics, pValues) = (nan, nan, nan, nan)
        rank = factor.rank
        residualDF = factor.q.rows - factor.rank
    }

    /// The coefficients `R⁻¹·QᵀY` (unpivoted), their standard errors from
    /// the residual sums of squares, t statistics and (with `tests`) p-values.
    private init(factor: Factor, qty: Matrix, rss rssValues: [Double], tests: Bool) {
        let r = factor.rank, m = qty.columns, p = factor.qr.permutation.count
        let df = factor.q.rows - r
        self.rank = r
        self.residualDF = df
        var estimates = Matrix(rows: p, columns: m, repeating: .nan)
        var standardErrors = estimates, statistics = estimates, pValues = estimates
        let rInverse = factor.rInverse
        let z = rInverse.multiplied(by: qty)                                   // pivoted coefficients
        // (R⁻¹R⁻ᵀ)ₖₖ = Σⱼ R⁻¹[k, j]².
        let unscaled = (0..<r).map { k in (0..<r).reduce(0.0) { $0 + rInverse[k, $1] * rInverse[k, $1] } }
        let t = df > 0 && tests ? StudentT(degreesOfFreedom: Double(df)) : nil
        let permutation = factor.qr.permutation
        estimates.withParallelWriter { estimates in
            standardErrors.withParallelWriter { standardErrors in
                statistics.withParallelWriter { statistics in
                    pValues.withParallelWriter { pValues in
                        _ = parallelChunkMap(count: m, minimumPerChunk: 64) { range in
                            for c in range {
                                let sigma2 = df > 0 ? rssValues[c] / Double(df) : .nan
                                for k in 0..<r {
                                    let j = permutation[k]
                                    let b = z[k, c], se = (sigma2 * unscaled[k]).squareRoot()
                                    let statistic = b / se
                                    estimates.set(j, c, b)
                                    standardErrors.set(j, c, se)
                                    statistics.set(j, c, statistic)
                                    pValues.set(j, c, t.map { Swift.min(1, 2 * $0.sf(abs(statistic))) } ?? .nan)
                                }
                            }
                        }
                    }
                }
            }
        }
        self.estimates = estimates
        self.standardErrors = standardErrors
        self.statistics = statistics
        self.pValues = pValues
    }
}
