import ArgumentParser
import FoundationEssentials
import MoodbiomeStudy

struct MergePartialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-partial",
        abstract: "Merge the stripes of a distance matrix (beta --stripes K/N --partial), or their PERMANOVA shares (permanova STRIPE.h5 --partial).",
        discussion: """
        Checks that the stripes are complete (1 to N, each once) and come from one table, metric, \
        options, Moodbiome version and precision, then writes the whole matrix: HDF5 in \
        unifrac-binaries' layout for a .h5 output (in the stripes' precision, bit for bit what \
        `beta -o matrix.h5` writes in one process), else the square TSV/CSV or long form as \
        `beta` writes them. PERMANOVA shares merge into the test's table (.csv or .tsv): the same \
        for any number of stripes. Any missing, repeated or mismatched stripe is an error naming the file.
        """
    )

    @Argument(help: ArgumentHelp("The stripe files (.h5), in any order.", valueName: "part"))
    var parts: [String]

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The merged matrix (.h5, .tsv or .csv).", valueName: "file"))
    var output: String

    @Option(help: ArgumentHelp("tsv (square), csv (square) or long (one row per pair) for a text output. Default: by the extension.", valueName: "layout"))
    var format: DistanceLayout?

    @Flag(help: "Replace the output file if it exists.")
    var force = false

    @Flag(name: .customLong("safe-csv"), help: "Prefix CSV/TSV text cells that start with =, +, -, @ with '.")
    var safeCSV = false

    var job: MergePartialRun {
        var job = MergePartialRun(parts: parts, outputPath: output)
        job.layout = format
        job.overwrite = force
        job.guardFormulas = safeCSV
        return job
    }

    func validate() throws {
        try validating { try job.validate() }
    }

    func run() throws {
        try execute { job }
    }
}
