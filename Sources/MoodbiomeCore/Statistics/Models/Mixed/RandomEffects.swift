import MoodbiomeIO
import MoodbiomeNumerics

/// One random-effects term on the rows of a model: which group each row
/// is in and the term's model-matrix row (its q columns) for each row.
///
/// In the model `y = Xβ + Zb + ε` this term contributes the columns of Z
/// for its `levels.count × q` effects, ordered group by group (all q
/// coefficients of group 1, then group 2…), as lme4's `Ztlist` does.
public struct RandomEffectsBlock: Sendable {
    public let term: RandomTerm
    /// The term's coefficient names (`Intercept`, `months`, `C(arm)[T.b]`).
    public let columnNames: [String]
    /// Coefficients per group.
    public var q: Int { columnNames.count }
    /// The groups' labels (the grouping columns' values joined by ":"), sorted.
    public let levels: [String]
    /// For each model row, the index of its group in `levels`.
    public let levelOfRow: [Int]
    /// The term's model-matrix rows, row-major: row i's q values at `i·q`.
    public let z: [Double]

    /// The number of θ parameters: the lower triangle of the q × q
    /// relative covariance factor.
    public var thetaCount: Int { q * (q + 1) / 2 }

    /// The most θ parameters a model may have: 21, one fully correlated
    /// term of an intercept and five slopes.
    public static let maximumVarianceParameters = 21

    /// Builds the blocks of `formula`'s random terms on the rows `design`
    /// kept, ordered as lme4 orders them: by number of groups, most first
    /// (ties as written).
    ///
    /// - Throws: `DataError` for a grouping with fewer than two groups, or
    ///   a term with as many effects as rows (lme4's `check.nobs.vs.nRE`).
    static func build(formula: Formula, data: DataTable, design: DesignMatrix) throws -> [RandomEffectsBlock] {
        let n = design.rowIndices.count
        var blocks = [RandomEffectsBlock]()
        for term in formula.randomTerms {
            // The term's own model matrix on the same rows: every variable
            // of the whole formula is required, so listwise deletion keeps
            // exactly the fixed design's rows.
            let termFormula = Formula(text: term.text, response: .number(0), terms: term.terms,
                                      hasIntercept: term.hasIntercept, oneSided: true)
            let termDesign = try DesignMatrix(formula: termFormula, data: data, alsoRequired: formula.variables)
            precondition(termDesign.rowIndices == design.rowIndices, "the random term's rows differ from the model's")
            let q = termDesign.x.columns
            var z = [Double](repeating: 0, count: n * q)
            for i in 0..<n { for k in 0..<q { z[i * q + k] = termDesign.x[i, k] } }
            // Groups: the combination of the grouping columns' values.
            let columns = term.grouping.compactMap { data[$0] }
            let labels = design.rowIndices.map { r in columns.map { $0.cells[r] }.joined(separator: ":") }
            let levels = sortedLevels(Array(Set(labels)))
            let index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
            let levelOfRow = labels.map { index[$0] ?? 0 }
            let location = SourceLocation(file: data.source, columnName: term.grouping.first)
            if levels.count < 2 {
                throw DataError(.tooFewGroups(group: term.groupLabel, levels: levels.count), at: location)
            }
            if levels.count * q >= n {
                throw DataError(.tooManyRandomEffects(term: term.text, effects: levels.count * q, rows: n), at: location)
            }
            blocks.append(RandomEffectsBlock(term: term, columnNames: termDesign.columnNames, levels: levels,
                                             levelOfRow: levelOfRow, z: z))
        }
        let parameters = blocks.reduce(0) { $0 + $1.thetaCount }
        if parameters > Self.maximumVarianceParameters {
            throw DataError(.tooManyVarianceParameters(count: parameters, limit: Self.maximumVarianceParameters), at: SourceLocation(file: data.source))
        }
        // Stable sort by number of groups, decreasing (lme4's mkReTrms).
        return blocks.enumerated().sorted { a, b in
            a.element.levels.count != b.element.levels.count ? a.element.levels.count > b.element.levels.count : a.offset < b.offset
        }.map(\.element)
    }
}

extension RandomEffectsBlock {
    /// The block as the numeric core's penalised least squares takes it.
    var grouping: PenalizedLeastSquares.Grouping {
        PenalizedLeastSquares.Grouping(q: q, groups: levels.count, groupOfRow: levelOfRow, z: z)
    }
}

/// θ for a model's random terms: lower-triangular q × q factors Tₜ filled
/// column by column (lme4's `Lind` order), so that term t's effects have
/// covariance `σ² TₜTₜᵀ` (Bates et al. 2015, *J. Stat. Softw.* 67(1), §3).
enum RelativeCovariance {
    /// Per block, Tₜ column-major (q × q).
    static func factors(theta: [Double], blocks: [RandomEffectsBlock]) -> [[Double]] {
        PenalizedLeastSquares.relativeFactors(theta: theta, qs: blocks.map(\.q))
    }

    /// Lower bounds of θ: 0 on the diagonals of the Tₜ, none elsewhere.
    static func lowerBounds(blocks: [RandomEffectsBlock]) -> [Double] {
        var out = [Double]()
        for block in blocks {
            for j in 0..<block.q { for i in j..<block.q { out.append(i == j ? 0 : -.infinity) } }
        }
        return out
    }

    /// lme4's starting point: Tₜ = I.
    static func start(blocks: [RandomEffectsBlock]) -> [Double] {
        var out = [Double]()
        for block in blocks {
            for j in 0..<block.q { for i in j..<block.q { out.append(i == j ? 1 : 0) } }
        }
        return out
    }
}
