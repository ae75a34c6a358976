import ArgumentParser
import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeStudy

struct BetaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "beta",
        abstract: "Compute a beta-diversity distance matrix between the samples of a count table.",
        discussion: """
        Metrics (scikit-bio names; from the registry): \(BetaMetricDefinition.registry.filter { !$0.needsTree }.map(\.name).joined(separator: ", ")), \
        and with --tree: \(BetaMetricDefinition.registry.filter(\.needsTree).map(\.name).joined(separator: ", ")). \
        aitchison takes --pseudocount (default 1), generalized_unifrac --alpha (default 0.5). \
        Run `moodbiome metrics` for their formulas.

        Output: the square matrix as TSV with an empty top-left cell (QIIME 2 and scikit-bio read \
        it), or CSV, or the long form (sample_a, sample_b, distance), at full precision; or, for a \
        .h5 output, HDF5 in unifrac-binaries' layout (datasets order and matrix; --precision \
        float32 halves it), computed stripe by stripe so that the matrix is held once. Samples \
        without reads are left out and listed on stderr.

        Across machines: --stripes K/N --partial part-K.h5 computes stripe K of N (rows of the \
        matrix holding equal numbers of pairs); `moodbiome merge-partial part-*.h5 -o matrix.h5` \
        checks the stripes and merges them into the matrix one process would have written, bit \
        for bit.
        """
    )

    @Argument(help: "The count table (CSV/TSV, BIOM, .qza, mothur .shared, MetaPhlAn).")
    var table: String

    @Option(help: "The metric (see above).")
    var metric = "braycurtis"

    @OptionGroup var settings: BetaSettingsOptions
    @OptionGroup var tree: TreeOptions
    @OptionGroup var input: TableInputOptions

    @Option(help: ArgumentHelp("tsv (square, default), csv (square) or long (one row per pair). Default: csv for a .csv output, else tsv.", valueName: "layout"))
    var format: DistanceLayout?

    @OptionGroup var file: FileOutputOptions

    @Option(help: ArgumentHelp("How an HDF5 output (.h5, or a stripe) stores distances: float64 (default) or float32 (half the size; each distance rounded once, from the double).", valueName: "precision"))
    var precision: DistancePrecision?

    @Option(help: ArgumentHelp("Compute only stripe K of N (1 ≤ K ≤ N), written with --partial.", valueName: "K/N"))
    var stripes: String?

    @Option(help: ArgumentHelp("Where stripe K goes (an HDF5 file, .h5); merge the N stripes with `moodbiome merge-partial`.", valueName: "file"))
    var partial: String?

    var job: BetaRun {
        var job = BetaRun(tablePath: table)
        input.configure(&job.readOptions)
        job.metric = metric
        job.options = settings.settings
        job.tree = tree.input
        job.layout = format
        job.outputPath = file.output
        job.overwrite = file.force
        job.guardFormulas = file.safeCSV
        job.precision = precision
        job.partialPath = partial
        return job
    }

    /// The job, with `--stripes` read.
    func makeJob() throws -> BetaRun {
        var job = self.job
        job.stripe = try stripes.map(StripeRequest.init(parsing:))
        return job
    }

    func validate() throws {
        try validating { try makeJob().validate() }
    }

    func run() throws {
        try execute { try makeJob() }
    }
}
