import ArgumentParser
import Foundation
import MoodbiomeStudy

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

    @OptionGroup var model: ModelOptions

    @Flag(name: .customLong("exp"), help: "Add odds ratios with confidence intervals (logistic models).")
    var exponentiate = false

    @Option(name: .customLong("id-column"), help: "The column holding the row IDs (default: the first column; none: no ID column, rows are numbered 1, 2, …).")
    var idColumn: String?

    @Option(help: "Print numbers with this many significant digits, 1–17 (default: full round-trip precision).")
    var digits: Int?

    @Option(name: .customLong("fit-output"), help: ArgumentHelp("Write the one-row fit table (n, R², F, AIC…) here.", valueName: "file"))
    var fitOutput: String?

    @OptionGroup var output: OutputOptions

    func job() throws -> RegressionRun {
        var job = RegressionRun(dataPath: data, formula: formula)
        (job.family, job.covariance, job.confidenceLevel, job.references) = try model.resolved()
        job.cluster = model.cluster
        job.exponentiate = exponentiate
        job.idColumn = idColumn
        job.format = output.format
        job.digits = digits
        job.outputPath = output.output
        job.fitOutputPath = fitOutput
        job.overwrite = output.force
        job.guardFormulas = output.safeCSV
        job.summary = isatty(STDOUT_FILENO) != 0
        job.spelling = commandLineSpelling
        return job
    }

    func validate() throws {
        try validating { try job().validate() }
    }

    func run() throws {
        try reportingErrors {
            if let text = try job().run(report: printToStandardError) { try writeToStandardOutput(text) }
        }
    }
}
