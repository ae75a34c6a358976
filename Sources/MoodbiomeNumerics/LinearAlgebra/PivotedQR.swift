import FoundationEssentials
import CLAPACK

/// The QR factorisation with column pivoting `A·P = Q·R` of an m × n matrix,
/// computed by LAPACK `dgeqp3` (Businger–Golub pivoting, BLAS-3 version of
/// Quintana-Ortí, Sun and Bischof 1998).
///
/// The columns are first scaled to unit Euclidean norm, so that pivoting and
/// the rank decision do not depend on the columns' units (x and x² of a
/// load cell differ by 10⁶ in scale and are still independent); the stored
/// `R` is then rescaled to be the factor of `A` itself. The pivoting moves
/// the numerically most independent columns first, so the magnitudes of
/// `R`'s diagonal decrease and reveal the numerical rank: a column whose
/// scaled `|R[k,k]|` — the sine of its angle to the span of the columns
/// before it — falls below `tolerance · |R[0,0]|` is taken as linearly
/// dependent on them. The regression layer relies on this to report aliased
/// terms rather than fail on a rank-deficient design.
public struct PivotedQR: Sendable {
    /// `dgeqp3`'s compact output: `R` on and above the diagonal, the
    /// Householder vectors of `Q` below it.
    let factors: Matrix
    /// Householder scalar factors, one per reflector.
    let tau: [Double]
    /// `permutation[k]` is the index (zero-based) of the original column
    /// that sits in position `k` of `A·P`.
    public let permutation: [Int]
    /// The numerical rank at the tolerance given at factorisation.
    public let rank: Int

    /// The rank tolerance: `10 · max(m, n) · ε` on the equilibrated `|R[k,k]| /
    /// |R[0,0]|`, the bound of Householder QR's rounding (Golub & Van Loan,
    /// *Matrix Computations*, §5.4) with a safety factor.
    ///
    /// A column that only rounding separates from the others (a dummy
    /// trap, a duplicate: ratios near 1e-16) is aliased; a badly
    /// conditioned but independent column is kept. R's `lm` uses 1e-7
    /// (`qr(tol = 1e-07)`), which on NIST's Filip data (equilibrated
    /// ratios down to 1.2e-9) drops two of the ten powers of x; here all
    /// are estimated to NIST's certified values (7+ digits).
    public static func defaultTolerance(rows: Int, columns: Int) -> Double {
        10 * Double(Swift.max(rows, columns, 1)) * Double.ulpOfOne
    }

    /// Factorises `a`.
    ///
    /// - Parameters:
    ///   - a: an m × n matrix (any shape).
    ///   - tolerance: relative threshold on `|R[k,k]| / |R[0,0]|` below which
    ///     a column counts as dependent; by default ``defaultTolerance(rows:columns:)``
    ///     (pass 1e-7 for R's `lm`).
    public init(_ a: Matrix, tolerance: Double? = nil) throws {
        let tolerance = tolerance ?? Self.defaultTolerance(rows: a.rows, columns: a.columns)
        let m = a.rows, n = a.columns
        var factors = a
        // Equilibrate: unit-norm columns (zero columns left as they are).
        var scales = [Double](repeating: 1, count: n)
        for j in 0..<n {
            var ss = 0.0
            for v in a.column(j) { ss += v * v }
            if ss > 0 { scales[j] = ss.squareRoot() }
            for i in 0..<m { factors[i, j] /= scales[j] }
        }
        var jpvt = [moodbiome_lapack_int](repeating: 0, count: n)
        var tau = [Double](repeating: 0, count: Swift.min(m, n))
        if m > 0 && n > 0 {
            let lda = moodbiome_lapack_int(Swift.max(m, 1))
            // Workspace query, then the factorisation proper.
            var query = 0.0
            var info = lapack.LAPACKE_dgeqp3_work(
                LAPACK_COL_MAJOR, moodbiome_lapack_int(m), moodbiome_lapack_int(n),
                &factors.storage, lda, &jpvt, &tau, &query, -1)
            guard info == 0 else { throw LinearAlgebraError(routine: "dgeqp3", info: Int(info)) }
            var work = [Double](repeating: 0, count: Swift.max(Int(query), 3 * n + 1))
            info = lapack.LAPACKE_dgeqp3_work(
                LAPACK_COL_MAJOR, moodbiome_lapack_int(m), moodbiome_lapack_int(n),
                &factors.storage, lda, &jpvt, &tau, &work, moodbiome_lapack_int(work.count))
            guard info == 0 else { throw LinearAlgebraError(routine: "dgeqp3", info: Int(info)) }
        }
        let permutation = jpvt.map { Int($0) - 1 }
        let k = Swift.min(m, n)
        var rank = 0
        if k > 0 {
            let r00 = abs(factors[0, 0])
            if r00 > 0 {
                while rank < k && abs(factors[rank, rank]) > tolerance * r00 { rank += 1 }
            }

        }
        // Undo the scaling in R: A·P = Q·(R_scaled·D_P).
        for c in 0..<n {
            let s = scales[permutation[c]]
            for i in 0...Swift.min(c, k - 1) where k > 0 { factors[i, c] *= s }
        }
        self.factors = factors
        self.tau = tau
        self.permutation = permutation
        self.rank = rank
    }

    /// The upper-triangular (or trapezoidal) factor `R`, min(m, n) × n.
    public var r: Matrix {
        let k = Swift.min(factors.rows, factors.columns)
        var r = Matrix(rows: k, columns: factors.columns)
        for j in 0..<factors.columns {
            for i in 0...Swift.min(j, k - 1) where k > 0 { r[i, j] = factors[i, j] }
        }
        return r
    }

    /// The thin orthogonal factor `Q`, m × min(m, n), formed by `dorgqr`.
    public func thinQ() throws -> Matrix {
        let m = factors.rows, k = Swift.min(factors.rows, factors.columns)
        var q = Matrix(rows: m, columns: k)
        if k == 0 { return q }
        for j in 0..<k { for i in 0..<m { q[i, j] = factors[i, j] } }
        var tauCopy = tau
        var query = 0.0
        var info = lapack.LAPACKE_dorgqr_work(
            LAPACK_COL_MAJOR, moodbiome_lapack_int(m), moodbiome_lapack_int(k), moodbiome_lapack_int(k),
            &q.storage, moodbiome_lapack_int(m), &tauCopy, &query, -1)
        guard info == 0 else { throw LinearAlgebraError(routine: "dorgqr", info: Int(info)) }
        var work = [Double](repeating: 0, count: Swift.max(Int(query), k))
        info = lapack.LAPACKE_dorgqr_work(
            LAPACK_COL_MAJOR, moodbiome_lapack_int(m), moodbiome_lapack_int(k), moodbiome_lapack_int(k),
            &q.storage, moodbiome_lapack_int(m), &tauCopy, &work, moodbiome_lapack_int(work.count))
        guard info == 0 else { throw LinearAlgebraError(routine: "dorgqr", info: Int(info)) }
        return q
    }

    /// `Qᵀ·b` for a vector of length m, applied with `dormqr` without forming `Q`.
    public func applyQTranspose(to b: [Double]) throws -> [Double] {
        let m = factors.rows, k = Swift.min(factors.rows, factors.columns)
        precondition(b.count == m, "vector has \(b.count) elements, expected \(m)")
        var c = b
        if k == 0 || m == 0 { return c }
        var a = factors.storage
        var tauCopy = tau
        var query = 0.0
        var info = lapack.LAPACKE_dormqr_work(
            LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), CChar(UInt8(ascii: "T")),
            moodbiome_lapack_int(m), 1, moodbiome_lapack_int(k),
            &a, moodbiome_lapack_int(m), &tauCopy, &c, moodbiome_lapack_int(m), &query, -1)
        guard info == 0 else { throw LinearAlgebraError(routine: "dormqr", info: Int(info)) }
        var work = [Double](repeating: 0, count: Swift.max(Int(query), 1))
        info = lapack.LAPACKE_dormqr_work(
            LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), CChar(UInt8(ascii: "T")),
            moodbiome_lapack_int(m), 1, moodbiome_lapack_int(k),
            &a, moodbiome_lapack_int(m), &tauCopy, &c, moodbiome_lapack_int(m), &work, moodbiome_lapack_int(work.count))
        guard info == 0 else { throw LinearAlgebraError(routine: "dormqr", info: Int(info)) }
        return c
    }

    /// The least-squares solution of `A·x ≈ b` restricted to the first
    /// `rank` pivoted columns; coefficients of dependent (aliased) columns
    /// are `nil`, like R's `NA` rows.
    ///
    /// Solves `R₁₁·z = (Qᵀb)[0..<rank]` with `dtrtrs` and un-permutes `z`.
    public func solveLeastSquares(_ b: [Double]) throws -> [Double?] {
        let n = factors.columns
        var x = [Double?](repeating: nil, count: n)
        if rank == 0 { return x }
        let qtb = try applyQTranspose(to: b)
        var z = Array(qtb[0..<rank])
        var a = factors.storage
        let info = lapack.LAPACKE_dtrtrs_work(
            LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "N")),
            moodbiome_lapack_int(rank), 1, &a, moodbiome_lapack_int(factors.rows), &z, moodbiome_lapack_int(rank))
        guard info == 0 else { throw LinearAlgebraError(routine: "dtrtrs", info: Int(info)) }
        for k in 0..<rank { x[permutation[k]] = z[k] }
        return x
    }

    /// `R₁₁⁻¹`, the inverse of the leading `rank × rank` block of `R` (the
    /// non-aliased columns, in pivot order), by LAPACK `dtrtri`.
    ///
    /// `R₁₁⁻¹·R₁₁⁻ᵀ` is `(XᵀX)⁻¹` for those columns, the unscaled covariance
    /// of least-squares coefficients, obtained without forming `XᵀX`.
    public func inverseOfLeadingR() throws -> Matrix {
        let k = rank
        var inv = Matrix(rows: k, columns: k)
        for j in 0..<k { for i in 0...j { inv[i, j] = factors[i, j] } }
        if k > 0 {
            let info = lapack.LAPACKE_dtrtri_work(
                LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), CChar(UInt8(ascii: "N")),
                moodbiome_lapack_int(k), &inv.storage, moodbiome_lapack_int(k))
            guard info == 0 else { throw LinearAlgebraError(routine: "dtrtri", info: Int(info)) }
        }
        return inv
    }
}
