import ArgumentParser
import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeStudy

extension FeatureNormalization: ExpressibleByArgument {}
extension FeatureModel: ExpressibleByArgument {}
extension FeatureTransform: ExpressibleByArgument {}

struct AssociateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "associate",
        abstract: "Which features (taxa) go with the metadata: per-feature models as MaAsLin2, or mood as the outcome.",
        discussion: """
        MaAsLin2's default pipeline: samples with every formula variable; features kept when more \
        than --min-prevalence of samples have a value above --min-abundance (raw scale) and their \
        variance is above --min-variance; TSS normalisation over the kept features; numeric \
        metadata standardised; log2 with half-minimum zeros; one linear model per feature \
        `feature ~ formula`, all fitted from one QR; BH q-values across every feature × term.

        With --outcome instead of --formula: `outcome ~ transformed feature + covariates` per \
        feature (OLS, or logistic with --family binomial).

        Writes into --out-dir: all_results.csv (feature, term, estimate, std_error, statistic, \
        p_value, q_value, n, n_nonzero [, taxonomy]) sorted by q, significant_results.csv \
        (q ≤ --max-significance), filtered_features.csv, summary.md, report.html (the significant \
        associations, the figures with their legends, the methods), figures/ (volcano plots, a \
        heatmap, the top hits) with captions.md, and provenance.json.
        """
    )

    @Option(help: "The count table (any format Moodbiome reads).")
    var counts: String

    @Option(help: "The sample metadata (CSV or TSV).")
    var metadata: String

    @OptionGroup var ids: MetadataIDOption

    @Option(help: "One-sided formula of the metadata, e.g. \"~ phq9 + age + sex + bmi + antidepressant\".")
    var formula: String?

    @Option(help: ArgumentHelp("With --formula: random-effects terms, as MaAsLin2's random_effects, e.g. \"(1 | participant_id)\" for repeated samples: each feature's model is a linear mixed model (lmerTest's lmer, REML, Satterthwaite t tests).", valueName: "terms"))
    var random: String?

    @Option(help: "Outcome mode: the outcome column (e.g. phq9_total); one model per feature, the feature as predictor.")
    var outcome: String?

    @Option(help: ArgumentHelp("Outcome mode: comma-separated covariates.", valueName: "columns"))
    var covariates: String = ""

    @Option(help: ArgumentHelp("Outcome mode: gaussian (OLS) or binomial (logistic).", valueName: "family"))
    var family = ModelFamily.gaussian

    @Option(name: .customLong("min-prevalence"), help: "Keep features with a value above --min-abundance in more than this share of samples (MaAsLin2: 0.1).")
    var minPrevalence = 0.1

    @Option(name: .customLong("min-abundance"), help: "The abundance a sample must exceed to count towards the prevalence, on the input's scale (MaAsLin2: 0).")
    var minAbundance = 0.0

    @Option(name: .customLong("min-variance"), help: "Keep features whose variance exceeds this (MaAsLin2: 0).")
    var minVariance = 0.0

    @Option(help: ArgumentHelp("tss (default), clr, css (metagenomeSeq's cumulative-sum scaling), tmm (edgeR's trimmed mean of M-values) or none, as MaAsLin2.", valueName: "method"))
    var normalization = FeatureNormalization.tss

    @Option(help: ArgumentHelp("log (default), ast, logit or none.", valueName: "method"))
    var transform = FeatureTransform.log

    @Option(help: ArgumentHelp("The model of each feature: lm (default) or negbin (negative binomial regression of the counts, MaAsLin2's NEGBIN; needs --normalization css, tmm or none and --transform none).", valueName: "model"))
    var model = FeatureModel.lm

    @Flag(inversion: .prefixedNo, help: "Standardise numeric metadata to z-scores (MaAsLin2's default).")
    var standardize = true

    @Option(help: ArgumentHelp("Multiple-testing adjustment: bh, holm or bonferroni.", valueName: "method"))
    var adjust = PValueAdjustment.benjaminiHochberg

    @Option(name: .customLong("max-significance"), help: "q at or below which a result is significant (MaAsLin2: 0.25).")
    var maxSignificance = 0.25

    @Option(help: ArgumentHelp("Reference level of a categorical column, as column=level (repeatable).", valueName: "column=level"))
    var reference: [String] = []

    @OptionGroup var table: TableInputOptions

    @OptionGroup var figures: FigureOptions

    @OptionGroup var directory: DirectoryOutputOptions
    var outDir: String { directory.outDir }
    var force: Bool { directory.force }

    @Flag(name: .customLong("safe-csv"), help: "Prefix CSV text cells that start with =, +, -, @ with ' (spreadsheet formula guard).")
    var safeCSV = false

    var job: AssociationRun {
        get throws {
            var job = AssociationRun(countsPath: counts, metadataPath: metadata, outputDirectory: outDir)
            table.configure(&job.readOptions)
            job.idColumn = ids.idColumn
            job.formula = formula
            job.random = random
            job.outcome = outcome
            job.covariates = commaList(covariates)
            job.family = family
            job.options.filter.minimumPrevalence = minPrevalence
            job.options.filter.minimumAbundance = minAbundance
            job.options.filter.minimumVariance = minVariance
            job.options.normalization = normalization
            job.options.transform = transform
            job.options.model = model
            job.options.standardize = standardize
            job.options.adjustment = adjust
            job.options.references = try RegressionRun.parseReferences(reference)
            job.maxSignificance = maxSignificance
            job.figureExport = try figures.settings
            job.overwrite = force
            job.guardFormulas = safeCSV
            job.spelling = commandLineSpelling
            return job
        }
    }

    func validate() throws { try validating { try job.validate() } }

    func run() throws { try execute { try job } }
}

struct CollapseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collapse",
        abstract: "Sum a table's features by lineage down to a rank (as QIIME 2's taxa collapse).",
        discussion: """
        Features sharing the lineage down to --level are summed; an unassigned rank (g__, \
        uncultured, Unassigned) is a bucket of its own under its parent, never merged across \
        parents. The taxonomy comes from --taxonomy (QIIME 2 taxonomy.tsv or .qza, mothur \
        .cons.taxonomy, rank columns) or from the BIOM file. Output by extension: .csv, .tsv, .biom, .json.
        """
    )

    @Argument(help: "The table to collapse (--level names the rank).")
    var input: String

    @OptionGroup var table: TableInputOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The collapsed table.", valueName: "file"))
    var output: String

    @Flag(help: "Replace the output file if it exists.")
    var force = false

    func validate() throws {
        if table.level == nil { throw ValidationError("give the rank to collapse to with --level (e.g. --level genus)") }
    }

    func run() throws {
        try execute {
            var job = CollapseRun(inputPath: input, outputPath: output, level: table.level ?? .genus)
            table.configure(&job.readOptions)
            job.overwrite = force
            return job
        }
    }
}

struct FilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter",
        abstract: "Drop shallow samples, rare features and unwanted lineages from a table.",
        discussion: """
        In order: samples with fewer than --min-depth reads; features whose relative abundance is \
        above --min-abundance in fewer than --min-prevalence of the samples (a share, 0–1) or in \
        none; features whose lineage has a rank named in --exclude (e.g. Mitochondria,Chloroplast; \
        needs a taxonomy). What was removed is listed on stderr. Output by extension.
        """
    )

    @Argument(help: "The table to filter.")
    var input: String

    @Option(name: .customLong("min-depth"), help: "Remove samples with fewer reads.")
    var minDepth = 0.0

    @Option(name: .customLong("min-prevalence"), help: "Keep features present (above --min-abundance) in at least this share of samples.")
    var minPrevalence = 0.0

    @Option(name: .customLong("min-abundance"), help: "The relative abundance a feature must exceed in a sample to count as present there.")
    var minAbundance = 0.0

    @Option(help: ArgumentHelp("Comma-separated rank names whose features to remove (e.g. Mitochondria,Chloroplast).", valueName: "names"))
    var exclude: String?

    @OptionGroup var table: TableInputOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The filtered table.", valueName: "file"))
    var output: String

    @Flag(help: "Replace the output file if it exists.")
    var force = false

    var job: FilterRun {
        var job = FilterRun(inputPath: input, outputPath: output)
        table.configure(&job.readOptions)
        job.minimumDepth = minDepth
        job.minimumPrevalence = minPrevalence
        job.minimumAbundance = minAbundance
        job.exclude = exclude.map(commaList) ?? []
        job.overwrite = force
        return job
    }

    func validate() throws { try validating { try job.validate() } }

    func run() throws { try execute { job } }
}
