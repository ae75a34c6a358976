import CLAPACK

/// The eigendecomposition `A = V·diag(λ)·Vᵀ` of a symmetric matrix by LAPACK
/// `dsyevr` (relatively robust representations), eigenvalues ascending —
/// all of them, or only the largest few.
///
/// Kept for the principal-coordinate analysis of distance matrices.
public struct SymmetricEigen: Sendable {
    /// Eigenvalues in ascending order.
    public let eigenvalues: [Double]
    /// Orthonormal eigenvectors, one per column, in the eigenvalues' order.
    public let eigenvectors: Matrix

    /// Decomposes `a` (only its upper triangle is read).
    ///
    /// - Parameter largest: compute only this many of the largest
    ///   eigenvalues and their vectors (`dsyevr`'s index range), for the
    ///   first axes of a large matrix; nil for all.
    public init(_ a: Matrix, largest: Int? = nil) throws {
        precondition(a.rows == a.columns, "eigendecomposition needs a square matrix")
        let n = a.rows
        let count = Swift.min(largest ?? n, n)
        var copy = a.storage
        var w = [Double](repeating: 0, count: n)
        var z = Matrix(rows: n, columns: Swift.max(count, 0))
        let range = CChar(UInt8(ascii: count < n ? "I" : "A"))
        let il = moodbiome_lapack_int(n - count + 1), iu = moodbiome_lapack_int(n)
        if n > 0 && count > 0 {
            var found: moodbiome_lapack_int = 0
            var isuppz = [moodbiome_lapack_int](repeating: 0, count: 2 * n)
            var query = 0.0
            var iquery: moodbiome_lapack_int = 0
            let v = CChar(UInt8(ascii: "V")), up = CChar(UInt8(ascii: "U"))
            var info = lapack.LAPACKE_dsyevr_work(
                LAPACK_COL_MAJOR, v, range, up, moodbiome_lapack_int(n), &copy, moodbiome_lapack_int(n),
                0, 0, il, iu, 0, &found, &w, &z.storage, moodbiome_lapack_int(n), &isuppz,
                &query, -1, &iquery, -1)
            guard info == 0 else { throw LinearAlgebraError(routine: "dsyevr", info: Int(info)) }
            var work = [Double](repeating: 0, count: Swift.max(Int(query), 26 * n))
            var iwork = [moodbiome_lapack_int](repeating: 0, count: Swift.max(Int(iquery), 10 * n))
            info = lapack.LAPACKE_dsyevr_work(
                LAPACK_COL_MAJOR, v, range, up, moodbiome_lapack_int(n), &copy, moodbiome_lapack_int(n),
                0, 0, il, iu, 0, &found, &w, &z.storage, moodbiome_lapack_int(n), &isuppz,
                &work, moodbiome_lapack_int(work.count), &iwork, moodbiome_lapack_int(iwork.count))
            guard info == 0 else { throw LinearAlgebraError(routine: "dsyevr", info: Int(info)) }
        }
        self.eigenvalues = Array(w.prefix(count))
        self.eigenvectors = z
    }
}
