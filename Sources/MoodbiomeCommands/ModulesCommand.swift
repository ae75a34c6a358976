import ArgumentParser
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeStudy

extension ModuleScoring.Estimator: ExpressibleByArgument {}

struct ModulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modules",
        abstract: "Gut–brain and gut metabolic modules per sample (and per taxon) from a functional profile, as omixer-rpm scores them.",
        discussion: """
        Reads a functional profile of KEGG orthologs — a HUMAnN 3/4 gene-family or KO table (joined, or \
        one file per sample; stratified or not), PICRUSt2's pred_metagenome_unstrat.tsv or contributions \
        file, omixer-rpm's taxon/KO layout, or a plain KO × sample table — and scores each module of the \
        database in each sample: coverage (the share of the module's steps found) and abundance (the \
        --estimator over the found steps), as omixer-rpm 1.1 computes them; a module counts in a sample \
        when its coverage is at least --coverage. --db gbm: the 56 gut–brain modules (Valles-Colomer et \
        al. 2019); gmm: the 103 gut metabolic modules (Vieira-Silva et al. 2016); or a module file in \
        omixer-rpm's format.

        Writes into --out-dir: abundance.csv and coverage.csv (one row per sample, one column per \
        module: a feature table for associate, beta, analyze and mediate), modules.csv (module, name, \
        steps, kos, kos_in_table, samples_found), with --per-taxon per-taxon.csv (taxon, module, \
        sample_id, abundance, coverage; each taxon's share scored on its own), summary.md, \
        figures/heatmap.svg with captions.md, and provenance.json.
        """
    )

    @Argument(help: ArgumentHelp("The functional profile: one table, or one file per sample (TSV or CSV).", valueName: "profile"))
    var profiles: [String] = []

    @Option(help: ArgumentHelp("The modules: gbm (gut–brain modules v1.0), gmm (gut metabolic modules v1.07) or a module file in omixer-rpm's format; several, comma-separated (gbm,gmm), are scored in one pass.", valueName: "gbm|gmm|file"))
    var db = "gbm"

    @Option(help: "The smallest coverage (share of a module's steps found) at which a module counts in a sample.")
    var coverage = 0.66

    @Option(help: ArgumentHelp("The module's abundance from its steps' values: median, average, sum or min.", valueName: "estimator"))
    var estimator = ModuleScoring.Estimator.median

    @Flag(name: .customLong("normalize-by-length"), help: "Count missing steps as 0 in the estimator (the median of all steps, a zero median replaced by the smallest found step; average and sum divided by the number of steps).")
    var normalizeByLength = false

    @Flag(name: .customLong("per-taxon"), help: "Also score each taxon's share of a stratified profile (per-taxon.csv); unclassified stays a taxon of its own.")
    var perTaxon = false

    @Option(help: "Metadata (CSV or TSV) whose --group-by column groups the heatmap's samples; every sample needs a row.")
    var metadata: String?

    @OptionGroup var ids: MetadataIDOption

    @Option(name: .customLong("group-by"), help: ArgumentHelp("The metadata column to group the heatmap's samples by.", valueName: "column"))
    var groupBy: String?

    @OptionGroup var figures: FigureOptions

    @OptionGroup var directory: DirectoryOutputOptions

    @Flag(name: .customLong("safe-csv"), help: "Prefix CSV text cells that start with =, +, -, @ with ' (spreadsheet formula guard).")
    var safeCSV = false

    var job: ModulesRun {
        get throws {
            var job = ModulesRun(profilePaths: profiles, outputDirectory: directory.outDir)
            job.databases = commaList(db)
            job.settings.coverage = coverage
            job.settings.estimator = estimator
            job.settings.normalizeByLength = normalizeByLength
            job.perTaxon = perTaxon
            job.metadataPath = metadata
            job.idColumn = ids.idColumn
            job.groupBy = groupBy
            job.figureExport = try figures.settings
            job.overwrite = directory.force
            job.guardFormulas = safeCSV
            return job
        }
    }

    func validate() throws { try validating { try job.validate() } }

    func run() throws { try execute { try job } }
}
