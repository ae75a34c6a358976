import CLAPACK
import Foundation

/// The Cholesky factorisation, stored as the upper factor
/// `A = Uᵀ·U` of a symmetric positive-definite matrix, by LAPACK `dpotrf`.
///
/// Used for determinants of correlation matrices (generalised VIF).
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
            let info = LAPACKE_dpotrf_work(
                LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), moodbiome_lapack_int(n), &u.storage, moodbiome_lapack_int(n))
            guard info == 0 else { throw LinearAlgebraError(routine: "dpotrf", info: Int(info)) }
        }
        for j in 0..<n { for i in (j + 1)..<Swift.max(n, j + 1) { u[i, j] = 0 } }
        self.upper = u
    }

    /// log det A = 2 Σ log Uᵢᵢ.
    public var logDeterminant: Double {
        var sum = 0.0
        for i in 0..<upper.rows { sum += log(upper[i, i]) }
        return 2 * sum
    }
}
