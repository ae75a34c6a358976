import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// Everything `moodbiome diversity` does, as a library call: read a count
/// table, compute the requested alpha metrics (optionally rarefied), render
/// the result, and write it atomically or return it for standard output.
public struct DiversityRun: Sendable {
    public var tablePath: String
    public var readOptions = CountTableReadOptions()
    /// Comma-separated metric names, as requested.
    public var metrics = "observed_features,shannon,simpson"
    public var options = AlphaOptions()
    /// The options the request set explicitly: each must be read by a requested metric.
    public var explicitSettings: Set<AlphaOptions.Setting> = []
    /// Rarefaction depth, or `nil` for none.
    public var rarefactionDepth: Int? = nil
    public var iterations = 1
    /// Seed for rarefaction; `nil` draws one (and reports it).
    public var seed: UInt64? = nil {
        didSet { resolvedSeed = seed ?? Self.drawSeed() }
    }
    /// The seed rarefaction uses: the one given, or one drawn once per job
    /// (so that `analyze` can record it).
    public private(set) var resolvedSeed: UInt64 = DiversityRun.drawSeed()
    public var dropEmpty = false
    /// The seed also drives something other than rarefaction (the
    /// permutations of `analyze --beta`), so it may be given without it.
    public var seedHasOtherUse = false
    /// The tree for `faith_pd`.
    public var tree: TreeInput? = nil
    /// The output format (`nil`: by the output's extension, else CSV).
    public var format: TableFormat? = nil
    public var digits: Int? = nil
    /// Output file, or `nil` for standard output.
    public var outputPath: String? = nil
    public var overwrite = false
    /// Prefix CSV/TSV text cells a spreadsheet would run as formulas with `'`.
    public var guardFormulas = false
    /// How the front end spells parameters in notes.
    public var spelling = ParameterSpelling.canonical

    public init(tablePath: String) { self.tablePath = tablePath }

    /// The files read.
    public var inputs: [String] { [tablePath] + (tree.map { [$0.path] } ?? []) + readOptions.extraInputs }

    /// The rarefaction this job applies, if any.
    public var rarefaction: Rarefaction? {
        rarefactionDepth.map { Rarefaction(depth: $0, iterations: iterations, seed: resolvedSeed) }
    }

    /// Checks the parameters that need no data.
    ///
    /// - Throws: `ParameterError` naming the parameter.
    public func validate() throws {
        try TableDestination.validate(format: format, path: outputPath, overwrite: overwrite, guardFormulas: guardFormulas)
        if let digits, !(1...17).contains(digits) {
            throw ParameterError(.digits, .outOfRange(value: String(digits), allowed: .between("1", "17")))
        }
        try Rarefaction.check(depths: rarefactionDepth.map { [$0] } ?? [], iterations: iterations, depthParameter: .rarefy)
        if rarefactionDepth == nil && iterations != 1 { throw ParameterError(.iterations, .onlyFor(.rarefaction)) }
        if rarefactionDepth == nil && seed != nil && !seedHasOtherUse { throw ParameterError(.seed, .onlyFor(.rarefaction)) }
        guard options.aceRareThreshold >= 1 else {
            throw ParameterError(.aceThreshold, .outOfRange(value: String(options.aceRareThreshold), allowed: .atLeast("1")))
        }
        let requested = try RequestedMetric.parseList(metrics)
        try Self.checkSettings(explicitSettings, readBy: requested)
    }

    /// Each explicitly set metric option must be read by a requested metric.
    static func checkSettings(_ settings: Set<AlphaOptions.Setting>, readBy requested: [RequestedMetric]) throws {
        for setting in AlphaOptions.Setting.allCases where settings.contains(setting) {
            guard !requested.contains(where: { setting.isRead(by: $0.metric.definition) }) else { continue }
            throw ParameterError(Parameter(setting.rawValue), .onlyFor(.metrics(setting.metrics)))
        }
    }

    /// Runs the job.
    ///
    /// - Parameter report: receives the notes a user must see (empty samples,
    ///   samples dropped by rarefaction, undefined values, the seed drawn);
    ///   the CLI prints them on standard error.
    /// - Returns: the rendered table when there is no output path.
    public func run(report: (String) -> Void) throws -> String? {
        // Validate everything that does not need the data before reading it.
        let format = try TableFormat.resolve(requested: format, outputPath: outputPath)
        if let outputPath { try checkOutputPath(outputPath, overwrite: overwrite, inputs: inputs) }
        try validate()
        let result = try compute(report: report)
        let style: NumberStyle? = digits.map { .significantDigits($0) }
        let text = result.table.rendered(as: format, numbers: style, guardFormulas: guardFormulas)
        if let outputPath {
            try writeFileAtomically(text, to: outputPath, overwrite: overwrite, inputs: inputs)
            return nil
        }
        return text
    }

    /// Reads the table and computes the metrics, reporting what a user must
    /// know (skipped metrics, the drawn seed, dropped and empty samples,
    /// undefined values). `analyze` shares this step.
    public func compute(report: (String) -> Void) throws -> AlphaDiversityResult {
        try computeWithInputs(report: report).result
    }

    /// What ``compute(report:)`` reads and computes, with the table and
    /// tree it read, for the steps that reuse them (`analyze --beta`).
    public func computeWithInputs(report: (String) -> Void) throws
        -> (result: AlphaDiversityResult, table: CountTable, phylogeny: TablePhylogeny?) {
        try validate()
        let requested = try RequestedMetric.parseList(metrics)
        let table = try readCountTable(tablePath, options: readOptions, report: report, spelling: spelling)
        let (apply, skipped) = RequestedMetric.applicable(requested, to: table, hasTree: tree != nil)
        let phylogeny = try apply.contains { $0.metric.needsTree } ? tree?.load(for: table, report: report) : nil
        let rarefaction = self.rarefaction
        let progress = rarefaction.map { ProgressBar(label: "rarefying", total: $0.iterations) }
        let result = try AlphaDiversityResult(table: table, metrics: apply, options: options, rarefaction: rarefaction,
                                              dropEmpty: dropEmpty, phylogeny: phylogeny, progress: progress.map { bar in { bar.update($0) } })
        for note in Words.diversityNotes(result, tablePath: tablePath, skipped: skipped, rarefaction: rarefaction,
                                         seedDrawn: seed == nil, dropEmpty: dropEmpty, spelling: spelling) {
            report(note)
        }
        if result.sampleIDs.isEmpty {
            throw AlphaDiversityError.noSamplesLeft(file: tablePath, rarefied: rarefactionDepth != nil)
        }
        return (result, table, phylogeny)
    }

    static func drawSeed() -> UInt64 { UInt64.random(in: 0...UInt64(Int64.max)) }
}
