import MoodbiomeCore
import MoodbiomeReport
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

    /// The participant and time of each merged row, for the longitudinal
    /// figures: with random terms (or strata) and a time column — `time`,
    /// else the random slope's column when it is one numeric column.
    static func visits(time: String?, random: [RandomTerm], strata: String?, merged: DataTable) throws -> Visits? {
        let slopes = random.flatMap(\.terms).map(\.label).filter { merged[$0]?.kind == .numeric }
        guard let column = time ?? (Set(slopes).count == 1 ? slopes[0] : nil) else { return nil }
        let (table, participant) = Participants.column(strata, random: random, merged: merged)
        guard let participant, let participants = table[participant] else {
            throw ParameterError(.time, .malformed(value: column, expected: "a time for repeated measures: give --random (or --strata) too"))
        }
        guard let times = table[column] else {
            throw DataError(.missingColumn(column, purpose: .metadata, available: table.columnNames),
                            at: SourceLocation(file: table.source, columnName: column))
        }
        guard times.kind == .numeric else {
            throw ParameterError(.time, .malformed(value: column, expected: "a numeric column (months, days or visit number)"))
        }
        return Visits(participantColumn: participant, participants: participants.cells, timeColumn: column, times: times.numbers)
    }
}
