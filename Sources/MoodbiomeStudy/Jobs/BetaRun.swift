import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// How a distance matrix is written.
public enum DistanceLayout: String, Sendable, CaseIterable {
    /// The square matrix as TSV, an empty top-left cell (QIIME 2, scikit-bio).
    case tsv
    /// The square matrix as CSV.
    case csv
    /// One row per pair: `sample_a, sample_b, distance` (CSV).
    case long

    /// By the output's extension: `.csv` → csv, anything else → tsv.
    public static func resolve(requested: DistanceLayout?, outputPath: String?) -> DistanceLayout {
        if let requested { return requested }
        return outputPath?.lowercased().hasSuffix(".csv") == true ? .csv : .tsv
    }

    /// The matrix in this layout.
    public func render(_ matrix: DistanceMatrix, guardFormulas: Bool) -> String {
        switch self {
        case .tsv: matrix.delimited(.tab, guardFormulas: guardFormulas)
        case .csv: matrix.delimited(.comma, guardFormulas: guardFormulas)
        case .long: matrix.longForm(guardFormulas: guardFormulas)
        }
    }
}

/// `moodbiome beta`: a count table's distance matrix by one beta-diversity
/// metric, written as a square TSV (or CSV, or long form).
public struct BetaRun: Sendable {
    public var tablePath: String
    public var readOptions = CountTableReadOptions()
    public var metric = "braycurtis"
    public var options = BetaOptions()
    public var tree: TreeInput? = nil
    public var layout: DistanceLayout? = nil
    public var outputPath: String? = nil
    public var overwrite = false
    public var guardFormulas = false
    /// How an HDF5 output stores the distances (float64 unless asked).
    public var precision: DistancePrecision? = nil
    /// Compute only stripe K of N (``StripePlan``), written to `partialPath`.
    public var stripe: StripeRequest? = nil
    public var partialPath: String? = nil

    public init(tablePath: String) { self.tablePath = tablePath }

    /// The parameters that need no data.
    public func validate() throws {
        _ = try checkedMetric()
        if stripe != nil && partialPath == nil { throw ParameterError(.stripes, .requires(.partial)) }
        if let partialPath {
            guard stripe != nil else { throw ParameterError(.partial, .requires(.stripes)) }
            if outputPath != nil { throw ParameterError(.partial, .conflicts(.output)) }
            if layout != nil { throw ParameterError(.format, .conflicts(.partial)) }
            guard partialPath.lowercased().hasSuffix(".h5") else {
                throw ParameterError(.partial, .malformed(value: partialPath, expected: "an HDF5 file name ending in .h5"))
            }
        }
        if precision != nil && !writesHDF5 { throw ParameterError(.precision, .onlyFor(.hdf5Output)) }
        if let layout, partialPath == nil, let outputPath, writesHDF5 {
            throw ParameterError(.format, .disagrees(value: layout.rawValue, with: outputPath))
        }
    }

    /// Whether the distances go to an HDF5 file (a stripe, or a `.h5` output).
    var writesHDF5: Bool { partialPath != nil || outputPath?.lowercased().hasSuffix(".h5") == true }

    /// The metric and the settings it reads, as a stripe records them.
    func metricDescription(_ definition: BetaMetricDefinition) -> String {
        switch definition.name {
        case "aitchison": "aitchison pseudocount=\(NumberStyle.roundTrip.format(options.pseudocount))"
        case "generalized_unifrac": "generalized_unifrac alpha=\(NumberStyle.roundTrip.format(options.generalizedAlpha))"
        default: definition.name
        }
    }

    /// The metric, checked, and the parameters that need no data.
    public func checkedMetric() throws -> BetaMetricDefinition {
        try options.validate()
        if overwrite && outputPath == nil && partialPath == nil { throw ParameterError(.overwrite, .requires(.output)) }
        guard let definition = BetaMetricDefinition.named(metric) else { throw BetaDiversityError.unknownMetrics([metric]) }
        if definition.needsTree && tree == nil { throw BetaDiversityError.needsTree(definition.name) }
        return definition
    }

    public var inputs: [String] { [tablePath] + (tree.map { [$0.path] } ?? []) + readOptions.extraInputs }

    /// Reads the table (and tree) and computes the matrix; `analyze` shares it.
    public func compute(report: (String) -> Void) throws -> BetaDiversityResult {
        let definition = try checkedMetric()
        let table = try readCountTable(tablePath, options: readOptions, report: report)
        return try options.compute(definition, table: table, tree: tree, report: report)
    }

    /// Runs the job; returns the matrix when there is no output path.
    public func run(report: (String) -> Void) throws -> String? {
        try validate()
        if let path = outputPath ?? partialPath { try checkOutputPath(path, overwrite: overwrite, inputs: inputs) }
        if writesHDF5 {
            try writeHDF5(report: report)
            return nil
        }
        let result = try compute(report: report)
        let text = DistanceLayout.resolve(requested: layout, outputPath: outputPath).render(result.matrix, guardFormulas: guardFormulas)
        if let outputPath {
            try writeFileAtomically(text, to: outputPath, overwrite: overwrite, inputs: inputs)
            return nil
        }
        return text
    }
}

/// `--stripes K/N`: stripe K of N (1 ≤ K ≤ N).
public struct StripeRequest: Sendable, Equatable {
    public let stripe: Int
    public let stripes: Int

    public init(stripe: Int, stripes: Int) throws {
        guard stripes >= 1, (1...stripes).contains(stripe) else {
            throw ParameterError(.stripes, .malformed(value: "\(stripe)/\(stripes)", expected: "K/N with 1 ≤ K ≤ N"))
        }
        self.stripe = stripe
        self.stripes = stripes
    }

    /// Reads "K/N".
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw ParameterError(.stripes, .malformed(value: text, expected: "K/N, stripe K of N (1/4, 2/4, …)"))
        }
        try self.init(stripe: k, stripes: n)
    }
}

extension BetaOptions {
    /// Computes one metric of `table`, loading the tree when the metric needs
    /// it; reports the samples without reads that were left out.
    public func compute(_ definition: BetaMetricDefinition, table: CountTable, tree: TreeInput?, phylogeny: TablePhylogeny? = nil,
                        report: (String) -> Void) throws -> BetaDiversityResult {
        var options = self
        if definition.needsTree {
            guard let tree else { throw BetaDiversityError.needsTree(definition.name) }
            options.phylogeny = try phylogeny ?? tree.load(for: table, report: report)
        }
        let result = try BetaDiversityResult(table: table, metric: definition, options: options)
        if !result.emptySamples.isEmpty {
            report("\(table.source): \(result.emptySamples.count) sample\(result.emptySamples.count == 1 ? "" : "s") without reads left out of \(definition.name): \(Words.list(result.emptySamples))")
        }
        return result
    }
}

extension BetaRun {
    /// The HDF5 outputs: one stripe (`partialPath`), or the whole matrix
    /// (a `.h5` output), computed stripe by stripe into the stored precision.
    func writeHDF5(report: (String) -> Void) throws {
        let definition = try checkedMetric()
        let read = try readCountTable(tablePath, options: readOptions, report: report)
        var settings = options
        if definition.needsTree {
            guard let tree else { throw BetaDiversityError.needsTree(definition.name) }
            settings.phylogeny = try tree.load(for: read, report: report)
        }
        let (table, empty) = try BetaDiversityResult.samplesWithReads(read)
        if !empty.isEmpty {
            report("\(read.source): \(empty.count) sample\(empty.count == 1 ? "" : "s") without reads left out of \(definition.name): \(Words.list(empty))")
        }
        let n = table.sampleCount, storage = precision ?? .float64
        let bytes = MemoryBudget.byteCount(PairRows.pairCount(n), of: storage.bytes)
        if let partialPath, let stripe {
            let plan = try stripePlan(n: n, stripe)
            let pairs = plan.stripe(stripe.stripe)
            report("stripe \(stripe.stripe) of \(stripe.stripes): rows \(pairs.rows.lowerBound + 1)–\(pairs.rows.upperBound) of \(n) samples, \(pairs.count) pairs")
            let distances = try definition.distances(table, options: settings, pairs: pairs)
            let identity = StripeIdentity(metric: metricDescription(definition), inputs: try fingerprint(table), precision: storage,
                                          stripe: stripe.stripe, stripes: stripe.stripes)
            try DistanceHDF5.writeStripe(ids: table.sampleIDs, pairs: pairs, distances: distances, identity: identity, to: partialPath)
            return
        }
        guard let outputPath else { return }
        try MemoryBudget.check(bytes, for: "the \(n)-sample matrix's \(PairRows.pairCount(n)) distances in \(storage.rawValue)", file: tablePath)
        report("\(n) samples: \(PairRows.pairCount(n)) distances, \(MemoryBudget.describe(bytes ?? 0)) in \(storage.rawValue) (this machine has \(MemoryBudget.describe(MemoryBudget.bytes)))")
        let metric = metricDescription(definition)
        switch storage {
        case .float32:
            try DistanceHDF5.writeMatrix(ids: table.sampleIDs, condensed: definition.condensed(table, options: settings, as: Float.self),
                                         precision: storage, metric: metric, to: outputPath)
        case .float64:
            try DistanceHDF5.writeMatrix(ids: table.sampleIDs, condensed: definition.condensed(table, options: settings, as: Double.self),
                                         precision: storage, metric: metric, to: outputPath)
        }
    }

    func stripePlan(n: Int, _ request: StripeRequest) throws -> StripePlan {
        do { return try StripePlan(n: n, stripes: request.stripes) } catch {
            throw ParameterError(.stripes, .exceedsLimit(value: "\(request.stripes) stripes", limit: "\(StripePlan.maximumStripes(n)) for \(n) samples"))
        }
    }

    /// What identifies the table as read: the SHA-256 of its samples, features
    /// and counts (so the same file read the same way, wherever it lies),
    /// and of the tree file when the metric uses one.
    func fingerprint(_ table: CountTable) throws -> String {
        var bytes = [UInt8]()
        for id in table.sampleIDs + ["\u{0}"] + table.taxonIDs { bytes += Array(id.utf8) + [0] }
        table.columnStarts.withUnsafeBytes { bytes += $0 }
        table.taxonIndices.withUnsafeBytes { bytes += $0 }
        table.values.withUnsafeBytes { bytes += $0 }
        var text = "table sha256:" + (try SHA256.hex(bytes))
        if let tree, try checkedMetric().needsTree { text += " tree sha256:" + (try SHA256.hex(ofFile: tree.path)) }
        return text
    }
}
