import FoundationEssentials
import MoodbiomeNumerics
import MoodbiomeIO

/// An arithmetic expression over a table's numeric columns, as written
/// inside a formula: `age`, `log(bmi)`, `I(age^2 / 100)`.
///
/// Functions: `log` (natural), `log2`, `log10`, `log1p`, `exp`, `sqrt`,
/// `abs`; operators `+ − * /` and `^` or `**` for powers (R and Python
/// spellings), unary minus. `scale` and `center` are column-wise and
/// evaluated by the design builder over the rows the model uses.
public indirect enum Expression: Sendable, Hashable {
    case number(Double)
    case variable(String)
    case negate(Expression)
    case binary(Character, Expression, Expression)
    case call(String, Expression)

    /// Every column the expression reads.
    public var variables: [String] {
        switch self {
        case .number: []
        case .variable(let v): [v]
        case .negate(let e): e.variables
        case .binary(_, let a, let b): a.variables + b.variables.filter { !a.variables.contains($0) }
        case .call(_, let e): e.variables
        }
    }

    public static let elementwiseFunctions: Set<String> = ["log", "log2", "log10", "log1p", "exp", "sqrt", "abs"]
    public static let columnFunctions: Set<String> = ["scale", "center"]

    /// Evaluates the expression on whole columns.
    ///
    /// - Parameters:
    ///   - column: the numeric values of a referenced column on the rows in use.
    ///   - fail: builds the error for a value outside a function's domain at
    ///     row `r` (log of a non-positive number, square root of a negative…).
    func evaluate(_ column: (String) throws -> [Double], rows: Int,
                  fail: (_ row: Int, _ problem: DataError.DomainProblem) -> Error) throws -> [Double] {
        switch self {
        case .number(let x):
            return [Double](repeating: x, count: rows)
        case .variable(let name):
            return try column(name)
        case .negate(let e):
            return try e.evaluate(column, rows: rows, fail: fail).map { -$0 }
        case .binary(let op, let a, let b):
            let x = try a.evaluate(column, rows: rows, fail: fail), y = try b.evaluate(column, rows: rows, fail: fail)
            var out = [Double](repeating: 0, count: rows)
            for i in 0..<rows {
                switch op {
                case "+": out[i] = x[i] + y[i]
                case "-": out[i] = x[i] - y[i]
                case "*": out[i] = x[i] * y[i]
                case "/":
                    if y[i] == 0 { throw fail(i, .divisionByZero(expression: self.text)) }
                    out[i] = x[i] / y[i]
                default: out[i] = pow(x[i], y[i])
                }
                if !out[i].isFinite { throw fail(i, .notFinite(expression: self.text)) }
            }
            return out
        case .call(let f, let e):
            let x = try e.evaluate(column, rows: rows, fail: fail)
            switch f {
            case "scale", "center":
                let n = Double(x.count)
                let mean = x.reduce(0, +) / n
                if f == "center" { return x.map { $0 - mean } }
                let sd = (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
                if !(sd > 0) { throw fail(0, .constantScale(expression: e.text)) }
                return x.map { ($0 - mean) / sd }
            default:
                var out = [Double](repeating: 0, count: rows)
                for i in 0..<rows {
                    let v = x[i]
                    switch f {
                    case "log", "log2", "log10":
                        if !(v > 0) { throw fail(i, .needsPositive(function: f, argument: e.text, value: v)) }
                        out[i] = f == "log" ? Glibc.log(v) : f == "log2" ? Glibc.log2(v) : Glibc.log10(v)
                    case "log1p":
                        if !(v > -1) { throw fail(i, .needsAboveMinusOne(argument: e.text, value: v)) }
                        out[i] = Glibc.log1p(v)
                    case "sqrt":
                        if v < 0 { throw fail(i, .needsNonNegative(argument: e.text, value: v)) }
                        out[i] = v.squareRoot()
                    case "exp":
                        out[i] = Glibc.exp(v)
                        if !out[i].isFinite { throw fail(i, .overflows(argument: e.text, value: v)) }
                    default: out[i] = Swift.abs(v)
                    }
                }
                return out
            }
        }
    }

    /// The expression written back in a normalised form.
    public var text: String {
        switch self {
        case .number(let x): return x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
        case .variable(let v): return Formula.quotedIfNeeded(v)
        case .negate(let e): return "-" + e.text
        case .binary(let op, let a, let b): return "\(a.text) \(op == "^" ? "^" : String(op)) \(b.text)"
        case .call(let f, let e): return "\(f)(\(e.text))"
        }
    }
}
