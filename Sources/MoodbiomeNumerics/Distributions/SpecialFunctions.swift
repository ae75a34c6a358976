import FoundationEssentials

/// Special functions behind the distributions: the regularised incomplete
/// beta and gamma functions and the two helpers (Stirling's error and the
/// "deviance" term `bd0`) that keep their prefactors accurate for large
/// arguments.
///
/// The prefactors `xᵃ·yᵇ / B(a, b)` and `xᵃ·e⁻ˣ / Γ(a)` are not computed
/// from `lgamma` differences, which lose absolute accuracy in proportion to
/// the size of the arguments (df = 1,000 would cost three digits), but in
/// Loader's (2000) saddle-point form, `exp(−bd0(…) − stirlerr(…))·√(…)`, in
/// which every term is small where the function is not. The continued
/// fractions are evaluated with the modified Lentz method (Press et al.,
/// *Numerical Recipes*, 3rd ed., §6.2 and §6.4).
///
/// References: C. Loader (2000), "Fast and accurate computation of binomial
/// probabilities"; W. J. Cody / R's `nmath` for the same decomposition.
enum SpecialFunctions {
    /// `½·log(2π)`.
    static let halfLogTwoPi = 0.918_938_533_204_672_741_780_329_736_406

    /// Stirling's error `δ(n) = log Γ(n) − (n − ½)·log n + n − ½·log(2π)`.
    ///
    /// For n > 15 the asymptotic series `1/(12n) − 1/(360n³) + …`; below,
    /// directly from `lgamma` (where its absolute error is below 1e-14).
    static func stirlingError(_ n: Double) -> Double {
        if n > 15 {
            let nn = n * n
            let s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680, s4 = 1.0 / 1188
            if n > 500 { return (s0 - s1 / nn) / n }
            if n > 80 { return (s0 - (s1 - s2 / nn) / nn) / n }
            if n > 35 { return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n }
            return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n
        }
        return lgamma(n) - (n - 0.5) * log(n) + n - halfLogTwoPi
    }

    /// The deviance term `bd0(x, m) = x·log(x/m) + m − x ≥ 0`, computed
    /// without cancellation when x ≈ m (Loader 2000).
    static func deviance(_ x: Double, _ m: Double) -> Double {
        if x == 0 { return m }
        if abs(x - m) < 0.1 * (x + m) {
            let v = (x - m) / (x + m)
            var s = (x - m) * v
            var ej = 2 * x * v
            let v2 = v * v
            var j = 1.0
            while j < 1000 {
                ej *= v2
                let s1 = s + ej / (2 * j + 1)
                if s1 == s { return s1 }
                s = s1
                j += 1
            }
            return s
        }
        return x * log(x / m) + m - x
    }

    /// `log(1 + x) − x`, accurate for small |x|.
    static func log1pMinusX(_ x: Double) -> Double {
        if abs(x) < 0.25 {
            // −x²/2 + x³/3 − x⁴/4 + …
            var term = -x * x
            var sum = 0.0
            var k = 2.0
            while k < 200 {
                let next = sum + term / k
                if next == sum { break }
                sum = next
                term *= -x
                k += 1
            }
            return sum
        }
        return log1p(x) - x
    }

    /// `xᵃ·(1 − x)ᵇ / B(a, b)` with `y = 1 − x` passed separately so that
    /// values of x near 1 keep their precision.
    static func betaPowerTerm(a: Double, b: Double, x: Double, y: Double) -> Double {
        if x == 0 || y == 0 { return 0 }
        let n = a + b
        let exponent = -(deviance(a, n * x) + deviance(b, n * y))
            + stirlingError(n) - stirlingError(a) - stirlingError(b)
        return (a * b / (2 * Double.pi * n)).squareRoot() * exp(exponent)
    }

    /// `xᵃ·e⁻ˣ / Γ(a)`.
    static func gammaPowerTerm(a: Double, x: Double) -> Double {
        if x == 0 { return a == 0 ? 1 : 0 }
        return (a / (2 * Double.pi)).squareRoot() * exp(-deviance(a, x) - stirlingError(a))
    }

    /// The regularised incomplete beta function `I_x(a, b)` and its
    /// complement `1 − I_x(a, b)`, each to full relative precision.
    ///
    /// `y` must equal `1 − x`; callers that know it more accurately than
    /// `1 − x` (the t and F distributions) pass it directly.
    static func incompleteBeta(a: Double, b: Double, x: Double, y: Double) -> (lower: Double, upper: Double) {
        precondition(a > 0 && b > 0, "incomplete beta needs a, b > 0")
        if x <= 0 { return (0, 1) }
        if y <= 0 { return (1, 0) }
        // The continued fraction converges fast for x < (a + 1)/(a + b + 2);
        // otherwise use the symmetry I_x(a, b) = 1 − I_y(b, a).
        if x * (a + b + 2) < a + 1 {
            let value = betaPowerTerm(a: a, b: b, x: x, y: y) * betaContinuedFraction(a: a, b: b, x: x) / a
            return (value, 1 - value)
        } else {
            let value = betaPowerTerm(a: b, b: a, x: y, y: x) * betaContinuedFraction(a: b, b: a, x: y) / b
            return (1 - value, value)
        }
    }

    /// The continued fraction for `I_x(a, b)` (Numerical Recipes `betacf`).
    static func betaContinuedFraction(a: Double, b: Double, x: Double) -> Double {
        let tiny = 1e-300, eps = 1e-16
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...100_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < eps { break }
        }
        return h
    }

    /// The regularised incomplete gamma functions `P(a, x)` and
    /// `Q(a, x) = 1 − P(a, x)`, each to full relative precision.
    ///
    /// The series for P when x < a + 1, the continued fraction for Q
    /// otherwise (Numerical Recipes `gser` / `gcf`).
    static func incompleteGamma(a: Double, x: Double) -> (lower: Double, upper: Double) {
        precondition(a > 0, "incomplete gamma needs a > 0")
        if x <= 0 { return (0, 1) }
        if x.isInfinite { return (1, 0) }
        let front = gammaPowerTerm(a: a, x: x)
        if x < a + 1 {
            var ap = a, del = 1 / a, sum = del
            for _ in 0..<100_000 {
                ap += 1
                del *= x / ap
                sum += del
                if abs(del) < abs(sum) * 1e-17 { break }
            }
            let p = front * sum
            return (p, 1 - p)
        } else {
            let tiny = 1e-300
            var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
            for i in 1...100_000 {
                let an = -Double(i) * (Double(i) - a)
                b += 2
                d = an * d + b; if abs(d) < tiny { d = tiny }
                c = b + an / c; if abs(c) < tiny { c = tiny }
                d = 1 / d
                let del = d * c
                h *= del
                if abs(del - 1) < 1e-16 { break }
            }
            let q = front * h
            return (1 - q, q)
        }
    }
}
