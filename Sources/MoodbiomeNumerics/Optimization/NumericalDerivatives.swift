import FoundationEssentials

/// Derivatives by central differences improved by Richardson extrapolation,
/// the method of R's numDeriv package (Gilbert & Varadhan), with its
/// defaults, so that quantities built on them (lmerTest's Satterthwaite
/// degrees of freedom) agree with R's to many digits.
///
/// For each coordinate the first step is `h₀ = |d·xᵢ|`, or `eps` = 1e-4
/// when `|xᵢ| < zeroTolerance` (√(ε/7·10⁻⁷) ≈ 1.8e-5); r = 4 differences
/// are taken with steps h₀, h₀/2, h₀/4, h₀/8, and combined by
/// `D ← (4ᵐ·D(h/2) − D(h))/(4ᵐ − 1)`, m = 1…3, which removes the error
/// terms of order h², h⁴, h⁶.
public enum NumericalDerivatives {
    static let eps = 1e-4
    static let zeroTolerance = (Double.ulpOfOne / 7e-7).squareRoot()
    static let steps = 4

    static func initialSteps(_ x: [Double], d: Double) -> [Double] {
        x.map { abs(d * $0) + (abs($0) < zeroTolerance ? eps : 0) }
    }

    /// Richardson's table collapsed to its best entry.
    static func extrapolate(_ a: [[Double]]) -> [Double] {
        var a = a
        for m in 1..<steps {
            let factor = pow(4.0, Double(m))
            for k in 0..<(steps - m) {
                a[k] = zip(a[k], a[k + 1]).map { (factor * $1 - $0) / (factor - 1) }
            }
        }
        return a[0]
    }

    /// The Jacobian of a vector function (numDeriv's `jacobian`, d = 1e-4):
    /// `result[k][i]` = ∂fₖ/∂xᵢ.
    public static func jacobian(_ f: ([Double]) -> [Double], at x: [Double], d: Double = 1e-4) -> [[Double]] {
        let n = x.count
        let h0 = initialSteps(x, d: d)
        var columns = [[Double]]()
        var outputs = 0
        for i in 0..<n {
            var h = h0[i]
            var table = [[Double]]()
            for _ in 0..<steps {
                var up = x, down = x
                up[i] += h; down[i] -= h
                let fu = f(up), fd = f(down)
                table.append(zip(fu, fd).map { ($0 - $1) / (2 * h) })
                h /= 2
            }
            let column = extrapolate(table)
            outputs = column.count
            columns.append(column)
        }
        return (0..<outputs).map { k in (0..<n).map { columns[$0][k] } }
    }

    /// The Hessian of a scalar function (numDeriv's `hessian` through its
    /// `genD`, d = 0.1): diagonal entries from `(f(x+h) − 2f(x) + f(x−h))/h²`,
    /// off-diagonal ones from steps in both coordinates at once,
    /// `(f(x+hᵢ+hⱼ) − 2f(x) + f(x−hᵢ−hⱼ) − Hᵢᵢhᵢ² − Hⱼⱼhⱼ²)/(2hᵢhⱼ)`, each
    /// extrapolated. Symmetric, n × n row arrays.
    public static func hessian(_ f: ([Double]) -> Double, at x: [Double], d: Double = 0.1) -> [[Double]] {
        let n = x.count
        let h0 = initialSteps(x, d: d)
        let f0 = f(x)
        var diagonal = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var h = h0[i]
            var table = [[Double]]()
            for _ in 0..<steps {
                var up = x, down = x
                up[i] += h; down[i] -= h
                table.append([(f(up) - 2 * f0 + f(down)) / (h * h)])
                h /= 2
            }
            diagonal[i] = extrapolate(table)[0]
        }
        var hess = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            hess[i][i] = diagonal[i]
            for j in 0..<i {
                var hi = h0[i], hj = h0[j]
                var table = [[Double]]()
                for _ in 0..<steps {
                    var up = x, down = x
                    up[i] += hi; up[j] += hj
                    down[i] -= hi; down[j] -= hj
                    let value = (f(up) - 2 * f0 + f(down) - diagonal[i] * hi * hi - diagonal[j] * hj * hj) / (2 * hi * hj)
                    table.append([value])
                    hi /= 2; hj /= 2
                }
                hess[i][j] = extrapolate(table)[0]
                hess[j][i] = hess[i][j]
            }
        }
        return hess
    }
}
