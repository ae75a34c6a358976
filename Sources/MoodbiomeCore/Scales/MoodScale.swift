/// A severity band of a mood instrument: totals `lower...upper` (inclusive).
public struct SeverityBand: Sendable, Equatable {
    /// As reports print it ("moderately severe").
    public let name: String
    public let lower: Double
    public let upper: Double

    /// The band's name as a command-line word ("moderately-severe").
    public var slug: String { name.replacing(" ", with: "-") }
}

/// A self- or clinician-rated mood instrument: how its items are scored,
/// summed and banded.
///
/// Scoring, in order:
/// 1. each answered item must be a whole number in `0...itemMaximum[i]`
///    (BDI-II items 16 and 18 also accept `1a`/`1b`… and score the digit);
/// 2. reverse-scored items become `itemMaximum[i] − answer`;
/// 3. the total is the sum. With missing items, the total is prorated —
///    the mean of the answered items times the number of items, i.e. each
///    missing item replaced by the mean of the answered ones — when at most
///    `maxMissing` items are missing, and is missing otherwise. A prorated
///    total is rounded to the nearest integer (halves up) unless rounding is
///    turned off (`--prorate exact`), so that it falls in a band;
/// 4. the band is the one containing the total.
public struct MoodScale: Sendable {
    /// The command-line name (`phq9`).
    public let id: String
    /// The instrument's full name.
    public let name: String
    /// The short name in the full name's last parentheses (`PHQ-9`), or the id.
    public var abbreviation: String {
        guard let open = name.lastIndex(of: "("), let close = name.lastIndex(of: ")"), open < close else { return id }
        return String(name[name.index(after: open)..<close])
    }
    /// What it measures ("depression", "anxiety", "perceived stress").
    public let construct: String
    /// Highest score of each item (items start at 0), in item order.
    public let itemMaximum: [Int]
    /// 1-based numbers of reverse-scored items.
    public let reversedItems: Set<Int>
    /// 1-based numbers of items answered as 0, 1a, 1b, 2a, 2b, 3a, 3b.
    public let letteredItems: Set<Int>
    /// Bands in increasing order, covering the whole total range.
    public let bands: [SeverityBand]
    /// The most missing items for which a total is still computed (prorated).
    public let maxMissing: Int
    /// Where the item ranges, bands and missing-item rule come from.
    public let source: String

    public var itemCount: Int { itemMaximum.count }
    public var maximumTotal: Int { itemMaximum.reduce(0, +) }

    /// The band containing `total`.
    ///
    /// Bands are given by whole-number bounds (PHQ-9 10–14), but an exact
    /// prorated total can fall between them (14.5): a total belongs to the
    /// band whose lower bound it reaches and that the next band's lower
    /// bound does not, so 14.5 is "moderate". The last band takes
    /// everything up to its upper bound.
    public func band(of total: Double) -> SeverityBand? {
        for (k, band) in bands.enumerated() where total >= band.lower {
            let nextLower = k + 1 < bands.count ? bands[k + 1].lower : band.upper + 1
            if total < nextLower { return band }
        }
        return nil
    }

    /// The band whose slug or name is `text`.
    public func band(named text: String) -> SeverityBand? {
        let t = text.lowercased()
        return bands.first { $0.slug == t || $0.name == t }
    }
}
