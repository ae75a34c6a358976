import CLAPACK

/// Level-3 BLAS and LAPACK kernels on column-major sub-matrices addressed
/// by pointer and leading dimension, for algorithms that work block by
/// block inside larger buffers (the penalised least-squares system of a
/// mixed model: thousands of q × q blocks and one dense Schur complement)
/// without copying each block into a ``Matrix``.
///
/// Every matrix argument is column-major with the given leading dimension
/// (`lda ≥ rows`); triangular arguments are lower triangular with a
/// non-unit diagonal. Sizes of zero are no-ops.
public enum StridedKernels {
    /// The side a triangular operand multiplies from.
    public enum Side: Sendable { case left, right }

    @inline(__always) static func ld(_ x: Int) -> Int32 { Int32(Swift.max(x, 1)) }

    /// `B ← op(L)·B` (left) or `B ← B·op(L)` (right), L lower triangular
    /// (`dtrmm`); B is m × n.
    public static func lowerTriangularMultiply(side: Side, transpose: Bool, m: Int, n: Int,
                                               l: UnsafePointer<Double>, ldl: Int,
                                               b: UnsafeMutablePointer<Double>, ldb: Int) {
        guard m > 0 && n > 0 else { return }
        lapack.cblas_dtrmm(CblasColMajor, side == .left ? CblasLeft : CblasRight, CblasLower,
                    transpose ? CblasTrans : CblasNoTrans, CblasNonUnit,
                    Int32(m), Int32(n), 1.0, l, ld(ldl), b, ld(ldb))
    }

    /// `B ← op(L)⁻¹·B` (left) or `B ← B·op(L)⁻¹` (right), L lower
    /// triangular and non-singular (`dtrsm`); B is m × n.
    public static func lowerTriangularSolve(side: Side, transpose: Bool, m: Int, n: Int,
                                            l: UnsafePointer<Double>, ldl: Int,
                                            b: UnsafeMutablePointer<Double>, ldb: Int) {
        guard m > 0 && n > 0 else { return }
        lapack.cblas_dtrsm(CblasColMajor, side == .left ? CblasLeft : CblasRight, CblasLower,
                    transpose ? CblasTrans : CblasNoTrans, CblasNonUnit,
                    Int32(m), Int32(n), 1.0, l, ld(ldl), b, ld(ldb))
    }

    /// The Cholesky factor `A = L·Lᵀ` in place in A's lower triangle
    /// (`dpotrf`, blocked); the strict upper triangle is not touched.
    ///
    /// - Returns: false when A is not positive definite.
    public static func choleskyLower(n: Int, a: UnsafeMutablePointer<Double>, lda: Int) -> Bool {
        guard n > 0 else { return true }
        return lapack.LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), moodbiome_lapack_int(n),
                                   a, moodbiome_lapack_int(Swift.max(lda, 1))) == 0
    }

    /// `(L·Lᵀ)⁻¹` from the Cholesky factor L in A's lower triangle (`dpotri`),
    /// written to both triangles of A.
    ///
    /// - Returns: false when L is singular.
    public static func inverseFromCholeskyLower(n: Int, a: UnsafeMutablePointer<Double>, lda: Int) -> Bool {
        guard n > 0 else { return true }
        let info = lapack.LAPACKE_dpotri_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), moodbiome_lapack_int(n),
                                       a, moodbiome_lapack_int(Swift.max(lda, 1)))
        guard info == 0 else { return false }
        for j in 0..<n { for i in (j + 1)..<Swift.max(n, j + 1) { a[j + i * lda] = a[i + j * lda] } }
        return true
    }

    /// `C ← α·AᵀA + β·C` on C's lower triangle (`dsyrk`); A is k × n, C n × n.
    public static func gramUpdate(n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
                                  beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        guard n > 0 else { return }
        lapack.cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, Int32(n), Int32(k), alpha, a, ld(lda), beta, c, ld(ldc))
    }

    /// `C ← α·op(A)·op(B) + β·C` (`dgemm`); C is m × n, the inner dimension k.
    public static func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                                a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                                beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        guard m > 0 && n > 0 else { return }
        lapack.cblas_dgemm(CblasColMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, ld(lda), b, ld(ldb), beta, c, ld(ldc))
    }
}
