import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// Diversity as the outcome: does each metric differ by an exposure (sample
/// type, diagnosis, diet group, a dose), adjusted for covariates? The
/// statistics of `moodbiome analyze --exposure`, without words or files.
///
/// Per metric, `metric ~ exposure + covariates` is fitted as `regress`
/// would (OLS with classical, HC or cluster-robust errors, or a linear
/// mixed model with random terms). Then:
/// - **the exposure's test**: the Wald test of all its coefficients,
///   `W = β̂ₑᵀ V̂ₑ⁻¹ β̂ₑ` with V̂ₑ their covariance block. For OLS this is
///   `F = W/q` on (q, n − p) degrees of freedom — with classical errors
///   exactly the partial F of R's `anova(reduced, full)`; with robust
///   errors the robust Wald F of `lmtest::waldtest(…, vcov = …)` and
///   statsmodels' `f_test`. For mixed models, `W` is referred to χ²(q), as
///   `car::Anova` does for `lmer` fits. A numeric exposure has q = 1 and its
///   coefficient's own test.
/// - **pairwise differences** between a categorical exposure's levels:
///   every pair's contrast `β̂ₐ − β̂ᵦ` (the reference level's β being 0),
///   its SE from V̂, t on the model's residual df (z for mixed models,
///   Satterthwaite being per coefficient) and Holm's adjustment within the
///   metric (Holm 1979) — valid for any correlation of the contrasts,
///   where Tukey's HSD assumes a balanced one-way design.
/// - the exposure tests' p-values are adjusted across metrics (BH by default).
public struct ExposureAssociation: Sendable {
    public var exposure: String
    public var covariates: [String] = []
    public var covariance = CovarianceType.classical
    public var cluster: String? = nil
    public var random: [RandomTerm] = []
    /// Metadata columns the merged table keeps besides the models' own (the
    /// visit time of the longitudinal figures, the permutation strata).
    public var keptColumns: [String] = []
    public var reml = true
    /// Adjust every model for sequencing depth (``SequencingDepth``).
    public var depthCovariate = false
    /// With `random`: profile-likelihood intervals of each model's standard deviations.
    public var profileIntervals = false
    public var confidenceLevel = 0.95
    public var references: [String: String] = [:]
    public var adjustment = PValueAdjustment.benjaminiHochberg

    public init(exposure: String) { self.exposure = exposure }

    /// The Wald test of the exposure's coefficients.
    public struct ExposureTest: Sendable, Equatable {
        public enum Reference: Sendable, Equatable {
            /// F on (q, df) degrees of freedom.
            case f(denominator: Double)
            /// χ² on q degrees of freedom (mixed models).
            case chiSquared
        }
        /// The exposure's coefficient names.
        public let columns: [String]
        /// F (or χ² for mixed models).
        public let statistic: Double
        public let degreesOfFreedom: Int
        public let reference: Reference
        public let pValue: Double
    }

    /// One pair of a categorical exposure's levels.
    public struct PairwiseComparison: Sendable, Equatable {
        /// The difference `level − versus` in the metric's units.
        public let level: String
        public let versus: String
        public let estimate: Double
        public let standardError: Double
        public let statistic: Double
        /// The t test's degrees of freedom: the residual df (least squares)
        /// or Satterthwaite's for this contrast (mixed models, as lmerTest).
        public let degreesOfFreedom: Double
        public let pValue: Double
        /// Holm-adjusted within the metric.
        public let adjustedPValue: Double
    }

    public struct MetricResult: Sendable {
        public let metric: String
        public let model: FittedModel
        public let test: ExposureTest
        public let pairwise: [PairwiseComparison]
        /// The metric's values by exposure level (categorical exposures), in level order.
        public let groups: [(label: String, values: [Double])]
        /// The metric's and exposure's values of the modelled rows (numeric exposures).
        public let exposureValues: [Double]
        public let metricValues: [Double]
        /// Mixed models with profile intervals asked for: the intervals of the standard deviations.
        public var profile: VarianceProfile? = nil
        /// The metric's raw mean per level, in `groups` order.
        public var levelMeans: [Double] { groups.map { $0.values.isEmpty ? .nan : $0.values.reduce(0, +) / Double($0.values.count) } }
        /// Numeric exposures: the unadjusted least-squares line of the metric
        /// on the exposure with its confidence band (``AlphaAssociation/fitLine(x:y:level:)``).
        public let line: AlphaAssociation.FitLine?
    }

    public struct Result: Sendable {
        public let diversity: AlphaDiversityResult
        public let merged: DataTable
        public let exposure: String
        /// The exposure's levels, reference first; nil for a numeric exposure.
        public let levels: [String]?
        public let covariates: [Formula.Covariate]
        public let metrics: [MetricResult]
        /// The exposure tests' p-values adjusted across metrics.
        public let qValues: [Double]
        public let onlyInCounts: [String]
        public let onlyInMetadata: [String]
        public let modelNotes: [(note: ModelNote, metrics: [String])]
        public let settings: ExposureAssociation
        /// Metrics of unrarefied counts that go with sequencing depth, in
        /// models without the depth covariate.
        public var depthCorrelations: [(metric: String, test: TestResult)] = []
    }

    /// Checks what needs no data.
    public func validate() throws {
        guard confidenceLevel > 0 && confidenceLevel < 1 else {
            throw ParameterError(.confLevel, .outOfRange(value: NumberStyle.roundTrip.format(confidenceLevel), allowed: .strictlyBetween("0", "1")))
        }
        if cluster != nil && covariance != .classical { throw ParameterError(.cluster, .conflicts(.robust)) }
        if !random.isEmpty {
            if covariance != .classical { throw ParameterError(.robust, .onlyFor(.fixedEffectsModels)) }
            if cluster != nil { throw ParameterError(.cluster, .onlyFor(.fixedEffectsModels)) }
        } else if !reml {
            throw ParameterError(.maximumLikelihood, .onlyFor(.mixedModels))
        }
        if profileIntervals && random.isEmpty { throw ParameterError(.profileCI, .onlyFor(.mixedModels)) }
        if covariates.contains(exposure) {
            throw ParameterError(.covariates, .malformed(value: covariates.joined(separator: ","), expected: "a list without the exposure '\(exposure)'"))
        }
    }

    /// Checks the columns before diversity is computed; returns the parsed covariates.
    public func prepare(metadata: DataTable) throws -> [Formula.Covariate] {
        try validate()
        let covariateTerms = try covariates.map { try Formula.Covariate($0, columns: metadata.columnNames) }
        for column in [exposure] + covariateTerms.flatMap(\.variables) + random.flatMap(\.variables) + (cluster.map { [$0] } ?? [])
        where metadata[column] == nil {
            throw DataError(.missingColumn(column, purpose: .metadata, available: metadata.columnNames),
                            at: SourceLocation(file: metadata.source, columnName: column))
        }
        return covariateTerms
    }

    public func run(alpha: AlphaDiversityResult, metadata: DataTable, covariates covariateTerms: [Formula.Covariate],
                    countsSource: String) throws -> Result {
        let labels = alpha.metrics.map(\.label)
        for label in labels where metadata[label] != nil {
            throw DataError(.metricNameClash(label), at: SourceLocation(file: metadata.source, columnName: label))
        }
        let join = try SampleJoin(metadata: metadata, sampleIDs: alpha.sampleIDs, samplesFile: countsSource)
        var keep = [exposure]
        for v in covariateTerms.flatMap(\.variables) + random.flatMap(\.variables) + (cluster.map { [$0] } ?? []) where !keep.contains(v) {
            keep.append(v)
        }
        for v in keptColumns where !keep.contains(v) {
            guard metadata[v] != nil else {
                throw DataError(.missingColumn(v, purpose: .metadata, available: metadata.columnNames), at: SourceLocation(file: metadata.source, columnName: v))
            }
            keep.append(v)
        }
        var merged = metadata.selectingRows(join.metadataRows)
            .selectingColumns(keep, source: "merged table (\(metadata.source) joined with \(countsSource))")
        merged = merged.appendingColumns(alpha.metricColumns(for: merged.ids))
        let reads = alpha.reads(for: merged.ids)
        var modelTerms = covariateTerms
        if depthCovariate {
            let (data, term) = try SequencingDepth.covariate(merged, reads: reads, metadataSource: metadata.source)
            merged = data
            modelTerms.append(term)
        }
        let exposureColumn = merged[exposure]
        let categorical = exposureColumn?.kind == .categorical
        var results = [MetricResult]()
        var notes = ModelNoteTally()
        var levels: [String]? = nil
        for label in labels {
            let formula = Formula.main(response: label, predictors: [exposure], covariates: modelTerms).adding(randomTerms: random)
            let model: FittedModel
            do {
                model = try FittedModel.fit(formula: formula, data: merged, covariance: covariance, confidenceLevel: confidenceLevel,
                                            references: references, cluster: cluster, reml: reml)
            } catch {
                throw MetricModelError(metric: label, underlying: error)
            }
            for note in model.notes {
                notes.add(note, metric: label)
            }
            let design = model.design
            let exposureColumns = (0..<design.x.columns).filter { design.columnTerms[$0].map { design.termLabels[$0] } == exposure }
            let test = Self.waldTest(model: model, columns: exposureColumns)
            // The levels, reference first, as the design coded them.
            var pairwise = [PairwiseComparison]()
            var groups = [(label: String, values: [Double])]()
            let values = merged[label]?.numbers ?? []
            if categorical, let column = exposureColumn {
                let coded = exposureColumns.map { String(design.columnNames[$0].dropFirst(exposure.count + 3).dropLast()) }
                let used = Set(design.rowIndices.map { column.cells[$0] })
                let reference = sortedLevels(Array(used)).first { !coded.contains($0) } ?? ""
                let order = [reference] + coded
                levels = levels ?? order
                pairwise = Self.pairwise(model: model, levels: order, columns: exposureColumns)
                groups = order.map { level in (label: level, values: design.rowIndices.filter { column.cells[$0] == level }.map { values[$0] }) }
            }
            let rows = design.rowIndices
            let exposureValues = categorical ? [] : rows.map { exposureColumn?.numbers[$0] ?? .nan }
            let metricValues = rows.map { values[$0] }
            var metricResult = MetricResult(metric: label, model: model, test: test, pairwise: pairwise, groups: groups,
                                            exposureValues: exposureValues, metricValues: metricValues,
                                            line: categorical ? nil : AlphaAssociation.fitLine(x: exposureValues, y: metricValues, level: confidenceLevel))
            if profileIntervals, let mixed = model.mixedModel {
                let profile = try VarianceProfile(model: mixed, level: confidenceLevel)
                metricResult.profile = profile
                if let note = profile.note(for: mixed) {
                    notes.add(note, metric: label)
                }
            }
            results.append(metricResult)
        }
        let qValues = adjustment.adjust(results.map(\.test.pValue))
        var result = Result(diversity: alpha, merged: merged, exposure: exposure, levels: categorical ? levels : nil,
                      covariates: covariateTerms, metrics: results, qValues: qValues, onlyInCounts: join.onlyInSamples,
                      onlyInMetadata: join.onlyInMetadata, modelNotes: notes.notes,
                      settings: self)
        if alpha.rarefactionDepth == nil && !depthCovariate {
            result.depthCorrelations = SequencingDepth.correlations(labels, in: merged, reads: reads)
        }
        return result
    }

    /// The covariance of the fitted coefficients, design order.
    static func covariance(_ model: FittedModel) -> Matrix? {
        switch model.fit {
        case .linear(let m): m.covariance
        case .mixed(let m): m.covariance
        case .logistic: nil
        }
    }

    /// The Wald test of `columns` (aliased ones left out): F on the residual
    /// df (least squares), F with Satterthwaite's denominator df (mixed
    /// models, lmerTest's `anova`), χ² otherwise.
    ///
    /// The F is the same for any basis of the hypothesis; Satterthwaite's df
    /// is not, so the mixed test takes lmerTest's: the exposure's
    /// coefficients when the model has other terms (its type III contrasts
    /// for a term no interaction contains), and when the exposure is the
    /// only term lmerTest's type I rows — the exposure's rows of Lᵀ from the
    /// Doolittle factorisation XᵀX = LU (entries below 1e-6 set to 0).
    static func waldTest(model: FittedModel, columns all: [Int]) -> ExposureTest {
        let names = all.map { model.design.columnNames[$0] }
        let columns = all.filter { model.coefficients[$0].estimate != nil }
        let q = columns.count
        if case .mixed(let m) = model.fit {
            let rows = model.design.termLabels.count == 1 ? Self.doolittleRows(model, columns: columns)
                : columns.map { c in (0..<model.design.x.columns).map { $0 == c ? 1.0 : 0.0 } }
            guard q > 0, let t = m.fTest(rows), t.denominatorDF.isFinite, t.denominatorDF > 0 else {
                return ExposureTest(columns: names, statistic: .nan, degreesOfFreedom: q, reference: .f(denominator: .nan), pValue: .nan)
            }
            let p = FDistribution(numeratorDegreesOfFreedom: Double(t.numeratorDF), denominatorDegreesOfFreedom: t.denominatorDF).sf(t.f)
            return ExposureTest(columns: names, statistic: t.f, degreesOfFreedom: t.numeratorDF, reference: .f(denominator: t.denominatorDF), pValue: p)
        }
        guard let v = covariance(model) else {
            return ExposureTest(columns: names, statistic: .nan, degreesOfFreedom: 0, reference: .chiSquared, pValue: .nan)
        }
        let beta = columns.map { model.coefficients[$0].estimate ?? 0 }
        var w = Double.nan
        if q > 0, let u = try? Cholesky(v.principalSubmatrix(columns)) { w = u.quadraticForm(beta) }
        switch model.fit {
        case .linear(let m):
            let f = w / Double(q)
            let p = q > 0 && m.dfResidual > 0
                ? FDistribution(numeratorDegreesOfFreedom: Double(q), denominatorDegreesOfFreedom: Double(m.dfResidual)).sf(f) : .nan
            return ExposureTest(columns: names, statistic: f, degreesOfFreedom: q, reference: .f(denominator: Double(m.dfResidual)), pValue: p)
        default:
            let p = q > 0 ? ChiSquared(degreesOfFreedom: Double(q)).sf(w) : .nan
            return ExposureTest(columns: names, statistic: w, degreesOfFreedom: q, reference: .chiSquared, pValue: p)
        }
    }

    /// lmerTest's type I contrast rows for `columns`: row i of Lᵀ, with
    /// XᵀX = LU (Doolittle, unit lower L), over the kept columns, i.e.
    /// `U[i, j] / U[i, i]` = `R[i, j] / R[i, i]` for XᵀX = RᵀR.
    static func doolittleRows(_ model: FittedModel, columns: [Int]) -> [[Double]] {
        let x = model.design.x
        let kept = (0..<x.columns).filter { model.coefficients[$0].estimate != nil }
        let k = x.selectingColumns(kept)
        var gram = Matrix(rows: kept.count, columns: kept.count)
        for a in kept.indices { for b in kept.indices { gram[a, b] = zip(k.column(a), k.column(b)).reduce(0) { $0 + $1.0 * $1.1 } } }
        guard let r = try? Cholesky(gram).upper else { return columns.map { c in (0..<x.columns).map { $0 == c ? 1.0 : 0.0 } } }
        return columns.map { c in
            var row = [Double](repeating: 0, count: x.columns)
            guard let i = kept.firstIndex(of: c) else { return row }
            for j in i..<kept.count {
                let v = r[i, j] / r[i, i]
                row[kept[j]] = abs(v) < 1e-6 ? 0 : v
            }
            return row
        }
    }

    /// Every pair of levels (`levels[0]` the reference, `levels[k]` coded
    /// by `columns[k − 1]`): the contrast `β_a − β_b` with its standard
    /// error, t on the residual df (least squares) or on Satterthwaite's df
    /// for the contrast (mixed models, lmerTest's `contest1D`) — the same
    /// test as the model table's for a pair with the reference level.
    static func pairwise(model: FittedModel, levels: [String], columns: [Int]) -> [PairwiseComparison] {
        guard let v = covariance(model) else { return [] }
        let width = model.design.x.columns
        // Coefficient index of each level (nil: the reference level, β = 0).
        let index: [Int?] = [nil] + columns.map { Optional($0) }
        var raw = [(level: String, versus: String, estimate: Double, se: Double, df: Double)]()
        for b in 0..<levels.count {
            for a in (b + 1)..<Swift.max(levels.count, b + 1) {
                let ia = index[a], ib = index[b]
                let ba = ia.flatMap { model.coefficients[$0].estimate } ?? 0
                let bb = ib.flatMap { model.coefficients[$0].estimate } ?? 0
                var variance = 0.0
                if let ia { variance += v[ia, ia] }
                if let ib { variance += v[ib, ib] }
                if let ia, let ib { variance -= 2 * v[ia, ib] }
                var df = Double.nan
                switch model.fit {
                case .linear(let m): df = Double(m.dfResidual)
                case .mixed(let m):
                    var l = [Double](repeating: 0, count: width)
                    if let ia, model.coefficients[ia].estimate != nil { l[ia] = 1 }
                    if let ib, model.coefficients[ib].estimate != nil { l[ib] = -1 }
                    df = m.contrast(l).degreesOfFreedom
                case .logistic: break
                }
                raw.append((levels[a], levels[b], ba - bb, variance.squareRoot(), df))
            }
        }
        let statistics = raw.map { $0.estimate / $0.se }
        let p = raw.indices.map { k in
            let reference: any ContinuousDistribution = raw[k].df.isFinite && raw[k].df > 0 ? StudentT(degreesOfFreedom: raw[k].df) : Normal()
            return Swift.min(1, 2 * reference.sf(abs(statistics[k])))
        }
        let adjusted = PValueAdjustment.holm.adjust(p)
        return raw.indices.map { k in
            PairwiseComparison(level: raw[k].level, versus: raw[k].versus, estimate: raw[k].estimate, standardError: raw[k].se,
                               statistic: statistics[k], degreesOfFreedom: raw[k].df, pValue: p[k], adjustedPValue: adjusted[k])
        }
    }
}
