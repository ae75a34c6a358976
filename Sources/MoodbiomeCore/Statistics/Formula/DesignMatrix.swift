import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

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
    public struct Exclusion: Sendable, Hashable {
        public let variable: String
        public let rows: Int

        public init(variable: String, rows: Int) {
            self.variable = variable
            self.rows = rows
        }
    }

    public let formula: Formula
    /// n × p, column-major.
    public internal(set) var x: Matrix
    /// Coefficient names: `Intercept`, `age`, `C(sex)[T.M]`, `age:C(sex)[T.M]`.
    public let columnNames: [String]
    /// For each column, the index of its term in `termLabels` (nil for the intercept).
    public let columnTerms: [Int?]
    /// The terms' labels, in design order.
    public let termLabels: [String]
    public let hasIntercept: Bool
    /// The response on the rows used (0/1 for a binary response).
    public internal(set) var response: [Double]
    /// The response as written (`phq9`, `log(phq9)`).
    public let responseLabel: String
    /// For a binary response read from text: which value was coded 1.
    public let responseCoding: ResponseCoding?
    /// Indices into the data table of the rows used.
    public let rowIndices: [Int]
    /// IDs of the rows used.
    public let ids: [String]
    /// IDs of the rows left out for missing values.
    public let droppedIDs: [String]
    /// Per variable, the number of left-out rows missing it.
    public let exclusions: [Exclusion]

    public var nDropped: Int { droppedIDs.count }

    /// Builds the design.
    ///
    /// - Parameters:
    ///   - references: reference levels by column (`--reference sex=M`);
    ///     `C(x, ref=…)` in the formula takes precedence.
    ///   - binaryResponse: code the response 0/1 (for logistic regression):
    ///     numeric responses must be 0 or 1; a text response must have
    ///     exactly two values, the second in sorted order being 1.
    /// - Throws: `DataError` located at the offending cell or column;
    ///   `FormulaError` for `C()` of an expression.
    ///   - alsoRequired: columns outside the formula that a row must have (a
    ///     cluster column), left out with the model's rows when missing.
    public init(formula: Formula, data: DataTable, references: [String: String] = [:], binaryResponse: Bool = false,
                alsoRequired: [String] = []) throws {
        self.formula = formula
        self.hasIntercept = formula.hasIntercept
        self.responseLabel = formula.response.text
        // 1. Every variable must exist; 2. listwise deletion.
        let input = try DesignInput(formula: formula, data: data, alsoRequired: alsoRequired)
        self.rowIndices = input.kept
        self.ids = input.kept.map { data.ids[$0] }
        self.droppedIDs = input.dropped
        self.exclusions = input.exclusions
        // 3. The response.
        (self.response, self.responseCoding) = try input.response(binary: binaryResponse)
        // 4. Factors, checked before any column is built.
        let coded = try input.codedFactors(references: references)
        try Self.checkReferences(references, coded: coded)
        try Self.checkWidth(formula, coded: coded, rows: input.n, source: data.source)
        // 5. Columns, term by term.
        let (names, terms, storage) = Self.columns(formula, coded: coded, rows: input.n)
        var seenNames = Set<String>()
        for name in names where !seenNames.insert(name).inserted {
            throw DataError(.coefficientNameClash(name), at: SourceLocation(file: data.source, columnName: name))
        }
        self.x = Matrix(rows: input.n, columns: names.count, columnMajor: storage)
        self.columnNames = names
        self.columnTerms = terms
        self.termLabels = formula.terms.map(\.label)
    }

    /// A reference level for a column that is not a factor of the formula
    /// would change nothing: a mistake to report, not to ignore.
    static func checkReferences(_ references: [String: String], coded: [Factor: CodedFactor]) throws {
        let factorColumns = Set(coded.compactMap { factor, c -> String? in
            if case .categorical = c { return factor.plainColumn }
            return nil
        })
        for column in references.keys.sorted() where !factorColumns.contains(column) {
            throw ParameterError(.reference, .malformed(value: "\(column)=\(references[column] ?? "")",
                                                        expected: "column=level for a categorical term of the model (\(factorColumns.isEmpty ? "it has none" : factorColumns.sorted().joined(separator: ", ")))"))
        }
    }

    /// At least this many columns (treatment contrasts: levels − 1 per
    /// factor), counted before any is built: a text column with a value
    /// per row must not cost memory and time first.
    static func checkWidth(_ formula: Formula, coded: [Factor: CodedFactor], rows n: Int, source: String) throws {
        var planned = formula.hasIntercept ? 1 : 0
        for term in formula.terms {
            var width = 1
            for factor in term.factors {
                if case .categorical(let levels, _)? = coded[factor] {
                    width = width.multipliedReportingOverflow(by: Swift.max(levels.count - 1, 1)).partialValue
                }
            }
            planned += width
            if planned > Swift.max(n, 1) * 4 + 64 { break }
        }
        if planned >= n && planned > 64 {
            throw DataError(.tooManyColumns(columns: planned, rows: n), at: SourceLocation(file: source))
        }
    }

    /// The model matrix's columns: names, terms and values (column-major).
    ///
    /// Which margins are already spanned: the empty term when there is an
    /// intercept, then every term coded so far, and the margin T∖F of a
    /// factor F coded by full indicators (its indicators span it). This
    /// is the rule of R's `model.matrix` and patsy: in `y ~ C(g) + C(h) - 1`
    /// g gets all its levels and h treatment contrasts.
    static func columns(_ formula: Formula, coded: [Factor: CodedFactor], rows n: Int) -> (names: [String], terms: [Int?], storage: [Double]) {
        var names = [String](), terms = [Int?](), storage = [Double]()
        if formula.hasIntercept {
            names.append("Intercept"); terms.append(nil)
            storage.append(contentsOf: repeatElement(1.0, count: n))
        }
        var spanned: Set<Term> = formula.hasIntercept ? [Term(factors: [])] : []
        for (t, term) in formula.terms.enumerated() {
            // Each factor's column set: (name suffix, values).
            var parts: [[(String, [Double])]] = []
            var newlySpanned = [Term]()
            for factor in term.factors {
                guard let coding = coded[factor] else { continue }   // every factor was coded
                switch coding {
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
        return (names, terms, storage)
    }
}

/// A factor as the design codes it.
enum CodedFactor {
    case numeric([Double])
    case categorical(levels: [String], codes: [Int])
}

/// The rows and columns a design is built from: the formula's columns
/// (every one must exist) and the rows complete in all of them (listwise
/// deletion), with the reads of the response and the factors on those rows.
struct DesignInput {
    let formula: Formula
    let data: DataTable
    let columns: [String: DataTable.Column]
    let kept: [Int]
    let dropped: [String]
    let exclusions: [DesignMatrix.Exclusion]
    var n: Int { kept.count }

    init(formula: Formula, data: DataTable, alsoRequired: [String]) throws {
        self.formula = formula
        self.data = data
        let variables = formula.variables + alsoRequired.filter { !formula.variables.contains($0) }
        var columns = [String: DataTable.Column]()
        for v in variables {
            guard let column = data[v] else {
                throw DataError(.missingColumn(v, purpose: .formula, available: data.columnNames),
                                at: SourceLocation(file: data.source, columnName: v))
            }
            columns[v] = column
        }
        self.columns = columns
        let variableColumns = variables.map { columns[$0] ?? DataTable.Column(name: $0, cells: []) }
        var kept = [Int](), dropped = [String]()
        var missingCounts = [Int](repeating: 0, count: variables.count)
        for r in 0..<data.rowCount {
            var complete = true
            for (k, c) in variableColumns.enumerated() where c.isMissing(r) {
                missingCounts[k] += 1
                complete = false
            }
            if complete { kept.append(r) } else { dropped.append(data.ids[r]) }
        }
        self.kept = kept
        self.dropped = dropped
        self.exclusions = zip(variables, missingCounts).filter { $0.1 > 0 }.map { DesignMatrix.Exclusion(variable: $0.0, rows: $0.1) }
        guard !kept.isEmpty else {
            throw DataError(.noCompleteRows(variables: variables), at: SourceLocation(file: data.source))
        }
    }

    func column(_ name: String) -> DataTable.Column {
        // Every variable of the formula was found by init.
        columns[name] ?? DataTable.Column(name: name, cells: [])
    }

    /// Numeric values of a column on the kept rows; text is an error.
    func numericColumn(_ name: String) throws -> [Double] {
        let c = column(name)
        var out = [Double](repeating: 0, count: n)
        for (i, r) in kept.enumerated() {
            let v = c.numbers[r]
            guard !v.isNaN else {
                throw DataError(.notANumber(value: c.cells[r], column: name, id: data.ids[r]), at: data.location(row: r, column: name))
            }
            out[i] = v
        }
        return out
    }

    func evaluate(_ e: Expression) throws -> [Double] {
        try e.evaluate(numericColumn, rows: n) { i, problem in
            let r = kept[i]
            return DataError(.domain(problem, id: data.ids[r]), at: data.location(row: r, column: e.variables.first))
        }
    }

    /// The response on the kept rows (empty for a one-sided formula); 0/1
    /// coded for `binary` (a two-valued text column, or numbers 0 and 1).
    func response(binary: Bool) throws -> ([Double], ResponseCoding?) {
        if formula.isOneSided { return ([], nil) }
        if binary {
            if case .variable(let name) = formula.response, column(name).kind == .categorical {
                let c = column(name)
                let cells = kept.map { c.cells[$0] }
                let levels = sortedLevels(Array(Set(cells)))
                guard levels.count == 2 else {
                    throw DataError(.binaryOutcomeLevels(column: name, levels: levels, rows: n), at: data.location(row: nil, column: name))
                }
                return (cells.map { $0 == levels[1] ? 1 : 0 }, ResponseCoding(column: name, event: levels[1], reference: levels[0]))
            }
            let y = try evaluate(formula.response)
            for (i, v) in y.enumerated() where v != 0 && v != 1 {
                let r = kept[i]
                throw DataError(.binaryOutcomeValue(expression: formula.response.text, value: v, id: data.ids[r]),
                                at: data.location(row: r, column: formula.response.variables.first))
            }
            if Set(y).count < 2 {
                throw DataError(.binaryOutcomeOneLevel(expression: formula.response.text, value: y[0], rows: n),
                                at: data.location(row: nil, column: formula.response.variables.first))
            }
            return (y, nil)
        }
        if case .variable(let name) = formula.response, column(name).kind == .categorical {
            let c = column(name)
            if let bad = kept.first(where: { c.numbers[$0].isNaN }) {
                throw DataError(.textOutcome(column: name, value: c.cells[bad], id: data.ids[bad]), at: data.location(row: bad, column: name))
            }
        }
        let y = try evaluate(formula.response)
        if n > 1 && y.allSatisfy({ $0 == y[0] }) {
            throw DataError(.constantOutcome(expression: formula.response.text, value: y[0], rows: n),
                            at: data.location(row: nil, column: formula.response.variables.first))
        }
        return (y, nil)
    }

    /// Every factor of the formula coded: numbers, or levels (the
    /// reference first) and each row's level.
    func codedFactors(references: [String: String]) throws -> [Factor: CodedFactor] {
        var coded = [Factor: CodedFactor]()
        for term in formula.terms {
            for factor in term.factors where coded[factor] == nil {
                let categorical = factor.isForcedCategorical
                    || (factor.plainColumn.map { column($0).kind == .categorical } ?? false)
                if categorical, !factor.isForcedCategorical, let name = factor.plainColumn, column(name).declaredKind == nil {
                    // A column of numbers with a few words in it is a typo,
                    // not a factor: never guess.
                    let c = column(name)
                    if kept.contains(where: { !c.numbers[$0].isNaN }), let bad = kept.first(where: { c.numbers[$0].isNaN }) {
                        throw DataError(.strayText(value: c.cells[bad], column: name, id: data.ids[bad]), at: data.location(row: bad, column: name))
                    }
                }
                coded[factor] = categorical ? try categoricalCoding(factor, references: references) : try numericCoding(factor)
            }
        }
        return coded
    }

    func categoricalCoding(_ factor: Factor, references: [String: String]) throws -> CodedFactor {
        guard let name = factor.plainColumn else {
            throw FormulaError(formula: formula.text, problem: .categoricalExpression(factor.label))
        }
        let c = column(name)
        let cells = kept.map { c.cells[$0] }
        var levels = sortedLevels(Array(Set(cells)))
        if let reference = factor.reference ?? references[name] {
            guard let at = levels.firstIndex(of: reference) else {
                throw DataError(.missingReference(level: reference, column: name, levels: levels), at: data.location(row: nil, column: name))
            }
            levels.remove(at: at)
            levels.insert(reference, at: 0)
        }
        if levels.count < 2 {
            throw DataError(.constantFactor(column: name, level: levels.first ?? "", rows: n), at: data.location(row: nil, column: name))
        }
        let index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
        return .categorical(levels: levels, codes: cells.map { index[$0] ?? 0 })
    }

    func numericCoding(_ factor: Factor) throws -> CodedFactor {
        let values = try evaluate(factor.expression)
        if n > 1 && values.allSatisfy({ $0 == values[0] }) {
            throw DataError(.constantPredictor(label: factor.label, value: values[0], rows: n),
                            at: data.location(row: nil, column: factor.expression.variables.first))
        }
        return .numeric(values)
    }
}

/// How a two-valued text outcome was coded for a logistic model.
public struct ResponseCoding: Hashable, Sendable {
    public let column: String
    /// The level coded 1 (the event).
    public let event: String
    /// The level coded 0.
    public let reference: String
}

/// Levels in sorted order: numerically when every level is a number
/// (patsy's and R's order for numeric factors), else by code point.
public func sortedLevels(_ levels: [String]) -> [String] {
    let numbers = levels.compactMap { number($0) }
    if numbers.count == levels.count {
        return zip(levels, numbers).sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.map(\.0)
    }
    return levels.sorted { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
}

extension DesignMatrix {
    /// The design on `rows` (indices into its rows, repeats allowed): a
    /// bootstrap resample. IDs and row indices keep the original's.
    func resampled(_ rows: [Int]) -> DesignMatrix {
        var out = self
        var x = Matrix(rows: rows.count, columns: self.x.columns)
        for j in 0..<x.columns { for (k, i) in rows.enumerated() { x[k, j] = self.x[i, j] } }
        out.x = x
        out.response = rows.map { response[$0] }
        return out
    }
}
