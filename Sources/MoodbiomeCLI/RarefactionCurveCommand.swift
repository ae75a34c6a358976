import ArgumentParser
import Foundation
import Moodbiome

struct RarefactionCurveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rarefaction-curve",
        abstract: "Alpha metrics against sequencing depth, one curve per sample (CSV and SVG).",
        discussion: """
        Rarefies every sample at a grid of depths (--steps up to --max-depth, or --depths) and plots \
        each metric against depth, the chosen --depth marked, to see where the curves level off and \
        how many samples a depth would drop. Writes rarefaction-curves.csv and rarefaction-<metric>.svg.
        """
    )

    @Argument(help: "The count table (CSV or TSV).")
    var table: String

    @Option(help: "Comma-separated metrics.")
    var metrics = "observed_features,shannon"

    @Option(help: ArgumentHelp("The depth chosen for the analysis, marked on the plots.", valueName: "reads"))
    var depth: Int?

    @Option(help: ArgumentHelp("Comma-separated depths to evaluate (instead of --steps/--max-depth).", valueName: "list"))
    var depths: String?

    @Option(help: "Number of evenly spaced depths.")
    var steps = 12

    @Option(name: .customLong("max-depth"), help: "Largest depth (default: the deepest sample).")
    var maxDepth: Int?

    @Option(help: "Average over this many rarefied draws per point.")
    var iterations = 1

    @Option(help: "Seed of the rarefaction draws.")
    var seed: UInt64 = 1

    @Option(name: .customLong("samples-in"), help: ArgumentHelp("Samples are the table's rows or columns: auto, rows, columns.", valueName: "layout"))
    var samplesIn = "auto"

    @Option(name: .customLong("out-dir"), help: ArgumentHelp("Directory for the CSV and the figures.", valueName: "dir"))
    var outDir: String

    @Flag(help: "Replace files that exist.")
    var force = false

    func run() throws {
        var job = RarefactionCurveRun(tablePath: table, outputDirectory: outDir)
        job.metrics = metrics
        job.chosenDepth = depth
        if let depths {
            job.depths = try depths.split(separator: ",").map {
                guard let d = Int($0.trimmingCharacters(in: .whitespaces)), d > 0 else { throw ValidationError("--depths takes positive whole numbers (got '\($0)')") }
                return d
            }
        }
        job.steps = steps
        job.maxDepth = maxDepth
        job.iterations = iterations
        job.seed = seed
        guard let orientation = SampleOrientation(rawValue: samplesIn) else { throw ValidationError("--samples-in must be auto, rows or columns") }
        job.readOptions.orientation = orientation
        job.overwrite = force
        let files = try job.run(report: printToStandardError)
        printToStandardError("wrote \(files.joined(separator: ", ")) to \(outDir)")
    }
}
