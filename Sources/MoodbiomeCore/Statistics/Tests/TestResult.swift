/// The outcome of a hypothesis test: the statistic, its two-sided p-value,
/// the degrees of freedom where the test has them, and the number of
/// observations used.
public struct TestResult: Sendable, Equatable {
    /// The test's name, as reports print it (e.g. "Welch two-sample t-test").
    public let method: String
    /// The test statistic (t, U, H, r, ρ, τ…).
    public let statistic: Double
    /// The two-sided p-value.
    public let pValue: Double
    /// Degrees of freedom of the reference distribution, when it has them.
    public let degreesOfFreedom: Double?
    /// The number of observations used.
    public let n: Int
}
