import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// `L` of the shared branch: the shared observed length of unweighted UniFrac.
struct BranchLengthTerm: SharedTerm {
    let lengths: [Double]
    @inline(__always) func term(_ a: Double, _ b: Double, _ f: Int) -> (Double, Double, Double) { (lengths[f], 0, 0) }
}

/// `L·min(p, q)`: the shared part of weighted UniFrac's `Σ L|p − q|`.
struct WeightedBranchTerm: SharedTerm {
    let lengths: [Double]
    @inline(__always) func term(_ a: Double, _ b: Double, _ f: Int) -> (Double, Double, Double) { (lengths[f] * Swift.min(a, b), 0, 0) }
}

/// Generalized UniFrac's correction on a shared branch: what the
/// per-sample sums count there, minus what the pair really adds.
struct GeneralizedBranchTerm: SharedTerm {
    let lengths: [Double]
    let alpha: Double
    let root: Int
    @inline(__always) func term(_ a: Double, _ b: Double, _ f: Int) -> (Double, Double, Double) {
        if f == root { return (0, 0, 0) }
        let l = lengths[f], s = a + b
        let separate = l * (pow(a, alpha) + pow(b, alpha))
        let sa = pow(s, alpha)
        return (separate - l * sa / s * abs(a - b), separate - l * sa, 0)
    }
}

extension BetaMetricDefinition {
    /// Unweighted UniFrac: the fraction of the observed branch length that
    /// leads to one sample only, `Σ L·[exactly one] / Σ L·[either]`
    /// (scikit-bio `unweighted_unifrac`; 0 when no branch is observed).
    /// Lozupone C. & Knight R. (2005) *Appl. Environ. Microbiol.* 71:8228–8235.
    public static let unweightedUniFrac = BetaMetricDefinition(
        name: "unweighted_unifrac", title: "unweighted UniFrac", aliases: [], needsTree: true,
        summary: "unweighted UniFrac: unique / observed branch length", reference: "Lozupone & Knight 2005, AEM 71:8228",
        compute: { table, options, pairs in
            guard let phylogeny = options.phylogeny else { throw BetaDiversityError.needsTree("unweighted_unifrac") }
            let columns = phylogeny.nodeColumns(table, proportions: false)
            let lengths = phylogeny.tree.length
            let observed = (0..<columns.columnCount).map { j in columns.features[columns.starts[j]..<columns.starts[j + 1]].reduce(0) { $0 + lengths[Int($1)] } }
            let shared = SharedFeatureSums.accumulate(columns, sums: 1, BranchLengthTerm(lengths: lengths), pairs: pairs)
            return SharedFeatureSums.distances(pairs, shared: shared) { i, j, s, _, _ in
                let either = observed[i] + observed[j] - s
                return either > 0 ? (observed[i] + observed[j] - 2 * s) / either : 0
            }
        })

    /// Weighted UniFrac, `Σ L·|pᵢ − qᵢ|` over branches, p and q the
    /// proportions of each sample's reads below a branch (scikit-bio
    /// `weighted_unifrac`, `normalized=False`). Lozupone C. A. et al. (2007)
    /// *Appl. Environ. Microbiol.* 73:1576–1585.
    public static let weightedUniFrac = BetaMetricDefinition(
        name: "weighted_unifrac", title: "weighted UniFrac", aliases: [], needsTree: true,
        summary: "weighted UniFrac Σ L|p − q|", reference: "Lozupone et al. 2007, AEM 73:1576",
        compute: { table, options, pairs in
            try weighted(table, options, pairs, normalized: false)
        })

    /// Weighted UniFrac normalized to [0, 1] by `Σ_tips D·(p + q)`, D the
    /// distance from the root to the tip (scikit-bio `weighted_unifrac`,
    /// `normalized=True`; equal to GUniFrac's d⁽¹⁾).
    public static let weightedNormalizedUniFrac = BetaMetricDefinition(
        name: "weighted_normalized_unifrac", title: "weighted normalized UniFrac", aliases: [], needsTree: true,
        summary: "weighted UniFrac / Σ_tips D (p + q)", reference: "Lozupone et al. 2007, AEM 73:1576",
        compute: { table, options, pairs in
            try weighted(table, options, pairs, normalized: true)
        })

    /// Generalized UniFrac of order α (`--alpha`, 0.5 by default),
    /// `Σ L (p + q)^α |p − q|/(p + q) / Σ L (p + q)^α` over the branches
    /// either sample reaches — α = 1 is weighted (normalized) UniFrac, α = 0
    /// weighs every observed branch alike (GUniFrac's `d_0`). As GUniFrac
    /// in R (the root's own length does not count). Chen J. et al. (2012)
    /// *Bioinformatics* 28:2106–2113.
    public static let generalizedUniFrac = BetaMetricDefinition(
        name: "generalized_unifrac", title: "generalized UniFrac", aliases: ["gunifrac"], needsTree: true,
        summary: "generalized UniFrac of order α (default 0.5)", reference: "Chen et al. 2012, Bioinformatics 28:2106",
        compute: { table, options, pairs in
            guard let phylogeny = options.phylogeny else { throw BetaDiversityError.needsTree("generalized_unifrac") }
            let alpha = options.generalizedAlpha
            let columns = phylogeny.nodeColumns(table, proportions: true)
            let lengths = phylogeny.tree.length, root = phylogeny.tree.root
            let own = (0..<columns.columnCount).map { j in
                (columns.starts[j]..<columns.starts[j + 1]).reduce(0.0) { sum, k in
                    let f = Int(columns.features[k])
                    return f == root ? sum : sum + lengths[f] * pow(columns.values[k], alpha)
                }
            }
            let shared = SharedFeatureSums.accumulate(columns, sums: 2, GeneralizedBranchTerm(lengths: lengths, alpha: alpha, root: root), pairs: pairs)
            return SharedFeatureSums.distances(pairs, shared: shared) { i, j, numeratorCorrection, denominatorCorrection, _ in
                let denominator = own[i] + own[j] - denominatorCorrection
                return denominator > 0 ? (own[i] + own[j] - numeratorCorrection) / denominator : 0
            }
        })

    static func weighted(_ table: CountTable, _ options: BetaOptions, _ pairs: PairRows, normalized: Bool) throws -> [Double] {
        guard let phylogeny = options.phylogeny else { throw BetaDiversityError.needsTree("weighted_unifrac") }
        let columns = phylogeny.nodeColumns(table, proportions: true)
        let lengths = phylogeny.tree.length
        let own = (0..<columns.columnCount).map { j in
            (columns.starts[j]..<columns.starts[j + 1]).reduce(0.0) { $0 + lengths[Int(columns.features[$1])] * columns.values[$1] }
        }
        var correction = [Double](repeating: 0, count: table.sampleCount)
        if normalized {
            let distance = phylogeny.tree.rootDistances
            for j in 0..<table.sampleCount {
                let r = table.range(ofSample: j)
                let total = table.values[r].reduce(0, +)
                for k in r { correction[j] += distance[phylogeny.tipOfTaxon[Int(table.taxonIndices[k])]] * (table.values[k] / total) }
            }
        }
        let shared = SharedFeatureSums.accumulate(columns, sums: 1, WeightedBranchTerm(lengths: lengths), pairs: pairs)
        return SharedFeatureSums.distances(pairs, shared: shared) { i, j, s, _, _ in
            let u = Swift.max(0, own[i] + own[j] - 2 * s)
            return normalized ? u / (correction[i] + correction[j]) : u
        }
    }
}
