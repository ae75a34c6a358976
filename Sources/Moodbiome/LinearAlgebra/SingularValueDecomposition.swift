import CLAPACK

/// The thin singular value decomposition `A = U·diag(s)·Vᵀ` of an m × n
/// matrix, computed by LAPACK `dgesdd` (divide and conquer).
///
/// `U` is m × k and `V` is n × k with k = min(m, n); the singular values are
/// in decreasing order. Used for condition numbers and the numerical rank
/// of a design.
public struct SingularValueDecomposition: Sendable {
    /// Left singular vectors, m × k.
    public let u: Matrix
    /// Singular values σ₁ ≥ σ₂ ≥ … ≥ σₖ ≥ 0.
    public let singularValues: [Double]
    /// Right singular vectors, n × k (the transpose of LAPACK's `VT`).
    public let v: Matrix

    /// Factorises `a`; throws if the iteration fails to converge.
    public init(_ a: Matrix) throws {
        let m = a.rows, n = a.columns, k = Swift.min(m, n)
        var copy = a.storage
        var s = [Double](repeating: 0, count: k)
        var u = Matrix(rows: m, columns: k)
        var vt = Matrix(rows: k, columns: n)
        if k > 0 {
            var iwork = [moodbiome_lapack_int](repeating: 0, count: 8 * k)
            var query = 0.0
            let jobz = CChar(UInt8(ascii: "S"))
            var info = LAPACKE_dgesdd_work(
                LAPACK_COL_MAJOR, jobz, moodbiome_lapack_int(m), moodbiome_lapack_int(n),
                &copy, moodbiome_lapack_int(m), &s, &u.storage, moodbiome_lapack_int(m),
                &vt.storage, moodbiome_lapack_int(k), &query, -1, &iwork)
            guard info == 0 else { throw LinearAlgebraError(routine: "dgesdd", info: Int(info)) }
            var work = [Double](repeating: 0, count: Swift.max(Int(query), 1))
            info = LAPACKE_dgesdd_work(
                LAPACK_COL_MAJOR, jobz, moodbiome_lapack_int(m), moodbiome_lapack_int(n),
                &copy, moodbiome_lapack_int(m), &s, &u.storage, moodbiome_lapack_int(m),
                &vt.storage, moodbiome_lapack_int(k), &work, moodbiome_lapack_int(work.count), &iwork)
            guard info == 0 else { throw LinearAlgebraError(routine: "dgesdd", info: Int(info)) }
        }
        self.u = u
        self.singularValues = s
        self.v = vt.transposed
    }

    /// The 2-norm condition number σ₁/σₖ (∞ for a singular matrix).
    public var conditionNumber: Double {
        guard let first = singularValues.first, let last = singularValues.last else { return .nan }
        return last == 0 ? .infinity : first / last
    }
}
