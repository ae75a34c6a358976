/// The root of `f` between `a` and `b`, where `f(a)` and `f(b)` (given as
/// `fa`, `fb`) have opposite signs, by regula falsi with the Illinois
/// modification (Dowell & Jarratt 1971, *BIT* 11:168): the secant of the
/// bracket's ends, and when the same end is kept twice its value is
/// halved, which restores superlinear convergence where plain regula
/// falsi stalls. Stops when the bracket is narrower than `relative`·|x|
/// (and `absolute`), or `f` is exactly 0; after `maxIterations` steps
/// without that, nil.
public func bracketedRoot<Failure: Error>(_ a: Double, _ fa: Double, _ b: Double, _ fb: Double,
                                          relative: Double = 1e-12, absolute: Double = 0, maxIterations: Int = 200,
                                          _ f: (Double) throws(Failure) -> Double) throws(Failure) -> Double? {
    precondition(fa * fb <= 0, "the root must be bracketed")
    if fa == 0 { return a }
    if fb == 0 { return b }
    var (a, fa, b, fb) = (a, fa, b, fb)
    var kept = 0   // which end was kept last: −1 a, +1 b
    for _ in 0..<maxIterations {
        let c = (a * fb - b * fa) / (fb - fa)
        let fc = try f(c)
        if fc == 0 || abs(b - a) <= Swift.max(relative * abs(c), absolute) { return c }
        if (fc < 0) == (fa < 0) {
            (a, fa) = (c, fc)
            if kept == 1 { fb /= 2 }
            kept = 1
        } else {
            (b, fb) = (c, fc)
            if kept == -1 { fa /= 2 }
            kept = -1
        }
    }
    return nil
}
