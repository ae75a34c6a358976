import ArgumentParser
import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeStudy

struct RarefactionCurveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rarefaction-curve",
        abstract: "Alpha metrics against sequencing depth, one curve per sample (CSV and SVG).",
        discussion: """
        Rarefies every sample at a grid of depths (--steps up to --max-depth, or --depths) and plots \
        each metric against depth, the chosen --depth marked, to see where the curves level off and \
        how many samples a depth would drop. Writes rarefaction-curves.csv, rarefaction-<metric>.svg \
        (with --figure-formats also .pdf and .png) and provenance.json.
        """
    )

    @Argument(help: "The count table (CSV, TSV, BIOM, .qza, mothur .shared, MetaPhlAn).")
    var countTable: String

    @Option(help: "Comma-separated metrics.")
    var metrics = "observed_features,shannon"

    @Option(help: ArgumentHelp("The depth chosen for the analysis, marked on the plots.", valueName: "reads"), transform: plainInteger)
    var depth: Int?

    @Option(help: ArgumentHelp("Comma-separated depths to evaluate (instead of --steps/--max-depth).", valueName: "list"))
    var depths: String?

    @Option(help: "Number of depths, spaced quadratically (denser at low depth, where the curves bend) up to --max-depth. (default: 12)", transform: plainInteger)
    var steps = 12

    @Option(name: .customLong("max-depth"), help: "Largest depth (default: the deepest sample).", transform: plainInteger)
    var maxDepth: Int?

    @Option(help: "Average over this many rarefied draws per point. (default: 1)", transform: plainInteger)
    var iterations = 1

    @Option(help: "Seed of the rarefaction draws. (default: 1)", transform: plainSeed)
    var seed: UInt64 = 1

    @OptionGroup var table: TableInputOptions

    @OptionGroup var figures: FigureOptions

    @OptionGroup var directory: DirectoryOutputOptions
    var outDir: String { directory.outDir }
    var force: Bool { directory.force }

    func parsedDepths() throws -> [Int]? {
        try depths.map { text in
            let depths = try text.split(separator: ",", omittingEmptySubsequences: false).map {
                guard let d = try? plainInteger($0.trimmingWhitespace()), d > 0 else {
                    throw ValidationError("--depths takes positive whole numbers (got '\($0)')")
                }
                return d
            }
            try validating { try ParameterError.checkDistinct(depths, .depths) }
            return depths
        }
    }

    func validate() throws { _ = try parsedDepths() }

    func run() throws {
        try execute {
            var job = RarefactionCurveRun(tablePath: countTable, outputDirectory: outDir)
            job.metrics = metrics
            job.chosenDepth = depth
            job.depths = try parsedDepths()
            job.steps = steps
            job.maxDepth = maxDepth
            job.iterations = iterations
            job.seed = seed
            job.figureExport = try figures.settings
            table.configure(&job.readOptions)
            job.overwrite = force
            job.spelling = commandLineSpelling
            return job
        }
    }
}
