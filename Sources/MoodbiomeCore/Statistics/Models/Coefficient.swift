import MoodbiomeIO
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
    /// The degrees of freedom of the t test (mixed models: Satterthwaite's).
    public var degreesOfFreedom: Double? = nil

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
    /// Cluster-robust: the scores summed within clusters, `Σ_g u_g u_gᵀ`,
    /// with `sandwich::vcovCL`'s default small-sample factors: `G/(G − 1) ·
    /// (n − 1)/(n − k)` for linear models (its type "HC1"), `G/(G − 1)` for
    /// logistic ones (its default there, "HC0"); Cameron & Miller 2015.
    case cluster

    public init?(name: String) {
        switch name.lowercased() {
        case "none", "nonrobust", "classical", "": self = .classical
        case "hc0": self = .hc0
        case "hc1": self = .hc1
        case "hc2": self = .hc2
        case "hc3": self = .hc3
        case "cluster": self = .cluster
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


/// The clusters of a model's rows: which cluster each row (in design order)
/// belongs to, for cluster-robust standard errors.
public struct Clustering: Sendable, Equatable {
    /// The column the clusters come from.
    public let column: String
    /// Cluster index of each design row, 0..<count.
    public let clusterOfRow: [Int]
    public let count: Int

    /// The clusters of `design`'s rows from `data`'s column `column` (which
    /// the design required present).
    public init(column: String, data: DataTable, design: DesignMatrix) {
        var index = [String: Int]()
        let cells = data[column]?.cells ?? []
        self.clusterOfRow = design.rowIndices.map { r in
            let label = r < cells.count ? cells[r] : ""
            if let k = index[label] { return k }
            index[label] = index.count
            return index.count - 1
        }
        self.column = column
        self.count = index.count
    }

    /// `Σ_g (Σ_{i∈g} sᵢ)(Σ_{i∈g} sᵢ)ᵀ` for per-row score vectors (rows of `scores`, n × k).
    func meat(_ scores: Matrix) -> Matrix {
        let k = scores.columns
        var sums = Matrix(rows: count, columns: k)
        for i in 0..<scores.rows { for j in 0..<k { sums[clusterOfRow[i], j] += scores[i, j] } }
        return sums.multiplied(by: sums, transposeSelf: .transposed)
    }
}
