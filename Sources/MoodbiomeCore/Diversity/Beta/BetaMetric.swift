import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// Settings of the metrics that have them — the one declaration of the
/// beta settings: jobs carry it, the command line and the manifest fill it.
public struct BetaOptions: Sendable {
    /// Added to every count before the CLR of `aitchison` (1 by default);
    /// 0 is allowed only when no count is zero.
    public var pseudocount = 1.0
    /// α of `generalized_unifrac` (0.5 by default, Chen et al. 2012).
    public var generalizedAlpha = 0.5
    /// The tree of the table's features, for the phylogenetic metrics.
    public var phylogeny: TablePhylogeny? = nil

    public init() {}

    /// The parameters' ranges: a pseudocount ≥ 0, α in [0, 1].
    public func validate() throws {
        guard pseudocount >= 0, pseudocount.isFinite else {
            throw ParameterError(.pseudocount, .outOfRange(value: NumberStyle.roundTrip.format(pseudocount), allowed: .atLeast("0")))
        }
        guard (0...1).contains(generalizedAlpha) else {
            throw ParameterError(.alpha, .outOfRange(value: NumberStyle.roundTrip.format(generalizedAlpha), allowed: .between("0", "1")))
        }
    }
}

/// Why a beta-diversity matrix could not be computed, typed.
public enum BetaDiversityError: Error, Equatable, Sendable {
    /// Names that are no beta metric, every one of the list.
    case unknownMetrics([String])
    /// A phylogenetic metric without a tree.
    case needsTree(String)
    /// CLR of a zero without a pseudocount.
    case zerosWithoutPseudocount(file: String)
    /// Two samples share no feature, so the robust Aitchison distance is undefined.
    case noSharedFeatures(String, String)
    /// The dense CLR matrix would not fit (samples × features doubles).
    case tooLarge(samples: Int, features: Int)
    /// Fewer than two samples with reads.
    case tooFewSamples(file: String)
}

/// One beta-diversity metric: its name, what it needs, and how the whole
/// distance matrix is computed. Names as in scikit-bio where it has them.
public struct BetaMetricDefinition: Sendable {
    public let name: String
    /// The metric's proper name, for titles and prose ("Bray–Curtis").
    public let title: String
    public let aliases: [String]
    public let needsTree: Bool
    /// One line on the metric, with its formula.
    public let summary: String
    public let reference: String
    /// The distances of a run of rows' pairs, in condensed order (the
    /// whole matrix is `PairRows.all(n)`).
    let compute: @Sendable (CountTable, BetaOptions, PairRows) throws -> [Double]

    /// Every beta metric, in the order `moodbiome metrics` lists them.
    public static let registry: [BetaMetricDefinition] = [
        .brayCurtis, .jaccard, .euclidean, .canberra, .hellinger, .aitchison, .robustAitchison,
        .unweightedUniFrac, .weightedUniFrac, .weightedNormalizedUniFrac, .generalizedUniFrac,
    ]

    /// The definition with this name or alias (case-insensitive).
    public static func named(_ text: String) -> BetaMetricDefinition? {
        let lower = text.lowercased()
        return registry.first { $0.name == lower || $0.aliases.contains(lower) }
    }
}

/// A distance matrix of a count table: samples with no reads have no
/// composition, so they are left out (and listed).
public struct BetaDiversityResult: Sendable {
    public let matrix: DistanceMatrix
    public let metric: BetaMetricDefinition
    /// Samples without reads, left out.
    public let emptySamples: [String]

    public init(table: CountTable, metric: BetaMetricDefinition, options: BetaOptions = .init()) throws {
        let (used, empty) = try Self.samplesWithReads(table)
        let condensed = try metric.distances(used, options: options, pairs: .all(used.sampleCount))
        self.matrix = DistanceMatrix(ids: used.sampleIDs, condensed: condensed, source: "\(metric.name) of \(table.source)")
        self.metric = metric
        self.emptySamples = empty
    }
}

extension BetaDiversityResult {
    /// The table's samples with reads, which the distances are between, and
    /// the IDs of those without (left out); at least two must have reads.
    public static func samplesWithReads(_ table: CountTable) throws -> (table: CountTable, empty: [String]) {
        let kept = (0..<table.sampleCount).filter { !table.isEmptySample($0) }
        let empty = (0..<table.sampleCount).filter { table.isEmptySample($0) }.map { table.sampleIDs[$0] }
        guard kept.count >= 2 else { throw BetaDiversityError.tooFewSamples(file: table.source) }
        return (kept.count == table.sampleCount ? table : table.selectingSamples(kept), empty)
    }
}

extension BetaMetricDefinition {
    /// The distances of `pairs` (condensed order) between the samples of
    /// `table`, every one of which has reads (``BetaDiversityResult/samplesWithReads(_:)``).
    /// A pair's distance does not depend on which rows are asked for: a
    /// stripe is bit for bit that part of the whole matrix.
    public func distances(_ table: CountTable, options: BetaOptions, pairs: PairRows) throws -> [Double] {
        precondition(pairs.n == table.sampleCount)
        if needsTree && options.phylogeny == nil { throw BetaDiversityError.needsTree(name) }
        return try compute(table, options, pairs)
    }

    /// The whole matrix's condensed distances as `T` (Float for float32),
    /// computed stripe by stripe — stripes of at most `stripeBytes` of
    /// doubles — so that the doubles of one stripe at a time sit beside
    /// the result: the peak is the matrix in `T` plus about three stripes.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func condensed<T: BinaryFloatingPoint>(_ table: CountTable, options: BetaOptions, as: T.Type,
                                                  stripeBytes: Int = 1 << 28) throws -> [T] {
        let n = table.sampleCount
        let pairs = PairRows.pairCount(n)
        let wanted = Swift.max(1, Swift.min(StripePlan.maximumStripes(n), pairs * 8 / stripeBytes + 1))
        let plan = try StripePlan(n: n, stripes: wanted)
        var out = [T]()
        out.reserveCapacity(pairs)
        for k in 1...plan.count {
            // Specialized for Float and Double: through generic witnesses each
            // conversion cost more than the distance (10× the whole run).
            for d in try distances(table, options: options, pairs: plan.stripe(k)) { out.append(T(d)) }
        }
        return out
    }
}

extension CountTable {
    /// The samples at `indices`, in that order.
    public func selectingSamples(_ indices: [Int]) -> CountTable {
        var starts = [0], taxa = [Int32](), vals = [Double]()
        for j in indices {
            taxa.append(contentsOf: taxonIndices[range(ofSample: j)])
            vals.append(contentsOf: values[range(ofSample: j)])
            starts.append(vals.count)
        }
        var table = CountTable(uncheckedSampleIDs: indices.map { sampleIDs[$0] }, taxonIDs: taxonIDs, columnStarts: starts,
                               taxonIndices: taxa, values: vals, isIntegral: isIntegral, taxonomy: taxonomy, source: source)
        table.origin = origin
        return table
    }
}

// MARK: Metrics on shared features

/// `min(u, v)`: Bray–Curtis.
struct MinimumTerm: SharedTerm {
    @inline(__always) func term(_ a: Double, _ b: Double, _ f: Int) -> (Double, Double, Double) { (Swift.min(a, b), 0, 0) }
}
/// `1`: Jaccard's shared features.
struct CountTerm: SharedTerm {
    @inline(__always) func term(_ a: Double, _ b: Double, _ f: Int) -> (Double, Double, Double) { (1, 0, 0) }
}
/// `u·v`: the cross product of the Euclidean distance.
struct ProductTerm: SharedTerm {
    @inline(__always) func term(_ a: Double, _ b: Double, _ f: Int) -> (Double, Double, Double) { (a * b, 0, 0) }
}
/// Canberra: the shared count and `|u − v| / (u + v)`.
struct CanberraTerm: SharedTerm {
    @inline(__always) func term(_ a: Double, _ b: Double, _ f: Int) -> (Double, Double, Double) { (1, abs(a - b) / (a + b), 0) }
}
/// Robust Aitchison: with `a = ln u − ln v`, the sums of `a`, `a²` and the count.
struct LogRatioTerm: SharedTerm {
    @inline(__always) func term(_ a: Double, _ b: Double, _ f: Int) -> (Double, Double, Double) {
        let r = log(a) - log(b)
        return (r, r * r, 1)
    }
}

extension BetaMetricDefinition {
    /// Bray–Curtis dissimilarity, `Σ|uₖ − vₖ| / Σ(uₖ + vₖ)`, on the counts as
    /// given (scikit-bio and SciPy `braycurtis`, vegan `vegdist(method =
    /// "bray")`), computed as `1 − 2 Σ min(uₖ, vₖ) / (U + V)` over shared taxa.
    /// Bray J. R. & Curtis J. T. (1957) *Ecol. Monogr.* 27:325–349.
    public static let brayCurtis = BetaMetricDefinition(
        name: "braycurtis", title: "Bray–Curtis", aliases: ["bray", "bray_curtis"], needsTree: false,
        summary: "Bray–Curtis dissimilarity Σ|u − v| / Σ(u + v)", reference: "Bray & Curtis 1957, Ecol. Monogr. 27:325",
        compute: { table, _, pairs in
            let columns = SparseColumns(table)
            let totals = table.sampleTotals
            let shared = SharedFeatureSums.accumulate(columns, sums: 1, MinimumTerm(), pairs: pairs)
            return SharedFeatureSums.distances(pairs, shared: shared) { i, j, s, _, _ in
                let t = totals[i] + totals[j]
                return (t - 2 * s) / t
            }
        })

    /// Jaccard distance on presence and absence, `1 − |A ∩ B| / |A ∪ B|`
    /// (scikit-bio and SciPy `jaccard` on booleans; vegan `vegdist(method =
    /// "jaccard", binary = TRUE)`). Jaccard P. (1912) *New Phytol.* 11:37–50.
    public static let jaccard = BetaMetricDefinition(
        name: "jaccard", title: "Jaccard", aliases: [], needsTree: false,
        summary: "Jaccard distance 1 − |A ∩ B| / |A ∪ B| (presence/absence)", reference: "Jaccard 1912, New Phytol. 11:37",
        compute: { table, _, pairs in
            let columns = SparseColumns(table)
            let sizes = (0..<table.sampleCount).map { Double(table.range(ofSample: $0).count) }
            let shared = SharedFeatureSums.accumulate(columns, sums: 1, CountTerm(), pairs: pairs)
            return SharedFeatureSums.distances(pairs, shared: shared) { i, j, s, _, _ in
                let union = sizes[i] + sizes[j] - s
                return union > 0 ? (sizes[i] + sizes[j] - 2 * s) / union : 0
            }
        })

    /// Euclidean distance `√Σ(uₖ − vₖ)²` (scikit-bio, SciPy, vegan), as
    /// `√(Σu² + Σv² − 2Σuv)`: exact for counts (integers below 2⁵³); for
    /// non-integer values each pair is summed over the union of its features.
    public static let euclidean = BetaMetricDefinition(
        name: "euclidean", title: "Euclidean", aliases: [], needsTree: false,
        summary: "Euclidean distance √Σ(u − v)²", reference: "scikit-bio / SciPy euclidean",
        compute: { table, _, pairs in
            if !table.isIntegral {
                return PairwiseMerge.distances(SparseColumns(table), pairs: pairs) { u, v in
                    var s = 0.0
                    PairwiseMerge.union(u, v) { a, b in s += (a - b) * (a - b) }
                    return s.squareRoot()
                }
            }
            let squares = (0..<table.sampleCount).map { j in table.nonZeroValues(ofSample: j).reduce(0) { $0 + $1 * $1 } }
            let shared = SharedFeatureSums.accumulate(SparseColumns(table), sums: 1, ProductTerm(), pairs: pairs)
            return SharedFeatureSums.distances(pairs, shared: shared) { i, j, p, _, _ in
                Swift.max(0, squares[i] + squares[j] - 2 * p).squareRoot()
            }
        })

    /// Canberra distance `Σ |uₖ − vₖ| / (uₖ + vₖ)` over the taxa in either
    /// sample (SciPy `canberra`, scikit-bio; vegan's `canberra` divides by the
    /// number of non-zero taxa and is not this one). Lance G. N. & Williams
    /// W. T. (1967) *Aust. Comput. J.* 1:15–20.
    public static let canberra = BetaMetricDefinition(
        name: "canberra", title: "Canberra", aliases: [], needsTree: false,
        summary: "Canberra distance Σ|u − v| / (u + v)", reference: "Lance & Williams 1967, Aust. Comput. J. 1:15",
        compute: { table, _, pairs in
            let sizes = (0..<table.sampleCount).map { Double(table.range(ofSample: $0).count) }
            let shared = SharedFeatureSums.accumulate(SparseColumns(table), sums: 2, CanberraTerm(), pairs: pairs)
            return SharedFeatureSums.distances(pairs, shared: shared) { i, j, count, ratio, _ in
                sizes[i] + sizes[j] - 2 * count + ratio
            }
        })

    /// Hellinger distance, the Euclidean distance of the square roots of
    /// the proportions, `√Σ(√pₖ − √qₖ)²` — vegan `vegdist(decostand(x,
    /// "hellinger"), "euclidean")` (no 1/√2 factor). Legendre P. & Gallagher
    /// E. D. (2001) *Oecologia* 129:271–280.
    public static let hellinger = BetaMetricDefinition(
        name: "hellinger", title: "Hellinger", aliases: [], needsTree: false,
        summary: "Hellinger distance √Σ(√p − √q)², p the proportions", reference: "Legendre & Gallagher 2001, Oecologia 129:271",
        compute: { table, _, pairs in
            var columns = SparseColumns(table)
            var sums = [Double](repeating: 0, count: table.sampleCount)
            for j in 0..<table.sampleCount {
                let range = table.range(ofSample: j)
                let total = table.values[range].reduce(0, +)
                for k in range {
                    let root = (table.values[k] / total).squareRoot()
                    columns.values[k] = root
                    sums[j] += root * root
                }
            }
            let shared = SharedFeatureSums.accumulate(columns, sums: 1, ProductTerm(), pairs: pairs)
            return SharedFeatureSums.distances(pairs, shared: shared) { i, j, p, _, _ in
                Swift.max(0, sums[i] + sums[j] - 2 * p).squareRoot()
            }
        })

    /// Aitchison distance: the Euclidean distance between centred log-ratio
    /// vectors, `clr(x)ₖ = ln(xₖ + c) − mean_l ln(x_l + c)` over every feature,
    /// with pseudocount c (1 by default). scikit-bio: `euclidean` of
    /// `skbio.stats.composition.clr(counts + c)`. Because the CLR does not
    /// change when a constant is added to every log, `ln(1 + x/c)` — zero for
    /// an absent feature — serves, and the distance follows from sparse sums.
    /// Aitchison J. (1982) *J. R. Stat. Soc. B* 44:139–177.
    public static let aitchison = BetaMetricDefinition(
        name: "aitchison", title: "Aitchison", aliases: [], needsTree: false,
        summary: "Aitchison distance: Euclidean distance of CLR vectors (pseudocount 1)", reference: "Aitchison 1982, JRSS B 44:139",
        compute: { table, options, pairs in
            let c = options.pseudocount
            let p = Double(table.taxonCount)
            if c == 0 && table.nonZeroCount < table.sampleCount * table.taxonCount {
                throw BetaDiversityError.zerosWithoutPseudocount(file: table.source)
            }
            var columns = SparseColumns(table)
            var sum = [Double](repeating: 0, count: table.sampleCount), squares = sum
            for j in 0..<table.sampleCount {
                for k in table.range(ofSample: j) {
                    let y = c > 0 ? log1p(table.values[k] / c) : log(table.values[k])
                    columns.values[k] = y
                    sum[j] += y
                    squares[j] += y * y
                }
            }
            let shared = SharedFeatureSums.accumulate(columns, sums: 1, ProductTerm(), pairs: pairs)
            return SharedFeatureSums.distances(pairs, shared: shared) { i, j, cross, _, _ in
                // Σₖ((yᵢₖ − mᵢ) − (yⱼₖ − mⱼ))² with m the means over all p features.
                let difference = (sum[i] - sum[j]) / p
                let d2 = squares[i] + squares[j] - 2 * cross - 2 * difference * (sum[i] - sum[j]) + p * difference * difference
                return Swift.max(0, d2).squareRoot()
            }
        })

    /// Robust Aitchison distance: the Aitchison distance over the features
    /// both samples hold (no pseudocount): with `aₖ = ln uₖ − ln vₖ` on the
    /// shared set S, `√(Σ aₖ² − (Σ aₖ)² / |S|)` — the robust CLR of Martino et
    /// al. (2019) taken pairwise. Undefined (an error) for samples that share
    /// no feature. Martino C. et al. (2019) *mSystems* 4:e00016-19.
    public static let robustAitchison = BetaMetricDefinition(
        name: "robust_aitchison", title: "robust Aitchison", aliases: [], needsTree: false,
        summary: "robust Aitchison distance: CLR over each pair's shared features", reference: "Martino et al. 2019, mSystems 4:e00016-19",
        compute: { table, _, pairs in
            let shared = SharedFeatureSums.accumulate(SparseColumns(table), sums: 3, LogRatioTerm(), pairs: pairs)
            var undefined: (Int, Int)? = nil
            let m = SharedFeatureSums.distances(pairs, shared: shared) { i, j, s, s2, count in
                if count == 0 {
                    if undefined == nil { undefined = (i, j) }
                    return .nan
                }
                return Swift.max(0, s2 - s * s / count).squareRoot()
            }
            if let (i, j) = undefined { throw BetaDiversityError.noSharedFeatures(table.sampleIDs[i], table.sampleIDs[j]) }
            return m
        })
}

/// Distances summed over the union of two samples' features, pair by pair
/// (for the few metrics without a shared-sum form).
enum PairwiseMerge {
    static func union(_ u: (features: ArraySlice<Int32>, values: ArraySlice<Double>),
                      _ v: (features: ArraySlice<Int32>, values: ArraySlice<Double>),
                      _ body: (Double, Double) -> Void) {
        var a = u.features.startIndex, b = v.features.startIndex
        while a < u.features.endIndex || b < v.features.endIndex {
            if b == v.features.endIndex || (a < u.features.endIndex && u.features[a] < v.features[b]) {
                body(u.values[a], 0); a += 1
            } else if a == u.features.endIndex || v.features[b] < u.features[a] {
                body(0, v.values[b]); b += 1
            } else {
                body(u.values[a], v.values[b]); a += 1; b += 1
            }
        }
    }

    static func distances(_ columns: SparseColumns, pairs: PairRows,
                          _ d: @escaping @Sendable ((ArraySlice<Int32>, ArraySlice<Double>), (ArraySlice<Int32>, ArraySlice<Double>)) -> Double) -> [Double] {
        var out = Matrix(rows: pairs.count, columns: 1)
        let rowBlocks = SharedFeatureSums.blocks(pairs)
        out.withParallelWriter { w in
            _ = parallelChunkMap(count: rowBlocks.count) { range in
                for i in range.flatMap({ rowBlocks[$0] }) {
                    let u = (columns.features[columns.starts[i]..<columns.starts[i + 1]], columns.values[columns.starts[i]..<columns.starts[i + 1]])
                    for j in (i + 1)..<Swift.max(pairs.n, i + 1) {
                        let v = (columns.features[columns.starts[j]..<columns.starts[j + 1]], columns.values[columns.starts[j]..<columns.starts[j + 1]])
                        w.set(pairs.index(i, j), 0, d(u, v))
                    }
                }
            }
        }
        return out.storage
    }
}
