import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

@Suite("BLAS and LAPACK layer")
struct LinearAlgebraTests {
    let a = Matrix([[1, 2, 3], [4, 5, 6]])
    let b = Matrix([[7, 8], [9, 10], [11, 12]])

    @Test func gemmMatchesHandComputedProduct() {
        #expect(a.multiplied(by: b) == Matrix([[58, 64], [139, 154]]))
        #expect(a.multiplied(by: a, transposeOther: .transposed) == Matrix([[14, 32], [32, 77]]))
        #expect(a.multiplied(by: a, transposeSelf: .transposed) == Matrix([[17, 22, 27], [22, 29, 36], [27, 36, 45]]))
    }

    @Test func gemvAndDot() {
        #expect(a.multiplied(by: [1, 0, -1]) == [-2, -2])
        #expect(a.multiplied(by: [1, 1], transpose: .transposed) == [5, 7, 9])
        #expect(dot([1, 2, 3], [4, 5, 6]) == 32)
        #expect(dot([], []) == 0)
    }

    @Test func pivotedQRReconstructsTheMatrix() throws {
        let x = Matrix([[1, 0.5, 10], [1, 1.5, 20], [1, 2.5, 35], [1, 3.5, 38], [1, 4.5, 52]])
        let qr = try PivotedQR(x)
        #expect(qr.rank == 3)
        let q = try qr.thinQ()
        let product = q.multiplied(by: qr.r)
        let permuted = x.selectingColumns(qr.permutation)
        for k in product.storage.indices { #expect(abs(product.storage[k] - permuted.storage[k]) < 1e-12) }
        let qtq = q.multiplied(by: q, transposeSelf: .transposed)
        for i in 0..<3 { for j in 0..<3 { #expect(abs(qtq[i, j] - (i == j ? 1 : 0)) < 1e-14) } }
    }

    @Test func rankDeficientDesignFlagsTheAliasedColumn() throws {
        // Third column = first + second: R's lm reports it as NA (aliased).
        let x = Matrix([[1, 2, 3], [1, 3, 4], [1, 5, 6], [1, 7, 8]])
        let qr = try PivotedQR(x)
        #expect(qr.rank == 2)
        let y = [3.0, 4.0, 7.0, 9.0]
        let beta = try qr.solveLeastSquares(y)
        #expect(beta.filter { $0 == nil }.count == 1)
        // The fitted values equal those of the full-rank sub-design.
        let kept = (0..<3).filter { beta[$0] != nil }
        let fitted = x.selectingColumns(kept).multiplied(by: kept.map { beta[$0]! })
        let reference = try PivotedQR(x.selectingColumns([0, 1])).solveLeastSquares(y).map { $0! }
        let fittedReference = x.selectingColumns([0, 1]).multiplied(by: reference)
        for i in 0..<4 { #expect(abs(fitted[i] - fittedReference[i]) < 1e-12) }
    }

    @Test func leastSquaresRecoversAnExactLine() throws {
        let x = Matrix([[1, 0], [1, 1], [1, 2], [1, 3]])
        let beta = try PivotedQR(x).solveLeastSquares([1, 3, 5, 7])
        #expect(abs(beta[0]! - 1) < 1e-13)
        #expect(abs(beta[1]! - 2) < 1e-13)
    }

    @Test func choleskyOfAKnownMatrix() throws {
        // [[4, 2], [2, 3]] = UᵀU with U = [[2, 1], [0, √2]]; det = 8.
        let c = try Cholesky(Matrix([[4, 2], [2, 3]]))
        #expect(c.upper[0, 0] == 2 && c.upper[0, 1] == 1 && c.upper[1, 0] == 0)
        #expect(abs(c.upper[1, 1] - 2.0.squareRoot()) < 1e-15)
        #expect(abs(c.logDeterminant - log(8)) < 1e-15)
        #expect(throws: LinearAlgebraError.self) { try Cholesky(Matrix([[1, 2], [2, 1]])) }
    }

    @Test func symmetricEigenOfAKnownMatrix() throws {
        // [[2, 1, 0], [1, 2, 0], [0, 0, 5]]: eigenvalues 1, 3, 5.
        let a = Matrix([[2, 1, 0], [1, 2, 0], [0, 0, 5]])
        let e = try SymmetricEigen(a)
        for (value, expected) in zip(e.eigenvalues, [1.0, 3, 5]) { #expect(abs(value - expected) < 1e-14) }
        // A·v = λ·v for each pair.
        let av = a.multiplied(by: e.eigenvectors)
        for j in 0..<3 { for i in 0..<3 { #expect(abs(av[i, j] - e.eigenvalues[j] * e.eigenvectors[i, j]) < 1e-14) } }
    }
}
