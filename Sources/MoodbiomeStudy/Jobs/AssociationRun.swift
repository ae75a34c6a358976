import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// `moodbiome associate`: which features go with the metadata (MaAsLin2's
/// path, or LinDA's with `method = .linda`), or with an outcome
/// (`--outcome`): read, join, filter, normalise, transform, fit every
/// feature, adjust, and write the output directory whole (``OutputDirectory``).
public struct AssociationRun: Sendable {
    public var countsPath: String
    public var readOptions = CountTableReadOptions()
    public var metadataPath: String
    public var idColumn: String? = nil
    /// MaAsLin2 path: the one-sided formula.
    public var formula: String? = nil
    /// Outcome mode: the outcome, its covariates and family.
    public var outcome: String? = nil
    public var covariates: [String] = []
    /// Random-effects terms with `formula` (MaAsLin2's `random_effects`):
    /// each feature's model becomes a linear mixed model.
    public var random: String? = nil
    public var family = ModelFamily.gaussian
    public var method = AssociationMethod.maaslin2
    /// MaAsLin2's settings (`method == .maaslin2`).
    public var options = TaxonAssociation.Options()
    /// LinDA's settings (`method == .linda`).
    public var linda = LinDA.Options()
    /// ANCOM-BC's and ANCOM-BC2's settings (`method == .ancombc` or
    /// `.ancombc2`; the variant is set from `method`).
    public var ancombc = ANCOMBC.Options()
    /// The consensus's settings (`method == .all`): the shared selection, the
    /// threshold, and each method's own settings.
    public var consensus = AssociationConsensus.Options()
    /// The parameters given that only some methods read, checked against `method`.
    public var methodOnly: [(parameter: Parameter, methods: [AssociationMethod])] = []
    public var maxSignificance = 0.25
    /// Figure files besides SVG (`--figure-format`, `--dpi`).
    public var figureExport = FigureExportSettings()
    public var outputDirectory: String
    public var overwrite = false
    public var guardFormulas = false
    public var spelling = ParameterSpelling.canonical

    public init(countsPath: String, metadataPath: String, outputDirectory: String) {
        self.countsPath = countsPath
        self.metadataPath = metadataPath
        self.outputDirectory = outputDirectory
    }

    public static let outputFiles = ["all_results.csv", "significant_results.csv", "filtered_features.csv", "bias.csv", "structural_zeros.csv", "consensus.csv", "summary.md"]

    public var inputs: [String] { [countsPath, metadataPath] + readOptions.extraInputs }

    public func validate() throws {
        if formula != nil && outcome != nil { throw ParameterError(.formula, .conflicts(.outcome)) }
        if formula == nil && outcome == nil { throw ParameterError(.formula, .missingAlternative(.outcome)) }
        if formula != nil && !covariates.isEmpty { throw ParameterError(.covariates, .requires(.outcome)) }
        if formula != nil && family != .gaussian { throw ParameterError(.family, .requires(.outcome)) }
        let f = options.filter
        guard (0...1).contains(f.minimumPrevalence) else {
            throw ParameterError(.minPrevalence, .outOfRange(value: NumberStyle.roundTrip.format(f.minimumPrevalence), allowed: .between("0", "1")))
        }
        guard f.minimumAbundance.isFinite else { throw ParameterError(.minAbundance, .malformed(value: "\(f.minimumAbundance)", expected: "a finite number")) }
        guard f.minimumVariance.isFinite else { throw ParameterError(.minVariance, .malformed(value: "\(f.minimumVariance)", expected: "a finite number")) }
        guard maxSignificance > 0 && maxSignificance <= 1 else {
            throw ParameterError(.maxSignificance, .outOfRange(value: NumberStyle.roundTrip.format(maxSignificance), allowed: .between("0", "1")))
        }
        if let formula { _ = try Formula(rightHandSide: formula) }
        if let random {
            guard formula != nil else { throw ParameterError(.random, .requires(.formula)) }
            _ = try Formula.randomTerms(random)
        }
        // --neg-lb without --struc-zero is refused whatever the method.
        if ancombc.structuralZeroLowerBound && ancombc.structuralZeroGroup == nil { throw ParameterError(.negLb, .requires(.strucZero)) }
        if method == .ancombc || method == .ancombc2 {
            try validateStructuralZeros(group: ancombc.structuralZeroGroup, lowerBound: ancombc.structuralZeroLowerBound)
        }
        for given in methodOnly where !given.methods.contains(method) {
            let names = given.methods.map(\.rawValue)
            let listed = names.count < 3 ? names.joined(separator: " or ") : names.dropLast().joined(separator: ", ") + " or " + names.last!
            throw ParameterError(given.parameter, .onlyFor(.associationMethod(listed)))
        }
        switch method {
        case .maaslin2: try options.validate()
        case .linda: try validateLinDA()
        case .ancombc, .ancombc2: try validateANCOMBC()
        case .all: try validateConsensus()
        }
    }

    func validateANCOMBC() throws {
        if outcome != nil { throw ParameterError(.outcome, .onlyFor(.associationMethod(AssociationMethod.maaslin2.rawValue))) }
        if random != nil { throw AssociationError.randomTermsUnsupported(method: method) }
        let o = ancombc
        guard (0...1).contains(o.varianceQuantile) else {
            throw ParameterError(.varQuantile, .outOfRange(value: NumberStyle.roundTrip.format(o.varianceQuantile), allowed: .between("0", "1")))
        }
        guard (0...1).contains(o.minimumPrevalence) else {
            throw ParameterError(.minPrevalence, .outOfRange(value: NumberStyle.roundTrip.format(o.minimumPrevalence), allowed: .between("0", "1")))
        }
        guard o.minimumDepth >= 0 && o.minimumDepth.isFinite else {
            throw ParameterError(.minDepth, .outOfRange(value: NumberStyle.roundTrip.format(o.minimumDepth), allowed: .atLeast("0")))
        }
        if method == .ancombc2 {
            // 0: the zeros are missing values (ANCOM-BC2's default).
            guard o.pseudoCount >= 0 && o.pseudoCount.isFinite else {
                throw ParameterError(.pseudocount, .outOfRange(value: NumberStyle.roundTrip.format(o.pseudoCount), allowed: .atLeast("0")))
            }
        } else {
            guard o.pseudoCount > 0 && o.pseudoCount.isFinite else {
                throw ParameterError(.pseudocount, .outOfRange(value: NumberStyle.roundTrip.format(o.pseudoCount), allowed: .strictlyBetween("0", "∞")))
            }
        }
    }

    func validateConsensus() throws {
        if outcome != nil { throw ParameterError(.outcome, .onlyFor(.associationMethod(AssociationMethod.maaslin2.rawValue))) }
        if random != nil { throw AssociationError.randomTermsUnsupported(method: .all) }
        let o = consensus
        guard (0...1).contains(o.minimumPrevalence) else {
            throw ParameterError(.minPrevalence, .outOfRange(value: NumberStyle.roundTrip.format(o.minimumPrevalence), allowed: .between("0", "1")))
        }
        guard o.minimumDepth >= 0 && o.minimumDepth.isFinite else {
            throw ParameterError(.minDepth, .outOfRange(value: NumberStyle.roundTrip.format(o.minimumDepth), allowed: .atLeast("0")))
        }
        guard (0...1).contains(o.ancombc2.varianceQuantile) else {
            throw ParameterError(.varQuantile, .outOfRange(value: NumberStyle.roundTrip.format(o.ancombc2.varianceQuantile), allowed: .between("0", "1")))
        }
        if let q = o.linda.winsorQuantile, !(q > 0 && q < 1) {
            throw ParameterError(.winsorize, .outOfRange(value: NumberStyle.roundTrip.format(q), allowed: .strictlyBetween("0", "1")))
        }
        try validateStructuralZeros(group: o.structuralZeroGroup, lowerBound: o.structuralZeroLowerBound)
    }

    /// `--neg-lb` needs `--struc-zero`, which names a formula variable.
    func validateStructuralZeros(group: String?, lowerBound: Bool) throws {
        if lowerBound && group == nil { throw ParameterError(.negLb, .requires(.strucZero)) }
        if let group, let formula {
            let variables = try Formula(rightHandSide: formula).variables
            if !variables.contains(group) { throw ParameterError(.strucZero, .unknownChoice(value: group, choices: variables)) }
        }
    }

    func validateLinDA() throws {
        if outcome != nil { throw ParameterError(.outcome, .onlyFor(.associationMethod(AssociationMethod.maaslin2.rawValue))) }
        let o = linda
        guard (0...1).contains(o.minimumPrevalence) else {
            throw ParameterError(.minPrevalence, .outOfRange(value: NumberStyle.roundTrip.format(o.minimumPrevalence), allowed: .between("0", "1")))
        }
        guard o.minimumDepth >= 0 && o.minimumDepth.isFinite else {
            throw ParameterError(.minDepth, .outOfRange(value: NumberStyle.roundTrip.format(o.minimumDepth), allowed: .atLeast("0")))
        }
        if let q = o.winsorQuantile, !(q > 0 && q < 1) {
            throw ParameterError(.winsorize, .outOfRange(value: NumberStyle.roundTrip.format(q), allowed: .strictlyBetween("0", "1")))
        }
        guard o.pseudoCount > 0 && o.pseudoCount.isFinite else {
            throw ParameterError(.pseudocount, .outOfRange(value: NumberStyle.roundTrip.format(o.pseudoCount), allowed: .strictlyBetween("0", "∞")))
        }
    }

    /// What ran, and the rendered files (with `--method all`, the consensus
    /// and MaAsLin2's association as `association`).
    public struct Result: Sendable {
        public let association: TaxonAssociation
        public var consensus: AssociationConsensus? = nil
        public let files: [OutputFile]
    }

    /// `--method all`: the four methods on one selection, their agreement,
    /// and each method's documents in a directory of its own.
    func computeConsensus(samples: CountTable, data: DataTable, formula: String, report: (String) -> Void) throws -> Result {
        var options = consensus
        options.maaslin2.references = self.options.references
        options.linda.references = self.options.references
        options.ancombc.references = self.options.references
        options.ancombc2.references = self.options.references
        options.threshold = maxSignificance
        let result = try AssociationConsensus(table: samples, metadata: data, formula: Formula(rightHandSide: formula), options: options)
        let documents = ConsensusDocuments(consensus: result, countsPath: countsPath, model: (try? Formula(rightHandSide: formula).text) ?? formula)
        for note in documents.notes { report(note) }
        var files: [(name: String, contents: String)] = [
            ("consensus.csv", documents.table.csv(guardFormulas: guardFormulas)),
            ("filtered_features.csv", documents.filteredFeatures.csv(guardFormulas: guardFormulas)),
        ]
        if let zeros = documents.structuralZeros { files.append(("structural_zeros.csv", zeros.csv(guardFormulas: guardFormulas))) }
        files.append(("summary.md", documents.summaryMarkdown))
        let figures = documents.figures
        files.append(("report.html", documents.reportHTML(figures: figures)))
        if !figures.isEmpty { files.append(("captions.md", ReportFigure.captions(figures))) }
        for figure in figures { files.append(("figures/" + figure.name, figure.svg)) }
        for (method, d) in documents.methodDocuments {
            let prefix = method.rawValue + "/"
            files += [(prefix + "all_results.csv", d.allResults.csv(guardFormulas: guardFormulas)),
                      (prefix + "significant_results.csv", d.significantResults.csv(guardFormulas: guardFormulas))]
            if let bias = d.bias { files.append((prefix + "bias.csv", bias.csv(guardFormulas: guardFormulas))) }
            files.append((prefix + "summary.md", d.summaryMarkdown))
            let own = d.figures
            files.append((prefix + "report.html", d.reportHTML(figures: own)))
            if !own.isEmpty { files.append((prefix + "captions.md", ReportFigure.captions(own))) }
            for figure in own { files.append((prefix + "figures/" + figure.name, figure.svg)) }
        }
        return Result(association: result.results[0].association, consensus: result,
                      files: try FigureExport.files(OutputFile.texts(files), settings: figureExport))
    }

    @discardableResult
    public func run(report: (String) -> Void) throws -> Result {
        try validate()
        try checkFingerprintable(inputs)
        try figureExport.check(for: outputDirectory)
        let directory = try OutputDirectory(path: outputDirectory, overwrite: overwrite, inputs: inputs, expected: Self.outputFiles)
        let fingerprints = InputFingerprints(inputs)
        let result = try compute(report: report)
        var provenance = Provenance(command: "associate", parameters: parameters, inputs: inputs, seed: nil, outputs: result.files)
        provenance.fingerprints = fingerprints
        try directory.write(result.files + [OutputFile(OutputDirectory.provenanceFile, text: try provenance.json(runAt: Date()))])
        return result
    }

    /// Read, join, fit, render.
    public func compute(report: (String) -> Void) throws -> Result {
        try validate()
        let metadata = try DataTable.read(metadataPath, idColumn: idColumn)
        var readOptions = self.readOptions
        readOptions.metadataSampleIDs = Set(metadata.ids)
        let table = try readCountTable(countsPath, options: readOptions, report: report, spelling: spelling)
        let join = try SampleJoin(metadata: metadata, sampleIDs: table.sampleIDs, samplesFile: countsPath)
        for note in Words.joinNotes(join, samplesFile: countsPath) { report(note) }
        // The samples in metadata order (no copy when the files agree).
        let inOrder = join.sampleIndices == Array(0..<table.sampleCount)
        let samples = inOrder ? table : table.selectingSamples(join.sampleIndices)
        let data = join.metadataRows == Array(0..<metadata.rowCount) ? metadata : metadata.selectingRows(join.metadataRows)
        if method == .all, let formula {
            return try computeConsensus(samples: samples, data: data, formula: formula, report: report)
        }
        let association: TaxonAssociation
        if method == .ancombc || method == .ancombc2, let formula {
            var options = ancombc
            options.variant = method == .ancombc2 ? .ancombc2 : .ancombc
            association = try TaxonAssociation(ancombc: samples, metadata: data, formula: Formula(rightHandSide: formula), options: options)
        } else if method == .linda, let formula {
            association = try TaxonAssociation(linda: samples, metadata: data, formula: Formula(rightHandSide: formula), options: linda,
                                               random: try random.map(Formula.randomTerms) ?? [])
        } else if let formula {
            association = try TaxonAssociation(table: samples, metadata: data, formula: Formula(rightHandSide: formula), options: options,
                                               random: try random.map(Formula.randomTerms) ?? [])
        } else {
            let outcome = self.outcome ?? ""
            for column in [outcome] + covariates where data[column] == nil {
                throw DataError(.missingColumn(column, purpose: .metadata, available: data.columnNames),
                                at: SourceLocation(file: data.source, columnName: column))
            }
            association = try TaxonAssociation(table: samples, metadata: data, outcome: outcome, covariates: covariates,
                                               family: family, options: options)
        }
        let documents = AssociationDocuments(result: association, countsPath: countsPath, maxSignificance: maxSignificance,
                                             outcome: outcome, family: family)
        for note in documents.notes { report(note) }
        var files: [(name: String, contents: String)] = [
            ("all_results.csv", documents.allResults.csv(guardFormulas: guardFormulas)),
            ("significant_results.csv", documents.significantResults.csv(guardFormulas: guardFormulas)),
            ("filtered_features.csv", documents.filteredFeatures.csv(guardFormulas: guardFormulas)),
        ]
        if let bias = documents.bias { files.append(("bias.csv", bias.csv(guardFormulas: guardFormulas))) }
        if let zeros = documents.structuralZeros { files.append(("structural_zeros.csv", zeros.csv(guardFormulas: guardFormulas))) }
        files.append(("summary.md", documents.summaryMarkdown))
        let figures = documents.figures
        files.append(("report.html", documents.reportHTML(figures: figures)))
        if !figures.isEmpty { files.append(("captions.md", ReportFigure.captions(figures))) }
        for figure in figures { files.append(("figures/" + figure.name, figure.svg)) }
        return Result(association: association, files: try FigureExport.files(OutputFile.texts(files), settings: figureExport))
    }

    var parameters: [(name: String, json: String)] {
        let f = options.filter
        if method == .all {
            let o = consensus
            return [
                ("counts", jsonValue(countsPath)), ("metadata", jsonValue(metadataPath)), ("id_column", jsonValue(idColumn)),
                ("taxonomy", jsonValue(readOptions.taxonomyPath)), ("level", jsonValue(readOptions.rank?.rawValue)),
                ("method", jsonValue(method.rawValue)), ("methods", jsonValue(AssociationConsensus.methods.map(\.rawValue))),
                ("formula", jsonValue(formula)), ("min_prevalence", jsonValue(o.minimumPrevalence)), ("min_depth", jsonValue(o.minimumDepth)),
                ("struc_zero", jsonValue(o.structuralZeroGroup)), ("neg_lb", jsonValue(o.structuralZeroLowerBound)),
                ("winsorize", jsonValue(o.linda.winsorQuantile)), ("zeros", jsonValue(o.linda.zeros.rawValue)),
                ("var_quantile", jsonValue(o.ancombc2.varianceQuantile)),
                ("adjust", jsonValue(AssociationConsensus.methods.map { m -> String in
                    switch m {
                    case .maaslin2: return "maaslin2=" + o.maaslin2.adjustment.rawValue
                    case .linda: return "linda=" + o.linda.adjustment.rawValue
                    case .ancombc: return "ancombc=" + o.ancombc.adjustment.rawValue
                    default: return "ancombc2=" + o.ancombc2.adjustment.rawValue
                    }
                })),
                ("references", jsonValue(options.references)), ("max_significance", jsonValue(maxSignificance)),
            ] + figureExport.provenance
        }
        if method == .ancombc || method == .ancombc2 {
            let o = ancombc
            return [
                ("counts", jsonValue(countsPath)), ("metadata", jsonValue(metadataPath)), ("id_column", jsonValue(idColumn)),
                ("taxonomy", jsonValue(readOptions.taxonomyPath)), ("level", jsonValue(readOptions.rank?.rawValue)),
                ("method", jsonValue(method.rawValue)), ("formula", jsonValue(formula)),
                ("min_prevalence", jsonValue(o.minimumPrevalence)), ("min_depth", jsonValue(o.minimumDepth)),
                ("pseudocount", jsonValue(o.pseudoCount)), ("tolerance", jsonValue(o.tolerance)), ("max_iterations", jsonValue(o.maxIterations)),
                ("var_quantile", jsonValue(method == .ancombc2 ? o.varianceQuantile : nil)), ("struc_zero", jsonValue(o.structuralZeroGroup)),
                ("neg_lb", jsonValue(o.structuralZeroLowerBound)),
                ("adjust", jsonValue(o.adjustment.rawValue)), ("references", jsonValue(o.references)), ("max_significance", jsonValue(maxSignificance)),
            ] + figureExport.provenance
        }
        if method == .linda {
            let o = linda
            return [
                ("counts", jsonValue(countsPath)), ("metadata", jsonValue(metadataPath)), ("id_column", jsonValue(idColumn)),
                ("taxonomy", jsonValue(readOptions.taxonomyPath)), ("level", jsonValue(readOptions.rank?.rawValue)),
                ("method", jsonValue(method.rawValue)), ("formula", jsonValue(formula)), ("random", jsonValue(random)),
                ("min_prevalence", jsonValue(o.minimumPrevalence)), ("min_depth", jsonValue(o.minimumDepth)),
                ("winsorize", jsonValue(o.winsorQuantile)), ("zeros", jsonValue(o.zeros.rawValue)), ("pseudocount", jsonValue(o.pseudoCount)),
                ("depth_cutoff", jsonValue(o.correlationCutoff)), ("adjust", jsonValue(o.adjustment.rawValue)),
                ("references", jsonValue(o.references)), ("max_significance", jsonValue(maxSignificance)),
            ] + figureExport.provenance
        }
        return [
            ("counts", jsonValue(countsPath)), ("metadata", jsonValue(metadataPath)), ("id_column", jsonValue(idColumn)),
            ("taxonomy", jsonValue(readOptions.taxonomyPath)), ("level", jsonValue(readOptions.rank?.rawValue)),
            ("formula", jsonValue(formula)), ("random", jsonValue(random)), ("outcome", jsonValue(outcome)), ("covariates", jsonValue(covariates)),
            ("family", jsonValue(family.rawValue)), ("min_abundance", jsonValue(f.minimumAbundance)),
            ("min_prevalence", jsonValue(f.minimumPrevalence)), ("min_variance", jsonValue(f.minimumVariance)),
            ("normalization", jsonValue(options.normalization.rawValue)), ("transform", jsonValue(options.transform.rawValue)),
            ("model", jsonValue(options.model.rawValue)),
            ("standardize", jsonValue(options.standardize)), ("adjust", jsonValue(options.adjustment.rawValue)),
            ("references", jsonValue(options.references)), ("max_significance", jsonValue(maxSignificance)),
        ] + figureExport.provenance
    }
}
