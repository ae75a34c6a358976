import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// `moodbiome analyze`: the study in one command, as a job — validate the
/// parameters and the output directory, compute (alpha diversity, then
/// ``AlphaAssociation``), render (``StudyDocuments``, tables, Table 1,
/// figures, provenance) and write the whole output directory at once.
///
/// Every output is rendered in memory first and the directory is swapped
/// in as a whole (``OutputDirectory``), so a failure leaves no partial
/// result behind and a rerun never leaves a previous run's files.
public struct StudyAnalysis: Sendable {
    public var diversity: DiversityRun
    /// The statistics: outcome, covariates, model, scoring, adjustment, groups.
    public var association: AlphaAssociation
    /// Community composition (`--beta`): distances, PERMANOVA, PERMDISP, PCoA.
    public var composition = StudyComposition() {
        didSet { diversity.seedHasOtherUse = composition.isRequested || mediateBy != nil }
    }
    public var metadataPath: String
    public var idColumn: String? = nil
    public var outputDirectory: String
    /// How figures name columns and levels (`--display-name`, `--levels`).
    public var names = DisplayNames()
    /// With repeated measures, the column of each visit's time (`--time`);
    /// nil: the random slope's column, if there is one.
    public var time: String? = nil
    /// `--mediate-by EXPOSURE`: does the exposure act on the outcome through
    /// each metric? A mediation analysis per metric (``Mediation``), its
    /// section in the report, mediation.csv and paths.csv.
    public var mediateBy: String? = nil {
        didSet { diversity.seedHasOtherUse = composition.isRequested || mediateBy != nil }
    }
    /// The mediation's draws (method, number, interaction); the seed is the run's.
    public var mediation = Mediation.Settings()
    /// `--functions`: functional profiles (HUMAnN, PICRUSt2, KO tables) of
    /// the samples, whose modules are scored and tested against the outcome.
    public var functionsPaths: [String] = []
    /// The module databases (`--module-db`) and scoring of `--functions`.
    public var moduleDatabases = ["gbm"]
    public var moduleScoring = ModuleScoring.Settings()
    /// How each module is tested against the outcome.
    public var moduleMethod = AssociationMethod.maaslin2
    /// Figure files besides SVG (`--figure-format`, `--dpi`).
    public var figureExport = FigureExportSettings()
    public var overwrite = false
    /// Prefix CSV/TSV text cells a spreadsheet would run as formulas with `'`.
    public var guardFormulas = false
    /// The manifest this analysis came from (`moodbiome run`), for provenance.
    public var manifestPath: String? = nil
    /// How the front end spells parameters in notes.
    public var spelling = ParameterSpelling.canonical {
        didSet { diversity.spelling = spelling }
    }

    /// The format of the data tables (diversity, merged, models, fit,
    /// correlations, cohort); `summary.md`, `report.html` and
    /// `provenance.json` are always written.
    public var tableFormat = TableFormat.csv

    /// The table files `analyze` writes, in order.
    public var tableFiles: [String] {
        (["diversity", "merged", "models", "fit"] + (association.random.isEmpty ? [] : ["random_effects"]) + ["correlations", "cohort"]
            + (composition.isRequested ? ["permanova", "betadisper"] : []))
            .map { $0 + "." + tableFormat.fileExtension }
    }

    /// Every file `analyze` writes at the top of its directory (figures go in `figures/`).
    public var outputFiles: [String] {
        tableFiles + (mediateBy == nil ? [] : ["mediation.csv", "paths.csv"]) + (functionsPaths.isEmpty ? [] : ["module-abundance.csv", "module-associations.csv"])
            + ["summary.md", "report.html", "captions.md", OutputDirectory.provenanceFile]
    }

    public init(countsPath: String, metadataPath: String, outcome: String, outputDirectory: String) {
        self.diversity = DiversityRun(tablePath: countsPath)
        self.association = AlphaAssociation(outcome: outcome)
        self.metadataPath = metadataPath
        self.outputDirectory = outputDirectory
    }

    /// What the analysis found, and the rendered files.
    public struct Result: Sendable {
        public let analysis: AlphaAssociation.Result
        /// The rendered files, by name (provenance.json aside).
        public let files: [OutputFile]

        public var metrics: [AlphaAssociation.MetricResult] { analysis.metrics }
        public var merged: DataTable { analysis.merged }
        public var onlyInCounts: [String] { analysis.onlyInCounts }
        public var onlyInMetadata: [String] { analysis.onlyInMetadata }
        public var qValues: [Double] { analysis.qValues }
        public var family: ModelFamily { analysis.family }
        public var modelledOutcome: String { analysis.modelledOutcome }
    }

    /// The input files, manifest included.
    public var inputs: [String] {
        [diversity.tablePath, metadataPath] + (diversity.tree.map { [$0.path] } ?? []) + diversity.readOptions.extraInputs
            + (manifestPath.map { [$0] } ?? []) + functionsPaths
            + (functionsPaths.isEmpty ? [] : moduleDatabases.filter { ModuleDatabase.builtIn($0) == nil })
    }

    /// The seed is recorded when something random used it.
    var usesSeed: Bool { diversity.rarefactionDepth != nil || composition.isRequested }

    /// Runs the analysis and writes the outputs; notes go to `report`.
    @discardableResult
    /// The parameters, the inputs' kinds and the figure formats, before any work.
    public func validate() throws {
        try association.validate()
        try diversity.validate()
        _ = try composition.definitions(hasTree: diversity.tree != nil)
        try ParameterError.checkDistinct(functionsPaths, .functions)
        guard moduleScoring.coverage >= 0 && moduleScoring.coverage <= 1 else {
            throw ParameterError(.moduleCoverage, .outOfRange(value: NumberStyle.roundTrip.format(moduleScoring.coverage), allowed: .between("0", "1")))
        }
        if functionsPaths.isEmpty && (moduleDatabases != ["gbm"] || moduleScoring != ModuleScoring.Settings()) {
            throw ParameterError(.moduleDb, .requires(.functions))
        }
        if functionsPaths.isEmpty && moduleMethod != .maaslin2 { throw ParameterError(.moduleMethod, .requires(.functions)) }
        if moduleMethod == .all { throw ParameterError(.moduleMethod, .unknownChoice(value: "all", choices: AssociationConsensus.methods.map(\.rawValue))) }
        try checkFingerprintable(inputs)
        try figureExport.check(for: outputDirectory)
    }

    public func run(report: (String) -> Void) throws -> Result {
        try validate()
        // Check (and lock) the output directory before the work.
        let directory = try OutputDirectory(path: outputDirectory, overwrite: overwrite, inputs: inputs, expected: outputFiles)
        let fingerprints = InputFingerprints(inputs)
        let result = try compute(report: report)
        var provenance = Provenance(command: manifestPath == nil ? "analyze" : "run", parameters: provenanceParameters(result.analysis),
                                    inputs: inputs, seed: usesSeed ? diversity.resolvedSeed : nil,
                                    outputs: result.files)
        provenance.fingerprints = fingerprints
        try directory.write(result.files + [OutputFile(OutputDirectory.provenanceFile, text: try provenance.json(runAt: Date()))])
        return result
    }

    /// The resolved parameters, for `provenance.json`.
    func provenanceParameters(_ r: AlphaAssociation.Result) -> [(name: String, json: String)] {
        let d = diversity, a = association
        return [
            ("counts", jsonValue(d.tablePath)), ("metadata", jsonValue(metadataPath)), ("id_column", jsonValue(idColumn)),
            ("samples_in", jsonValue(d.readOptions.orientation.rawValue)),
            ("metrics", jsonValue(r.diversity.metrics.map(\.label))),
            ("base", jsonValue(d.options.base == .e ? "e" : d.options.base == .two ? "2" : "10")),
            ("chao1", jsonValue(d.options.chao1BiasCorrected ? "bias-corrected" : "classic")),
            ("ace_threshold", jsonValue(d.options.aceRareThreshold)), ("gini_method", jsonValue(d.options.giniMethod.rawValue)),
            ("rarefy", jsonValue(d.rarefactionDepth)), ("iterations", jsonValue(d.rarefactionDepth == nil ? nil : d.iterations)),
            ("seed", usesSeed ? String(d.resolvedSeed) : "null"), ("drop_empty", jsonValue(d.dropEmpty)),
            ("tree", jsonValue(d.tree?.path)), ("midpoint_root", jsonValue(d.tree?.midpointRoot ?? false)),
            ("time", jsonValue(time)), ("mediate_by", jsonValue(mediateBy)), ("mediation_method", mediateBy == nil ? "null" : jsonValue(mediation.method.rawValue)),
            ("mediation_sims", mediateBy == nil ? "null" : String(mediation.simulations)), ("mediation_interaction", mediateBy == nil ? "null" : jsonValue(mediation.interaction)), ("functions", jsonValue(functionsPaths)), ("module_db", functionsPaths.isEmpty ? "null" : jsonValue(moduleDatabases)), ("module_coverage", functionsPaths.isEmpty ? "null" : jsonValue(moduleScoring.coverage)), ("beta", jsonValue(composition.metrics)), ("strata", jsonValue(composition.isRequested ? Participants.column(composition.strata, random: a.random, merged: r.merged).1 : nil)), ("permutations", composition.isRequested ? jsonValue(composition.permutations) : "null"),
            ("pseudocount", jsonValue(composition.settings.pseudocount)), ("alpha", jsonValue(composition.settings.generalizedAlpha)),
            ("scale", jsonValue(a.scoring?.scale.id)), ("items", a.scoring.map { jsonValue($0.items) } ?? "null"),
            ("outcome", jsonValue(a.outcome)), ("modelled_outcome", jsonValue(r.modelledOutcome)),
            ("outcome_cutoff", jsonValue(a.outcomeCutoff)), ("outcome_band", jsonValue(a.outcomeBand)),
            ("covariates", jsonValue(a.covariates)), ("family", jsonValue(r.family.rawValue)),
            ("robust", jsonValue(a.covariance.rawValue)), ("cluster", jsonValue(a.cluster)),
            ("random", jsonValue(a.random.isEmpty ? nil : a.random.map(\.text).joined(separator: " + "))),
            ("estimation", jsonValue(a.random.isEmpty ? nil : a.reml ? "REML" : "ML")), ("profile_ci", jsonValue(a.profileIntervals)), ("depth_covariate", jsonValue(a.depthCovariate)), ("conf_level", jsonValue(a.confidenceLevel)),
            ("references", jsonValue(a.references)), ("adjust", jsonValue(a.adjustment.rawValue)),
            ("table_format", jsonValue(tableFormat.rawValue)),
        ] + names.provenance + figureExport.provenance
    }

    /// One mediation analysis per metric: exposure → metric → the modelled
    /// outcome, with the study's covariates and family.
    func mediations(_ analysis: AlphaAssociation.Result, exposure: String, seed: UInt64) throws -> MediationDocuments {
        if exposure == analysis.outcome || analysis.covariateTerms.flatMap(\.variables).contains(exposure) {
            throw MediationError.mediatorIsModelled(exposure)
        }
        let (coded, control, treated, labels) = try MediationRun.codedExposure(analysis.merged, exposure: exposure, values: nil)
        let data = analysis.merged.replacingColumns([coded])
        var settings = mediation
        settings.seed = seed
        settings.family = analysis.family
        settings.confidenceLevel = analysis.confidenceLevel
        let results = try analysis.metrics.map { m in
            try Mediation(data: data, exposure: exposure, mediator: m.metric, outcome: analysis.modelledOutcome, covariates: analysis.covariateTerms,
                          control: control, treated: treated, settings: settings)
        }
        var documents = MediationDocuments(results: results, qValues: Mediation.qValues(results), exposure: exposure, outcome: analysis.modelledOutcome,
                                           covariates: analysis.covariateTerms.map(\.text), controlLabel: labels.0, treatedLabel: labels.1)
        documents.names = names
        return documents
    }

    /// Everything but the writing: read, compute, render.
    public func compute(report: (String) -> Void) throws -> Result {
        let metadata = try DataTable.read(metadataPath, idColumn: idColumn)
        var association = self.association
        association.keptColumns += [time, composition.isRequested ? composition.strata : nil, mediateBy].compactMap { $0 }
        if mediateBy != nil && !association.random.isEmpty { throw MediationError.repeatedMeasures }
        let prepared = try association.prepare(metadata: metadata)
        _ = try composition.definitions(hasTree: diversity.tree != nil)
        var diversity = self.diversity
        diversity.readOptions.metadataSampleIDs = Set(metadata.ids)
        let (alpha, table, phylogeny) = try diversity.computeWithInputs(report: report)
        let analysis = try association.run(alpha: alpha, prepared: prepared, countsSource: diversity.tablePath)
        try names.validate(against: analysis.merged)
        var findings = [CompositionFinding]()
        if composition.isRequested {
            if diversity.seed == nil && diversity.rarefactionDepth == nil {
                report("note: permutation seed \(diversity.resolvedSeed) (pass \(spelling.spell(.seed)) \(diversity.resolvedSeed) to repeat this run exactly)")
            }
            let used = StudyComposition.table(table, alpha: alpha, rarefaction: diversity.rarefaction)
            findings = try composition.run(table: used, phylogeny: phylogeny, tree: diversity.tree, merged: analysis.merged,
                                           outcome: analysis.outcome, covariates: analysis.covariateTerms.map(\.text), group: analysis.group,
                                           random: association.random, seed: diversity.resolvedSeed, report: report)
        }
        var documents = StudyDocuments(result: analysis, countsPath: diversity.tablePath, alphaOptions: diversity.options,
                                       rarefaction: diversity.rarefaction, tableFiles: tableFiles, composition: findings)
        documents.names = names
        if let visits = try Participants.visits(time: time, random: association.random, strata: composition.strata, merged: analysis.merged) {
            // The outcome's and each metric's trajectories; the changes in the outcome against each metric's (linear models).
            let linear = analysis.family == .gaussian
            let outcome = linear ? analysis.metrics.first.map { [(name: analysis.outcome, values: $0.outcomeValues)] } ?? [] : []
            documents.longitudinal = visits.summary(
                columns: outcome + analysis.metrics.map { (name: $0.metric, values: $0.metricValues) },
                changes: linear ? analysis.metrics.map { (x: $0.metric, xValues: $0.metricValues, y: analysis.outcome, yValues: $0.outcomeValues) } : [],
                level: analysis.confidenceLevel)
        }
        if let exposure = mediateBy {
            if diversity.seed == nil && diversity.rarefactionDepth == nil && !composition.isRequested {
                report("note: seed \(diversity.resolvedSeed) of the mediation's draws (pass \(spelling.spell(.seed)) \(diversity.resolvedSeed) to repeat this run exactly)")
            }
            documents.mediation = try mediations(analysis, exposure: exposure, seed: diversity.resolvedSeed)
        }
        if !functionsPaths.isEmpty {
            documents.modules = try modules(analysis, random: association.random, report: report)
        }
        for note in documents.notes { report(note) }
        return Result(analysis: analysis, files: try FigureExport.files(OutputFile.texts(render(analysis, documents: documents)), settings: figureExport))
    }

    /// The gut–brain modules of `--functions` against the modelled outcome,
    /// with the study's covariates and random effects.
    func modules(_ analysis: AlphaAssociation.Result, random: [RandomTerm], report: (String) -> Void) throws -> ModuleStudyDocuments {
        let scoring = ModuleScoring(database: try ModuleDatabase.combined(moduleDatabases.map(ModuleDatabase.named)), settings: moduleScoring)
        let profile = try FunctionalProfile.read(paths: functionsPaths, strataOf: Set(scoring.orthologs))
        for note in profile.notes { report("note: \(note)") }
        let study = try ModuleStudy(profile: profile, scoring: scoring, data: analysis.merged, outcome: analysis.modelledOutcome,
                                    covariates: analysis.covariateTerms, random: random, method: moduleMethod)
        if !study.onlyInStudy.isEmpty {
            report("note: \(Words.counted(study.onlyInStudy.count, "sample")) of the study \(study.onlyInStudy.count == 1 ? "has" : "have") no functional profile; the modules are tested on the \(study.association.samples.count) that do")
        }
        var documents = ModuleStudyDocuments(study: study, outcome: analysis.modelledOutcome, sources: functionsPaths)
        documents.names = names
        return documents
    }

    /// The output files' contents.
    func render(_ r: AlphaAssociation.Result, documents: StudyDocuments) throws -> [(name: String, contents: String)] {
        var files = [(name: String, contents: String)]()
        let f = tableFormat, ext = tableFormat.fileExtension
        files.append(("diversity.\(ext)", r.diversity.table.rendered(as: f, guardFormulas: guardFormulas)))
        files.append(("merged.\(ext)", r.merged.textTable.rendered(as: f, guardFormulas: guardFormulas)))

        var modelRows = [[TextTable.Cell]]()
        var modelColumns = ["metric"]
        for (i, m) in r.metrics.enumerated() {
            let table = m.model.coefficientTable(exponentiate: r.family == .binomial)
            if i == 0 { modelColumns += table.columns + ["q_value"] }
            let metricTerm = m.term.name
            for (row, c) in zip(table.rows, m.model.coefficients) {
                modelRows.append([.text(m.metric)] + row + [.number(c.name == metricTerm ? r.qValues[i] : .nan)])
            }
        }
        files.append(("models.\(ext)", TextTable(columns: modelColumns, rows: modelRows).rendered(as: f, guardFormulas: guardFormulas)))

        files.append(("fit.\(ext)", stackedByMetric(r.metrics.map { ($0.metric, $0.model.fitTable) }).rendered(as: f, guardFormulas: guardFormulas)))
        if !r.random.isEmpty {
            // The variance components of every metric's mixed model.
            files.append(("random_effects.\(ext)", stackedByMetric(r.metrics.map { ($0.metric, $0.model.randomEffectsTable(profile: $0.profile)) })
                .rendered(as: f, guardFormulas: guardFormulas)))
        }

        let correlationRows: [[TextTable.Cell]] = r.metrics.enumerated().map { i, m in
            [.text(m.metric), .number(Double(m.spearman.n)), .number(m.spearman.statistic), .number(m.spearman.pValue), .number(r.correlationQValues[i])]
        }
        files.append(("correlations.\(ext)", TextTable(columns: ["metric", "n", "spearman_rho", "p_value", "q_value"], rows: correlationRows).rendered(as: f, guardFormulas: guardFormulas)))
        // Table 1: by the group (the severity band by default) — without
        // the outcome when the groups are its own bands or values.
        let groupedByOutcome = r.group.map { $0 == r.modelledOutcome || $0.hasSuffix("_band") && r.outcome.hasSuffix("_total")
            && $0.dropLast("_band".count) == r.outcome.dropLast("_total".count) } ?? false
        let reads = r.diversity.reads(for: r.merged.ids)
        let (people, participants) = Participants.column(association.cluster, random: association.random, merged: r.merged)
        let summary = try CohortSummary.study(data: people, outcome: r.outcome, groupedByOutcome: groupedByOutcome,
                                              metrics: r.diversity.metrics.map(\.label), reads: reads,
                                              covariates: r.covariateColumns, groupBy: r.group, participants: participants)
        let (cohortTable, cohortNotes) = CohortTable.layout(summary, names: names)
        files.append(("cohort.\(ext)", cohortTable.rendered(as: f, guardFormulas: guardFormulas)))
        if composition.isRequested {
            files.append(("permanova.\(ext)", documents.permanovaFile.rendered(as: f, guardFormulas: guardFormulas)))
            files.append(("betadisper.\(ext)", documents.dispersionFile.rendered(as: f, guardFormulas: guardFormulas)))
        }
        if let m = documents.mediation {
            files.append(("mediation.csv", m.mediationTable.csv(guardFormulas: guardFormulas)))
            files.append(("paths.csv", m.pathsTable.csv(guardFormulas: guardFormulas)))
        }
        if let m = documents.modules {
            files.append(("module-abundance.csv", m.abundanceTable.csv(guardFormulas: guardFormulas)))
            files.append(("module-associations.csv", m.associationTable.csv(guardFormulas: guardFormulas)))
        }
        files.append(("summary.md", documents.summaryMarkdown))
        let figures = documents.figures
        files.append(("report.html", documents.reportHTML(cohort: cohortTable, cohortNotes: cohortNotes, figures: figures)))
        files.append(("captions.md", ReportFigure.captions(figures)))
        for figure in figures { files.append(("figures/" + figure.name, figure.svg)) }
        return files
    }
}
