import FoundationEssentials
import MoodbiomeNumerics

/// A metagenome's functions (KEGG orthologs, gene families) per sample: the
/// community profile, and — when the table is stratified — each taxon's
/// share of it.
///
/// Read by content from:
/// - **HUMAnN 3/4** gene-family or KO tables: a `# Gene Family` header,
///   sample columns `<sample>_Abundance-RPKs` / `-CPM` / `-RELAB` (the
///   suffix stripped, the unit kept), community rows `K00001` (or
///   `K00001: name` after `humann_rename_table`), stratified rows
///   `K00001|g__Genus.s__species` and `K00001|unclassified`; `UNMAPPED`,
///   `UNGROUPED` and `UNINTEGRATED` are not functions and are left out.
///   Joined tables or one file per sample (several paths).
/// - **PICRUSt2**: `pred_metagenome_unstrat.tsv` (`function` header), the
///   legacy stratified table (`function`, `sequence`, samples) and the
///   contributions file (`pred_metagenome_contrib.tsv`: one line per sample,
///   function and taxon; `taxon_function_abun` is the taxon's share).
/// - omixer-rpm's stratified input (`species`/`taxon`, `KO`, samples) and a
///   plain function × sample table (first column the function IDs).
///
/// The community profile is the unstratified rows; a table of stratified
/// rows only has its community summed from them. Where both are present,
/// the strata are checked to sum to their community row (a note says where
/// they do not).
public struct FunctionalProfile: Sendable {
    /// What wrote the table, as recognised from its header.
    public enum Layout: String, Sendable {
        case humann = "HUMAnN table"
        case picrust2 = "PICRUSt2 table"
        case picrust2Contributions = "PICRUSt2 contributions"
        case taxonColumns = "stratified table with taxon and function columns"
        case plain = "function table"
    }

    /// The per-taxon profiles of a stratified table.
    public struct Strata: Sendable {
        /// The strata (taxa; HUMAnN's `unclassified` is one of them).
        public let taxa: [String]
        /// The functions the strata hold.
        public let functions: [String]
        /// One row per (function, taxon) pair, samples as columns, kept as
        /// the file lists them (for a HUMAnN table, its own arrays); the
        /// `rowIDs` are `function|taxon`. A read told which functions it is
        /// for (``FunctionalProfile/read(paths:strataOf:)``) keeps only
        /// their rows.
        public let rows: SparseRows
        /// Per row of `table`, its function (index into `functions`) …
        public let rowFunction: [Int32]
        /// … and its taxon (index into `taxa`).
        public let rowTaxon: [Int32]

        /// Only the rows of `kept` functions (the taxa and functions listed as before).
        func keeping(functions kept: Set<String>) -> Strata {
            let rowsKept = rowFunction.indices.filter { kept.contains(functions[Int(rowFunction[$0])]) }
            return Strata(taxa: taxa, functions: functions, rows: rows.keeping(rowsKept),
                          rowFunction: rowsKept.map { rowFunction[$0] }, rowTaxon: rowsKept.map { rowTaxon[$0] })
        }
    }

    public let layout: Layout
    /// The community profile: functions × samples (`taxonIDs` are the function IDs).
    public let community: CountTable
    public let strata: Strata?
    /// The unit HUMAnN's sample columns state (`RPKs`, `CPM`, `RELAB`), if any.
    public let unit: String?
    /// What a user should know about how the table was read.
    public var notes: [String]

    public var sampleIDs: [String] { community.sampleIDs }
    public var functionIDs: [String] { community.taxonIDs }

    /// HUMAnN's rows that are not functions.
    public static let unassignedRows: Set<String> = ["UNMAPPED", "UNGROUPED", "UNINTEGRATED"]

    /// The profile of one file, or of several (one per sample, or several
    /// joined tables) put side by side.
    ///
    /// - Throws: `InputError` naming the file, line and column for a
    ///   duplicated row, a negative or non-numeric value, a stratified row
    ///   without the community row its table otherwise has, files mixing
    ///   stratified and unstratified tables, units or layouts, or a sample
    ///   in two files.
    ///
    /// With `strataOf`, only the strata rows of those functions are kept
    /// (the ones a job will use: a module database's orthologs; none when
    /// no per-taxon profile is needed); the others are summed per function
    /// as they are parsed, for the check against the community rows, and
    /// never stored. Everything else — the community profile, the taxa and
    /// functions, every check and note — is as without it.
    public static func read(paths: [String], strataOf functions: Set<String>? = nil) throws -> FunctionalProfile {
        let parts = try paths.map { try readFile($0, strataOf: functions) }
        guard parts.count > 1 else { return parts[0] }
        return try FunctionalProfileMerge.merge(parts, paths: paths)
    }

    /// One file's profile.
    static func readFile(_ path: String, strataOf functions: Set<String>?) throws -> FunctionalProfile {
        let format = try CountTableFormat.detect(path: path)
        guard format == .delimited else {
            throw InputError(file: path, problem: "a \(format.readableName) file, not a functional profile",
                             fix: "Give a HUMAnN, PICRUSt2 or KO × sample table as TSV or CSV")
        }
        let text = try DelimitedText(path: path)
        let header = text.header.map { $0.trimming("# ").lowercased() }
        if header.contains("taxon_function_abun") && header.contains("sample") && header.contains("function") && header.contains("taxon") {
            return try StratifiedColumnsReader.contributions(text, names: header)
        }
        if header.count >= 3, let columns = StratifiedColumnsReader.idColumns(header) {
            return try StratifiedColumnsReader.rows(text, functionColumn: columns.function, taxonColumn: columns.taxon)
        }
        let layout: Layout = header[0] == "gene family" ? .humann : header[0] == "function" ? .picrust2 : .plain
        if header.count > 1 && header[1] == "description" {
            throw InputError(file: path, line: text.headerLine, column: 2, columnName: text.header[1],
                             problem: "a description column between the functions and the samples",
                             fix: "Give the table as PICRUSt2 wrote it, before add_descriptions.py")
        }
        var options = CountTableReadOptions(orientation: .columns)
        options.featureNoun = "function"
        var (rows, folded) = try readRows(text, options: options, fold: functions.map(OneColumnProfile.fold(keeping:)))
        if !folded.keys.isEmpty && !OneColumnProfile.hasCommunityRows(rows) {
            // Stratified rows only: the community is every function's sum.
            // Read again unfolded, so that a function whose strata are not
            // consecutive is summed in file order as one pass, the same bits
            // as a read that keeps every stratum (its folded runs would be
            // added run by run).
            (rows, folded) = try readRows(try DelimitedText(path: path), options: options, fold: nil)
        }
        let profile = OneColumnProfile(table: rows, folded: folded, strataOf: functions, path: path, lines: text.recordLines,
                                       headerLine: text.headerLine, layout: layout)
        return try profile.profile()
    }

    /// The table's records as rows, those `fold` names summed instead.
    static func readRows(_ text: DelimitedText, options: CountTableReadOptions, fold: RecordFold?) throws
        -> (rows: SparseRows, folded: FoldedRuns) {
        do {
            return try CountTable.readRows(text, options: options, fold: fold)
        } catch var error as InputError where error.fix?.contains(Parameter.samplesIn.mention) == true {
            error.fix = "Only numbers may follow the function column (text columns such as descriptions cannot be read)"
            throw error
        }
    }

    /// The columns' sample names without HUMAnN's unit suffix, and the unit.
    static func strippingUnits(_ names: [String], path: String, line: Int) throws -> (names: [String], unit: String?) {
        var units = Set<String>(), out = [String]()
        for name in names {
            var stripped = name
            for (suffix, unit) in [("_Abundance-RPKs", "RPKs"), ("_Abundance-CPM", "CPM"), ("_Abundance-RELAB", "RELAB"), ("_Abundance", "")]
            where name.hasSuffix(suffix) && name.count > suffix.count {
                stripped = String(name.dropLast(suffix.count))
                units.insert(unit)
                break
            }
            out.append(stripped)
        }
        let named = units.subtracting([""])
        guard named.count <= 1 else {
            throw InputError(file: path, line: line, problem: "the sample columns mix units (\(named.sorted().joined(separator: ", ")))",
                             fix: "Normalise every sample the same way (humann_renorm_table) before joining")
        }
        try CountTable.checkUnique(out, kind: "sample", file: path, lines: nil)
        return (out, named.first)
    }
}

/// A one-ID-column table (HUMAnN, PICRUSt2 unstratified, plain) split into
/// its community rows and its strata.
struct OneColumnProfile {
    /// The table as read, one row per record (a folded record's row empty).
    let table: SparseRows
    /// The sums of the folded strata records (``FunctionalProfile/read(paths:strataOf:)``).
    let folded: FoldedRuns
    /// The functions whose strata are kept (nil: all).
    let strataOf: Set<String>?
    let path: String
    let lines: [Int]
    let headerLine: Int
    let layout: FunctionalProfile.Layout

    /// The rows read: what a row is, and the indices that place it.
    struct Split {
        var communityRows = [Int](), communityIDs = [String](), unassigned = [Int]()
        var firstCommunity = [String: Int]()
        /// The strata kept: their records, `function|taxon` keys, function and taxon.
        var strataRows = [Int](), strataIDs = [String](), rowFunction = [Int32](), rowTaxon = [Int32]()
        /// Every stratum's key and record (the folded ones too), for the check of unique keys.
        var keys = [String](), keyRows = [Int]()
        var functions = [String](), taxa = [String](), functionIndex = [String: Int32](), taxonIndex = [String: Int32]()
        /// Per function, its first stratum's record.
        var functionFirstRow = [Int]()
        /// Whether a stratum's ID was respelled (`K00001: name|…`, a padded taxon).
        var respelled = false
    }

    func profile() throws -> FunctionalProfile {
        let (samples, unit) = try FunctionalProfile.strippingUnits(table.columnIDs, path: path, line: headerLine)
        let split = try splitRows()
        // A stratum's key is its row ID, which the read checked unique,
        // unless the ID was respelled: only then are the keys checked again.
        if split.respelled { try checkUniqueStrata(split.keys, rows: split.keyRows) }
        let (communityRows, strataRows, unassigned) = (split.communityRows, split.strataRows, split.unassigned)
        var notes = [String]()
        if !unassigned.isEmpty {
            notes.append("\(path): \(unassigned.map { table.rowIDs[$0] }.joined(separator: ", ")) left out (not functions; \(Self.percent(share(unassigned, of: communityRows))) of the community total)")
        }
        guard !communityRows.isEmpty || !split.keys.isEmpty else {
            throw InputError(file: path, problem: "the table has no function rows (only \(unassigned.map { table.rowIDs[$0] }.joined(separator: ", ")))",
                             fix: "Give a table of functions (KEGG orthologs, gene families)")
        }
        let communityTable = table.keeping(communityRows).renamed(rows: split.communityIDs, columns: samples)
        guard !split.keys.isEmpty else {
            return FunctionalProfile(layout: layout, community: communityOf(communityTable), strata: nil, unit: unit, notes: notes)
        }
        if !communityRows.isEmpty, let f = split.functions.firstIndex(where: { split.firstCommunity[$0] == nil }) {
            let missing = split.functionFirstRow[f]
            throw InputError(file: path, line: lines[missing], column: 1,
                             problem: "the stratified row \(table.rowIDs[missing]) has no community row, though other functions of the table have one",
                             fix: "Give the whole table as HUMAnN wrote it (each function's community row, then its strata), or only its stratified rows")
        }
        // The strata (most of the table) stay in the arrays they were parsed into.
        let strataTable = table.keeping(strataRows).renamed(rows: split.strataIDs, columns: samples)
        let strata = FunctionalProfile.Strata(taxa: split.taxa, functions: split.functions, rows: strataTable,
                                              rowFunction: split.rowFunction, rowTaxon: split.rowTaxon)
        let summed = StrataSums(strata: strata, folded: folded, runFunction: folded.keys.map { split.functionIndex[$0]! })
        guard !communityRows.isEmpty else {
            // Read without folding (the sums are the community): the strata
            // not asked for are dropped now.
            notes.append("\(path): stratified rows only; the community profile is their sum per function")
            let kept = strataOf.map { strata.keeping(functions: $0) } ?? strata
            return FunctionalProfile(layout: layout, community: summed.table(source: path, origin: origin), strata: kept, unit: unit, notes: notes)
        }
        if let note = summed.mismatch(with: communityTable, path: path) { notes.append(note) }
        return FunctionalProfile(layout: layout, community: communityOf(communityTable), strata: strata, unit: unit, notes: notes)
    }

    /// Each row placed: a community row, an unassigned one (`UNMAPPED`), a
    /// stratum kept or a folded stratum; functions and taxa indexed in the
    /// order of their first strata rows.
    func splitRows() throws -> Split {
        var s = Split()
        let foldedFunctions = Set(folded.keys)
        var last: (function: String, index: Int32) = ("", -1)
        s.keys.reserveCapacity(table.rowCount)
        s.keyRows.reserveCapacity(table.rowCount)
        for (r, id) in table.rowIDs.enumerated() {
            let (function, taxon) = Self.split(id)
            guard !function.isEmpty else {
                throw InputError(file: path, line: lines[r], column: 1, problem: "a row without a function ID ('\(id)')",
                                 fix: "Start each row with the function (K00001, or K00001|taxon for a stratified row)")
            }
            if FunctionalProfile.unassignedRows.contains(function) {
                if taxon == nil { s.unassigned.append(r) }
                continue
            }
            guard let taxon else {
                if let first = s.firstCommunity[function] {
                    throw InputError(file: path, line: lines[r], column: 1,
                                     problem: "function \(function) has two community rows (the first on line \(lines[first]))",
                                     fix: "Give each function one row (sum the rows, or keep one)")
                }
                s.firstCommunity[function] = r
                s.communityRows.append(r)
                s.communityIDs.append(function)
                continue
            }
            guard !taxon.isEmpty else {
                throw InputError(file: path, line: lines[r], column: 1, problem: "the stratified row '\(id)' names no taxon after |",
                                 fix: "Write K00001|taxon, or K00001|unclassified")
            }
            let plain = function.utf8.count + taxon.utf8.count + 1 == id.utf8.count
            if !plain { s.respelled = true }
            let key = plain ? id : function + "|" + taxon
            s.keys.append(key)
            s.keyRows.append(r)
            // A function's strata are usually consecutive rows.
            if function != last.function {
                let known = s.functions.count
                last = (function, Self.index(function, in: &s.functions, &s.functionIndex))
                if s.functions.count > known { s.functionFirstRow.append(r) }
            }
            let t = Self.index(taxon, in: &s.taxa, &s.taxonIndex)
            guard !foldedFunctions.contains(function) else { continue }
            s.strataRows.append(r)
            s.strataIDs.append(key)
            s.rowFunction.append(last.index)
            s.rowTaxon.append(t)
        }
        return s
    }

    /// Folds the strata rows of functions other than `functions`.
    static func fold(keeping functions: Set<String>) -> RecordFold {
        RecordFold { id in
            if let plain = plainStratumFunction(id) {
                return FunctionalProfile.unassignedRows.contains(plain) || functions.contains(plain) ? nil : plain
            }
            guard id.utf8.contains(UInt8(ascii: "|")) else { return nil }
            let (function, taxon) = split(id)
            guard let taxon, !taxon.isEmpty, !function.isEmpty, !FunctionalProfile.unassignedRows.contains(function),
                  !functions.contains(function) else { return nil }
            return function
        }
    }

    /// Whether the table has a community (unstratified function) row.
    static func hasCommunityRows(_ table: SparseRows) -> Bool {
        table.rowIDs.contains { id in
            let (function, taxon) = split(id)
            return taxon == nil && !function.isEmpty && !FunctionalProfile.unassignedRows.contains(function)
        }
    }

    /// Each (function, taxon) once, where row IDs that differ name the same
    /// pair (`K00001: name|g__X` and `K00001|g__X`).
    func checkUniqueStrata(_ keys: [String], rows: [Int]) throws {
        var first = [String: Int]()
        for (key, r) in zip(keys, rows) {
            if let earlier = first.updateValue(r, forKey: key) {
                throw InputError(file: path, line: lines[r], column: 1,
                                 problem: "the stratified row \(key) appears twice (the first on line \(lines[earlier]))",
                                 fix: "Give each function and taxon one row")
            }
        }
    }

    var origin: TableOrigin { TableOrigin(format: layout.rawValue) }

    /// The community rows as a functions × samples table.
    func communityOf(_ rows: SparseRows) -> CountTable {
        var table = rows.countTable(source: path, integral: false)
        table.origin = origin
        return table
    }

    /// A row ID's function and, for a stratified row, its taxon: `K00001|g__X`
    /// → (`K00001`, `g__X`); `K00001: name|g__X` → (`K00001`, `g__X`).
    static func split(_ id: String) -> (function: String, taxon: String?) {
        let utf8 = id.utf8
        guard let bar = utf8.firstIndex(of: UInt8(ascii: "|")) else { return (functionID(id), nil) }
        let taxon = String(Substring(utf8[utf8.index(after: bar)...]))
        if let function = plainStratumFunction(id) { return (function, taxon) }
        let padded = taxon.utf8.first.map { $0 == 0x20 || $0 == 0x09 } == true
        return (functionID(String(Substring(utf8[..<bar]))), padded ? taxon.trimmingWhitespace() : taxon)
    }

    /// The function of a stratum ID spelled plainly, `K00001|taxon` (the
    /// function non-empty printable ASCII without `:`, a taxon that does not start
    /// with a space or tab), read from the ID's bytes without splitting it
    /// (this runs for each of a table's ~10⁶ records); nil for any other
    /// ID, which ``split(_:)`` reads. For such an ID it is the function
    /// ``split(_:)`` gives, with a non-empty taxon.
    static func plainStratumFunction(_ id: String) -> String? {
        id.utf8.withContiguousStorageIfAvailable { bytes -> String? in
            guard let bar = bytes.firstIndex(of: UInt8(ascii: "|")), bar > 0, bar + 1 < bytes.count,
                  bytes[bar + 1] != 0x20, bytes[bar + 1] != 0x09 else { return nil }
            let function = UnsafeBufferPointer(rebasing: bytes[..<bar])
            for b in function where b <= 0x20 || b >= 0x7F || b == UInt8(ascii: ":") { return nil }
            return String(decoding: function, as: UTF8.self)
        } ?? nil
    }

    /// `K00001` of `K00001: alcohol dehydrogenase` (humann_rename_table's names).
    static func functionID(_ text: String) -> String {
        let utf8 = text.utf8
        var i = utf8.startIndex
        while let colon = utf8[i...].firstIndex(of: UInt8(ascii: ":")) {
            let next = utf8.index(after: colon)
            if next < utf8.endIndex && utf8[next] == UInt8(ascii: " ") { return String(Substring(utf8[..<colon])).trimmingWhitespace() }
            i = next
        }
        let plain = utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
        return plain ? text : text.trimmingWhitespace()
    }

    static func index(_ name: String, in names: inout [String], _ index: inout [String: Int32]) -> Int32 {
        if let k = index[name] { return k }
        index[name] = Int32(names.count)
        names.append(name)
        return Int32(names.count - 1)
    }

    /// The unassigned rows' share of the unstratified rows' total.
    func share(_ unassigned: [Int], of community: [Int]) -> Double {
        func total(_ rows: [Int]) -> Double {
            rows.reduce(0.0) { sum, r in table.range(ofRow: r).reduce(sum) { $0 + table.values[$1] } }
        }
        let part = total(unassigned), all = part + total(community)
        return all > 0 ? part / all : 0
    }

    static func percent(_ x: Double) -> String { String(cFormat: "%.1f%%", 100 * x) }
}

/// Each function's sum over its strata, per sample: function by function
/// (on all cores), each function's strata rows added in row order, so every
/// sum is the same bits as a pass over the samples would give. A folded
/// function's sum is its runs' sums (``FoldedRuns``: each run its
/// consecutive rows, never split between chunks of the read) added in file
/// order: the same bits on every machine, and the same as without folding
/// when the function's strata rows are consecutive, as HUMAnN writes them.
struct StrataSums {
    let strata: FunctionalProfile.Strata
    /// Per function, where its strata rows start in ``rowsByFunction``.
    let functionStarts: [Int]
    /// The strata rows grouped by function, in increasing order within each.
    let rowsByFunction: [Int32]
    /// The folded functions' runs and, per function, where its runs start
    /// in ``runsByFunction``.
    let folded: FoldedRuns
    let runStarts: [Int]
    let runsByFunction: [Int32]

    /// `runFunction`: each folded run's function (index into `strata.functions`).
    init(strata: FunctionalProfile.Strata, folded: FoldedRuns = FoldedRuns(), runFunction: [Int32] = []) {
        self.strata = strata
        self.folded = folded
        (functionStarts, rowsByFunction) = Self.grouped(strata.rowFunction, groups: strata.functions.count)
        (runStarts, runsByFunction) = Self.grouped(runFunction, groups: strata.functions.count)
    }

    /// The indices of `group` grouped by their value, in increasing order
    /// within each: where each group starts, and the indices.
    static func grouped(_ group: [Int32], groups: Int) -> (starts: [Int], members: [Int32]) {
        var starts = [Int](repeating: 0, count: groups + 1)
        for g in group { starts[Int(g) + 1] += 1 }
        for g in 0..<groups { starts[g + 1] += starts[g] }
        var next = starts, members = [Int32](repeating: 0, count: group.count)
        for (k, g) in group.enumerated() {
            members[next[Int(g)]] = Int32(k)
            next[Int(g)] += 1
        }
        return (starts, members)
    }

    /// The sums as a functions × samples table (functions in `strata.functions` order).
    func table(source: String, origin: TableOrigin) -> CountTable {
        let found = parallelChunkMap(count: strata.functions.count, minimumPerChunk: 64) { functions in
            var starts = [Int](), columns = [Int32](), values = [Double]()
            forEachFunction(in: functions) { _, sums in
                starts.append(values.count)
                for (j, sum) in sums.enumerated() where sum > 0 {
                    columns.append(Int32(j))
                    values.append(sum)
                }
            }
            return (starts, columns, values)
        }
        var starts = [Int](), columns = [Int32](), values = [Double]()
        for (chunkStarts, chunkColumns, chunkValues) in found {
            starts += chunkStarts.map { $0 + values.count }
            columns += chunkColumns
            values += chunkValues
        }
        starts.append(values.count)
        let sums = SparseRows(rowIDs: strata.functions, columnIDs: strata.rows.columnIDs, contiguousStarts: starts, columnIndices: columns,
                              values: values, isIntegral: false)
        var table = sums.countTable(source: source)
        table.origin = origin
        return table
    }

    /// A note when the strata do not sum to the community rows (relative
    /// difference above 10⁻⁵ of the community value, HUMAnN's printed
    /// precision), compared where a function has strata in a sample. The
    /// largest difference named is the first in sample order, then in the
    /// order of the functions (that of their first strata rows).
    func mismatch(with community: SparseRows, path: String) -> String? {
        var position = [String: Int]()
        for (k, id) in community.rowIDs.enumerated() { position[id] = k }
        let communityOf = strata.functions.map { position[$0] }
        let found = parallelChunkMap(count: strata.functions.count, minimumPerChunk: 64) { functions in
            var differing = [Int](), worst = Difference()
            var row = [Double](repeating: 0, count: community.columnCount)
            forEachFunction(in: functions) { f, sums in
                guard let c = communityOf[f] else { return }
                let range = community.range(ofRow: c)
                for k in range { row[Int(community.columnIndices[k])] = community.values[k] }
                var differs = false
                for (j, sum) in sums.enumerated() where sum > 0 {
                    let difference = abs(row[j] - sum) / max(abs(row[j]), abs(sum))
                    guard difference > 1e-5 else { continue }
                    differs = true
                    let here = Difference(difference: difference, sample: j, function: f)
                    if here.isLarger(than: worst) { worst = here }
                }
                if differs { differing.append(f) }
                for k in range { row[Int(community.columnIndices[k])] = 0 }
            }
            return (differing, worst)
        }
        var differing = 0, worst = Difference()
        for (chunkDiffering, chunkWorst) in found {
            differing += chunkDiffering.count
            if chunkWorst.isLarger(than: worst) { worst = chunkWorst }
        }
        guard differing > 0 else { return nil }
        return "\(path): the stratified rows of \(differing) of \(strata.functions.count) functions do not sum to their community row "
            + "(largest difference \(OneColumnProfile.percent(worst.difference)) of the larger, \(strata.functions[worst.function]) in sample \(community.columnIDs[worst.sample])); "
            + "the community rows are used for the community profile"
    }

    /// A stratum sum's relative difference to its community value.
    struct Difference: Sendable {
        var difference = 0.0, sample = -1, function = -1

        /// Larger, or as large and earlier (by sample, then by function).
        func isLarger(than other: Difference) -> Bool {
            difference > other.difference || (difference == other.difference && (sample, function) < (other.sample, other.function))
        }
    }

    /// Calls `body(function, sums)` for each function in `functions` with
    /// its strata's sum per sample (0 where it has none).
    func forEachFunction(in functions: Range<Int>, _ body: (Int, [Double]) -> Void) {
        let rows = strata.rows
        var sums = [Double](repeating: 0, count: rows.columnCount)
        for f in functions {
            for r in rowsByFunction[functionStarts[f]..<functionStarts[f + 1]] {
                for k in rows.range(ofRow: Int(r)) { sums[Int(rows.columnIndices[k])] += rows.values[k] }
            }
            for run in runsByFunction[runStarts[f]..<runStarts[f + 1]] { folded.forEach(inRun: Int(run)) { sums[$0] += $1 } }
            body(f, sums)
            for r in rowsByFunction[functionStarts[f]..<functionStarts[f + 1]] {
                for k in rows.range(ofRow: Int(r)) { sums[Int(rows.columnIndices[k])] = 0 }
            }
            for run in runsByFunction[runStarts[f]..<runStarts[f + 1]] { folded.forEach(inRun: Int(run)) { j, _ in sums[j] = 0 } }
        }
    }
}
