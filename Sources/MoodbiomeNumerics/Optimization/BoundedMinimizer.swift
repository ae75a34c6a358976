import CNLopt
import FoundationEssentials

/// Derivative-free minimisation under bounds by Powell's BOBYQA (Bound
/// Optimisation BY Quadratic Approximation; Powell 2009, Cambridge DAMTP
/// report NA2009/06), through NLopt's implementation (`NLOPT_LN_BOBYQA`).
///
/// This is the optimiser lme4 uses by default for linear mixed models
/// (`lmerControl(optimizer = "nloptwrap")`, NLopt's BOBYQA with absolute
/// tolerances 1e-8 on the parameters and the objective). Moodbiome's
/// defaults are tighter — 1e-10 on each parameter and 1e-12 on the
/// objective — so that two fits of one model agree to the digits the
/// references are checked to; the objective is a deviance of order 10²–10⁵,
/// so 1e-12 is near its rounding.
///
/// A non-finite objective value reaches BOBYQA as the largest finite
/// double, a very bad point rather than a failure.
public enum BoundedMinimizer {
    public struct Result: Sendable {
        public let x: [Double]
        public let value: Double
        public let evaluations: Int
        /// NLopt's status: positive for success (1 generic, 3 objective
        /// tolerance, 4 parameter tolerance, 5 evaluation limit).
        public let status: Int
        /// Stopped by a tolerance, not by the evaluation limit or an error.
        public var converged: Bool { status > 0 && status != 5 }
    }

    public enum Failure: Error, Equatable, Sendable {
        /// NLopt refused the problem or failed (its negative status code).
        case nlopt(status: Int)
    }

    /// Minimises `f` from `start` within `lower`…`upper` (use ±∞ for no bound).
    ///
    /// `initialStep` is BOBYQA's first trust-region radius per parameter;
    /// nil leaves NLopt's default, which is derived from the start itself —
    /// a parameter started at 1e-7 above its bound gets a first step of
    /// 1e-7 and may never leave (see ``scaledSteps(_:lower:upper:)``).
    public static func minimize(start: [Double], lower: [Double], upper: [Double],
                                parameterTolerance: Double = 1e-10, objectiveTolerance: Double = 1e-12,
                                maxEvaluations: Int = 100_000, initialStep: [Double]? = nil,
                                f: ([Double]) -> Double) throws -> Result {
        let n = start.count
        precondition(lower.count == n && upper.count == n, "bounds must match the start")
        if n == 0 { return Result(x: [], value: f([]), evaluations: 1, status: 1) }
        let nl = try nlopt()
        return try withoutActuallyEscaping(f) { f in
            let box = ObjectiveBox(f)
            guard let opt = nl.nlopt_create(NLOPT_LN_BOBYQA, UInt32(n)) else { throw Failure.nlopt(status: -3) }
            defer { nl.nlopt_destroy(opt) }
            /// A setting NLopt refuses is an error with its status.
            func set(_ status: nlopt_result) throws {
                if status.rawValue < 0 { throw Failure.nlopt(status: Int(status.rawValue)) }
            }
            var lo = lower, hi = upper
            try set(nl.nlopt_set_lower_bounds(opt, &lo))
            try set(nl.nlopt_set_upper_bounds(opt, &hi))
            try set(nl.nlopt_set_xtol_abs1(opt, parameterTolerance))
            try set(nl.nlopt_set_ftol_abs(opt, objectiveTolerance))
            try set(nl.nlopt_set_maxeval(opt, Int32(clamping: maxEvaluations)))
            if var step = initialStep {
                precondition(step.count == n && step.allSatisfy { $0 > 0 && $0.isFinite }, "one positive step per parameter")
                try set(nl.nlopt_set_initial_step(opt, &step))
            }
            let context = Unmanaged.passUnretained(box).toOpaque()
            try set(nl.nlopt_set_min_objective(opt, { count, x, _, data in
                guard let x, let data else { return .greatestFiniteMagnitude }
                let box = Unmanaged<ObjectiveBox>.fromOpaque(data).takeUnretainedValue()
                let value = box.f(Array(UnsafeBufferPointer(start: x, count: Int(count))))
                return value.isFinite ? value : .greatestFiniteMagnitude
            }, context))
            var x = zip(start, zip(lower, upper)).map { Swift.min(Swift.max($0, $1.0), $1.1) }
            var value = 0.0
            let status = withExtendedLifetime(box) { nl.nlopt_optimize(opt, &x, &value) }
            let code = Int(status.rawValue)
            if code < 0 && code != -4 { throw Failure.nlopt(status: code) }
            // -4 (round-off limited) still holds the best point found.
            return Result(x: x, value: value, evaluations: Int(nl.nlopt_get_numevals(opt)), status: code == -4 ? 4 : code)
        }
    }

    private final class ObjectiveBox {
        let f: ([Double]) -> Double
        init(_ f: @escaping ([Double]) -> Double) { self.f = f }
    }

    /// First steps that follow each parameter's scale, not its distance
    /// from a bound: `max(0.1·|x|, floor)`, at most half the bounded range.
    public static func scaledSteps(_ x: [Double], lower: [Double], upper: [Double], floor: Double = 0.05) -> [Double] {
        x.indices.map { i in
            var step = x[i].isFinite ? Swift.max(0.1 * abs(x[i]), floor) : floor
            if lower[i].isFinite && upper[i].isFinite { step = Swift.min(step, (upper[i] - lower[i]) / 2) }
            return step
        }
    }

    /// The least minimum of several BOBYQA runs, one from each start, each
    /// with first steps on the parameters' scale (``scaledSteps(_:lower:upper:floor:)``),
    /// then restarted from the best point until a restart improves the
    /// value by less than `restartTolerance` (at most `maxRestarts` times).
    ///
    /// BOBYQA stops when its trust region shrinks below the parameter
    /// tolerance, which on a flat or bounded valley can be short of the
    /// minimum, and where it stops depends on rounding (the objective's
    /// last bits differ between BLAS kernels). Several starts — the
    /// previous optimum, the interior, the boundary — and restarts with a
    /// fresh quadratic model (Powell 2009, §7; lme4's `restart_edge`) make
    /// the answer the minimum, not the path.
    public static func minimize(starts: [[Double]], lower: [Double], upper: [Double],
                                parameterTolerance: Double = 1e-10, objectiveTolerance: Double = 1e-12,
                                restartTolerance: Double = 1e-10, maxRestarts: Int = 4,
                                maxEvaluations: Int = 100_000,
                                f: ([Double]) -> Double) throws -> Result {
        precondition(!starts.isEmpty, "at least one start")
        // A point off the finite box (an optimum that ran away along an
        // unbounded parameter) is clamped into it before a run starts there.
        func finite(_ start: [Double]) -> [Double] {
            zip(start, zip(lower, upper)).map { x, bounds in
                x.isFinite ? Swift.min(Swift.max(x, bounds.0), bounds.1) : (bounds.0.isFinite ? bounds.0 : bounds.1.isFinite ? bounds.1 : 0)
            }
        }
        var best: Result? = nil
        var evaluations = 0
        func run(_ start: [Double]) throws -> Result {
            let start = finite(start)
            let r = try minimize(start: start, lower: lower, upper: upper, parameterTolerance: parameterTolerance,
                                 objectiveTolerance: objectiveTolerance, maxEvaluations: maxEvaluations,
                                 initialStep: scaledSteps(start, lower: lower, upper: upper), f: f)
            evaluations += r.evaluations
            return r.x.allSatisfy(\.isFinite) ? r : Result(x: start, value: .infinity, evaluations: r.evaluations, status: r.status)
        }
        for start in starts {
            let r = try run(start)
            if best == nil || r.value < best!.value { best = r }
        }
        for _ in 0..<maxRestarts {
            let r = try run(best!.x)
            let improvement = best!.value - r.value
            if r.value < best!.value { best = r }
            if !(improvement > restartTolerance) { break }
        }
        let b = best!
        return Result(x: b.x, value: b.value, evaluations: evaluations, status: b.status)
    }
}
