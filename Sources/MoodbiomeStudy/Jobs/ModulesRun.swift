import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// `moodbiome modules`: gut–brain (or gut metabolic, or any omixer-rpm
/// format) module abundance and coverage per sample from a functional
/// profile (HUMAnN, PICRUSt2, a KO table), and per taxon from a stratified
/// one; the tables, the module list, a heatmap and a summary, written whole.
public struct ModulesRun: Sendable {
    public var profilePaths: [String]
    /// `gbm`, `gmm` or the path of a module file; several are scored as one (`gbm,gmm`).
    public var databases = ["gbm"]
    public var settings = ModuleScoring.Settings()
    public var perTaxon = false
    /// Metadata and its column to group the heatmap's samples by.
    public var metadataPath: String? = nil
    public var idColumn: String? = nil
    public var groupBy: String? = nil
    public var figureExport = FigureExportSettings()
    public var outputDirectory: String
    public var overwrite = false
    public var guardFormulas = false

    public init(profilePaths: [String], outputDirectory: String) {
        self.profilePaths = profilePaths
        self.outputDirectory = outputDirectory
    }

    public static let outputFiles = ["abundance.csv", "coverage.csv", "modules.csv", "per-taxon.csv", "summary.md", "captions.md"]

    public var inputs: [String] { profilePaths + databases.filter { ModuleDatabase.builtIn($0) == nil } + (metadataPath.map { [$0] } ?? []) }

    public func validate() throws {
        guard !profilePaths.isEmpty else { throw ParameterError(.profile, .malformed(value: "", expected: "a functional profile")) }
        try ParameterError.checkDistinct(profilePaths, .profile)
        guard !databases.isEmpty, !databases.contains("") else { throw ParameterError(.db, .malformed(value: databases.joined(separator: ","), expected: "gbm, gmm or a module file")) }
        try ParameterError.checkDistinct(databases.map { $0.lowercased() }, .db)
        guard settings.coverage >= 0 && settings.coverage <= 1 else {
            throw ParameterError(.coverage, .outOfRange(value: NumberStyle.roundTrip.format(settings.coverage), allowed: .between("0", "1")))
        }
        if groupBy != nil && metadataPath == nil { throw ParameterError(.groupBy, .requires(.metadata)) }
        if metadataPath != nil && groupBy == nil { throw ParameterError(.metadata, .requires(.groupBy)) }
        if idColumn != nil && metadataPath == nil { throw ParameterError(.idColumn, .requires(.metadata)) }
    }

    public struct Result: Sendable {
        public let scores: ModuleScoring.Scores
        public let perTaxon: [ModuleScoring.TaxonScore]?
        public let files: [OutputFile]
    }

    @discardableResult
    public func run(report: (String) -> Void) throws -> Result {
        try validate()
        try checkFingerprintable(inputs)
        try figureExport.check(for: outputDirectory)
        let directory = try OutputDirectory(path: outputDirectory, overwrite: overwrite, inputs: inputs, expected: Self.outputFiles)
        let fingerprints = InputFingerprints(inputs)
        let result = try compute(report: report)
        var provenance = Provenance(command: "modules", parameters: parameters, inputs: inputs, seed: nil, outputs: result.files)
        provenance.fingerprints = fingerprints
        try directory.write(result.files + [OutputFile(OutputDirectory.provenanceFile, text: try provenance.json(runAt: Date()))])
        return result
    }

    var parameters: [(name: String, json: String)] {
        [("profiles", jsonValue(profilePaths)), ("db", jsonValue(databases)), ("coverage", jsonValue(settings.coverage)),
         ("estimator", jsonValue(settings.estimator.rawValue)), ("normalize_by_length", jsonValue(settings.normalizeByLength)),
         ("per_taxon", jsonValue(perTaxon)), ("metadata", jsonValue(metadataPath)), ("id_column", jsonValue(idColumn)),
         ("group_by", jsonValue(groupBy))]
    }

    func compute(report: (String) -> Void) throws -> Result {
        let database = try ModuleDatabase.combined(databases.map(ModuleDatabase.named))
        let scoring = ModuleScoring(database: database, settings: settings)
        // Only the modules' orthologs' strata are kept, and only for --per-taxon.
        let profile = try FunctionalProfile.read(paths: profilePaths, strataOf: perTaxon ? Set(scoring.orthologs) : [])
        if perTaxon && profile.strata == nil {
            throw ParameterError(.perTaxon, .malformed(value: profilePaths.joined(separator: ", "),
                                                       expected: "a stratified table (HUMAnN's K00001|taxon rows, PICRUSt2's contributions or taxon and function columns)"))
        }
        let groups = try groupLabels(profile.sampleIDs)
        for note in profile.notes { report("note: \(note)") }
        let scores = scoring.score(profile.community)
        let perTaxonScores = perTaxon ? scoring.scorePerTaxon(profile.strata!) : nil
        let documents = ModuleDocuments(scoring: scoring, scores: scores, profile: profile, perTaxon: perTaxonScores,
                                        groups: groups, inputs: profilePaths)
        if Set(scoring.orthologs).isDisjoint(with: profile.functionIDs) {
            report("note: none of the table's \(profile.functionIDs.count) functions is an ortholog of \(database.name): "
                   + "every module is 0 (is the table of KEGG orthologs? HUMAnN's UniRef90 gene families need humann_regroup_table --groups uniref90_ko first)")
        }
        if !documents.withoutKEGGOrthologs.isEmpty {
            report("note: \(Words.counted(documents.withoutKEGGOrthologs.count, "module")) of \(database.name) name no KEGG ortholog and cannot be found in a KO table (listed in summary.md)")
        }
        var files = OutputFile.texts([
            ("abundance.csv", documents.matrix(coverage: false).csv(guardFormulas: guardFormulas)),
            ("coverage.csv", documents.matrix(coverage: true).csv(guardFormulas: guardFormulas)),
            ("modules.csv", documents.modulesTable.csv(guardFormulas: guardFormulas)),
        ])
        if let bytes = documents.perTaxonCSV(guardFormulas: guardFormulas) { files.append(OutputFile("per-taxon.csv", bytes: bytes)) }
        let figures = documents.figures
        files += OutputFile.texts([("summary.md", documents.summaryMarkdown), ("captions.md", ReportFigure.captions(figures))]
                                  + figures.map { ("figures/" + $0.name, $0.svg) })
        return Result(scores: scores, perTaxon: perTaxonScores, files: try FigureExport.files(files, settings: figureExport))
    }

    /// The group of each profile sample (`--group-by`); every sample must have a metadata row.
    func groupLabels(_ samples: [String]) throws -> (column: String, labels: [String])? {
        guard let metadataPath, let groupBy else { return nil }
        let metadata = try DataTable.read(metadataPath, idColumn: idColumn)
        guard let column = metadata[groupBy] else {
            throw DataError(.missingColumn(groupBy, purpose: .figureGroups, available: metadata.columnNames), at: SourceLocation(file: metadataPath))
        }
        let join = try SampleJoin(metadata: metadata, sampleIDs: samples, samplesFile: profilePaths.joined(separator: ", "))
        guard join.onlyInSamples.isEmpty else {
            throw DataError(.samplesWithoutMetadata(sampleIDs: Array(join.onlyInSamples.prefix(5)), count: join.onlyInSamples.count,
                                                    samplesFile: profilePaths.joined(separator: ", ")), at: SourceLocation(file: metadataPath))
        }
        var labels = [String](repeating: "", count: samples.count)
        for (row, j) in zip(join.metadataRows, join.sampleIndices) { labels[j] = column.isMissing(row) ? "missing" : column.cells[row] }
        return (groupBy, labels)
    }
}
