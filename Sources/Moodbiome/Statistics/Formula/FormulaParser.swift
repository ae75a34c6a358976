/// The recursive-descent parser behind ``Formula``.
///
/// Grammar (lowest precedence first):
/// ```
/// formula     := expression '~' terms
/// terms       := product (('+' | '-') product)*
/// product     := interaction ('*' interaction)*
/// interaction := atom (':' atom)*
/// atom        := '(' terms ')' | '0' | '1' | factor
/// factor      := name | `name` | 'C(' expression [',' reference] ')'
///              | 'I(' expression ')' | function '(' expression ')'
/// expression  := arithmetic with + - * / ^ ** and function calls
/// ```
struct FormulaParser {
    enum Token: Equatable {
        case name(String)
        case number(Double)
        case string(String)
        case symbol(String)
        case end
    }

    /// Terms and what was said about the intercept.
    struct TermSet {
        enum Intercept { case unspecified, include, exclude }
        var terms: [Term]
        var intercept: Intercept
    }

    let text: String
    var tokens: [(token: Token, position: Int)] = []
    var index = 0

    init(text: String) {
        self.text = text
    }

    func error(_ problem: String, at position: Int? = nil, fix: String? = nil) -> FormulaError {
        FormulaError(formula: text, position: position ?? tokens[Swift.min(index, tokens.count - 1)].position, problem: problem, fix: fix)
    }

    var current: Token { tokens[index].token }

    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    mutating func expect(_ symbol: String) throws {
        guard current == .symbol(symbol) else { throw error("expected '\(symbol)' here") }
        advance()
    }

    // MARK: Tokens

    mutating func tokenize() throws {
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" || c == "\n" { i += 1; continue }
            let start = i
            if c.isLetter || c == "_" || c == "." && !(i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i
                while j < chars.count && (chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == ".") { j += 1 }
                tokens.append((.name(String(chars[i..<j])), start)); i = j; continue
            }
            if c.isNumber || c == "." {
                var j = i
                while j < chars.count && (chars[j].isNumber || chars[j] == ".") { j += 1 }
                if j < chars.count && (chars[j] == "e" || chars[j] == "E") {
                    var k = j + 1
                    if k < chars.count && (chars[k] == "+" || chars[k] == "-") { k += 1 }
                    if k < chars.count && chars[k].isNumber {
                        j = k
                        while j < chars.count && chars[j].isNumber { j += 1 }
                    }
                }
                guard let v = Double(String(chars[i..<j])) else {
                    throw FormulaError(formula: text, position: start, problem: "'\(String(chars[i..<j]))' is not a number")
                }
                tokens.append((.number(v), start)); i = j; continue
            }
            if c == "`" || c == "\"" || c == "'" {
                var j = i + 1
                while j < chars.count && chars[j] != c { j += 1 }
                guard j < chars.count else {
                    throw FormulaError(formula: text, position: start, problem: "unclosed \(c)", fix: "Close the quoted name with a matching \(c)")
                }
                let content = String(chars[(i + 1)..<j])
                tokens.append((c == "`" ? .name(content) : .string(content), start)); i = j + 1; continue
            }
            if c == "*" && i + 1 < chars.count && chars[i + 1] == "*" {
                tokens.append((.symbol("^"), start)); i += 2; continue
            }
            if "~+-*/:^(),=".contains(c) {
                tokens.append((.symbol(String(c)), start)); i += 1; continue
            }
            throw FormulaError(formula: text, position: start, problem: "unexpected character '\(c)'",
                               fix: "Put column names with unusual characters in backquotes: `my column`")
        }
        tokens.append((.end, chars.count))
    }

    // MARK: Formula

    mutating func parseFormula() throws -> (Expression, TermSet) {
        try tokenize()
        guard tokens.contains(where: { $0.token == .symbol("~") }) else {
            throw FormulaError(formula: text, problem: "there is no '~' between the outcome and the predictors",
                               fix: "Write it as: outcome ~ predictor1 + predictor2")
        }
        if current == .symbol("~") { throw error("the outcome is missing before '~'") }
        let response = try parseExpression()
        try expect("~")
        if current == .end { throw error("the predictors are missing after '~'", fix: "Write `~ 1` for an intercept-only model") }
        let rhs = try parseTerms()
        guard current == .end else { throw error("unexpected text here") }
        return (response, rhs)
    }

    mutating func parseTerms() throws -> TermSet {
        var set = try parseProduct()
        while case .symbol(let op) = current, op == "+" || op == "-" {
            advance()
            let right = try parseProduct()
            if op == "+" {
                for t in right.terms where !set.terms.contains(t) { set.terms.append(t) }
                if right.intercept != .unspecified { set.intercept = right.intercept }
            } else {
                set.terms.removeAll { right.terms.contains($0) }
                if right.intercept == .include { set.intercept = .exclude }
                if right.intercept == .exclude { set.intercept = .include }
            }
        }
        return set
    }

    mutating func parseProduct() throws -> TermSet {
        var set = try parseInteraction()
        while current == .symbol("*") {
            advance()
            let right = try parseInteraction()
            var terms = set.terms
            for t in right.terms where !terms.contains(t) { terms.append(t) }
            for t in Self.interact(set.terms, right.terms) where !terms.contains(t) { terms.append(t) }
            set = TermSet(terms: terms, intercept: set.intercept)
        }
        return set
    }

    mutating func parseInteraction() throws -> TermSet {
        var set = try parseAtom()
        while current == .symbol(":") {
            advance()
            let right = try parseAtom()
            set = TermSet(terms: Self.interact(set.terms, right.terms), intercept: set.intercept)
        }
        return set
    }

    static func interact(_ a: [Term], _ b: [Term]) -> [Term] {
        var out = [Term]()
        for x in a {
            for y in b {
                var factors = x.factors
                for f in y.factors where !factors.contains(f) { factors.append(f) }
                let t = Term(factors: factors)
                if !out.contains(t) { out.append(t) }
            }
        }
        return out
    }

    mutating func parseAtom() throws -> TermSet {
        switch current {
        case .symbol("("):
            advance()
            let inner = try parseTerms()
            try expect(")")
            return inner
        case .number(let v) where v == 0 || v == 1:
            advance()
            return TermSet(terms: [], intercept: v == 1 ? .include : .exclude)
        case .number(let v):
            throw error("a number (\(v)) cannot be a term", fix: "Use I(...) for arithmetic, e.g. I(age * 2)")
        case .name:
            return TermSet(terms: [Term(factors: [try parseFactor()])], intercept: .unspecified)
        default:
            throw error("expected a column name, C(...), I(...) or a function here")
        }
    }

    mutating func parseFactor() throws -> Factor {
        guard case .name(let name) = current else { throw error("expected a column name") }
        let start = tokens[index].position
        advance()
        guard current == .symbol("(") else {
            return Factor(label: name, expression: .variable(name), isForcedCategorical: false, reference: nil)
        }
        advance()
        switch name {
        case "C":
            let inner = try parseExpression()
            var reference: String? = nil
            if current == .symbol(",") {
                advance()
                reference = try parseReference()
            }
            try expect(")")
            let label = reference == nil ? "C(\(inner.text))" : "C(\(inner.text), ref=\"\(reference!)\")"
            return Factor(label: label, expression: inner, isForcedCategorical: true, reference: reference)
        case "I":
            let inner = try parseExpression()
            try expect(")")
            return Factor(label: "I(\(inner.text))", expression: inner, isForcedCategorical: false, reference: nil)
        default:
            guard Expression.elementwiseFunctions.contains(name) || Expression.columnFunctions.contains(name) else {
                throw FormulaError(formula: text, position: start, problem: "unknown function '\(name)'",
                                   fix: "Available: C, I, " + (Expression.elementwiseFunctions.union(Expression.columnFunctions)).sorted().joined(separator: ", "))
            }
            let inner = try parseExpression()
            try expect(")")
            let e = Expression.call(name, inner)
            return Factor(label: e.text, expression: e, isForcedCategorical: false, reference: nil)
        }
    }

    /// `ref="M"`, `ref=M`, `"M"`, `Treatment("M")`, `Treatment(reference="M")`.
    mutating func parseReference() throws -> String {
        func value(_ p: inout FormulaParser) throws -> String {
            switch p.current {
            case .string(let s), .name(let s): p.advance(); return s
            case .number(let v): p.advance(); return v == v.rounded() ? String(Int(v)) : "\(v)"
            default: throw p.error("expected the reference level here")
            }
        }
        if case .name(let n) = current, n == "Treatment" {
            advance()
            try expect("(")
            if case .name(let k) = current, k == "reference" { advance(); try expect("=") }
            let v = try value(&self)
            try expect(")")
            return v
        }
        if case .name(let n) = current, n == "ref" || n == "reference" || n == "base" {
            advance()
            try expect("=")
        }
        return try value(&self)
    }

    // MARK: Arithmetic

    mutating func parseExpression() throws -> Expression {
        var e = try parseMultiplicative()
        while case .symbol(let op) = current, op == "+" || op == "-" {
            advance()
            e = .binary(Character(op), e, try parseMultiplicative())
        }
        return e
    }

    mutating func parseMultiplicative() throws -> Expression {
        var e = try parseUnary()
        while case .symbol(let op) = current, op == "*" || op == "/" {
            advance()
            e = .binary(Character(op), e, try parseUnary())
        }
        return e
    }

    mutating func parseUnary() throws -> Expression {
        if current == .symbol("-") { advance(); return .negate(try parseUnary()) }
        if current == .symbol("+") { advance(); return try parseUnary() }
        return try parsePower()
    }

    mutating func parsePower() throws -> Expression {
        let base = try parsePrimary()
        if current == .symbol("^") {
            advance()
            return .binary("^", base, try parseUnary())
        }
        return base
    }

    mutating func parsePrimary() throws -> Expression {
        switch current {
        case .number(let v):
            advance(); return .number(v)
        case .symbol("("):
            advance()
            let e = try parseExpression()
            try expect(")")
            return e
        case .name(let name):
            let start = tokens[index].position
            advance()
            guard current == .symbol("(") else { return .variable(name) }
            guard Expression.elementwiseFunctions.contains(name) || Expression.columnFunctions.contains(name) else {
                throw FormulaError(formula: text, position: start, problem: "unknown function '\(name)'",
                                   fix: "Available inside expressions: " + Expression.elementwiseFunctions.union(Expression.columnFunctions).sorted().joined(separator: ", "))
            }
            advance()
            let inner = try parseExpression()
            try expect(")")
            return .call(name, inner)
        case .string(let s):
            throw error("\"\(s)\" is text; column names go in backquotes: `\(s)`")
        default:
            throw error("expected a number, a column name or '(' here")
        }
    }
}
