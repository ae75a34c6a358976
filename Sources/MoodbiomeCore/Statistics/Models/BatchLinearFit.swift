import FoundationEssentials
import MoodbiomeNumerics

/// Ordinary least squares of many responses on one design, all at once:
/// one pivoted QR of the design (LAPACK `dgeqp3`, R's `lm` rank rule),
/// `Qᵀ·Y` for every response as one GEMM, the coefficients from `R⁻¹`,
/// residuals `Y − Q(QᵀY)` by further GEMMs on blocks of columns and their
/// sums of squares.
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

    /// Fits every column of `y` (n × responses) on `x` (n × p).
    public init(x: Matrix, y: Matrix) throws {
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
            // `Y − Q(QᵀY)` one block of columns at a time (one GEMM each,
            // never an n × m temporary).
            var rssValues = [Double](repeating: 0, count: m)
            let width = 256
            var start = 0
            while start < m {
                let end = Swift.min(m, start + width)
                let block = Matrix(rows: r, columns: end - start, columnMajor: Array(qty.storage[(start * r)..<(end * r)]))
                let fitted = q.multiplied(by: block)
                for c in start..<end {
                    var rss = 0.0
                    let f = fitted.column(c - start)
                    for (v, w) in zip(y.column(c), f) { rss += (v - w) * (v - w) }
                    rssValues[c] = rss
                }
                start = end
            }
            // (R⁻¹R⁻ᵀ)ₖₖ = Σⱼ R⁻¹[k, j]².
            let unscaled = (0..<r).map { k in (0..<r).reduce(0.0) { $0 + rInverse[k, $1] * rInverse[k, $1] } }
            let t = df > 0 ? StudentT(degreesOfFreedom: Double(df)) : nil
            for c in 0..<m {
                let rss = rssValues[c]
                let sigma2 = df > 0 ? rss / Double(df) : .nan
                for k in 0..<r {
                    let j = qr.permutation[k]
                    let b = z[k, c], se = (sigma2 * unscaled[k]).squareRoot()
                    estimates[j, c] = b
                    standardErrors[j, c] = se
                    let statistic = b / se
                    statistics[j, c] = statistic
                    pValues[j, c] = t.map { Swift.min(1, 2 * $0.sf(abs(statistic))) } ?? .nan
                }
            }
        }
        self.estimates = estimates
        self.standardErrors = standardErrors
        self.statistics = statistics
        self.pValues = pValues
    }
}
