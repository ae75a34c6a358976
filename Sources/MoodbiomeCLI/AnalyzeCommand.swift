import ArgumentParser
import Foundation
import Moodbiome

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "The study in one command: diversity, join with metadata, one model per metric.",
        discussion: """
        Computes the alpha metrics of every sample of the count table (all `diversity` options apply, \
        rarefaction included), joins them to the metadata on sample ID (QIIME 2 metadata conventions: \
        IDs in the first column or --id-column, optional #q2:types row) and reports the IDs found in \
        one table only. For each metric it fits `outcome ~ metric + covariates` (OLS; logistic with \
        --family binomial or --outcome-cutoff) and the unadjusted Spearman correlation with the \
        outcome, then adjusts the metric terms' p-values across metrics (q-values).

        Writes into --out-dir: diversity.csv, merged.csv (what was modelled), models.csv (every term \
        of every model, with q_value on the metric terms), fit.csv (one row per model), \
        correlations.csv and summary.md (a publication-style table and a methods paragraph).
        """
    )

    @Option(help: "The count table (CSV or TSV; as for `moodbiome diversity`).")
    var counts: String

    @Option(help: "The sample metadata (CSV or TSV).")
    var metadata: String

    @Option(name: .customLong("id-column"), help: "The metadata column holding the sample IDs (default: the first column).")
    var idColumn: String?

    @Option(help: "The outcome column (e.g. a depression score such as phq9). With --scale, defaults to the scored total (phq9_total).")
    var outcome: String?

    @Option(help: ArgumentHelp("Score this instrument from the metadata's item columns first (see `moodbiome scales`).", valueName: "name"))
    var scale: String?

    @Option(help: ArgumentHelp("The instrument's item columns, comma-separated, in item order.", valueName: "columns"))
    var items: String?

    @Option(help: ArgumentHelp("Item columns named PREFIX1 … PREFIXk instead of --items.", valueName: "prefix"))
    var prefix: String?

    @Option(name: .customLong("outcome-band"), help: ArgumentHelp("Dichotomise the scored outcome at a severity band, e.g. moderate+ (that band or above), and fit logistic models.", valueName: "band"))
    var outcomeBand: String?

    @Option(help: ArgumentHelp("Invalid item answers: error (default) or as-missing.", valueName: "policy"))
    var invalid = "error"

    @Option(help: ArgumentHelp("Comma-separated covariate columns; text columns are categorical.", valueName: "columns"))
    var covariates: String = ""

    @OptionGroup var diversity: DiversityOptions

    @OptionGroup var model: ModelOptions

    @Option(name: .customLong("outcome-cutoff"), help: ArgumentHelp("Dichotomise the outcome: 1 when outcome ≥ this value, and fit logistic models.", valueName: "value"))
    var outcomeCutoff: Double?


    @Option(name: .customLong("group-by"), help: ArgumentHelp("Column for the cohort table and box plots (default: the scored severity band, or <stem>_band beside a <stem>_total outcome).", valueName: "column"))
    var groupBy: String?

    @Option(help: ArgumentHelp("Multiple-testing adjustment across metrics: bh, holm or bonferroni.", valueName: "method"))
    var adjust = "bh"

    @Option(help: ArgumentHelp("Format of the data tables: csv (default), tsv, md, json, tex or html. summary.md, report.html and provenance.json are always written.", valueName: "format"))
    var format = "csv"

    @Option(name: .customLong("out-dir"), help: ArgumentHelp("Directory for the outputs (created if missing).", valueName: "dir"))
    var outDir: String

    @Flag(help: "Replace output files that exist in --out-dir.")
    var force = false

    func run() throws {
        var scoring: ScaleScoring? = nil
        if let scale {
            let itemList = items.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            scoring = try ScaleScoring(scale: ScoreRun.scale(named: scale), items: itemList, prefix: prefix)
            guard invalid == "error" || invalid == "as-missing" else {
                throw ValidationError("--invalid must be error or as-missing (got '\(invalid)')")
            }
            scoring!.options.invalidAsMissing = invalid == "as-missing"
        } else if items != nil || prefix != nil || outcomeBand != nil {
            throw ValidationError("--items, --prefix and --outcome-band need --scale")
        }
        guard let outcome = outcome ?? scoring.map({ $0.outputPrefix + "_total" }) else {
            throw ValidationError("give --outcome (or --scale to score one)")
        }
        var job = StudyAnalysis(countsPath: counts, metadataPath: metadata, outcome: outcome, outputDirectory: outDir)
        job.scoring = scoring
        job.outcomeBand = outcomeBand
        try diversity.configure(&job.diversity)
        job.idColumn = idColumn
        job.covariates = covariates.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        (job.family, job.covariance, job.confidenceLevel, job.references) = try model.resolved()
        job.outcomeCutoff = outcomeCutoff
        guard let adjustment = PValueAdjustment(name: adjust) else {
            throw ValidationError("--adjust must be bh, holm or bonferroni (got '\(adjust)')")
        }
        job.adjustment = adjustment
        guard let tableFormat = TableFormat(name: format) else {
            throw ValidationError("--format must be csv, tsv, md, json, tex or html (got '\(format)')")
        }
        job.tableFormat = tableFormat
        job.groupBy = groupBy
        job.overwrite = force
        let result = try job.run(report: printToStandardError)
        printToStandardError("wrote \(result.files.map(\.name).joined(separator: ", ")), provenance.json to \(outDir) (\(result.metrics.count) models, n = \(result.merged.rowCount) joined samples)")
    }
}
