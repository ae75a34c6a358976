import Foundation
import Testing
@testable import MoodbiomeNumerics

@Suite("Ordered basis, R's BFGS, permutations' generator")
struct OptimizationAndBasisTests {
    @Test func orderedBasisSkipsAnAliasedMiddleColumnAndKeepsOrder() {
        // Column 2 = column 0 + column 1; column 3 is new.
        let a = Matrix([[1, 0, 1, 2], [0, 1, 1, 3], [1, 1, 2, -1], [2, 0, 2, 5], [0, 3, 3, 1]])
        let basis = OrderedBasis(a)
        #expect(basis.independent == [true, true, false, true])
        #expect(basis.rank == 3)
        let qtq = basis.q.multiplied(by: basis.q, transposeSelf: .transposed)
        for i in 0..<3 { for j in 0..<3 { #expect(isClose(qtq[i, j], i == j ? 1 : 0, relative: 0, absolute: 1e-15)) } }
        // The span of the first k basis vectors is the span of the first independent columns:
        // column 0 is a multiple of q₀.
        let q0 = Array(basis.q.column(0)), c0 = Array(a.column(0))
        let scale = dot(q0, c0)
        for i in 0..<5 { #expect(isClose(q0[i] * scale, c0[i], relative: 1e-14, absolute: 1e-15)) }
        // Every column of A lies in the span of Q.
        for j in 0..<4 {
            let c = Array(a.column(j))
            let coefficients = basis.q.multiplied(by: c, transpose: .transposed)
            let projected = basis.q.multiplied(by: coefficients)
            for i in 0..<5 { #expect(isClose(projected[i], c[i], relative: 1e-13, absolute: 1e-14)) }
        }
    }

    /// R 4.2.2: `optim(c(-1.2, 1), fr, grr, method = "BFGS")` on Rosenbrock's
    /// function (the example of `?optim`): par 0.99999999690491403,
    /// 0.999999993797419, value 9.5949556437698302e-18, counts 110 / 43;
    /// with `maxit = 20`: par 0.6397911656250661, 0.4023972561295508,
    /// counts 51 / 20, convergence 1.
    @Test func variableMetricTakesRsStepsOnRosenbrock() {
        let f: ([Double]) -> Double = { x in 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]) + (1 - x[0]) * (1 - x[0]) }
        let g: ([Double]) -> [Double] = { x in
            [-400 * x[0] * (x[1] - x[0] * x[0]) - 2 * (1 - x[0]), 200 * (x[1] - x[0] * x[0])]
        }
        let full = VariableMetric.minimize(start: [-1.2, 1], f: f, gradient: g)
        #expect(isClose(full.x[0], 0.99999999690491403, relative: 1e-12))
        #expect(isClose(full.x[1], 0.999999993797419, relative: 1e-12))
        #expect(isClose(full.value, 9.5949556437698302e-18, relative: 1e-6))
        #expect(full.evaluations == 110 && full.iterations == 43 && full.converged)
        let short = VariableMetric.minimize(start: [-1.2, 1], maxIterations: 20, f: f, gradient: g)
        #expect(isClose(short.x[0], 0.6397911656250661, relative: 1e-12))
        #expect(isClose(short.x[1], 0.4023972561295508, relative: 1e-12))
        #expect(short.evaluations == 51 && short.iterations == 20 && !short.converged)
    }

    @Test func shuffleIsAPermutationAndReproducible() {
        var a = Xoshiro256StarStar(seed: 11), b = Xoshiro256StarStar(seed: 11)
        var x = Array(0..<100), y = Array(0..<100)
        a.shuffle(&x)
        b.shuffle(&y)
        #expect(x == y)
        #expect(x.sorted() == Array(0..<100))
        #expect(x != Array(0..<100))
        // Lemire's bounded integers stay in range and cover it.
        var seen = Set<Int>()
        for _ in 0..<2000 { let v = a.nextInt(below: 7); #expect((0..<7).contains(v)); seen.insert(v) }
        #expect(seen.count == 7)
    }
}

@Suite("Hypergeometric variates for rarefaction by counts")
struct HypergeometricTests {
    /// mpmath at 40 digits, `log C(k, x) + log C(f, n − x) − log C(k + f, n)`
    /// (SciPy 1.17.1's `hypergeom.logpmf` strays by up to 8e-9 relative here:
    /// -5.12236549276567 and -4.320220173559964 for the last two).
    @Test(arguments: [
        (3.0, 10.0, 20.0, 8.0, -1.1461070173370968139),
        (50, 100, 900, 500, -2.4782239239104803399),
        (5e3, 1e6, 9e6, 5e4, -5.122365452447349148),
        (1000, 1e12, 9e12, 1e4, -4.3202201736233085666),
    ])
    func logPMFMatchesSciPy(x: Double, k: Double, f: Double, n: Double, expected: Double) {
        #expect(isClose(Xoshiro256StarStar.logHypergeometric(x, successes: k, failures: f, draws: n), expected, relative: 1e-12))
    }

    @Test func drawsFollowTheDistributionAtAnyScale() {
        var rng = Xoshiro256StarStar(seed: 9)
        for (k, f, n) in [(10.0, 20.0, 8.0), (3.0, 1000.0, 500.0), (1e12, 9e12, 1e4)] {
            let draws = (0..<20_000).map { _ in rng.nextHypergeometric(successes: k, failures: f, draws: n) }
            let total = k + f
            let mean = n * k / total
            let variance = n * (k / total) * (f / total) * (total - n) / (total - 1)
            let m = draws.reduce(0, +) / Double(draws.count)
            let v = draws.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(draws.count - 1)
            #expect(abs(m - mean) < 4 * (variance / Double(draws.count)).squareRoot(), "mean \(m) vs \(mean)")
            #expect(abs(v / variance - 1) < 0.05, "variance \(v) vs \(variance)")
            #expect(draws.allSatisfy { $0 >= Swift.max(0, n - f) && $0 <= Swift.min(n, k) && $0 == $0.rounded() })
        }
        // Edge cases: everything, nothing.
        #expect(rng.nextHypergeometric(successes: 5, failures: 0, draws: 3) == 3)
        #expect(rng.nextHypergeometric(successes: 0, failures: 5, draws: 3) == 0)
    }
}

/// The mixed models' numerical tools: NLopt's BOBYQA under bounds and
/// numDeriv's Richardson derivatives.
@Suite("BOBYQA and Richardson-extrapolated derivatives")
struct MixedModelNumericsTests {
    /// Rosenbrock's function from (−1.2, 1): unbounded, the minimum (1, 1);
    /// with x₁ ≤ 0.5, the constrained minimum on the bound (0.5, 0.25).
    @Test func bobyqaFindsTheUnboundedAndTheBoundedMinimum() throws {
        func rosenbrock(_ x: [Double]) -> Double { 100 * pow(x[1] - x[0] * x[0], 2) + pow(1 - x[0], 2) }
        let free = try BoundedMinimizer.minimize(start: [-1.2, 1], lower: [-.infinity, -.infinity], upper: [.infinity, .infinity], f: rosenbrock)
        #expect(free.converged)
        #expect(abs(free.x[0] - 1) < 1e-6 && abs(free.x[1] - 1) < 1e-6)
        let bounded = try BoundedMinimizer.minimize(start: [-1.2, 1], lower: [-2, -2], upper: [0.5, 2], f: rosenbrock)
        #expect(abs(bounded.x[0] - 0.5) < 1e-9 && abs(bounded.x[1] - 0.25) < 1e-6)
        #expect(bounded.evaluations > 0)
        // A start outside the bounds is moved inside; no parameters is one evaluation.
        let none = try BoundedMinimizer.minimize(start: [], lower: [], upper: []) { _ in 3 }
        #expect(none.value == 3 && none.evaluations == 1)
    }

    /// A parameter started a hair above its bound: NLopt derives BOBYQA's
    /// first step from that distance (1e-7), and such a run stopped short
    /// of a profile point's minimum on one CPU. From several starts with
    /// steps on the parameters' scale, and restarts, the minimum is found
    /// whatever the start; a start that ran away (∞, NaN) is brought into
    /// the box.
    @Test func severalStartsAndRestartsReachTheMinimumFromAnyStart() throws {
        // A narrow curved valley: minimum at (1, 0.14), y ≥ 0.
        func f(_ v: [Double]) -> Double { pow(v[0] - 1, 2) + 50 * pow(v[1] - 0.14 * v[0] * v[0], 2) }
        let lower = [-Double.infinity, 0], upper = [Double.infinity, .infinity]
        for start in [[1.4, 1.4e-7], [-3, 0], [1, 25], [.infinity, .nan]] {
            let r = try BoundedMinimizer.minimize(starts: [start], lower: lower, upper: upper, f: f)
            #expect(abs(r.x[0] - 1) < 1e-5 && abs(r.x[1] - 0.14) < 1e-5, "from \(start): \(r.x)")
            #expect(r.value < 1e-10)
        }
        // The least of several starts wins; the evaluations of all are counted.
        let several = try BoundedMinimizer.minimize(starts: [[-3, 0], [1.4, 1.4e-7]], lower: lower, upper: upper, f: f)
        let one = try BoundedMinimizer.minimize(starts: [[-3, 0]], lower: lower, upper: upper, f: f)
        #expect(several.evaluations > one.evaluations)
        // First steps follow the scale: 0.1·|x|, at least the floor, at most half a bounded range.
        #expect(BoundedMinimizer.scaledSteps([1.4e-7, 30, .nan, 0.5], lower: [0, 0, 0, 0], upper: [.infinity, .infinity, .infinity, 0.6])
                == [0.05, 3, 0.05, 0.05])
    }

    /// Against R's numDeriv 2016.8-1.1 (defaults), generated with
    /// `f <- function(x) exp(x[1])*sin(x[2]) + x[1]^2*x[3]`,
    /// `g <- function(x) c(x[1]*x[2], exp(x[3]) + x[1], log(x[2]))`,
    /// `hessian(f, c(0.5, 1.2, -0.7))`, `jacobian(g, c(0.5, 1.2, -0.7))` and
    /// `hessian(f, c(0, 1e-6, 2))` (coordinates below the zero tolerance take
    /// the absolute step 1e-4), printed with `sprintf("%.17g")`.
    @Test func derivativesMatchNumDeriv() {
        func f(_ x: [Double]) -> Double { exp(x[0]) * sin(x[1]) + x[0] * x[0] * x[2] }
        func g(_ x: [Double]) -> [Double] { [x[0] * x[1], exp(x[2]) + x[0], log(x[1])] }
        let h = NumericalDerivatives.hessian(f, at: [0.5, 1.2, -0.7])
        let hR: [[Double]] = [[0.13667266614129478, 0.59742693741003239, 1.0000000000011775],
                              [0.59742693741003239, -1.5366726661587407, -1.2187136094719244e-16],
                              [1.0000000000011775, -1.2187136094719244e-16, -1.5984206523775786e-17]]
        for i in 0..<3 { for j in 0..<3 { #expect(isClose(h[i][j], hR[i][j], relative: 1e-9, absolute: 1e-12), "H[\(i),\(j)]") } }
        let jac = NumericalDerivatives.jacobian(g, at: [0.5, 1.2, -0.7])
        let jR: [[Double]] = [[1.199999999986213, 0.50000000000492173, 0], [0.99999999999569489, 0, 0.49658530379172439],
                              [0, 0.83333333334164073, 0]]
        for i in 0..<3 { for j in 0..<3 { #expect(isClose(jac[i][j], jR[i][j], relative: 1e-9, absolute: 1e-12), "J[\(i),\(j)]") } }
        let h0 = NumericalDerivatives.hessian(f, at: [0, 1e-6, 2])
        #expect(isClose(h0[0][0], 4.000000999999294, relative: 1e-9))
        #expect(isClose(h0[0][1], 0.99999999999640343, relative: 1e-9))
        #expect(isClose(h0[1][1], -9.999814954612563e-07, relative: 1e-6))
    }
}
