import MoodbiomeCore
import MoodbiomeIO

/// Which samples belong to one participant, when participants have several
/// (repeated measures, twins, families): permutation tests restrict their
/// permutations by it, Table 1 describes participants by it.
enum Participants {
    /// The participant column: `explicit` when given (`--strata`,
    /// `--cluster`), else the random terms' finest grouping (the most groups
    /// among the samples; several grouping columns joined into one, named as
    /// lme4 prints it, e.g. `participant_id:site`), if any.
    static func column(_ explicit: String?, random: [RandomTerm], merged: DataTable) -> (DataTable, String?) {
        if let explicit { return (merged, explicit) }
        var best: (label: String, cells: [String], groups: Int)? = nil
        for term in random {
            let columns = term.grouping.compactMap { merged[$0] }
            guard columns.count == term.grouping.count else { continue }
            let cells = (0..<merged.rowCount).map { r in columns.map { $0.cells[r] }.joined(separator: "\u{1F}") }
            let groups = Set(cells).count
            if best == nil || groups > best!.groups { best = (term.groupLabel, cells, groups) }
        }
        guard let best else { return (merged, nil) }
        if merged[best.label] != nil { return (merged, best.label) }
        return (merged.appendingColumns([DataTable.Column(name: best.label, cells: best.cells)]), best.label)
    }
}
