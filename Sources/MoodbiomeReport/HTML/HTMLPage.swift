/// A self-contained HTML document (inline CSS, no scripts, no network): the
/// one page builder behind `--format html` tables, `regress --format html`
/// and the study report.
public struct HTMLPage: Sendable {
    /// The page title (escaped here).
    public var title: String
    /// The body's markup (already escaped by its builder).
    public var body: String
    /// Style rules before the shared table style.
    public var style: String = ""
    /// Add the viewport meta tag (pages meant for phones as well).
    public var responsive = false

    public init(title: String, body: String, style: String = "", responsive: Bool = false) {
        self.title = title
        self.body = body
        self.style = style
        self.responsive = responsive
    }

    /// The document's text.
    public var html: String {
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            + (responsive ? "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" : "")
            + "<title>\(Escape.html(title))</title>\n<style>\n" + style + tableCSS + "</style>\n</head>\n<body>\n"
            + body + "</body>\n</html>\n"
    }
}

/// The table style shared by every page.
let tableCSS = """
table { border-collapse: collapse; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1em 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: left; }
thead th { border-bottom: 2px solid #333; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }

"""
