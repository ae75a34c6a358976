import CLAPACK

/// An orthonormal basis of a matrix's column space built column by column
/// **in order** — the span of the first k basis vectors is the span of the
/// first independent columns among A's first k — so that sums of squares
/// can be taken term after term (sequential, type I), as R's `qr()` does
/// for `anova()` and vegan's `adonis2`.
///
/// Each column is orthogonalised against the basis so far by classical
/// Gram–Schmidt applied twice ("twice is enough", Giraud, Langou &
/// Rozložník 2005, Numer. Math. 101:87–100), by BLAS `dgemv`. A column
/// whose remainder is at most `tolerance` times its own norm adds nothing
/// and is marked dependent — R's rule (LINPACK `dqrdc2`, tolerance 1e-7),
/// which likewise moves such a column out of the way and carries on with
/// the next, so the basis never holds a direction made of rounding noise.
public struct OrderedBasis: Sendable {
    /// n × rank, orthonormal columns, in the order of A's independent columns.
    public private(set) var q: Matrix
    /// For each column of A, whether it added a dimension.
    public let independent: [Bool]

    public var rank: Int { q.columns }

    public init(_ a: Matrix, tolerance: Double = 1e-7) {
        let n = a.rows
        var basis = [Double]()
        basis.reserveCapacity(n * a.columns)
        var independent = [Bool](repeating: false, count: a.columns)
        var rank = 0
        for j in 0..<a.columns {
            var v = Array(a.column(j))
            let norm = dot(v, v).squareRoot()
            guard norm > 0 else { continue }
            for _ in 0..<2 where rank > 0 {
                // v ← v − Q (Qᵀ v)
                var coefficients = [Double](repeating: 0, count: rank)
                basis.withUnsafeBufferPointer { qb in
                    lapack.cblas_dgemv(CblasColMajor, CblasTrans, Int32(n), Int32(rank), 1, qb.baseAddress, Int32(n),
                                v, 1, 0, &coefficients, 1)
                    lapack.cblas_dgemv(CblasColMajor, CblasNoTrans, Int32(n), Int32(rank), -1, qb.baseAddress, Int32(n),
                                coefficients, 1, 1, &v, 1)
                }
            }
            let remainder = dot(v, v).squareRoot()
            guard remainder > tolerance * norm else { continue }
            for i in 0..<n { basis.append(v[i] / remainder) }
            independent[j] = true
            rank += 1
        }
        self.q = Matrix(rows: n, columns: rank, columnMajor: basis)
        self.independent = independent
    }
}
