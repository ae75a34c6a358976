import ArgumentParser
import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeStudy

extension FeatureNormalization: ExpressibleByArgument {}
extension FeatureModel: ExpressibleByArgument {}
extension FeatureTransform: ExpressibleByArgument {}
extension AssociationMethod: ExpressibleByArgument {}
extension LinDA.Zeros: ExpressibleByArgument {}

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

        --method linda: LinDA (Zhou et al. 2022), exact to the R package LinDA 0.2.0: samples with \
        at least --min-depth reads, features present in at least --min-prevalence of them (default \
        0), optional winsorisation (--winsorize 0.97), zeros by --zeros (adaptive: LinDA's \
        depth-scaled imputation when log depth goes with the design at p ≤ 0.1, else \
        --pseudocount), centred log-ratios in log2, one model per feature (mixed with --random), \
        each coefficient's compositional bias (the mode over features) subtracted; q-values within \
        each term. all_results.csv adds df and base_mean; bias.csv holds the biases.

        --method ancombc: ANCOM-BC (Lin & Peddada 2020), as scikit-bio 0.7.4's ancombc: \
        ln(count + --pseudocount, 1 by default), one least-squares fit for all features, \
        variances from residuals centred per sample, each coefficient's sampling-fraction bias \
        by ANCOM-BC's E-M, W = log fold change / SE, normal p-values, Holm within each term \
        (--adjust). bias.csv holds the biases.

        --method ancombc2: ANCOM-BC2 (Lin & Peddada 2024), as scikit-bio 0.7.4's ancombc2: zeros \
        as missing values by default (each feature fitted on the samples where it was seen; \
        features R's lm cannot fit reported with p = 1), or ln(count + --pseudocount); values \
        centred per feature, the E-M bias and its variance, each sample's sampling fraction \
        subtracted and the models refitted, variances widened by the bias's and regularised by \
        their --var-quantile quantile (0.05, R's s0_perc), t tests on each feature's observed \
        samples less its design rank, Holm within each term. As R (pseudo_sens), the analysis is \
        rerun with pseudo-counts 0.1, 0.5 and 1: passed_ss says whether the call at q ≤ 0.05 \
        stays the same, robust = called and passed (--no-pseudo-sens skips it). all_results.csv \
        adds df, passed_ss, robust; bias.csv holds the biases and their variances.

        --struc-zero GROUP (ancombc, ancombc2): features absent from a whole group of the \
        categorical formula variable GROUP (structural zeros, as scikit-bio's struc_zero; \
        --neg-lb: when the prevalence's 95% lower bound is at or below 0) are reported in \
        structural_zeros.csv and filtered_features.csv, and not tested.

        --method all: the consensus (Nearing et al. 2022). MaAsLin2's LM, LinDA, ANCOM-BC and \
        ANCOM-BC2 on the same samples (every formula variable, --min-depth reads) and the same \
        features (present in at least --min-prevalence of them, default 0.1; less structural \
        zeros with --struc-zero), each as its authors run it; consensus.csv has, per feature and \
        term, each method's direction (up, down) and q, n_significant (methods with q ≤ \
        --max-significance), n_tested and directions_agree; figures/consensus-TERM.svg is a dot \
        matrix; the summary names the pairs every method calls and those only one method finds; \
        each method's own outputs are in maaslin2/, linda/, ancombc/ and ancombc2/.

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

    @Option(help: ArgumentHelp("maaslin2 (default: MaAsLin2's pipeline), linda (LinDA's bias-corrected CLR models), ancombc (ANCOM-BC's bias-corrected log-linear models), ancombc2 (ANCOM-BC2's: sampling fractions removed, models refitted, variances regularised) or all (the four on the same features, and where they agree: consensus.csv).", valueName: "method"))
    var method = AssociationMethod.maaslin2

    @Option(name: .customLong("min-prevalence"), help: ArgumentHelp("maaslin2: keep features with a value above --min-abundance in more than this share of samples (default 0.1); linda: present in at least this share (default 0); ancombc, ancombc2, all: likewise (default 0.1, the ANCOMBC R package's prv_cut).", valueName: "share"))
    var minPrevalence: Double?

    @Option(name: .customLong("min-abundance"), help: "maaslin2: the abundance a sample must exceed to count towards the prevalence, on the input's scale (default 0).")
    var minAbundance: Double?

    @Option(name: .customLong("min-variance"), help: "maaslin2: keep features whose variance exceeds this (default 0).")
    var minVariance: Double?

    @Option(help: ArgumentHelp("maaslin2: tss (default), clr, css (metagenomeSeq's cumulative-sum scaling), tmm (edgeR's trimmed mean of M-values) or none, as MaAsLin2.", valueName: "method"))
    var normalization: FeatureNormalization?

    @Option(help: ArgumentHelp("maaslin2: log (default), ast, logit or none.", valueName: "method"))
    var transform: FeatureTransform?

    @Option(help: ArgumentHelp("maaslin2: the model of each feature, lm (default) or negbin (negative binomial regression of the counts, MaAsLin2's NEGBIN; needs --normalization css, tmm or none and --transform none).", valueName: "model"))
    var model: FeatureModel?

    @Flag(inversion: .prefixedNo, help: "maaslin2: standardise numeric metadata to z-scores (the default; LinDA always does).")
    var standardize: Bool?

    @Option(name: .customLong("min-depth"), help: ArgumentHelp("linda, ancombc, ancombc2: leave out samples with fewer reads (LinDA's lib.cut; default 1 for linda, 0 for ancombc and ancombc2).", valueName: "reads"))
    var minDepth: Double?

    @Option(help: ArgumentHelp("linda: winsorise each feature's proportions at this quantile, e.g. 0.97 (LinDA's winsor.quan).", valueName: "quantile"))
    var winsorize: Double?

    @Option(help: ArgumentHelp("linda: adaptive (default: imputation when log depth goes with the design at p ≤ 0.1, else the pseudo-count), pseudocount, imputation, or half-minimum (each feature's zeros at half its smallest value: for abundances that are not counts, LinDA's proportion type).", valueName: "treatment"))
    var zeros: LinDA.Zeros?

    @Option(help: ArgumentHelp("linda: the pseudo-count added to every count when zeros get one (default 0.5); ancombc: added to every count before the log (default 1); ancombc2: likewise, or 0 (the default: zeros are missing values).", valueName: "count"))
    var pseudocount: Double?

    @Option(name: .customLong("var-quantile"), help: ArgumentHelp("ancombc2: the quantile of each term's variances added to them, against tiny SEs of rare features (default 0.05, R's s0_perc; 0: none).", valueName: "quantile"))
    var varQuantile: Double?

    @Flag(name: .customLong("pseudo-sens"), inversion: .prefixedNo, help: "ancombc2: rerun with pseudo-counts 0.1, 0.5 and 1 and mark the calls at q ≤ 0.05 that change (R's pseudo_sens; on by default): columns passed_ss and robust.")
    var pseudoSens: Bool?

    @Option(name: .customLong("struc-zero"), help: ArgumentHelp("ancombc, ancombc2: a categorical formula variable; features absent from a whole group of it (structural zeros) are reported, not tested.", valueName: "column"))
    var strucZero: String?

    @Flag(name: .customLong("neg-lb"), help: "With --struc-zero: a group's prevalence counts as zero when its 95% lower bound is at or below 0 (scikit-bio's neg_lb; for large groups).")
    var negLb = false

    @Option(help: ArgumentHelp("Multiple-testing adjustment: bh, holm or bonferroni (default: bh; holm with --method ancombc or ancombc2, as ANCOM-BC).", valueName: "method"))
    var adjust: PValueAdjustment?

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
            job.method = method
            job.options.filter.minimumPrevalence = minPrevalence ?? 0.1
            job.options.filter.minimumAbundance = minAbundance ?? 0
            job.options.filter.minimumVariance = minVariance ?? 0
            job.options.normalization = normalization ?? .tss
            job.options.transform = transform ?? .log
            job.options.model = model ?? .lm
            job.options.standardize = standardize ?? true
            job.options.adjustment = adjust ?? .benjaminiHochberg
            job.options.references = try RegressionRun.parseReferences(reference)
            job.linda.minimumPrevalence = minPrevalence ?? 0
            job.linda.minimumDepth = minDepth ?? 1
            job.linda.winsorQuantile = winsorize
            job.linda.zeros = zeros ?? .adaptive
            job.linda.pseudoCount = pseudocount ?? 0.5
            job.linda.adjustment = adjust ?? .benjaminiHochberg
            job.linda.references = job.options.references
            job.ancombc.minimumPrevalence = minPrevalence ?? 0.1   // the R package's prv_cut
            job.ancombc.minimumDepth = minDepth ?? 0
            job.ancombc.pseudoCount = pseudocount ?? (method == .ancombc2 ? 0 : 1)
            job.ancombc.adjustment = adjust ?? .holm
            job.ancombc.references = job.options.references
            job.ancombc.varianceQuantile = varQuantile ?? 0.05
            job.ancombc.pseudoSensitivity = method == .ancombc2 && (pseudoSens ?? true)
            job.consensus.ancombc2.pseudoSensitivity = pseudoSens ?? true
            job.ancombc.structuralZeroGroup = strucZero
            job.ancombc.structuralZeroLowerBound = negLb
            job.consensus.minimumPrevalence = minPrevalence ?? 0.1
            job.consensus.minimumDepth = minDepth ?? 0
            job.consensus.structuralZeroGroup = strucZero
            job.consensus.structuralZeroLowerBound = negLb
            job.consensus.linda.winsorQuantile = winsorize
            job.consensus.linda.zeros = zeros ?? .adaptive
            job.consensus.ancombc2.varianceQuantile = varQuantile ?? 0.05
            if let adjust {
                job.consensus.maaslin2.adjustment = adjust
                job.consensus.linda.adjustment = adjust
                job.consensus.ancombc.adjustment = adjust
                job.consensus.ancombc2.adjustment = adjust
            }
            let given: [(Parameter, [AssociationMethod], Bool)] = [
                (.minAbundance, [.maaslin2], minAbundance != nil), (.minVariance, [.maaslin2], minVariance != nil),
                (.normalization, [.maaslin2], normalization != nil), (.transform, [.maaslin2], transform != nil),
                (.model, [.maaslin2], model != nil), (.standardize, [.maaslin2], standardize != nil),
                (.minDepth, [.linda, .ancombc, .ancombc2, .all], minDepth != nil), (.winsorize, [.linda, .all], winsorize != nil),
                (.zeros, [.linda, .all], zeros != nil), (.pseudocount, [.linda, .ancombc, .ancombc2], pseudocount != nil),
                (.varQuantile, [.ancombc2, .all], varQuantile != nil), (.pseudoSens, [.ancombc2, .all], pseudoSens != nil), (.strucZero, [.ancombc, .ancombc2, .all], strucZero != nil),
            ]
            job.methodOnly = given.filter(\.2).map { ($0.0, $0.1) }
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
