import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

#if arch(x86_64)
/// R's `LDOUBLE` on x86-64: the 80-bit extended type.
typealias RSum = Float80
#else
typealias RSum = Double
#endif

/// Multivariate homogeneity of group dispersions (PERMDISP; Anderson 2006,
/// *Biometrics* 62:245–253), with the numbers of vegan's `betadisper`,
/// `anova()` and `permutest()`.
///
/// 1. The principal coordinates of the distances: eigenvectors of
///    `−½ J D⁽²⁾ J` (LAPACK `dsyevr`) scaled by `√|λ|`, keeping the axes
///    with `|λ| > max(√ε, √ε·λ₁)`; axes of negative λ are imaginary.
/// 2. Each group's centre: its centroid (`centroid`), or its spatial median
///    (`median`, the default) — the point minimising the sum of Euclidean
///    distances to the group's samples, found, as vegan does, by R's
///    BFGS (``VariableMetric``) from the coordinate-wise medians, on the real
///    and on the imaginary axes separately.
/// 3. Each sample's distance to its centre, `z = √(d²_real − d²_imaginary)`;
///    a negative difference (possible with a non-Euclidean distance) is
///    taken as 0, as vegan does, and counted.
/// 4. One-way ANOVA of z on the groups (F, df, p from the F distribution),
///    and the permutation test of vegan's `permutest.betadisper`: the
///    residuals of that ANOVA are permuted and F recomputed;
///    p = `(#{F_π ≥ F − √ε} + 1) / (N + 1)`.
public struct Dispersion: Sendable {
    public enum Centre: String, Sendable, CaseIterable {
        case centroid, median
    }

    public let ids: [String]
    /// Each sample's group.
    public let groups: [String]
    /// The groups, sorted.
    public let levels: [String]
    /// Each sample's distance to its group's centre.
    public let distances: [Double]
    /// Mean distance to the centre per group (in `levels` order).
    public let groupMeans: [Double]
    public let f: Double
    public let df1: Int
    public let df2: Int
    public let pValue: Double
    public let permutationPValue: Double
    public let plan: PermutationPlan
    public let centre: Centre
    /// Samples whose squared distance came out negative and was set to 0.
    public let negativeSquaredDistances: Int
    /// Groups whose spatial median search hit the iteration limit.
    public let unconvergedGroups: [String]

    public init(distances d: DistanceMatrix, groups: [String], column: String, centre: Centre, plan: PermutationPlan) throws {
        let n = d.count
        precondition(groups.count == n, "one group per sample")
        let (levels, group) = try Self.levels(groups, column: column)

        // 1. Principal coordinates, real and imaginary axes.
        let eigen = try SymmetricEigen(PrincipalCoordinates.gowerCentred(d.values))
        let all = Array(eigen.eigenvalues.reversed())
        let tolerance = Double.ulpOfOne.squareRoot()
        let threshold = Swift.max(tolerance, tolerance * (all.first ?? 0))
        let kept = all.indices.filter { abs(all[$0]) > threshold }
        let axes = kept.count
        var vectors = Matrix(rows: n, columns: axes)
        for (a, k) in kept.enumerated() {
            let column = eigen.eigenvectors.column(n - 1 - k)
            let scale = abs(all[k]).squareRoot()
            for (i, v) in column.enumerated() { vectors[i, a] = v * scale }
        }
        let positive = kept.map { all[$0] > 0 }

        // 2. Centres, per group, on the real and the imaginary axes.
        var centres = Matrix(rows: levels.count, columns: axes)
        var unconverged = [String]()
        for (l, level) in levels.enumerated() {
            let members = (0..<n).filter { group[$0] == l }
            for sign in [true, false] {
                let cols = (0..<axes).filter { positive[$0] == sign }
                if cols.isEmpty { continue }
                let points = members.map { i in cols.map { vectors[i, $0] } }
                let point: [Double]
                switch centre {
                case .centroid:
                    point = cols.indices.map { c in points.reduce(0.0) { $0 + $1[c] } / Double(points.count) }
                case .median:
                    let (median, converged) = Self.spatialMedian(points)
                    if !converged && !unconverged.contains(level) { unconverged.append(level) }
                    point = median
                }
                for (c, axis) in cols.enumerated() { centres[l, axis] = point[c] }
            }
        }

        // 3. Distances to the centres.
        var z = [Double](repeating: 0, count: n)
        var negative = 0
        for i in 0..<n {
            var real = 0.0, imaginary = 0.0
            for a in 0..<axes {
                let diff = vectors[i, a] - centres[group[i], a]
                if positive[a] { real += diff * diff } else { imaginary += diff * diff }
            }
            if imaginary > real { negative += 1 }
            z[i] = Swift.max(real - imaginary, 0).squareRoot()
        }

        try self.init(ids: d.ids, groups: groups, levels: levels, group: group, distances: z, centre: centre, plan: plan,
                      negative: negative, unconverged: unconverged)
    }

    /// 4. The ANOVA of the distances to the centres, and the permutation
    /// test on its residuals.
    init(ids: [String], groups: [String], levels: [String], group: [Int], distances z: [Double], centre: Centre, plan: PermutationPlan,
         negative: Int, unconverged: [String]) throws {
        let n = z.count, k = levels.count
        let (f0, means) = Self.oneWayF(z, group: group, levels: k)
        var residuals = z
        for i in 0..<n { residuals[i] -= means[group[i]] }
        var exceed = 0
        plan.forEachBatch(n: n, batch: 256) { permutations in
            for p in permutations {
                let permuted = p.map { residuals[$0] }
                if Self.oneWayF(permuted, group: group, levels: k).f >= f0 - PermutationPlan.tolerance { exceed += 1 }
            }
        }
        self.ids = ids
        self.groups = groups
        self.levels = levels
        self.distances = z
        self.groupMeans = means
        self.f = f0
        self.df1 = k - 1
        self.df2 = n - k
        self.pValue = FDistribution(numeratorDegreesOfFreedom: Double(k - 1), denominatorDegreesOfFreedom: Double(n - k)).sf(f0)
        self.permutationPValue = PermutationPlan.pValue(exceeding: exceed, permutations: plan.count)
        self.plan = plan
        self.centre = centre
        self.negativeSquaredDistances = negative
        self.unconvergedGroups = unconverged
    }

    /// The sorted groups and each sample's, checked for a test: two groups
    /// or more, three samples or more, and more samples than groups (the
    /// ANOVA has n − k residual degrees of freedom).
    static func levels(_ groups: [String], column: String) throws -> (levels: [String], group: [Int]) {
        let n = groups.count
        let levels = sortedLevels(Array(Set(groups)))
        guard levels.count >= 2 else { throw CompositionError.oneGroup(column: column, level: levels.first ?? "") }
        guard n >= 3 else { throw CompositionError.tooFewSamples(count: n, needed: 3) }
        guard n > levels.count else { throw CompositionError.singletonGroups(column: column, samples: n, groups: levels.count) }
        let levelIndex = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
        return (levels, groups.map { levelIndex[$0] ?? 0 })
    }

    /// The one-way ANOVA F of `y` on `group` (as `lm(y ~ group)`), and the
    /// group means.
    static func oneWayF(_ y: [Double], group: [Int], levels: Int) -> (f: Double, means: [Double]) {
        var sums = [Double](repeating: 0, count: levels), counts = sums
        for (v, g) in zip(y, group) { sums[g] += v; counts[g] += 1 }
        let means = zip(sums, counts).map { $0 / $1 }
        let grand = y.reduce(0, +) / Double(y.count)
        var between = 0.0, within = 0.0
        for (v, g) in zip(y, group) {
            between += (means[g] - grand) * (means[g] - grand)
            within += (v - means[g]) * (v - means[g])
        }
        let f = (between / Double(levels - 1)) / (within / Double(y.count - levels))
        return (f, means)
    }

    /// The spatial median of `points` as vegan's `ordimedian`: R's BFGS on
    /// `Σ‖xᵢ − c‖` from the coordinate-wise medians.
    static func spatialMedian(_ points: [[Double]]) -> (median: [Double], converged: Bool) {
        let dims = points[0].count
        let start = (0..<dims).map { c in median(points.map { $0[c] }) }
        // R sums in long double (`rowSums`, `colSums`, `sum`); so do these,
        // so that the steps, and where they stop, are vegan's.
        let result = VariableMetric.minimize(start: start, f: { c in
            var total: RSum = 0
            for p in points {
                var s: RSum = 0
                for k in 0..<dims {
                    let d = p[k] - c[k]
                    s += RSum(d * d)
                }
                total += RSum(Double(s).squareRoot())
            }
            return Double(total)
        }, gradient: { c in
            var g = [RSum](repeating: 0, count: dims)
            for p in points {
                var s: RSum = 0
                for k in 0..<dims {
                    let d = p[k] - c[k]
                    s += RSum(d * d)
                }
                let r = Double(s).squareRoot()
                for k in 0..<dims { g[k] += RSum(-(p[k] - c[k]) / r) }
            }
            return g.map { Double($0) }
        })
        return (result.x, result.converged)
    }

    /// One row: `f_statistic, df1, df2, p_value, p_permutation, permutations`.
    public var table: TextTable {
        TextTable(columns: ["f_statistic", "df1", "df2", "p_value", "p_permutation", "permutations"],
                  rows: [[.number(f), .number(Double(df1)), .number(Double(df2)), .number(pValue), .number(permutationPValue),
                          .number(Double(plan.count))]])
    }

    /// `sample_id, group, distance`.
    public var distanceTable: TextTable {
        TextTable(columns: ["sample_id", "group", "distance"],
                  rows: ids.indices.map { [.text(ids[$0]), .text(groups[$0]), .number(distances[$0])] })
    }

    /// `group, samples, mean_distance`.
    public var groupTable: TextTable {
        TextTable(columns: ["group", "samples", "mean_distance"],
                  rows: levels.indices.map { l in
                      [.text(levels[l]), .number(Double(groups.filter { $0 == levels[l] }.count)), .number(groupMeans[l])]
                  })
    }
}
