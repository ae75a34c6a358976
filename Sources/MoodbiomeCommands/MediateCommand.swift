import ArgumentParser
import MoodbiomeCore
import MoodbiomeReport
import MoodbiomeStudy

extension Mediation.Method: ExpressibleByArgument {}
extension Mediation.Interval: ExpressibleByArgument {}

struct MediateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mediate",
        abstract: "Does an exposure act on an outcome through a mediator? Causal mediation, as statsmodels' Mediation.",
        discussion: """
        For each mediator, a mediator model (mediator ~ exposure + covariates, least squares) and an \
        outcome model (outcome ~ exposure + mediator [+ exposure:mediator] + covariates, least squares \
        or logistic) are fitted, and the average causal mediation effect (ACME), the average direct \
        effect (ADE), the total effect and the proportion mediated are simulated from quasi-Bayesian \
        draws (or bootstrap refits) as Imai, Keele & Tingley (2010) define them and statsmodels' \
        Mediation computes them. Mediators: an alpha-diversity metric (from --counts), a numeric \
        metadata column, taxon:NAME (that feature's centred log-ratio, zeros replaced by \
        --pseudocount), module:ID (log2 of a gut–brain or metabolic module's abundance from the \
        abundance.csv of `moodbiome modules`, given with --modules; zeros replaced by half the module's \
        smallest positive value), or composition: the whole community as one mediator (Sohn & Li 2019, as the \
        R package ccmm: direct, total indirect and each part's indirect effect, normal-approximation \
        standard errors and bootstrap intervals over --sims resamples; the --composition-parts most \
        abundant features, the rest pooled). A two-level exposure contrasts its levels; a numeric one with more values \
        needs --exposure-values control,treated.

        Writes into --out-dir: mediation.csv (mediator, effect, estimate, conf_low, conf_high, \
        p_value, q_value; effects acme_control, acme_treated, ade_control, ade_treated, \
        total_effect, prop_mediated_control, prop_mediated_treated, acme_average, ade_average, \
        prop_mediated_average), paths.csv (mediator, a, a_se, b, b_se, c_prime, c_total, \
        indirect_ab, sobel_se, sobel_p), with composition compositional-mediation.csv (effect, \
        estimate, std_error, conf_low, conf_high; direct, total_indirect, indirect:<part>), summary.md and report.html (the effects, the assumptions \
        in words, the methods), figures/ (a path diagram per mediator, a forest plot of the ACMEs) \
        with captions.md, and provenance.json. The effects are causal only under assumptions no data \
        can check: the report states them.
        """
    )

    @Option(help: "The count table, when a mediator is an alpha metric or taxon:NAME (any format Moodbiome reads).")
    var counts: String?

    @Option(help: ArgumentHelp("The module table of `moodbiome modules` (abundance.csv), when a mediator is module:ID.", valueName: "abundance.csv"))
    var modules: String?

    @Option(help: "The participants' metadata (CSV or TSV).")
    var metadata: String

    @OptionGroup var ids: MetadataIDOption

    @Option(help: ArgumentHelp("The exposure column (diet, antibiotics…): two levels, or numeric with --exposure-values.", valueName: "column"))
    var exposure: String

    @Option(help: ArgumentHelp("The outcome column (e.g. phq9_total; 0/1 with --family binomial).", valueName: "column"))
    var outcome: String

    @Option(help: ArgumentHelp("Comma-separated mediators: alpha metrics (shannon), numeric metadata columns, taxon:NAME. One analysis each; q-values across them.", valueName: "names"))
    var mediator: String

    @Option(help: ArgumentHelp("Comma-separated covariates, as columns or formula terms (age, C(sex)).", valueName: "terms"))
    var covariates: String = ""

    @Flag(help: "Add exposure × mediator to the outcome model (the ACME then differs between control and treated).")
    var interaction = false

    @Option(name: .customLong("exposure-values"), help: ArgumentHelp("The two exposure values to contrast, control first: numbers for a numeric exposure, levels for a text one. Default: its two values, lower (or first in sorted order) as control.", valueName: "control,treated"))
    var exposureValues: String?

    @Option(help: ArgumentHelp("The outcome model: gaussian (least squares) or binomial (logistic, a 0/1 outcome).", valueName: "family"))
    var family = ModelFamily.gaussian

    @Option(help: ArgumentHelp("quasi-bayes (draws of the coefficients, statsmodels' \"parametric\") or bootstrap (refits to resampled rows).", valueName: "method"))
    var method = Mediation.Method.quasiBayes

    @Option(name: .customLong("ci-type"), help: ArgumentHelp("The intervals: percentile (statsmodels), or bca — bias-corrected and accelerated, with --method bootstrap, as the R package mediation's boot.ci.type = \"bca\".", valueName: "type"))
    var ciType = Mediation.Interval.percentile

    @Option(help: "Simulations (draws or bootstrap refits).", transform: plainInteger)
    var sims = 5000

    @Option(help: "Seed of the draws: the same seed gives byte-identical output. (default: 1)", transform: plainSeed)
    var seed: UInt64 = 1

    @Option(name: .customLong("conf-level"), help: "Confidence level of the percentile intervals.")
    var confLevel = 0.95

    @Option(help: "Added to every count before a taxon's log-ratio or the composition's closure.")
    var pseudocount = 0.5

    @Option(name: .customLong("composition-parts"), help: "With --mediator composition: the most abundant features kept as parts, the others pooled into one.", transform: plainInteger)
    var compositionParts = 20

    @Flag(help: "Imai, Keele & Yamamoto's sensitivity analysis of each ACME (linear models, a two-level exposure): the ACME and ADE for every error correlation ρ from −0.99 to 0.99 (sensitivity.csv) and the ρ at which the ACME would be 0, as the R package mediation's medsens.")
    var sensitivity = false

    @OptionGroup var table: TableInputOptions

    @OptionGroup var figures: FigureOptions

    @OptionGroup var directory: DirectoryOutputOptions

    @Flag(name: .customLong("safe-csv"), help: "Prefix CSV text cells that start with =, +, -, @ with ' (spreadsheet formula guard).")
    var safeCSV = false

    var job: MediationRun {
        get throws {
            var job = MediationRun(metadataPath: metadata, exposure: exposure, outcome: outcome, mediators: commaList(mediator),
                                   outputDirectory: directory.outDir)
            job.countsPath = counts
            job.modulesPath = modules
            table.configure(&job.readOptions)
            job.idColumn = ids.idColumn
            job.covariates = commaList(covariates)
            job.exposureValues = exposureValues.map(commaList)
            job.settings.interaction = interaction
            job.settings.family = family
            job.settings.method = method
            job.settings.interval = ciType
            job.settings.simulations = sims
            job.settings.seed = seed
            job.settings.confidenceLevel = confLevel
            job.pseudocount = pseudocount
            job.compositionParts = compositionParts
            job.sensitivity = sensitivity
            job.figureExport = try figures.settings
            job.overwrite = directory.force
            job.guardFormulas = safeCSV
            job.spelling = commandLineSpelling
            return job
        }
    }

    func validate() throws { try validating { try job.validate() } }

    func run() throws { try execute { try job } }
}
