import ArgumentParser
import Foundation
import Moodbiome

struct RegressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regress",
        abstract: "Fit a linear or logistic regression from a formula.",
        discussion: """
        The table is CSV or TSV with one row per sample or participant (the first column holds IDs). \
        Formulas use R / patsy notation: `phq9 ~ shannon + age + C(sex) + bmi`, `a*b`, `a:b`, \
        `I(age^2)`, `log(x)`, `scale(x)`, `C(x, ref="M")`, `- 1`. Text columns are categorical \
        (treatment coding, first level in sorted order as reference). Rows with a missing value \
        (NA, empty, NaN, NULL) in any variable of the model are left out and reported.

        Output: the tidy coefficient table (term, estimate, std_error, statistic, p_value, conf_low, \
        conf_high, …); with --format json, {"model", "coefficients", "fit"}. On a terminal without \
        -o or --format, a readable summary like R's summary(lm).
        """
    )

    @Argument(help: "The data table (CSV or TSV).")
    var data: String

    @Option(help: "The model formula, e.g. \"phq9 ~ shannon + age + C(sex)\".")
    var formula: String

    @Option(help: ArgumentHelp("gaussian (OLS) or binomial (logistic).", valueName: "family"))
    var family = "gaussian"

    @Option(help: ArgumentHelp("Heteroscedasticity-consistent standard errors: hc0, hc1, hc2 or hc3 (linear models).", valueName: "type"))
    var robust: String?

    @Option(name: .customLong("conf-level"), help: "Confidence level of the intervals.")
    var confLevel = 0.95

    @Flag(name: .customLong("exp"), help: "Add odds ratios with confidence intervals (logistic models).")
    var exponentiate = false

    @Option(help: ArgumentHelp("Reference level of a categorical column, as column=level (repeatable).", valueName: "column=level"))
    var reference: [String] = []

    @Option(name: .customLong("id-column"), help: "The column holding the row IDs (default: the first column).")
    var idColumn: String?

    @Option(help: ArgumentHelp("Output format: csv, tsv, md, json, tex (LaTeX booktabs) or html; md, tex and html round numbers for reading. Default: by the output file's extension, else csv.", valueName: "format"))
    var format: String?

    @Option(help: "Print numbers with this many significant digits (default: full round-trip precision).")
    var digits: Int?

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write the coefficient table here (atomically) instead of standard output.", valueName: "file"))
    var output: String?

    @Option(name: .customLong("fit-output"), help: ArgumentHelp("Write the one-row fit table (n, R², F, AIC…) here.", valueName: "file"))
    var fitOutput: String?

    @Flag(help: "Replace output files that exist.")
    var force = false

    func run() throws {
        var job = RegressionRun(dataPath: data, formula: formula)
        guard let family = ModelFamily(name: self.family) else {
            throw ValidationError("--family must be gaussian or binomial (got '\(self.family)')")
        }
        job.family = family
        if let robust {
            guard let type = CovarianceType(name: robust) else {
                throw ValidationError("--robust must be hc0, hc1, hc2 or hc3 (got '\(robust)')")
            }
            job.covariance = type
        }
        job.confidenceLevel = confLevel
        job.exponentiate = exponentiate
        job.references = try RegressionRun.parseReferences(reference)
        job.idColumn = idColumn
        job.format = format
        job.digits = digits
        job.outputPath = output
        job.fitOutputPath = fitOutput
        job.overwrite = force
        job.summary = isatty(STDOUT_FILENO) != 0
        if let text = try job.run(report: printToStandardError) {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
