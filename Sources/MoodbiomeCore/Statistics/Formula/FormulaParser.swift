/// The recursive-descent parser behind ``Formula``.
///
/// Grammar (lowest precedence first):
/// ```
/// formula     := expression '~' terms
/// terms       := product (('+' | '-') product)*
/// product     := interaction ('*' interaction)*
/// interaction := atom (':' atom)*
/// atom        := '(' terms ')' | '(' terms ('|' | '||') grouping ')' | '0' | '1' | factor
/// grouping    := column ((':' | '/') column)*
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
        /// Random-effects terms `(… | g)`, expanded (`a/b`, `||`).
        var random: [RandomTerm] = []
    }

    let text: String
    var tokens: [(token: Token, position: Int)] = []
    var index = 0
    /// Current nesting of parentheses and function calls.
    var depth = 0

    /// The deepest nesting of parentheses, calls and unary signs accepted:
    /// far beyond any real formula, and well inside the stack.
    static let maximumDepth = 100
    /// The most terms a formula may expand to (`a*b*c*…` doubles them).
    static let maximumTerms = 512

    init(text: String) {
        self.text = text
    }

    func error(_ problem: FormulaError.Problem, at position: Int? = nil) -> FormulaError {
        FormulaError(formula: text, position: position ?? tokens[Swift.min(index, tokens.count - 1)].position, problem: problem)
    }

    var current: Token { tokens[index].token }

    mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    mutating func expect(_ symbol: String) throws {
        guard current == .symbol(symbol) else { throw error(.expected(symbol)) }
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
                    throw FormulaError(formula: text, position: start, problem: .notANumber(String(chars[i..<j])))
                }
                tokens.append((.number(v), start)); i = j; continue
            }
            if c == "`" || c == "\"" || c == "'" {
                var j = i + 1
                while j < chars.count && chars[j] != c { j += 1 }
                guard j < chars.count else {
                    throw FormulaError(formula: text, position: start, problem: .unclosed(c))
                }
                let content = String(chars[(i + 1)..<j])
                tokens.append((c == "`" ? .name(content) : .string(content), start)); i = j + 1; continue
            }
            if c == "*" && i + 1 < chars.count && chars[i + 1] == "*" {
                tokens.append((.symbol("^"), start)); i += 2; continue
            }
            if c == "|" {
                let double = i + 1 < chars.count && chars[i + 1] == "|"
                tokens.append((.symbol(double ? "||" : "|"), start)); i += double ? 2 : 1; continue
            }
            if "~+-*/:^(),=".contains(c) {
                tokens.append((.symbol(String(c)), start)); i += 1; continue
            }
            throw FormulaError(formula: text, position: start, problem: .unexpectedCharacter(c))
        }
        tokens.append((.end, chars.count))
    }

    // MARK: Formula

    mutating func parseFormula() throws -> (Expression, TermSet) {
        try tokenize()
        guard tokens.contains(where: { $0.token == .symbol("~") }) else {
            throw FormulaError(formula: text, problem: .noTilde)
        }
        if current == .symbol("~") { throw error(.missingOutcome) }
        let response = try parseExpression()
        try expect("~")
        if current == .end { throw error(.missingPredictors) }
        let rhs = try parseTerms()
        guard current == .end else { throw error(.unexpectedText) }
        return (response, rhs)
    }

    /// A one-sided formula, `~ a + b` (the `~` optional): the response is
    /// the distance matrix, given elsewhere.
    mutating func parseRightHandSide() throws -> TermSet {
        try tokenize()
        if current == .symbol("~") { advance() }
        if current == .end { throw error(.missingPredictors) }
        let rhs = try parseTerms()
        if current == .symbol("~") { throw error(.responseInOneSided) }
        guard current == .end else { throw error(.unexpectedText) }
        return rhs
    }

    mutating func enter() throws {
        depth += 1
        if depth > Self.maximumDepth { throw error(.tooDeep(limit: Self.maximumDepth)) }
    }

    mutating func parseTerms() throws -> TermSet {
        try enter()
        defer { depth -= 1 }
        var set = try parseProduct()
        while case .symbol(let op) = current, op == "+" || op == "-" {
            advance()
            let opPosition = tokens[index - 1].position
            let right = try parseProduct()
            if op == "+" {
                for t in right.terms where !set.terms.contains(t) { set.terms.append(t) }
                for r in right.random where !set.random.contains(r) { set.random.append(r) }
                if right.intercept != .unspecified { set.intercept = right.intercept }
            } else {
                if !right.random.isEmpty { throw error(.randomTermRemoved, at: opPosition) }
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
            let opPosition = tokens[index].position
            advance()
            let right = try parseInteraction()
            if !set.random.isEmpty || !right.random.isEmpty { throw error(.randomTermInInteraction, at: opPosition) }
            var terms = set.terms
            for t in right.terms where !terms.contains(t) { terms.append(t) }
            if (set.terms.count + 1) * (right.terms.count + 1) > Self.maximumTerms {
                throw error(.tooManyTerms(count: (set.terms.count + 1) * (right.terms.count + 1) - 1, limit: Self.maximumTerms))
            }
            for t in Self.interact(set.terms, right.terms) where !terms.contains(t) { terms.append(t) }
            set = TermSet(terms: terms, intercept: set.intercept)
        }
        return set
    }

    mutating func parseInteraction() throws -> TermSet {
        var set = try parseAtom()
        while current == .symbol(":") {
            let opPosition = tokens[index].position
            advance()
            let right = try parseAtom()
            if !set.random.isEmpty || !right.random.isEmpty { throw error(.randomTermInInteraction, at: opPosition) }
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
            let open = tokens[index].position
            advance()
            let inner = try parseTerms()
            if current == .symbol("|") || current == .symbol("||") {
                let correlated = current == .symbol("|")
                if !inner.random.isEmpty { throw error(.randomTermNested, at: open) }
                advance()
                let grouping = try parseGrouping()
                try expect(")")
                return TermSet(terms: [], intercept: .unspecified,
                               random: RandomTerm.expanded(effects: inner.terms, intercept: inner.intercept != .exclude,
                                                           correlated: correlated, nesting: grouping))
            }
            try expect(")")
            return inner
        case .number(let v) where v == 0 || v == 1:
            advance()
            return TermSet(terms: [], intercept: v == 1 ? .include : .exclude)
        case .number(let v):
            throw error(.numberAsTerm(v))
        case .name:
            return TermSet(terms: [Term(factors: [try parseFactor()])], intercept: .unspecified)
        default:
            throw error(.expectedTerm)
        }
    }

    /// The grouping of a random term: `g`, `a:b` (every combination of
    /// levels a group), `a/b` (b nested in a). Returns the nesting levels,
    /// outermost first, each a list of columns.
    mutating func parseGrouping() throws -> [[String]] {
        var levels: [[String]] = [[]]
        while true {
            guard case .name(let name) = current else { throw error(.expectedGroupingColumn) }
            advance()
            if current == .symbol("(") { throw error(.expectedGroupingColumn) }
            levels[levels.count - 1].append(name)
            if current == .symbol(":") { advance(); continue }
            if current == .symbol("/") { advance(); levels.append([]); continue }
            return levels
        }
    }

    mutating func parseFactor() throws -> Factor {
        guard case .name(let name) = current else { throw error(.expectedColumn) }
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
            let label = reference.map { "C(\(inner.text), ref=\"\($0)\")" } ?? "C(\(inner.text))"
            return Factor(label: label, expression: inner, isForcedCategorical: true, reference: reference)
        case "I":
            let inner = try parseExpression()
            try expect(")")
            return Factor(label: "I(\(inner.text))", expression: inner, isForcedCategorical: false, reference: nil)
        default:
            guard Expression.elementwiseFunctions.contains(name) || Expression.columnFunctions.contains(name) else {
                throw FormulaError(formula: text, position: start, problem: .unknownFunction(name, inExpression: false))
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
            default: throw p.error(.expectedReference)
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
        try enter()
        defer { depth -= 1 }
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

    /// Unary signs, read in a loop (a recursion per sign would let a long
    /// run of signs exhaust the stack).
    mutating func parseUnary() throws -> Expression {
        var negations = 0, signs = 0
        while current == .symbol("-") || current == .symbol("+") {
            if current == .symbol("-") { negations += 1 }
            signs += 1
            if signs > Self.maximumDepth { throw error(.tooDeep(limit: Self.maximumDepth)) }
            advance()
        }
        var e = try parsePower()
        for _ in 0..<negations { e = .negate(e) }
        return e
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
                throw FormulaError(formula: text, position: start, problem: .unknownFunction(name, inExpression: true))
            }
            advance()
            let inner = try parseExpression()
            try expect(")")
            return .call(name, inner)
        case .string(let s):
            throw error(.quotedText(s))
        default:
            throw error(.expectedOperand)
        }
    }
}
