import CLAPACK
import FoundationEssentials

/// Whether an operand enters a product as is or transposed.
public enum Transpose: Sendable {
    case none
    case transposed

    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

extension Matrix {
    /// The matrix product `op(self) · op(other)` computed by BLAS `dgemm`.
    ///
    /// - Parameters:
    ///   - other: the right operand.
    ///   - transposeSelf: use `selfᵀ` instead of `self`.
    ///   - transposeOther: use `otherᵀ` instead of `other`.
    /// - Precondition: the inner dimensions agree.
    public func multiplied(
        by other: Matrix,
        transposeSelf: Transpose = .none,
        transposeOther: Transpose = .none
    ) -> Matrix {
        let m = transposeSelf == .none ? rows : columns
        let k = transposeSelf == .none ? columns : rows
        let k2 = transposeOther == .none ? other.rows : other.columns
        let n = transposeOther == .none ? other.columns : other.rows
        precondition(k == k2, "inner dimensions differ: \(k) vs \(k2)")
        var result = Matrix(rows: m, columns: n)
        if m == 0 || n == 0 { return result }
        if k == 0 { return result }
        storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                result.storage.withUnsafeMutableBufferPointer { c in
                    lapack.cblas_dgemm(
                        CblasColMajor, transposeSelf.cblas, transposeOther.cblas,
                        Int32(m), Int32(n), Int32(k),
                        1.0, a.baseAddress, Int32(Swift.max(rows, 1)),
                        b.baseAddress, Int32(Swift.max(other.rows, 1)),
                        0.0, c.baseAddress, Int32(Swift.max(m, 1)))
                }
            }
        }
        return result
    }

    /// The matrix–vector product `op(self) · x` computed by BLAS `dgemv`.
    public func multiplied(by x: [Double], transpose: Transpose = .none) -> [Double] {
        let inLength = transpose == .none ? columns : rows
        let outLength = transpose == .none ? rows : columns
        precondition(x.count == inLength, "vector has \(x.count) elements, expected \(inLength)")
        var y = [Double](repeating: 0, count: outLength)
        if outLength == 0 || inLength == 0 { return y }
        storage.withUnsafeBufferPointer { a in
            x.withUnsafeBufferPointer { xb in
                y.withUnsafeMutableBufferPointer { yb in
                    lapack.cblas_dgemv(
                        CblasColMajor, transpose.cblas, Int32(rows), Int32(columns),
                        1.0, a.baseAddress, Int32(Swift.max(rows, 1)),
                        xb.baseAddress, 1, 0.0, yb.baseAddress, 1)
                }
            }
        }
        return y
    }
}

/// The dot product `Σ xᵢ yᵢ` computed by BLAS `ddot`.
///
/// - Precondition: `x.count == y.count`.
public func dot(_ x: [Double], _ y: [Double]) -> Double {
    precondition(x.count == y.count, "vectors differ in length: \(x.count) vs \(y.count)")
    if x.isEmpty { return 0 }
    return x.withUnsafeBufferPointer { a in
        y.withUnsafeBufferPointer { b in
            lapack.cblas_ddot(Int32(x.count), a.baseAddress, 1, b.baseAddress, 1)
        }
    }
}

/// The BLAS library in use, for provenance records: OpenBLAS's version and
/// build configuration, or a generic name — or that the run loaded none
/// (OpenBLAS is loaded at first use; see ``SystemLibrary``).
public var blasDescription: String {
    mb_lapack_description().map { String(String(cString: $0).drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) } ?? "not loaded (this run did no linear algebra)"
}

extension Matrix {
    /// `R · self` for R given row after row (`rows` × `self.rows`, row-major)
    /// by BLAS `dgemm`, R read in place as the column-major Rᵀ — a block of
    /// rows of a large matrix times a few vectors, without a copy.
    public func leftMultiplied(byRowMajor r: UnsafeBufferPointer<Double>, rows m: Int) -> Matrix {
        precondition(r.count == m * self.rows, "\(r.count) values for \(m) rows of \(self.rows)")
        var result = Matrix(rows: m, columns: columns)
        if m == 0 || columns == 0 || self.rows == 0 { return result }
        storage.withUnsafeBufferPointer { b in
            result.storage.withUnsafeMutableBufferPointer { c in
                lapack.cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(columns), Int32(self.rows),
                                   1.0, r.baseAddress, Int32(self.rows), b.baseAddress, Int32(self.rows),
                                   0.0, c.baseAddress, Int32(m))
            }
        }
        return result
    }
}
