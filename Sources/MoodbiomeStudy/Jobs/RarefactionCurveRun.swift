import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// `moodbiome rarefaction-curve`: alpha metrics against sequencing depth,
/// one curve per sample, to choose (and justify) a rarefaction depth.
///
/// At each depth every sample with at least that many reads is rarefied
/// (``Rarefaction``, seeded) and the metrics computed, averaged over the
/// iterations; shallower samples end their curve there. Writes
/// `rarefaction-curves.csv` (sample_id, depth, one column per metric) and
/// one SVG per metric with the chosen depth marked (and its PDF and PNG
/// exports, as ``figureExport`` asks), and `provenance.json`, so a rerun
/// with other metrics or formats replaces the directory whole.
public struct RarefactionCurveRun: Sendable {
    public var tablePath: String
    public var readOptions = CountTableReadOptions()
    public var metrics = "observed_features,shannon"
    public var options = AlphaOptions()
    /// Explicit depths; otherwise `steps` depths up to `maxDepth`, spaced
    /// quadratically (`max·(k/steps)²`) to follow the curves' bend.
    public var depths: [Int]? = nil
    public var steps = 12
    /// Largest depth (default: the largest sample).
    public var maxDepth: Int? = nil
    /// The depth to mark (the one chosen for the analysis).
    public var chosenDepth: Int? = nil
    public var iterations = 1
    public var seed: UInt64 = 1
    /// Figure files besides SVG (`--figure-format`, `--dpi`).
    public var figureExport = FigureExportSettings()
    public var outputDirectory: String
    public var overwrite = false
    /// How the front end spells parameters in notes.
    public var spelling = ParameterSpelling.canonical

    public init(tablePath: String, outputDirectory: String) {
        self.tablePath = tablePath
        self.outputDirectory = outputDirectory
    }

    /// The depths to evaluate.
    func grid(maximum: Int) -> [Int] {
        // Quadratic spacing: more points at low depth, where the curves bend.
        let k = Double(Swift.max(steps, 1))
        var out = depths ?? (1...Swift.max(steps, 1)).map { step -> Int in
            let fraction = Double(step) / k
            return Int((Double(maximum) * fraction * fraction).rounded())
        }
        if let chosenDepth { out.append(chosenDepth) }
        return Array(Set(out.filter { $0 >= 1 })).sorted()
    }

    /// Computes and writes; returns the files written.
    /// The depths, steps, metrics and figure formats, before any work.
    public func validate() throws {
        try Rarefaction.check(depths: depths ?? [], iterations: iterations, depthParameter: .depths)
        try Rarefaction.check(depths: maxDepth.map { [$0] } ?? [], iterations: 1, depthParameter: .maxDepth)
        try Rarefaction.check(depths: chosenDepth.map { [$0] } ?? [], iterations: 1, depthParameter: .depth)
        guard steps >= 1 else { throw ParameterError(.steps, .outOfRange(value: String(steps), allowed: .atLeast("1"))) }
        guard steps <= 1_000 else { throw ParameterError(.steps, .exceedsLimit(value: String(steps), limit: "1000")) }
        _ = try RequestedMetric.parseList(metrics)
        try figureExport.check(for: outputDirectory)
        try checkFingerprintable([tablePath] + readOptions.extraInputs)
    }

    @discardableResult
    public func run(report: (String) -> Void) throws -> [String] {
        try validate()
        let requested = try RequestedMetric.parseList(metrics)
        let directory = try OutputDirectory(path: outputDirectory, overwrite: overwrite, inputs: [tablePath] + readOptions.extraInputs,
                                            expected: ["rarefaction-curves.csv"] + requested.flatMap { figureExport.files(for: "rarefaction-\(fileNameComponent($0.label)).svg") })
        let table = try readCountTable(tablePath, options: readOptions, report: report)
        guard table.isIntegral else { throw AlphaDiversityError.rarefactionNeedsCounts(file: tablePath) }
        let totals = table.sampleTotals
        let largest = Int(totals.max() ?? 0)
        let depthGrid = grid(maximum: maxDepth ?? largest)
        guard !depthGrid.isEmpty else { throw ParameterError(.depths, .outOfRange(value: "none", allowed: .atLeast("1"))) }
        let progress = ProgressBar(label: "rarefaction curves", total: depthGrid.count)
        var rows = [[TextTable.Cell]]()
        var curves = [String: [Int: [(Double, Double)]]]()   // metric → sample → points
        for (step, depth) in depthGrid.enumerated() {
            let kept = (0..<table.sampleCount).filter { totals[$0] >= Double(depth) }
            if !kept.isEmpty {
                let result = try AlphaDiversityResult(table: table, metrics: requested, options: options,
                                                      rarefaction: Rarefaction(depth: depth, iterations: iterations, seed: seed))
                let index = Dictionary(uniqueKeysWithValues: table.sampleIDs.enumerated().map { ($1, $0) })
                for (i, id) in result.sampleIDs.enumerated() {
                    rows.append([.text(id), .number(Double(depth))] + (0..<requested.count).map { .number(result.values[i, $0]) })
                    for (m, metric) in requested.enumerated() {
                        curves[metric.label, default: [:]][index[id] ?? 0, default: []].append((Double(depth), result.values[i, m]))
                    }
                }
            }
            progress.update(step + 1)
        }
        progress.finish()
        let below = chosenDepth.map { d in (0..<table.sampleCount).filter { totals[$0] < Double(d) }.map { table.sampleIDs[$0] } } ?? []
        var files = [(name: String, contents: String)]()
        let sorted = rows.sorted {
            if case .text(let a) = $0[0], case .text(let b) = $1[0], a != b { return (table.sampleIDs.firstIndex(of: a) ?? 0) < (table.sampleIDs.firstIndex(of: b) ?? 0) }
            if case .number(let a) = $0[1], case .number(let b) = $1[1] { return a < b }
            return false
        }
        files.append(("rarefaction-curves.csv", TextTable(columns: ["sample_id", "depth"] + requested.map(\.label), rows: sorted).csv()))
        var figures = [ReportFigure]()
        for metric in requested {
            let lines = (curves[metric.label] ?? [:]).sorted { $0.key < $1.key }.map { (label: table.sampleIDs[$0.key], points: $0.value) }
            var caption = ["\(table.sampleCount) samples; depths \(depthGrid[0])–\(depthGrid[depthGrid.count - 1]) reads in \(depthGrid.count) steps; \(iterations == 1 ? "one draw" : "mean of \(iterations) draws") per point (seed \(seed))."]
            if let d = chosenDepth {
                caption.append("Dashed line: the chosen depth \(d); \(below.count) sample\(below.count == 1 ? "" : "s") with fewer reads would be dropped.")
            }
            figures.append(ReportFigure(name: "rarefaction-\(fileNameComponent(metric.label)).svg",
                                        figure: Figures.curves(lines, xLabel: "sequencing depth (reads)",
                                                               yLabel: Figures.metricAxisLabel(metric.label, base: options.base),
                                                               title: "Rarefaction curves: \(metric.label)", caption: caption,
                                                               marker: chosenDepth.map(Double.init))))
        }
        files += figures.map { ($0.name, $0.svg) }
        files.append(("captions.md", ReportFigure.captions(figures, folder: "")))
        if let chosenDepth, !below.isEmpty { report("note: \(Words.counted(below.count, "sample")) \(below.count == 1 ? "has" : "have") fewer reads than the chosen depth \(chosenDepth): \(Words.list(below))") }
        let written = try FigureExport.files(OutputFile.texts(files), settings: figureExport)
        let parameters: [(name: String, json: String)] = [
            ("counts", jsonValue(tablePath)), ("metrics", jsonValue(requested.map(\.label))), ("depths", "[" + depthGrid.map(String.init).joined(separator: ", ") + "]"),
            ("chosen_depth", jsonValue(chosenDepth)), ("iterations", jsonValue(iterations)), ("seed", String(seed)),
        ] + figureExport.provenance
        let provenance = Provenance(command: "rarefaction-curve", parameters: parameters, inputs: [tablePath] + readOptions.extraInputs,
                                    seed: seed, outputs: written)
        try directory.write(written + [OutputFile(OutputDirectory.provenanceFile, text: try provenance.json(runAt: Date()))])
        return written.map(\.name) + [OutputDirectory.provenanceFile]
    }
}

extension Parameter {
    /// The depth chosen for the analysis, marked on the curves (`--depth`).
    public static let depth = Parameter("depth")
}
