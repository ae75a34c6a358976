import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

extension PrincipalCoordinates {
    /// The seed of the random start; the converged axes do not depend on it
    /// beyond the tolerance, and a fixed one makes the bits reproducible.
    public static let randomizedSeed: UInt64 = 20_181_001

    /// Principal coordinates of a matrix read block by block — as
    /// scikit-bio's `pcoa(method="fsvd")`, but iterated to convergence:
    /// the `dimensions` largest eigenpairs of the Gower-centred matrix
    /// F = −½ J D⁽²⁾ J by ``RandomizedEigen`` (relative residual 1e-11, so
    /// the eigenvalues and axes agree with the exact eigendecomposition to
    /// far better than 1e-6 unless two eigenvalues nearly coincide).
    ///
    /// F is never formed: with m the row means of D⁽²⁾ and g their mean,
    /// F·X = −½ (D⁽²⁾X − m(1ᵀX) − 1(mᵀX) + g·1(1ᵀX)), one pass over the
    /// rows of D per product (`dgemm` per block). Memory: one block of rows
    /// and two n × m matrices (the Krylov basis and its images, m at most
    /// 8 × (dimensions + max(dimensions, 10))), whatever n is.
    ///
    /// Conventions as the exact method (eigenvalues within 1e-8 of zero set
    /// to 0, signs by the largest entry, coordinates vector × √eigenvalue),
    /// except the proportion explained: without the whole spectrum, each
    /// eigenvalue is divided by trace(F) = Σ_{i<j} d²ᵢⱼ / n, the sum of all
    /// eigenvalues, negative ones included — scikit-bio's rule for `fsvd`.
    /// For a Euclidean distance (no negative eigenvalue) it is the same share.
    public init(randomized rows: some DistanceRows, dimensions: Int, seed: UInt64 = randomizedSeed) throws {
        let n = rows.count
        precondition(n >= 1 && (1...n).contains(dimensions), "1 ≤ dimensions ≤ n")
        let block = rows.rowsPerBlock()
        // Pass 0: the row means of D⁽²⁾, every value checked on the way.
        var means = [Double](repeating: 0, count: n)
        try rows.forEachBlock(rows: block, validating: true) { range, values in
            for (r, i) in range.enumerated() {
                var sum = 0.0
                for j in 0..<n { let d = values[r * n + j]; sum += d * d }
                means[i] = sum / Double(n)
            }
        }
        let grand = means.reduce(0, +) / Double(n)
        let trace = grand * Double(n) / 2
        let eigen = try RandomizedEigen(order: n, count: dimensions, seed: seed) { x in
            try Self.centredProduct(rows, x, means: means, grand: grand, block: block)
        }
        let values = eigen.eigenvalues.map { abs($0) <= 1e-8 ? 0 : $0 }
        var coordinates = Matrix(rows: n, columns: dimensions)
        for axis in 0..<dimensions {
            let vector = eigen.eigenvectors.column(axis)
            let scale = Swift.max(values[axis], 0).squareRoot() * Self.orientation(vector)
            for (i, v) in vector.enumerated() { coordinates[i, axis] = v * scale }
        }
        self.init(ids: rows.ids, eigenvalues: values,
                  proportionExplained: values.map { trace > 0 ? Swift.max($0, 0) / trace : 0 },
                  coordinates: coordinates, method: .fsvd, convergence: (eigen.passes, eigen.residual))
    }

    /// F·X from one pass over the rows of D.
    static func centredProduct(_ rows: some DistanceRows, _ x: Matrix, means: [Double], grand: Double, block: Int) throws -> Matrix {
        let n = x.rows, w = x.columns
        var y = Matrix(rows: n, columns: w)
        var squares = [Double](repeating: 0, count: block * n)
        try rows.forEachBlock(rows: block, validating: false) { range, values in
            let count = range.count * n, m = range.count
            squares.withUnsafeMutableBufferPointer { s in for t in 0..<count { s[t] = values[t] * values[t] } }
            let part = squares.withUnsafeBufferPointer { x.leftMultiplied(byRowMajor: UnsafeBufferPointer(rebasing: $0[0..<count]), rows: m) }
            y.storage.withUnsafeMutableBufferPointer { out in
                part.storage.withUnsafeBufferPointer { p in
                    for c in 0..<w { for r in 0..<m { out[c * n + range.lowerBound + r] = p[c * m + r] } }
                }
            }
        }
        for c in 0..<w {
            var columnSum = 0.0, meanDot = 0.0
            for i in 0..<n { columnSum += x[i, c]; meanDot += means[i] * x[i, c] }
            for i in 0..<n { y[i, c] = -0.5 * (y[i, c] - means[i] * columnSum - meanDot + grand * columnSum) }
        }
        return y
    }
}
