import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// `moodbiome collapse`: sum features by lineage down to a rank and write
/// the table (CSV/TSV with samples as rows, BIOM by extension).
public struct CollapseRun: Sendable {
    public var inputPath: String
    public var outputPath: String
    public var readOptions = CountTableReadOptions()
    public var overwrite = false

    public init(inputPath: String, outputPath: String, level: TaxonomicRank) {
        self.inputPath = inputPath
        self.outputPath = outputPath
        self.readOptions.rank = level
    }

    /// The target format.
    public func validate() throws { _ = try ConvertRun(inputPath: inputPath, outputPath: outputPath).resolvedTarget() }

    @discardableResult
    public func run(report: (String) -> Void) throws -> CountTable {
        var convert = ConvertRun(inputPath: inputPath, outputPath: outputPath)
        convert.readOptions = readOptions
        convert.overwrite = overwrite
        let target = try convert.resolvedTarget()
        try checkOutputPath(outputPath, overwrite: overwrite, inputs: [inputPath] + readOptions.extraInputs)
        let table = try readCountTable(inputPath, options: readOptions, report: report)
        try ConvertRun.write(table, to: outputPath, target: target, overwrite: overwrite, inputs: [inputPath] + readOptions.extraInputs)
        return table
    }
}

/// `moodbiome filter`: drop shallow samples, rare features and unwanted
/// lineages, reporting what went.
///
/// In order: samples with fewer than `minimumDepth` reads; features whose
/// relative abundance (count / sample depth) is above `minimumAbundance` in
/// fewer than `minimumPrevalence` × samples (a share, 0–1; with the default
/// abundance 0 this is plain presence); features whose lineage contains one
/// of `exclude` (case-insensitive, a whole rank name: `Mitochondria`,
/// `Chloroplast`).
public struct FilterRun: Sendable {
    public var inputPath: String
    public var outputPath: String
    public var readOptions = CountTableReadOptions()
    public var minimumDepth = 0.0
    public var minimumPrevalence = 0.0
    public var minimumAbundance = 0.0
    public var exclude: [String] = []
    public var overwrite = false

    public init(inputPath: String, outputPath: String) {
        self.inputPath = inputPath
        self.outputPath = outputPath
    }

    public func validate() throws {
        _ = try ConvertRun(inputPath: inputPath, outputPath: outputPath).resolvedTarget()
        guard (0...1).contains(minimumPrevalence) else {
            throw ParameterError(.minPrevalence, .outOfRange(value: NumberStyle.roundTrip.format(minimumPrevalence), allowed: .between("0", "1")))
        }
        guard (0..<1).contains(minimumAbundance) else {
            throw ParameterError(.minAbundance, .outOfRange(value: NumberStyle.roundTrip.format(minimumAbundance), allowed: .between("0", "1")))
        }
        guard minimumDepth >= 0 else { throw ParameterError(.minDepth, .outOfRange(value: NumberStyle.roundTrip.format(minimumDepth), allowed: .atLeast("0"))) }
    }

    /// What the filter removed.
    public struct Removed: Sendable {
        public let shallowSamples: [String]
        public let rareFeatures: [String]
        public let excludedFeatures: [String]
    }

    @discardableResult
    public func run(report: (String) -> Void) throws -> (table: CountTable, removed: Removed) {
        try validate()
        var convert = ConvertRun(inputPath: inputPath, outputPath: outputPath)
        convert.readOptions = readOptions
        let target = try convert.resolvedTarget()
        let inputs = [inputPath] + readOptions.extraInputs
        try checkOutputPath(outputPath, overwrite: overwrite, inputs: inputs)
        var table = try readCountTable(inputPath, options: readOptions, report: report)
        if !exclude.isEmpty && table.taxonomy == nil {
            throw ParameterError(.exclude, .requires(.taxonomy))
        }
        let depths = table.sampleTotals
        let deep = (0..<table.sampleCount).filter { depths[$0] >= minimumDepth }
        let shallow = (0..<table.sampleCount).filter { depths[$0] < minimumDepth }.map { table.sampleIDs[$0] }
        if !shallow.isEmpty { table = table.selectingSamples(deep) }
        let n = table.sampleCount
        var present = [Int](repeating: 0, count: table.taxonCount)
        let totals = table.sampleTotals
        for j in 0..<n {
            for k in table.range(ofSample: j) where table.values[k] / totals[j] > minimumAbundance { present[Int(table.taxonIndices[k])] += 1 }
        }
        let needed = minimumPrevalence * Double(n)
        let words = exclude.map { $0.lowercased() }
        var keep = [Int](), rare = [String](), excluded = [String]()
        for t in 0..<table.taxonCount {
            if let lineage = table.taxonomy?[t], !words.isEmpty {
                let names = Taxonomy.split(lineage).map { c in String(c.drop { $0 != "_" }.drop { $0 == "_" }).lowercased() }
                if names.contains(where: { words.contains($0) }) { excluded.append(table.taxonIDs[t]); continue }
            }
            if Double(present[t]) < needed || present[t] == 0 { rare.append(table.taxonIDs[t]); continue }
            keep.append(t)
        }
        // A filter that leaves nothing is a mistake in its thresholds, not a
        // table: refused before anything is written.
        if table.sampleCount == 0 {
            let deepest = depths.max() ?? 0
            throw InputError(file: inputPath, problem: "the filter removes every sample: all \(depths.count) have fewer than \(NumberStyle.roundTrip.format(minimumDepth)) reads (the deepest has \(NumberStyle.roundTrip.format(deepest)))",
                             fix: "Lower \(Parameter.minDepth.mention)")
        }
        if keep.isEmpty {
            throw InputError(file: inputPath, problem: "the filter removes every feature (\(rare.count) too rare, \(excluded.count) excluded by lineage)",
                             fix: "Lower \(Parameter.minPrevalence.mention) or \(Parameter.minAbundance.mention), or exclude fewer lineages")
        }
        table = table.selectingTaxa(keep)
        let removed = Removed(shallowSamples: shallow, rareFeatures: rare, excludedFeatures: excluded)
        if !shallow.isEmpty { report("note: \(shallow.count) sample\(shallow.count == 1 ? "" : "s") below \(NumberStyle.roundTrip.format(minimumDepth)) reads removed: \(Words.list(shallow))") }
        if !rare.isEmpty { report("note: \(rare.count) feature\(rare.count == 1 ? "" : "s") too rare removed (absent, or above the abundance in fewer than \(NumberStyle.roundTrip.format(minimumPrevalence * 100))% of samples): \(Words.list(rare))") }
        if !excluded.isEmpty { report("note: \(excluded.count) feature\(excluded.count == 1 ? "" : "s") removed by lineage (\(exclude.joined(separator: ", "))): \(Words.list(excluded))") }
        try ConvertRun.write(table, to: outputPath, target: target, overwrite: overwrite, inputs: inputs)
        return (table, removed)
    }
}
