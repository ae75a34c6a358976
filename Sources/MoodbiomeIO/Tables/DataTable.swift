import FoundationEssentials

/// A per-sample (or per-participant) table of mixed columns: the study's
/// metadata, or the merged table a model is fitted on.
///
/// Conventions follow QIIME 2 metadata:
/// - the first column holds the row IDs (`sample-id`, `#SampleID`, `id`,
///   `participant`… any name), unless another column is named as the ID;
///   IDs must be unique and non-empty;
/// - comment lines (`#…`) may precede the header; an optional `#q2:types`
///   row right after the header declares columns `numeric` or
///   `categorical`; every later row is data, whatever its first character;
/// - cells are trimmed of surrounding spaces and tabs; the spellings in
///   ``MissingValue`` are missing values;
/// - a column is numeric when every present cell is a number by the shared
///   grammar (``parseNumber(_:)``: decimal only, no hex, no `inf`), and
///   categorical otherwise or when declared categorical.
///
/// Each column is typed once, when the table is built: its cells keep their
/// text (what is written back out) and their numbers are parsed once.
public struct DataTable: Sendable {
    /// What kind of values a column holds.
    public enum Kind: String, Sendable {
        case numeric
        case categorical
    }

    /// One column: its text as written and its values as numbers.
    public struct Column: Sendable {
        public let name: String
        /// The cells, trimmed, as written.
        public let cells: [String]
        /// Each cell's number, NaN where the cell is missing or is not a
        /// number (the grammar never yields NaN, so NaN is unambiguous).
        public let numbers: [Double]
        /// Numeric when declared so or when every present cell is a number
        /// (and at least one is present); categorical otherwise.
        public let kind: Kind
        /// The kind a `#q2:types` row (or the builder) declared, if any.
        public let declaredKind: Kind?

        /// A column from text cells, typed by its content unless declared.
        public init(name: String, cells: [String], declaredKind: Kind? = nil) {
            self.name = name
            self.cells = cells
            self.declaredKind = declaredKind
            var numbers = [Double](repeating: .nan, count: cells.count)
            var allNumbers = true, sawValue = false
            for (r, cell) in cells.enumerated() where !MissingValue.isMissing(cell) {
                sawValue = true
                if let v = number(cell) { numbers[r] = v } else { allNumbers = false }
            }
            self.numbers = numbers
            self.kind = declaredKind ?? (allNumbers && sawValue ? .numeric : .categorical)
        }

        /// A numeric column from values (NaN = missing), written back at
        /// round-trip precision; the values are kept, never re-parsed.
        public init(name: String, numbers: [Double]) {
            self.name = name
            self.numbers = numbers
            self.cells = numbers.map { NumberStyle.roundTrip.format($0) }
            self.kind = .numeric
            self.declaredKind = .numeric
        }

        private init(name: String, cells: [String], numbers: [Double], kind: Kind, declaredKind: Kind?) {
            self.name = name
            self.cells = cells
            self.numbers = numbers
            self.kind = kind
            self.declaredKind = declaredKind
        }

        /// Whether row `r`'s cell is a missing value.
        public func isMissing(_ r: Int) -> Bool { MissingValue.isMissing(cells[r]) }

        /// The present (non-missing) cells' distinct values.
        public var levels: [String] { Array(Set(cells.filter { !MissingValue.isMissing($0) })) }

        /// The rows at `indices`, in that order. An undeclared column is
        /// typed again on those rows (a word in a row left out no longer
        /// makes the column categorical), from the numbers already parsed.
        func selecting(_ indices: [Int]) -> Column {
            let cells = indices.map { self.cells[$0] }
            let numbers = indices.map { self.numbers[$0] }
            var kind = declaredKind ?? .categorical
            if declaredKind == nil {
                var allNumbers = true, sawValue = false
                for (k, cell) in cells.enumerated() where !MissingValue.isMissing(cell) {
                    sawValue = true
                    if numbers[k].isNaN { allNumbers = false; break }
                }
                kind = allNumbers && sawValue ? .numeric : .categorical
            }
            return Column(name: name, cells: cells, numbers: numbers, kind: kind, declaredKind: declaredKind)
        }
    }

    /// Where the table came from (a path, or a description).
    public let source: String
    /// The ID column's header.
    public let idColumnName: String
    /// Row IDs, in file order.
    public let ids: [String]
    /// The other columns, in file order.
    public let columns: [Column]
    /// 1-based source line of each row (0 for tables built in memory).
    let lines: [Int]
    private let positions: [String: Int]

    /// A table built in memory.
    public init(source: String, idColumnName: String, ids: [String], columns: [Column]) {
        self.init(source: source, idColumnName: idColumnName, ids: ids, columns: columns,
                  lines: Array(repeating: 0, count: ids.count))
    }

    init(source: String, idColumnName: String, ids: [String], columns: [Column], lines: [Int]) {
        self.source = source
        self.idColumnName = idColumnName
        self.ids = ids
        self.columns = columns
        self.lines = lines
        var positions = [String: Int]()
        for (k, c) in columns.enumerated() where positions[c.name] == nil { positions[c.name] = k }
        self.positions = positions
    }

    public var rowCount: Int { ids.count }

    /// The columns' names, in file order.
    public var columnNames: [String] { columns.map(\.name) }

    /// The position of a column, or nil.
    public func index(of column: String) -> Int? { positions[column] }

    /// The column with this name, or nil.
    public subscript(_ name: String) -> Column? { positions[name].map { columns[$0] } }

    /// The source line of row `r`, when the table was read from a file.
    public func line(ofRow r: Int) -> Int? { lines[r] > 0 ? lines[r] : nil }

    /// Where a cell (or a column, or a row) is in the source file. The field
    /// number counts the ID column as field 1.
    public func location(row r: Int?, column: String?) -> SourceLocation {
        var field: Int? = nil
        if let column, let c = index(of: column) { field = c + 2 }
        if column == idColumnName { field = 1 }
        return SourceLocation(file: source, line: r.flatMap { line(ofRow: $0) }, column: r == nil ? nil : field,
                              columnName: column)
    }

    /// The rows at `indices`, in that order.
    public func selectingRows(_ indices: [Int]) -> DataTable {
        DataTable(source: source, idColumnName: idColumnName, ids: indices.map { ids[$0] },
                  columns: columns.map { $0.selecting(indices) }, lines: indices.map { lines[$0] })
    }

    /// The named columns only, in the order given (each must exist).
    public func selectingColumns(_ names: [String], source: String? = nil) -> DataTable {
        DataTable(source: source ?? self.source, idColumnName: idColumnName, ids: ids,
                  columns: names.compactMap { self[$0] }, lines: lines)
    }

    /// This table with the columns of the same names replaced (lines kept,
    /// so errors still point at the file).
    public func replacingColumns(_ replacements: [Column]) -> DataTable {
        let byName = Dictionary(replacements.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return DataTable(source: source, idColumnName: idColumnName, ids: ids, columns: columns.map { byName[$0.name] ?? $0 }, lines: lines)
    }

    /// This table with extra columns appended (each as long as the table).
    public func appendingColumns(_ extra: [Column]) -> DataTable {
        DataTable(source: source, idColumnName: idColumnName, ids: ids, columns: columns + extra, lines: lines)
    }

    /// The table as a `TextTable` (ID column first), for writing.
    public var textTable: TextTable {
        let header = [idColumnName] + columnNames
        let rows: [[TextTable.Cell]] = (0..<rowCount).map { r in
            [.text(ids[r])] + columns.map { .text($0.cells[r]) }
        }
        return TextTable(columns: header, rows: rows)
    }
}

extension DataTable {
    /// A field's text without surrounding spaces and tabs, trimmed at the
    /// byte level (Foundation's trimming costs more than the whole parse).
    static func trimmedField(_ f: FieldSpan, _ p: UnsafeBufferPointer<UInt8>) -> String {
        var span = f
        if !f.quoted {
            while span.start < span.end && (p[span.start] == 0x20 || p[span.start] == 0x09) { span.start += 1 }
            while span.end > span.start && (p[span.end - 1] == 0x20 || p[span.end - 1] == 0x09) { span.end -= 1 }
            return span.string(p)
        }
        return f.string(p).trimmingWhitespace()
    }

    /// The header's names, trimmed (`#SampleID` read as `SampleID`), each
    /// non-empty after the first and distinct.
    static func header(_ text: DelimitedText, path: String) throws -> [String] {
        var header = text.header.map { $0.trimmingWhitespace() }
        if header.first?.hasPrefix("#") == true {
            // `#SampleID`, `#OTU ID`: keep the name without the hash.
            header[0] = String(header[0].dropFirst())
        }
        var seen = [String: Int]()
        for (i, name) in header.enumerated() {
            if name.isEmpty && i > 0 {
                throw InputError(file: path, line: text.headerLine, column: i + 1,
                                 problem: "column \(i + 1) has an empty header", fix: "Name every column in the header row")
            }
            if let first = seen[name] {
                throw InputError(file: path, line: text.headerLine, column: i + 1, columnName: name,
                                 problem: "column name '\(name)' appears twice (columns \(first + 1) and \(i + 1))",
                                 fix: "Give every column a distinct name")
            }
            seen[name] = i
        }
        return header
    }

    /// Every ID non-empty and unique.
    static func checkIDs(_ ids: [String], lines: [Int], column idIndex: Int, name: String, path: String,
                         candidates: () -> [String]) throws {
        var firstLine = [String: Int]()
        for (r, id) in ids.enumerated() {
            if id.isEmpty {
                throw InputError(file: path, line: lines[r], column: idIndex + 1, columnName: name,
                                 problem: "empty ID", fix: "Give every row an ID")
            }
            if let other = firstLine[id] {
                throw InputError(file: path, line: lines[r], column: idIndex + 1, columnName: name,
                                 problem: "ID '\(id)' appears twice (lines \(other) and \(lines[r]))",
                                 fix: "Make the IDs unique, or name the right ID column with \(Parameter.idColumn.mention)"
                                     + (candidates().isEmpty ? "" : " (columns with a distinct value in every row: \(candidates().joined(separator: ", ")))"))
            }
            firstLine[id] = lines[r]
        }
    }

    /// The `idColumn` that means "no ID column": rows are numbered.
    public static let noIDColumn = "none"

    /// Reads a metadata table (CSV or TSV, by extension or sniffed).
    ///
    /// - Parameters:
    ///   - idColumn: the column holding the row IDs; by default the first.
    public static func read(_ path: String, idColumn: String? = nil, delimiter: Delimiter? = nil) throws -> DataTable {
        let text = try DelimitedText(path: path, delimiter: delimiter)
        let header = try Self.header(text, path: path)
        let idIndex: Int
        if idColumn == DataTable.noIDColumn {
            // No ID column: rows are numbered 1, 2, … in file order.
            idIndex = -1
        } else if let idColumn {
            guard let i = header.firstIndex(of: idColumn) else {
                throw InputError(file: path, line: text.headerLine, problem: "no column named '\(idColumn)' to take the IDs from",
                                 fix: "Columns are: \(header.joined(separator: ", ")). Pass one of them to \(Parameter.idColumn.mention)")
            }
            idIndex = i
        } else {
            idIndex = 0
        }
        let width = header.count
        var cells = [[String]](repeating: [], count: width)
        var lines = [Int]()
        var declared = [String: Kind]()
        let p = text.bytes.buffer
        let delimiterByte = text.delimiter.byte
        for r in 0..<text.recordCount {
            var cursor = FieldCursor(position: text.recordStarts[r], end: text.recordEnds[r])
            var fields = [String]()
            fields.reserveCapacity(width)
            while let f = cursor.next(p, delimiter: delimiterByte) {
                if f.malformed {
                    throw InputError(file: path, line: text.recordLines[r], column: fields.count + 1,
                                     columnName: fields.count < width ? header[fields.count] : nil,
                                     problem: "text after a closing quote", fix: "Quote the whole field, doubling any quote inside it")
                }
                fields.append(fields.count == idIndex
                              ? try f.name(p, file: path, line: text.recordLines[r], column: idIndex + 1, what: "ID")
                              : Self.trimmedField(f, p))
            }
            // The one directive: a `#q2:types` row right after the header.
            if r == 0, let first = fields.first, first.lowercased() == "#q2:types" {
                for (i, v) in fields.enumerated().dropFirst() where i < width {
                    switch v.lowercased() {
                    case "numeric": declared[header[i]] = .numeric
                    case "categorical": declared[header[i]] = .categorical
                    case "": break
                    default:
                        throw InputError(file: path, line: text.recordLines[r], column: i + 1, columnName: header[i],
                                         problem: "unknown column type '\(v)' in the #q2:types row",
                                         fix: "Declare each column 'numeric' or 'categorical'")
                    }
                }
                continue
            }
            if fields.count != width, fields.first?.hasPrefix("#") == true {
                throw InputError(file: path, line: text.recordLines[r], column: 1,
                                 problem: "a line starting with '#' after the header is read as a data row, and this one has \(fields.count) field\(fields.count == 1 ? "" : "s") where the header has \(width)",
                                 fix: "Move comment lines above the header; only a #q2:types row may follow it")
            }
            if fields.count != width {
                // A ragged row usually means a stray delimiter inside an
                // unquoted field: never guess which cell is which.
                throw InputError(file: path, line: text.recordLines[r], column: Swift.min(fields.count, width) + (fields.count > width ? 1 : 0),
                                 problem: "this row has \(fields.count) fields but the header has \(width)",
                                 fix: "Give every row one value per column (use NA for missing values; quote values containing the delimiter)")
            }
            for i in 0..<width { cells[i].append(fields[i]) }
            lines.append(text.recordLines[r])
        }
        let ids = idIndex >= 0 ? cells[idIndex] : (1...Swift.max(lines.count, 1)).prefix(lines.count).map(String.init)
        if idIndex >= 0 {
            // Columns that could be the IDs, named when the IDs repeat: a
            // distinct value in every row, text columns first (a unique
            // number per row is more often a measurement).
            let candidates = {
                let unique = header.indices.filter { $0 != idIndex && !cells[$0].contains("") && Set(cells[$0]).count == cells[$0].count }
                let text = unique.filter { c in cells[c].contains { Double($0) == nil } }
                return (text.isEmpty ? unique : text).map { header[$0] }
            }
            try checkIDs(ids, lines: lines, column: idIndex, name: header[idIndex], path: path, candidates: candidates)
        }
        if ids.isEmpty {
            throw InputError(file: path, line: text.headerLine, problem: "the table has a header but no data rows",
                             fix: "Add one row per sample")
        }
        var columns = [Column]()
        columns.reserveCapacity(width - 1)
        for i in 0..<width where i != idIndex {
            columns.append(Column(name: header[i], cells: cells[i], declaredKind: declared[header[i]]))
        }
        return DataTable(source: path, idColumnName: idIndex >= 0 ? header[idIndex] : "row", ids: ids, columns: columns, lines: lines)
    }
}
