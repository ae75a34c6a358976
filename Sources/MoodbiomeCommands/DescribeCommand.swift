import ArgumentParser
import FoundationEssentials
import MoodbiomeStudy

struct DescribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "\"Table 1\": cohort characteristics overall and by group, with group tests.",
        discussion: """
        Numeric columns as mean ± SD (Welch t-test or one-way ANOVA across groups), or median [IQR] \
        for the columns given to --median (Mann–Whitney or Kruskal–Wallis); categorical columns as \
        n (%) per level (Pearson χ²); missing counts when there are any. Markdown on standard \
        output by default; csv, tsv, json, tex or html by --format or the output's extension.
        """
    )

    @Argument(help: "The participant table (CSV or TSV).")
    var data: String

    @Option(help: ArgumentHelp("The grouping column (e.g. phq9_band).", valueName: "column"))
    var by: String?

    @Option(help: ArgumentHelp("Columns to describe, comma-separated (default: all).", valueName: "columns"))
    var variables: String?

    @Option(help: ArgumentHelp("Numeric columns to summarise as median [IQR], comma-separated.", valueName: "columns"))
    var median: String?

    @Option(name: .customLong("id-column"), help: "The column holding IDs (default: the first; none: no ID column, rows are numbered).")
    var idColumn: String?

    @OptionGroup var output: OutputOptions

    func run() throws {
        try execute {
            var job = DescribeRun(dataPath: data)
            job.groupBy = by
            job.variables = variables.map(commaList)
            job.skewed = median.map(commaList) ?? []
            job.idColumn = idColumn
            job.format = output.format
            job.outputPath = output.output
            job.overwrite = output.force
            job.guardFormulas = output.safeCSV
            return job
        }
    }
}
