import CLAPACK

/// The eigendecomposition `A = V·diag(λ)·Vᵀ` of a symmetric matrix,
/// eigenvalues ascending — every pair, or only the largest few pairs
/// together with every eigenvalue.
///
/// - All pairs: LAPACK `dsyevr` (relatively robust representations).
/// - The largest k pairs: the steps `dsyevr` takes for an index range,
///   with one more: `dsytrd` reduces A to tridiagonal form once; `dsterf`
///   (Pal–Walker–Kahan QR) gives every eigenvalue of it, O(n²); `dstebz`
///   (bisection) and `dstein` (inverse iteration) give the k largest
///   pairs; `dormtr` takes the vectors back to A's basis. The whole
///   spectrum costs no second reduction, so a truncated principal
///   coordinate analysis still knows its negative eigenvalues.
///
/// Kept for the principal-coordinate analysis of distance matrices.
public struct SymmetricEigen: Sendable {
    /// The computed eigenvalues in ascending order (the largest k, or all).
    public let eigenvalues: [Double]
    /// Orthonormal eigenvectors, one per column, in the eigenvalues' order.
    public let eigenvectors: Matrix
    /// Every eigenvalue of A, ascending, whether or not its vector was computed.
    public let spectrum: [Double]

    /// Decomposes `a` (only its upper triangle is read).
    ///
    /// - Parameter largest: compute only this many of the largest
    ///   eigenvectors, for the first axes of a large matrix; nil for all.
    public init(_ a: Matrix, largest: Int? = nil) throws {
        precondition(a.rows == a.columns, "eigendecomposition needs a square matrix")
        let n = a.rows
        let count = Swift.max(Swift.min(largest ?? n, n), 0)
        if n == 0 || count == 0 {
            self.eigenvalues = []
            self.eigenvectors = Matrix(rows: n, columns: 0)
            self.spectrum = n == 0 ? [] : try Self.truncated(a, count: 0).2
        } else if count == n {
            (eigenvalues, eigenvectors) = try Self.all(a)
            spectrum = eigenvalues
        } else {
            (eigenvalues, eigenvectors, spectrum) = try Self.truncated(a, count: count)
        }
    }

    private static func char(_ c: Character) -> CChar { CChar(UInt8(ascii: c.unicodeScalars.first!)) }

    /// Every pair by `dsyevr`.
    private static func all(_ a: Matrix) throws -> ([Double], Matrix) {
        let n = a.rows, ln = moodbiome_lapack_int(n)
        var copy = a.storage
        var w = [Double](repeating: 0, count: n)
        var z = Matrix(rows: n, columns: n)
        var found: moodbiome_lapack_int = 0
        var isuppz = [moodbiome_lapack_int](repeating: 0, count: 2 * n)
        var query = 0.0
        var iquery: moodbiome_lapack_int = 0
        var info = lapack.LAPACKE_dsyevr_work(
            LAPACK_COL_MAJOR, char("V"), char("A"), char("U"), ln, &copy, ln,
            0, 0, 1, ln, 0, &found, &w, &z.storage, ln, &isuppz, &query, -1, &iquery, -1)
        guard info == 0 else { throw LinearAlgebraError(routine: "dsyevr", info: Int(info)) }
        var work = [Double](repeating: 0, count: Swift.max(Int(query), 26 * n))
        var iwork = [moodbiome_lapack_int](repeating: 0, count: Swift.max(Int(iquery), 10 * n))
        info = lapack.LAPACKE_dsyevr_work(
            LAPACK_COL_MAJOR, char("V"), char("A"), char("U"), ln, &copy, ln,
            0, 0, 1, ln, 0, &found, &w, &z.storage, ln, &isuppz,
            &work, moodbiome_lapack_int(work.count), &iwork, moodbiome_lapack_int(iwork.count))
        guard info == 0 else { throw LinearAlgebraError(routine: "dsyevr", info: Int(info)) }
        return (w, z)
    }

    /// The `count` largest pairs and the whole spectrum from one reduction.
    private static func truncated(_ a: Matrix, count: Int) throws -> ([Double], Matrix, [Double]) {
        let n = a.rows, ln = moodbiome_lapack_int(n)
        var reduced = a.storage
        var d = [Double](repeating: 0, count: n), e = [Double](repeating: 0, count: Swift.max(n - 1, 1))
        var tau = [Double](repeating: 0, count: Swift.max(n - 1, 1))
        var query = 0.0
        var info = lapack.LAPACKE_dsytrd_work(LAPACK_COL_MAJOR, char("U"), ln, &reduced, ln, &d, &e, &tau, &query, -1)
        guard info == 0 else { throw LinearAlgebraError(routine: "dsytrd", info: Int(info)) }
        var work = [Double](repeating: 0, count: Swift.max(Int(query), 1))
        info = lapack.LAPACKE_dsytrd_work(LAPACK_COL_MAJOR, char("U"), ln, &reduced, ln, &d, &e, &tau,
                                          &work, moodbiome_lapack_int(work.count))
        guard info == 0 else { throw LinearAlgebraError(routine: "dsytrd", info: Int(info)) }

        var spectrum = d, offDiagonal = e
        info = lapack.LAPACKE_dsterf_work(ln, &spectrum, &offDiagonal)
        guard info == 0 else { throw LinearAlgebraError(routine: "dsterf", info: Int(info)) }
        guard count > 0 else { return ([], Matrix(rows: n, columns: 0), spectrum) }

        // dstebz: the eigenvalues with indices n−count+1 … n, grouped by block.
        var found: moodbiome_lapack_int = 0, blocks: moodbiome_lapack_int = 0
        var w = [Double](repeating: 0, count: n)
        var iblock = [moodbiome_lapack_int](repeating: 0, count: n)
        var isplit = [moodbiome_lapack_int](repeating: 0, count: n)
        var bisectWork = [Double](repeating: 0, count: 4 * n)
        var bisectIwork = [moodbiome_lapack_int](repeating: 0, count: 3 * n)
        info = lapack.LAPACKE_dstebz_work(char("I"), char("B"), ln, 0, 0, moodbiome_lapack_int(n - count + 1), ln, 0,
                                          d, e, &found, &blocks, &w, &iblock, &isplit, &bisectWork, &bisectIwork)
        guard info == 0, Int(found) == count else { throw LinearAlgebraError(routine: "dstebz", info: Int(info)) }

        var z = Matrix(rows: n, columns: count)
        var inverseWork = [Double](repeating: 0, count: 5 * n)
        var inverseIwork = [moodbiome_lapack_int](repeating: 0, count: n)
        var failed = [moodbiome_lapack_int](repeating: 0, count: count)
        info = lapack.LAPACKE_dstein_work(LAPACK_COL_MAJOR, ln, d, e, found, w, iblock, isplit, &z.storage, ln,
                                          &inverseWork, &inverseIwork, &failed)
        guard info == 0 else { throw LinearAlgebraError(routine: "dstein", info: Int(info)) }

        let lc = moodbiome_lapack_int(count)
        info = lapack.LAPACKE_dormtr_work(LAPACK_COL_MAJOR, char("L"), char("U"), char("N"), ln, lc,
                                          reduced, ln, tau, &z.storage, ln, &query, -1)
        guard info == 0 else { throw LinearAlgebraError(routine: "dormtr", info: Int(info)) }
        work = [Double](repeating: 0, count: Swift.max(Int(query), 1))
        info = lapack.LAPACKE_dormtr_work(LAPACK_COL_MAJOR, char("L"), char("U"), char("N"), ln, lc,
                                          reduced, ln, tau, &z.storage, ln, &work, moodbiome_lapack_int(work.count))
        guard info == 0 else { throw LinearAlgebraError(routine: "dormtr", info: Int(info)) }

        // dstebz's order "B" groups by block: sort the pairs ascending, as dsyevr returns them.
        let order = (0..<count).sorted { w[$0] < w[$1] || (w[$0] == w[$1] && $0 < $1) }
        var sorted = Matrix(rows: n, columns: count)
        for (to, from) in order.enumerated() { for i in 0..<n { sorted[i, to] = z[i, from] } }
        return (order.map { w[$0] }, sorted, spectrum)
    }
}
