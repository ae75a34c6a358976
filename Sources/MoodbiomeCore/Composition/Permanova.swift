import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// Permutational multivariate analysis of variance of a distance matrix
/// (PERMANOVA; Anderson 2001, *Austral Ecol.* 26:32–46; McArdle & Anderson
/// 2001, *Ecology* 82:290–297), with the numbers of vegan's `adonis2`.
///
/// The distances enter through Gower's centred matrix
/// `G = −½ J D⁽²⁾ J`; the total sum of squares is `tr G`. The design (the
/// formula's model matrix without the intercept, columns centred) is made
/// orthonormal column by column in formula order (``OrderedBasis``); the
/// sum of squares of a set of basis columns Q is `tr(Qᵀ G Q)`.
///
/// - `terms` (sequential, type I): term k's SS is that of its own basis
///   columns, given the terms before it; `F_k = (SS_k / df_k) / (SS_res / df_res)`.
/// - `margin` (type III-like, vegan's `by = "margin"`): term k's SS is the
///   model's minus that of the model without term k's columns, for the
///   terms not contained in an interaction (R's `drop.scope`).
/// - `none`: the whole model in one row.
///
/// `df_res = n − rank − 1`. Permutations permute the samples' rows and
/// columns of G — equivalently the rows of every basis — and each
/// statistic is recomputed for every permutation, in batches as one
/// matrix product `G · [Q_π₁ … Q_π_B]` (BLAS level 3): nothing is refitted.
/// p = `(#{F_π ≥ F − √ε} + 1) / (N + 1)` (vegan's rule).
///
/// Each term may have its own restriction of the permutations
/// (`termPlans`): with repeated measures a term constant within
/// participants is tested by permuting whole participants, a term varying
/// within them by permuting within participants (``PermutationPlan``);
/// the permutations of each distinct plan are drawn once and serve all its
/// terms.
public struct Permanova: Sendable {
    /// How the model's sum of squares is split into rows.
    public enum Split: String, Sendable, CaseIterable {
        case terms, margin, none
    }

    /// One row of the table.
    public struct Row: Sendable, Equatable {
        public let term: String
        public let df: Int
        public let sumOfSquares: Double
        public let rSquared: Double
        /// NaN for the Residual and Total rows.
        public let f: Double
        public let pValue: Double
    }

    /// The term rows (or one `Model` row), then `Residual` and `Total`.
    public let rows: [Row]
    public let split: Split
    /// The plan of the `Model` row and of terms without one of their own.
    public let plan: PermutationPlan
    /// Plans of particular terms, by label.
    public let termPlans: [String: PermutationPlan]
    /// Terms whose columns are all aliased by earlier ones: no row.
    public let aliasedTerms: [String]
    /// `margin`: terms not tested because an interaction contains them.
    public let untestedTerms: [String]
    public let sampleCount: Int

    /// Tests `distances` against `design` (rows in the same order).
    ///
    /// - Throws: `DataError.noResidualDegreesOfFreedom` when the model
    ///   leaves no residual degree of freedom.
    public init(distances: DistanceMatrix, design: DesignMatrix, split: Split, plan: PermutationPlan,
                termPlans: [String: PermutationPlan] = [:]) throws {
        precondition(distances.count == design.x.rows, "the distances and the design describe the same samples")
        let n = distances.count
        let g = PrincipalCoordinates.gowerCentred(distances.values)
        let total = (0..<n).reduce(0.0) { $0 + g[$1, $1] }
        let layout = try Layout(design: design, split: split, source: distances.source)
        try self.init(layout: layout, plan: plan, termPlans: termPlans, total: total) { permutations in
            Self.columnSumsOfSquares(g, basis: layout.basis, permutations: permutations)
        }
    }

    /// The test from its layout and the basis columns' sums of squares
    /// `q_πᵀ G q_π` of any batch of permutations, which `sumsOfSquares`
    /// gives: the identity first, then each distinct plan's permutations
    /// in order (``Setup/forEachPermutationBatch(batch:_:)``'s order).
    init(layout: Layout, plan: PermutationPlan, termPlans: [String: PermutationPlan], total: Double,
         sumsOfSquares: ([[Int]]) throws -> [Double]) throws {
        let n = layout.basis.rows
        let observedSS = try sumsOfSquares([Array(0..<n)])
        let observed = layout.statistics(observedSS[...], total: total)
        let statisticPlans = layout.statisticTerms.map { termPlans[$0] ?? plan }
        let exceed = try Self.exceedances(layout: layout, total: total, observed: observed, plans: statisticPlans, sumsOfSquares: sumsOfSquares)
        self.rows = layout.rows(observedSS: observedSS, total: total, observed: observed, pValues: exceed.indices.map {
            PermutationPlan.pValue(exceeding: exceed[$0], permutations: statisticPlans[$0].count)
        })
        self.aliasedTerms = layout.aliasedTerms
        self.untestedTerms = layout.untestedTerms
        self.split = layout.split
        self.plan = plan
        self.termPlans = termPlans
        self.sampleCount = n
    }

    /// The distinct plans of the statistics, in order of first use.
    static func distinct(_ plans: [PermutationPlan]) -> [PermutationPlan] {
        var distinct = [PermutationPlan]()
        for p in plans where !distinct.contains(p) { distinct.append(p) }
        return distinct
    }

    /// The batch size for a basis of `width` columns.
    static func batchSize(_ plan: PermutationPlan, width: Int) -> Int {
        Swift.max(1, Swift.min(plan.count, 2048 / Swift.max(width, 1)))
    }

    /// For each statistic, how many permutations of its plan reach it; the
    /// permutations of each distinct plan are drawn once, in batches.
    static func exceedances(layout: Layout, total: Double, observed: [Double], plans: [PermutationPlan],
                            sumsOfSquares: ([[Int]]) throws -> [Double]) throws -> [Int] {
        let n = layout.basis.rows, width = layout.basis.columns
        var exceed = [Int](repeating: 0, count: observed.count)
        for current in distinct(plans) {
            let mine = plans.indices.filter { plans[$0] == current }
            try current.forEachBatch(n: n, batch: batchSize(current, width: width)) { permutations in
                let ss = try sumsOfSquares(permutations)
                for p in permutations.indices {
                    let f = layout.statistics(ss[(p * width)..<((p + 1) * width)], total: total)
                    for k in mine where f[k] >= observed[k] - PermutationPlan.tolerance { exceed[k] += 1 }
                }
            }
        }
        return exceed
    }

    /// What a design tests: the centred design's orthonormal basis (and,
    /// by margin, each tested term's reduced basis) stacked as one matrix,
    /// the basis columns of each term, and the statistics of a set of
    /// column sums of squares.
    struct Layout {
        let split: Split
        let labels: [String]
        let rank: Int
        let residualDF: Int
        /// [Q_full, Q_reduced…], n × width.
        let basis: Matrix
        /// Terms with basis columns, and (margin) those tested.
        let present: [Int]
        let tested: [Int]
        let aliasedTerms: [String]
        let untestedTerms: [String]
        /// The full basis' columns of each present term.
        let termColumns: [[Int]]
        /// Column ranges of the reduced bases in `basis`.
        let reducedRanges: [Range<Int>]

        init(design: DesignMatrix, split: Split, source: String) throws {
            let n = design.x.rows
            // The centred design without the intercept, and each column's term.
            let columns = design.columnTerms.indices.filter { design.columnTerms[$0] != nil }
            var x = design.x.selectingColumns(columns)
            let columnTerm = columns.map { design.columnTerms[$0] ?? 0 }
            for j in 0..<x.columns {
                let mean = x.column(j).reduce(0, +) / Double(n)
                for i in 0..<n { x[i, j] -= mean }
            }
            let full = OrderedBasis(x)
            rank = full.rank
            residualDF = n - rank - 1
            guard residualDF > 0 else {
                throw DataError(.noResidualDegreesOfFreedom(rank: rank + 1, rows: n), at: SourceLocation(file: source))
            }
            self.split = split
            labels = design.termLabels
            // The basis columns of each term, in order.
            let termCount = design.termLabels.count
            var termOfBasis = [Int]()
            for (j, independent) in full.independent.enumerated() where independent { termOfBasis.append(columnTerm[j]) }
            let termRank = (0..<termCount).map { t in termOfBasis.filter { $0 == t }.count }
            aliasedTerms = (0..<termCount).filter { termRank[$0] == 0 }.map { design.termLabels[$0] }
            let present = (0..<termCount).filter { termRank[$0] > 0 }
            self.present = present
            // The bases whose sums of squares every permutation needs.
            var blocks = [full.q]
            var tested = [Int](), untested = [String]()
            if split == .margin {
                let factors = design.formula.terms.map { Set($0.factors) }
                for t in present {
                    // R's drop.scope: a term inside a higher-order term stays.
                    if present.contains(where: { $0 != t && factors[$0].isStrictSuperset(of: factors[t]) }) {
                        untested.append(design.termLabels[t])
                        continue
                    }
                    tested.append(t)
                    blocks.append(OrderedBasis(x.selectingColumns((0..<x.columns).filter { columnTerm[$0] != t })).q)
                }
            }
            self.tested = tested
            untestedTerms = untested
            var stacked = [Double]()
            for b in blocks { stacked += b.storage }
            basis = Matrix(rows: n, columns: blocks.reduce(0) { $0 + $1.columns }, columnMajor: stacked)
            termColumns = present.map { t in termOfBasis.indices.filter { termOfBasis[$0] == t } }
            var ranges = [Range<Int>](), start = rank
            for b in blocks.dropFirst() { ranges.append(start..<(start + b.columns)); start += b.columns }
            reducedRanges = ranges
        }

        /// The label of each statistic, in order.
        var statisticTerms: [String] {
            switch split {
            case .none: ["Model"]
            case .terms: present.map { labels[$0] }
            case .margin: tested.map { labels[$0] }
            }
        }

        /// The pseudo-F of each statistic from one permutation's column sums of squares.
        func statistics(_ ss: ArraySlice<Double>, total: Double) -> [Double] {
            let base = ss.startIndex
            let model = (0..<rank).reduce(0.0) { $0 + ss[base + $1] }
            let residual = (total - model) / Double(residualDF)
            switch split {
            case .none:
                return [(model / Double(rank)) / residual]
            case .terms:
                return termColumns.map { cols in (cols.reduce(0.0) { $0 + ss[base + $1] } / Double(cols.count)) / residual }
            case .margin:
                return reducedRanges.map { range in
                    let reduced = range.reduce(0.0) { $0 + ss[base + $1] }
                    return ((model - reduced) / Double(rank - range.count)) / residual
                }
            }
        }

        /// The table: the term rows (or `Model`), `Residual`, `Total`.
        func rows(observedSS: [Double], total: Double, observed: [Double], pValues: [Double]) -> [Row] {
            let modelSS = (0..<rank).reduce(0.0) { $0 + observedSS[$1] }
            func row(_ term: String, _ df: Int, _ ss: Double, _ k: Int) -> Row {
                Row(term: term, df: df, sumOfSquares: ss, rSquared: ss / total, f: observed[k], pValue: pValues[k])
            }
            var rows = [Row]()
            switch split {
            case .none:
                rows.append(row("Model", rank, modelSS, 0))
            case .terms:
                for (k, t) in present.enumerated() {
                    rows.append(row(labels[t], termColumns[k].count, termColumns[k].reduce(0.0) { $0 + observedSS[$1] }, k))
                }
            case .margin:
                for (k, t) in tested.enumerated() {
                    let reduced = reducedRanges[k].reduce(0.0) { $0 + observedSS[$1] }
                    rows.append(row(labels[t], rank - reducedRanges[k].count, modelSS - reduced, k))
                }
            }
            let residualSS = total - modelSS
            rows.append(Row(term: "Residual", df: residualDF, sumOfSquares: residualSS, rSquared: residualSS / total, f: .nan, pValue: .nan))
            rows.append(Row(term: "Total", df: basis.rows - 1, sumOfSquares: total, rSquared: 1, f: .nan, pValue: .nan))
            return rows
        }
    }

    /// For each permutation p and basis column c, `q_πᵀ G q_π` with
    /// `q_π[i] = q[p[i]]`: one GEMM for the whole batch.
    static func columnSumsOfSquares(_ g: Matrix, basis: Matrix, permutations: [[Int]]) -> [Double] {
        let n = g.rows, width = basis.columns
        var permuted = Matrix(rows: n, columns: width * permutations.count)
        for (p, perm) in permutations.enumerated() {
            for c in 0..<width {
                let offset = (p * width + c) * n, source = c * n
                for i in 0..<n { permuted.storage[offset + i] = basis.storage[source + perm[i]] }
            }
        }
        let product = g.multiplied(by: permuted)
        var out = [Double](repeating: 0, count: width * permutations.count)
        product.storage.withUnsafeBufferPointer { a in
            permuted.storage.withUnsafeBufferPointer { b in
                for c in out.indices {
                    var s = 0.0
                    let base = c * n
                    for i in 0..<n { s += a[base + i] * b[base + i] }
                    out[c] = s
                }
            }
        }
        return out
    }

    /// The plan that tested `term` (a row's label).
    public func plan(for term: String) -> PermutationPlan { termPlans[term] ?? plan }

    /// vegan's table in snake case: `term, df, sum_of_squares, r_squared,
    /// f_statistic, p_value`.
    public var table: TextTable {
        TextTable(columns: ["term", "df", "sum_of_squares", "r_squared", "f_statistic", "p_value"],
                  rows: rows.map { [.text($0.term), .number(Double($0.df)), .number($0.sumOfSquares), .number($0.rSquared),
                                    .number($0.f), .number($0.pValue)] })
    }
}
