import FoundationEssentials
import MoodbiomeCore

extension Words {
    /// The note on a metric that goes with sequencing depth.
    public static func depthNote(_ c: (metric: String, test: TestResult)) -> String {
        "note: \(c.metric) goes with sequencing depth on these unrarefied counts (Spearman ρ = \(NumberPolicy.value(c.test.statistic)), "
            + "\(NumberPolicy.statement(c.test.pValue))): deeper samples show more of it, which can confound its association; "
            + "rarefy, or adjust for depth (log reads as a covariate)"
    }

    /// The methods sentence on sequencing depth (empty when rarefied).
    public static func depthMethods(adjusted: Bool, rarefied: Bool, correlations: [(metric: String, test: TestResult)],
                                    code: (String) -> String) -> String {
        if adjusted {
            return " Every model was adjusted for sequencing depth (the natural log of each sample's reads, \(code(SequencingDepth.column)))."
        }
        guard !rarefied else { return "" }
        return " Metrics were computed on unrarefied counts and the models were not adjusted for sequencing depth"
            + (correlations.isEmpty ? " (no metric correlated with depth: Spearman |ρ| < 0.2 or p ≥ 0.05)."
               : "; " + correlations.map { "\(code($0.metric)) correlated with depth (Spearman ρ = \(NumberPolicy.value($0.test.statistic)))" }
                   .joined(separator: ", ") + ".")
    }
}
