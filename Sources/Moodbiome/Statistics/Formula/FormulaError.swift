/// A model formula that cannot be parsed or does not fit the data.
public struct FormulaError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The formula as written.
    public let formula: String
    /// Character offset of the problem in the formula, when it is a syntax error.
    public let position: Int?
    public let problem: String
    public let fix: String?

    public init(formula: String, position: Int? = nil, problem: String, fix: String? = nil) {
        self.formula = formula
        self.position = position
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        var text = "in formula \"\(formula)\": \(problem)"
        if let position {
            text += "\n    \(formula)\n    " + String(repeating: " ", count: position) + "^"
        }
        if let fix { text += "\n" + fix }
        return text
    }
}
