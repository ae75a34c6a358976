import Foundation

/// A rectangular table of text and numbers, ready to be rendered.
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

    /// Parses `csv`, `tsv`, `md`/`markdown`, `json`.
    public init?(name: String) {
        switch name.lowercased() {
        case "csv": self = .csv
        case "tsv", "tab": self = .tsv
        case "md", "markdown": self = .markdown
        case "json": self = .json
        default: return nil
        }
    }

    /// The format a file name's extension names, if any.
    public static func fromExtension(of path: String) -> TableFormat? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        let ext = String(path[path.index(after: dot)...])
        return ext.lowercased() == "txt" ? .tsv : TableFormat(name: ext)
    }

    /// Resolves an explicit `--format` against an output path's extension.
    ///
    /// - Throws: `InputError` when both are given and disagree, or the
    ///   format name is unknown.
    public static func resolve(requested: String?, outputPath: String?) throws -> TableFormat {
        let fromPath = outputPath.flatMap(fromExtension(of:))
        guard let requested else { return fromPath ?? .csv }
        guard let format = TableFormat(name: requested) else {
            throw InputError(file: "--format", problem: "unknown format '\(requested)'", fix: "Use csv, tsv, md or json")
        }
        if let fromPath, fromPath != format, let outputPath {
            throw InputError(file: outputPath, problem: "--format \(requested) disagrees with the file's extension",
                             fix: "Drop --format, or name the file with a matching extension")
        }
        return format
    }
}

/// How numbers are printed.
public enum NumberStyle: Sendable, Equatable {
    /// The shortest text that reads back as the same `Double` (whole
    /// numbers without a decimal point).
    case roundTrip
    /// This many significant digits (`%.*g`).
    case significantDigits(Int)

    /// The number as text; NaN is `NA`, infinities `Inf` / `-Inf` (R's spelling).
    public func format(_ x: Double) -> String {
        if x.isNaN { return "NA" }
        if x.isInfinite { return x > 0 ? "Inf" : "-Inf" }
        switch self {
        case .roundTrip:
            if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
            return "\(x)"
        case .significantDigits(let digits):
            return String(format: "%.*g", digits, x)
        }
    }
}

extension TextTable {
    /// Renders the table in `format`, ending with a newline.
    public func rendered(as format: TableFormat, numbers: NumberStyle = .roundTrip) -> String {
        switch format {
        case .csv: return delimited(",", numbers: numbers)
        case .tsv: return delimited("\t", numbers: numbers)
        case .markdown: return markdown(numbers: numbers)
        case .json: return json(numbers: numbers)
        }
    }

    private func text(_ cell: Cell, _ numbers: NumberStyle) -> String {
        switch cell {
        case .text(let s): return s
        case .number(let x): return numbers.format(x)
        }
    }

    private func delimited(_ separator: Character, numbers: NumberStyle) -> String {
        func quoted(_ s: String) -> String {
            if s.contains(separator) || s.contains("\"") || s.contains("\n") || s.contains("\r") {
                return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return s
        }
        var out = columns.map(quoted).joined(separator: String(separator)) + "\n"
        for row in rows {
            out += row.map { quoted(text($0, numbers)) }.joined(separator: String(separator))
            out += "\n"
        }
        return out
    }

    private func markdown(numbers: NumberStyle) -> String {
        func escaped(_ s: String) -> String {
            s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        let numeric = columns.indices.map { c in rows.contains { if case .number = $0[c] { return true } else { return false } } }
        var out = "| " + columns.map(escaped).joined(separator: " | ") + " |\n"
        out += "|" + numeric.map { $0 ? " ---: |" : " --- |" }.joined() + "\n"
        for row in rows {
            out += "| " + row.map { escaped(text($0, numbers)) }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    private func json(numbers: NumberStyle) -> String {
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

/// A JSON string literal for `s` (RFC 8259 escapes).
func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out + "\""
}
