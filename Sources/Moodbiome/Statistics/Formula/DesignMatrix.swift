import Foundation

/// The model matrix of a formula on a data table, after listwise deletion,
/// with treatment (dummy) coding of categorical factors.
///
/// Coding follows R's `model.matrix` rule, which patsy shares: within a
/// term, a categorical factor is coded by treatment contrasts (one column
/// per non-reference level, named `x[T.level]`) when the term without that
/// factor is already spanned by the terms before it (the intercept counting
/// as the empty term), and by indicators of every level (`x[level]`)
/// otherwise, so `y ~ C(g) - 1` gets one column per group. Levels are sorted (numerically when every
/// level is a number), the first is the reference unless another is given.
/// Interaction columns are products, the first factor varying fastest.
public struct DesignMatrix: Sendable {
    /// One reason rows were left out: a variable missing in `rows` rows.
    public struct Exclusion: Sendable, Equatable {
        public let variable: String
        public let rows: Int
    }

    public let formula: Formula
    /// n × p, column-major.
    public let x: Matrix
    /// Coefficient names: `Intercept`, `age`, `C(sex)[T.M]`, `age:C(sex)[T.M]`.
    public let columnNames: [String]
    /// For each column, the index of its term in `termLabels` (nil for the intercept).
    public let columnTerms: [Int?]
    /// The terms' labels, in design order.
    public let termLabels: [String]
    public let hasIntercept: Bool
    /// The response on the rows used (0/1 for a binary response).
    public let response: [Double]
    /// The response as written (`phq9`, `log(phq9)`).
    public let responseLabel: String
    /// For a binary response read from text: which value was coded 1.
    public let responseCoding: String?
    /// Indices into the data table of the rows used.
    public let rowIndices: [Int]
    /// IDs of the rows used.
    public let ids: [String]
    /// IDs of the rows left out for missing values.
    public let droppedIDs: [String]
    /// Per variable, the number of left-out rows missing it.
    public let exclusions: [Exclusion]

    public var nDropped: Int { droppedIDs.count }

    /// A one-line description of the left-out rows, or nil when none were.
    public var exclusionSummary: String? {
        guard nDropped > 0 else { return nil }
        let reasons = exclusions.map { "\($0.variable) \($0.rows)" }.joined(separator: ", ")
        return "\(nDropped) of \(nDropped + ids.count) rows left out for missing values (missing: \(reasons))"
    }

    /// Builds the design.
    ///
    /// - Parameters:
    ///   - references: reference levels by column (`--reference sex=M`);
    ///     `C(x, ref=…)` in the formula takes precedence.
    ///   - binaryResponse: code the response 0/1 (for logistic regression):
    ///     numeric responses must be 0 or 1; a text response must have
    ///     exactly two values, the second in sorted order being 1.
    public init(formula: Formula, data: DataTable, references: [String: String] = [:], binaryResponse: Bool = false) throws {
        self.formula = formula
        self.hasIntercept = formula.hasIntercept
        self.responseLabel = formula.response.text
        // 1. Every variable must exist.
        for v in formula.variables where data.index(of: v) == nil {
            throw data.missingColumn(v, problem: "the formula uses a column '\(v)' that the table does not have")
        }
        // 2. Listwise deletion.
        let variables = formula.variables
        let columnCells = variables.map { data.cells(of: $0)! }
        var kept = [Int](), dropped = [String]()
        var missingCounts = [Int](repeating: 0, count: variables.count)
        for r in 0..<data.rowCount {
            var complete = true
            for (k, cells) in columnCells.enumerated() where DataTable.isMissing(cells[r]) {
                missingCounts[k] += 1
                complete = false
            }
            if complete { kept.append(r) } else { dropped.append(data.ids[r]) }
        }
        self.rowIndices = kept
        self.ids = kept.map { data.ids[$0] }
        self.droppedIDs = dropped
        self.exclusions = zip(variables, missingCounts).filter { $0.1 > 0 }.map { Exclusion(variable: $0.0, rows: $0.1) }
        guard !kept.isEmpty else {
            throw InputError(file: data.source, problem: "no row has every variable of the model present (\(variables.joined(separator: ", ")))",
                             fix: "Check the missing values in these columns")
        }
        let n = kept.count

        // Numeric values of a column on the kept rows; text is an error.
        func numericColumn(_ name: String) throws -> [Double] {
            let cells = data.cells(of: name)!
            var out = [Double](repeating: 0, count: n)
            for (i, r) in kept.enumerated() {
                guard let v = Double(cells[r]), v.isFinite else {
                    throw data.error(row: r, column: name,
                                     problem: "'\(cells[r])' in column '\(name)' (ID '\(data.ids[r])') is not a number, but the model uses '\(name)' as a number",
                                     fix: "Correct the value, mark it missing (NA), or wrap the column in C(\(name)) to treat it as categorical")
                }
                out[i] = v
            }
            return out
        }
        func evaluate(_ e: Expression) throws -> [Double] {
            try e.evaluate(numericColumn, rows: n) { i, problem in
                let r = kept[i]
                let column = e.variables.first
                return data.error(row: r, column: column, problem: problem + " (ID '\(data.ids[r])')",
                                  fix: "Use a transformation defined for every value, or mark the value missing (NA)")
            }
        }

        // 3. The response.
        if binaryResponse {
            if case .variable(let name) = formula.response, data.kind(of: name) == .categorical {
                let cells = kept.map { data.cells(of: name)![$0] }
                let levels = sortedLevels(Array(Set(cells)))
                guard levels.count == 2 else {
                    throw data.error(row: nil, column: name,
                                     problem: levels.count < 2
                                        ? "the outcome '\(name)' has one level ('\(levels.first ?? "")') among the \(n) rows used"
                                        : "a binary outcome needs two values, but '\(name)' has \(levels.count): \(levels.prefix(6).joined(separator: ", "))",
                                     fix: "Give a 0/1 or two-valued outcome (or use --outcome-cutoff to dichotomise a score)")
                }
                self.response = cells.map { $0 == levels[1] ? 1 : 0 }
                self.responseCoding = "\(name) = \(levels[1]) coded 1, \(levels[0]) coded 0"
            } else {
                let y = try evaluate(formula.response)
                for (i, v) in y.enumerated() where v != 0 && v != 1 {
                    let r = kept[i]
                    throw data.error(row: r, column: formula.response.variables.first,
                                     problem: "the binary outcome \(formula.response.text) is \(v) for ID '\(data.ids[r])'; it must be 0 or 1",
                                     fix: "Code the outcome 0/1, or dichotomise a score with --outcome-cutoff")
                }
                if Set(y).count < 2 {
                    throw data.error(row: nil, column: formula.response.variables.first,
                                     problem: "the outcome \(formula.response.text) is \(Int(y[0])) for all \(n) rows used: it has one level",
                                     fix: "A logistic model needs both outcomes present")
                }
                self.response = y
                self.responseCoding = nil
            }
        } else {
            if case .variable(let name) = formula.response, data.kind(of: name) == .categorical {
                let cells = data.cells(of: name)!
                if let bad = kept.first(where: { !(Double(cells[$0])?.isFinite ?? false) }) {
                    throw data.error(row: bad, column: name,
                                     problem: "the outcome '\(name)' holds text ('\(cells[bad])' for ID '\(data.ids[bad])'); a linear model needs a numeric outcome",
                                     fix: "Model a numeric column, or a two-valued one with --family binomial")
                }
            }
            let y = try evaluate(formula.response)
            if n > 1 && y.allSatisfy({ $0 == y[0] }) {
                throw data.error(row: nil, column: formula.response.variables.first,
                                 problem: "the outcome \(formula.response.text) is constant (\(y[0])) over the \(n) rows used",
                                 fix: "A regression needs an outcome that varies")
            }
            self.response = y
            self.responseCoding = nil
        }

        // 4. Factors.
        enum Coded {
            case numeric([Double])
            case categorical(levels: [String], codes: [Int])
        }
        var coded = [Factor: Coded]()
        for term in formula.terms {
            for factor in term.factors where coded[factor] == nil {
                let categorical = factor.isForcedCategorical
                    || (factor.plainColumn.map { data.kind(of: $0) == .categorical } ?? false)
                if categorical, !factor.isForcedCategorical, let column = factor.plainColumn, data.declaredKind(of: column) == nil {
                    // A column of numbers with a few words in it is a typo,
                    // not a factor: never guess.
                    let cells = data.cells(of: column)!
                    if kept.contains(where: { Double(cells[$0])?.isFinite == true }),
                       let bad = kept.first(where: { !(Double(cells[$0])?.isFinite ?? false) }) {
                        throw data.error(row: bad, column: column,
                                         problem: "'\(cells[bad])' in column '\(column)' (ID '\(data.ids[bad])') is not a number, but the column's other values are numbers",
                                         fix: "Correct the value or mark it missing (NA); if '\(column)' is categorical, write C(\(column)) or declare it in a #q2:types row")
                    }
                }
                if categorical {
                    guard let column = factor.plainColumn else {
                        throw FormulaError(formula: formula.text, problem: "C() takes a column name, not an expression (\(factor.label))")
                    }
                    let cells = kept.map { data.cells(of: column)![$0] }
                    var levels = sortedLevels(Array(Set(cells)))
                    if let reference = factor.reference ?? references[column] {
                        guard let at = levels.firstIndex(of: reference) else {
                            throw data.error(row: nil, column: column,
                                             problem: "the reference level '\(reference)' does not occur in column '\(column)' among the rows used",
                                             fix: "Levels are: " + levels.joined(separator: ", "))
                        }
                        levels.remove(at: at)
                        levels.insert(reference, at: 0)
                    }
                    if levels.count < 2 {
                        throw data.error(row: nil, column: column,
                                         problem: "constant predictor: '\(column)' has one level ('\(levels.first ?? "")') among the \(n) rows used",
                                         fix: "Drop it from the model, or check the exclusions")
                    }
                    let index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
                    coded[factor] = .categorical(levels: levels, codes: cells.map { index[$0]! })
                } else {
                    let values = try evaluate(factor.expression)
                    if n > 1 && values.allSatisfy({ $0 == values[0] }) {
                        throw data.error(row: nil, column: factor.expression.variables.first,
                                         problem: "constant predictor: \(factor.label) is \(values[0]) in all \(n) rows used",
                                         fix: "Drop it from the model: a constant cannot be separated from the intercept")
                    }
                    coded[factor] = .numeric(values)
                }
            }
        }

        // 5. Columns, term by term.
        var names = [String](), terms = [Int?](), storage = [Double]()
        if formula.hasIntercept {
            names.append("Intercept"); terms.append(nil)
            storage.append(contentsOf: repeatElement(1.0, count: n))
        }
        // Which margins are already spanned: the empty term when there is an
        // intercept, then every term coded so far, and the margin T∖F of a
        // factor F coded by full indicators (its indicators span it). This
        // is the rule of R's `model.matrix` and patsy: in `y ~ C(g) + C(h) - 1`
        // g gets all its levels and h treatment contrasts.
        var spanned: Set<Term> = formula.hasIntercept ? [Term(factors: [])] : []
        for (t, term) in formula.terms.enumerated() {
            // Each factor's column set: (name suffix, values).
            var parts: [[(String, [Double])]] = []
            var newlySpanned = [Term]()
            for factor in term.factors {
                switch coded[factor]! {
                case .numeric(let v):
                    parts.append([(factor.label, v)])
                case .categorical(let levels, let codes):
                    let margin = Term(factors: term.factors.filter { $0 != factor })
                    let marginPresent = spanned.contains(margin)
                    if !marginPresent { newlySpanned.append(margin) }
                    let used = marginPresent ? Array(levels.indices.dropFirst()) : Array(levels.indices)
                    parts.append(used.map { l in
                        (factor.label + (marginPresent ? "[T.\(levels[l])]" : "[\(levels[l])]"), codes.map { $0 == l ? 1.0 : 0.0 })
                    })
                }
            }
            spanned.insert(term)
            for m in newlySpanned { spanned.insert(m) }
            // Cartesian product, first factor fastest.
            var combos: [(String, [Double])] = [("", [Double](repeating: 1, count: n))]
            for part in parts {
                var next = [(String, [Double])]()
                for (suffix, values) in part {
                    for (prefix, acc) in combos {
                        next.append((prefix.isEmpty ? suffix : prefix + ":" + suffix, zip(acc, values).map { $0 * $1 }))
                    }
                }
                combos = next
            }
            for (name, values) in combos {
                names.append(name); terms.append(t)
                storage.append(contentsOf: values)
            }
        }
        self.x = Matrix(rows: n, columns: names.count, columnMajor: storage)
        self.columnNames = names
        self.columnTerms = terms
        self.termLabels = formula.terms.map(\.label)
    }
}

/// Levels in sorted order: numerically when every level is a number
/// (patsy's and R's order for numeric factors), else by code point.
func sortedLevels(_ levels: [String]) -> [String] {
    let numbers = levels.map { Double($0) }
    if numbers.allSatisfy({ $0 != nil }) {
        return zip(levels, numbers).sorted { $0.1! < $1.1! || ($0.1! == $1.1! && $0.0 < $1.0) }.map(\.0)
    }
    return levels.sorted { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
}

/// The closest name by edit distance, when it is close enough to be a typo.
func closestName(to name: String, among candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var row = Array(0...b.count)
        for i in 1...Swift.max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...Swift.max(b.count, 1) where !b.isEmpty {
                let old = row[j]
                row[j] = Swift.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return row[b.count]
    }
    let lower = Array(name.lowercased())
    let scored = candidates.map { ($0, distance(lower, Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= Swift.max(2, name.count / 3) else { return nil }
    return best.0
}
