import FoundationEssentials
import MoodbiomeIO

extension TextTable {
    /// Renders the table in `format`, ending with a newline.
    ///
    /// Without a number style, formats for programs (CSV, TSV, JSON) keep
    /// full round-trip precision and formats for people (Markdown, LaTeX,
    /// HTML) are ``humanized()`` and follow ``NumberPolicy``: 3 significant
    /// digits, `< 0.001` for small p-values, and estimates with their
    /// interval as `0.12 (0.03 to 0.21)`. With a style, every format prints
    /// numbers in it and nothing is merged.
    ///
    /// `guardFormulas` prefixes CSV/TSV text cells a spreadsheet would run as
    /// formulas with `'` (see ``TextTable/csv(numbers:guardFormulas:)``).
    public func rendered(as format: TableFormat, numbers: NumberStyle? = nil, guardFormulas: Bool = false) -> String {
        let people = format.isForPeople && numbers == nil
        let table = people ? humanized() : self
        let text: (Cell) -> String = { cell in
            switch cell {
            case .text(let s): return s
            case .number(let x): return people ? NumberPolicy.value(x) : (numbers ?? .roundTrip).format(x)
            }
        }
        switch format {
        case .csv: return csv(numbers: numbers ?? .roundTrip, guardFormulas: guardFormulas)
        case .tsv: return tsv(numbers: numbers ?? .roundTrip, guardFormulas: guardFormulas)
        case .json: return json(numbers: numbers ?? .roundTrip)
        case .markdown: return table.markdown(text)
        case .latex: return table.latex(text)
        case .html: return HTMLPage(title: "Moodbiome table", body: table.htmlTable(text)).html
        }
    }

    /// The table for reading: p-value columns (`p_value`, `q_value`,
    /// `…_p_value`, `p`) as ``NumberPolicy/pValue(_:style:)``; `estimate` with
    /// `conf_low`/`conf_high` merged into one `estimate (CI)` column, and
    /// likewise `odds_ratio`; other numbers left for the renderer.
    public func humanized() -> TextTable {
        var columns = self.columns
        var rows = self.rows
        func merge(_ value: String, _ low: String, _ high: String, null: Double = 0) {
            guard let v = columns.firstIndex(of: value), let l = columns.firstIndex(of: low), let h = columns.firstIndex(of: high) else { return }
            for r in rows.indices {
                let cells = [rows[r][v], rows[r][l], rows[r][h]].map { cell -> Double? in
                    if case .number(let x) = cell, !x.isNaN { return x } else { return nil }
                }
                if let e = cells[0], let a = cells[1], let b = cells[2] {
                    rows[r][v] = .text("\(NumberPolicy.value(e)) (\(NumberPolicy.interval(a, b, null: null)))")
                } else if let e = cells[0] {
                    rows[r][v] = .text(NumberPolicy.value(e))
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
        merge("odds_ratio", "odds_ratio_low", "odds_ratio_high", null: 1)
        for (c, name) in columns.enumerated() where name == "p_value" || name == "q_value" || name.hasSuffix("_p_value") || name == "p" {
            for r in rows.indices {
                if case .number(let x) = rows[r][c] { rows[r][c] = .text(NumberPolicy.pValue(x)) }
            }
        }
        return TextTable(columns: columns, rows: rows)
    }

    /// A Markdown (GitHub) table; numeric columns right-aligned.
    func markdown(_ text: (Cell) -> String) -> String {
        let numeric = columns.indices.map { c in rows.contains { if case .number = $0[c] { return true } else { return false } } }
        var out = "| " + columns.map(Escape.markdown).joined(separator: " | ") + " |\n"
        out += "|" + numeric.map { $0 ? " ---: |" : " --- |" }.joined() + "\n"
        for row in rows {
            out += "| " + row.map { Escape.markdown(text($0)) }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// Whether a column reads as numbers (numbers, or text such as `< 0.001`,
    /// `-0.2 (…)`), for right alignment.
    func isNumeric(_ column: Int) -> Bool {
        rows.contains { if case .number = $0[column] { return true } else { return false } }
            || (rows.contains { if case .text(let t) = $0[column] { return t.first.map { $0.isNumber || $0 == "-" || $0 == "<" } ?? false } else { return false } }
                && !rows.contains { if case .text(let t) = $0[column] { return t.first?.isLetter ?? false } else { return false } })
    }

    /// A LaTeX `tabular` with booktabs rules.
    func latex(_ text: (Cell) -> String) -> String {
        let align = columns.indices.map { isNumeric($0) ? "r" : "l" }.joined()
        var out = "% requires \\usepackage{booktabs}\n\\begin{tabular}{\(align)}\n\\toprule\n"
        out += columns.map(Escape.latex).joined(separator: " & ") + " \\\\\n\\midrule\n"
        for row in rows {
            out += row.map { Escape.latex(text($0)) }.joined(separator: " & ") + " \\\\\n"
        }
        return out + "\\bottomrule\n\\end{tabular}\n"
    }

    /// The table as an HTML `<table>` element, every text escaped; numbers
    /// for people unless a style is given.
    public func htmlTable(numbers: NumberStyle? = nil) -> String {
        htmlTable { cell in
            switch cell {
            case .text(let s): return s
            case .number(let x): return numbers.map { $0.format(x) } ?? NumberPolicy.value(x)
            }
        }
    }

    func htmlTable(_ text: (Cell) -> String) -> String {
        let numeric = columns.indices.map(isNumeric)
        var out = "<table>\n<thead><tr>"
        for (c, name) in columns.enumerated() { out += numeric[c] ? "<th class=\"num\">\(Escape.html(name))</th>" : "<th>\(Escape.html(name))</th>" }
        out += "</tr></thead>\n<tbody>\n"
        for row in rows {
            out += "<tr>"
            for (c, cell) in row.enumerated() {
                out += numeric[c] ? "<td class=\"num\">" : "<td>"
                // Leading spaces indent sub-rows (levels under a variable): keep them visible.
                let content = text(cell)
                let indent = content.prefix { $0 == " " }.count
                out += String(repeating: "&#160;", count: indent * 2) + Escape.html(String(content.dropFirst(indent))) + "</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n"
    }
}
