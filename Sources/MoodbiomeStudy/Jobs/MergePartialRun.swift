import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// `moodbiome merge-partial`: the stripes of one distance matrix (written
/// by `beta --stripes K/N --partial`), checked complete, non-overlapping and
/// of one table, metric, version and precision (``StripeSet``), merged into
/// the whole matrix — HDF5 for a `.h5` output (in the stripes' precision),
/// else the square TSV/CSV or long form as `beta` writes them.
public struct MergePartialRun: Sendable {
    public var parts: [String]
    public var outputPath: String
    public var layout: DistanceLayout? = nil
    public var overwrite = false
    public var guardFormulas = false

    public init(parts: [String], outputPath: String) {
        self.parts = parts
        self.outputPath = outputPath
    }

    public var inputs: [String] { parts }

    var writesHDF5: Bool { outputPath.lowercased().hasSuffix(".h5") }

    public func validate() throws {
        if let layout, writesHDF5 { throw ParameterError(.format, .disagrees(value: layout.rawValue, with: outputPath)) }
        if guardFormulas && writesHDF5 { throw ParameterError(.guardFormulas, .onlyFor(.delimitedOutput)) }
    }

    public func run(report: (String) -> Void) throws -> String? {
        try validate()
        try checkOutputPath(outputPath, overwrite: overwrite, inputs: inputs)
        let set = try StripeSet(try parts.map(DistanceHDF5.readStripe))
        let identity = set.identity, n = set.ids.count
        if set.stripes[0].recipe != nil {
            guard !writesHDF5 else {
                throw ParameterError(.output, .malformed(value: outputPath, expected: "a table (.csv or .tsv): merged PERMANOVA shares are the test's table"))
            }
            report("\(identity.stripes) PERMANOVA share\(identity.stripes == 1 ? "" : "s") of \(identity.metric) stripes, \(n) samples: complete")
            let result = try mergeShares(set, report: report)
            let format = try TableFormat.resolve(requested: nil, outputPath: outputPath)
            try writeFileAtomically(result.table.rendered(as: format, guardFormulas: guardFormulas), to: outputPath, overwrite: overwrite, inputs: inputs)
            return nil
        }
        report("\(identity.stripes) stripe\(identity.stripes == 1 ? "" : "s") of \(identity.metric), \(n) samples, \(identity.precision.rawValue): complete")
        if writesHDF5 {
            try DistanceHDF5.writeMatrix(set, to: outputPath)
            return nil
        }
        try MemoryBudget.check(MemoryBudget.byteCount(n * n, of: 8), for: "a \(n) × \(n) distance matrix as text", file: outputPath)
        let matrix = DistanceMatrix(ids: set.ids, condensed: try set.condensed(as: Double.self), source: outputPath)
        let text = DistanceLayout.resolve(requested: layout, outputPath: outputPath).render(matrix, guardFormulas: guardFormulas)
        try writeFileAtomically(text, to: outputPath, overwrite: overwrite, inputs: inputs)
        return nil
    }
}

extension MergePartialRun: TableJob {
    var writtenPath: String? { outputPath }
    public var usesLinearAlgebra: Bool { false }
}
