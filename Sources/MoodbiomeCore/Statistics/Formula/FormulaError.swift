/// A model formula that cannot be parsed or does not fit the data.
public struct FormulaError: Error, Equatable, Sendable {
    /// What is wrong, typed; the report layer words it.
    public enum Problem: Equatable, Sendable {
        case noTilde
        case missingOutcome
        case missingPredictors
        /// `y ~ x` where only the right-hand side belongs (the distance
        /// matrix is the response of a PERMANOVA).
        case responseInOneSided
        case unexpectedText
        case expected(String)
        case notANumber(String)
        case unclosed(Character)
        case unexpectedCharacter(Character)
        case numberAsTerm(Double)
        case expectedTerm
        case expectedColumn
        case expectedReference
        case expectedOperand
        /// A quoted string where a column name belongs.
        case quotedText(String)
        /// `name(…)` for a function that does not exist; `inExpression` when
        /// inside arithmetic (where `C` and `I` are not available).
        case unknownFunction(String, inExpression: Bool)
        /// `C(…)` around an expression rather than a column.
        case categoricalExpression(String)
        /// Parentheses or unary signs nested deeper than the parser allows.
        case tooDeep(limit: Int)
        /// `(… | g)` inside `*` or `:`.
        case randomTermInInteraction
        /// `- (1 | g)`.
        case randomTermRemoved
        /// `((1 | g) | h)`.
        case randomTermNested
        /// After `|`: something other than a column (or `a:b`, `a/b`).
        case expectedGroupingColumn
        /// Random-effects terms where the model cannot have them (a
        /// one-sided formula, a logistic model, a list of fixed covariates).
        case randomTermsNotAllowed
        /// `--random` text that holds fixed-effect terms too.
        case onlyRandomTermsExpected
        /// A covariate that is neither a column nor a formula term (`- 1`, `1`).
        case covariateNotATerm
        /// More terms than a design may have (interactions multiply them).
        case tooManyTerms(count: Int, limit: Int)
    }

    /// The formula as written.
    public let formula: String
    /// Character offset of the problem in the formula, when it is a syntax error.
    public let position: Int?
    public let problem: Problem

    public init(formula: String, position: Int? = nil, problem: Problem) {
        self.formula = formula
        self.position = position
        self.problem = problem
    }
}
