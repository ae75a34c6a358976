/// A run of rows of a distance matrix's upper triangle, in condensed order.
///
/// The condensed form lists the pairs (i, j), i < j, of n samples row by
/// row — row i holds j = i + 1 … n − 1 — as SciPy's `pdist` and
/// scikit-bio's `condensed_form` do. The pairs of rows `lo..<hi` are then
/// one contiguous range of it: a stripe is computed, stored, sent and
/// merged as one block, and merging stripes is concatenating them.
public struct PairRows: Sendable, Equatable {
    /// Samples in the whole matrix.
    public let n: Int
    /// The rows (first samples of the pairs) covered.
    public let rows: Range<Int>

    public init(n: Int, rows: Range<Int>) {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= n, "rows \(rows) of a \(n)-sample matrix")
        self.n = n
        self.rows = rows
    }

    /// Every row: the whole matrix.
    public static func all(_ n: Int) -> PairRows { PairRows(n: n, rows: 0..<n) }

    /// Where row `i`'s pairs start in the condensed form: i(2n − i − 1)/2.
    @inline(__always)
    public static func start(ofRow i: Int, n: Int) -> Int { i * (2 * n - i - 1) / 2 }

    /// Pairs in the whole matrix, n(n − 1)/2.
    public static func pairCount(_ n: Int) -> Int { start(ofRow: n, n: n) }

    /// The first pair's index in the whole condensed form.
    public var offset: Int { Self.start(ofRow: rows.lowerBound, n: n) }
    /// Pairs covered.
    public var count: Int { Self.start(ofRow: rows.upperBound, n: n) - offset }

    /// The index, within this run, of pair (i, j), i in `rows`, i < j.
    @inline(__always)
    public func index(_ i: Int, _ j: Int) -> Int { Self.start(ofRow: i, n: n) - offset + (j - i - 1) }
}

/// The cut of a distance matrix into N stripes of (nearly) equal numbers of
/// pairs: stripe k (1-based) is the rows from `bounds[k − 1]` to `bounds[k]`,
/// row r starting stripe k when it is the first row whose pairs begin at or
/// after k/N of all pairs. Integer arithmetic only, so every machine cuts
/// the same table the same way.
public struct StripePlan: Sendable, Equatable {
    public let n: Int
    public let count: Int
    /// N + 1 row bounds, from 0 to n.
    public let bounds: [Int]

    /// Why a plan cannot be made.
    public enum Problem: Error, Equatable, Sendable {
        /// More stripes than the matrix has rows to share: at most `maximum`.
        case tooManyStripes(requested: Int, samples: Int, maximum: Int)
    }

    public init(n: Int, stripes: Int) throws(Problem) {
        precondition(n >= 2 && stripes >= 1)
        guard let bounds = Self.cut(n, stripes) else {
            throw .tooManyStripes(requested: stripes, samples: n, maximum: Self.maximumStripes(n))
        }
        self.n = n
        self.count = stripes
        self.bounds = bounds
    }

    /// The bounds, or nil when some stripe would hold no pair.
    static func cut(_ n: Int, _ stripes: Int) -> [Int]? {
        let total = PairRows.pairCount(n)
        var bounds = [0], row = 0
        for k in 1..<Swift.max(1, stripes) {
            // The first row whose pairs start at or after k·total/N, without
            // forming k·total (which could overflow).
            let target = total / stripes * k + (total % stripes) * k / stripes
            while row < n && PairRows.start(ofRow: row, n: n) < target { row += 1 }
            bounds.append(row)
        }
        bounds.append(n)
        // The last row has no pairs: every stripe needs a row that has some.
        guard zip(bounds, bounds.dropFirst()).allSatisfy({ $0 < $1 }), bounds[stripes - 1] < n - 1 else { return nil }
        return bounds
    }

    /// Stripe `k` (1-based).
    public func stripe(_ k: Int) -> PairRows {
        precondition((1...count).contains(k))
        return PairRows(n: n, rows: bounds[k - 1]..<bounds[k])
    }

    /// The most stripes an n-sample matrix can be cut into.
    public static func maximumStripes(_ n: Int) -> Int {
        var lo = 1, hi = n - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if cut(n, mid) != nil { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }
}
