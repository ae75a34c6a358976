import FoundationEssentials

/// Nelder–Mead (1965) on one variable with a lower bound, step for step as
/// SciPy 1.17's `minimize(method = "Nelder-Mead", bounds = [(lower, None)])`
/// takes it (ANCOM-BC's variance updates in scikit-bio use it): the simplex
/// `x₀` and `1.05·x₀` (0.00025 when `x₀ = 0`), reflection 1, expansion 2,
/// contraction ½, shrink ½, every trial point clipped to the bound; it stops
/// when the simplex is within `xTolerance` and its values within
/// `fTolerance` of the best, or after 200 iterations or 200 evaluations.
/// Returns the best point.
public enum NelderMead {
    public static func minimize(_ f: (Double) -> Double, from start: Double, lowerBound: Double = 0,
                                xTolerance: Double = 1e-8, fTolerance: Double = 1e-8) -> Double {
        let limit = 200
        var calls = 0
        func value(_ x: Double) -> Double { calls += 1; return f(x) }
        let x0 = Swift.max(start, lowerBound)
        var sim = [x0, Swift.max(x0 != 0 ? 1.05 * x0 : 0.00025, lowerBound)]
        var fsim = sim.map(value)
        func sort() {
            // A stable order of two (NumPy's argsort on two values).
            if fsim[1] < fsim[0] { sim.swapAt(0, 1); fsim.swapAt(0, 1) }
        }
        sort()
        var iterations = 1
        while calls < limit && iterations < limit {
            if abs(sim[1] - sim[0]) <= xTolerance && abs(fsim[0] - fsim[1]) <= fTolerance { break }
            let xbar = sim[0]
            let xr = Swift.max(2 * xbar - sim[1], lowerBound)
            let fxr = value(xr)
            var shrink = false
            if fxr < fsim[0] {
                let xe = Swift.max(3 * xbar - 2 * sim[1], lowerBound)
                let fxe = value(xe)
                if fxe < fxr { sim[1] = xe; fsim[1] = fxe } else { sim[1] = xr; fsim[1] = fxr }
            } else if fxr < fsim[1] {
                // (SciPy's "fxr < fsim[-2]" is "fxr < fsim[0]" with one variable: false here.)
                let xc = Swift.max(1.5 * xbar - 0.5 * sim[1], lowerBound)
                let fxc = value(xc)
                if fxc <= fxr { sim[1] = xc; fsim[1] = fxc } else { shrink = true }
            } else {
                let xcc = Swift.max(0.5 * xbar + 0.5 * sim[1], lowerBound)
                let fxcc = value(xcc)
                if fxcc < fsim[1] { sim[1] = xcc; fsim[1] = fxcc } else { shrink = true }
            }
            if shrink {
                sim[1] = Swift.max(sim[0] + 0.5 * (sim[1] - sim[0]), lowerBound)
                fsim[1] = value(sim[1])
            }
            iterations += 1
            sort()
        }
        return sim[0]
    }
}
