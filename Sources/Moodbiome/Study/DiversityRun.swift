import Foundation

/// Everything `moodbiome diversity` does, as a library call: read a count
/// table, compute the requested alpha metrics (optionally rarefied), render
/// the result, and write it atomically or return it for standard output.
public struct DiversityRun: Sendable {
    public var tablePath: String
    public var readOptions = CountTableReadOptions()
    /// Comma-separated metric names, as on the command line.
    public var metrics = "observed_features,shannon,simpson"
    public var options = AlphaOptions()
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
    /// `--format` as given (`nil`: by the output's extension, else CSV).
    public var format: String? = nil
    public var digits: Int? = nil
    /// Output file, or `nil` for standard output.
    public var outputPath: String? = nil
    public var overwrite = false

    public init(tablePath: String) { self.tablePath = tablePath }

    /// Runs the job.
    ///
    /// - Parameter report: receives the notes a user must see (empty samples,
    ///   samples dropped by rarefaction, undefined values, the seed drawn);
    ///   the CLI prints them on standard error.
    /// - Returns: the rendered table when there is no output path.
    public func run(report: (String) -> Void) throws -> String? {
        // Validate everything that does not need the data before reading it.
        let format = try TableFormat.resolve(requested: format, outputPath: outputPath)
        if let outputPath { try checkOutputPath(outputPath, overwrite: overwrite) }
        if let digits, !(1...17).contains(digits) {
            throw InputError(file: "--digits", problem: "must be between 1 and 17 (got \(digits))")
        }
        let result = try compute(report: report)
        let style: NumberStyle? = digits.map { .significantDigits($0) }
        let text = result.table.rendered(as: format, numbers: style)
        if let outputPath {
            try writeFileAtomically(text, to: outputPath, overwrite: overwrite)
            return nil
        }
        return text
    }

    /// Reads the table and computes the metrics, reporting what a user must
    /// know (skipped metrics, the drawn seed, dropped and empty samples,
    /// undefined values). `analyze` shares this step.
    public func compute(report: (String) -> Void) throws -> AlphaDiversityResult {
        guard iterations >= 1 else {
            throw InputError(file: "--iterations", problem: "must be at least 1 (got \(iterations))")
        }
        if rarefactionDepth == nil && (iterations != 1 || seed != nil) {
            throw InputError(file: "--iterations/--seed", problem: "only apply to rarefaction", fix: "Add --rarefy DEPTH")
        }
        guard options.aceRareThreshold >= 1 else {
            throw InputError(file: "--ace-threshold", problem: "must be at least 1 (got \(options.aceRareThreshold))")
        }
        let requested = try RequestedMetric.parseList(metrics)

        let table = try CountTable.read(tablePath, options: readOptions)
        let (apply, skipped) = RequestedMetric.applicable(requested, to: table)
        if !skipped.isEmpty {
            report("note: \(tablePath) holds non-integer values, so the count-based metrics were skipped: \(skipped.map(\.label).joined(separator: ", "))")
        }
        var rarefaction: Rarefaction? = nil
        if let depth = rarefactionDepth {
            let seed = resolvedSeed
            if self.seed == nil {
                report("note: rarefaction seed \(seed) (pass --seed \(seed) to repeat this run exactly)")
            }
            rarefaction = Rarefaction(depth: depth, iterations: iterations, seed: seed)
        }
        let progress = rarefaction.map { ProgressBar(label: "rarefying", total: $0.iterations) }
        let result = try AlphaDiversityResult(table: table, metrics: apply, options: options,
                                              rarefaction: rarefaction, dropEmpty: dropEmpty, progress: progress)
        if !result.belowDepth.isEmpty {
            report("note: \(result.belowDepth.count) sample\(result.belowDepth.count == 1 ? "" : "s") below the rarefaction depth \(rarefactionDepth!) dropped: \(Self.list(result.belowDepth))")
        }
        if !result.emptySamples.isEmpty {
            let what = dropEmpty ? "dropped (--drop-empty)" : "written as NA (--drop-empty drops them)"
            report("note: \(result.emptySamples.count) sample\(result.emptySamples.count == 1 ? " has" : "s have") no reads at all, \(what): \(Self.list(result.emptySamples))")
        }
        for (metric, samples) in result.undefined {
            report("note: \(metric) is undefined (NA) for \(samples.count) sample\(samples.count == 1 ? "" : "s"): \(Self.list(samples))\(Self.reason(for: metric, in: apply))")
        }
        if result.sampleIDs.isEmpty {
            throw InputError(file: tablePath, problem: "no samples left to report", fix: rarefactionDepth != nil ? "Choose a lower --rarefy depth" : nil)
        }
        return result
    }

    static func drawSeed() -> UInt64 { UInt64.random(in: 0...UInt64(Int64.max)) }

    static func list(_ ids: [String]) -> String {
        ids.count <= 20 ? ids.joined(separator: ", ") : ids.prefix(20).joined(separator: ", ") + ", … (\(ids.count - 20) more)"
    }

    static func reason(for label: String, in metrics: [RequestedMetric]) -> String {
        guard let metric = metrics.first(where: { $0.label == label })?.metric else { return "" }
        switch metric {
        case .ace: return " — every rare taxon is a singleton, so coverage is 0 (use chao1 instead, as EstimateS suggests)"
        case .margalef, .mcintoshD: return " — the sample has a single read (N = 1)"
        default: return ""
        }
    }
}

