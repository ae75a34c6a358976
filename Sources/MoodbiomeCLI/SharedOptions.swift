import ArgumentParser
import Moodbiome

/// Where and how a command writes its table: `--format`, `-o`, `--force`.
struct OutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Output format: csv, tsv, md, json, tex (LaTeX booktabs) or html; md, tex and html round numbers for reading. Default: by the output file's extension, else csv.", valueName: "format"))
    var format: String?

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write here (atomically) instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "Replace the output file if it exists.")
    var force = false
}

/// The model options shared by `regress` and `analyze`.
struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("gaussian (OLS) or binomial (logistic; the outcome must be 0/1 or two-valued).", valueName: "family"))
    var family = "gaussian"

    @Option(help: ArgumentHelp("Heteroscedasticity-consistent standard errors: hc0, hc1, hc2 or hc3 (linear models).", valueName: "type"))
    var robust: String?

    @Option(name: .customLong("conf-level"), help: "Confidence level of the intervals.")
    var confLevel = 0.95

    @Option(help: ArgumentHelp("Reference level of a categorical column, as column=level (repeatable).", valueName: "column=level"))
    var reference: [String] = []

    /// The parsed values.
    func resolved() throws -> (family: ModelFamily, covariance: CovarianceType, confidenceLevel: Double, references: [String: String]) {
        guard let f = ModelFamily(name: family) else {
            throw ValidationError("--family must be gaussian or binomial (got '\(family)')")
        }
        var covariance = CovarianceType.classical
        if let robust {
            guard let type = CovarianceType(name: robust) else {
                throw ValidationError("--robust must be hc0, hc1, hc2 or hc3 (got '\(robust)')")
            }
            covariance = type
        }
        return (f, covariance, confLevel, try RegressionRun.parseReferences(reference))
    }
}
