import ArgumentParser
import Foundation
import Moodbiome

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


    @Option(help: "Print numbers with this many significant digits (default: full round-trip precision).")
    var digits: Int?


    @OptionGroup var output: OutputOptions

    func run() throws {
        var job = DiversityRun(tablePath: table)
        try diversity.configure(&job)
        job.format = output.format
        job.digits = digits
        job.outputPath = output.output
        job.overwrite = output.force
        if let text = try job.run(report: printToStandardError) {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}

/// The alpha-diversity options shared by `diversity` and `analyze`.
struct DiversityOptions: ParsableArguments {
    @Option(help: "Comma-separated metrics, or 'all'. See `moodbiome metrics`.")
    var metrics = "observed_features,shannon,simpson"

    @Option(help: ArgumentHelp("Log base for shannon and renyi: e, 2 or 10. QIIME 2 reports base 2; scikit-bio and vegan default to e.", valueName: "base"))
    var base = "e"

    @Option(name: .customLong("samples-in"), help: ArgumentHelp("Whether samples are the table's rows or columns: auto, rows, columns. auto = columns for QIIME/biom TSV, rows otherwise.", valueName: "layout"))
    var samplesIn = "auto"

    @Option(help: ArgumentHelp("Field separator: auto, comma or tab. auto = by extension, else sniffed.", valueName: "sep"))
    var delimiter = "auto"

    @Option(help: ArgumentHelp("Rarefy every sample to this many reads first (subsampling without replacement); shallower samples are dropped and listed.", valueName: "depth"))
    var rarefy: Int?

    @Option(help: "Average the metrics over this many rarefied draws.")
    var iterations = 1

    @Option(help: "Seed for rarefaction; the same seed gives byte-identical output on any machine. Without it a seed is drawn and printed.")
    var seed: UInt64?

    @Flag(name: .customLong("drop-empty"), help: "Drop samples with no reads instead of writing them as NA.")
    var dropEmpty = false

    @Option(help: ArgumentHelp("Chao1 form: bias-corrected (S + F1(F1−1)/(2(F2+1)), default) or classic (S + F1²/(2F2)).", valueName: "form"))
    var chao1 = "bias-corrected"

    @Option(name: .customLong("ace-threshold"), help: "ACE: taxa with at most this many reads are rare.")
    var aceThreshold = 10

    @Option(name: .customLong("gini-method"), help: ArgumentHelp("Gini index Lorenz-curve integration: rectangles (scikit-bio default) or trapezoids.", valueName: "method"))
    var giniMethod = "rectangles"

    /// Applies the options to a diversity job.
    func configure(_ job: inout DiversityRun) throws {
        job.metrics = metrics
        guard let base = LogBase(base) else { throw ValidationError("--base must be e, 2 or 10 (got '\(self.base)')") }
        job.options.base = base
        guard let orientation = SampleOrientation(rawValue: samplesIn) else {
            throw ValidationError("--samples-in must be auto, rows or columns (got '\(samplesIn)')")
        }
        job.readOptions.orientation = orientation
        switch delimiter {
        case "auto": job.readOptions.delimiter = nil
        case "comma", ",": job.readOptions.delimiter = .comma
        case "tab", "\\t", "\t": job.readOptions.delimiter = .tab
        default: throw ValidationError("--delimiter must be auto, comma or tab (got '\(delimiter)')")
        }
        switch chao1 {
        case "bias-corrected": job.options.chao1BiasCorrected = true
        case "classic": job.options.chao1BiasCorrected = false
        default: throw ValidationError("--chao1 must be bias-corrected or classic (got '\(chao1)')")
        }
        guard let gini = LorenzIntegration(rawValue: giniMethod) else {
            throw ValidationError("--gini-method must be rectangles or trapezoids (got '\(giniMethod)')")
        }
        job.options.giniMethod = gini
        job.options.aceRareThreshold = aceThreshold
        job.rarefactionDepth = rarefy
        job.iterations = iterations
        job.seed = seed
        job.dropEmpty = dropEmpty
    }
}

func printToStandardError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
