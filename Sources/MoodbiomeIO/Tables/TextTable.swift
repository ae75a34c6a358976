import FoundationEssentials
import MoodbiomeNumerics

/// A rectangular table of text and numbers, ready to be written.
///
/// This layer writes the formats for programs (CSV, TSV, JSON) at full
/// precision; the formats for people (Markdown, LaTeX, HTML), with their
/// number policy and escaping, are rendered by the report layer.
public struct TextTable: Sendable, Equatable {
    /// A cell: text, or a number (NaN renders as `NA`).
    public enum Cell: Sendable, Equatable {
        case text(String)
        case number(Double)
    }

    public var columns: [String]
    public var rows: [[Cell]]

    public init(columns: [String], rows: [[Cell]]) {
        self.columns = columns
        self.rows = rows
    }
}

/// A file format for tables.
public enum TableFormat: String, Sendable, CaseIterable {
    case csv
    case tsv
    case markdown
    case json
    /// A LaTeX `tabular` with booktabs rules.
    case latex
    /// An HTML document holding the table.
    case html

    /// Parses `csv`, `tsv`, `md`/`markdown`, `json`, `tex`/`latex`, `html`:
    /// the one place format names are read (options, manifests, extensions).
    public init?(name: String) {
        switch name.lowercased() {
        case "csv": self = .csv
        case "tsv", "tab": self = .tsv
        case "md", "markdown": self = .markdown
        case "json": self = .json
        case "tex", "latex": self = .latex
        case "html", "htm": self = .html
        default: return nil
        }
    }

    /// The short names, as listed in help and errors.
    public static let names = ["csv", "tsv", "md", "json", "tex", "html"]

    /// The file extension for the format.
    public var fileExtension: String {
        switch self {
        case .csv: "csv"
        case .tsv: "tsv"
        case .markdown: "md"
        case .json: "json"
        case .latex: "tex"
        case .html: "html"
        }
    }

    /// Formats for people (numbers rounded for reading), as opposed to
    /// formats for programs (full precision).
    public var isForPeople: Bool { self == .markdown || self == .latex || self == .html }

    /// The format a file name's extension names, if any (`.txt` is TSV).
    public static func fromExtension(of path: String) -> TableFormat? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        let ext = String(path[path.index(after: dot)...])
        return ext.lowercased() == "txt" ? .tsv : TableFormat(name: ext)
    }

    /// The format to write: the one requested, else the output's extension,
    /// else `fallback`.
    ///
    /// - Throws: `ParameterError` (`format`) when a requested format
    ///   disagrees with the output's extension.
    public static func resolve(requested: TableFormat?, outputPath: String?, fallback: TableFormat = .csv) throws -> TableFormat {
        let fromPath = outputPath.flatMap(fromExtension(of:))
        guard let requested else { return fromPath ?? fallback }
        if let fromPath, fromPath != requested, let outputPath {
            throw ParameterError(.format, .disagrees(value: requested.fileExtension, with: outputPath))
        }
        return requested
    }
}

/// How numbers are printed in the formats for programs.
public enum NumberStyle: Sendable, Equatable {
    /// The shortest text that reads back as the same `Double` (whole
    /// numbers without a decimal point).
    case roundTrip
    /// This many significant digits (`%.*g`); whole numbers below 1e15 print whole.
    case significantDigits(Int)

    /// The number as text; NaN is `NA`, infinities `Inf` / `-Inf` (R's spelling).
    public func format(_ x: Double) -> String {
        if x.isNaN { return "NA" }
        if x.isInfinite { return x > 0 ? "Inf" : "-Inf" }
        switch self {
        case .roundTrip:
            if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
            return x.description
        case .significantDigits(let digits):
            // Whole numbers print whole (richness 6960, not 6.96e+03), up to 1e15.
            if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
            return String(cFormat: "%.*g", Int32(digits), x)
        }
    }
}

extension TextTable {
    /// A cell as text in `numbers`.
    public func text(_ cell: Cell, _ numbers: NumberStyle) -> String {
        switch cell {
        case .text(let s): return s
        case .number(let x): return numbers.format(x)
        }
    }

    /// CSV (RFC 4180: a field holding the separator, a quote or a line break
    /// is quoted, quotes doubled), ending with a newline.
    ///
    /// - Parameter guardFormulas: spreadsheets run a cell that starts with
    ///   `=`, `+`, `-`, `@`, a tab or a carriage return as a formula; with this
    ///   set, such a *text* cell (never a number, so `-0.5` stays a number) is
    ///   prefixed with `'` (the OWASP advice). Off by default: the file then
    ///   holds the data exactly, as every program reading CSV expects.
    public func csv(numbers: NumberStyle = .roundTrip, guardFormulas: Bool = false) -> String {
        delimited(",", numbers: numbers, guardFormulas: guardFormulas)
    }

    /// TSV, quoted as CSV where a field holds a tab, a quote or a line break.
    public func tsv(numbers: NumberStyle = .roundTrip, guardFormulas: Bool = false) -> String {
        delimited("\t", numbers: numbers, guardFormulas: guardFormulas)
    }

    /// A text cell a spreadsheet would run as a formula, made inert with a
    /// leading `'` (numbers are left alone).
    static func formulaGuarded(_ s: String) -> String {
        guard let first = s.utf8.first, [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D].contains(first) else { return s }
        if case .number = parseNumber(s) { return s }
        return "'" + s
    }

    /// A field as CSV/TSV writes it: quoted (quotes doubled) when it holds
    /// the separator, a quote or a line break. One pass over the bytes
    /// decides (this runs for every cell; Foundation's searches cost more
    /// than the write).
    public static func field(_ s: String, separator separatorByte: UInt8) -> String {
        guard needsQuotes(s, separator: separatorByte) else { return s }
        var out = "\""
        for ch in s.unicodeScalars {
            if ch == "\"" { out += "\"\"" } else { out.unicodeScalars.append(ch) }
        }
        return out + "\""
    }

    /// Whether `s` holds the separator, a quote or a line break: a scan of
    /// its contiguous bytes (a native string's, not its UTF-8 view's
    /// iterator); this runs for every text cell written.
    static func needsQuotes(_ s: String, separator: UInt8) -> Bool {
        func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            for b in bytes where b == separator || b == 0x22 || b == 0x0A || b == 0x0D { return true }
            return false
        }
        if let found = s.utf8.withContiguousStorageIfAvailable(scan) { return found }
        var copy = s
        return copy.withUTF8(scan)
    }

    private func delimited(_ separator: Character, numbers: NumberStyle, guardFormulas: Bool = false) -> String {
        let rows = self.rows
        let bytes = Self.delimited(separator, columns: columns, rowCount: rows.count, numbers: numbers, guardFormulas: guardFormulas) { rows[$0] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The UTF-8 bytes of the CSV of rows made one at a time by `row` (a
    /// table too long to hold as cells: per-taxon scores, a hundred
    /// megabytes and more), as ``csv(numbers:guardFormulas:)`` writes it:
    /// bytes, so that the text is neither checked as UTF-8 again nor copied
    /// into a string and back on its way to the file.
    public static func csvBytes(columns: [String], rowCount: Int, numbers: NumberStyle = .roundTrip, guardFormulas: Bool = false,
                                row: @Sendable (Int) -> [Cell]) -> [UInt8] {
        delimited(",", columns: columns, rowCount: rowCount, numbers: numbers, guardFormulas: guardFormulas, row: row)
    }

    /// The rows are rendered in chunks on all cores into byte buffers and
    /// joined in order (the text does not depend on the chunking), on all
    /// cores too (``parallelJoined(_:prefix:)``: 119 MB of fresh pages for a
    /// whole stratified table's per-taxon scores).
    private static func delimited(_ separator: Character, columns: [String], rowCount: Int, numbers: NumberStyle, guardFormulas: Bool,
                                  row: @Sendable (Int) -> [Cell]) -> [UInt8] {
        let separatorByte = separator == "\t" ? UInt8(ascii: "\t") : UInt8(ascii: ",")
        @Sendable func field(_ s: String, into out: inout [UInt8]) {
            let text = guardFormulas ? Self.formulaGuarded(s) : s
            out.append(contentsOf: Self.field(text, separator: separatorByte).utf8)
        }
        @Sendable func line(_ cells: [Cell], into out: inout [UInt8]) {
            for (c, cell) in cells.enumerated() {
                if c > 0 { out.append(separatorByte) }
                switch cell {
                case .text(let s): field(s, into: &out)
                case .number(let x): out.append(contentsOf: numbers.format(x).utf8)
                }
            }
            out.append(0x0A)
        }
        var out = [UInt8]()
        line(columns.map { .text($0) }, into: &out)
        let chunks = parallelChunkMap(count: rowCount, minimumPerChunk: 512) { range in
            var bytes = [UInt8]()
            bytes.reserveCapacity(range.count * 96)
            for r in range { line(row(r), into: &bytes) }
            return bytes
        }
        return parallelJoined(chunks, prefix: out)
    }

    /// A JSON array of objects, one per row; non-finite numbers are `null`.
    public func json(numbers: NumberStyle = .roundTrip) -> String {
        var out = "[\n"
        for (r, row) in rows.enumerated() {
            out += "  {"
            for (c, cell) in row.enumerated() {
                out += (c == 0 ? "" : ", ") + jsonString(columns[c]) + ": "
                switch cell {
                case .text(let s): out += jsonString(s)
                case .number(let x): out += x.isFinite ? numbers.format(x) : "null"
                }
            }
            out += r == rows.count - 1 ? "}\n" : "},\n"
        }
        return out + "]\n"
    }
}

/// A JSON string literal for `s` (RFC 8259 escapes; every control character
/// escaped, so the output is always valid JSON).
public func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += String(cFormat: "\\u%04x", scalar.value)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
