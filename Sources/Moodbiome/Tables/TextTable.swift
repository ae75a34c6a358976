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
    /// A LaTeX `tabular` with booktabs rules.
    case latex
    /// An HTML document holding the table.
    case html

    /// Parses `csv`, `tsv`, `md`/`markdown`, `json`, `tex`/`latex`, `html`.
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
            throw InputError(file: "--format", problem: "unknown format '\(requested)'", fix: "Use csv, tsv, md, json, tex or html")
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
    /// For reading: 3 significant digits in plain notation (scientific
    /// outside 1e-4…1e6), whole numbers as they are.
    case human

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
        case .human:
            return humanNumber(x)
        }
    }
}

extension TextTable {
    /// Renders the table in `format`, ending with a newline.
    ///
    /// Without a number style, formats for programs (CSV, TSV, JSON) keep
    /// full round-trip precision and formats for people (Markdown, LaTeX,
    /// HTML) are ``humanized()``: 3 significant digits, `< 0.001` for small
    /// p-values, and estimates with their interval as `0.12 (0.03 to 0.21)`.
    public func rendered(as format: TableFormat, numbers: NumberStyle? = nil) -> String {
        if format.isForPeople && numbers == nil { return humanized().rendered(as: format, numbers: .human) }
        let numbers = numbers ?? .roundTrip
        switch format {
        case .csv: return delimited(",", numbers: numbers)
        case .tsv: return delimited("\t", numbers: numbers)
        case .markdown: return markdown(numbers: numbers)
        case .json: return json(numbers: numbers)
        case .latex: return latex(numbers: numbers)
        case .html: return htmlDocument(numbers: numbers)
        }
    }

    /// The table for reading: p-value columns (`p_value`, `q_value`,
    /// `…_p_value`) as `< 0.001` or 2 significant digits; `estimate` with
    /// `conf_low`/`conf_high` merged into one `estimate (CI)` column, and
    /// likewise `odds_ratio`; other numbers left for the renderer.
    public func humanized() -> TextTable {
        var columns = self.columns
        var rows = self.rows
        func merge(_ value: String, _ low: String, _ high: String) {
            guard let v = columns.firstIndex(of: value), let l = columns.firstIndex(of: low), let h = columns.firstIndex(of: high) else { return }
            for r in rows.indices {
                let cells = [rows[r][v], rows[r][l], rows[r][h]].map { cell -> Double? in
                    if case .number(let x) = cell, !x.isNaN { return x } else { return nil }
                }
                if let e = cells[0], let a = cells[1], let b = cells[2] {
                    rows[r][v] = .text("\(humanNumber(e)) (\(humanNumber(a)) to \(humanNumber(b)))")
                } else if let e = cells[0] {
                    rows[r][v] = .text(humanNumber(e))
                } else {
                    rows[r][v] = .text("NA")
                }
            }
            columns[v] = value + " (CI)"
            for index in [l, h].sorted(by: >) {
                columns.remove(at: index)
                for r in rows.indices { rows[r].remove(at: index) }
            }
        }
        merge("estimate", "conf_low", "conf_high")
        merge("odds_ratio", "odds_ratio_low", "odds_ratio_high")
        for (c, name) in columns.enumerated() where name == "p_value" || name == "q_value" || name.hasSuffix("_p_value") || name == "p" {
            for r in rows.indices {
                if case .number(let x) = rows[r][c] { rows[r][c] = .text(humanPValue(x)) }
            }
        }
        return TextTable(columns: columns, rows: rows)
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

    private func isNumeric(_ column: Int) -> Bool {
        rows.contains { if case .number = $0[column] { return true } else { return false } }
            || (rows.contains { if case .text(let t) = $0[column] { return t.first.map { $0.isNumber || $0 == "-" || $0 == "<" } ?? false } else { return false } }
                && !rows.contains { if case .text(let t) = $0[column] { return t.first?.isLetter ?? false } else { return false } })
    }

    private func latex(numbers: NumberStyle) -> String {
        func escaped(_ s: String) -> String {
            var out = ""
            for ch in s {
                switch ch {
                case "\\": out += "\\textbackslash{}"
                case "&", "%", "$", "#", "_", "{", "}": out += "\\" + String(ch)
                case "~": out += "\\textasciitilde{}"
                case "^": out += "\\textasciicircum{}"
                case "<": out += "$<$"
                case ">": out += "$>$"
                default: out.append(ch)
                }
            }
            return out
        }
        let align = columns.indices.map { isNumeric($0) ? "r" : "l" }.joined()
        var out = "% requires \\usepackage{booktabs}\n\\begin{tabular}{\(align)}\n\\toprule\n"
        out += columns.map(escaped).joined(separator: " & ") + " \\\\\n\\midrule\n"
        for row in rows {
            out += row.map { escaped(text($0, numbers)) }.joined(separator: " & ") + " \\\\\n"
        }
        return out + "\\bottomrule\n\\end{tabular}\n"
    }

    /// The table as an HTML `<table>` element (every text escaped).
    public func htmlTable(numbers: NumberStyle = .human) -> String {
        let numeric = columns.indices.map(isNumeric)
        var out = "<table>\n<thead><tr>"
        for (c, name) in columns.enumerated() { out += numeric[c] ? "<th class=\"num\">\(htmlEscaped(name))</th>" : "<th>\(htmlEscaped(name))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>"
            for (c, cell) in row.enumerated() {
                out += numeric[c] ? "<td class=\"num\">" : "<td>"
                // Leading spaces indent sub-rows (levels under a variable): keep them visible.
                let content = text(cell, numbers)
                let indent = content.prefix { $0 == " " }.count
                out += String(repeating: "&#160;", count: indent * 2) + htmlEscaped(String(content.dropFirst(indent))) + "</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }

    private func htmlDocument(numbers: NumberStyle) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Moodbiome table</title>\n<style>\n"
            + tableCSS + "</style>\n</head>\n<body>\n" + htmlTable(numbers: numbers) + "</body>\n</html>\n"
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

/// The table style shared by `--format html` and the report.
let tableCSS = """
table { border-collapse: collapse; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1em 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: left; }
thead th { border-bottom: 2px solid #333; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }

"""

/// `s` with `& < > " '` escaped for HTML text and attribute values.
public func htmlEscaped(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.count)
    for ch in s {
        switch ch {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(ch)
        }
    }
    return out
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
