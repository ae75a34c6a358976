import ArgumentParser
import FoundationEssentials
import MoodbiomeCore
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
        it), or CSV, or the long form (sample_a, sample_b, distance), at full precision. Samples \
        without reads are left out and listed on stderr.
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
        return job
    }

    func validate() throws {
        try validating { _ = try job.validate() }
    }

    func run() throws {
        try execute { job }
    }
}
