import ArgumentParser
import FoundationEssentials
import MoodbiomeNumerics
import MoodbiomeStudy

struct RegressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regress",
        abstract: "Fit a linear, logistic or linear mixed model from a formula.",
        discussion: """
        The table is CSV or TSV with one row per sample or participant (the first column holds IDs). \
        Formulas use R / patsy notation: `phq9 ~ shannon + age + C(sex) + bmi`, `a*b`, `a:b`, \
        `I(age^2)`, `log(x)`, `scale(x)`, `C(x, ref="M")`, `- 1`. Text columns are categorical \
        (treatment coding, first level in sorted order as reference). Rows with a missing value \
        (NA, empty, NaN, NULL) in any variable of the model are left out and reported.

        Mixed models: random-effects terms in lme4's notation make a linear mixed model, fitted as \
        lme4's lmer (REML by default, --ml for maximum likelihood): `(1 | participant)` a random \
        intercept, `(1 + months | participant)` correlated intercept and slope, `(months || participant)` \
        uncorrelated, `(1 | site/participant)` nested, `(1 | a) + (1 | b)` crossed. Coefficients get \
        Satterthwaite degrees of freedom (df) and t tests as lmerTest's summary; the variance \
        components (lme4's as.data.frame(VarCorr(fit))) go to --random-output and, with --format \
        json, to "random_effects". Singular (boundary) fits and convergence problems are reported \
        as lme4 reports them. --robust and --cluster do not apply to mixed models.

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

    @Option(help: "Print numbers with this many significant digits, 1–17 (default: full round-trip precision).", transform: plainInteger)
    var digits: Int?

    @Option(name: .customLong("fit-output"), help: ArgumentHelp("Write the one-row fit table (n, R², F, AIC…) here.", valueName: "file"))
    var fitOutput: String?

    @Flag(name: .customLong("ml"), help: "Mixed models: fit by maximum likelihood instead of REML (to compare fixed effects by likelihood).")
    var maximumLikelihood = false

    @Option(name: .customLong("random-output"), help: ArgumentHelp("Mixed models: write the variance components (group, term, term2, variance, sd, correlation) here.", valueName: "file"))
    var randomOutput: String?

    @Flag(name: .customLong("profile-ci"), help: "Mixed models: add profile-likelihood intervals of the standard deviations (lme4's confint(method = \"profile\"), at --conf-level) to --random-output, for scalar random terms.")
    var profileCI = false

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
        job.reml = !maximumLikelihood
        job.randomOutputPath = randomOutput
        job.profileIntervals = profileCI
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
        try execute { try job() }
    }
}
