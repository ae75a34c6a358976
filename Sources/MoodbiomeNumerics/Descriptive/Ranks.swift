/// Ranks of `values` (1-based), ties given the average of the ranks they
/// span ("average" / mid-ranks, as R's `rank` and SciPy's `rankdata`), and
/// the sizes of the tie groups, which the tie corrections need.
public func averageRanks(_ values: [Double]) -> (ranks: [Double], tieSizes: [Int]) {
    let n = values.count
    let order = (0..<n).sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
    var ranks = [Double](repeating: 0, count: n)
    var ties = [Int]()
    var i = 0
    while i < n {
        var j = i
        while j + 1 < n && values[order[j + 1]] == values[order[i]] { j += 1 }
        let rank = Double(i + j + 2) / 2
        for k in i...j { ranks[order[k]] = rank }
        if j > i { ties.append(j - i + 1) }
        i = j + 1
    }
    return (ranks, ties)
}
