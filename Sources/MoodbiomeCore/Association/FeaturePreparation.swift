import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// How features are scaled within each sample before modelling (MaAsLin2's
/// `normalization`).
public enum FeatureNormalization: String, Sendable, CaseIterable {
    /// Total-sum scaling: each value over the sample's total of the kept
    /// features (vegan `decostand(method = "total")`).
    case tss
    /// Centred log-ratio `ln(x + 1) − mean_k ln(x_k + 1)` over the kept
    /// features (MaAsLin2: `chemometrics::clr(x + 1)`).
    case clr
    /// Cumulative-sum scaling (metagenomeSeq's CSS, MaAsLin2's `CSS`): each
    /// count over its sample's sum up to a data-driven percentile, × 1000
    /// (``ScalingFactors/css(_:)``).
    case css
    /// Trimmed mean of M-values (edgeR's TMM, MaAsLin2's `TMM`): each count
    /// over its sample's effective library size, × their mean
    /// (``ScalingFactors/tmm(_:)``).
    case tmm
    case none

    /// Whether each sample is divided by a total of its own, so a sample
    /// with nothing left after filtering cannot be normalised.
    public var dividesBySampleTotal: Bool { self == .tss || self == .css || self == .tmm }
}

/// How each feature's values are transformed before modelling (MaAsLin2's
/// `transform`).
public enum FeatureTransform: String, Sendable, CaseIterable {
    /// log₂, after replacing the feature's zeros by half its smallest
    /// non-zero value (MaAsLin2's `LOG`).
    case log
    /// Arcsine square root, `sign(x)·asin(√|x|)`, for values in [−1, 1].
    case ast
    /// `ln(p / (1 − p))` (`car::logit(adjust = 0)`, p/100 when a value
    /// exceeds 1), non-finite results set to 0.
    case logit
    case none
}

/// The model fitted to each feature (MaAsLin2's `analysis_method`).
public enum FeatureModel: String, Sendable, CaseIterable {
    /// A linear model of the normalised, transformed values (MaAsLin2's `LM`).
    case lm
    /// A negative binomial regression of the counts, or of CSS/TMM-normalised
    /// values, untransformed (MaAsLin2's `NEGBIN`, `MASS::glm.nb`; ``NegativeBinomialRegression``).
    case negbin
}

/// How `associate` finds the features that go with the metadata.
public enum AssociationMethod: String, Sendable, CaseIterable {
    /// MaAsLin2's pipeline (``TaxonAssociation``): normalise, transform, one model per feature.
    case maaslin2
    /// ``LinDA``: CLR models with the compositional bias removed.
    case linda
    /// ``ANCOMBC``: log-linear models with the sampling-fraction bias removed.
    case ancombc
    /// ``ANCOMBC`` 2: the sampling fractions removed from the data, the
    /// models refitted, variances regularised, t tests.
    case ancombc2
    /// Every method above on the same samples and features, and where they
    /// agree (``AssociationConsensus``).
    case all
}

/// The MaAsLin2 filters, on the input's own scale (before
/// normalisation): a feature is kept when the number of samples whose value
/// is **above** `minimumAbundance` is **greater than** `minimumPrevalence`
/// × samples, and its variance (n − 1) is above `minimumVariance`.
public struct FeatureFilter: Sendable, Equatable {
    public var minimumAbundance = 0.0
    public var minimumPrevalence = 0.1
    public var minimumVariance = 0.0

    public init() {}

    /// Why a feature was filtered out.
    public enum Reason: Sendable, Equatable {
        /// Above the abundance threshold in `samples` of `of` samples; more than `needed` required.
        case prevalence(samples: Int, of: Int, needed: Double)
        case variance(Double)
        /// ANCOM-BC(2) with a structural-zero check: absent from a whole
        /// group (``StructuralZeros``), so not tested.
        case structuralZero
    }

    /// Splits the features of `table` into kept (indices, in order) and
    /// filtered (index and reason).
    public func apply(_ table: CountTable) -> (kept: [Int], filtered: [(feature: Int, reason: Reason)]) {
        let n = table.sampleCount
        let (above, occurrences, sum, squares) = Self.tallies(table, threshold: minimumAbundance)
        // Zeros are never above a non-negative threshold; a negative one counts them.
        let zerosCount = minimumAbundance < 0
        let needed = Double(n) * minimumPrevalence
        var kept = [Int](), filtered = [(Int, Reason)]()
        for t in 0..<table.taxonCount {
            let count = above[t] + (zerosCount ? n - occurrences[t] : 0)
            if !(Double(count) > needed) { filtered.append((t, .prevalence(samples: count, of: n, needed: needed))); continue }
            let mean = sum[t] / Double(n)
            let variance = n > 1 ? (squares[t] + Double(n - occurrences[t]) * mean * mean) / Double(n - 1) : .nan
            if !(variance > minimumVariance) { filtered.append((t, .variance(variance))); continue }
            kept.append(t)
        }
        return (kept, filtered)
    }

    /// Per taxon: samples above `threshold`, non-zeros, sum, and the sum of
    /// squared deviations from the mean over the non-zeros (the zeros' share
    /// is added by the caller: two passes, stable for proportions). Samples
    /// in a fixed number of blocks whatever the core count, each block's
    /// tallies added in block order, so the sums are the same on any machine.
    static func tallies(_ table: CountTable, threshold: Double)
        -> (above: [Int], occurrences: [Int], sum: [Double], squares: [Double]) {
        let n = table.sampleCount, taxa = table.taxonCount, blocks = 4
        @Sendable func samples(_ b: Int) -> Range<Int> { table.columnStarts[n * b / blocks]..<table.columnStarts[n * (b + 1) / blocks] }
        let firstPass = parallelChunkMap(count: blocks) { range -> (above: [Int], occurrences: [Int], sum: [Double]) in
            var above = [Int](repeating: 0, count: taxa), occurrences = above, sum = [Double](repeating: 0, count: taxa)
            table.taxonIndices.withUnsafeBufferPointer { index in
                table.values.withUnsafeBufferPointer { value in
                    above.withUnsafeMutableBufferPointer { above in
                        occurrences.withUnsafeMutableBufferPointer { occurrences in
                            sum.withUnsafeMutableBufferPointer { sum in
                                for b in range {
                                    for k in samples(b) {
                                        let t = Int(index[k]), v = value[k]
                                        if v > threshold { above[t] += 1 }
                                        occurrences[t] += 1
                                        sum[t] += v
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return (above, occurrences, sum)
        }
        var above = [Int](repeating: 0, count: taxa), occurrences = above, sum = [Double](repeating: 0, count: taxa)
        for part in firstPass {
            for t in 0..<taxa { above[t] += part.above[t]; occurrences[t] += part.occurrences[t]; sum[t] += part.sum[t] }
        }
        let means = sum.map { $0 / Double(n) }
        let secondPass = parallelChunkMap(count: blocks) { range -> [Double] in
            var squares = [Double](repeating: 0, count: taxa)
            table.taxonIndices.withUnsafeBufferPointer { index in
                table.values.withUnsafeBufferPointer { value in
                    squares.withUnsafeMutableBufferPointer { squares in
                        for b in range {
                            for k in samples(b) {
                                let t = Int(index[k])
                                let d = value[k] - means[t]
                                squares[t] += d * d
                            }
                        }
                    }
                }
            }
            return squares
        }
        var squares = [Double](repeating: 0, count: taxa)
        for part in secondPass { for t in 0..<taxa { squares[t] += part[t] } }
        return (above, occurrences, sum, squares)
    }
}

/// Why features could not be prepared or associated, typed.
public enum AssociationError: Error, Equatable, Sendable {
    /// A transform that needs non-negative proportions after CLR.
    case transformAfterCLR(FeatureTransform)
    /// A negative binomial model of values that are not counts (TSS
    /// proportions, CLR log-ratios) or are transformed.
    case negativeBinomialNeedsCounts(FeatureNormalization, FeatureTransform)
    /// A model MaAsLin2's path offers that outcome mode or random terms do not take.
    case negativeBinomialUnsupported(randomTerms: Bool)
    /// AST of a value outside [−1, 1].
    case arcsineOutOfRange(feature: String, value: Double)
    /// Every feature was filtered out.
    case noFeaturesLeft(total: Int)
    /// LinDA: fewer than two features (its log-ratios need two) are present
    /// in the share of samples asked for.
    case tooFewFeaturesPrevalent(kept: Int, total: Int, minimumPrevalence: Double)
    /// A method that fits no mixed models was given random-effects terms.
    case randomTermsUnsupported(method: AssociationMethod)
    /// ANCOM-BC: fewer than two features are left once those with
    /// structural zeros in `group` are set aside.
    case tooFewFeaturesWithoutStructuralZeros(kept: Int, group: String)
    /// ANCOM-BC2 with zeros missing: no feature can be fitted for a design column.
    case noFeatureFittable(column: String)
    /// ANCOM-BC: the design's columns are linearly dependent.
    case aliasedDesign(columns: [String])
    /// No sample with every variable has the minimum depth (LinDA's `lib.cut`).
    case noSamplesDeepEnough(minimumDepth: Double, samples: Int)
    /// Fewer samples than the model has parameters.
    case tooFewSamples(samples: Int, parameters: Int)
    /// The column name used for the taxon in `--outcome` mode is a metadata column.
    case taxonColumnClash(String)
}

/// Normalisation then transform of a dense block (samples × features, one
/// column per feature).
enum FeaturePreparation {
    /// Normalises then transforms: one pass over each column for the
    /// per-column transforms (log, none) after TSS, CLR or none — the
    /// normalised column is still in cache when it is transformed, with the
    /// same arithmetic as the two steps apart.
    static func prepare(_ y: inout Matrix, _ normalization: FeatureNormalization, _ transform: FeatureTransform, names: [String]) throws {
        guard transform == .log || transform == .none, normalization != .css, normalization != .tmm else {
            normalize(&y, normalization)
            try self.transform(&y, transform, names: names)
            return
        }
        normalize(&y, normalization, then: transform == .log ? logTransform : nil)
    }

    /// TSS (with `totals`, each sample's over the features) or none, then
    /// LOG (`log`) or none, straight from the non-zeros into the dense
    /// block: the arithmetic of ``prepare`` on the dense block, bit for bit
    /// (each value divided by its sample's total; a column's zeros all take
    /// log₂ of half its smallest positive value, found over the non-zeros).
    static func prepared(_ table: CountTable, features: [Int], totals: [Double]?, log: Bool) -> Matrix {
        let m = features.count
        @Sendable func proportion(_ v: Double, _ j: Int) -> Double { totals.map { v / $0[j] } ?? v }
        guard log else { return table.denseBlock(features: features, absent: [Double](repeating: 0, count: m)) { v, j, _ in proportion(v, j) } }
        let column = table.positions(of: features)
        let parts = parallelChunkMap(count: table.sampleCount, minimumPerChunk: 64) { samples -> [Double] in
            var smallest = [Double](repeating: .infinity, count: m)
            for j in samples {
                for k in table.range(ofSample: j) {
                    let c = Int(column[Int(table.taxonIndices[k])])
                    guard c >= 0 else { continue }
                    let x = proportion(table.values[k], j)
                    if x > 0 && x < smallest[c] { smallest[c] = x }
                }
            }
            return smallest
        }
        let zero = (0..<m).map { c in log2(parts.reduce(Double.infinity) { Swift.min($0, $1[c]) } / 2) }
        return table.denseBlock(features: features, absent: zero) { v, j, c in
            let x = proportion(v, j)
            return x == 0 ? zero[c] : log2(x)
        }
    }

    /// Normalises each row (sample) over the block's features; `then`, when
    /// given, is applied to each column right after it is normalised.
    static func normalize(_ y: inout Matrix, _ method: FeatureNormalization,
                          then: (@Sendable (UnsafeMutableBufferPointer<Double>) -> Void)? = nil) {
        let n = y.rows, m = y.columns
        if method == .css || method == .tmm {
            let counts = (0..<n).map { i in (0..<m).map { y[i, $0] } }
            let divisors = method == .css ? ScalingFactors.css(counts).divisors : ScalingFactors.tmm(counts)
            for c in 0..<m { for i in 0..<n { y[i, c] /= divisors[i] } }
        }
        if method == .css || method == .tmm || (method == .none && then == nil) {
            if let then { y.withParallelWriter { v in for c in 0..<m { then(v.column(c)) } } }
            return
        }
        // On both cores: row sums over row ranges (each row summed in
        // column order, as one thread would), then columns over column ranges.
        y.withParallelWriter { v in
            if method == .clr {
                _ = parallelChunkMap(count: m, minimumPerChunk: 16) { range in
                    for c in range { let column = v.column(c); for i in 0..<n { column[i] = log(column[i] + 1) } }
                }
            }
            let sums = method == .none ? [] : parallelChunkMap(count: n, minimumPerChunk: 64) { range -> [Double] in
                var sums = [Double](repeating: 0, count: range.count)
                for c in 0..<m {
                    let column = v.column(c)
                    for i in range { sums[i - range.lowerBound] += column[i] }
                }
                return sums
            }.flatMap { $0 }
            _ = parallelChunkMap(count: m, minimumPerChunk: 16) { range in
                for c in range {
                    let column = v.column(c)
                    switch method {
                    case .tss: for i in 0..<n { column[i] /= sums[i] }
                    case .clr: for i in 0..<n { column[i] -= sums[i] / Double(m) }
                    case .none, .css, .tmm: break
                    }
                    then?(column)
                }
            }
        }
    }

    /// MaAsLin2's LOG: log₂, each zero first replaced by half the column's
    /// smallest positive value (so every zero takes one value, computed once).
    @Sendable static func logTransform(_ column: UnsafeMutableBufferPointer<Double>) {
        var smallest = Double.infinity
        for x in column where x > 0 && x < smallest { smallest = x }
        let zero = log2(smallest / 2)
        for i in column.indices { column[i] = column[i] == 0 ? zero : log2(column[i]) }
    }

    /// Transforms each column (feature).
    static func transform(_ y: inout Matrix, _ method: FeatureTransform, names: [String]) throws {
        let n = y.rows
        if method == .log {
            // Each column on its own: on both cores.
            y.withParallelWriter { v in
                _ = parallelChunkMap(count: v.columns, minimumPerChunk: 16) { range in
                    for c in range { logTransform(v.column(c)) }
                }
            }
            return
        }
        for c in 0..<y.columns {
            switch method {
            case .none, .log: break
            case .ast:
                for i in 0..<n {
                    let v = y[i, c]
                    guard abs(v) <= 1 else { throw AssociationError.arcsineOutOfRange(feature: names[c], value: v) }
                    y[i, c] = (v < 0 ? -1 : v > 0 ? 1 : 0) * asin(abs(v).squareRoot())
                }
            case .logit:
                var percents = false
                for i in 0..<n where y[i, c] > 1 { percents = true }
                for i in 0..<n {
                    let p = percents ? y[i, c] / 100 : y[i, c]
                    let v = log(p / (1 - p))
                    y[i, c] = v.isFinite ? v : 0
                }
            }
        }
    }
}
