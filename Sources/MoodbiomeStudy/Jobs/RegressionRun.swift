import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// Everything `moodbiome regress` does, as a library call: read a table,
/// fit one model, render it, write it atomically or return it.
public struct RegressionRun: Sendable {
    public var dataPath: String
    public var formula: String
    public var family = ModelFamily.gaussian
    public var covariance = CovarianceType.classical
    /// Cluster-robust standard errors over this column's groups.
    public var cluster: String? = nil
    /// Mixed models: restricted maximum likelihood (lme4's default) or,
    /// when false, maximum likelihood.
    public var reml = true
    /// Mixed models: where to write the variance-components table.
    public var randomOutputPath: String? = nil
    /// Profile-likelihood intervals for the random effects' and residual
    /// standard deviations in the random-output table (``VarianceProfile``).
    public var profileIntervals = false
    public var confidenceLevel = 0.95
    /// Add odds ratios (exp of the estimates and limits).
    public var exponentiate = false
    /// Reference levels by column.
    public var references: [String: String] = [:]
    /// The column holding row IDs (default: the first).
    public var idColumn: String? = nil
    /// The output format (`nil`: by the output's extension, else CSV).
    public var format: TableFormat? = nil
    public var digits: Int? = nil
    public var outputPath: String? = nil
    /// Where to write the one-row fit table (CSV/TSV/Markdown outputs).
    public var fitOutputPath: String? = nil
    public var overwrite = false
    /// Prefix CSV/TSV text cells a spreadsheet would run as formulas with `'`.
    public var guardFormulas = false
    /// Render the console summary instead of a table (standard output is a terminal).
    public var summary = false
    /// How the front end spells parameters in notes.
    public var spelling = ParameterSpelling.canonical

    public init(dataPath: String, formula: String) {
        self.dataPath = dataPath
        self.formula = formula
    }

    /// Parses `column=level` pairs.
    ///
    /// - Throws: `ParameterError` (`reference`) for an item not in that form.
    public static func parseReferences(_ items: [String]) throws -> [String: String] {
        var out = [String: String]()
        for item in items {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex, item.index(after: eq) != item.endIndex else {
                throw ParameterError(.reference, .malformed(value: item, expected: "column=level (e.g. sex=M)"))
            }
            out[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        return out
    }

    /// Checks the parameters that need no data.
    public func validate() throws {
        try TableDestination.validate(format: format, path: outputPath, overwrite: overwrite, guardFormulas: guardFormulas,
                                      otherOutputs: [fitOutputPath, randomOutputPath])
        guard confidenceLevel > 0 && confidenceLevel < 1 else {
            throw ParameterError(.confLevel, .outOfRange(value: NumberStyle.roundTrip.format(confidenceLevel), allowed: .strictlyBetween("0", "1")))
        }
        if exponentiate && family != .binomial { throw ParameterError(.exponentiate, .onlyFor(.logisticModels)) }
        if family == .binomial && covariance != .classical { throw ParameterError(.robust, .onlyFor(.linearModels)) }
        if cluster != nil && covariance != .classical { throw ParameterError(.cluster, .conflicts(.robust)) }
        if let digits, !(1...17).contains(digits) {
            throw ParameterError(.digits, .outOfRange(value: String(digits), allowed: .between("1", "17")))
        }
    }

    /// Runs the job; notes (left-out rows, aliasing, separation) go to `report`.
    /// Returns the rendered output when there is no output path.
    public func run(report: (String) -> Void) throws -> String? {
        let tableFormat = try TableFormat.resolve(requested: format, outputPath: outputPath)
        if let outputPath { try checkOutputPath(outputPath, overwrite: overwrite, inputs: [dataPath]) }
        if let fitOutputPath { try checkOutputPath(fitOutputPath, overwrite: overwrite, inputs: [dataPath]) }
        if let randomOutputPath { try checkOutputPath(randomOutputPath, overwrite: overwrite, inputs: [dataPath]) }
        try checkDistinctOutputs([outputPath, fitOutputPath, randomOutputPath].compactMap { $0 })
        try validate()
        let parsed = try Formula(formula)
        if !parsed.isMixed {
            if !reml { throw ParameterError(.maximumLikelihood, .onlyFor(.mixedModels)) }
            if randomOutputPath != nil { throw ParameterError(.randomOutput, .onlyFor(.mixedModels)) }
            if profileIntervals { throw ParameterError(.profileCI, .onlyFor(.mixedModels)) }
        }
        if profileIntervals && randomOutputPath == nil { throw ParameterError(.profileCI, .requires(.randomOutput)) }
        let data = try DataTable.read(dataPath, idColumn: idColumn)
        let model = try FittedModel.fit(formula: parsed, data: data, family: family, covariance: covariance,
                                        confidenceLevel: confidenceLevel, references: references, cluster: cluster, reml: reml)
        for note in model.notes { report("note: " + Words.note(note)) }
        let numbers: NumberStyle? = digits.map { .significantDigits($0) }
        let text: String
        if summary && outputPath == nil && format == nil {
            text = model.consoleSummary(exponentiate: exponentiate)
        } else if tableFormat == .json {
            text = model.json(exponentiate: exponentiate, numbers: numbers ?? .roundTrip)
        } else if tableFormat == .markdown && fitOutputPath == nil {
            text = model.coefficientTable(exponentiate: exponentiate).rendered(as: .markdown, numbers: numbers)
                + "\n" + model.fitTable.rendered(as: .markdown, numbers: numbers)
        } else if tableFormat == .html && fitOutputPath == nil {
            let body = "<p>\(Escape.html(model.design.formula.text))</p>\n"
                + model.coefficientTable(exponentiate: exponentiate).humanized().htmlTable(numbers: numbers)
                + model.fitTable.htmlTable(numbers: numbers)
            text = HTMLPage(title: model.design.formula.text, body: body).html
        } else {
            text = model.coefficientTable(exponentiate: exponentiate).rendered(as: tableFormat, numbers: numbers, guardFormulas: guardFormulas)
        }
        if let fitOutputPath {
            let fitFormat = try TableFormat.resolve(requested: nil, outputPath: fitOutputPath)
            try writeFileAtomically(model.fitTable.rendered(as: fitFormat, numbers: numbers, guardFormulas: guardFormulas), to: fitOutputPath, overwrite: overwrite, inputs: [dataPath])
        } else if tableFormat == .csv || tableFormat == .tsv, !(summary && outputPath == nil && format == nil) {
            let fit = model.fitStatistics.map { "\($0.name) = \(NumberStyle.significantDigits(6).format($0.value))" }
            report("fit: " + fit.joined(separator: ", ") + " (\(spelling.spell(.fitOutput)) FILE writes this table)")
        }
        if let randomOutputPath, let mixed = model.mixedModel {
            let profile = profileIntervals ? try VarianceProfile(model: mixed, level: confidenceLevel) : nil
            if let note = profile?.note(for: mixed) { report("note: " + Words.note(note)) }
            if profile != nil && mixed.varianceComponents.contains(where: { $0.correlation != nil }) {
                report("note: profile intervals are computed for scalar random terms only (random intercepts, or slopes in || form); the correlated terms' rows have none")
            }
            let table = model.randomEffectsTable(profile: profile)!
            let randomFormat = try TableFormat.resolve(requested: nil, outputPath: randomOutputPath)
            let rendered = randomFormat == .json ? model.json(numbers: numbers ?? .roundTrip)
                : table.rendered(as: randomFormat, numbers: numbers, guardFormulas: guardFormulas)
            try writeFileAtomically(rendered, to: randomOutputPath, overwrite: overwrite, inputs: [dataPath])
        }
        if let outputPath {
            try writeFileAtomically(text, to: outputPath, overwrite: overwrite, inputs: [dataPath])
            return nil
        }
        return text
    }
}

extension Parameter {
    public static let fitOutput = Parameter("fitOutput")
    public static let randomOutput = Parameter("randomOutput")
}
