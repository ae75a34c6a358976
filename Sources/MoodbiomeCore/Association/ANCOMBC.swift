import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// ANCOM-BC: analysis of compositions of microbiomes with bias correction
/// (Lin & Peddada 2020, *Nature Communications* 11:3514), with the numbers
/// of scikit-bio 0.7.4's `skbio.stats.composition.ancombc`:
///
/// 1. the samples with every formula variable and at least `minimumDepth`
///    reads; the features present in at least `minimumPrevalence` of them;
/// 2. `y = ln(count + pseudoCount)` (ANCOM-BC takes no zeros: the pseudo-count
///    is the user's choice, 1 by default);
/// 3. one least-squares fit for all features, `β = Hᵀy` with
///    `H = X(XᵀX)⁻¹` (metadata as given, not standardised); residuals
///    centred per sample (each sample's mean residual over features is its
///    sampling-fraction offset θ);
/// 4. each coefficient's variance `Σᵢ eᵢ² Hᵢⱼ²` (a sandwich of the centred
///    residuals);
/// 5. for each design column, the bias δ of the features' coefficients by
///    ANCOM-BC's E–M: the coefficients as a three-part Gaussian mixture
///    (null at δ, negative at δ + l₁, positive at δ + l₂, the extra
///    variances κ₁, κ₂ found by SciPy's bounded Nelder–Mead at each M step,
///    ``NelderMead``), iterated until the parameters move less than
///    `tolerance` (1e-5) or `maxIterations` (100);
/// 6. `log FC = β − δ`, `SE = √var`, `W = logFC / SE`, `p = 2·Φ(−|W|)`,
///    q-values within each design column (Holm by default, as ANCOM-BC).
///
/// **ANCOM-BC2** (Lin & Peddada 2024, *Nature Methods* 21:83; scikit-bio
/// 0.7.4's `ancombc2` with a positive pseudo-count) goes on from step 5:
///
/// 2'. `y` is centred per feature (its mean over the samples subtracted);
/// 5'. besides δ, the variance of δ, `1 / Σ 1/(vᵢ + κ)` (κ₁ for the features
///    below the π₁ quantile of β, κ₂ for those at or above the 1 − π₂
///    quantile, 0 for the rest: scikit-bio's `_estimate_bias_var`);
/// 6'. each sample's sampling fraction `θᵢ = meanⱼ yᵢⱼ − xᵢ·meanⱼ βⱼ + xᵢ·δ`,
///    subtracted from its values;
/// 7'. the least-squares fit again on the corrected values, residuals not
///    re-centred; each variance `v` becomes `(√v + √var δ)²`, plus the
///    `varianceQuantile` quantile of that column's variances over the
///    features (the regularisation against tiny SEs of rare features; R's
///    `s0_perc`, 0.05);
/// 8'. `log FC = β`, `W = β / SE`, p from Student's t on `n − p` degrees of
///    freedom, q-values within each design column (Holm).
///
/// The samples × features block of `y` is not held: each feature's values
/// are made from its non-zeros when a step needs them (``CellBlock``; the
/// zeros are all `ln(pseudoCount)`), in the order the in-place updates of a
/// dense block would make them, so the same bits. Only a table so dense
/// that the whole block is no larger than its non-zeros is held dense.
/// Memory ∝ non-zeros + features × terms.
public enum ANCOMBC {
    /// Which of the two methods.
    public enum Variant: String, Sendable {
        /// ANCOM-BC (2020): the bias subtracted from the coefficients, z tests.
        case ancombc
        /// ANCOM-BC2 (2024): the sampling fractions subtracted from the data,
        /// the model refitted, variances regularised, t tests.
        case ancombc2
    }

    public struct Options: Sendable {
        public var variant = Variant.ancombc
        /// ANCOM-BC2: the quantile of each column's variances added to them.
        public var varianceQuantile = 0.05
        /// A categorical formula variable whose groups are checked for
        /// structural zeros (``StructuralZeros``); features absent from a
        /// group are reported and not tested.
        public var structuralZeroGroup: String? = nil
        /// The structural-zero test's `neg_lb`: a group's prevalence counts as
        /// zero when its 95% lower bound is.
        public var structuralZeroLowerBound = false
        public var pseudoCount = 1.0
        /// ANCOM-BC2: rerun with pseudo-counts 0.1, 0.5 and 1 and mark each
        /// call at q ≤ `sensitivityLevel` that does not survive them (R's
        /// `pseudo_sens`, on by default there).
        public var pseudoSensitivity = false
        public var sensitivityLevel = 0.05
        /// Keep features with a count above 0 in at least this share of samples.
        public var minimumPrevalence = 0.0
        /// Keep samples with at least this many reads.
        public var minimumDepth = 0.0
        public var tolerance = 1e-5
        public var maxIterations = 100
        public var adjustment = PValueAdjustment.holm
        public var references: [String: String] = [:]

        public init() {}
    }

    /// What ANCOM-BC reports beside the rows.
    public struct Details: Sendable {
        /// Per design column (the intercept first), the E–M bias δ (subtracted
        /// from the coefficients by ANCOM-BC, from the data through the
        /// sampling fractions by ANCOM-BC2), its variance, and the E–M
        /// iterations it took.
        public let bias: [(column: String, bias: Double, variance: Double, iterations: Int)]
        /// The structural zeros found, when asked for.
        public let structuralZeros: StructuralZeros?
        /// ANCOM-BC2's t tests: n − p (nil when each feature has its own:
        /// its observed samples less its design rank, with zeros missing).
        public let degreesOfFreedom: Int?
        /// ANCOM-BC2 with zeros missing: the features whose observed samples
        /// leave a categorical variable with one level (R's `lm` fails;
        /// reported with no estimate, p = 1).
        public let unfittable: [String]
        /// Samples below the minimum depth, left out.
        public let shallowSamples: [String]
        public let options: Options
    }
}

extension TaxonAssociation {
    /// ANCOM-BC's or ANCOM-BC2's path (``ANCOMBC``) on `table`'s counts.
    ///
    /// - Precondition: `metadata`'s rows are `table`'s samples, in order.
    public init(ancombc table: CountTable, metadata: DataTable, formula: Formula, options: ANCOMBC.Options) throws {
        precondition(metadata.ids == table.sampleIDs, "the metadata rows are the table's samples")
        let first = try DesignMatrix(formula: formula, data: metadata, references: options.references)
        let selection = try DepthAndPrevalence(table, rows: first.rowIndices, minimumDepth: options.minimumDepth,
                                               minimumPrevalence: options.minimumPrevalence)
        let counts = selection.counts, rows = selection.rows
        let data = metadata.selectingRows(rows)
        let design = try DesignMatrix(formula: formula, data: data, references: options.references)
        let n = design.x.rows, p = design.x.columns
        guard n > p else { throw AssociationError.tooFewSamples(samples: n, parameters: p) }
        var kept = selection.kept, filtered = selection.filtered
        let zeros = try options.structuralZeroGroup.map { group in
            try StructuralZeros(counts, features: kept, data: data, formula: formula, group: group, lowerBound: options.structuralZeroLowerBound)
        }
        try zeros?.setAside(&kept, filtered: &filtered, in: counts)
        let names = kept.map { counts.taxonIDs[$0] }, taxonomy = counts.taxonomy.map { t in kept.map { t[$0] } }, m = names.count
        // Per feature, the samples where it is above 0 (every stored count is).
        let nonZero = kept.map { selection.present[$0] }
        let masked = options.variant == .ancombc2 && options.pseudoCount == 0
        let block = !masked && CellBlock.denseIsSmaller(samples: n, features: m, entries: nonZero.reduce(0, +))
            ? CellBlock(dense: FeatureBlock(counts, features: kept, findingEmpty: false).values)
            : CellBlock(sparse: FeatureColumns(counts, features: kept), absent: 0)
        let a = try ANCOMBC.analyse(consume block, design: design, data: data, options: options)
        let (info, estimates, variances, degreesOfFreedom, featureDF) = (a.info, a.estimates, a.variances, a.degreesOfFreedom, a.featureDF)
        let biases = (0..<p).map { (column: design.columnNames[$0], bias: a.em[$0].delta, variance: a.em[$0].variance, iterations: a.em[$0].iterations) }
        let normal = Normal(), t = degreesOfFreedom.map { StudentT(degreesOfFreedom: Double($0)) }
        let tests = featureDF.map { $0.map { $0.isNaN ? nil : StudentT(degreesOfFreedom: $0) } }
        var out = [Row]()
        for j in 0..<p {
            guard let term = design.columnTerms[j] else { continue }
            let variable = Self.variable(of: design, term: term)
            out += (0..<m).map { c -> Row in
                // A feature R's lm cannot fit: no estimate, p = 1 (as R and scikit-bio report it).
                guard info.valid[c] else {
                    var row = Row(feature: names[c], term: design.columnNames[j], variable: variable, estimate: .nan, standardError: .nan,
                                  statistic: .nan, pValue: 1, qValue: .nan, n: n, nonZero: nonZero[c], taxonomy: taxonomy?[c])
                    row.degreesOfFreedom = featureDF?[c] ?? degreesOfFreedom.map(Double.init)
                    return row
                }
                let lfc = estimates[j, c], se = variances[c, j].squareRoot(), w = lfc / se
                let test: StudentT? = tests.map { $0[c] } ?? t
                let p = w.isNaN ? Double.nan : featureDF != nil && test == nil ? Double.nan : 2 * (test.map { $0.sf(abs(w)) } ?? normal.sf(abs(w)))
                var row = Row(feature: names[c], term: design.columnNames[j], variable: variable, estimate: lfc, standardError: se,
                              statistic: w, pValue: p, qValue: .nan, n: n, nonZero: nonZero[c], taxonomy: taxonomy?[c])
                row.degreesOfFreedom = featureDF?[c] ?? degreesOfFreedom.map(Double.init)
                return row
            }
        }
        var adjusted = Self.adjustedWithinTerms(out, options.adjustment)
        if options.variant == .ancombc2 && options.pseudoSensitivity {
            adjusted = try Self.withSensitivity(adjusted, table: table, metadata: metadata, formula: formula, options: options)
        }
        self.rows = adjusted
        self.filtered = filtered
        self.samples = design.ids
        self.droppedForMissing = first.droppedIDs
        self.exclusions = first.exclusions
        self.emptyAfterFiltering = []
        self.features = names
        self.transformed = ModelledValues(column: { [values = a.values] c in values.column(c) })
        self.data = data
        var shown = Options()
        shown.filter.minimumPrevalence = options.minimumPrevalence
        shown.normalization = .none
        shown.transform = .none
        shown.standardize = false
        shown.adjustment = options.adjustment
        shown.references = options.references
        self.options = shown
        self.model = formula.text
        self.failedFeatures = []
        self.method = .ancombc(ANCOMBC.Details(bias: biases, structuralZeros: zeros, degreesOfFreedom: degreesOfFreedom,
                                               unfittable: (0..<m).filter { !info.valid[$0] }.map { names[$0] },
                                               shallowSamples: selection.shallow, options: options))
    }
}

extension ANCOMBC {
    /// What the fits give the rows: which features R can fit, the estimates
    /// (p × features) and variances (features × p), each column's E–M bias,
    /// the t tests' degrees of freedom (one for all, or per feature), and
    /// the values modelled last (ANCOM-BC2's corrected for the sampling fractions).
    struct Analysis {
        let info: FitInfo
        let estimates: Matrix
        let variances: Matrix
        let em: [(delta: Double, variance: Double, iterations: Int)]
        let degreesOfFreedom: Int?
        let featureDF: [Double]?
        let values: CellBlock
    }

    /// Steps 2–8 of ``ANCOMBC`` on the kept counts (absent cells 0).
    static func analyse(_ counts: consuming CellBlock, design: DesignMatrix, data: DataTable, options: Options) throws -> Analysis {
        // ANCOM-BC2 without a pseudo-count: zeros are missing values (``ANCOMBC`` zeros route).
        guard options.variant == .ancombc2 && options.pseudoCount == 0 else {
            return try pseudoCountAnalysis(consume counts, design: design, options: options)
        }
        guard case .sparse(let columns) = counts.storage else { preconditionFailure("the zeros route takes sparse columns") }
        return try maskedAnalysis(columns, design: design, data: data, options: options)
    }

    /// ANCOM-BC, or ANCOM-BC2 with a pseudo-count: every cell `ln(count + pseudo-count)`.
    static func pseudoCountAnalysis(_ counts: consuming CellBlock, design: DesignMatrix, options: Options) throws -> Analysis {
        var y = ANCOMBC.logs(consume counts, pseudoCount: options.pseudoCount, centring: options.variant == .ancombc2)
        let n = design.x.rows, p = design.x.columns, m = y.columns
        let fit = try ANCOMBC.fit(design.x, y, names: design.columnNames, centring: true)
        let valid = [Bool](repeating: true, count: m)
        let em = try emBiases(fit.beta, fit.variance, valid: valid, names: design.columnNames, options: options)
        var estimates = fit.beta, variances = fit.variance
        var degreesOfFreedom: Int? = nil
        if options.variant == .ancombc2 {
            y.sampleShifts = ANCOMBC.samplingFractions(y, design.x, beta: fit.beta, bias: em.map(\.delta))
            let refit = try ANCOMBC.fit(design.x, y, names: design.columnNames, centring: false)
            estimates = refit.beta
            variances = ANCOMBC.regularised(refit.variance, biasVariance: em.map(\.variance), quantile: options.varianceQuantile)
            degreesOfFreedom = n - p
        } else {
            for j in 0..<p { for c in 0..<m { estimates[j, c] -= em[j].delta } }
        }
        return Analysis(info: FitInfo(valid: valid, rebased: [], intercept: nil), estimates: estimates, variances: variances, em: em,
                        degreesOfFreedom: degreesOfFreedom, featureDF: nil, values: y)
    }

    /// ANCOM-BC2 with its zeros as missing values (``ANCOMBC`` zeros route).
    static func maskedAnalysis(_ counts: consuming FeatureColumns, design: DesignMatrix, data: DataTable, options: Options) throws -> Analysis {
        var y = ANCOMBC.observedLogs(consume counts)
        let info = ANCOMBC.fitInfo(design, data: data, observed: y)
        let gram = ANCOMBC.maskedGramInverses(design.x, observed: y)
        let fit = try ANCOMBC.maskedFit(design.x, y, gram: gram, info: info, biased: true, names: design.columnNames)
        let em = try emBiases(fit.beta, fit.variance, valid: info.valid, names: design.columnNames, options: options)
        ANCOMBC.subtractMaskedFractions(&y, design.x, beta: fit.beta, bias: em.map(\.delta), valid: info.valid)
        let refit = try ANCOMBC.maskedFit(design.x, y, gram: gram, info: info, biased: false, names: design.columnNames)
        let featureDF = (0..<y.features).map { c in
            let seen = y.range(c).count
            return seen > refit.ranks[c] ? Double(seen - refit.ranks[c]) : .nan
        }
        return Analysis(info: info, estimates: refit.beta,
                        variances: ANCOMBC.regularised(refit.variance, biasVariance: em.map(\.variance), quantile: options.varianceQuantile),
                        em: em, degreesOfFreedom: nil, featureDF: featureDF, values: CellBlock(sparse: y, absent: 0))
    }

    /// The E–M of each design column over the fittable features (finite
    /// variances), columns on all cores.
    static func emBiases(_ beta: Matrix, _ variance: Matrix, valid: [Bool], names: [String], options: Options) throws
        -> [(delta: Double, variance: Double, iterations: Int)] {
        let fittable = valid.indices.filter { valid[$0] }
        return try parallelChunkMap(count: beta.rows) { range throws(AssociationError) in
            try range.map { j throws(AssociationError) -> (delta: Double, variance: Double, iterations: Int) in
                let used = fittable.filter { variance[$0, j].isFinite }
                guard !used.isEmpty else { throw AssociationError.noFeatureFittable(column: names[j]) }
                return ANCOMBC.emBias(beta: used.map { beta[j, $0] }, variance: used.map { variance[$0, j] },
                                      tolerance: options.tolerance, maxIterations: options.maxIterations)
            }
        }.flatMap { $0 }
    }
}

extension TaxonAssociation {
    /// ANCOM-BC2's pseudo-count sensitivity analysis (R's `pseudo_sens`,
    /// as scikit-bio 0.7.4's documentation runs it): the whole analysis again
    /// with pseudo-counts 0.1, 0.5 and 1 (the same features), and each row
    /// passes when its call at q ≤ the level is the same in all of them.
    static func withSensitivity(_ rows: [Row], table: CountTable, metadata: DataTable, formula: Formula, options: ANCOMBC.Options) throws -> [Row] {
        let level = options.sensitivityLevel
        var decisions = [String: Bool]()
        for r in rows { decisions[r.feature + "\u{0}" + r.term] = r.qValue <= level }
        var passes = [String: Bool]()
        for pseudoCount in [0.1, 0.5, 1] {
            var o = options
            o.pseudoSensitivity = false
            o.pseudoCount = pseudoCount
            let again = try TaxonAssociation(ancombc: table, metadata: metadata, formula: formula, options: o)
            for r in again.rows {
                let key = r.feature + "\u{0}" + r.term
                if decisions[key] != (r.qValue <= level) { passes[key] = false }
            }
        }
        return rows.map { r in
            var row = r
            row.passesSensitivity = passes[r.feature + "\u{0}" + r.term] ?? true
            return row
        }
    }
}

extension ANCOMBC {
    /// `ln(count + pseudoCount)` of every cell, held sparse: the non-zeros'
    /// logs, and `ln(pseudoCount)` for every zero; with `centring`
    /// (ANCOM-BC2), each feature's mean over the samples (all of them, in
    /// order) subtracted. Whole counts below 4,096 take their logarithm
    /// from a table made with the same `log` (the same bits, a lookup
    /// instead of a call).
    static func logs(_ counts: consuming CellBlock, pseudoCount: Double, centring: Bool) -> CellBlock {
        let table = logTable(pseudoCount: pseudoCount)
        var block = consume counts
        block.transformValues { logarithm(of: $0, pseudoCount: pseudoCount, table: table) }
        guard centring else { return block }
        let n = block.rows, uncentred = block
        block.featureShifts = parallelChunkMap(count: block.columns, minimumPerChunk: 16) { range in
            var column = [Double](repeating: 0, count: n)
            return column.withUnsafeMutableBufferPointer { column in
                range.map { c in
                    uncentred.column(c, samples: 0..<n, into: column.baseAddress!)
                    var sum = 0.0
                    for i in 0..<n { sum += column[i] }
                    return sum / Double(n)
                }
            }
        }.flatMap { $0 }
        return block
    }

    /// `ln(Double(k) + pseudoCount)` for the whole counts k below ``tabulatedCounts``.
    static func logTable(pseudoCount: Double) -> [Double] {
        (0..<tabulatedCounts).map { log(Double($0) + pseudoCount) }
    }

    /// `ln(count + pseudoCount)`, from `table` when the count is a whole number in it.
    @inline(__always)
    static func logarithm(of count: Double, pseudoCount: Double, table: [Double]) -> Double {
        count >= 0 && count < Double(table.count) && Double(Int(count)) == count ? table[Int(count)] : log(count + pseudoCount)
    }

    /// The whole counts whose logarithms ``logs(_:pseudoCount:centring:)`` tabulates.
    static let tabulatedCounts = 4096

    /// ANCOM-BC2's sampling fractions, `θᵢ = meanⱼ yᵢⱼ − xᵢ·meanⱼ βⱼ + xᵢ·δ`
    /// (scikit-bio's `_sample_fractions`), to be subtracted from each sample's values.
    static func samplingFractions(_ y: CellBlock, _ x: Matrix, beta: Matrix, bias: [Double]) -> [Double] {
        let n = y.rows, m = y.columns, p = x.columns
        var theta = y.sampleSums()
        var meanBeta = [Double](repeating: 0, count: p)
        for j in 0..<p { var sum = 0.0; for c in 0..<m { sum += beta[j, c] }; meanBeta[j] = sum / Double(m) }
        for i in 0..<n {
            theta[i] /= Double(m)
            var fitted = 0.0, shift = 0.0
            for j in 0..<p { fitted += x[i, j] * meanBeta[j]; shift += x[i, j] * bias[j] }
            theta[i] = theta[i] - fitted + shift
        }
        return theta
    }

    /// ANCOM-BC2's variances: `(√v + √var δ)²`, then each column's
    /// `quantile` quantile over the features added (none when 0).
    static func regularised(_ variance: Matrix, biasVariance: [Double], quantile q: Double) -> Matrix {
        var out = variance
        for j in 0..<variance.columns {
            let sd = biasVariance[j].squareRoot()
            for c in 0..<variance.rows { let s = variance[c, j].squareRoot() + sd; out[c, j] = s * s }
            guard q > 0 else { continue }
            let sorted = Array(out.column(j)).filter { !$0.isNaN }.sorted()
            guard !sorted.isEmpty else { continue }
            let offset = quantile(sorted: sorted, q)
            for c in 0..<variance.rows { out[c, j] += offset }
        }
        return out
    }
}

extension ANCOMBC {
    /// The least-squares coefficients (p × features) and their variances
    /// (features × p) from residuals centred per sample (with `centring`;
    /// ANCOM-BC2's second fit takes them as they are). Plain loops in a
    /// fixed order, features on all cores (p is small): the same bits under
    /// any BLAS kernel or thread count, so the E–M that follows takes the
    /// same path everywhere. Each coefficient's and variance's sum runs over
    /// the samples in order; all p of them advance together (``RowMajorSums``),
    /// which changes no sum's order.
    static func fit(_ x: Matrix, _ y: CellBlock, names: [String], centring: Bool) throws -> (beta: Matrix, variance: Matrix) {
        let n = x.rows, p = x.columns, m = y.columns
        // H = X (XᵀX)⁻¹.
        var gram = Matrix(rows: p, columns: p)
        for a in 0..<p { for b in 0..<p { var sum = 0.0; for i in 0..<n { sum += x[i, a] * x[i, b] }; gram[a, b] = sum } }
        guard let gramInverse = smallInverse(gram) else { throw AssociationError.aliasedDesign(columns: names) }
        var h = Matrix(rows: n, columns: p)
        for j in 0..<p { for i in 0..<n { var sum = 0.0; for k in 0..<p { sum += x[i, k] * gramInverse[k, j] }; h[i, j] = sum } }
        let hRows = RowMajorSums(h)
        // Per feature: β = Hᵀy.
        var beta = Matrix(rows: p, columns: m)
        beta.withParallelWriter { b in
            _ = parallelChunkMap(count: m, minimumPerChunk: 16) { range in
                var cells = [Double](repeating: 0, count: n)
                cells.withUnsafeMutableBufferPointer { cells in
                    for c in range {
                        y.column(c, samples: 0..<n, into: cells.baseAddress!)
                        hRows.sums(weights: cells.baseAddress!, into: b.column(c))
                    }
                }
            }
        }
        // The residuals y − Xβ are made where they are used, never stored whole.
        let residuals = Residuals(x: x, y: y, beta: beta)
        let theta = centring ? residuals.sampleMeans() : [Double](repeating: 0, count: n)
        let h2 = RowMajorSums(h, squared: true)
        var variance = Matrix(rows: m, columns: p)
        variance.withParallelWriter { v in
            _ = parallelChunkMap(count: m, minimumPerChunk: 16) { range in
                var squared = [Double](repeating: 0, count: 2 * n)
                var sums = [Double](repeating: 0, count: p)
                squared.withUnsafeMutableBufferPointer { e in
                    for c in range {
                        residuals.column(c, samples: 0..<n, into: e.baseAddress!, scratch: e.baseAddress! + n)
                        for i in 0..<n { let d = e[i] - theta[i]; e[i] = d * d }
                        sums.withUnsafeMutableBufferPointer { h2.sums(weights: UnsafePointer(e.baseAddress!), into: $0) }
                        for j in 0..<p { v.column(j)[c] = sums[j] }
                    }
                }
            }
        }
        return (beta, variance)
    }

    /// The least-squares residuals `y − Xβ`, one feature's at a time: the
    /// fitted values summed over the design columns in order, then taken
    /// from y.
    struct Residuals: Sendable {
        let x: [Double], y: CellBlock, beta: [Double]
        let n: Int, p: Int, m: Int

        init(x: Matrix, y: CellBlock, beta: Matrix) {
            self.x = x.storage
            self.y = y
            self.beta = beta.storage
            n = x.rows
            p = x.columns
            m = y.columns
        }

        /// Feature `c`'s residuals at `samples`, written from `out` on
        /// (`scratch` holds as many cells, for y).
        func column(_ c: Int, samples: Range<Int>, into out: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) {
            let count = samples.count, first = samples.lowerBound
            y.column(c, samples: samples, into: scratch)
            x.withUnsafeBufferPointer { xp in
                for k in 0..<count { out[k] = 0 }
                for j in 0..<p {
                    let bj = beta[j + c * p], column = first + j * n
                    for k in 0..<count { out[k] += xp[column + k] * bj }
                }
                for k in 0..<count { out[k] = scratch[k] - out[k] }
            }
        }

        /// θ: each sample's mean residual over the features, each sum in
        /// feature order; samples on all cores.
        func sampleMeans() -> [Double] {
            parallelChunkMap(count: n, minimumPerChunk: 64) { range in
                var sums = [Double](repeating: 0, count: range.count)
                var residual = [Double](repeating: 0, count: 2 * range.count)
                residual.withUnsafeMutableBufferPointer { r in
                    for c in 0..<m {
                        column(c, samples: range, into: r.baseAddress!, scratch: r.baseAddress! + range.count)
                        for k in 0..<range.count { sums[k] += r[k] }
                    }
                }
                return sums.map { $0 / Double(m) }
            }.flatMap { $0 }
        }
    }

    /// An n × p matrix row by row, for the sums `Σᵢ hᵢⱼ wᵢ` of all j at once
    /// (each over i in order; the p sums advance together).
    struct RowMajorSums: Sendable {
        let rows: Int, columns: Int
        let storage: [Double]

        init(_ h: Matrix, squared: Bool = false) {
            rows = h.rows
            columns = h.columns
            var storage = [Double](repeating: 0, count: rows * columns)
            for j in 0..<columns {
                for i in 0..<rows { let v = h[i, j]; storage[i * columns + j] = squared ? v * v : v }
            }
            self.storage = storage
        }

        /// `out[j] = Σᵢ hᵢⱼ wᵢ`, i in order, for every column j.
        func sums(weights w: UnsafePointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
            let p = columns
            guard let o = out.baseAddress else { return }
            var j = 0
            while j < p { o[j] = 0; j += 1 }
            storage.withUnsafeBufferPointer { hp in
                guard let h = hp.baseAddress else { return }
                var i = 0
                while i < rows {
                    let wi = w[i], row = h + i * p
                    j = 0
                    while j < p { o[j] += row[j] * wi; j += 1 }
                    i += 1
                }
            }
        }
    }

    /// The inverse of a small symmetric positive-definite matrix by a
    /// Cholesky factorisation `A = LLᵀ` in plain loops (not LAPACK, whose
    /// kernels round differently from CPU to CPU); nil when `A` is not
    /// positive definite (relative pivot below 1e-12: aliased columns).
    static func smallInverse(_ a: Matrix) -> Matrix? {
        let p = a.rows
        var l = Matrix(rows: p, columns: p)
        for j in 0..<p {
            var d = a[j, j]
            for k in 0..<j { d -= l[j, k] * l[j, k] }
            guard d > 1e-12 * Swift.max(a[j, j], 1e-300) else { return nil }
            l[j, j] = d.squareRoot()
            for i in (j + 1)..<Swift.max(p, j + 1) {
                var sum = a[i, j]
                for k in 0..<j { sum -= l[i, k] * l[j, k] }
                l[i, j] = sum / l[j, j]
            }
        }
        var inverse = Matrix(rows: p, columns: p)
        for c in 0..<p {
            // L z = e_c, then Lᵀ x = z.
            var z = [Double](repeating: 0, count: p)
            for i in 0..<p {
                var sum = i == c ? 1.0 : 0.0
                for k in 0..<i { sum -= l[i, k] * z[k] }
                z[i] = sum / l[i, i]
            }
            for i in stride(from: p - 1, through: 0, by: -1) {
                var sum = z[i]
                for k in (i + 1)..<Swift.max(p, i + 1) { sum -= l[k, i] * inverse[k, c] }
                inverse[i, c] = sum / l[i, i]
            }
        }
        return inverse
    }
}

