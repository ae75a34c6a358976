/// A model formula in the R / patsy notation: `phq9 ~ shannon + age + C(sex)`.
///
/// Supported, with R's and patsy's meanings:
/// - `a + b` (terms), `a:b` (interaction), `a*b` (= `a + b + a:b`),
///   parentheses, `- term` (removal), `- 1` or `+ 0` (no intercept), `+ 1`;
/// - `C(x)` treats x as categorical; `C(x, ref="M")` (or patsy's
///   `C(x, Treatment("M"))`) sets the reference level. Text columns are
///   categorical without `C()`;
/// - `I(...)` for arithmetic (`I(age^2)`, `I(age ** 2)`, `I(bmi / 10)`),
///   and the functions `log`, `log2`, `log10`, `log1p`, `exp`, `sqrt`,
///   `abs`, `scale` (z-score with the n − 1 standard deviation, over the
///   rows the model uses) and `center`;
/// - random-effects terms of mixed models in lme4's notation, `(1 | g)`,
///   `(1 + x | g)`, `(x || g)`, `(1 | a/b)` (see ``RandomTerm``);
/// - column names that are not identifiers go in backquotes: `` `BMI (kg/m2)` ``.
public struct Formula: Sendable, Equatable {
    /// The formula as written.
    public let text: String
    /// The response (left-hand side).
    public let response: Expression
    /// The right-hand side's terms, without the intercept, in the order
    /// the design uses: by degree (main effects, then two-way
    /// interactions…), and as written within a degree (R's ordering).
    public let terms: [Term]
    /// Whether the model has an intercept.
    public let hasIntercept: Bool
    /// A right-hand side only (`~ a + b`): the response is not a column
    /// (a distance matrix, for PERMANOVA).
    public let isOneSided: Bool
    /// The random-effects terms, expanded; empty for a fixed-effects model.
    public let randomTerms: [RandomTerm]

    /// Whether the formula has random-effects terms (a mixed model).
    public var isMixed: Bool { !randomTerms.isEmpty }

    /// Parses `text`.
    public init(_ text: String) throws {
        var parser = FormulaParser(text: text)
        let (response, rhs) = try parser.parseFormula()
        self.init(text: text, response: response, terms: rhs.terms, hasIntercept: rhs.intercept != .exclude, randomTerms: rhs.random)
    }

    /// Parses random-effects terms alone, `(1 | participant) + (0 + months | participant)`
    /// (`analyze --random`).
    ///
    /// - Throws: `FormulaError` for a syntax error or a fixed-effect term.
    public static func randomTerms(_ text: String) throws -> [RandomTerm] {
        var parser = FormulaParser(text: text)
        let rhs = try parser.parseRightHandSide()
        guard rhs.terms.isEmpty, rhs.intercept == .unspecified, !rhs.random.isEmpty else {
            throw FormulaError(formula: text, problem: .onlyRandomTermsExpected)
        }
        return rhs.random
    }

    /// The same formula with `random` added to its random-effects terms.
    public func adding(randomTerms random: [RandomTerm]) -> Formula {
        let all = randomTerms + random.filter { !randomTerms.contains($0) }
        let text = self.text + random.map { " + " + $0.text }.joined()
        return Formula(text: text, response: response, terms: terms, hasIntercept: hasIntercept,
                       oneSided: isOneSided, randomTerms: all)
    }

    /// Parses a one-sided formula, `~ phq9 + age + C(sex)` (the `~` may be
    /// left out): the predictors of a model whose response is given
    /// otherwise, such as the distance matrix of a PERMANOVA.
    public init(rightHandSide text: String) throws {
        var parser = FormulaParser(text: text)
        let rhs = try parser.parseRightHandSide()
        guard rhs.random.isEmpty else { throw FormulaError(formula: text, problem: .randomTermsNotAllowed) }
        self.init(text: text, response: .number(0), terms: rhs.terms, hasIntercept: rhs.intercept != .exclude, oneSided: true)
    }

    /// A formula built from its parts, never from pasted text: a column
    /// named `` `age` - 1 `` stays one column. `text` is only for display.
    init(text: String, response: Expression, terms: [Term], hasIntercept: Bool, oneSided: Bool = false,
         randomTerms: [RandomTerm] = []) {
        self.isOneSided = oneSided
        self.randomTerms = randomTerms
        self.text = text
        self.response = response
        var ordered = [Term]()
        let maxDegree = terms.map(\.factors.count).max() ?? 0
        if maxDegree > 0 {
            for degree in 1...maxDegree { ordered += terms.filter { $0.factors.count == degree } }
        }
        self.terms = ordered
        self.hasIntercept = hasIntercept
    }

    /// `response ~ predictors…` from column names (the study pipeline's
    /// programmatic models), each name a plain column whatever it holds.
    public static func main(response: String, predictors: [String], interceptless: Bool = false) -> Formula {
        let rhs = predictors.isEmpty ? "1" : predictors.map(quotedIfNeeded).joined(separator: " + ")
        let text = quotedIfNeeded(response) + " ~ " + rhs + (interceptless ? " - 1" : "")
        var terms = [Term]()
        for name in predictors {
            let term = Term(factors: [Factor(label: name, expression: .variable(name), isForcedCategorical: false, reference: nil)])
            if !terms.contains(term) { terms.append(term) }
        }
        return Formula(text: text, response: .variable(response), terms: terms, hasIntercept: !interceptless)
    }

    /// A covariate as `analyze` takes it: a column name (any characters:
    /// `BMI (kg/m2)` is one column), or, when no column has that name, a
    /// right-hand-side formula piece over columns — `C(bristol_stool_type)`,
    /// `I(age^2)`, `log(bmi)`, `age:sex`, `poly`-free R/patsy syntax.
    public struct Covariate: Sendable, Equatable {
        /// As given.
        public let item: String
        /// The piece in formula syntax (a column name backquoted if needed).
        public let text: String
        public let terms: [Term]
        /// The columns it reads.
        public let variables: [String]
        /// Whether it is a plain column.
        public var isColumn: Bool { terms.count == 1 && terms[0].factors.count == 1 && terms[0].factors[0].expression == .variable(item) }

        /// - Throws: `FormulaError` for a piece that does not parse, or
        ///   that has no term or removes the intercept.
        public init(_ item: String, columns: [String]) throws {
            self.item = item
            if columns.contains(item) {
                text = Formula.quotedIfNeeded(item)
                terms = [Term(factors: [Factor(label: item, expression: .variable(item), isForcedCategorical: false, reference: nil)])]
                variables = [item]
                return
            }
            let piece = try Formula(rightHandSide: item)
            guard !piece.terms.isEmpty, piece.hasIntercept else {
                throw FormulaError(formula: item, problem: .covariateNotATerm)
            }
            text = item
            terms = piece.terms
            variables = piece.variables
        }
    }

    /// `response ~ predictors + covariates`, the predictors being columns
    /// and the covariates column names or formula pieces, in order, each
    /// term once — built from parsed terms, never by pasting text.
    public static func main(response: String, predictors: [String], covariates: [Covariate]) -> Formula {
        let base = main(response: response, predictors: predictors)
        var terms = base.terms
        for covariate in covariates { for term in covariate.terms where !terms.contains(term) { terms.append(term) } }
        let rhs = (predictors.map(quotedIfNeeded) + covariates.map(\.text)).joined(separator: " + ")
        return Formula(text: quotedIfNeeded(response) + " ~ " + (rhs.isEmpty ? "1" : rhs), response: .variable(response),
                       terms: terms, hasIntercept: true)
    }

    /// Every column the formula reads, response first, then the fixed
    /// terms', then the random terms' (grouping columns included).
    public var variables: [String] {
        var out = response.variables
        for term in terms {
            for factor in term.factors {
                for v in factor.expression.variables where !out.contains(v) { out.append(v) }
            }
        }
        for r in randomTerms {
            for v in r.variables where !out.contains(v) { out.append(v) }
        }
        return out
    }

    /// A name as it may stand in a formula: backquoted unless it is an identifier.
    public static func quotedIfNeeded(_ name: String) -> String {
        isIdentifier(name) ? name : "`" + name + "`"
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic || first == "." else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0 == "." || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}

/// One variable in a model term: a column, a transformed column, or a
/// column forced to be categorical.
public struct Factor: Sendable, Hashable {
    /// How the factor is printed in coefficient names (`age`, `C(sex)`,
    /// `log(bmi)`, `I(age ^ 2)`).
    public let label: String
    /// The numeric expression the factor evaluates (a plain column for
    /// `x` and `C(x)`).
    public let expression: Expression
    /// `C(x)`: categorical whatever the column holds.
    public let isForcedCategorical: Bool
    /// The reference level given in `C(x, ref=…)`.
    public let reference: String?

    /// The column, when the factor is a plain column or `C(column)`.
    public var plainColumn: String? {
        if case .variable(let v) = expression { return v }
        return nil
    }
}

/// A model term: one factor (a main effect) or several (an interaction).
public struct Term: Sendable, Hashable {
    /// The factors, in the order written.
    public let factors: [Factor]

    /// `a:b` — the factors' labels joined by colons.
    public var label: String { factors.map(\.label).joined(separator: ":") }

    public static func == (a: Term, b: Term) -> Bool { Set(a.factors) == Set(b.factors) }
    public func hash(into hasher: inout Hasher) { hasher.combine(Set(factors)) }
}
