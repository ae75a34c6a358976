import FoundationEssentials
import MoodbiomeIO

/// How totals are formed where instruments' sources disagree or users need
/// another convention.
public struct ScoringOptions: Sendable, Equatable {
    /// Round prorated totals to the nearest integer (halves up); off keeps
    /// the exact prorated value.
    public var roundProrated = true
    /// Override of the instrument's most-missing-items rule.
    public var maxMissing: Int? = nil
    /// Override of the reverse-scored items (1-based), e.g. HADS data
    /// entered as option positions.
    public var reversedItems: Set<Int>? = nil
    /// Treat out-of-range or non-numeric answers as missing (and count
    /// them) instead of stopping with an error.
    public var invalidAsMissing = false

    public init() {}
}

/// One participant's score.
public struct ScaleScore: Sendable, Equatable {
    /// The total, nil when too many items are missing.
    public let total: Double?
    /// The band's name, nil with the total.
    public let band: String?
    /// Items answered (validly).
    public let answered: Int
    /// Whether missing items were prorated.
    public let prorated: Bool
}

/// What one item cell holds.
public enum ItemAnswer: Sendable, Equatable {
    case missing
    case value(Int)
    /// Not an allowed answer; the rule says what is allowed.
    case invalid(AnswerRule)
}

/// The answers an item allows, for the message of an invalid one.
public enum AnswerRule: Sendable, Equatable {
    /// A whole number from 0 to `maximum`.
    case range(item: Int, scale: String, maximum: Int)
    /// 0, 1a, 1b, 2a, 2b, 3a, 3b (BDI-II items 16 and 18).
    case lettered(item: Int, scale: String)
    /// "0a"/"0b": 0 has no lettered form.
    case letteredZero
}

extension MoodScale {
    /// Reads item `item` (1-based) from a cell: a whole number in
    /// `0...itemMaximum`, `1a`…`3b` for lettered items, or a missing-value token.
    public func parseAnswer(_ cell: String, item: Int) -> ItemAnswer {
        let text = cell.trimmingWhitespace()
        if MissingValue.isMissing(text) { return .missing }
        let maximum = itemMaximum[item - 1]
        var digits = Substring(text)
        if letteredItems.contains(item), let last = text.last, last == "a" || last == "b" || last == "A" || last == "B" {
            digits = digits.dropLast()
            if digits == "0" { return .invalid(.letteredZero) }
        }
        // Answers are read by the shared number grammar ("2", "2.0"; never hex).
        var value: Int? = nil
        if let d = number(String(digits)), d == d.rounded(), abs(d) < 1000 { value = Int(d) }
        guard let v = value, (0...maximum).contains(v) else {
            return .invalid(letteredItems.contains(item) ? .lettered(item: item, scale: id) : .range(item: item, scale: id, maximum: maximum))
        }
        return .value(v)
    }

    /// Scores one participant's answers (nil = missing), in item order.
    public func score(_ answers: [Int?], options: ScoringOptions = .init()) -> ScaleScore {
        precondition(answers.count == itemCount, "\(id) has \(itemCount) items, got \(answers.count)")
        let reversed = options.reversedItems ?? reversedItems
        var sum = 0, answered = 0
        for (i, a) in answers.enumerated() {
            guard let a else { continue }
            sum += reversed.contains(i + 1) ? itemMaximum[i] - a : a
            answered += 1
        }
        let missing = itemCount - answered
        if missing > (options.maxMissing ?? maxMissing) || answered == 0 {
            return ScaleScore(total: nil, band: nil, answered: answered, prorated: false)
        }
        var total = Double(sum)
        if missing > 0 {
            total = Double(sum) * Double(itemCount) / Double(answered)
            if options.roundProrated { total = (total + 0.5).rounded(.down) }
        }
        return ScaleScore(total: total, band: band(of: total)?.name, answered: answered, prorated: missing > 0)
    }
}
