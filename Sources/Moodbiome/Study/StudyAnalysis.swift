import Foundation

/// `moodbiome analyze`: the study in one command.
///
/// 1. alpha diversity of every sample of the count table (every option of
///    `diversity`, rarefaction included);
/// 2. a join with the metadata on sample ID, reporting the IDs found in one
///    table only (an error when none match);
/// 3. per metric, `outcome ~ metric + covariates` (OLS, or logistic with
///    `family = .binomial` or an outcome cutoff), and the unadjusted
///    Spearman correlation of the metric with the outcome;
/// 4. the metric terms' p-values adjusted across metrics (Benjamini–Hochberg
///    by default) as q-values.
///
/// Every output is rendered in memory first and then written atomically, so
/// a failure leaves no partial result behind.
public struct StudyAnalysis: Sendable {
    public var diversity: DiversityRun
    public var metadataPath: String
    public var idColumn: String? = nil
    public var outcome: String
    public var covariates: [String] = []
    public var family = ModelFamily.gaussian
    /// Dichotomise the outcome: 1 when outcome ≥ cutoff (then logistic).
    public var outcomeCutoff: Double? = nil
    public var covariance = CovarianceType.classical
    public var confidenceLevel = 0.95
    public var references: [String: String] = [:]
    public var adjustment = PValueAdjustment.benjaminiHochberg
    /// Score an instrument from item columns of the metadata first; its
    /// total (`phq9_total`) is then available as the outcome.
    public var scoring: ScaleScoring? = nil
    /// Dichotomise the scored outcome at a band: `moderate+` (or `moderate`)
    /// is 1 for totals in that band or above. Needs `scoring`.
    public var outcomeBand: String? = nil
    public var outputDirectory: String
    public var overwrite = false
    /// The column to group the cohort table and the box plots by (default:
    /// the scored severity band, or `<stem>_band` for a `<stem>_total` outcome).
    public var groupBy: String? = nil
    /// The manifest this analysis came from (`moodbiome run`), for provenance.
    public var manifestPath: String? = nil

    /// The format of the data tables (diversity, merged, models, fit,
    /// correlations); `summary.md`, `report.html` and `provenance.json`
    /// are always written.
    public var tableFormat = TableFormat.csv

    /// The table files `analyze` writes, in order.
    public var tableFiles: [String] {
        ["diversity", "merged", "models", "fit", "correlations", "cohort"].map { $0 + "." + tableFormat.fileExtension }
    }

    /// Every file `analyze` writes (figures go in `figures/`).
    public var outputFiles: [String] { tableFiles + ["summary.md", "report.html", "provenance.json"] }

    public init(countsPath: String, metadataPath: String, outcome: String, outputDirectory: String) {
        self.diversity = DiversityRun(tablePath: countsPath)
        self.metadataPath = metadataPath
        self.outcome = outcome
        self.outputDirectory = outputDirectory
    }

    /// One metric's model and correlation.
    public struct MetricResult: Sendable {
        public let metric: String
        public let model: FittedModel
        public let spearman: TestResult
        /// The metric term's coefficient.
        public var term: Coefficient { model.coefficients.first { $0.term == metric }! }
    }

    /// What the analysis found (also what was written).
    public struct Result: Sendable {
        public let diversity: AlphaDiversityResult
        public let merged: DataTable
        public let modelledOutcome: String
        /// The outcome as the summary describes it ("phq9_total ≥ 10 (moderate or above)").
        public let outcomeDescription: String
        /// How the instrument was scored, when it was.
        public let scoringDescription: String?
        public let family: ModelFamily
        public let metrics: [MetricResult]
        /// Adjusted p-values of the metric terms, in `metrics` order.
        public let qValues: [Double]
        /// Adjusted p-values of the Spearman correlations.
        public let correlationQValues: [Double]
        public let onlyInCounts: [String]
        public let onlyInMetadata: [String]
        /// The column the cohort table and box plots group by, if any.
        public let group: String?
        /// The rendered files, by name.
        public internal(set) var files: [(name: String, contents: String)]
    }

    /// Runs the analysis and writes the outputs; notes go to `report`.
    @discardableResult
    public func run(report: (String) -> Void) throws -> Result {
        // Check the output directory before the work.
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: outputDirectory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw InputError(file: outputDirectory, problem: "--out-dir exists and is not a directory")
            }
            if !overwrite {
                let existing = (outputFiles + ["figures"]).filter { FileManager.default.fileExists(atPath: outputDirectory + "/" + $0) }
                if !existing.isEmpty {
                    throw InputError(file: outputDirectory, problem: "the output directory already holds \(existing.joined(separator: ", "))",
                                     fix: "Choose another --out-dir, or pass --force to replace them")
                }
            }
        }
        guard confidenceLevel > 0 && confidenceLevel < 1 else {
            throw InputError(file: "--conf-level", problem: "must be between 0 and 1 (got \(confidenceLevel))")
        }
        let result = try compute(report: report)
        let provenance = Provenance(command: manifestPath == nil ? "analyze" : "run", parameters: provenanceParameters(result),
                                    inputs: [diversity.tablePath, metadataPath] + (manifestPath.map { [$0] } ?? []),
                                    seed: diversity.rarefactionDepth == nil ? nil : diversity.resolvedSeed,
                                    outputs: result.files)
        let provenanceText = try provenance.json(runAt: Date())
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        for (name, contents) in result.files + [("provenance.json", provenanceText)] {
            let path = outputDirectory + "/" + name
            if name.contains("/") {
                try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                                        withIntermediateDirectories: true)
            }
            try writeFileAtomically(contents, to: path, overwrite: true)
        }
        return result
    }

    /// The resolved parameters, for `provenance.json`.
    func provenanceParameters(_ r: Result) -> [(name: String, json: String)] {
        let d = diversity
        return [
            ("counts", json(d.tablePath)), ("metadata", json(metadataPath)), ("id_column", json(idColumn)),
            ("samples_in", json(d.readOptions.orientation.rawValue)),
            ("metrics", json(r.diversity.metrics.map(\.label))),
            ("base", json(d.options.base == .e ? "e" : d.options.base == .two ? "2" : "10")),
            ("chao1", json(d.options.chao1BiasCorrected ? "bias-corrected" : "classic")),
            ("ace_threshold", json(d.options.aceRareThreshold)), ("gini_method", json(d.options.giniMethod.rawValue)),
            ("rarefy", json(d.rarefactionDepth)), ("iterations", json(d.rarefactionDepth == nil ? nil : d.iterations)),
            ("seed", d.rarefactionDepth == nil ? "null" : String(d.resolvedSeed)), ("drop_empty", json(d.dropEmpty)),
            ("scale", json(scoring?.scale.id)), ("items", scoring.map { json($0.items) } ?? "null"),
            ("outcome", json(outcome)), ("modelled_outcome", json(r.modelledOutcome)),
            ("outcome_cutoff", json(outcomeCutoff)), ("outcome_band", json(outcomeBand)),
            ("covariates", json(covariates)), ("family", json(r.family.rawValue)),
            ("robust", json(covariance.rawValue)), ("conf_level", json(confidenceLevel)),
            ("references", json(references)), ("adjust", json(adjustment.rawValue)),
            ("table_format", json(tableFormat.rawValue)),
        ]
    }

    /// Everything but the writing.
    public func compute(report: (String) -> Void) throws -> Result {
        var metadata = try DataTable.read(metadataPath, idColumn: idColumn)
        var outcomeCutoff = self.outcomeCutoff
        var bandName: String? = nil
        var scoringDescription: String? = nil
        if let scoring {
            let (scored, invalid, unscored) = try scoring.scored(metadata)
            let limit = scoring.options.maxMissing ?? scoring.scale.maxMissing
            scoringDescription = "\(scoring.scale.name) totals were scored from the \(scoring.scale.itemCount) item responses"
                + (scoring.scale.reversedItems.isEmpty && scoring.options.reversedItems == nil ? "" : " (reverse-scored items inverted)")
                + (limit == 0 ? "; participants with any missing item were not scored" : "; up to \(limit) missing items were prorated (the mean of the answered items)")
                + (unscored.isEmpty ? "" : ", and \(unscored.count) participants with more missing items were not scored")
                + (invalid > 0 ? "; \(invalid) invalid answers were treated as missing" : "")
                + " (source: \(scoring.scale.source))."
            metadata = scored
            if invalid > 0 { report("note: \(invalid) invalid \(scoring.scale.id) answers counted as missing") }
            if !unscored.isEmpty {
                report("note: \(unscored.count) participants have too many missing \(scoring.scale.id) items to be scored (NA): \(DiversityRun.list(unscored))")
            }
        }
        if let outcomeBand {
            guard let scoring else {
                throw InputError(file: "--outcome-band", problem: "a band needs the instrument", fix: "Add --scale NAME with --items or --prefix")
            }
            let name = outcomeBand.hasSuffix("+") ? String(outcomeBand.dropLast()) : outcomeBand
            guard let band = scoring.scale.band(named: name) else {
                throw InputError(file: "--outcome-band", problem: "\(scoring.scale.id) has no band '\(name)'",
                                 fix: "Bands: " + scoring.scale.bands.map(\.slug).joined(separator: ", ") + " (add + for 'or above')")
            }
            guard outcomeCutoff == nil else {
                throw InputError(file: "--outcome-band", problem: "give --outcome-band or --outcome-cutoff, not both")
            }
            outcomeCutoff = band.lower
            bandName = band.slug
        }
        for column in [outcome] + covariates where metadata.index(of: column) == nil {
            throw metadata.missingColumn(column, problem: "the metadata has no column '\(column)'")
        }
        let alpha = try diversity.compute(report: report)
        let labels = alpha.metrics.map(\.label)
        for label in labels where metadata.index(of: label) != nil {
            throw InputError(file: metadataPath, columnName: label,
                             problem: "the metadata already has a column named '\(label)', the name of a diversity metric",
                             fix: "Rename that metadata column")
        }

        // Join on sample ID, in metadata order.
        let alphaRow = Dictionary(uniqueKeysWithValues: alpha.sampleIDs.enumerated().map { ($1, $0) })
        let metadataIDs = Set(metadata.ids)
        let joined = metadata.ids.indices.filter { alphaRow[metadata.ids[$0]] != nil }
        let onlyInMetadata = metadata.ids.filter { alphaRow[$0] == nil }
        let onlyInCounts = alpha.sampleIDs.filter { !metadataIDs.contains($0) }
        guard !joined.isEmpty else {
            throw InputError(file: metadataPath,
                             problem: "no sample ID is in both tables (count table: \(DiversityRun.list(Array(alpha.sampleIDs.prefix(5)))); metadata '\(metadata.idColumnName)': \(DiversityRun.list(Array(metadata.ids.prefix(5)))))",
                             fix: "Check that the IDs are spelled the same way, and name the metadata's ID column with --id-column")
        }
        if !onlyInCounts.isEmpty {
            report("note: \(onlyInCounts.count) sample\(onlyInCounts.count == 1 ? "" : "s") in the count table but not in the metadata, left out: \(DiversityRun.list(onlyInCounts))")
        }
        if !onlyInMetadata.isEmpty {
            report("note: \(onlyInMetadata.count) metadata row\(onlyInMetadata.count == 1 ? "" : "s") without diversity values (not in the count table\(alpha.belowDepth.isEmpty ? "" : ", or below the rarefaction depth")), left out: \(DiversityRun.list(onlyInMetadata))")
        }

        // The merged table: ID, outcome, covariates, metrics.
        var merged = metadata.selectingRows(joined)
        // The grouping column of the cohort table and box plots: as given,
        // else the scored band, else `<stem>_band` beside a `<stem>_total` outcome.
        var group = groupBy
        if group == nil, let scoring { group = scoring.outputPrefix + "_band" }
        if group == nil, outcome.hasSuffix("_total") {
            let candidate = String(outcome.dropLast("_total".count)) + "_band"
            if metadata.index(of: candidate) != nil { group = candidate }
        }
        if let g = group, metadata.index(of: g) == nil {
            throw InputError(file: metadataPath, columnName: g, problem: "no column '\(g)' to group the figures by",
                             fix: "Columns are: " + metadata.columnNames.joined(separator: ", "))
        }
        var keep = [outcome] + covariates.filter { $0 != outcome }
        if let g = group, !keep.contains(g) { keep.append(g) }
        merged = DataTable(source: "merged table (\(metadataPath) joined with \(diversity.tablePath))", idColumnName: merged.idColumnName,
                           ids: merged.ids, columns: keep.map { (name: $0, cells: merged.cells(of: $0)!) },
                           kinds: Dictionary(uniqueKeysWithValues: keep.compactMap { c in metadata.declaredKind(of: c).map { (c, $0) } }))
        var metricColumns = [(name: String, cells: [String])]()
        for (m, label) in labels.enumerated() {
            metricColumns.append((label, merged.ids.map { NumberStyle.roundTrip.format(alpha.values[alphaRow[$0]!, m]) }))
        }
        merged = merged.appendingColumns(metricColumns, kinds: Dictionary(uniqueKeysWithValues: labels.map { ($0, .numeric) }))

        // The outcome as modelled.
        var modelledOutcome = outcome
        var outcomeDescription = outcome
        var family = self.family
        if let cutoff = outcomeCutoff {
            let cells = merged.cells(of: outcome)!
            var binary = [String]()
            for (r, cell) in cells.enumerated() {
                if DataTable.isMissing(cell) { binary.append("NA"); continue }
                guard let v = Double(cell) else {
                    throw metadata.error(row: metadata.ids.firstIndex(of: merged.ids[r]), column: outcome,
                                         problem: "'\(cell)' in column '\(outcome)' (ID '\(merged.ids[r])') is not a number, so --outcome-cutoff cannot apply",
                                         fix: "Correct the value or mark it missing (NA)")
                }
                binary.append(v >= cutoff ? "1" : "0")
            }
            modelledOutcome = bandName.map { "\(outcome)_\($0.replacingOccurrences(of: "-", with: "_"))_or_above" }
                ?? "\(outcome)_ge_\(NumberStyle.roundTrip.format(cutoff))"
            outcomeDescription = "\(outcome) ≥ \(NumberStyle.roundTrip.format(cutoff))" + (bandName.map { " (\($0.replacingOccurrences(of: "-", with: " ")) or above)" } ?? "")
            merged = merged.appendingColumns([(modelledOutcome, binary)], kinds: [modelledOutcome: .numeric])
            family = .binomial
        }

        // One model per metric; notes shared by every model are reported once.
        var results = [MetricResult]()
        var modelNotes = [String: [String]]()
        let outcomeValues = merged.cells(of: outcome)!.map { Double($0) ?? .nan }
        for label in labels {
            let formula = try Formula.main(response: modelledOutcome, predictors: [label] + covariates)
            let model: FittedModel
            do {
                model = try FittedModel.fit(formula: formula, data: merged, family: family, covariance: covariance,
                                            confidenceLevel: confidenceLevel, references: references)
            } catch let error as InputError {
                var e = error
                e.problem = "model for \(label): " + e.problem
                throw e
            }
            for note in model.notes { modelNotes[note, default: []].append(label) }
            let metricValues = merged.cells(of: label)!.map { Double($0) ?? .nan }
            results.append(MetricResult(metric: label, model: model, spearman: Correlation.spearman(metricValues, outcomeValues)))
        }
        for (note, metrics) in modelNotes.sorted(by: { $0.key < $1.key }) {
            let which = metrics.count == labels.count ? "every model" : "model\(metrics.count == 1 ? "" : "s") for \(metrics.joined(separator: ", "))"
            report("note: \(which): \(note)")
        }
        let qValues = adjustment.adjust(results.map { $0.term.pValue ?? .nan })
        let correlationQValues = adjustment.adjust(results.map(\.spearman.pValue))

        var result = Result(diversity: alpha, merged: merged, modelledOutcome: modelledOutcome,
                            outcomeDescription: outcomeDescription, scoringDescription: scoringDescription, family: family,
                            metrics: results, qValues: qValues, correlationQValues: correlationQValues,
                            onlyInCounts: onlyInCounts, onlyInMetadata: onlyInMetadata, group: group, files: [])
        result.files = try render(result)
        return result
    }

    /// The output files' contents.
    func render(_ r: Result) throws -> [(name: String, contents: String)] {
        var files = [(name: String, contents: String)]()
        let f = tableFormat, ext = tableFormat.fileExtension
        files.append(("diversity.\(ext)", r.diversity.table.rendered(as: f)))
        files.append(("merged.\(ext)", r.merged.textTable.rendered(as: f)))

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
        files.append(("models.\(ext)", TextTable(columns: modelColumns, rows: modelRows).rendered(as: f)))

        let fitNames = r.metrics.first?.model.fitStatistics.map(\.name) ?? []
        let fitRows: [[TextTable.Cell]] = r.metrics.map { m in [.text(m.metric)] + m.model.fitStatistics.map { .number($0.value) } }
        files.append(("fit.\(ext)", TextTable(columns: ["metric"] + fitNames, rows: fitRows).rendered(as: f)))

        let correlationRows: [[TextTable.Cell]] = r.metrics.enumerated().map { i, m in
            [.text(m.metric), .number(Double(m.spearman.n)), .number(m.spearman.statistic), .number(m.spearman.pValue), .number(r.correlationQValues[i])]
        }
        files.append(("correlations.\(ext)", TextTable(columns: ["metric", "n", "spearman_rho", "p_value", "q_value"], rows: correlationRows).rendered(as: f)))
        var cohort = CohortTable(data: r.merged)
        cohort.variables = [outcome] + covariates.filter { $0 != outcome }
        cohort.groupBy = r.group
        let (cohortTable, cohortNotes) = try cohort.build()
        files.append(("cohort.\(ext)", cohortTable.rendered(as: f)))
        files.append(("summary.md", summaryMarkdown(r)))
        let figures = self.figures(r)
        files.append(("report.html", reportHTML(r, cohort: cohortTable, cohortNotes: cohortNotes, figures: figures)))
        for figure in figures { files.append(("figures/" + figure.name, figure.svg)) }
        return files
    }
}
