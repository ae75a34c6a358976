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

    public init(tablePath: String) { self.tablePath = tablePath }

    /// The parameters that need no data.
    public func validate() throws { _ = try checkedMetric() }

    /// The metric, checked, and the parameters that need no data.
    public func checkedMetric() throws -> BetaMetricDefinition {
        try options.validate()
        if overwrite && outputPath == nil { throw ParameterError(.overwrite, .requires(.output)) }
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
        if let outputPath { try checkOutputPath(outputPath, overwrite: overwrite, inputs: inputs) }
        let result = try compute(report: report)
        let text = DistanceLayout.resolve(requested: layout, outputPath: outputPath).render(result.matrix, guardFormulas: guardFormulas)
        if let outputPath {
            try writeFileAtomically(text, to: outputPath, overwrite: overwrite, inputs: inputs)
            return nil
        }
        return text
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
