/// The escapers for every kind of output text. Each works on Unicode
/// scalars, not on grapheme clusters: a `<` preceded by a prepended mark
/// (U+0600) or followed by a combining mark (U+0301) forms one `Character`
/// with it, which a comparison with `"<"` would miss — so user strings could
/// smuggle live markup. Scalars never merge.
public enum Escape {
    /// Text and attribute values in HTML and XML (SVG): `& < > " '` as
    /// entities; control characters that XML 1.0 forbids (all C0 controls
    /// but tab, line feed and carriage return) as U+FFFD.
    public static func html(_ s: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(s.unicodeScalars.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if isForbiddenInXML(scalar) { out.unicodeScalars.append("\u{FFFD}") } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// XML (SVG) text and attributes: the same rules as HTML.
    public static func xml(_ s: String) -> String { html(s) }

    /// The inverse of ``xml(_:)`` for text it wrote (a figure's `<title>`
    /// read back for a PDF's metadata); `&amp;` last, so an escaped entity
    /// stays literal.
    static func unescapedXML(_ s: String) -> String {
        var text = s
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacing(entity, with: character)
        }
        return text
    }

    static func isForbiddenInXML(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D) || v == 0xFFFE || v == 0xFFFF
    }

    /// LaTeX text: the ten special characters as commands, `<` and `>` in
    /// math mode (text fonts lack them), control characters dropped.
    public static func latex(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\textbackslash{}"
            case "&", "%", "$", "#", "_", "{", "}": out += "\\" + String(scalar)
            case "~": out += "\\textasciitilde{}"
            case "^": out += "\\textasciicircum{}"
            case "<": out += "$<$"
            case ">": out += "$>$"
            case "\n", "\r", "\t": out += " "
            default:
                if scalar.value >= 0x20 && scalar.value != 0x7F { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// Text in Markdown (a table cell, a heading, prose) that renders as
    /// itself and never as markup: `|` and `\` escaped, `[` and `]` escaped
    /// (so a feature or level name cannot become a link or an image —
    /// `[x](javascript:…)`, `![](https://tracker/…)`), `` ` ``, `*` and `~`
    /// escaped (no code spans, emphasis or strike-through), line breaks as
    /// spaces, and a `<` that could open an HTML tag, comment or autolink
    /// (`<img`, `</`, `<!`, `<?`, `<javascript:…>`) written as `&lt;` —
    /// Markdown renderers pass raw HTML through. `< 0.001` is left as it is.
    public static func markdown(_ s: String) -> String {
        var out = ""
        let scalars = Array(s.unicodeScalars)
        for (i, scalar) in scalars.enumerated() {
            switch scalar {
            case "|", "[", "]", "`", "*", "~": out += "\\" + String(scalar)
            case "\\": out += "\\\\"
            case "\n", "\r": out += " "
            case "<":
                let next = i + 1 < scalars.count ? scalars[i + 1] : " "
                if next.properties.isAlphabetic || next == "/" || next == "!" || next == "?" { out += "&lt;" } else { out += "<" }
            default:
                if scalar.value < 0x20 && scalar != "\t" { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A Markdown code span holding `s` verbatim: fenced by one more
    /// backtick than the longest run inside, padded where `s` starts or
    /// ends with a backtick (CommonMark).
    public static func markdownCode(_ s: String) -> String {
        var longest = 0, run = 0
        for ch in s.unicodeScalars { run = ch == "`" ? run + 1 : 0; longest = Swift.max(longest, run) }
        let fence = String(repeating: "`", count: longest + 1)
        let pad = s.hasPrefix("`") || s.hasSuffix("`") ? " " : ""
        return fence + pad + s.replacing("\n", with: " ") + pad + fence
    }

    /// Text for a terminal (messages on standard error): control characters,
    /// escape sequences and bidirectional overrides shown as `\u{…}` so an ID
    /// cannot retitle, clear or rewrite the terminal.
    public static func terminal(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            let v = scalar.value
            let control = (v < 0x20 && v != 0x0A && v != 0x09) || (v >= 0x7F && v < 0xA0)
            let bidi = (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F
            if control || bidi {
                out += "\\u{" + String(v, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
