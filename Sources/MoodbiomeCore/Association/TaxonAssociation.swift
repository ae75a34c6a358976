import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// Per-feature association as MaAsLin2 does it by default (Mallick et
/// al. 2021, *PLoS Comput. Biol.* 17:e1009442), with its numbers:
///
/// 1. the samples with every formula variable present;
/// 2. ``FeatureFilter`` on the raw values (prevalence above an abundance,
///    variance);
/// 3. ``FeatureNormalization`` over the kept features (TSS by default);
///    a sample with no reads in them is left out (it has no proportions);
/// 4. numeric metadata standardised (z-scores over the samples used, SD
///    n − 1, R's `scale`), as MaAsLin2's `standardize = TRUE`;
/// 5. ``FeatureTransform`` per feature (log₂ with half-minimum zeros by default);
/// 6. one linear model per feature, `feature ~ formula`, all features
///    fitted at once (``BatchLinearFit``) — or, with `model = .negbin`, a
///    negative binomial regression per feature (MaAsLin2's `NEGBIN`) on both
///    cores, Wald z tests;
/// 7. p-values adjusted across every feature × non-intercept coefficient
///    (Benjamini–Hochberg by default); rows sorted by q.
///
/// Or, in outcome mode (``init(table:metadata:outcome:covariates:family:options:)``),
/// the taxon is the predictor: `outcome ~ taxon + covariates` per feature.
public struct TaxonAssociation: Sendable {
    public struct Options: Sendable {
        public var filter = FeatureFilter()
        public var normalization = FeatureNormalization.tss
        public var transform = FeatureTransform.log
        public var model = FeatureModel.lm
        public var standardize = true
        public var adjustment = PValueAdjustment.benjaminiHochberg
        public var references: [String: String] = [:]

        public init() {}

        /// Checks the combinations that cannot work (a log of CLR values).
        public func validate() throws {
            if normalization == .clr && transform != .none { throw AssociationError.transformAfterCLR(transform) }
            // MaAsLin2 allows NEGBIN with CSS, TMM or no normalisation, and no transform.
            if model == .negbin && (normalization == .tss || normalization == .clr || transform != .none) {
                throw AssociationError.negativeBinomialNeedsCounts(normalization, transform)
            }
        }
    }

    /// One coefficient of one feature's model.
    public struct Row: Sendable {
        public let feature: String
        /// The design column (`phq9`, `sex[T.male]`), or the feature in outcome mode.
        public let term: String
        /// The term's variable (`sex`), for figures.
        public let variable: String
        public let estimate: Double
        public let standardError: Double
        public let statistic: Double
        public let pValue: Double
        public var qValue: Double
        public let n: Int
        /// Samples where the feature's raw value is above 0.
        public let nonZero: Int
        public let taxonomy: String?
        /// The t test's degrees of freedom (LinDA reports them).
        public var degreesOfFreedom: Double? = nil
        /// LinDA's baseMean: 2^(bias-corrected intercept), scaled to sum to 10⁶ over features.
        public var baseMean: Double? = nil
        /// ANCOM-BC2's pseudo-count sensitivity (R's `pseudo_sens`): whether
        /// the call at q ≤ 0.05 is the same with pseudo-counts 0.1, 0.5 and 1.
        public var passesSensitivity: Bool? = nil
    }

    /// Which method made the rows, with what it alone reports.
    public enum Method: Sendable {
        /// MaAsLin2's pipeline (or outcome mode).
        case maaslin2
        /// ``LinDA``: bias-corrected CLR models.
        case linda(LinDA.Details)
        /// ``ANCOMBC``: bias-corrected log-linear models.
        case ancombc(ANCOMBC.Details)
    }

    /// Every row, sorted by q (NaN last), ties in feature then term order.
    public let rows: [Row]
    public let filtered: [(feature: String, reason: FeatureFilter.Reason)]
    /// Samples used.
    public let samples: [String]
    /// Samples left out for a missing formula variable, and why.
    public let droppedForMissing: [String]
    public let exclusions: [DesignMatrix.Exclusion]
    /// Samples without reads in the kept features.
    public let emptyAfterFiltering: [String]
    /// The features tested, in table order.
    public let features: [String]
    /// The transformed values fitted (samples × features), for figures.
    public let transformed: ModelledValues
    /// The metadata of the samples used (standardised where numeric), for figures.
    public let data: DataTable
    public let options: Options
    /// The model (`~ …`, or `outcome ~ taxon + …`) as written.
    public let model: String
    /// The features whose model failed (logistic: separation), outcome mode.
    public let failedFeatures: [String]
    public let method: Method

    /// MaAsLin2's path: each feature on the formula's variables.
    ///
    /// With `random` terms (MaAsLin2's `random_effects`, e.g. `(1 | participant)`
    /// for repeated samples), each feature's model is a linear mixed model
    /// fitted as MaAsLin2 fits it — `lmerTest::lmer`, REML, Satterthwaite
    /// t tests (``LinearMixedModel``) — one feature at a time on both cores;
    /// a feature whose fit fails is listed, as MaAsLin2 returns NA for it.
    ///
    /// - Precondition: `metadata`'s rows are `table`'s samples, in order.
    public init(table: CountTable, metadata: DataTable, formula fixed: Formula, options: Options, random: [RandomTerm] = []) throws {
        precondition(metadata.ids == table.sampleIDs, "the metadata rows are the table's samples")
        try options.validate()
        let formula = fixed.adding(randomTerms: random)
        // 1. Samples with every variable present.
        let first = try DesignMatrix(formula: formula, data: metadata, references: options.references)
        // 2–3. Filters, and samples without reads in the kept features.
        let selection = try FeatureSelection(table, rows: first.rowIndices, options: options)
        // 4. Standardised numeric variables, over the samples used.
        var data = metadata.selectingRows(selection.rows)
        if options.standardize { data = Self.standardized(data, formula: fixed) }
        let design = try DesignMatrix(formula: formula, data: data, references: options.references)
        let n = design.x.rows
        guard n > design.x.columns else { throw AssociationError.tooFewSamples(samples: n, parameters: design.x.columns) }
        // 5. Dense block, normalised and transformed.
        let y = try selection.prepared(options)
        let names = selection.names, nonZero = selection.nonZero
        var out = [Row]()
        var failed = [String]()
        if options.model == .negbin {
            guard random.isEmpty else { throw AssociationError.negativeBinomialUnsupported(randomTerms: true) }
            // 6''. A negative binomial regression per feature.
            let values = y
            let fits = parallelChunkMap(count: names.count, minimumPerChunk: 2) { range in
                range.map { c -> [Coefficient]? in
                    var d = design
                    d.response = Array(values.column(c))
                    return (try? NegativeBinomialRegression(design: d))?.coefficients
                }
            }.flatMap { $0 }
            out = Self.rows(fits, design: design, names: names, n: n, nonZero: nonZero, taxonomy: selection.taxonomy, failed: &failed)
        } else if random.isEmpty {
            // 6. One factorisation for every feature.
            let fit = try BatchLinearFit(x: design.x, y: y)
            for c in 0..<names.count {
                for j in 0..<design.x.columns {
                    guard let t = design.columnTerms[j] else { continue }
                    out.append(Row(feature: names[c], term: design.columnNames[j], variable: Self.variable(of: design, term: t),
                                   estimate: fit.estimates[j, c], standardError: fit.standardErrors[j, c],
                                   statistic: fit.statistics[j, c], pValue: fit.pValues[j, c], qValue: .nan, n: n,
                                   nonZero: nonZero[c], taxonomy: selection.taxonomy?[c]))
                }
            }
        } else {
            // 6'. A mixed model per feature (the design and groups shared).
            let values = y, source = data.source
            let blocks = try RandomEffectsBlock.build(formula: design.formula, data: data, design: design)
            let fits = parallelChunkMap(count: names.count, minimumPerChunk: 2) { range in
                range.map { c -> [Coefficient]? in
                    var d = design
                    d.response = Array(values.column(c))
                    return (try? LinearMixedModel(design: d, blocks: blocks, source: source))?.coefficients
                }
            }.flatMap { $0 }
            out = Self.rows(fits, design: design, names: names, n: n, nonZero: nonZero, taxonomy: selection.taxonomy, failed: &failed)
        }
        self.rows = Self.adjusted(out, options.adjustment)
        self.filtered = selection.filtered
        self.samples = design.ids
        self.droppedForMissing = first.droppedIDs
        self.exclusions = first.exclusions
        self.emptyAfterFiltering = selection.emptyIDs
        self.features = names
        self.transformed = ModelledValues(y)
        self.data = data
        self.options = options
        self.model = formula.text
        self.failedFeatures = failed
        self.method = .maaslin2
    }

    /// The rows of per-feature fits (one coefficient list per feature, nil
    /// for a fit that failed, which is listed in `failed`), intercept aside.
    static func rows(_ fits: [[Coefficient]?], design: DesignMatrix, names: [String], n: Int, nonZero: [Int], taxonomy: [String]?,
                     failed: inout [String]) -> [Row] {
        var out = [Row]()
        for (c, coefficients) in fits.enumerated() {
            guard let coefficients else { failed.append(names[c]); continue }
            for (j, k) in coefficients.enumerated() {
                guard let t = design.columnTerms[j] else { continue }
                out.append(Row(feature: names[c], term: design.columnNames[j], variable: variable(of: design, term: t),
                               estimate: k.estimate ?? .nan, standardError: k.standardError ?? .nan,
                               statistic: k.statistic ?? .nan, pValue: k.pValue ?? .nan, qValue: .nan, n: n,
                               nonZero: nonZero[c], taxonomy: taxonomy?[c]))
            }
        }
        return out
    }

    /// Outcome mode: for each feature, `outcome ~ taxon + covariates`
    /// (OLS; logistic for a binomial family), the taxon transformed as
    /// above. Linear models share the covariates' QR: the taxon's
    /// coefficient, its SE and t are those of the full model
    /// (Frisch–Waugh–Lovell), never a refit per feature.
    public init(table: CountTable, metadata: DataTable, outcome: String, covariates: [String], family: ModelFamily,
                options: Options) throws {
        precondition(metadata.ids == table.sampleIDs, "the metadata rows are the table's samples")
        try options.validate()
        guard options.model == .lm else { throw AssociationError.negativeBinomialUnsupported(randomTerms: false) }
        let base = Formula.main(response: outcome, predictors: covariates)
        let first = try DesignMatrix(formula: base, data: metadata, references: options.references, binaryResponse: family == .binomial)
        let selection = try FeatureSelection(table, rows: first.rowIndices, options: options)
        let data = metadata.selectingRows(selection.rows)
        let design = try DesignMatrix(formula: base, data: data, references: options.references, binaryResponse: family == .binomial)
        let n = design.x.rows
        guard n > design.x.columns + 1 else { throw AssociationError.tooFewSamples(samples: n, parameters: design.x.columns + 1) }
        let y = try selection.prepared(options)
        let names = selection.names, nonZero = selection.nonZero
        var out = [Row]()
        var failed = [String]()
        switch family {
        case .gaussian:
            let stats = try Self.partialRegression(design: design, features: y)
            for c in 0..<names.count {
                out.append(Row(feature: names[c], term: names[c], variable: names[c], estimate: stats.estimate[c],
                               standardError: stats.se[c], statistic: stats.t[c], pValue: stats.p[c], qValue: .nan,
                               n: n, nonZero: nonZero[c], taxonomy: selection.taxonomy?[c]))
            }
        case .binomial:
            let column = "taxon"
            guard data[column] == nil else { throw AssociationError.taxonColumnClash(column) }
            let formula = Formula.main(response: outcome, predictors: [column] + covariates)
            let values = y
            let results = parallelChunkMap(count: names.count) { range -> [(Int, Coefficient?)] in
                range.map { c in
                    let table = data.appendingColumns([DataTable.Column(name: column, numbers: Array(values.column(c)))])
                    guard let d = try? DesignMatrix(formula: formula, data: table, binaryResponse: true),
                          let model = try? LogisticRegression(design: d) else { return (c, nil) }
                    return (c, model.coefficients.first { $0.name == column })
                }
            }.flatMap { $0 }
            for (c, coefficient) in results {
                if coefficient?.estimate == nil { failed.append(names[c]) }
                out.append(Row(feature: names[c], term: names[c], variable: names[c], estimate: coefficient?.estimate ?? .nan,
                               standardError: coefficient?.standardError ?? .nan, statistic: coefficient?.statistic ?? .nan,
                               pValue: coefficient?.pValue ?? .nan, qValue: .nan, n: n, nonZero: nonZero[c],
                               taxonomy: selection.taxonomy?[c]))
            }
        }
        self.rows = Self.adjusted(out, options.adjustment)
        self.filtered = selection.filtered
        self.samples = design.ids
        self.droppedForMissing = first.droppedIDs
        self.exclusions = first.exclusions
        self.emptyAfterFiltering = selection.emptyIDs
        self.features = names
        self.transformed = ModelledValues(y)
        self.data = data
        self.options = options
        self.model = "\(outcome) ~ taxon" + covariates.map { " + " + $0 }.joined()
        self.failedFeatures = failed
        self.method = .maaslin2
    }

    /// The taxon's coefficient in `y ~ taxon + Z` for every feature column
    /// of `x`: with `Q` the covariates' orthonormal basis, `r_y = y − QQᵀy`
    /// and `r_x = x − QQᵀx`, `β = r_xᵀr_y / r_xᵀr_x`, residuals `r_y − β r_x`
    /// on `n − rank(Z) − 1` degrees of freedom. A taxon within 1e-7 (in
    /// norm) of the covariates' span is aliased (NaN).
    static func partialRegression(design: DesignMatrix, features x: Matrix) throws -> (estimate: [Double], se: [Double], t: [Double], p: [Double]) {
        let qr = try PivotedQR(design.x)
        let q = try qr.thinQ().selectingColumns(Array(0..<qr.rank))
        let n = design.x.rows, m = x.columns
        var ry = design.response
        let qy = q.multiplied(by: ry, transpose: .transposed)
        let fy = q.multiplied(by: qy)
        for i in 0..<n { ry[i] -= fy[i] }
        var rx = x
        let projected = q.multiplied(by: q.multiplied(by: x, transposeSelf: .transposed))
        for k in rx.storage.indices { rx.storage[k] -= projected.storage[k] }
        let df = n - qr.rank - 1
        let distribution = df > 0 ? StudentT(degreesOfFreedom: Double(df)) : nil
        var estimate = [Double](repeating: .nan, count: m), se = estimate, t = estimate, p = estimate
        for c in 0..<m {
            var sxx = 0.0, sxy = 0.0, norm = 0.0
            for i in 0..<n {
                sxx += rx[i, c] * rx[i, c]
                sxy += rx[i, c] * ry[i]
                norm += x[i, c] * x[i, c]
            }
            guard sxx > 1e-14 * norm, df > 0 else { continue }
            let b = sxy / sxx
            var rss = 0.0
            for i in 0..<n { let e = ry[i] - b * rx[i, c]; rss += e * e }
            let s = (rss / Double(df) / sxx).squareRoot()
            estimate[c] = b
            se[c] = s
            t[c] = b / s
            p[c] = distribution.map { Swift.min(1, 2 * $0.sf(abs(b / s))) } ?? .nan
        }
        return (estimate, se, t, p)
    }

    /// q-values across every row, then rows sorted by q (stable; NaN last).
    static func adjusted(_ rows: [Row], _ method: PValueAdjustment) -> [Row] {
        let q = method.adjust(rows.map(\.pValue))
        var out = rows
        for i in out.indices { out[i].qValue = q[i] }
        return sortedByQ(out)
    }

    /// Rows sorted by q (stable; NaN last).
    static func sortedByQ(_ out: [Row]) -> [Row] {
        let order = out.indices.sorted { a, b in
            let (x, y) = (out[a].qValue, out[b].qValue)
            if x.isNaN != y.isNaN { return !x.isNaN }
            if x != y && !x.isNaN { return x < y }
            return a < b
        }
        return order.map { out[$0] }
    }


    static func variable(of design: DesignMatrix, term t: Int) -> String {
        design.formula.terms[t].factors.map { $0.plainColumn ?? $0.label }.joined(separator: ":")
    }

    /// Numeric formula variables as z-scores over the rows (R's `scale`,
    /// SD n − 1); columns a formula forces categorical (`C(x)`) are kept.
    static func standardized(_ data: DataTable, formula: Formula) -> DataTable {
        let forced = Set(formula.terms.flatMap { $0.factors.filter(\.isForcedCategorical).compactMap(\.plainColumn) })
        var replacements = [DataTable.Column]()
        for name in formula.variables where !forced.contains(name) {
            guard let column = data[name], column.kind == .numeric else { continue }
            let present = column.numbers.filter { !$0.isNaN }
            guard present.count > 1 else { continue }
            let mean = present.reduce(0, +) / Double(present.count)
            let sd = (present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(present.count - 1)).squareRoot()
            guard sd > 0 else { continue }
            replacements.append(DataTable.Column(name: name, numbers: column.numbers.map { $0.isNaN ? .nan : ($0 - mean) / sd }))
        }
        return data.replacingColumns(replacements)
    }
}

/// The values each feature was modelled on (samples × features), for
/// figures: held whole, or made again one feature at a time when asked for
/// (LinDA's fit from blocks of samples and ANCOM-BC never hold them all).
public struct ModelledValues: Sendable {
    private let make: @Sendable (Int) -> [Double]

    public init(_ matrix: Matrix) {
        self.make = { Array(matrix.column($0)) }
    }

    /// Values made by `column(c)` for feature `c` when asked for.
    init(column: @escaping @Sendable (Int) -> [Double]) {
        self.make = column
    }

    /// Feature `c`'s values, one per sample.
    public func column(_ c: Int) -> [Double] { make(c) }
}
