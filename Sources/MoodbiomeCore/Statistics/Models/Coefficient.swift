import MoodbiomeNumerics

/// One row of a model's coefficient table (a column of the design).
///
/// An aliased coefficient — a column that is a linear combination of
/// earlier ones — has every value nil, like R's `NA` row.
public struct Coefficient: Sendable, Equatable {
    /// The coefficient's name (`Intercept`, `age`, `C(sex)[T.M]`).
    public let name: String
    /// The label of the term it belongs to (nil for the intercept).
    public let term: String?
    public let estimate: Double?
    public let standardError: Double?
    /// t (linear models) or z (logistic).
    public let statistic: Double?
    public let pValue: Double?
    public let confidenceLow: Double?
    public let confidenceHigh: Double?
    /// β·sd(x)/sd(y) (linear models).
    public var standardizedEstimate: Double? = nil
    /// The (generalised) variance inflation factor of the coefficient's term.
    public var varianceInflation: Double? = nil

    public var isAliased: Bool { estimate == nil }

    /// The row of an aliased (non-estimable) column: nil throughout.
    static func aliased(name: String, term: String?) -> Coefficient {
        Coefficient(name: name, term: term, estimate: nil, standardError: nil, statistic: nil, pValue: nil,
                    confidenceLow: nil, confidenceHigh: nil)
    }

    /// A Wald row: statistic β/SE, its two-sided p-value under `reference`
    /// (t or standard normal; NaN without one) and the interval β ± critical·SE.
    static func wald(name: String, term: String?, estimate b: Double, standardError se: Double,
                     reference: (any ContinuousDistribution)?, critical: Double) -> Coefficient {
        let statistic = b / se
        let p = reference.map { Swift.min(1, 2 * $0.sf(abs(statistic))) } ?? .nan
        return Coefficient(name: name, term: term, estimate: b, standardError: se, statistic: statistic, pValue: p,
                           confidenceLow: b - critical * se, confidenceHigh: b + critical * se)
    }
}

/// How coefficient standard errors are computed in a linear model.
public enum CovarianceType: String, Sendable, CaseIterable {
    /// σ²(XᵀX)⁻¹.
    case classical = "nonrobust"
    /// White's (1980) heteroscedasticity-consistent estimator, eᵢ² weights.
    case hc0
    /// HC0 × n/(n − p) (MacKinnon & White 1985).
    case hc1
    /// eᵢ²/(1 − hᵢ) (MacKinnon & White 1985).
    case hc2
    /// eᵢ²/(1 − hᵢ)² (Davidson & MacKinnon 1993; Long & Ervin 2000's advice).
    case hc3

    public init?(name: String) {
        switch name.lowercased() {
        case "none", "nonrobust", "classical", "": self = .classical
        case "hc0": self = .hc0
        case "hc1": self = .hc1
        case "hc2": self = .hc2
        case "hc3": self = .hc3
        default: return nil
        }
    }
}

/// Maps a covariance computed on the pivoted, non-aliased columns back to
/// design order; aliased rows and columns stay NaN.
func unpivot(_ pivoted: Matrix, permutation: [Int], rank: Int, columns: Int) -> Matrix {
    var full = Matrix(rows: columns, columns: columns, repeating: .nan)
    for a in 0..<rank {
        for b in 0..<rank { full[permutation[a], permutation[b]] = pivoted[a, b] }
    }
    return full
}
