import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// The association of alpha diversity with an outcome, one model per metric:
/// the statistics of `moodbiome analyze`, without any reading, words or
/// writing.
///
/// 1. optionally, an instrument is scored from the metadata's item columns;
/// 2. the metrics are joined to the metadata on sample ID (metadata order),
///    and the IDs found in one table only are kept for the report;
/// 3. the outcome is optionally dichotomised (`outcome ≥ cutoff`, or a
///    severity band and above), which makes the models logistic;
/// 4. per metric, `outcome ~ metric + covariates` (OLS, or logistic) and
///    the unadjusted Spearman correlation of the metric with the outcome;
/// 5. the metric terms' p-values (and the correlations') are adjusted
///    across metrics (Benjamini–Hochberg by default) as q-values;
/// 6. for the figures: each metric's least-squares line against the
///    outcome with its confidence band at the requested level, and the
///    metric by group with a Kruskal–Wallis test.
public struct AlphaAssociation: Sendable {
    public var outcome: String
    public var covariates: [String] = []
    /// The models' family; nil decides from the outcome: logistic when it
    /// takes exactly two values (0/1, yes/no), linear otherwise.
    public var family: ModelFamily? = nil
    /// Dichotomise the outcome: 1 when outcome ≥ cutoff (then logistic).
    public var outcomeCutoff: Double? = nil
    /// Dichotomise the scored outcome at a band: `moderate+` (or
    /// `moderate`) is 1 for totals in that band or above. Needs `scoring`.
    public var outcomeBand: String? = nil
    public var covariance = CovarianceType.classical
    /// Cluster-robust standard errors over this metadata column's groups
    /// (participant, family, site).
    public var cluster: String? = nil
    /// Random-effects terms (`(1 | participant_id)`): the models become
    /// linear mixed models (lme4's, REML unless `reml` is false), for
    /// metadata with several samples per participant.
    public var random: [RandomTerm] = []
    /// Metadata columns the merged table keeps besides the models' own: the
    /// visit time of the longitudinal figures, the permutation strata.
    public var keptColumns: [String] = []
    public var reml = true
    /// With `random`: profile-likelihood intervals of each model's standard
    /// deviations (``VarianceProfile``), for the random-effects table.
    public var profileIntervals = false
    /// Adjust every model for sequencing depth: `log_reads`, the natural
    /// log of each sample's reads in the table as read, as a covariate.
    public var depthCovariate = false
    public var confidenceLevel = 0.95
    public var references: [String: String] = [:]
    public var adjustment = PValueAdjustment.benjaminiHochberg
    /// Score an instrument from item columns of the metadata first; its
    /// total (`phq9_total`) is then available as the outcome.
    public var scoring: ScaleScoring? = nil
    /// The column to group the cohort table and the box plots by (default:
    /// the scored severity band, or `<stem>_band` for a `<stem>_total` outcome).
    public var groupBy: String? = nil

    public init(outcome: String) { self.outcome = outcome }

    /// How the outcome was dichotomised, when it was.
    public struct Dichotomy: Sendable, Equatable {
        public let cutoff: Double
        /// The band whose lower bound is the cutoff (`moderate`), when given by band.
        public let band: String?
    }

    /// How the instrument was scored, when it was.
    public struct ScoringSummary: Sendable {
        public let scale: MoodScale
        /// The reverse-scored items were inverted (the instrument's, or an override).
        public let reversesItems: Bool
        /// The most missing items prorated.
        public let missingLimit: Int
        /// Participants with too many missing items (total NA).
        public let unscored: [String]
        /// Invalid answers counted as missing.
        public let invalidAnswers: Int
    }

    /// A metric's least-squares line against the outcome (unadjusted), with
    /// its pointwise confidence band: `ŷ ± t·s·√(1/n + (x − x̄)²/Sxx)` on
    /// n − 2 degrees of freedom, at 61 evenly spaced points.
    public struct FitLine: Sendable {
        public let x: [Double]
        public let fit: [Double]
        public let low: [Double]
        public let high: [Double]
        public let confidenceLevel: Double
    }

    /// A metric's values by group, with the Kruskal–Wallis test across groups.
    public struct GroupedValues: Sendable {
        public let column: String
        public let groups: [(label: String, values: [Double])]
        public let test: TestResult
    }

    /// One metric's model and correlation, and what its figures draw.
    public struct MetricResult: Sendable {
        public let metric: String
        public let model: FittedModel
        public let spearman: TestResult
        /// The metric's values and the modelled outcome's, in merged-table order.
        public let metricValues: [Double]
        public let outcomeValues: [Double]
        public let line: FitLine?
        /// The added-variable plot of the metric (linear models with
        /// covariates): the metric and the outcome each residualised on the
        /// covariates' columns; by Frisch–Waugh–Lovell the slope of one on
        /// the other is the model's adjusted β, and the band is β ± t·SE on
        /// the model's residual df.
        public var adjusted: (x: [Double], y: [Double], line: FitLine)? = nil
        public let byGroup: GroupedValues?
        /// Mixed models with profile intervals asked for: the intervals of the standard deviations.
        public var profile: VarianceProfile? = nil

        /// The metric term's coefficient (every model has it: the metric is its first term).
        public var term: Coefficient {
            model.coefficients.first { $0.term == metric } ?? model.coefficients[0]
        }
    }

    /// What the analysis found.
    public struct Result: Sendable {
        public let diversity: AlphaDiversityResult
        public let merged: DataTable
        public let outcome: String
        /// The covariates as given (columns or formula pieces).
        public let covariates: [String]
        /// The covariates parsed: their formula text and the columns they read.
        public var covariateTerms: [Formula.Covariate] = []
        /// The columns the covariates read, in order, each once.
        public var covariateColumns: [String] {
            var out = [String]()
            for c in covariateTerms { for v in c.variables where !out.contains(v) && v != outcome { out.append(v) } }
            return out
        }
        public let modelledOutcome: String
        public let dichotomy: Dichotomy?
        public let scoring: ScoringSummary?
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
        /// Each model note with the metrics whose models it concerns, sorted.
        public let modelNotes: [(note: ModelNote, metrics: [String])]
        public let confidenceLevel: Double
        public let covariance: CovarianceType
        /// The cluster column of cluster-robust errors, if any.
        public var cluster: String? = nil
        /// The family was chosen because the outcome has two values.
        public var familyFromOutcome = false
        /// The random-effects terms of mixed models (empty otherwise).
        public var random: [RandomTerm] = []
        /// `log_reads` was a covariate.
        public var depthCovariate = false
        /// Metrics of unrarefied counts that go with sequencing depth
        /// (Spearman |ρ| ≥ 0.2, p < 0.05) in models without a depth covariate.
        public var depthCorrelations: [(metric: String, test: TestResult)] = []
        public var reml = true
        public let adjustment: PValueAdjustment
        public let references: [String: String]
    }

    /// Checks the parameters that need no data.
    ///
    /// - Throws: `ParameterError` naming the parameter.
    public func validate() throws {
        guard confidenceLevel > 0 && confidenceLevel < 1 else {
            throw ParameterError(.confLevel, .outOfRange(value: NumberStyle.roundTrip.format(confidenceLevel), allowed: .strictlyBetween("0", "1")))
        }
        if outcomeBand != nil {
            guard scoring != nil else { throw ParameterError(.outcomeBand, .requires(.scale)) }
            guard outcomeCutoff == nil else { throw ParameterError(.outcomeBand, .conflicts(.outcomeCutoff)) }
        }
        if family == .binomial && covariance != .classical {
            throw ParameterError(.robust, .onlyFor(.linearModels))
        }
        if cluster != nil && covariance != .classical { throw ParameterError(.cluster, .conflicts(.robust)) }
        if !random.isEmpty {
            if family == .binomial { throw ParameterError(.family, .onlyFor(.linearMixedModels)) }
            if outcomeCutoff != nil { throw ParameterError(.outcomeCutoff, .onlyFor(.fixedEffectsModels)) }
            if outcomeBand != nil { throw ParameterError(.outcomeBand, .onlyFor(.fixedEffectsModels)) }
            if covariance != .classical { throw ParameterError(.robust, .onlyFor(.fixedEffectsModels)) }
            if cluster != nil { throw ParameterError(.cluster, .onlyFor(.fixedEffectsModels)) }
        } else if !reml {
            throw ParameterError(.maximumLikelihood, .onlyFor(.mixedModels))
        }
        if profileIntervals && random.isEmpty { throw ParameterError(.profileCI, .onlyFor(.mixedModels)) }
        try ParameterError.checkDistinct(covariates, .covariates)
        if covariates.contains(outcome) {
            throw ParameterError(.covariates, .malformed(value: covariates.joined(separator: ","), expected: "a list without the outcome '\(outcome)'"))
        }
    }

    /// Runs the analysis.
    ///
    /// - Parameters:
    ///   - alpha: the metrics of every sample.
    ///   - metadata: the sample metadata.
    ///   - countsSource: the count table's path, for the merged table's name.
    /// - Throws: `ParameterError`, `ScoringError`, `DataError`, and
    ///   `MetricModelError` wrapping a model's own error.
    public func run(alpha: AlphaDiversityResult, metadata original: DataTable, countsSource: String) throws -> Result {
        try run(alpha: alpha, prepared: prepare(metadata: original), countsSource: countsSource)
    }

    /// The metadata after scoring, with the outcome's cutoff resolved and
    /// every named column checked: what can be checked before diversity is
    /// computed.
    public struct PreparedMetadata: Sendable {
        public let original: DataTable
        public let table: DataTable
        public let scoring: ScoringSummary?
        public let outcomeCutoff: Double?
        public let bandName: String?
        /// The covariates, each a column or a formula piece.
        public var covariates: [Formula.Covariate] = []
    }

    /// Validates the parameters, scores the instrument, resolves the band
    /// and checks the outcome and covariate columns.
    public func prepare(metadata original: DataTable) throws -> PreparedMetadata {
        try validate()
        var metadata = original
        var outcomeCutoff = self.outcomeCutoff
        var bandName: String? = nil
        var scoringSummary: ScoringSummary? = nil
        if let scoring {
            let (scored, invalid, unscored) = try scoring.scored(metadata)
            scoringSummary = ScoringSummary(scale: scoring.scale,
                                            reversesItems: !(scoring.scale.reversedItems.isEmpty && scoring.options.reversedItems == nil),
                                            missingLimit: scoring.options.maxMissing ?? scoring.scale.maxMissing,
                                            unscored: unscored, invalidAnswers: invalid)
            metadata = scored
        }
        if let outcomeBand, let scoring {
            let name = outcomeBand.hasSuffix("+") ? String(outcomeBand.dropLast()) : outcomeBand
            guard let band = scoring.scale.band(named: name) else {
                throw ScoringError.unknownBand(scale: scoring.scale.id, band: name, bands: scoring.scale.bands.map(\.slug))
            }
            outcomeCutoff = band.lower
            bandName = band.slug
        }
        let covariateTerms = try covariates.map { try Formula.Covariate($0, columns: metadata.columnNames) }
        let randomColumns = random.flatMap(\.variables)
        for column in [outcome] + covariateTerms.flatMap(\.variables) + randomColumns where metadata[column] == nil {
            throw DataError(.missingColumn(column, purpose: .metadata, available: metadata.columnNames),
                            at: SourceLocation(file: metadata.source, columnName: column))
        }
        var prepared = PreparedMetadata(original: original, table: metadata, scoring: scoringSummary,
                                        outcomeCutoff: outcomeCutoff, bandName: bandName)
        prepared.covariates = covariateTerms
        return prepared
    }

    /// Runs the analysis on prepared metadata: the samples joined, the
    /// merged table, the outcome as modelled, one model per metric.
    public func run(alpha: AlphaDiversityResult, prepared: PreparedMetadata, countsSource: String) throws -> Result {
        let metadata = prepared.table
        let labels = alpha.metrics.map(\.label)
        for label in labels where metadata[label] != nil {
            throw DataError(.metricNameClash(label), at: SourceLocation(file: metadata.source, columnName: label))
        }
        // Join on sample ID, in metadata order.
        let join = try SampleJoin(metadata: metadata, sampleIDs: alpha.sampleIDs, samplesFile: countsSource)
        let group = try groupColumn(in: metadata)
        var (merged, reads, covariateTerms) = try mergedTable(alpha: alpha, prepared: prepared, rows: join.metadataRows,
                                                               group: group, countsSource: countsSource)
        let outcomeModel = try modelledOutcome(&merged, prepared: prepared)

        // One model per metric; notes shared by models are gathered.
        var results = [MetricResult]()
        var notes = ModelNoteTally()
        for label in labels {
            results.append(try fit(metric: label, merged: merged, outcome: outcomeModel, covariates: covariateTerms, group: group, notes: &notes))
        }
        let qValues = adjustment.adjust(results.map { $0.term.pValue ?? .nan })
        let correlationQValues = adjustment.adjust(results.map(\.spearman.pValue))
        var result = Result(diversity: alpha, merged: merged, outcome: outcome, covariates: covariates, modelledOutcome: outcomeModel.name,
                            dichotomy: outcomeModel.dichotomy, scoring: prepared.scoring, family: outcomeModel.family, metrics: results,
                            qValues: qValues, correlationQValues: correlationQValues, onlyInCounts: join.onlyInSamples,
                            onlyInMetadata: join.onlyInMetadata, group: group, modelNotes: notes.notes, confidenceLevel: confidenceLevel,
                            covariance: covariance, adjustment: adjustment, references: references)
        result.cluster = cluster
        result.covariateTerms = prepared.covariates
        result.depthCovariate = depthCovariate
        if alpha.rarefactionDepth == nil && !depthCovariate {
            result.depthCorrelations = SequencingDepth.correlations(labels, in: merged, reads: reads)
        }
        result.familyFromOutcome = outcomeModel.familyFromOutcome
        result.random = random
        result.reml = reml
        return result
    }

    /// The grouping column of the cohort table and box plots: as given,
    /// else the scored band, else `<stem>_band` beside a `<stem>_total` outcome.
    func groupColumn(in metadata: DataTable) throws -> String? {
        var group = groupBy
        if group == nil, let scoring { group = scoring.outputPrefix + "_band" }
        if group == nil, outcome.hasSuffix("_total") {
            let candidate = String(outcome.dropLast("_total".count)) + "_band"
            if metadata[candidate] != nil { group = candidate }
        }
        if let g = group, metadata[g] == nil {
            throw DataError(.missingColumn(g, purpose: .figureGroups, available: metadata.columnNames),
                            at: SourceLocation(file: metadata.source, columnName: g))
        }
        return group
    }

    /// The merged table: ID, outcome, covariates, cluster, random-term,
    /// group and kept columns, then the metrics (their values as computed, never
    /// through text), and `log_reads` with the depth covariate; each row's
    /// reads; the covariate terms of the models.
    func mergedTable(alpha: AlphaDiversityResult, prepared: PreparedMetadata, rows: [Int], group: String?,
                     countsSource: String) throws -> (DataTable, reads: [Double], covariates: [Formula.Covariate]) {
        let metadata = prepared.table, original = prepared.original
        var keep = [outcome]
        for v in prepared.covariates.flatMap(\.variables) where !keep.contains(v) { keep.append(v) }
        if let c = cluster {
            guard metadata[c] != nil else {
                throw DataError(.missingColumn(c, purpose: .cluster, available: metadata.columnNames), at: SourceLocation(file: metadata.source, columnName: c))
            }
            if !keep.contains(c) { keep.append(c) }
        }
        for v in random.flatMap(\.variables) where !keep.contains(v) { keep.append(v) }
        if let g = group, !keep.contains(g) { keep.append(g) }
        for v in keptColumns where !keep.contains(v) {
            guard metadata[v] != nil else {
                throw DataError(.missingColumn(v, purpose: .metadata, available: metadata.columnNames), at: SourceLocation(file: metadata.source, columnName: v))
            }
            keep.append(v)
        }
        var merged = metadata.selectingRows(rows)
            .selectingColumns(keep, source: "merged table (\(original.source) joined with \(countsSource))")
        merged = merged.appendingColumns(alpha.metricColumns(for: merged.ids))
        let reads = alpha.reads(for: merged.ids)
        var covariateTerms = prepared.covariates
        if depthCovariate {
            let (data, term) = try SequencingDepth.covariate(merged, reads: reads, metadataSource: original.source)
            merged = data
            covariateTerms.append(term)
        }
        return (merged, reads, covariateTerms)
    }

    /// The outcome as modelled: its column, family and dichotomy.
    struct OutcomeModel {
        var name: String
        var family: ModelFamily
        var familyFromOutcome = false
        var dichotomy: Dichotomy? = nil
    }

    /// The outcome as modelled: as given (binomial when it has two values
    /// and no family is asked), or dichotomised at the cutoff into a new
    /// 0/1 column of `merged`.
    func modelledOutcome(_ merged: inout DataTable, prepared: PreparedMetadata) throws -> OutcomeModel {
        var model = OutcomeModel(name: outcome, family: family ?? .gaussian)
        if family == nil, prepared.outcomeCutoff == nil, let column = merged[outcome] {
            let values = Set(column.cells.indices.filter { !column.isMissing($0) }.map { column.cells[$0] })
            if values.count == 2 {
                model.family = .binomial
                model.familyFromOutcome = true
            }
        }
        guard let cutoff = prepared.outcomeCutoff, let column = merged[outcome] else { return model }
        let metadata = prepared.table, original = prepared.original
        var binary = [String]()
        for (r, cell) in column.cells.enumerated() {
            if column.isMissing(r) { binary.append("NA"); continue }
            let v = column.numbers[r]
            guard !v.isNaN else {
                let row = metadata.ids.firstIndex(of: merged.ids[r])
                throw DataError(.cutoffNotANumber(value: cell, column: outcome, id: merged.ids[r]),
                                at: metadata.location(row: row, column: outcome))
            }
            binary.append(v >= cutoff ? "1" : "0")
        }
        model.name = prepared.bandName.map { "\(outcome)_\($0.replacing("-", with: "_"))_or_above" }
            ?? "\(outcome)_ge_\(NumberStyle.roundTrip.format(cutoff))"
        if merged[model.name] != nil || original[model.name] != nil {
            throw DataError(.derivedColumnClash(model.name), at: SourceLocation(file: original.source, columnName: model.name))
        }
        merged = merged.appendingColumns([DataTable.Column(name: model.name, cells: binary, declaredKind: .numeric)])
        model.family = .binomial
        model.dichotomy = Dichotomy(cutoff: cutoff, band: prepared.bandName)
        return model
    }

    /// One metric's model, its correlation with the outcome, its values by
    /// group, the added-variable plot and profile intervals when they apply.
    func fit(metric label: String, merged: DataTable, outcome model: OutcomeModel, covariates covariateTerms: [Formula.Covariate],
             group: String?, notes: inout ModelNoteTally) throws -> MetricResult {
        let family = model.family
        let formula = Formula.main(response: model.name, predictors: [label], covariates: covariateTerms).adding(randomTerms: random)
        let fitted: FittedModel
        do {
            fitted = try FittedModel.fit(formula: formula, data: merged, family: family, covariance: covariance,
                                         confidenceLevel: confidenceLevel, references: references, cluster: cluster, reml: reml)
        } catch {
            throw MetricModelError(metric: label, underlying: error)
        }
        for note in fitted.notes { notes.add(note, metric: label) }
        let values = merged[label]?.numbers ?? []
        let modelled = merged[model.name]?.numbers ?? []
        var byGroup: GroupedValues? = nil
        if let groupColumn = group.flatMap({ merged[$0] }) {
            let levels = CohortSummary.order(groupColumn.levels)
            let groups = levels.map { level in
                (label: level, values: zip(values, groupColumn.cells).filter { $0.1 == level }.map(\.0))
            }
            byGroup = GroupedValues(column: groupColumn.name, groups: groups, test: GroupComparison.kruskalWallis(groups.map(\.values)))
        }
        var result = MetricResult(metric: label, model: fitted,
                                  spearman: Correlation.spearman(values, merged[outcome]?.numbers ?? []),
                                  metricValues: values, outcomeValues: modelled,
                                  line: family == .gaussian ? Self.fitLine(x: values, y: modelled, level: confidenceLevel) : nil,
                                  byGroup: byGroup)
        if family == .gaussian, random.isEmpty, !covariateTerms.isEmpty, case .linear(let linear) = fitted.fit {
            result.adjusted = Self.addedVariable(model: linear, metric: label, level: confidenceLevel)
        }
        if profileIntervals, let mixed = fitted.mixedModel {
            let profile = try VarianceProfile(model: mixed, level: confidenceLevel)
            result.profile = profile
            if let note = profile.note(for: mixed) { notes.add(note, metric: label) }
        }
        return result
    }

    /// The least-squares line of y on x with its confidence band at `level`
    /// (pairs with a non-finite value left out); nil with fewer than 3 pairs
    /// or no spread in x.
    /// The added-variable (partial regression) plot of `metric` in `model`.
    static func addedVariable(model m: LinearRegression, metric: String, level: Double) -> (x: [Double], y: [Double], line: FitLine)? {
        let design = m.design
        guard let j = design.columnNames.firstIndex(of: metric), let c = m.coefficients.first(where: { $0.name == metric }),
              let b = c.estimate, let se = c.standardError, m.dfResidual > 0 else { return nil }
        let others = (0..<design.x.columns).filter { $0 != j }
        let z = design.x.selectingColumns(others)
        func residuals(_ v: [Double]) -> [Double]? {
            guard let qr = try? PivotedQR(z), let coefficients = try? qr.solveLeastSquares(v) else { return nil }
            let used = others.indices.filter { coefficients[$0] != nil }
            let fitted = used.isEmpty ? [Double](repeating: 0, count: v.count)
                : z.selectingColumns(used).multiplied(by: used.map { coefficients[$0] ?? 0 })
            return zip(v, fitted).map { $0 - $1 }
        }
        guard let ex = residuals(Array(design.x.column(j))), let ey = residuals(design.response),
              let lo = ex.min(), let hi = ex.max(), hi > lo else { return nil }
        let t = StudentT(degreesOfFreedom: Double(m.dfResidual)).quantile(1 - (1 - level) / 2)
        var points = [Double](), fit = [Double](), low = [Double](), high = [Double]()
        for k in 0...60 {
            let x0 = lo + (hi - lo) * Double(k) / 60
            let half = t * se * abs(x0)
            points.append(x0); fit.append(b * x0); low.append(b * x0 - half); high.append(b * x0 + half)
        }
        return (ex, ey, FitLine(x: points, fit: fit, low: low, high: high, confidenceLevel: level))
    }

    public static func fitLine(x: [Double], y: [Double], level: Double) -> FitLine? {
        let pairs = zip(x, y).filter { $0.0.isFinite && $0.1.isFinite }
        let xs = pairs.map(\.0), ys = pairs.map(\.1)
        guard xs.count >= 3, let lo = xs.min(), let hi = xs.max() else { return nil }
        let n = Double(xs.count)
        let mx = xs.reduce(0, +) / n, my = ys.reduce(0, +) / n
        let sxx = xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        let sxy = zip(xs, ys).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        guard sxx > 0 else { return nil }
        let b = sxy / sxx, a = my - b * mx
        let rss = zip(xs, ys).reduce(0) { $0 + pow($1.1 - a - b * $1.0, 2) }
        let s = (rss / (n - 2)).squareRoot()
        let t = StudentT(degreesOfFreedom: n - 2).quantile(1 - (1 - level) / 2)
        var points = [Double](), fit = [Double](), low = [Double](), high = [Double]()
        for k in 0...60 {
            let x0 = lo + (hi - lo) * Double(k) / 60
            let f = a + b * x0, half = t * s * (1 / n + (x0 - mx) * (x0 - mx) / sxx).squareRoot()
            points.append(x0); fit.append(f); low.append(f - half); high.append(f + half)
        }
        return FitLine(x: points, fit: fit, low: low, high: high, confidenceLevel: level)
    }
}
