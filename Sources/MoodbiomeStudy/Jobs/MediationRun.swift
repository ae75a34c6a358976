import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeNumerics
import MoodbiomeReport

/// `moodbiome mediate`: does the exposure act on the outcome through the
/// mediator? Reads the metadata (and the counts, when a mediator is an alpha
/// metric or a taxon), builds each mediator's column, codes the exposure's
/// contrast, runs ``Mediation`` per mediator, and writes the directory whole.
///
/// Mediators: an alpha metric (computed from the counts as `analyze` does),
/// a numeric metadata column, `module:ID` — log₂ of that module's abundance
/// in `modulesPath` (the abundance.csv of `moodbiome modules`), zeros
/// replaced by half the module's smallest positive abundance (MaAsLin2's LOG
/// transform) — or `taxon:NAME` — that feature's centred
/// log-ratio `ln(x + c) − mean ln(x + c)` over all features of the sample,
/// c the pseudocount.
public struct MediationRun: Sendable {
    public var countsPath: String?
    /// The module table (`module:ID` mediators): `moodbiome modules`' abundance.csv.
    public var modulesPath: String? = nil
    public var readOptions = CountTableReadOptions()
    public var metadataPath: String
    public var idColumn: String? = nil
    public var exposure: String
    public var outcome: String
    public var mediators: [String]
    public var covariates: [String] = []
    /// The two exposure values to contrast, control first (`--exposure-values`).
    public var exposureValues: [String]? = nil
    public var settings = Mediation.Settings()
    /// Added to every count before a taxon's log-ratio or the composition's closure.
    public var pseudocount = 0.5
    /// `--mediator composition`: the most abundant features kept as parts
    /// (the others pooled into one part, `other`).
    public var compositionParts = 20
    /// `--sensitivity`: Imai's sensitivity analysis of each ACME (ρ step 0.01).
    public var sensitivity = false
    public var names = DisplayNames()
    public var figureExport = FigureExportSettings()
    public var outputDirectory: String
    public var overwrite = false
    public var guardFormulas = false
    public var spelling = ParameterSpelling.canonical

    public init(metadataPath: String, exposure: String, outcome: String, mediators: [String], outputDirectory: String) {
        self.metadataPath = metadataPath
        self.exposure = exposure
        self.outcome = outcome
        self.mediators = mediators
        self.outputDirectory = outputDirectory
    }

    public static let outputFiles = ["mediation.csv", "paths.csv", "sensitivity.csv", "compositional-mediation.csv", "composition-sensitivity.csv", "summary.md", "report.html", "captions.md"]

    public var inputs: [String] { [metadataPath] + (countsPath.map { [$0] + readOptions.extraInputs } ?? []) + (modulesPath.map { [$0] } ?? []) }

    public func validate() throws {
        guard !mediators.isEmpty else { throw ParameterError(.mediator, .malformed(value: "", expected: "a mediator name")) }
        try ParameterError.checkDistinct(mediators, .mediator)
        guard (100...1_000_000).contains(settings.simulations) else {
            throw ParameterError(.sims, .outOfRange(value: String(settings.simulations), allowed: .between("100", "1000000")))
        }
        guard (2...500).contains(compositionParts) else {
            throw ParameterError(.compositionParts, .outOfRange(value: String(compositionParts), allowed: .between("2", "500")))
        }
        if mediators.contains("composition") && countsPath == nil {
            throw ParameterError(.counts, .malformed(value: "composition", expected: "a mediator readable without --counts (the composition needs the count table)"))
        }
        guard settings.confidenceLevel > 0.5 && settings.confidenceLevel < 1 else {
            throw ParameterError(.confLevel, .outOfRange(value: NumberStyle.roundTrip.format(settings.confidenceLevel), allowed: .strictlyBetween("0.5", "1")))
        }
        guard pseudocount > 0 && pseudocount.isFinite else {
            throw ParameterError(.pseudocount, .outOfRange(value: NumberStyle.roundTrip.format(pseudocount), allowed: .strictlyBetween("0", "∞")))
        }
        if let values = exposureValues, values.count != 2 || values[0] == values[1] {
            throw ParameterError(.exposureValues, .malformed(value: values.joined(separator: ","), expected: "two different values, control first (e.g. 0,1)"))
        }
        for m in mediators where m == exposure || m == outcome { throw MediationError.mediatorIsModelled(m) }
        for m in mediators where covariates.contains(m) { throw MediationError.mediatorIsCovariate(m) }
        if sensitivity && settings.family == .binomial { throw MediationError.sensitivityNeedsLinear }
        if settings.interval == .bca && settings.method != .bootstrap {
            throw ParameterError(.ciType, .malformed(value: "bca", expected: "an interval of quasi-Bayesian draws (BCa needs bootstrap replicates: \(Parameter.method.mention) bootstrap)"))
        }
        if sensitivity && mediators == ["composition"] {
            throw ParameterError(.sensitivity, .malformed(value: "composition", expected: "a mediator other than composition (the composition's own sensitivity is always written, composition-sensitivity.csv)"))
        }
    }

    public struct Result: Sendable {
        public let results: [Mediation]
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
        var provenance = Provenance(command: "mediate", parameters: parameters, inputs: inputs, seed: settings.seed, outputs: result.files)
        provenance.fingerprints = fingerprints
        try directory.write(result.files + [OutputFile(OutputDirectory.provenanceFile, text: try provenance.json(runAt: Date()))])
        return result
    }

    var parameters: [(name: String, json: String)] {
        [("counts", jsonValue(countsPath)), ("metadata", jsonValue(metadataPath)), ("id_column", jsonValue(idColumn)),
         ("exposure", jsonValue(exposure)), ("outcome", jsonValue(outcome)), ("mediators", jsonValue(mediators)),
         ("covariates", jsonValue(covariates)), ("exposure_values", exposureValues.map(jsonValue) ?? "null"), ("interaction", jsonValue(settings.interaction)),
         ("family", jsonValue(settings.family.rawValue)), ("method", jsonValue(settings.method.rawValue)), ("sims", String(settings.simulations)),
         ("seed", String(settings.seed)), ("conf_level", jsonValue(settings.confidenceLevel)), ("pseudocount", jsonValue(pseudocount)),
         ("composition_parts", mediators.contains("composition") ? String(compositionParts) : "null"), ("sensitivity", jsonValue(sensitivity)), ("ci_type", jsonValue(settings.interval.rawValue))]
            + names.provenance + figureExport.provenance
    }

    /// Read, build the columns, fit, render.
    public func compute(report: (String) -> Void) throws -> Result {
        try validate()
        let metadata = try DataTable.read(metadataPath, idColumn: idColumn)
        for column in [exposure, outcome] where metadata[column] == nil {
            throw DataError(.missingColumn(column, purpose: .metadata, available: metadata.columnNames),
                            at: SourceLocation(file: metadata.source, columnName: column))
        }
        let terms = try covariates.map { try Formula.Covariate($0, columns: metadata.columnNames) }
        let covariateVariables = Set(terms.flatMap(\.variables))
        for m in mediators where covariateVariables.contains(m) || covariates.contains(m) { throw MediationError.mediatorIsCovariate(m) }
        for v in covariateVariables where v == exposure || v == outcome { throw MediationError.mediatorIsModelled(v) }
        let scalars = mediators.filter { $0 != "composition" }
        let (merged, readTable) = try mediatorTable(metadata, mediators: scalars, report: report)
        var data = merged
        let (coded, control, treated, labels) = try Self.codedExposure(data, exposure: exposure, values: exposureValues)
        data = data.replacingColumns([coded])
        if settings.family == .binomial, let y = data[outcome], Set(y.cells.filter { !MissingValue.isMissing($0) }).count < 2 {
            throw MediationError.outcomeOneLevel(outcome)
        }
        var results = [Mediation]()
        for m in scalars {
            // A taxon's column is named as its mediator (`taxon:NAME`).
            let values = data[m]!.numbers.filter(\.isFinite)
            if Set(values).count < 2 { throw MediationError.constantMediator(m) }
            let result = try Mediation(data: data, exposure: exposure, mediator: m, outcome: outcome, covariates: terms,
                                       control: control, treated: treated, settings: settings)
            results.append(result)
        }
        var documents = MediationDocuments(results: results, qValues: Mediation.qValues(results), exposure: exposure, outcome: outcome, covariates: terms.map(\.text),
                                           controlLabel: labels.0, treatedLabel: labels.1)
        documents.names = names
        if sensitivity {
            documents.sensitivities = try results.map { try MediationSensitivity($0, exposure: exposure, step: 0.01) }
        }
        if mediators.contains("composition") {
            documents.composition = try compositional(metadata: metadata, table: readTable, terms: terms, report: report)
        }
        for m in results where m.unusableDraws > 0 {
            report("note: \(m.mediator): \(m.unusableDraws) of \(settings.simulations) bootstrap resamples could not be fitted (a term constant in the resample) and were left out")
        }
        for m in results {
            let dropped = data.rowCount - m.outcomeModel.design.ids.count
            if dropped > 0 { report("note: \(m.mediator): \(Words.counted(dropped, "row")) of \(data.rowCount) left out for missing values") }
        }
        report("note: mediation is causal only under assumptions no data can check (no unmeasured confounding; exposure before mediator before outcome); "
               + "with one row per participant the order is assumed, not observed — see summary.md")
        let figures = documents.figures
        var files = [(name: String, contents: String)]()
        if !results.isEmpty {
            files.append(("mediation.csv", documents.mediationTable.csv(guardFormulas: guardFormulas)))
            files.append(("paths.csv", documents.pathsTable.csv(guardFormulas: guardFormulas)))
        }
        if let table = documents.imaiSensitivityTable { files.append(("sensitivity.csv", table.csv(guardFormulas: guardFormulas))) }
        if let table = documents.compositionTable, let sensitivity = documents.sensitivityTable {
            files.append(("compositional-mediation.csv", table.csv(guardFormulas: guardFormulas)))
            files.append(("composition-sensitivity.csv", sensitivity.csv(guardFormulas: guardFormulas)))
        }
        files += [
            ("summary.md", documents.summaryMarkdown),
            ("report.html", documents.reportHTML(figures: figures)),
            ("captions.md", ReportFigure.captions(figures)),
        ]
        for figure in figures { files.append(("figures/" + figure.name, figure.svg)) }
        return Result(results: results, files: try FigureExport.files(OutputFile.texts(files), settings: figureExport))
    }

    /// The metadata, joined to the count table's samples when a mediator
    /// needs it, with a column per metric or taxon mediator; and the count
    /// table when it was read (the composition reuses it).
    func mediatorTable(_ metadata: DataTable, mediators: [String], report: (String) -> Void) throws -> (DataTable, CountTable?) {
        let metrics = mediators.filter { metadata[$0] == nil && AlphaMetric(name: $0) != nil }
        let taxa = mediators.filter { metadata[$0] == nil && $0.hasPrefix("taxon:") }
        let modules = mediators.filter { metadata[$0] == nil && $0.hasPrefix("module:") }
        var metadata = metadata
        if !modules.isEmpty { metadata = try moduleColumns(metadata, modules: modules, report: report) }
        for m in mediators where metadata[m] == nil && !metrics.contains(m) && !taxa.contains(m) {
            let known = metadata.columnNames + AlphaMetricDefinition.registry.map(\.name)
            throw MediationError.unknownMediator(m, suggestion: closestName(to: m, among: known))
        }
        for m in mediators where metadata[m] != nil && metadata[m]!.kind != .numeric { throw MediationError.notNumeric(m) }
        guard !metrics.isEmpty || !taxa.isEmpty else { return (metadata, nil) }
        guard let countsPath else { throw ParameterError(.counts, .malformed(value: mediators.joined(separator: ","), expected: "mediators readable without --counts (metrics and taxa need the count table)")) }
        var options = readOptions
        options.metadataSampleIDs = Set(metadata.ids)
        var diversity = DiversityRun(tablePath: countsPath)
        diversity.readOptions = options
        diversity.metrics = metrics.isEmpty ? "observed_features" : metrics.joined(separator: ",")
        diversity.spelling = spelling
        let (alpha, table, _) = try diversity.computeWithInputs(report: report)
        let join = try SampleJoin(metadata: metadata, sampleIDs: alpha.sampleIDs, samplesFile: countsPath)
        for note in Words.joinNotes(join, samplesFile: countsPath) { report(note) }
        var merged = metadata.selectingRows(join.metadataRows)
        merged = merged.appendingColumns(alpha.metricColumns(for: merged.ids).filter { metrics.contains($0.name) })
        let position = Dictionary(uniqueKeysWithValues: table.sampleIDs.enumerated().map { ($1, $0) })
        var columns = [DataTable.Column]()
        for m in taxa {
            let name = String(m.dropFirst("taxon:".count))
            guard let t = table.taxonIDs.firstIndex(of: name) else {
                throw MediationError.unknownTaxon(name, suggestion: closestName(to: name, among: table.taxonIDs))
            }
            let values = merged.ids.map { id -> Double in
                guard let j = position[id] else { return .nan }
                return Self.centredLogRatio(table, sample: j, taxon: t, pseudocount: pseudocount)
            }
            columns.append(DataTable.Column(name: m, numbers: values))
        }
        return (merged.appendingColumns(columns), table)
    }

    /// The metadata's rows with a module table's sample, and a column per
    /// `module:ID`: log₂(abundance), zeros replaced by half the module's
    /// smallest positive abundance among those rows (MaAsLin2's LOG).
    func moduleColumns(_ metadata: DataTable, modules: [String], report: (String) -> Void) throws -> DataTable {
        guard let modulesPath else { throw MediationError.moduleTableMissing(modules[0]) }
        let table = try CountTable.read(modulesPath, options: CountTableReadOptions(orientation: .rows))
        let join = try SampleJoin(metadata: metadata, sampleIDs: table.sampleIDs, samplesFile: modulesPath)
        for note in Words.joinNotes(join, samplesFile: modulesPath) { report(note) }
        let merged = metadata.selectingRows(join.metadataRows)
        var columns = [DataTable.Column]()
        for m in modules {
            let name = String(m.dropFirst("module:".count))
            guard let t = table.taxonIDs.firstIndex(of: name) else {
                throw MediationError.unknownModule(name, suggestion: closestName(to: name, among: table.taxonIDs))
            }
            let values = join.sampleIndices.map { table.value(taxon: t, sample: $0) }
            let half = (values.filter { $0 > 0 }.min() ?? 1) / 2
            columns.append(DataTable.Column(name: m, numbers: values.map { log2($0 > 0 ? $0 : half) }))
        }
        return merged.appendingColumns(columns)
    }

    /// The whole community as the mediator (Sohn & Li 2019): the
    /// `compositionParts` most abundant features (by mean proportion over
    /// the samples used) and the rest pooled as `other`, each count plus
    /// the pseudocount, closed to proportions; the exposure, outcome and
    /// covariates' design columns of the rows complete in all of them;
    /// `settings.simulations` bootstrap resamples from the seed.
    func compositional(metadata: DataTable, table read: CountTable?, terms: [Formula.Covariate], report: (String) -> Void) throws
        -> MediationDocuments.Composition {
        guard let countsPath else { throw ParameterError(.counts, .malformed(value: "composition", expected: "a mediator readable without --counts")) }
        let table: CountTable
        if let read {
            table = read
        } else {
            var options = readOptions
            options.metadataSampleIDs = Set(metadata.ids)
            table = try readCountTable(countsPath, options: options, report: report, spelling: spelling)
        }
        let join = try SampleJoin(metadata: metadata, sampleIDs: table.sampleIDs, samplesFile: countsPath)
        var joined = metadata.selectingRows(join.metadataRows)
        let (coded, _, _, _) = try Self.codedExposure(joined, exposure: exposure, values: exposureValues)
        joined = joined.replacingColumns([coded])
        let design = try DesignMatrix(formula: Formula.main(response: outcome, predictors: [exposure], covariates: terms), data: joined)
        guard let exposureColumn = design.columnNames.firstIndex(of: exposure) else { throw MediationError.notNumeric(exposure) }
        let covariateColumns = (0..<design.x.columns).filter { $0 != exposureColumn && !(design.hasIntercept && $0 == 0) }
        let rows = design.rowIndices
        let samples = rows.map { join.sampleIndices[$0] }
        // Parts: the most abundant features by mean proportion.
        var meanShare = [Double](repeating: 0, count: table.taxonCount)
        for j in samples {
            let range = table.range(ofSample: j)
            let total = table.values[range].reduce(0, +)
            guard total > 0 else { continue }
            for k in range { meanShare[Int(table.taxonIndices[k])] += table.values[k] / total }
        }
        let order = meanShare.indices.sorted { meanShare[$0] > meanShare[$1] || (meanShare[$0] == meanShare[$1] && $0 < $1) }
        let kept = Array(order.prefix(compositionParts))
        let pooled = table.taxonCount > kept.count
        let partNames = kept.map { table.taxonIDs[$0] } + (pooled ? ["other"] : [])
        let position = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
        var composition = Matrix(rows: rows.count, columns: partNames.count)
        for (i, j) in samples.enumerated() {
            var counts = [Double](repeating: pseudocount, count: partNames.count)
            for k in table.range(ofSample: j) {
                let t = Int(table.taxonIndices[k])
                counts[position[t] ?? partNames.count - 1] += table.values[k]
            }
            let total = counts.reduce(0, +)
            for c in 0..<counts.count { composition[i, c] = counts[c] / total }
        }
        let n = rows.count
        let resamples = (0..<settings.simulations).map { b -> [Int] in
            var rng = Xoshiro256StarStar(seed: settings.seed, stream: [0xB0, UInt64(b)])
            return (0..<n).map { _ in Int(rng.next() % UInt64(n)) }
        }
        var x: Matrix? = nil
        if !covariateColumns.isEmpty {
            x = Matrix(rows: n, columns: covariateColumns.count, columnMajor: covariateColumns.flatMap { Array(design.x.column($0)) })
        }
        let model = try CompositionalMediation(outcome: design.response, composition: composition, exposure: Array(design.x.column(exposureColumn)),
                                               covariates: x, resamples: resamples, names: partNames)
        let intervals = try model.intervals(level: settings.confidenceLevel, seed: settings.seed)
        let grid = (-18...18).map { Double($0) / 20 }
        let sensitivity = try CompositionalMediation.sensitivity(outcome: design.response, composition: composition,
                                                                  exposure: Array(design.x.column(exposureColumn)), covariates: x, rho: grid)
        report("note: composition: \(kept.count) parts\(pooled ? " and the other \(table.taxonCount - kept.count) features pooled as 'other'" : ""), "
               + "each count plus \(NumberStyle.roundTrip.format(pseudocount)) before closure; \(n) samples")
        return MediationDocuments.Composition(model: model, intervals: intervals, parts: partNames.count, pooled: pooled ? table.taxonCount - kept.count : 0,
                                              samples: n, pseudocount: pseudocount, resamples: settings.simulations,
                                              sensitivity: zip(grid, sensitivity).map { ($0, $1) })
    }

    /// `ln(x_t + c) − (1/T) Σ_k ln(x_k + c)` over the T features of sample j.
    static func centredLogRatio(_ table: CountTable, sample j: Int, taxon t: Int, pseudocount c: Double) -> Double {
        var sum = 0.0, value = c
        let range = table.range(ofSample: j)
        for k in range {
            sum += log(table.values[k] + c)
            if Int(table.taxonIndices[k]) == t { value = table.values[k] + c }
        }
        sum += Double(table.taxonCount - range.count) * log(c)
        return log(value) - sum / Double(table.taxonCount)
    }

    /// The exposure as a numeric column and the values contrasted: a text
    /// exposure's two levels coded 0 (control: the first in sorted order, or
    /// the first of `exposureValues`) and 1; a numeric one as it is, its two
    /// values (or `exposureValues`) contrasted. Rows in other text levels
    /// are left out (missing).
    static func codedExposure(_ data: DataTable, exposure: String, values exposureValues: [String]?) throws
        -> (DataTable.Column, Double, Double, (String, String)) {
        guard let column = data[exposure] else {
            throw DataError(.missingColumn(exposure, purpose: .metadata, available: data.columnNames),
                            at: SourceLocation(file: data.source, columnName: exposure))
        }
        let present = (0..<data.rowCount).filter { !column.isMissing($0) }
        if column.kind == .numeric {
            let distinct = Set(present.map { column.numbers[$0] }).sorted()
            if distinct.count < 2 { throw MediationError.constantExposure(exposure) }
            if let values = exposureValues {
                let numbers = try values.map { v -> Double in
                    guard let x = Double(v), x.isFinite else { throw MediationError.exposureValue(v, column: exposure, levels: []) }
                    return x
                }
                return (column, numbers[0], numbers[1], (values[0], values[1]))
            }
            guard distinct.count == 2 else { throw MediationError.exposureNotBinary(exposure, values: distinct.count) }
            return (column, distinct[0], distinct[1], (NumberPolicy.value(distinct[0]), NumberPolicy.value(distinct[1])))
        }
        let levels = Set(present.map { column.cells[$0] }).sorted()
        if levels.count < 2 { throw MediationError.constantExposure(exposure) }
        let chosen: [String]
        if let values = exposureValues {
            for v in values where !levels.contains(v) { throw MediationError.exposureValue(v, column: exposure, levels: levels) }
            chosen = values
        } else {
            guard levels.count == 2 else { throw MediationError.exposureLevels(exposure, levels: levels) }
            chosen = levels
        }
        let numbers = column.cells.map { $0 == chosen[0] ? 0.0 : $0 == chosen[1] ? 1.0 : Double.nan }
        return (DataTable.Column(name: exposure, numbers: numbers), 0, 1, (chosen[0], chosen[1]))
    }
}
