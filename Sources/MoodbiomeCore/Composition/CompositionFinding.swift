/// What a study found about community composition with one beta metric:
/// the PERMANOVA of the outcome and covariates, the dispersion test across
/// groups, and the ordination for the figure.
public struct CompositionFinding: Sendable {
    public let metric: String
    public let metricSummary: String
    /// The one-sided formula tested (`~ phq9 + age + sex`).
    public let formula: String
    public let permanova: Permanova
    public let dispersion: Dispersion?
    public let ordination: PrincipalCoordinates
    public let colouring: OrdinationColouring?
    /// Samples without reads, left out of this metric.
    public let emptySamples: [String]

    public init(metric: String, metricSummary: String, formula: String, permanova: Permanova, dispersion: Dispersion?,
                ordination: PrincipalCoordinates, colouring: OrdinationColouring?, emptySamples: [String]) {
        self.metric = metric
        self.metricSummary = metricSummary
        self.formula = formula
        self.permanova = permanova
        self.dispersion = dispersion
        self.ordination = ordination
        self.colouring = colouring
        self.emptySamples = emptySamples
    }
}
