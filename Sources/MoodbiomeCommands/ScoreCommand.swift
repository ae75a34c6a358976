import ArgumentParser
import FoundationEssentials
import MoodbiomeIO
import MoodbiomeCore
import MoodbiomeCore
import MoodbiomeReport
import MoodbiomeStudy

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score a mood instrument (PHQ-9, BDI-II, HAM-D…) from item responses.",
        discussion: """
        Appends <scale>_total, <scale>_band, <scale>_answered and <scale>_prorated to the table, \
        keeping every input column and row. Missing items (NA, empty…) are prorated up to the \
        instrument's limit (`moodbiome scales` lists each rule and its source); beyond it the \
        total is NA. An answer out of range or not a number stops with an error naming the \
        participant, the item column and the value, unless --invalid as-missing.
        """
    )

    @Argument(help: "The table with one row per participant (CSV or TSV).")
    var data: String

    @Option(help: ArgumentHelp("The instrument: phq9, phq8, bdi2, hamd17, hamd17-zimmerman, madrs, hads-d, hads-a, cesd, gad7, pss10.", valueName: "name"))
    var scale: String

    @Option(help: ArgumentHelp("The item columns, comma-separated, in item order.", valueName: "columns"))
    var items: String?

    @Option(help: ArgumentHelp("Item columns named PREFIX1 … PREFIXk instead of --items.", valueName: "prefix"))
    var prefix: String?

    @Option(name: .customLong("id-column"), help: "The column holding participant IDs (default: the first; none: no ID column, rows are numbered).")
    var idColumn: String?

    @Option(help: ArgumentHelp("Invalid answers: error (default) or as-missing.", valueName: "policy"))
    var invalid = InvalidAnswerPolicy.error

    @Option(help: ArgumentHelp("Prorated totals: round (nearest integer, default) or exact.", valueName: "mode"))
    var prorate = ProrateMode.round

    @Option(name: .customLong("max-missing"), help: "Override the instrument's most-missing-items rule.", transform: plainInteger)
    var maxMissing: Int?

    @Option(help: ArgumentHelp("Reverse-score these items (1-based, comma-separated), replacing the instrument's list; e.g. HADS entered as option positions.", valueName: "items"))
    var reverse: String?

    @Option(help: "Prefix of the appended columns (default: the scale's name).")
    var name: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if items != nil && prefix != nil { throw ValidationError("give --items or --prefix, not both") }
        if let maxMissing, maxMissing < 0 { throw ValidationError("--max-missing must be 0 or more (got \(maxMissing))") }
        _ = try reversedItems()
    }

    func reversedItems() throws -> Set<Int>? {
        guard let reverse else { return nil }
        var items = [Int]()
        for part in reverse.split(separator: ",", omittingEmptySubsequences: false) {
            guard let k = try? plainInteger(part.trimmingWhitespace()), k >= 1 else {
                throw ValidationError("--reverse takes item numbers like 1,3,5 (got '\(reverse)')")
            }
            items.append(k)
        }
        try validating { try ParameterError.checkDistinct(items, .reverse) }
        return Set(items)
    }

    func run() throws {
        try execute {
            var job = ScoreRun(dataPath: data, scale: scale)
            job.items = items.map(commaList)
            job.prefix = prefix
            job.idColumn = idColumn
            job.options.invalidAsMissing = invalid == .asMissing
            job.options.roundProrated = prorate == .round
            job.options.maxMissing = maxMissing
            job.options.reversedItems = try reversedItems()
            job.name = name
            job.format = output.format
            job.outputPath = output.output
            job.overwrite = output.force
            job.guardFormulas = output.safeCSV
            job.spelling = commandLineSpelling
            return job
        }
    }
}

struct ScalesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scales",
        abstract: "List the mood instruments: items, ranges, reverse items, bands, missing-item rule, source."
    )

    func run() throws {
        try writeToStandardOutput(Words.scaleCatalogue())
    }
}
