import ArgumentParser
import FoundationEssentials
import MoodbiomeIO
import MoodbiomeStudy

extension ConvertRun.Target: ExpressibleByArgument {}
extension TaxonomicRank: ExpressibleByArgument {}

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a count table between CSV, TSV, BIOM 2.1 (HDF5) and BIOM 1.0 (JSON).",
        discussion: """
        Reads any table Moodbiome reads (CSV/TSV, BIOM 2.1 or 1.0, a QIIME 2 .qza, a mothur .shared, \
        a merged MetaPhlAn profile — recognised by content) and writes it by the output's extension \
        or --to: .csv, .tsv (samples as rows), .biom (BIOM 2.1 HDF5, as QIIME 2 writes it), .json \
        (BIOM 1.0). IDs, counts (all-zero features included) and the taxonomy are kept (CSV and TSV \
        have no place for a taxonomy).
        """
    )

    @Argument(help: "The table to read.")
    var input: String

    @Argument(help: "The table to write.")
    var output: String

    @Option(help: ArgumentHelp("Output format: csv, tsv, biom (BIOM 2.1) or biom-json (BIOM 1.0). Default: by the output's extension.", valueName: "format"))
    var to: ConvertRun.Target?

    @OptionGroup var table: TableInputOptions

    @Flag(help: "Replace the output file if it exists.")
    var force = false

    var job: ConvertRun {
        var job = ConvertRun(inputPath: input, outputPath: output)
        table.configure(&job.readOptions)
        job.target = to
        job.overwrite = force
        return job
    }

    func validate() throws {
        try validating { try job.validate() }
    }

    func run() throws { try execute { job } }
}
