import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// LinDA: linear models for differential abundance on centred log-ratios,
/// with the compositional bias of each coefficient estimated and removed
/// (Zhou, He, Chen, Zhang & Zhang 2022, *Genome Biology* 23:95; R package
/// LinDA 0.2.0, whose numbers these are):
///
/// 1. the samples with every formula variable and at least `minimumDepth`
///    reads (`lib.cut`); the features present in at least
///    `minimumPrevalence` of them (`prev.cut`, a share); samples left
///    without reads in those features dropped;
/// 2. numeric fixed-effect variables scaled (z-scores, R's `scale`);
/// 3. optionally each feature's proportions winsorised at its
///    `winsorQuantile` (type-7 quantile over samples), counts rounded back;
/// 4. zeros, when there are any: with `.adaptive`, `log(depth) ~ formula`
///    is fitted (OLS, or the mixed model with random terms) and if any
///    coefficient has p ≤ `correlationCutoff` the depth goes with the design
///    and zeros are imputed — each zero of feature i in sample j becomes
///    `N_j / max{N_k : feature i is 0 in k}` — otherwise `pseudoCount` is
///    added to every count;
/// 5. `W = log₂ Y` centred per sample (CLR in log₂);
/// 6. `W ~ formula` per feature: one QR for all features (OLS, `df = n − p`),
///    or a linear mixed model per feature with `random` terms (lmerTest's
///    REML fit, Satterthwaite's df), as ``TaxonAssociation`` fits them;
/// 7. for each coefficient the bias is the mode of `√n·β` over the
///    features (``ModeEstimation/meanShiftMode(_:bandwidth:start:iterations:tolerance:)``,
///    modeest's mean shift with a Gaussian kernel) over `√n`; the
///    log₂ fold change is `β − bias`, its SE the model's, `t = lfc/SE`,
///    `p = 2·P(T_df > |t|)`, q-values within each term (LinDA adjusts per
///    variable); `baseMean = 2^(intercept − its bias)`, scaled to sum to 10⁶.
public enum LinDA {
    /// How zeros are treated (LinDA's `adaptive`, `imputation`, `pseudo.cnt`).
    public enum Zeros: String, Sendable, CaseIterable {
        /// Imputation when log depth goes with the design, else a pseudo-count (LinDA's default).
        case adaptive
        /// Always `pseudoCount` added.
        case pseudocount
        /// Always the depth-scaled imputation.
        case imputation
        /// Each feature's zeros at half its smallest non-zero value (LinDA's
        /// `type = "proportion"`: for abundances that are not counts, such
        /// as relative abundances or module abundances).
        case halfMinimum = "half-minimum"
    }

    /// What was done to the zeros.
    public enum ZeroTreatment: String, Sendable {
        /// The table had none.
        case none
        case pseudocount = "pseudo-count"
        case imputation
        case halfMinimum = "half-minimum"
    }

    public struct Options: Sendable {
        /// Keep features with a count above 0 in at least this share of samples.
        public var minimumPrevalence = 0.0
        /// Keep samples with at least this many reads (over every feature).
        public var minimumDepth = 1.0
        /// Winsorise each feature's proportions at this quantile (nil: not).
        public var winsorQuantile: Double? = nil
        public var zeros = Zeros.adaptive
        public var pseudoCount = 0.5
        /// p at or below which log depth is taken to go with a covariate.
        public var correlationCutoff = 0.1
        public var adjustment = PValueAdjustment.benjaminiHochberg
        public var references: [String: String] = [:]

        public init() {}
    }

    /// LinDA's own results beside the rows.
    public struct Details: Sendable {
        /// Per design column (the intercept first), the bias subtracted.
        public let bias: [(column: String, bias: Double)]
        public let zeroTreatment: ZeroTreatment
        /// With `.adaptive` and zeros: the p of each coefficient of `log(depth) ~ formula`.
        public let depthAssociation: [(column: String, pValue: Double)]
        /// Samples below the minimum depth, left out.
        public let shallowSamples: [String]
        public let options: Options
    }
}

extension TaxonAssociation {
    /// LinDA's path (``LinDA``) on `table`'s counts.
    ///
    /// - Precondition: `metadata`'s rows are `table`'s samples, in order.
    public init(linda table: CountTable, metadata: DataTable, formula fixed: Formula, options: LinDA.Options,
                random: [RandomTerm] = []) throws {
        precondition(metadata.ids == table.sampleIDs, "the metadata rows are the table's samples")
        let formula = fixed.adding(randomTerms: random)
        // 1. Samples with every variable and enough reads; prevalent features.
        let first = try DesignMatrix(formula: formula, data: metadata, references: options.references)
        // With half-minimum zeros a feature absent everywhere has no smallest
        // value (LinDA would give it infinite log-ratios): it is left out.
        let selection = try DepthAndPrevalence(table, rows: first.rowIndices, minimumDepth: options.minimumDepth,
                                               minimumPrevalence: options.minimumPrevalence, requirePresent: options.zeros == .halfMinimum)
        let counts = selection.counts, deep = selection.rows
        let tallies = FeatureTallies(counts, features: selection.kept, findingEmpty: true)
        var kept = counts, rows = deep, depth = tallies.totals
        if !tallies.emptySamples.isEmpty {
            let empty = Set(tallies.emptySamples)
            let keep = (0..<deep.count).filter { !empty.contains($0) }
            (kept, rows, depth) = (counts.selectingSamples(keep), keep.map { deep[$0] }, keep.map { depth[$0] })
        }
        // 2. Scaled numeric variables, the design.
        let data = Self.standardized(metadata.selectingRows(rows), formula: fixed)
        let design = try DesignMatrix(formula: formula, data: data, references: options.references)
        let n = design.x.rows, p = design.x.columns
        guard n > p else { throw AssociationError.tooFewSamples(samples: n, parameters: p) }
        let blocks = random.isEmpty ? [] : try RandomEffectsBlock.build(formula: design.formula, data: data, design: design)
        // 3–5. Winsorised, zeros treated, CLR in log₂.
        // 6. The models.
        let (fits, modelled, treatment, depthAssociation) = try LinDA.fitLogRatios(
            kept, features: selection.kept, holders: tallies.nonZeroCounts, depth: depth,
            design: design, blocks: blocks, source: data.source, options: options)
        // 7. Biases, corrected rows, q-values per term.
        let names = tallies.names
        let root = Double(n).squareRoot()
        // Each coefficient's mode on its own core.
        let estimates = fits.estimate, features = names.count
        let bias = parallelChunkMap(count: p) { columns in
            columns.map { j -> Double in
                let scaled = (0..<features).compactMap { c -> Double? in estimates[j, c].isNaN ? nil : root * estimates[j, c] }
                return ModeEstimation.meanShiftMode(scaled) / root
            }
        }.flatMap { $0 }
        var baseMean = [Double](repeating: .nan, count: names.count)
        if let intercept = design.columnTerms.firstIndex(where: { $0 == nil }) {
            let raw = (0..<names.count).map { pow(2, fits.estimate[intercept, $0] - bias[intercept]) }
            let total = raw.filter { !$0.isNaN }.reduce(0, +)
            baseMean = raw.map { $0 / total * 1e6 }
        }
        // The rows term by term, their t tests on all cores.
        let terms = (0..<p).compactMap { j in design.columnTerms[j].map { (j, Self.variable(of: design, term: $0)) } }
        let (columnNames, nonZero, taxonomy, mean) = (design.columnNames, tallies.nonZeroCounts, tallies.taxonomy, baseMean)
        let out = parallelChunkMap(count: terms.count * features, minimumPerChunk: 256) { range in
            range.map { k -> Row in
                let (j, variable) = terms[k / features], c = k % features
                let lfc = fits.estimate[j, c] - bias[j], se = fits.standardError[j, c], df = fits.df[j, c]
                let statistic = lfc / se
                let pValue = statistic.isNaN || !(df > 0) ? Double.nan : Swift.min(1, 2 * StudentT(degreesOfFreedom: df).sf(abs(statistic)))
                return Row(feature: names[c], term: columnNames[j], variable: variable,
                           estimate: lfc, standardError: se, statistic: statistic, pValue: pValue, qValue: .nan, n: n,
                           nonZero: nonZero[c], taxonomy: taxonomy?[c], degreesOfFreedom: df, baseMean: mean[c])
            }
        }.flatMap { $0 }
        self.rows = Self.adjustedWithinTerms(out, options.adjustment)
        self.filtered = selection.filtered
        self.samples = design.ids
        self.droppedForMissing = first.droppedIDs
        self.exclusions = first.exclusions
        self.emptyAfterFiltering = tallies.emptySamples.map { counts.sampleIDs[$0] }
        self.features = names
        self.transformed = modelled
        self.data = data
        var shown = Options()
        shown.filter.minimumPrevalence = options.minimumPrevalence
        shown.normalization = .clr
        shown.transform = .none
        shown.adjustment = options.adjustment
        shown.references = options.references
        self.options = shown
        self.model = formula.text
        self.failedFeatures = (0..<names.count).filter { c in (0..<p).allSatisfy { fits.estimate[$0, c].isNaN } }.map { names[$0] }
        self.method = .linda(LinDA.Details(bias: (0..<p).map { (design.columnNames[$0], bias[$0]) }, zeroTreatment: treatment,
                                           depthAssociation: depthAssociation, shallowSamples: selection.shallow, options: options))
    }
}

extension LinDA {
    /// Each feature's proportions capped at their `quantile` over the
    /// samples, counts rounded back (half to even, as R's `round`), as
    /// LinDA's `winsor.fun`: `P = Y/N`, `P[P > cut] = cut`, `Y = round(P·N)`.
    static func winsorize(_ y: inout Matrix, quantile q: Double) {
        let n = y.rows, m = y.columns
        let depth = depths(y)
        for c in 0..<m {
            let proportions = (0..<n).map { y[$0, c] / depth[$0] }
            let cut = quantile(sorted: proportions.sorted(), q)
            for i in 0..<n { y[i, c] = (Swift.min(proportions[i], cut) * depth[i]).rounded(.toNearestOrEven) }
        }
    }

    /// Steps 3–5 on `table`'s `features` as a dense block (its samples the
    /// design's rows, each with reads; `holders` the samples holding each
    /// feature, `depth` each sample's total over the features), for the
    /// mixed models and winsorisation: the centred log₂ values, what was
    /// done to the zeros, and the depth test's p-values when it was run.
    /// Without winsorisation straight from the non-zeros (``centredLog2(_:features:holders:treatment:pseudoCount:depth:)``);
    /// with it on the dense block, whose winsorised depths decide.
    static func logRatios(_ table: CountTable, features: [Int], holders: [Int], depth: [Double], design: DesignMatrix,
                          blocks: [RandomEffectsBlock], source: String,
                          options: Options) throws -> (Matrix, ZeroTreatment, [(column: String, pValue: Double)]) {
        guard let q = options.winsorQuantile else {
            let hasZeros = holders.reduce(0, +) < table.sampleCount * features.count
            let (treatment, association) = try zeroTreatment(hasZeros: hasZeros, depth: depth, design: design, blocks: blocks,
                                                             source: source, options: options)
            let y = centredLog2(table, features: features, holders: holders, treatment: treatment, pseudoCount: options.pseudoCount, depth: depth)
            return (y, treatment, association)
        }
        var y = table.denseBlock(features: features, absent: [Double](repeating: 0, count: features.count)) { v, _, _ in v }
        winsorize(&y, quantile: q)
        let (treatment, association) = try treatZerosAndLog2(&y, design: design, blocks: blocks, source: source, options: options)
        centre(&y)
        return (y, treatment, association)
    }

    /// Steps 3–6: the models of the centred log₂ values (``logRatios(_:features:holders:depth:design:blocks:source:options:)``),
    /// those values for figures, what was done to the zeros and the depth
    /// test's p-values. Ordinary least squares without winsorisation never
    /// holds the values whole: ``BatchLinearFit/init(x:responses:tests:rows:)``
    /// makes them from the non-zeros a block of samples at a time, twice,
    /// and a feature's values are made again when a figure asks for them.
    static func fitLogRatios(_ table: CountTable, features: [Int], holders: [Int], depth: [Double], design: DesignMatrix,
                             blocks: [RandomEffectsBlock], source: String, options: Options)
        throws -> (Fits, ModelledValues, ZeroTreatment, [(column: String, pValue: Double)]) {
        guard blocks.isEmpty && options.winsorQuantile == nil else {
            let (y, treatment, association) = try logRatios(table, features: features, holders: holders, depth: depth, design: design,
                                                            blocks: blocks, source: source, options: options)
            return (try fit(design: design, blocks: blocks, source: source, values: y, tests: false), ModelledValues(y), treatment, association)
        }
        let n = table.sampleCount, m = features.count
        let (treatment, association) = try zeroTreatment(hasZeros: holders.reduce(0, +) < n * m, depth: depth, design: design, blocks: blocks,
                                                         source: source, options: options)
        let zeros = ZeroLogs(table, features: features, holders: holders, treatment: treatment, pseudoCount: options.pseudoCount, depth: depth)
        let shift = treatment == .pseudocount ? options.pseudoCount : 0, target = table.positions(of: features)
        var means = Matrix(rows: n, columns: 1)
        let fit = try means.withParallelWriter { means in
            try BatchLinearFit(x: design.x, responses: m, tests: false) { block, range in
                for j in range {
                    means.set(j, 0, centredLog2Row(block + (j - range.lowerBound) * m, sample: j, table: table, target: target,
                                                   zeros: zeros, shift: shift, columns: m))
                }
            }
        }
        let fits = Fits(estimate: fit.estimates, standardError: fit.standardErrors,
                        df: Matrix(rows: design.x.columns, columns: m, repeating: Double(fit.residualDF)), pValue: fit.pValues)
        let halves = halvesLog2, mean = means.storage
        let modelled = ModelledValues { c in
            (0..<n).map { j in
                let v = table.value(taxon: features[c], sample: j)
                return (v > 0 ? log2Count(v + shift, halves) : zeros.value(sample: j, column: c)) - mean[j]
            }
        }
        return (fits, modelled, treatment, association)
    }

    /// Sample `j`'s centred log₂ values into `row` (one per feature, in
    /// order): the zeros' values, then its non-zeros' log₂, then less their
    /// mean (the sum in feature order, as ``centre(_:)`` takes it); the mean.
    @inline(__always)
    static func centredLog2Row(_ row: UnsafeMutablePointer<Double>, sample j: Int, table: CountTable, target: [Int32],
                               zeros: ZeroLogs, shift: Double, columns m: Int) -> Double {
        zeros.fillRow(row, sample: j, columns: m)
        halvesLog2.withUnsafeBufferPointer { halves in
            target.withUnsafeBufferPointer { target in
                for k in table.range(ofSample: j) {
                    let c = Int(target[Int(table.taxonIndices[k])])
                    if c >= 0 { row[c] = log2Count(table.values[k] + shift, halves) }
                }
            }
        }
        var total = 0.0
        for c in 0..<m { total += row[c] }
        let mean = total / Double(m)
        for c in 0..<m { row[c] -= mean }
        return mean
    }

    /// Zeros replaced as LinDA does (see ``LinDA``, step 4) and every value
    /// then taken to log₂, in one pass per column (the values of replacing,
    /// then ``log2Values(_:)``); what was done, and the depth test's p-values
    /// when it was run.
    static func treatZerosAndLog2(_ y: inout Matrix, design: DesignMatrix, blocks: [RandomEffectsBlock], source: String,
                                  options: Options) throws -> (ZeroTreatment, [(column: String, pValue: Double)]) {
        let hasZeros = { (values: [Double]) in
            parallelChunkMap(count: values.count, minimumPerChunk: 1 << 16) { range in values[range].contains(0) }.contains(true)
        }(y.storage)
        let depth = hasZeros ? depths(y) : []
        let (treatment, association) = try zeroTreatment(hasZeros: hasZeros, depth: depth, design: design, blocks: blocks,
                                                         source: source, options: options)
        replaceZerosAndLog2(&y, treatment: treatment, pseudoCount: options.pseudoCount, depth: depth)
        return (treatment, association)
    }

    /// Step 4's choice: none without zeros; with `.adaptive`, imputation when
    /// a coefficient of `log(depth) ~ formula` has p ≤ the cut-off, else the
    /// pseudo-count (and those p-values).
    static func zeroTreatment(hasZeros: Bool, depth: [Double], design: DesignMatrix, blocks: [RandomEffectsBlock], source: String,
                              options: Options) throws -> (ZeroTreatment, [(column: String, pValue: Double)]) {
        guard hasZeros else { return (.none, []) }
        switch options.zeros {
        case .imputation: return (.imputation, [])
        case .halfMinimum: return (.halfMinimum, [])
        case .pseudocount: return (.pseudocount, [])
        case .adaptive:
            var logDepth = Matrix(rows: depth.count, columns: 1)
            for i in 0..<depth.count { logDepth[i, 0] = log(depth[i]) }
            let fit = try fit(design: design, blocks: blocks, source: source, values: logDepth)
            let association = (1..<design.x.columns).map { (column: design.columnNames[$0], pValue: fit.pValue[$0, 0]) }
            return (association.contains { $0.pValue <= options.correlationCutoff } ? .imputation : .pseudocount, association)
        }
    }

    /// Steps 4–5 straight from the non-zeros: the dense samples × features
    /// block of log₂ values, zeros treated by `treatment`, centred per
    /// sample, in one pass over blocks of sixteen samples on both cores
    /// (``CountTable/denseBlock(features:cells:)``): each
    /// block's cells stay in cache from their first write to the centring.
    /// The same bits as ``replaceZerosAndLog2(_:treatment:pseudoCount:depth:)``
    /// then ``centre(_:)`` on the dense block: the same log₂ of each value,
    /// each sample's sum in feature order.
    static func centredLog2(_ table: CountTable, features: [Int], holders: [Int], treatment: ZeroTreatment, pseudoCount: Double,
                            depth: [Double]) -> Matrix {
        let zeros = ZeroLogs(table, features: features, holders: holders, treatment: treatment, pseudoCount: pseudoCount, depth: depth)
        return table.denseBlock(features: features, cells: CentredLogCells(
            zeros: zeros, shift: treatment == .pseudocount ? pseudoCount : 0, columns: features.count))
    }

    /// Each column's zeros replaced by `treatment`, then every value to log₂.
    /// An imputed zero's log₂(depthᵢ / deepest) is kept for the next column
    /// with the same deepest sample (up to 64 of them): the same value,
    /// computed once.
    static func replaceZerosAndLog2(_ y: inout Matrix, treatment: ZeroTreatment, pseudoCount: Double, depth: [Double]) {
        let n = y.rows, m = y.columns, halves = halvesLog2
        y.withParallelWriter { v in
            _ = parallelChunkMap(count: m, minimumPerChunk: 16) { range in
                halves.withUnsafeBufferPointer { table in
                    var imputed = [UInt64: [Double]]()
                    for c in range {
                        let column = v.column(c)
                        switch treatment {
                        case .imputation:
                            var deepest = 0.0
                            for i in 0..<n where column[i] == 0 { deepest = Swift.max(deepest, depth[i]) }
                            var logs = imputed.removeValue(forKey: deepest.bitPattern) ?? [Double](repeating: .nan, count: n)
                            logs.withUnsafeMutableBufferPointer { logs in
                                for i in 0..<n {
                                    if column[i] != 0 { column[i] = log2Count(column[i], table); continue }
                                    if logs[i].isNaN { logs[i] = log2(depth[i] / deepest) }
                                    column[i] = logs[i]
                                }
                            }
                            if imputed.count < 64 { imputed[deepest.bitPattern] = logs }
                        case .pseudocount:
                            for i in 0..<n { column[i] = log2Count(column[i] + pseudoCount, table) }
                        case .halfMinimum:
                            var smallest = Double.infinity
                            for i in 0..<n where column[i] != 0 { smallest = Swift.min(smallest, column[i]) }
                            for i in 0..<n { column[i] = log2Count(column[i] == 0 ? 0.5 * smallest : column[i], table) }
                        case .none:
                            for i in 0..<n { column[i] = log2Count(column[i], table) }
                        }
                    }
                }
            }
        }
    }

    /// log₂ of `value`, from ``halvesLog2`` when it is a whole or half count
    /// below 4,096 (the same bits as `log2`).
    @inline(__always)
    static func log2Count(_ value: Double, _ table: UnsafeBufferPointer<Double>) -> Double {
        let twice = 2 * value
        return twice >= 0 && twice < Double(table.count) && Double(Int(twice)) == twice ? table[Int(twice)] : log2(value)
    }

    /// ``log2Count(_:_:)`` with the table as an array.
    @inline(__always)
    static func log2Count(_ value: Double, _ table: [Double]) -> Double {
        table.withUnsafeBufferPointer { log2Count(value, $0) }
    }

    /// Every value to log₂ (``log2Count(_:_:)``), columns on both cores.
    static func log2Values(_ y: inout Matrix) {
        replaceZerosAndLog2(&y, treatment: .none, pseudoCount: 0, depth: [])
    }

    /// Each value minus its sample's mean over the features (its sum in
    /// feature order, ``depths(_:)``, the same whatever the thread count),
    /// the columns on both cores.
    static func centre(_ y: inout Matrix) {
        let n = y.rows, m = y.columns
        let means = depths(y).map { $0 / Double(m) }
        y.withParallelWriter { v in
            _ = parallelChunkMap(count: m, minimumPerChunk: 16) { range in
                for c in range { let column = v.column(c); for i in 0..<n { column[i] -= means[i] } }
            }
        }
    }

    /// `log2(k / 2)` for k = 0…8191 (``log2Count(_:_:)``).
    static let halvesLog2 = (0..<8192).map { log2(Double($0) * 0.5) }

    /// Each sample's total over the features (in feature order), samples on
    /// both cores.
    static func depths(_ y: Matrix) -> [Double] {
        let n = y.rows, m = y.columns, values = y.storage
        return parallelChunkMap(count: n, minimumPerChunk: 64) { range in
            values.withUnsafeBufferPointer { v in
                var depth = [Double](repeating: 0, count: range.count)
                for c in 0..<m {
                    let base = c * n + range.lowerBound
                    for k in 0..<range.count { depth[k] += v[base + k] }
                }
                return depth
            }
        }.flatMap { $0 }
    }

    /// Coefficients (p × features) of every column of `values` on the
    /// design: one QR without random terms, else a mixed model per column
    /// on all cores (NaN where one fails).
    struct Fits {
        var estimate: Matrix, standardError: Matrix, df: Matrix, pValue: Matrix
    }

    static func fit(design: DesignMatrix, blocks: [RandomEffectsBlock], source: String, values: Matrix, tests: Bool = true) throws -> Fits {
        let p = design.x.columns, m = values.columns
        if blocks.isEmpty {
            let fit = try BatchLinearFit(x: design.x, y: values, tests: tests)
            return Fits(estimate: fit.estimates, standardError: fit.standardErrors,
                        df: Matrix(rows: p, columns: m, repeating: Double(fit.residualDF)), pValue: fit.pValues)
        }
        let fits = parallelChunkMap(count: m, minimumPerChunk: 2) { range in
            range.map { c -> [Coefficient]? in
                var d = design
                d.response = Array(values.column(c))
                return (try? LinearMixedModel(design: d, blocks: blocks, source: source))?.coefficients
            }
        }.flatMap { $0 }
        var out = Fits(estimate: Matrix(rows: p, columns: m, repeating: .nan), standardError: Matrix(rows: p, columns: m, repeating: .nan),
                       df: Matrix(rows: p, columns: m, repeating: .nan), pValue: Matrix(rows: p, columns: m, repeating: .nan))
        for (c, coefficients) in fits.enumerated() {
            guard let coefficients else { continue }
            for (j, k) in coefficients.enumerated() {
                out.estimate[j, c] = k.estimate ?? .nan
                out.standardError[j, c] = k.standardError ?? .nan
                out.df[j, c] = k.degreesOfFreedom ?? .nan
                out.pValue[j, c] = k.pValue ?? .nan
            }
        }
        return out
    }
}

/// ``LinDA/centredLog2(_:features:holders:treatment:pseudoCount:depth:)``'s cells:
/// `log₂(value + shift)` where the table has a value, ``ZeroLogs`` where
/// not, each block of samples then centred (its sum in feature order).
struct CentredLogCells: DenseCells {
    let zeros: ZeroLogs, shift: Double, columns: Int
    let halves = LinDA.halvesLog2

    @inline(__always)
    func absent(_ cells: UnsafeMutablePointer<Double>, _ samples: Range<Int>, column: Int) {
        zeros.fill(cells, samples, column: column)
    }

    @inline(__always)
    func entry(_ value: Double, sample: Int, column: Int) -> Double { LinDA.log2Count(value + shift, halves) }

    /// Each sample's sum over the columns in column order, then each cell
    /// less its sample's mean; a whole block of sixteen as two 8-wide
    /// vectors (the same additions in the same order, lane by lane).
    @inline(__always)
    func finish(_ cells: UnsafeMutablePointer<Double>, _ samples: Range<Int>, stride: Int) {
        guard samples.count == 16 else { return finishScalar(cells, samples, stride: stride) }
        let first = samples.lowerBound
        var low = SIMD8<Double>(), high = SIMD8<Double>()
        for c in 0..<columns {
            let column = UnsafeMutableRawPointer(cells + c * stride + first)
            low += column.loadUnaligned(as: SIMD8<Double>.self)
            high += column.loadUnaligned(fromByteOffset: 64, as: SIMD8<Double>.self)
        }
        low /= SIMD8(repeating: Double(columns))
        high /= SIMD8(repeating: Double(columns))
        for c in 0..<columns {
            let column = UnsafeMutableRawPointer(cells + c * stride + first)
            column.storeBytes(of: column.loadUnaligned(as: SIMD8<Double>.self) - low, as: SIMD8<Double>.self)
            column.storeBytes(of: column.loadUnaligned(fromByteOffset: 64, as: SIMD8<Double>.self) - high, toByteOffset: 64, as: SIMD8<Double>.self)
        }
    }

    private func finishScalar(_ cells: UnsafeMutablePointer<Double>, _ samples: Range<Int>, stride: Int) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: samples.count) { sum in
            let first = samples.lowerBound
            sum.initialize(repeating: 0)
            for c in 0..<columns { let column = cells + c * stride; for j in samples { sum[j - first] += column[j] } }
            for k in sum.indices { sum[k] /= Double(columns) }
            for c in 0..<columns { let column = cells + c * stride; for j in samples { column[j] -= sum[j - first] } }
        }
    }
}

/// The log₂ value of each absent cell under a zero treatment, found from
/// the non-zeros before the dense block exists (``LinDA``, step 4):
/// `log₂(pseudo-count)`, or `log₂(½ · the feature's smallest value)`, or
/// with imputation `log₂(depthᵢ / deepest)`, `deepest` the largest depth of
/// a sample in which the feature is 0. The imputed logs of each `deepest`
/// are computed once for every sample (up to 2²² of them; any others cell
/// by cell). The same bits as
/// ``LinDA/replaceZerosAndLog2(_:treatment:pseudoCount:depth:)`` gives them.
struct ZeroLogs: Sendable {
    /// Per feature, its absent cells' value (every treatment but imputation).
    private let constant: [Double]
    /// Imputation: per feature, the deepest sample without it (0: none), its
    /// slot in `shared` (−1: none), and the tabled logs, sample by sample
    /// (sample j's `slots` values at `j · slots`).
    private let deepest: [Double], slot: [Int], shared: [Double], depth: [Double]
    private var slots: Int { depth.isEmpty ? 0 : shared.count / depth.count }

    /// `holders`: per feature, the samples of `table` that hold it.
    init(_ table: CountTable, features: [Int], holders: [Int], treatment: LinDA.ZeroTreatment, pseudoCount: Double, depth: [Double]) {
        let m = features.count, n = table.sampleCount, halves = LinDA.halvesLog2
        self.depth = depth
        switch treatment {
        case .imputation:
            let deepest = Self.deepestAbsent(table, features: features, holders: holders, depth: depth)
            // Each deepest depth's logs tabled (a column's absent cells are
            // written for all its samples, present ones then overwritten):
            // those with the most zeros first, up to 2²² logs.
            var zeros = [UInt64: Int]()
            for (c, d) in deepest.enumerated() where d > 0 { zeros[d.bitPattern, default: 0] += n - holders[c] }
            let sharedValues = zeros.sorted { ($0.value, $0.key) > ($1.value, $1.key) }
                .prefix((1 << 22) / Swift.max(n, 1)).map { Double(bitPattern: $0.key) }
            let slotOf = Dictionary(uniqueKeysWithValues: sharedValues.enumerated().map { ($1.bitPattern, $0) })
            self.slot = deepest.map { slotOf[$0.bitPattern] ?? -1 }
            self.shared = Matrix(rows: sharedValues.count, columns: n) { logs in
                _ = parallelChunkMap(count: n, minimumPerChunk: 256) { samples in
                    for j in samples { let row = logs.column(j); for s in sharedValues.indices { row[s] = log2(depth[j] / sharedValues[s]) } }
                }
            }.storage
            self.deepest = deepest
            self.constant = []
        case .halfMinimum:
            let smallest = Self.smallestPresent(table, features: features)
            self.constant = smallest.map { LinDA.log2Count(0.5 * $0, halves) }
            (self.deepest, self.slot, self.shared) = ([], [], [])
        case .pseudocount, .none:
            self.constant = [Double](repeating: LinDA.log2Count(treatment == .none ? 0 : pseudoCount, halves), count: m)
            (self.deepest, self.slot, self.shared) = ([], [], [])
        }
    }

    /// The absent value of feature `c` in sample `j` (∞ for a feature in
    /// every sample: never used, every cell is overwritten).
    func value(sample j: Int, column c: Int) -> Double {
        if !constant.isEmpty { return constant[c] }
        let d = deepest[c], s = slot[c]
        return d == 0 ? .infinity : s >= 0 ? shared[j * slots + s] : log2(depth[j] / d)
    }

    /// Writes sample `j`'s absent value of every feature into `row`.
    @inline(__always)
    func fillRow(_ row: UnsafeMutablePointer<Double>, sample j: Int, columns m: Int) {
        if !constant.isEmpty {
            constant.withUnsafeBufferPointer { row.update(from: $0.baseAddress!, count: m) }
            return
        }
        let base = j * slots
        shared.withUnsafeBufferPointer { logs in
            slot.withUnsafeBufferPointer { slot in
                deepest.withUnsafeBufferPointer { deepest in
                    for c in 0..<m {
                        let s = slot[c]
                        row[c] = s >= 0 ? logs[base + s] : deepest[c] == 0 ? .infinity : log2(depth[j] / deepest[c])
                    }
                }
            }
        }
    }

    /// Writes the absent value of feature `c` into `cells[j]` for `samples`.
    @inline(__always)
    func fill(_ cells: UnsafeMutablePointer<Double>, _ samples: Range<Int>, column c: Int) {
        for j in samples { cells[j] = value(sample: j, column: c) }
    }

    /// Per feature, the largest depth of a sample in which it is 0 (0 when
    /// it is in every sample; `holders` counts each feature's samples). The
    /// deepest 64 samples visited first, each feature settled by the first
    /// that lacks it (most are); those left, missing only from shallower
    /// samples, by one scan of the others on all cores. A maximum, so the
    /// same whatever the order of equal depths or the split.
    private static func deepestAbsent(_ table: CountTable, features: [Int], holders: [Int], depth: [Double]) -> [Double] {
        let m = features.count, n = table.sampleCount, target = table.positions(of: features)
        var deepest = [Double](repeating: 0, count: m), seen = [Int](repeating: -1, count: m)
        var open = (0..<m).filter { holders[$0] < n }
        let order = (0..<n).sorted { depth[$0] > depth[$1] }
        for j in order.prefix(64) where !open.isEmpty {
            for k in table.range(ofSample: j) {
                let c = Int(target[Int(table.taxonIndices[k])])
                if c >= 0 { seen[c] = j }
            }
            open.removeAll { c in
                if seen[c] != j { deepest[c] = depth[j] }
                return seen[c] != j
            }
        }
        guard !open.isEmpty else { return deepest }
        let rest = Array(order.dropFirst(64)), left = open
        let parts = parallelChunkMap(count: rest.count, minimumPerChunk: 64) { range in
            var found = [Double](repeating: 0, count: left.count), seen = [Int](repeating: -1, count: m)
            for j in rest[range] {
                for k in table.range(ofSample: j) {
                    let c = Int(target[Int(table.taxonIndices[k])])
                    if c >= 0 { seen[c] = j }
                }
                for (i, c) in left.enumerated() where seen[c] != j { found[i] = Swift.max(found[i], depth[j]) }
            }
            return found
        }
        for part in parts { for (i, c) in left.enumerated() { deepest[c] = Swift.max(deepest[c], part[i]) } }
        return deepest
    }

    /// Per feature, its smallest non-zero (∞ when it has none); samples on
    /// both cores, a minimum: the same whatever the split.
    private static func smallestPresent(_ table: CountTable, features: [Int]) -> [Double] {
        let m = features.count, target = table.positions(of: features)
        let parts = parallelChunkMap(count: table.sampleCount, minimumPerChunk: 64) { samples in
            var smallest = [Double](repeating: .infinity, count: m)
            for k in table.columnStarts[samples.lowerBound]..<table.columnStarts[samples.upperBound] {
                let c = Int(target[Int(table.taxonIndices[k])])
                if c >= 0 { smallest[c] = Swift.min(smallest[c], table.values[k]) }
            }
            return smallest
        }
        return parts.dropFirst().reduce(parts.first ?? [Double](repeating: .infinity, count: m)) { zip($0, $1).map { Swift.min($0, $1) } }
    }
}
