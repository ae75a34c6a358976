import CLAPACK
import FoundationEssentials

/// The Cholesky factorisation, stored as the upper factor
/// `A = Uᵀ·U` of a symmetric positive-definite matrix, by LAPACK `dpotrf`.
///
/// Used for determinants of correlation matrices (generalised VIF), Wald
/// statistics, and solves with small positive-definite matrices.
public struct Cholesky: Sendable {
    /// The upper-triangular factor U (the strict lower triangle is zero).
    public let upper: Matrix

    /// Factorises `a`, which must be square and symmetric (only its upper
    /// triangle is read).
    ///
    /// - Throws: `LinearAlgebraError` with `info > 0` when `a` is not
    ///   positive definite (the leading minor of that order is not).
    public init(_ a: Matrix) throws {
        precondition(a.rows == a.columns, "Cholesky needs a square matrix")
        let n = a.rows
        var u = a
        if n > 0 {
            let info = lapack.LAPACKE_dpotrf_work(
                LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), moodbiome_lapack_int(n), &u.storage, moodbiome_lapack_int(n))
            guard info == 0 else { throw LinearAlgebraError(routine: "dpotrf", info: Int(info)) }
        }
        for j in 0..<n { for i in (j + 1)..<Swift.max(n, j + 1) { u[i, j] = 0 } }
        self.upper = u
    }

    /// `U⁻¹b`, or `U⁻ᵀb` when `transposed` (one triangular solve, `dtrtrs`).
    /// R's `solve(chol(A), b)` is `U⁻¹b` (lme4's scaled gradient).
    public func triangularSolve(_ b: [Double], transposed: Bool = false) -> [Double] {
        let n = upper.rows
        precondition(b.count == n, "vector has \(b.count) elements, expected \(n)")
        guard n > 0 else { return b }
        var z = b
        var u = upper.storage
        _ = lapack.LAPACKE_dtrtrs_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), CChar(UInt8(ascii: transposed ? "T" : "N")),
                                CChar(UInt8(ascii: "N")), moodbiome_lapack_int(n), 1, &u, moodbiome_lapack_int(n), &z,
                                moodbiome_lapack_int(n))
        return z
    }

    /// The quadratic form `bᵀA⁻¹b` = ‖U⁻ᵀb‖²: a Wald statistic from a
    /// covariance matrix A.
    public func quadraticForm(_ b: [Double]) -> Double {
        triangularSolve(b, transposed: true).reduce(0) { $0 + $1 * $1 }
    }

    /// log det A = 2 Σ log Uᵢᵢ.
    public var logDeterminant: Double {
        var sum = 0.0
        for i in 0..<upper.rows { sum += log(upper[i, i]) }
        return 2 * sum
    }
}
