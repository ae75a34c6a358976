import Foundation

/// A per-sample (or per-participant) table of mixed columns: the study's
/// metadata, or the merged table a model is fitted on.
///
/// Conventions follow QIIME 2 metadata:
/// - the first column holds the row IDs (`sample-id`, `#SampleID`, `id`,
///   `participant`… any name), unless another column is named as the ID;
///   IDs must be unique and non-empty;
/// - an optional `#q2:types` row right after the header declares columns
///   `numeric` or `categorical`; other rows starting with `#` are comments;
/// - cells are trimmed of surrounding spaces; `""`, `NA`, `NaN`, `nan`,
///   `NULL` (any case) and `N/A` are missing values;
/// - a column is numeric when every present cell is a finite number,
///   categorical otherwise (or when declared categorical).
public struct DataTable: Sendable {
    /// What kind of values a column holds.
    public enum Kind: String, Sendable {
        case numeric
        case categorical
    }

    /// Where the table came from (a path, or a description).
    public let source: String
    /// The ID column's header.
    public let idColumnName: String
    /// Row IDs, in file order.
    public let ids: [String]
    /// The other columns' headers, in file order.
    public let columnNames: [String]
    /// Cells, column by column (`cells[c][r]`), trimmed.
    let cells: [[String]]
    /// 1-based source line of each row (0 for tables built in memory).
    let lines: [Int]
    /// Types declared by a `#q2:types` row.
    let declared: [String: Kind]

    /// A table built in memory.
    public init(source: String, idColumnName: String, ids: [String],
                columns: [(name: String, cells: [String])], kinds: [String: Kind] = [:]) {
        self.source = source
        self.idColumnName = idColumnName
        self.ids = ids
        self.columnNames = columns.map(\.name)
        self.cells = columns.map(\.cells)
        self.lines = Array(repeating: 0, count: ids.count)
        self.declared = kinds
    }

    init(source: String, idColumnName: String, ids: [String], columnNames: [String],
         cells: [[String]], lines: [Int], declared: [String: Kind]) {
        self.source = source
        self.idColumnName = idColumnName
        self.ids = ids
        self.columnNames = columnNames
        self.cells = cells
        self.lines = lines
        self.declared = declared
    }

    public var rowCount: Int { ids.count }

    /// Whether a cell's text stands for a missing value: empty, or `NA`,
    /// `NaN`, `NULL`, `N/A` in any case (compared byte by byte: this runs
    /// for every cell of every model).
    public static func isMissing(_ cell: String) -> Bool {
        let utf8 = cell.utf8
        if utf8.isEmpty { return true }
        if utf8.count > 4 { return false }
        return utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            let lower = bytes.map { $0 | 0x20 }   // ASCII letters to lower case ('/' is unchanged)
            switch lower.count {
            case 2: return lower == [0x6e, 0x61]                    // na
            case 3: return lower == [0x6e, 0x61, 0x6e] || lower == [0x6e, 0x2f, 0x61]   // nan, n/a
            case 4: return lower == [0x6e, 0x75, 0x6c, 0x6c]        // null
            default: return false
            }
        } ?? ["na", "nan", "null", "n/a"].contains(cell.lowercased())   // non-contiguous (bridged) strings
    }

    /// The index of a column, or nil.
    public func index(of column: String) -> Int? { columnNames.firstIndex(of: column) }

    /// The cells of a column.
    public func cells(of column: String) -> [String]? { index(of: column).map { cells[$0] } }

    /// The source line of row `r`, when the table was read from a file.
    public func line(ofRow r: Int) -> Int? { lines[r] > 0 ? lines[r] : nil }

    /// The kind of a column: as declared, else numeric when every present
    /// cell parses as a finite number.
    public func kind(of column: String) -> Kind {
        if let k = declared[column] { return k }
        guard let c = index(of: column) else { return .categorical }
        var sawValue = false
        for cell in cells[c] where !Self.isMissing(cell) {
            guard let v = Double(cell), v.isFinite else { return .categorical }
            sawValue = true
        }
        return sawValue ? .numeric : .categorical
    }

    /// The kind a `#q2:types` row (or the builder) declared, if any.
    public func declaredKind(of column: String) -> Kind? { declared[column] }

    /// The error for a column this table does not have: the closest name
    /// when it looks like a typo, and the list of columns.
    func missingColumn(_ name: String, problem: String) -> InputError {
        InputError(file: source, columnName: name, problem: problem,
                   fix: (closestName(to: name, among: columnNames).map { "Did you mean '\($0)'? " } ?? "")
                       + "Columns are: " + columnNames.joined(separator: ", "))
    }

    /// An error located at a cell of this table.
    func error(row r: Int?, column: String?, problem: String, fix: String? = nil) -> InputError {
        var fieldIndex: Int? = nil
        if let column, let c = index(of: column) { fieldIndex = c + 2 }
        if column == idColumnName { fieldIndex = 1 }
        return InputError(file: source, line: r.flatMap { line(ofRow: $0) }, column: r == nil ? nil : fieldIndex,
                          columnName: column, problem: problem, fix: fix)
    }

    /// The rows at `indices`, in that order.
    public func selectingRows(_ indices: [Int]) -> DataTable {
        DataTable(source: source, idColumnName: idColumnName, ids: indices.map { ids[$0] },
                  columnNames: columnNames, cells: cells.map { col in indices.map { col[$0] } },
                  lines: indices.map { lines[$0] }, declared: declared)
    }

    /// This table with extra columns appended (each as long as the table).
    public func appendingColumns(_ columns: [(name: String, cells: [String])], kinds: [String: Kind] = [:]) -> DataTable {
        var declared = self.declared
        for (k, v) in kinds { declared[k] = v }
        return DataTable(source: source, idColumnName: idColumnName, ids: ids,
                         columnNames: columnNames + columns.map(\.name), cells: cells + columns.map(\.cells),
                         lines: lines, declared: declared)
    }

    /// The table as a `TextTable` (ID column first), for writing.
    public var textTable: TextTable {
        let header = [idColumnName] + columnNames
        let rows: [[TextTable.Cell]] = (0..<rowCount).map { r in
            [.text(ids[r])] + cells.map { .text($0[r]) }
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
        return f.string(p).trimmingCharacters(in: .whitespaces)
    }

    /// Reads a metadata table (CSV or TSV, by extension or sniffed).
    ///
    /// - Parameters:
    ///   - idColumn: the column holding the row IDs; by default the first.
    public static func read(_ path: String, idColumn: String? = nil, delimiter: Delimiter? = nil) throws -> DataTable {
        let text = try DelimitedText(path: path, delimiter: delimiter)
        var header = text.header.map { $0.trimmingCharacters(in: .whitespaces) }
        if header.first?.hasPrefix("#") == true, header.count > 0 {
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
        let idIndex: Int
        if let idColumn {
            guard let i = header.firstIndex(of: idColumn) else {
                throw InputError(file: path, line: text.headerLine, problem: "no column named '\(idColumn)' to take the IDs from",
                                 fix: "Columns are: \(header.joined(separator: ", ")). Pass one of them to --id-column")
            }
            idIndex = i
        } else {
            idIndex = 0
        }
        let width = header.count
        var columns = [[String]](repeating: [], count: width)
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
                fields.append(Self.trimmedField(f, p))
            }
            let first = fields.first ?? ""
            if first.hasPrefix("#") {
                if first.lowercased() == "#q2:types" {
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
                }
                continue  // comment or directive
            }
            if fields.count != width {
                // A ragged row usually means a stray delimiter inside an
                // unquoted field: never guess which cell is which.
                throw InputError(file: path, line: text.recordLines[r], column: Swift.min(fields.count, width) + (fields.count > width ? 1 : 0),
                                 problem: "this row has \(fields.count) fields but the header has \(width)",
                                 fix: "Give every row one value per column (use NA for missing values; quote values containing the delimiter)")
            }
            for i in 0..<width { columns[i].append(fields[i]) }
            lines.append(text.recordLines[r])
        }
        let ids = columns[idIndex]
        var firstLine = [String: Int]()
        for (r, id) in ids.enumerated() {
            if Self.isMissing(id) && id.isEmpty {
                throw InputError(file: path, line: lines[r], column: idIndex + 1, columnName: header[idIndex],
                                 problem: "empty ID", fix: "Give every row an ID")
            }
            if let other = firstLine[id] {
                throw InputError(file: path, line: lines[r], column: idIndex + 1, columnName: header[idIndex],
                                 problem: "ID '\(id)' appears twice (lines \(other) and \(lines[r]))",
                                 fix: "Make the IDs unique, or name the right ID column with --id-column")
            }
            firstLine[id] = lines[r]
        }
        if ids.isEmpty {
            throw InputError(file: path, line: text.headerLine, problem: "the table has a header but no data rows",
                             fix: "Add one row per sample")
        }
        var names = header, cells = columns
        names.remove(at: idIndex); cells.remove(at: idIndex)
        return DataTable(source: path, idColumnName: header[idIndex], ids: ids, columnNames: names,
                         cells: cells, lines: lines, declared: declared)
    }
}
