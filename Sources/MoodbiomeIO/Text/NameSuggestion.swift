/// The closest name by edit distance (Levenshtein, case-insensitive), when
/// it is close enough to be a typo: at most 2 edits, or a third of the
/// name's length for long names. Used by every "no such column/key" error.
///
/// A scale's name stands for its score: `phq9` suggests `phq9_total` (or
/// `_score`, `_sum`) before the item `phq9_1`, one edit nearer.
public func closestName(to name: String, among candidates: [String]) -> String? {
    for suffix in ["_total", "_score", "_sum"] {
        if let score = candidates.first(where: { $0.lowercased() == name.lowercased() + suffix }) { return score }
    }
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in 1...b.count {
                let old = row[j]
                row[j] = Swift.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return row[b.count]
    }
    let lower = Array(name.lowercased())
    let scored = candidates.map { ($0, distance(lower, Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= Swift.max(2, name.count / 3) else { return nil }
    return best.0
}
