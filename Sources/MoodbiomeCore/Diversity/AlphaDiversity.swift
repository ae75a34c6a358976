import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// A metric as requested: the metric and the column label it is written under
/// (the name the user typed, so `sobs` stays `sobs`).
public struct RequestedMetric: Sendable, Equatable {
    public var metric: AlphaMetric
    public var label: String
    /// Came from `all` rather than being named: skipped, not refused, when it
    /// does not apply to the data.
    public var impliedByAll: Bool

    public init(_ metric: AlphaMetric, label: String? = nil, impliedByAll: Bool = false) {
        self.metric = metric
        self.label = label ?? metric.name
        self.impliedByAll = impliedByAll
    }

    /// Splits `requests` into those that apply to `table` and those implied
    /// by `all` that do not: the count-based ones on non-integer data, the
    /// phylogenetic one without a tree.
    public static func applicable(_ requests: [RequestedMetric], to table: CountTable, hasTree: Bool = false)
        -> (apply: [RequestedMetric], skipped: [RequestedMetric])
    {
        func skipped(_ r: RequestedMetric) -> Bool {
            r.impliedByAll && ((r.metric.requiresCounts && !table.isIntegral) || (r.metric.needsTree && !hasTree))
        }
        return (requests.filter { !skipped($0) }, requests.filter(skipped))
    }

    /// Parses a comma-separated list of metric names; `all` expands to
    /// ``AlphaMetric/all``.
    ///
    /// - Throws: `AlphaDiversityError.unknownMetrics` (every unknown name at
    /// once) or `.duplicateMetric`.
    public static func parseList(_ text: String) throws -> [RequestedMetric] {
        var out = [RequestedMetric]()
        var unknown = [String]()
        for raw in text.split(separator: ",") {
            let name = raw.trimmingWhitespace()
            if name.isEmpty { continue }
            if name.lowercased() == "all" {
                out += AlphaMetric.all.map { RequestedMetric($0, impliedByAll: true) }
                continue
            }
            guard let metric = AlphaMetric(name: name) else {
                unknown.append(name)
                continue
            }
            out.append(RequestedMetric(metric, label: name.lowercased()))
        }
        if !unknown.isEmpty { throw AlphaDiversityError.unknownMetrics(unknown) }
        var seen = Set<String>()
        for r in out {
            if !seen.insert(r.metric.name).inserted { throw AlphaDiversityError.duplicateMetric(r.label) }
        }
        if out.isEmpty { throw AlphaDiversityError.noMetrics }
        return out
    }
}

/// Why alpha diversity could not be computed as asked, typed; the report
/// layer words it.
public enum AlphaDiversityError: Error, Equatable, Sendable {
    /// Names that are no metric, every one of the list.
    case unknownMetrics([String])
    case duplicateMetric(String)
    case noMetrics
    /// Count-based metrics asked of a table with non-integer values.
    case needsCounts(metrics: [String], file: String)
    /// Rarefaction asked of a table with non-integer values.
    case rarefactionNeedsCounts(file: String)
    /// No sample is left to report (all below the rarefaction depth, or dropped).
    case noSamplesLeft(file: String, rarefied: Bool)
    /// Phylogenetic metrics asked for without a tree.
    case needsTree(metrics: [String])
}

/// Alpha diversity of every sample of a table.
public struct AlphaDiversityResult: Sendable {
    /// Samples, in table order (after rarefaction and `--drop-empty`).
    public var sampleIDs: [String]
    /// Each sample's reads (its total in the table as read, before any
    /// rarefaction), in `sampleIDs` order: the depth Table 1 reports and a
    /// depth covariate uses.
    public var reads: [Double] = []
    /// The rarefaction depth the metrics were computed at, if any.
    public var rarefactionDepth: Int? = nil
    /// The metrics, in the order requested.
    public var metrics: [RequestedMetric]
    /// `values[sample, metric]`; NaN where a metric is undefined (written NA).
    public var values: Matrix
    /// Samples with no reads at all (all metrics NA, or dropped).
    public var emptySamples: [String]
    /// Samples dropped because their depth is below the rarefaction depth.
    public var belowDepth: [String]
    /// For each metric label, the non-empty samples where it is undefined.
    public var undefined: [(metric: String, samples: [String])]
}

extension AlphaDiversityResult {
    /// Computes `metrics` for every sample of `table`.
    ///
    /// - Parameters:
    ///   - rarefaction: when given, samples shallower than its depth are
    ///     dropped, and each metric is the mean over `iterations` rarefied draws.
    ///   - dropEmpty: drop all-zero samples instead of writing them as NA.
    /// - Throws: `AlphaDiversityError.needsCounts` when a count-based metric
    ///   meets non-integer data; `InputError` for an impossible rarefaction.
    public init(table: CountTable, metrics: [RequestedMetric], options: AlphaOptions = .init(),
                rarefaction: Rarefaction? = nil, dropEmpty: Bool = false, phylogeny: TablePhylogeny? = nil,
                progress: ((Int) -> Void)? = nil) throws {
        let countBased = metrics.filter { $0.metric.requiresCounts }.map(\.label)
        if !table.isIntegral && !countBased.isEmpty {
            throw AlphaDiversityError.needsCounts(metrics: countBased, file: table.source)
        }
        let phylogenetic = metrics.filter { $0.metric.needsTree }.map(\.label)
        if phylogeny == nil && !phylogenetic.isEmpty { throw AlphaDiversityError.needsTree(metrics: phylogenetic) }
        var indices = Array(0..<table.sampleCount)
        var belowDepth = [String]()
        if let rarefaction {
            let (kept, dropped) = try rarefaction.partition(table)
            indices = kept
            belowDepth = dropped.map { table.sampleIDs[$0] }
        }
        let empty = indices.filter { table.isEmptySample($0) }
        if dropEmpty { indices.removeAll { table.isEmptySample($0) } }

        var values = Matrix(rows: indices.count, columns: metrics.count)
        if let rarefaction, !indices.isEmpty {
            for iteration in 0..<rarefaction.iterations {
                let draw = rarefaction.rarefied(table, samples: indices, iteration: iteration)
                let v = Self.evaluate(draw, samples: Array(0..<indices.count), metrics: metrics, options: options, phylogeny: phylogeny)
                for k in values.storage.indices { values.storage[k] += v.storage[k] }
                progress?(iteration + 1)
            }
            let k = Double(rarefaction.iterations)
            for i in values.storage.indices { values.storage[i] /= k }
        } else {
            values = Self.evaluate(table, samples: indices, metrics: metrics, options: options, phylogeny: phylogeny)
        }
        // All-zero samples: NA for every metric (never a misleading 0).
        let position = Dictionary(uniqueKeysWithValues: indices.enumerated().map { ($1, $0) })
        for j in empty { if let i = position[j] { for m in 0..<metrics.count { values[i, m] = .nan } } }

        var undefined = [(metric: String, samples: [String])]()
        let emptySet = Set(empty)
        for (m, request) in metrics.enumerated() {
            let missing = indices.enumerated().filter { i, j in values[i, m].isNaN && !emptySet.contains(j) }
                .map { table.sampleIDs[$0.element] }
            if !missing.isEmpty { undefined.append((request.label, missing)) }
        }
        self.sampleIDs = indices.map { table.sampleIDs[$0] }
        self.reads = indices.map { table.nonZeroValues(ofSample: $0).reduce(0, +) }
        self.rarefactionDepth = rarefaction?.depth
        self.metrics = metrics
        self.values = values
        self.emptySamples = empty.map { table.sampleIDs[$0] }
        self.belowDepth = belowDepth
        self.undefined = undefined
    }

    /// Metrics of the given samples, in parallel over samples.
    ///
    /// Every metric runs on the sample's non-zero abundances, read in place
    /// from the sparse table; an empty sample is NaN for every metric
    /// without reaching any (the driver's rule, scikit-bio's `_validate_alpha`).
    static func evaluate(_ table: CountTable, samples: [Int], metrics: [RequestedMetric],
                         options: AlphaOptions, phylogeny: TablePhylogeny?) -> Matrix {
        let taxa = table.taxonCount
        return Matrix(rows: samples.count, columns: metrics.count) { writer in
            // Per-sample work is independent and cannot throw.
            _ = parallelChunkMap(count: samples.count, minimumPerChunk: 4) { range in
                for i in range {
                    let present = table.nonZeroValues(ofSample: samples[i])
                    let presentTaxa = table.taxonIndices[table.range(ofSample: samples[i])]
                    for (m, request) in metrics.enumerated() {
                        writer.set(i, m, present.isEmpty ? .nan
                                   : request.metric.value(present: present, taxa: presentTaxa, taxonCount: taxa,
                                                          options: options, phylogeny: phylogeny))
                    }
                }
            }
        }
    }

    /// The result as a table: `sample_id`, then one column per metric.
    public var table: TextTable {
        var rows = [[TextTable.Cell]]()
        rows.reserveCapacity(sampleIDs.count)
        for (i, id) in sampleIDs.enumerated() {
            var row: [TextTable.Cell] = [.text(id)]
            for m in 0..<metrics.count { row.append(.number(values[i, m])) }
            rows.append(row)
        }
        return TextTable(columns: ["sample_id"] + metrics.map(\.label), rows: rows)
    }
}

extension AlphaDiversityResult {
    /// Each metric as a column over `ids`, in that order (NaN for a sample
    /// the result lacks): what an analysis joins onto its metadata.
    public func metricColumns(for ids: [String]) -> [DataTable.Column] {
        let row = rowIndex
        return metrics.indices.map { m in
            DataTable.Column(name: metrics[m].label, numbers: ids.map { id in row[id].map { values[$0, m] } ?? .nan })
        }
    }

    /// The reads of `ids`' samples, in that order (NaN for a sample the result lacks).
    public func reads(for ids: [String]) -> [Double] {
        let row = rowIndex
        return ids.map { id in row[id].flatMap { reads.indices.contains($0) ? reads[$0] : nil } ?? .nan }
    }

    var rowIndex: [String: Int] { Dictionary(uniqueKeysWithValues: sampleIDs.enumerated().map { ($1, $0) }) }
}
