/// The `count` algebraically largest eigenpairs of a symmetric operator
/// that is only ever applied to blocks of vectors — a matrix too large to
/// hold, read from disk one pass per application.
///
/// Algorithm: randomized subspace iteration with Rayleigh–Ritz extraction
/// (Halko, Martinsson & Tropp 2011, *SIAM Review* 53:217–288, Algorithms
/// 4.4 and 5.3; Saad 2011, *Numerical Methods for Large Eigenvalue
/// Problems*, §5.2), iterated to convergence rather than for a fixed number
/// of passes as scikit-bio's `fsvd` does:
///
/// 1. Q₀: `width = min(n, count + max(2·count, 20))` Gaussian columns from
///    Xoshiro256** with the given seed, orthonormalized.
/// 2. Each pass: Z = A·Q; the small matrix B = QᵀZ (symmetrized) is
///    decomposed, B = S·diag(θ)·Sᵀ; the Ritz pairs are (θᵢ, Q·sᵢ) with
///    A·Q·sᵢ = Z·sᵢ, so the residual ‖Z·sᵢ − θᵢ·Q·sᵢ‖ costs no extra pass.
/// 3. Stop when every one of the `count` largest Ritz pairs has residual
///    ≤ `tolerance` × max|θ| — then each eigenvalue is within
///    residual²/gap and each vector within residual/gap of the exact one;
///    otherwise Q = orth(Z·S) and pass again. Per pass the error falls by
///    about |λ_{width+1}| / λ_count: the wide block (30 vectors for 10
///    axes) costs more flops per pass but fewer passes — 24 rather than 42
///    for 10 axes of an 800-sample Bray–Curtis matrix — and a pass over a
///    matrix on disk is dominated by reading it.
///
/// Orthonormalization is modified Gram–Schmidt applied twice ("twice is
/// enough", Giraud et al. 2005) in plain loops, so it gives the same bits on
/// every machine; a column that vanishes (A of low rank) is replaced by a
/// fresh random one. Only `A·Q` and the width × width eigenproblem use
/// BLAS/LAPACK; the converged answer is the same to the tolerance under any
/// kernel or thread count, and the iteration count is reported.
public struct RandomizedEigen: Sendable {
    /// The `count` largest eigenvalues, decreasing.
    public let eigenvalues: [Double]
    /// n × count: orthonormal eigenvectors in the eigenvalues' order.
    public let eigenvectors: Matrix
    /// The passes over A it took (applications of the operator).
    public let passes: Int
    /// The largest residual ‖A·v − λ·v‖ / max|θ| of the pairs returned.
    public let residual: Double

    /// Subspace iteration did not reach the tolerance within the passes allowed.
    public struct NotConverged: Error, Equatable, Sendable {
        public let passes: Int
        public let residual: Double
    }

    /// - Parameters:
    ///   - n: the order of A.
    ///   - count: how many of the largest pairs (1…n).
    ///   - seed: the random start's seed.
    ///   - apply: A·X for an n × width matrix X.
    public init(order n: Int, count: Int, seed: UInt64, tolerance: Double = 1e-11, maximumPasses: Int = 1000,
                apply: (Matrix) throws -> Matrix) throws {
        precondition(n >= 1 && (1...n).contains(count), "1 ≤ count ≤ n")
        let width = Swift.min(n, count + Swift.max(2 * count, 20))
        var random = Xoshiro256StarStar(seed: seed)
        var q = Matrix(rows: n, columns: width)
        for i in q.storage.indices { q.storage[i] = random.nextNormal() }
        Self.orthonormalize(&q, random: &random)
        var passes = 0
        while true {
            let z = try apply(q)
            passes += 1
            precondition(z.rows == n && z.columns == width, "the operator returns n × width")
            let (theta, s) = try Self.ritz(q, z)
            let vectors = q.multiplied(by: s), images = z.multiplied(by: s)
            let scale = theta.map(abs).max() ?? 0
            var worst = 0.0
            for c in 0..<count {
                var sum = 0.0
                for i in 0..<n {
                    let r = images[i, c] - theta[c] * vectors[i, c]
                    sum += r * r
                }
                worst = Swift.max(worst, sum.squareRoot())
            }
            let relative = scale > 0 ? worst / scale : 0
            if relative <= tolerance || width == n {
                var v = Matrix(rows: n, columns: count)
                for c in 0..<count { for i in 0..<n { v[i, c] = vectors[i, c] } }
                self.eigenvalues = Array(theta.prefix(count))
                self.eigenvectors = v
                self.passes = passes
                self.residual = relative
                return
            }
            guard passes < maximumPasses else { throw NotConverged(passes: passes, residual: relative) }
            q = images
            Self.orthonormalize(&q, random: &random)
        }
    }

    /// The Ritz values of QᵀAQ = QᵀZ, decreasing, and their vectors.
    static func ritz(_ q: Matrix, _ z: Matrix) throws -> ([Double], Matrix) {
        var b = q.multiplied(by: z, transposeSelf: .transposed)
        let w = b.rows
        for j in 0..<w { for i in 0..<j { let m = 0.5 * (b[i, j] + b[j, i]); b[i, j] = m; b[j, i] = m } }
        let eigen = try SymmetricEigen(b)
        var s = Matrix(rows: w, columns: w)
        for c in 0..<w { for i in 0..<w { s[i, c] = eigen.eigenvectors[i, w - 1 - c] } }
        return (eigen.eigenvalues.reversed(), s)
    }

    /// Modified Gram–Schmidt, twice, column by column in order.
    static func orthonormalize(_ q: inout Matrix, random: inout Xoshiro256StarStar) {
        let n = q.rows
        q.storage.withUnsafeMutableBufferPointer { a in
            for c in 0..<q.columns {
                var attempts = 0
                while true {
                    let before = norm(a, c, n)
                    for _ in 0..<2 {
                        for p in 0..<c {
                            var dot = 0.0
                            for i in 0..<n { dot += a[p * n + i] * a[c * n + i] }
                            for i in 0..<n { a[c * n + i] -= dot * a[p * n + i] }
                        }
                    }
                    let after = norm(a, c, n)
                    if after > 1e-10 * before && after > 0 || attempts == 3 {
                        let inverse = after > 0 ? 1 / after : 0
                        for i in 0..<n { a[c * n + i] *= inverse }
                        break
                    }
                    // The column lay in the span of the ones before (A of low rank): start it afresh.
                    attempts += 1
                    for i in 0..<n { a[c * n + i] = random.nextNormal() }
                }
            }
        }
    }

    private static func norm(_ a: UnsafeMutableBufferPointer<Double>, _ c: Int, _ n: Int) -> Double {
        var sum = 0.0
        for i in 0..<n { sum += a[c * n + i] * a[c * n + i] }
        return sum.squareRoot()
    }
}
