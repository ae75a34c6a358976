import FoundationEssentials
import MoodbiomeNumerics

/// Ordinary least squares, fitted by the rank-revealing QR factorisation
/// with column pivoting (LAPACK `dgeqp3`), never by the normal equations:
/// `XP = QR`, `β = R₁₁⁻¹Q₁ᵀy`, `(XᵀX)⁻¹ = R₁₁⁻¹R₁₁⁻ᵀ` on the non-aliased
/// columns. This is R's `lm` algorithm (LINPACK `dqrdc2` there) and keeps
/// ill-conditioned designs such as NIST's Longley accurate to 12+ digits.
///
/// Statistics and conventions (R `summary.lm`, statsmodels `OLS`):
/// - `σ̂² = RSS/(n − r)` with r the rank; t = β/SE on n − r df; the
///   confidence interval is `β ± t₍₁₋α/2, n−r₎·SE`.
/// - R² = 1 − RSS/TSS with TSS about the mean when the model has an
///   intercept and about zero otherwise; adjusted R² = 1 − (1 − R²)(n − i)/(n − r)
///   with i = 1 for an intercept.
/// - F = ((TSS − RSS)/(r − i)) / σ̂² on (r − i, n − r) df — the classical
///   overall test, also when robust standard errors are asked for.
/// - log L = −n/2·(log 2π + log(RSS/n) + 1). AIC = −2 log L + 2(r + 1) and
///   BIC = −2 log L + log(n)(r + 1) count σ as a parameter, as R's `AIC`
///   and `BIC` do (statsmodels' `aic` omits it and is 2 lower).
/// - Robust (sandwich) covariances HC0–HC3 `(XᵀX)⁻¹XᵀΩX(XᵀX)⁻¹` with the
///   leverages hᵢ = ‖Q₁ᵢ‖²; tests with them still use t on n − r df (as
///   R's `lmtest::coeftest(vcovHC(...))`).
/// - Standardised coefficients β·sd(xⱼ)/sd(y) (sample SDs over the rows used).
/// - Variance inflation per term: the generalised VIF of Fox & Monette
///   (1992), `det R₁₁·det R₂₂ / det R` on the correlation matrix of the
///   non-intercept columns; for one-column terms it is the usual 1/(1 − Rⱼ²).
///   Undefined (nil) without an intercept.
public struct LinearRegression: Sendable {
    public let design: DesignMatrix
    public let coefficients: [Coefficient]
    /// Coefficient covariance, design order (NaN for aliased columns).
    public let covariance: Matrix
    public let covarianceType: CovarianceType
    public let confidenceLevel: Double
    public let fitted: [Double]
    public let residuals: [Double]
    public let rank: Int
    public var nobs: Int { design.response.count }
    public var dfResidual: Int { nobs - rank }
    public let residualSumOfSquares: Double
    public let rSquared: Double
    public let adjustedRSquared: Double
    /// Residual standard error σ̂.
    public let sigma: Double
    public let fStatistic: Double
    public let fDegreesOfFreedom: (numerator: Int, denominator: Int)
    public let fPValue: Double
    public let logLikelihood: Double
    public let aic: Double
    public let bic: Double

    public init(design: DesignMatrix, covarianceType: CovarianceType = .classical, confidenceLevel: Double = 0.95,
                clustering: Clustering? = nil) throws {
        precondition(covarianceType != .cluster || clustering != nil, "cluster-robust errors need the clusters")
        precondition(confidenceLevel > 0 && confidenceLevel < 1, "confidence level must be in (0, 1)")
        self.design = design
        self.covarianceType = covarianceType
        self.confidenceLevel = confidenceLevel
        let x = design.x, y = design.response
        let n = x.rows, p = x.columns
        let qr = try PivotedQR(x)
        let r = qr.rank
        self.rank = r
        let beta = try qr.solveLeastSquares(y)
        // Fitted values from the non-aliased columns.
        let used = (0..<p).filter { beta[$0] != nil }
        let fitted = used.isEmpty ? [Double](repeating: 0, count: n)
            : x.selectingColumns(used).multiplied(by: used.map { beta[$0] ?? 0 })
        let residuals = zip(y, fitted).map { $0 - $1 }
        self.fitted = fitted
        self.residuals = residuals
        let rss = residuals.reduce(0) { $0 + $1 * $1 }
        self.residualSumOfSquares = rss
        let df = n - r
        let sigma2 = df > 0 ? rss / Double(df) : .nan
        self.sigma = sigma2.squareRoot()

        let pivoted = try Self.pivotedCovariance(qr, residuals: residuals, sigma2: sigma2, type: covarianceType, clustering: clustering)
        let covariance = unpivot(pivoted, permutation: qr.permutation, rank: r, columns: p)
        self.covariance = covariance

        // Fit statistics.
        let meanY = y.reduce(0, +) / Double(n)
        let tss = design.hasIntercept ? y.reduce(0) { $0 + ($1 - meanY) * ($1 - meanY) } : y.reduce(0) { $0 + $1 * $1 }
        let interceptDf = design.hasIntercept ? 1 : 0
        self.rSquared = 1 - rss / tss
        self.adjustedRSquared = df > 0 ? 1 - (1 - rSquared) * Double(n - interceptDf) / Double(df) : .nan
        let df1 = r - interceptDf
        self.fDegreesOfFreedom = (df1, df)
        if df1 > 0 && df > 0 && covarianceType != .classical {
            // The robust Wald F of all non-intercept coefficients,
            // βᵀ V⁻¹ β / q with V the robust covariance (as statsmodels'
            // f_test, Stata's `test`, and lmtest::waldtest with that vcov).
            let tested = (0..<p).filter { design.columnTerms[$0] != nil && beta[$0] != nil }
            let b = tested.map { beta[$0] ?? 0 }
            if let u = try? Cholesky(covariance.principalSubmatrix(tested)) {
                self.fStatistic = u.quadraticForm(b) / Double(tested.count)
                self.fPValue = FDistribution(numeratorDegreesOfFreedom: Double(tested.count), denominatorDegreesOfFreedom: Double(df)).sf(fStatistic)
            } else {
                self.fStatistic = .nan
                self.fPValue = .nan
            }
        } else if df1 > 0 && df > 0 {
            self.fStatistic = ((tss - rss) / Double(df1)) / sigma2
            self.fPValue = FDistribution(numeratorDegreesOfFreedom: Double(df1), denominatorDegreesOfFreedom: Double(df)).sf(fStatistic)
        } else {
            self.fStatistic = .nan
            self.fPValue = .nan
        }
        let nd = Double(n)
        self.logLikelihood = -nd / 2 * (log(2 * Double.pi) + log(rss / nd) + 1)
        self.aic = -2 * logLikelihood + 2 * Double(r + 1)
        self.bic = -2 * logLikelihood + log(nd) * Double(r + 1)

        // Coefficient table.
        let tDistribution = df > 0 ? StudentT(degreesOfFreedom: Double(df)) : nil
        let critical = tDistribution?.quantile(1 - (1 - confidenceLevel) / 2) ?? .nan
        let sdY = standardDeviation(y)
        let vif = design.hasIntercept ? termVarianceInflation(design: design, used: used) : [:]
        var rows = [Coefficient]()
        for j in 0..<p {
            let term = design.columnTerms[j].map { design.termLabels[$0] }
            guard let b = beta[j] else {
                rows.append(.aliased(name: design.columnNames[j], term: term))
                continue
            }
            var row = Coefficient.wald(name: design.columnNames[j], term: term, estimate: b,
                                       standardError: covariance[j, j].squareRoot(), reference: tDistribution, critical: critical)
            if design.columnTerms[j] != nil {
                row.standardizedEstimate = b * standardDeviation(Array(x.column(j))) / sdY
                row.varianceInflation = design.columnTerms[j].flatMap { vif[$0] }
            }
            rows.append(row)
        }
        self.coefficients = rows
    }

    /// The coefficients' covariance on the pivoted non-aliased columns:
    /// classical σ²(RᵀR)⁻¹, cluster-robust (vcovCL's HC1: scores Qᵢ·eᵢ in the
    /// orthonormal basis, V = R⁻¹ M R⁻ᵀ · G/(G − 1) · (n − 1)/(n − r)), or
    /// HC0–HC3 (sandwich's vcovHC).
    static func pivotedCovariance(_ qr: PivotedQR, residuals: [Double], sigma2: Double, type covarianceType: CovarianceType,
                                  clustering: Clustering?) throws -> Matrix {
        let n = residuals.count, r = qr.rank, df = n - r
        let rInverse = try qr.inverseOfLeadingR()
        var pivoted: Matrix
        if covarianceType == .classical {
            pivoted = rInverse.multiplied(by: rInverse, transposeOther: .transposed)
            for k in pivoted.storage.indices { pivoted.storage[k] *= sigma2 }
        } else if covarianceType == .cluster, let clustering {
            // Scores Qᵢ·eᵢ in the orthonormal basis; V = R⁻¹ M R⁻ᵀ · c.
            let q = try qr.thinQ()
            var scores = Matrix(rows: n, columns: r)
            for i in 0..<n { for k in 0..<r { scores[i, k] = q[i, k] * residuals[i] } }
            var meat = clustering.meat(scores)
            let g = Double(clustering.count)
            let factor = g / (g - 1) * Double(n - 1) / Double(n - r)
            for k in meat.storage.indices { meat.storage[k] *= factor }
            pivoted = rInverse.multiplied(by: meat).multiplied(by: rInverse, transposeOther: .transposed)
        } else {
            let q = try qr.thinQ()
            var scaled = Matrix(rows: n, columns: r)
            for i in 0..<n {
                var h = 0.0
                for k in 0..<r { h += q[i, k] * q[i, k] }
                let e2 = residuals[i] * residuals[i]
                let omega: Double
                switch covarianceType {
                case .hc0, .classical, .cluster: omega = e2
                case .hc1: omega = e2 * Double(n) / Double(df)
                case .hc2: omega = e2 / (1 - h)
                case .hc3: omega = e2 / ((1 - h) * (1 - h))
                }
                let w = omega.squareRoot()
                for k in 0..<r { scaled[i, k] = q[i, k] * w }
            }
            let meat = scaled.multiplied(by: scaled, transposeSelf: .transposed)
            pivoted = rInverse.multiplied(by: meat).multiplied(by: rInverse, transposeOther: .transposed)
        }
        return pivoted
    }
}

/// Generalised VIF per term index, over the non-aliased non-intercept columns.
func termVarianceInflation(design: DesignMatrix, used: [Int]) -> [Int: Double] {
    let columns = used.filter { design.columnTerms[$0] != nil }
    let k = columns.count
    guard k > 0 else { return [:] }
    let n = design.x.rows
    // Correlation matrix of the columns.
    var centred = Matrix(rows: n, columns: k)
    for (a, j) in columns.enumerated() {
        let col = design.x.column(j)
        let mean = col.reduce(0, +) / Double(n)
        var ss = 0.0
        for v in col { ss += (v - mean) * (v - mean) }
        let scale = 1 / ss.squareRoot()
        for (i, v) in col.enumerated() { centred[i, a] = (v - mean) * scale }
    }
    let correlation = centred.multiplied(by: centred, transposeSelf: .transposed)
    func logDet(_ indices: [Int]) -> Double? {
        if indices.isEmpty { return 0 }
        return try? Cholesky(correlation.principalSubmatrix(indices)).logDeterminant
    }
    guard let total = logDet(Array(0..<k)) else { return [:] }
    var out = [Int: Double]()
    let termsPresent = Set(columns.compactMap { design.columnTerms[$0] })
    for t in termsPresent {
        let inside = (0..<k).filter { design.columnTerms[columns[$0]] == t }
        let outside = (0..<k).filter { design.columnTerms[columns[$0]] != t }
        if let a = logDet(inside), let b = logDet(outside) { out[t] = exp(a + b - total) }
    }
    return out
}
