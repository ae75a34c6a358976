import ArgumentParser
import FoundationEssentials
import MoodbiomeStudy

struct DiversityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diversity",
        abstract: "Compute alpha diversity for every sample of a count table.",
        discussion: """
        The table is CSV or TSV (chosen by extension, else sniffed): the first column holds IDs and \
        the header names the other columns. By default each ROW is a sample (vegan's layout); the \
        QIIME 2 feature-table TSV written by `biom convert --to-tsv` ('#OTU ID' header) is read with \
        taxa as rows automatically. Use --samples-in columns for other taxa-as-rows tables.

        Output: sample_id, then the metrics in the order requested. Samples with no reads are \
        reported on stderr and written as NA (or dropped with --drop-empty). Count-based estimators \
        (chao1, ace, goods_coverage, fisher_alpha, brillouin_d, …) refuse non-integer data; \
        `--metrics all` skips them there. Run `moodbiome metrics` for the list.
        """
    )

    @Argument(help: "The count table (CSV or TSV).")
    var table: String

    @OptionGroup var diversity: DiversityOptions

    @Option(help: "Print numbers with this many significant digits, 1–17 (default: full round-trip precision).", transform: plainInteger)
    var digits: Int?

    @OptionGroup var output: OutputOptions

    var job: DiversityRun {
        var job = DiversityRun(tablePath: table)
        diversity.configure(&job)
        job.format = output.format
        job.digits = digits
        job.outputPath = output.output
        job.overwrite = output.force
        job.guardFormulas = output.safeCSV
        return job
    }

    func validate() throws {
        try validating { try job.validate() }
    }

    func run() throws {
        try execute { job }
    }
}
