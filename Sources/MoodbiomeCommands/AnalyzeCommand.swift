import ArgumentParser
import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport
import MoodbiomeStudy

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "The study in one command: diversity, join with metadata, one model per metric.",
        discussion: """
        Computes the alpha metrics of every sample of the count table (all `diversity` options apply, \
        rarefaction included), joins them to the metadata on sample ID (QIIME 2 metadata conventions: \
        IDs in the first column or --id-column, optional #q2:types row) and reports the IDs found in \
        one table only. For each metric it fits `outcome ~ metric + covariates` (OLS; logistic with \
        --family binomial or --outcome-cutoff) and the unadjusted Spearman correlation with the \
        outcome, then adjusts the metric terms' p-values across metrics (q-values).

        Writes into --out-dir, replaced as a whole: diversity.csv, merged.csv (what was modelled), \
        models.csv (every term of every model, with q_value on the metric terms), fit.csv (one row \
        per model), correlations.csv, cohort.csv (Table 1), summary.md (a publication-style table and \
        a methods paragraph), report.html (every term of each model, the figures with their legends), \
        figures/ with captions.md (the legends as text) and provenance.json; with --beta also \
        permanova.csv and betadisper.csv.

        Diversity as the outcome: --exposure COLUMN (instead of --outcome) fits \
        `metric ~ exposure + covariates` for every metric — does diversity differ by sample type, \
        diagnosis or diet group? — with the Wald test of the exposure (F for OLS: the partial F with \
        classical errors; χ² for mixed models), every pair of a categorical exposure's levels compared \
        (Holm-adjusted), q-values across metrics, Table 1 by exposure group and box plots in level \
        order; it writes exposure_tests.csv and pairwise.csv instead of correlations.csv.
        """
    )

    @Option(help: "The count table (CSV or TSV; as for `moodbiome diversity`).")
    var counts: String

    @Option(help: "The sample metadata (CSV or TSV).")
    var metadata: String

    @OptionGroup var ids: MetadataIDOption

    @Option(help: "The outcome column (e.g. a depression score such as phq9). With --scale, defaults to the scored total (phq9_total).")
    var outcome: String?

    @Option(help: ArgumentHelp("Diversity as the outcome: model each metric on this column (categorical or numeric) and the covariates.", valueName: "column"))
    var exposure: String?

    @Option(help: ArgumentHelp("Score this instrument from the metadata's item columns first (see `moodbiome scales`).", valueName: "name"))
    var scale: String?

    @Option(help: ArgumentHelp("The instrument's item columns, comma-separated, in item order.", valueName: "columns"))
    var items: String?

    @Option(help: ArgumentHelp("Item columns named PREFIX1 … PREFIXk instead of --items.", valueName: "prefix"))
    var prefix: String?

    @Option(help: ArgumentHelp("With --scale: prefix of the scored columns (default: the scale's name, e.g. phq9 → phq9_total); use another when the metadata already holds a score.", valueName: "prefix"))
    var name: String?

    @Option(name: .customLong("outcome-band"), help: ArgumentHelp("Dichotomise the scored outcome at a severity band, e.g. moderate+ (that band or above), and fit logistic models.", valueName: "band"))
    var outcomeBand: String?

    @Option(help: ArgumentHelp("Invalid item answers: error (default) or as-missing.", valueName: "policy"))
    var invalid = InvalidAnswerPolicy.error

    @Option(help: ArgumentHelp("Comma-separated covariates: columns (text columns are categorical) or formula terms as in regress, e.g. age,C(bristol_stool_type),log(bmi),I(age^2).", valueName: "terms"))
    var covariates: String = ""

    @OptionGroup var diversity: DiversityOptions

    @OptionGroup var model: ModelOptions

    @Option(help: ArgumentHelp("Also test community composition with these beta metrics (comma-separated; see `moodbiome beta`): PERMANOVA of the outcome (or --exposure) and covariates, PERMDISP across the groups (an exposure's levels), a PCoA figure each.", valueName: "metrics"))
    var beta: String?

    @Option(help: "Permutations of the PERMANOVA and PERMDISP tests (with --beta). (default: 999)", transform: plainInteger)
    var permutations = 999

    @Option(help: ArgumentHelp("With --beta: the column of the samples' participants (or families) when a participant has several samples. Terms constant within a participant are tested by permuting whole participants, the others by permuting samples within participants (vegan/permute's plots and blocks). Default: the --random grouping.", valueName: "column"))
    var strata: String?

    @OptionGroup var betaSettings: BetaSettingsOptions

    @Option(help: ArgumentHelp("Random-effects terms for metadata with several samples per participant, in lme4's notation: \"(1 | participant_id)\", \"(1 + months | participant_id)\". The models become linear mixed models (REML; Satterthwaite df); see `moodbiome regress --help`.", valueName: "terms"))
    var random: String?

    @Option(name: .customLong("mediate-by"), help: ArgumentHelp("Also ask whether this exposure acts on the outcome through each metric: a causal mediation analysis per metric (as `moodbiome mediate`, the run's covariates and --seed), its section in the report, mediation.csv and paths.csv. A two-level exposure.", valueName: "column"))
    var mediateBy: String?

    @Option(name: .customLong("mediation-sims"), help: "With --mediate-by: quasi-Bayesian draws. (default: 5000)", transform: plainInteger)
    var mediationSims = 5000

    @Option(help: ArgumentHelp("With --random: the numeric column of each visit's time (months, days, visit number). figures/ then also draws each participant's trajectory of the outcome and of each metric, with the mean at each time, and the change in the outcome against the change in each metric from each participant's first visit. Default: the random slope's column, as months in \"(1 + months | participant_id)\".", valueName: "column"))
    var time: String?

    @Flag(name: .customLong("depth-covariate"), help: "Adjust every model for sequencing depth: log_reads, the natural log of each sample's reads, as a covariate. Without it (and without --rarefy) metrics that correlate with depth are flagged.")
    var depthCovariate = false

    @Flag(name: .customLong("ml"), help: "With --random: fit by maximum likelihood instead of REML.")
    var maximumLikelihood = false

    @Flag(name: .customLong("profile-ci"), help: "With --random: profile-likelihood intervals of the random effects' and residual standard deviations in random_effects (lme4's confint profile).")
    var profileCI = false

    @Option(name: .customLong("outcome-cutoff"), help: ArgumentHelp("Dichotomise the outcome: 1 when outcome ≥ this value, and fit logistic models.", valueName: "value"))
    var outcomeCutoff: Double?

    @Option(help: ArgumentHelp("A functional profile of the samples (HUMAnN, PICRUSt2 or a KO table; repeat for one file per sample): its gut–brain modules are scored and each is tested against the outcome, with the taxa carrying the top ones.", valueName: "profile"))
    var functions: [String] = []

    @Option(name: .customLong("module-db"), help: ArgumentHelp("With --functions: the modules, gbm, gmm, a module file, or several comma-separated.", valueName: "gbm|gmm|file"))
    var moduleDb = "gbm"

    @Option(name: .customLong("module-coverage"), help: "With --functions: the smallest coverage at which a module counts in a sample.")
    var moduleCoverage = 0.66

    @Option(name: .customLong("module-method"), help: ArgumentHelp("With --functions: how each module is tested, maaslin2 (default: TSS, log2, linear models), linda (LinDA's bias-corrected CLR models, zeros at half each module's smallest value), ancombc (ANCOM-BC, ln(abundance + 1), no random terms) or ancombc2 (ANCOM-BC2, likewise).", valueName: "method"))
    var moduleMethod = AssociationMethod.maaslin2

    @Option(name: .customLong("group-by"), help: ArgumentHelp("Column for the cohort table and box plots (default: the scored severity band, or <stem>_band beside a <stem>_total outcome).", valueName: "column"))
    var groupBy: String?

    @Option(name: .customLong("display-name"), help: ArgumentHelp("Name a column in figures, e.g. phq9_total=\"Depression (PHQ-9)\" (repeatable). Scored totals and bands are named after their instrument by default. (--label is mothur's label.)", valueName: "column=text"))
    var displayName: [String] = []

    @Option(help: ArgumentHelp("Order (and name) a grouping's levels in figures, e.g. phenotype=Lean,Overweight,Obese or obese=0:lean,1:obese (repeatable).", valueName: "column=a,b,c"))
    var levels: [String] = []

    @Option(help: ArgumentHelp("Multiple-testing adjustment across metrics: bh, holm or bonferroni.", valueName: "method"))
    var adjust = PValueAdjustment.benjaminiHochberg

    @Option(help: ArgumentHelp("Format of the data tables: csv (default), tsv, md, json, tex or html. summary.md, report.html and provenance.json are always written.", valueName: "format"))
    var format = TableFormat.csv

    @OptionGroup var figures: FigureOptions

    @OptionGroup var directory: DirectoryOutputOptions
    var outDir: String { directory.outDir }
    var force: Bool { directory.force }

    @Flag(name: .customLong("safe-csv"), help: "Prefix CSV/TSV text cells that start with =, +, -, @ with ' (spreadsheet formula guard). Numbers are never changed.")
    var safeCSV = false

    func validate() throws {
        if scale == nil && (items != nil || prefix != nil || outcomeBand != nil || name != nil) {
            throw ValidationError("--items, --prefix, --name and --outcome-band need --scale")
        }
        if items != nil && prefix != nil { throw ValidationError("give --items or --prefix, not both") }
        if strata != nil && beta == nil { throw ValidationError("--strata restricts the permutations of --beta's tests: give --beta too") }
        if exposure != nil {
            if outcome != nil || scale != nil { throw ValidationError("give --exposure (diversity as the outcome) or --outcome/--scale, not both") }
            let given = [(outcomeCutoff != nil, "--outcome-cutoff"), (model.family == .binomial, "--family binomial")].filter(\.0).map(\.1)
            if !given.isEmpty {
                throw ValidationError("--exposure fits linear models of each metric: \(given.joined(separator: " and ")) \(given.count == 1 ? "does" : "do") not apply")
            }
            if maximumLikelihood && random == nil { throw ValidationError("--ml needs --random (maximum likelihood is for mixed models)") }
            try validating { try makeExposureJob().association.validate() }
            return
        }
        if outcome == nil && scale == nil { throw ValidationError("give --outcome (or --scale to score one), or --exposure for diversity as the outcome") }
        try validating {
            let job = try makeJob()
            try job.association.validate()
            try job.diversity.validate()
        }
    }

    func makeJob() throws -> StudyAnalysis {
        var scoring: ScaleScoring? = nil
        if let scale {
            scoring = try ScaleScoring(scale: ScoreRun.scale(named: scale), items: items.map(commaList), prefix: prefix)
            scoring?.options.invalidAsMissing = invalid == .asMissing
            if let name { scoring?.outputPrefix = name }
        }
        let outcome = self.outcome ?? scoring.map { $0.outputPrefix + "_total" } ?? ""
        var job = StudyAnalysis(countsPath: counts, metadataPath: metadata, outcome: outcome, outputDirectory: outDir)
        diversity.configure(&job.diversity)
        job.idColumn = ids.idColumn
        job.functionsPaths = functions
        job.moduleDatabases = commaList(moduleDb)
        job.moduleScoring.coverage = moduleCoverage
        job.moduleMethod = moduleMethod
        job.association.scoring = scoring
        job.association.outcomeBand = outcomeBand
        job.association.covariates = commaList(covariates)
        (_, job.association.covariance, job.association.confidenceLevel, job.association.references) = try model.resolved()
        job.association.family = model.family
        job.association.cluster = model.cluster
        if let random { job.association.random = try Formula.randomTerms(random) }
        job.association.reml = !maximumLikelihood
        job.association.profileIntervals = profileCI
        job.association.depthCovariate = depthCovariate
        job.association.outcomeCutoff = outcomeCutoff
        job.association.adjustment = adjust
        job.association.groupBy = groupBy
        job.time = time
        job.mediateBy = mediateBy
        job.mediation.simulations = mediationSims
        job.names = try displayNames()
        job.figureExport = try figures.settings
        if let beta {
            job.composition.metrics = commaList(beta)
            job.composition.permutations = permutations
            job.composition.strata = strata
            job.composition.settings = betaSettings.settings
        }
        job.tableFormat = format
        job.overwrite = force
        job.guardFormulas = safeCSV
        job.spelling = commandLineSpelling
        return job
    }

    /// The `--label` and `--levels` items.
    func displayNames() throws -> DisplayNames {
        var names = DisplayNames()
        for item in displayName where !names.addLabel(item) {
            throw ValidationError("--display-name: '\(item)' is not column=text (e.g. phq9_total=\"PHQ-9 total\")")
        }
        for item in levels where !names.addLevels(item) {
            throw ValidationError("--levels: '\(item)' is not column=a,b,c (e.g. phenotype=Lean,Overweight,Obese, or obese=0:lean,1:obese)")
        }
        return names
    }

    func makeExposureJob() throws -> ExposureStudy {
        ExposureStudy(try makeJob(), exposure: exposure ?? "")
    }

    func run() throws {
        if exposure != nil { try execute { try makeExposureJob() } } else { try execute { try makeJob() } }
    }
}
