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
        let n = x.rows, p = x.columns, m = y.columns
        let qr = try PivotedQR(x)
        let r = qr.rank
        self.rank = r
        let df = n - r
        self.residualDF = df
        var estimates = Matrix(rows: p, columns: m, repeating: .nan)
        var standardErrors = estimates, statistics = estimates, pValues = estimates
        if r > 0 && m > 0 {
            let q = try qr.thinQ().selectingColumns(Array(0..<r))
            let qty = q.multiplied(by: y, transposeSelf: .transposed)            // r × m
            let rInverse = try qr.inverseOfLeadingR()                              // r × r
            let z = rInverse.multiplied(by: qty)                                   // pivoted coefficients
            // Residual sums of squares from the residuals themselves,
            // `yᵢ − Σₖ Q[i, k]·(QᵀY)[k, c]`, each fitted value formed as the
            // residual is taken (one pass over Y, no n × m temporary), in a
            // fixed order of plain loops: the same bits on every CPU and
            // thread count. Columns on all cores.
            let rssValues = parallelChunkMap(count: m, minimumPerChunk: 32) { range -> [Double] in
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
            // (R⁻¹R⁻ᵀ)ₖₖ = Σⱼ R⁻¹[k, j]².
            let unscaled = (0..<r).map { k in (0..<r).reduce(0.0) { $0 + rInverse[k, $1] * rInverse[k, $1] } }
            let t = df > 0 && tests ? StudentT(degreesOfFreedom: Double(df)) : nil
            let permutation = qr.permutation
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
        }
        self.estimates = estimates
        self.standardErrors = standardErrors
        self.statistics = statistics
        self.pValues = pValues
    }
}
