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
    }

    /// Splits the features of `table` into kept (indices, in order) and
    /// filtered (index and reason).
    public func apply(_ table: CountTable) -> (kept: [Int], filtered: [(feature: Int, reason: Reason)]) {
        let n = table.sampleCount
        var above = [Int](repeating: 0, count: table.taxonCount)
        var sum = [Double](repeating: 0, count: table.taxonCount)
        for k in table.values.indices {
            let t = Int(table.taxonIndices[k])
            if table.values[k] > minimumAbundance { above[t] += 1 }
            sum[t] += table.values[k]
        }
        // Zeros are never above a non-negative threshold; a negative one counts them.
        let zerosCount = minimumAbundance < 0
        var occurrences = [Int](repeating: 0, count: table.taxonCount)
        for t in table.taxonIndices { occurrences[Int(t)] += 1 }
        // Variance, two passes over the non-zeros and the zeros.
        var squares = [Double](repeating: 0, count: table.taxonCount)
        for k in table.values.indices {
            let t = Int(table.taxonIndices[k])
            let d = table.values[k] - sum[t] / Double(n)
            squares[t] += d * d
        }
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
    /// Fewer samples than the model has parameters.
    case tooFewSamples(samples: Int, parameters: Int)
    /// The column name used for the taxon in `--outcome` mode is a metadata column.
    case taxonColumnClash(String)
}

/// Normalisation then transform of a dense block (samples × features, one
/// column per feature).
enum FeaturePreparation {
    /// Normalises each row (sample) over the block's features.
    static func normalize(_ y: inout Matrix, _ method: FeatureNormalization) {
        let n = y.rows, m = y.columns
        if method == .none { return }
        if method == .css || method == .tmm {
            let counts = (0..<n).map { i in (0..<m).map { y[i, $0] } }
            let divisors = method == .css ? ScalingFactors.css(counts).divisors : ScalingFactors.tmm(counts)
            for c in 0..<m { for i in 0..<n { y[i, c] /= divisors[i] } }
            return
        }
        y.storage.withUnsafeMutableBufferPointer { v in
            var sums = [Double](repeating: 0, count: n)
            switch method {
            case .none, .css, .tmm: return
            case .tss:
                for c in 0..<m { for i in 0..<n { sums[i] += v[i + c * n] } }
                for c in 0..<m { for i in 0..<n { v[i + c * n] /= sums[i] } }
            case .clr:
                for c in 0..<m { for i in 0..<n { let l = log(v[i + c * n] + 1); v[i + c * n] = l; sums[i] += l } }
                for i in 0..<n { sums[i] /= Double(m) }
                for c in 0..<m { for i in 0..<n { v[i + c * n] -= sums[i] } }
            }
        }
    }

    /// Transforms each column (feature).
    static func transform(_ y: inout Matrix, _ method: FeatureTransform, names: [String]) throws {
        let n = y.rows
        for c in 0..<y.columns {
            switch method {
            case .none: break
            case .log:
                y.storage.withUnsafeMutableBufferPointer { v in
                    let column = UnsafeMutableBufferPointer(rebasing: v[(c * n)..<((c + 1) * n)])
                    var smallest = Double.infinity
                    for x in column where x > 0 && x < smallest { smallest = x }
                    let half = smallest / 2
                    for i in 0..<n { column[i] = log2(column[i] == 0 ? half : column[i]) }
                }
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
