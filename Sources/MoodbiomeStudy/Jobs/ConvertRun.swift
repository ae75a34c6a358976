import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO

/// `moodbiome convert IN OUT`: a count table from any format Moodbiome
/// reads to CSV, TSV, BIOM 2.1 (HDF5) or BIOM 1.0 (JSON), IDs, counts
/// (all-zero features included) and taxonomy kept.
public struct ConvertRun: Sendable {
    /// The formats `convert` writes.
    public enum Target: String, Sendable, CaseIterable {
        case csv, tsv, biom
        case biomJSON = "biom-json"

        /// The target a file name's extension implies: `.csv`, `.tsv`,
        /// `.biom` (BIOM 2.1, as QIIME 2 writes it), `.json` (BIOM 1.0).
        public static func fromExtension(of path: String) -> Target? {
            let lower = path.lowercased()
            if lower.hasSuffix(".csv") { return .csv }
            if lower.hasSuffix(".tsv") || lower.hasSuffix(".txt") { return .tsv }
            if lower.hasSuffix(".biom") || lower.hasSuffix(".h5") || lower.hasSuffix(".hdf5") { return .biom }
            if lower.hasSuffix(".json") { return .biomJSON }
            return nil
        }
    }

    public var inputPath: String
    public var outputPath: String
    public var readOptions = CountTableReadOptions()
    /// The target format; `nil`: by the output's extension.
    public var target: Target? = nil
    public var overwrite = false

    public init(inputPath: String, outputPath: String) {
        self.inputPath = inputPath
        self.outputPath = outputPath
    }

    /// The target format, checked.
    public func resolvedTarget() throws -> Target {
        guard let target = target ?? Target.fromExtension(of: outputPath) else {
            throw ParameterError(.to, .unknownChoice(value: URL(fileURLWithPath: outputPath).pathExtension,
                                                     choices: Target.allCases.map(\.rawValue)))
        }
        return target
    }

    /// The target format.
    public func validate() throws { _ = try resolvedTarget() }

    /// Reads, converts and writes; returns the table for the report line.
    @discardableResult
    public func run(report: (String) -> Void) throws -> CountTable {
        let target = try resolvedTarget()
        try checkOutputPath(outputPath, overwrite: overwrite, inputs: [inputPath] + readOptions.extraInputs)
        let table = try readCountTable(inputPath, options: readOptions, report: report)
        try Self.write(table, to: outputPath, target: target, overwrite: overwrite, inputs: [inputPath] + readOptions.extraInputs)
        return table
    }

    /// Writes `table` as `target`, atomically.
    static func write(_ table: CountTable, to outputPath: String, target: Target, overwrite: Bool, inputs: [String]) throws {
        switch target {
        case .csv: try table.write(to: outputPath, format: .delimited, delimiter: .comma, overwrite: overwrite, inputs: inputs)
        case .tsv: try table.write(to: outputPath, format: .delimited, delimiter: .tab, overwrite: overwrite, inputs: inputs)
        case .biom: try table.write(to: outputPath, format: .biom, overwrite: overwrite, inputs: inputs)
        case .biomJSON: try table.write(to: outputPath, format: .biomJSON, overwrite: overwrite, inputs: inputs)
        }
    }
}

extension Parameter {
    public static let to = Parameter("to")
}
