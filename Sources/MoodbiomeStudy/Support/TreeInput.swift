import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// A phylogenetic tree as a job asks for it: the Newick file, whether to
/// root it at its midpoint, and what a branch without a length means.
public struct TreeInput: Sendable, Equatable {
    public var path: String
    /// Root an unrooted tree at the midpoint of its longest tip-to-tip path.
    public var midpointRoot = false
    public var missingLengths = MissingBranchLengths.error

    public init(path: String) { self.path = path }

    /// Reads the tree and matches its tips to `table`'s features.
    ///
    /// - Parameter report: receives the note on branches taken as zero.
    /// - Throws: `InputError` for a syntax error, an unrooted tree (unless
    ///   midpoint-rooted), missing lengths, or features the tree lacks.
    public func load(for table: CountTable, report: (String) -> Void) throws -> TablePhylogeny {
        var tree = try PhylogeneticTree.read(path, missing: missingLengths)
        if tree.missingLengths > 0 {
            report("\(path): \(tree.missingLengths) branch\(tree.missingLengths == 1 ? "" : "es") without a length taken as 0")
        }
        if midpointRoot { tree = tree.midpointRooted() }
        return try TablePhylogeny(tree: tree, taxa: table.taxonIDs)
    }
}

/// Reads a count table as a job does: any format, the taxonomy attached
/// and the table collapsed when the options say so, and what the reading
/// noted (taxonomy features not in the table, the collapse) reported.
///
/// A CSV/TSV table that the metadata's IDs oriented (``CountTableReadOptions/metadataSampleIDs``)
/// is said so when that overrode the file's usual reading, with a warning
/// when the other side named metadata IDs too. Any other CSV/TSV table whose
/// orientation the user left to Moodbiome gets a
/// warning naming the option that reads it the other way when its samples,
/// as read, look like features (``OrientationDoubt``: IDs such as
/// `Bacteroides` or `Genus_021`, totals spread as features' are):
/// `diversity Twins.csv` would otherwise compute diversity for 130 genera.
func readCountTable(_ path: String, options: CountTableReadOptions, report: (String) -> Void,
                    spelling: ParameterSpelling = .canonical) throws -> CountTable {
    let table = try CountTable.read(path, options: options)
    if let choice = table.origin?.orientationChoice, choice.isNotable {
        report(Words.orientationChosen(choice.orientation, rowsMatched: choice.rowsMatched, columnsMatched: choice.columnsMatched,
                                       path: path, spelling: spelling))
    }
    for note in table.origin?.notes ?? [] { report("note: " + note) }
    if options.orientation == .auto, table.origin?.orientationChoice == nil, let rows = table.origin?.samplesInRows,
       let doubt = table.orientationDoubt {
        report(Words.looksTransposed(path: path, doubt: doubt, samplesInRows: rows, spelling: spelling))
    }
    return table
}

/// The per-metric tables of a study stacked into one, a `metric` column first
/// (models, fit statistics, variance components); nil tables are skipped.
func stackedByMetric(_ parts: [(metric: String, table: TextTable?)]) -> TextTable {
    var columns = ["metric"], rows = [[TextTable.Cell]]()
    for (metric, table) in parts {
        guard let table else { continue }
        if columns.count == 1 { columns += table.columns }
        rows += table.rows.map { [.text(metric)] + $0 }
    }
    return TextTable(columns: columns, rows: rows)
}

extension CountTableReadOptions {
    /// The files besides the table that reading it opens.
    var extraInputs: [String] { taxonomyPath.map { [$0] } ?? [] }
}
