import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// `moodbiome analyze --exposure COLUMN`: diversity as the outcome — every
/// metric modelled on the exposure and covariates (``ExposureAssociation``),
/// with Table 1 by exposure group, box plots, pairwise comparisons, a
/// summary, a report and provenance, written as one directory.
public struct ExposureStudy: Sendable {
    public var diversity: DiversityRun
    public var association: ExposureAssociation
    /// Community composition by the exposure (`--beta`): PERMANOVA of the
    /// exposure and covariates, PERMDISP across its levels, PCoA coloured by it.
    public var composition = StudyComposition() {
        didSet { diversity.seedHasOtherUse = composition.isRequested }
    }
    public var metadataPath: String
    public var idColumn: String? = nil
    public var outputDirectory: String
    /// How figures name columns and levels (`--display-name`, `--levels`).
    public var names = DisplayNames()
    /// With repeated measures, the column of each visit's time (`--time`);
    /// nil: the random slope's column, if there is one.
    public var time: String? = nil
    /// Figure files besides SVG (`--figure-format`, `--dpi`).
    public var figureExport = FigureExportSettings()
    public var overwrite = false
    public var guardFormulas = false
    public var tableFormat = TableFormat.csv
    /// The manifest this study came from (`moodbiome run`), for provenance.
    public var manifestPath: String? = nil
    public var spelling = ParameterSpelling.canonical {
        didSet { diversity.spelling = spelling }
    }

    public init(countsPath: String, metadataPath: String, exposure: String, outputDirectory: String) {
        self.diversity = DiversityRun(tablePath: countsPath)
        self.association = ExposureAssociation(exposure: exposure)
        self.metadataPath = metadataPath
        self.outputDirectory = outputDirectory
    }

    /// The exposure study with an outcome study's shared settings — inputs,
    /// diversity, covariates, errors, random terms, level, references,
    /// adjustment, output and names (`analyze --exposure`, `[model] exposure`).
    public init(_ a: StudyAnalysis, exposure: String) {
        self.init(countsPath: a.diversity.tablePath, metadataPath: a.metadataPath, exposure: exposure, outputDirectory: a.outputDirectory)
        diversity = a.diversity
        idColumn = a.idColumn
        association.covariates = a.association.covariates
        association.covariance = a.association.covariance
        association.cluster = a.association.cluster
        association.random = a.association.random
        association.reml = a.association.reml
        association.depthCovariate = a.association.depthCovariate
        association.profileIntervals = a.association.profileIntervals
        association.confidenceLevel = a.association.confidenceLevel
        association.references = a.association.references
        association.adjustment = a.association.adjustment
        tableFormat = a.tableFormat
        names = a.names
        time = a.time
        figureExport = a.figureExport
        manifestPath = a.manifestPath
        overwrite = a.overwrite
        composition = a.composition
        guardFormulas = a.guardFormulas
        spelling = a.spelling
    }

    public var tableFiles: [String] {
        ["diversity", "merged", "models", "fit", "exposure_tests", "pairwise", "cohort"].map { $0 + "." + tableFormat.fileExtension }
            + (association.random.isEmpty ? [] : ["random_effects." + tableFormat.fileExtension])
            + (composition.isRequested ? ["permanova", "betadisper"].map { $0 + "." + tableFormat.fileExtension } : [])
    }

    public var outputFiles: [String] { tableFiles + ["summary.md", "report.html", OutputDirectory.provenanceFile] }

    public var inputs: [String] {
        [diversity.tablePath, metadataPath] + (diversity.tree.map { [$0.path] } ?? []) + diversity.readOptions.extraInputs
            + (manifestPath.map { [$0] } ?? [])
    }

    public struct Result: Sendable {
        public let analysis: ExposureAssociation.Result
        public let files: [OutputFile]
    }

    @discardableResult
    /// The parameters, the inputs' kinds and the figure formats, before any work.
    public func validate() throws {
        try association.validate()
        try diversity.validate()
        _ = try composition.definitions(hasTree: diversity.tree != nil)
        try checkFingerprintable(inputs)
        try figureExport.check(for: outputDirectory)
    }

    /// The seed is recorded when something random used it.
    var usesSeed: Bool { diversity.rarefactionDepth != nil || composition.isRequested }

    public func run(report: (String) -> Void) throws -> Result {
        try validate()
        let directory = try OutputDirectory(path: outputDirectory, overwrite: overwrite, inputs: inputs, expected: outputFiles)
        let fingerprints = InputFingerprints(inputs)
        let result = try compute(report: report)
        let a = association
        let parameters: [(name: String, json: String)] = [
            ("counts", jsonValue(diversity.tablePath)), ("metadata", jsonValue(metadataPath)), ("id_column", jsonValue(idColumn)),
            ("metrics", jsonValue(result.analysis.diversity.metrics.map(\.label))), ("rarefy", jsonValue(diversity.rarefactionDepth)),
            ("seed", usesSeed ? String(diversity.resolvedSeed) : "null"),
            ("beta", jsonValue(composition.metrics)), ("permutations", composition.isRequested ? jsonValue(composition.permutations) : "null"),
            ("time", jsonValue(time)),
            ("strata", jsonValue(composition.isRequested ? Participants.column(composition.strata, random: a.random, merged: result.analysis.merged).1 : nil)),
            ("exposure", jsonValue(a.exposure)), ("covariates", jsonValue(a.covariates)), ("robust", jsonValue(a.covariance.rawValue)),
            ("cluster", jsonValue(a.cluster)), ("random", jsonValue(a.random.isEmpty ? nil : a.random.map(\.text).joined(separator: " + "))),
            ("profile_ci", jsonValue(a.profileIntervals)), ("depth_covariate", jsonValue(a.depthCovariate)),
            ("conf_level", jsonValue(a.confidenceLevel)), ("references", jsonValue(a.references)),
            ("adjust", jsonValue(a.adjustment.rawValue)), ("table_format", jsonValue(tableFormat.rawValue)),
        ] + names.provenance + figureExport.provenance
        var provenance = Provenance(command: manifestPath == nil ? "analyze" : "run", parameters: parameters, inputs: inputs,
                                    seed: usesSeed ? diversity.resolvedSeed : nil, outputs: result.files)
        provenance.fingerprints = fingerprints
        try directory.write(result.files + [OutputFile(OutputDirectory.provenanceFile, text: try provenance.json(runAt: Date()))])
        return result
    }

    /// Read, compute, render.
    public func compute(report: (String) -> Void) throws -> Result {
        let metadata = try DataTable.read(metadataPath, idColumn: idColumn)
        var association = self.association
        association.keptColumns += [time, composition.isRequested ? composition.strata : nil].compactMap { $0 }
        let covariates = try association.prepare(metadata: metadata)
        var diversity = self.diversity
        diversity.readOptions.metadataSampleIDs = Set(metadata.ids)
        let (alpha, table, phylogeny) = try diversity.computeWithInputs(report: report)
        let analysis = try association.run(alpha: alpha, metadata: metadata, covariates: covariates, countsSource: diversity.tablePath)
        try names.validate(against: analysis.merged)
        var findings = [CompositionFinding]()
        if composition.isRequested {
            if diversity.seed == nil && diversity.rarefactionDepth == nil {
                report("note: permutation seed \(diversity.resolvedSeed) (pass \(spelling.spell(.seed)) \(diversity.resolvedSeed) to repeat this run exactly)")
            }
            findings = try composition.run(table: StudyComposition.table(table, alpha: alpha, rarefaction: diversity.rarefaction),
                                           phylogeny: phylogeny, tree: diversity.tree, merged: analysis.merged, outcome: analysis.exposure,
                                           covariates: analysis.covariates.map(\.text), group: analysis.levels == nil ? nil : analysis.exposure,
                                           random: association.random, seed: diversity.resolvedSeed, report: report)
        }
        var documents = ExposureDocuments(result: analysis, countsPath: diversity.tablePath, alphaOptions: diversity.options,
                                          rarefaction: diversity.rarefaction, tableFiles: tableFiles)
        documents.names = names
        documents.composition = findings
        if let visits = try Participants.visits(time: time, random: association.random, strata: composition.strata, merged: analysis.merged) {
            documents.longitudinal = visits.summary(columns: analysis.metrics.map { (name: $0.metric, values: analysis.merged[$0.metric]?.numbers ?? []) },
                                                    changes: [], level: analysis.settings.confidenceLevel)
        }
        for note in documents.notes { report(note) }

        var files = [(name: String, contents: String)]()
        let f = tableFormat, ext = tableFormat.fileExtension
        func add(_ name: String, _ table: TextTable) { files.append(("\(name).\(ext)", table.rendered(as: f, guardFormulas: guardFormulas))) }
        add("diversity", alpha.table)
        add("merged", analysis.merged.textTable)
        add("models", stackedByMetric(analysis.metrics.map { ($0.metric, $0.model.coefficientTable()) }))
        add("fit", stackedByMetric(analysis.metrics.map { ($0.metric, $0.model.fitTable) }))
        add("exposure_tests", documents.testsTable)
        add("pairwise", documents.pairwiseTable)
        // Table 1 by exposure group (categorical) or overall: metrics, depth, covariates.
        let reads = alpha.reads(for: analysis.merged.ids)
        let categorical = analysis.levels != nil
        let (people, participants) = Participants.column(association.cluster, random: association.random, merged: analysis.merged)
        let summary = try CohortSummary.study(data: people, outcome: categorical ? nil : analysis.exposure, groupedByOutcome: false,
                                              metrics: alpha.metrics.map(\.label), reads: reads,
                                              covariates: analysis.covariates.flatMap(\.variables), groupBy: categorical ? analysis.exposure : nil,
                                              participants: participants)
        let (cohortTable, cohortNotes) = CohortTable.layout(summary, names: names)
        add("cohort", cohortTable)
        if !association.random.isEmpty {
            add("random_effects", stackedByMetric(analysis.metrics.map { ($0.metric, $0.model.randomEffectsTable(profile: $0.profile)) }))
        }
        if composition.isRequested {
            add("permanova", documents.compositionReport.permanovaFile)
            add("betadisper", documents.compositionReport.dispersionFile)
        }
        files.append(("summary.md", documents.summaryMarkdown))
        let figures = documents.figures
        files.append(("report.html", documents.reportHTML(cohort: cohortTable, cohortNotes: cohortNotes, figures: figures)))
        files.append(("captions.md", ReportFigure.captions(figures)))
        for figure in figures { files.append(("figures/" + figure.name, figure.svg)) }
        return Result(analysis: analysis, files: try FigureExport.files(OutputFile.texts(files), settings: figureExport))
    }
}
