import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// Principal coordinate analysis (classical multidimensional scaling) of a
/// distance matrix, as scikit-bio's `pcoa` (method `eigh`).
///
/// 1. Gower centring: `F = −½ J D⁽²⁾ J`, D⁽²⁾ the squared distances and
///    `J = I − 11ᵀ/n` (Gower 1966, *Biometrika* 53:325–338).
/// 2. Eigendecomposition of F by LAPACK — all axes, or only the
///    `dimensions` largest for a large matrix; every eigenvalue either way
///    (`SymmetricEigen`).
/// 3. Eigenvalues within 1e-8 of zero are set to 0 (NumPy `isclose`, as
///    scikit-bio) and sorted in decreasing order. A non-Euclidean distance
///    (Bray–Curtis, say) gives negative eigenvalues: they are **kept** in
///    `eigenvalues` and counted, while their axes get coordinates and a
///    proportion explained of 0, as in scikit-bio.
/// 4. Coordinates: eigenvector × √eigenvalue. Proportion explained:
///    eigenvalue / Σ non-negative eigenvalues, however many axes are
///    computed — scikit-bio's rule when it computes every axis. (With
///    `dimensions`, scikit-bio divides by trace(F) instead, which with
///    negative eigenvalues is smaller, so one PCoA would show two sets of
///    percentages; Moodbiome keeps the one definition.) No correction for
///    negative eigenvalues (Lingoes, Cailliez) is applied; captions say how
///    many there are (Legendre & Legendre 2012, *Numerical Ecology*, §9.3.4).
///
/// An eigenvector's sign is arbitrary; each is turned so that its entry of
/// largest magnitude is positive, so the same matrix gives the same
/// coordinates on every machine. Entries within 1e-8 (relative) of the
/// largest count as tied and the first of them decides, so a tie that
/// rounding breaks one way on one BLAS kernel and the other way on
/// another (two samples of equal and opposite coordinates) cannot flip an axis.
public struct PrincipalCoordinates: Sendable {
    public let ids: [String]
    /// The axes' eigenvalues, decreasing; negative ones as computed.
    public let eigenvalues: [Double]
    /// Each axis' share of the total (0 for a negative eigenvalue).
    public let proportionExplained: [Double]
    /// n × axes.
    public let coordinates: Matrix
    /// How many eigenvalues are negative (of all n, computed axes or not),
    /// and the most negative one, with the largest positive one for scale.
    public let negativeCount: Int
    public let mostNegative: Double
    public let largest: Double
    /// How the axes were found.
    public let method: Method
    /// For `fsvd`: the passes over the matrix and the largest relative residual reached.
    public let convergence: (passes: Int, residual: Double)?

    /// How the axes are found.
    public enum Method: String, Sendable, CaseIterable {
        /// The exact eigendecomposition of the centred matrix, held in memory (LAPACK).
        case eigh
        /// A randomized block Krylov method reading the matrix block by block
        /// (``RandomizedEigen``), for matrices too large to hold twice.
        case fsvd
    }

    /// - Parameter dimensions: the number of axes; nil for all n.
    public init(_ d: DistanceMatrix, dimensions: Int? = nil) throws {
        let n = d.count
        let k = Swift.min(dimensions ?? n, n)
        let f = Self.gowerCentred(d.values)
        let eigen = try SymmetricEigen(f, largest: k < n ? k : nil)
        // dsyevr returns ascending order: reverse, zero the near-zero ones.
        var values = eigen.eigenvalues.reversed().map { abs($0) <= 1e-8 ? 0 : $0 }
        var order = Array((0..<values.count).reversed())
        // Sort decreasing (stable), as scikit-bio's argsort after zeroing.
        let sorted = order.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
        values = sorted.map { values[$0] }
        order = sorted.map { order[$0] }
        let spectrum = eigen.spectrum.map { abs($0) <= 1e-8 ? 0 : $0 }
        let positive = values.map { Swift.max($0, 0) }
        let total = spectrum.reduce(0) { $0 + Swift.max($1, 0) }
        var coordinates = Matrix(rows: n, columns: values.count)
        for (axis, column) in order.enumerated() {
            let vector = eigen.eigenvectors.column(column)
            let scale = positive[axis].squareRoot() * Self.orientation(vector)
            for (i, v) in vector.enumerated() { coordinates[i, axis] = v * scale }
        }
        self.ids = d.ids
        self.eigenvalues = values
        self.proportionExplained = positive.map { total > 0 ? $0 / total : 0 }
        self.coordinates = coordinates
        let negatives = spectrum.filter { $0 < 0 }
        self.negativeCount = negatives.count
        self.mostNegative = negatives.min() ?? 0
        self.largest = spectrum.last ?? 0
        self.method = .eigh
        self.convergence = nil
    }

    init(ids: [String], eigenvalues: [Double], proportionExplained: [Double], coordinates: Matrix,
         method: Method, convergence: (passes: Int, residual: Double)?) {
        self.ids = ids
        self.eigenvalues = eigenvalues
        self.proportionExplained = proportionExplained
        self.coordinates = coordinates
        self.negativeCount = 0
        self.mostNegative = 0
        self.largest = eigenvalues.first ?? 0
        self.method = method
        self.convergence = convergence
    }

    /// An eigenvector's sign: +1 when its entry of largest magnitude (the
    /// first of those tied to 1e-8, relative) is positive, else −1.
    static func orientation<C: Collection>(_ vector: C) -> Double where C.Element == Double {
        let largest = vector.map(abs).max() ?? 0
        let pivot = vector.firstIndex { abs($0) >= largest * (1 - 1e-8) } ?? vector.startIndex
        return vector[pivot] < 0 ? -1 : 1
    }

    /// `−½ J D⁽²⁾ J`: minus half the squared distances, double-centred.
    static func gowerCentred(_ d: Matrix) -> Matrix {
        let n = d.rows
        var f = Matrix(rows: n, columns: n)
        var means = [Double](repeating: 0, count: n)
        for j in 0..<n {
            var sum = 0.0
            for i in 0..<n {
                let a = -0.5 * d[i, j] * d[i, j]
                f[i, j] = a
                sum += a
            }
            means[j] = sum / Double(n)
        }
        let grand = means.reduce(0, +) / Double(n)
        // Symmetric: row means equal column means.
        for j in 0..<n { for i in 0..<n { f[i, j] += grand - means[i] - means[j] } }
        return f
    }

    /// The coordinates as a table: `sample_id, PC1, PC2, …`.
    public var coordinateTable: TextTable {
        TextTable(columns: ["sample_id"] + (0..<coordinates.columns).map { "PC\($0 + 1)" },
                  rows: ids.indices.map { i in [.text(ids[i])] + (0..<coordinates.columns).map { .number(coordinates[i, $0]) } })
    }

    /// `axis, eigenvalue, proportion_explained`, one row per axis.
    public var eigenvalueTable: TextTable {
        TextTable(columns: ["axis", "eigenvalue", "proportion_explained"],
                  rows: eigenvalues.indices.map { [.text("PC\($0 + 1)"), .number(eigenvalues[$0]), .number(proportionExplained[$0])] })
    }
}
