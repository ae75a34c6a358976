/// A random-effects term of a linear mixed model, lme4's `(effects | grouping)`:
/// the coefficients of `effects` (with an intercept unless `0 +` or `- 1`
/// says otherwise) vary by group, drawn from one zero-mean multivariate
/// normal whose covariance is estimated.
///
/// Written forms, expanded as lme4's `findbars` does:
/// - `(1 | g)` a random intercept; `(1 + x | g)` or `(x | g)` a correlated
///   intercept and slope; `(0 + x | g)` a slope alone;
/// - `(1 + x || g)` uncorrelated: `(1 | g) + (0 + x | g)`, one term per
///   model term (a categorical term keeps its columns together);
/// - `(1 | a/b)` nested: `(1 | a) + (1 | b:a)`, the groups of `b:a` being
///   the combinations of a and b that occur (lme4's label order, inner
///   first); `(1 | a:b)` groups by the combinations of a and b;
/// - crossed effects are simply two terms, `(1 | a) + (1 | b)`.
public struct RandomTerm: Sendable, Hashable {
    /// The terms whose coefficients vary by group (without the intercept).
    public let terms: [Term]
    public let hasIntercept: Bool
    /// The columns whose combination of values defines a group, in label order.
    public let grouping: [String]

    public init(terms: [Term], hasIntercept: Bool, grouping: [String]) {
        self.terms = terms
        self.hasIntercept = hasIntercept
        self.grouping = grouping
    }

    /// The grouping factor's name, as lme4 prints it: `participant`, `b:a`.
    public var groupLabel: String { grouping.joined(separator: ":") }

    /// The term written back: `(1 + months | participant)`.
    public var text: String {
        var parts = hasIntercept ? ["1"] : ["0"]
        parts += terms.map(\.label)
        return "(" + parts.joined(separator: " + ") + " | " + grouping.map(Formula.quotedIfNeeded).joined(separator: ":") + ")"
    }

    /// Every column the term reads, grouping columns last.
    public var variables: [String] {
        var out = [String]()
        for term in terms {
            for factor in term.factors {
                for v in factor.expression.variables where !out.contains(v) { out.append(v) }
            }
        }
        for g in grouping where !out.contains(g) { out.append(g) }
        return out
    }

    /// `(effects | nesting)` or `(effects || nesting)` expanded into
    /// single-grouping terms; `nesting` lists the `/`-separated levels,
    /// outermost first, each a list of `:`-joined columns.
    static func expanded(effects: [Term], intercept: Bool, correlated: Bool, nesting: [[String]]) -> [RandomTerm] {
        var groupings = [[String]]()
        var inner = [String]()
        for level in nesting {
            inner = level + inner
            groupings.append(inner)
        }
        var pieces: [(terms: [Term], intercept: Bool)] = []
        if correlated {
            pieces = [(effects, intercept)]
        } else {
            if intercept { pieces.append(([], true)) }
            for t in effects { pieces.append(([t], false)) }
        }
        var out = [RandomTerm]()
        for grouping in groupings.reversed() {
            for piece in pieces where piece.intercept || !piece.terms.isEmpty {
                let term = RandomTerm(terms: piece.terms, hasIntercept: piece.intercept, grouping: grouping)
                if !out.contains(term) { out.append(term) }
            }
        }
        return out
    }
}
