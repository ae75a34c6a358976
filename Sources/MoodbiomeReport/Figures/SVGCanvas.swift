import FoundationEssentials
import MoodbiomeNumerics

/// A minimal SVG writer for Moodbiome's figures: no plotting library exists
/// for Swift on Linux, so the figures are drawn here, element by element.
///
/// Coordinates are in pixels from the top-left corner; every text is
/// XML-escaped; numbers are printed with two decimals so files are stable.
struct SVGCanvas {
    let width: Double
    let height: Double
    /// The elements written so far, as UTF-8, each after a newline but the
    /// first: one buffer, not a string per element (a scatter of 2,000
    /// points is 2,000 elements).
    private var body: [UInt8] = []
    /// The fill of the open `<g>` of plain circles, if one is open: a run of
    /// circles drawn alike shares one group (a scatter of 2,000 points writes
    /// its style once, not 2,000 times).
    private var circleGroup: String?

    /// The Okabe–Ito palette, distinguishable with every common form of
    /// colour-vision deficiency (Okabe & Ito 2008).
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
    static let font = "font-family=\"Helvetica, Arial, sans-serif\""

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Two decimals (`%.2f`'s text, rounding half away from zero), without
    /// Foundation's formatter: a figure with thousands of points prints
    /// tens of thousands of coordinates.
    static func f(_ x: Double) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(16)
        append(x, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes ``f(_:)``'s text of `x` at the end of `out`, digit by digit.
    static func append(_ x: Double, to out: inout [UInt8]) {
        guard x.isFinite, abs(x) < 1e12 else { out.append(contentsOf: String(cFormat: "%.2f", x).utf8); return }
        let v = Int64((x * 100).rounded())
        if v < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = v.magnitude, whole = magnitude / 100, fraction = magnitude % 100
        var digits = 1, power: UInt64 = 10
        while whole >= power { digits += 1; power &*= 10 }
        var rest = whole
        let end = out.count + digits
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
        for k in stride(from: end - 1, through: end - digits, by: -1) {
            out[k] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        out.append(UInt8(ascii: "."))
        out.append(UInt8(ascii: "0") + UInt8(fraction / 10))
        out.append(UInt8(ascii: "0") + UInt8(fraction % 10))
    }

    mutating func add(_ element: String) {
        closeCircleGroup()
        open()
        body.append(contentsOf: element.utf8)
    }

    /// Starts an element: a newline after the one before.
    private mutating func open() {
        if !body.isEmpty { body.append(UInt8(ascii: "\n")) }
    }

    private mutating func closeCircleGroup() {
        if circleGroup != nil { open(); body.append(contentsOf: "</g>".utf8) }
        circleGroup = nil
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#333", width: Double = 1, dash: String? = nil) {
        add("<line x1=\"\(Self.f(x1))\" y1=\"\(Self.f(y1))\" x2=\"\(Self.f(x2))\" y2=\"\(Self.f(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.f(width))\"\(dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String = "none", opacity: Double = 1) {
        add("<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(w))\" height=\"\(Self.f(h))\" fill=\"\(fill)\" fill-opacity=\"\(Self.f(opacity))\" stroke=\"\(stroke)\"/>")
    }

    mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String, opacity: Double = 0.7) {
        let style = "fill=\"\(fill)\" fill-opacity=\"\(Self.f(opacity))\""
        if circleGroup != style {
            add("<g \(style)>")
            circleGroup = style
        }
        open()
        body.append(contentsOf: "<circle cx=\"".utf8)
        Self.append(x, to: &body)
        body.append(contentsOf: "\" cy=\"".utf8)
        Self.append(y, to: &body)
        body.append(contentsOf: "\" r=\"".utf8)
        Self.append(r, to: &body)
        body.append(contentsOf: "\"/>".utf8)
    }

    /// A data marker for group `k`: colours cycle through the palette and,
    /// past its 8 colours, the shape changes — circle, square, diamond — so
    /// no two groups of a figure look alike; a thin dark outline keeps pale
    /// colours (yellow) visible on pale boxes.
    mutating func marker(_ k: Int, _ x: Double, _ y: Double, size: Double, opacity: Double) {
        let colour = Self.palette[k % Self.palette.count]
        let outline = "stroke=\"#333\" stroke-opacity=\"\(Self.f(Swift.min(1, opacity + 0.2)))\" stroke-width=\"0.4\""
        switch (k / Self.palette.count) % 3 {
        case 0:
            add("<circle cx=\"\(Self.f(x))\" cy=\"\(Self.f(y))\" r=\"\(Self.f(size))\" fill=\"\(colour)\" fill-opacity=\"\(Self.f(opacity))\" \(outline)/>")
        case 1:
            add("<rect x=\"\(Self.f(x - size))\" y=\"\(Self.f(y - size))\" width=\"\(Self.f(2 * size))\" height=\"\(Self.f(2 * size))\" fill=\"\(colour)\" fill-opacity=\"\(Self.f(opacity))\" \(outline)/>")
        default:
            let d = size * 1.3
            let points = [(x, y - d), (x + d, y), (x, y + d), (x - d, y)].map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
            add("<polygon points=\"\(points)\" fill=\"\(colour)\" fill-opacity=\"\(Self.f(opacity))\" \(outline)/>")
        }
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5, opacity: Double = 1) {
        guard points.count > 1 else { return }
        let text = points.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
        add("<polyline points=\"\(text)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.f(width))\" stroke-opacity=\"\(Self.f(opacity))\"/>")
    }

    mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double) {
        let text = points.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
        add("<polygon points=\"\(text)\" fill=\"\(fill)\" fill-opacity=\"\(Self.f(opacity))\" stroke=\"none\"/>")
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ s: String, _ x: Double, _ y: Double, size: Double = 13, anchor: Anchor = .middle, rotate: Double? = nil, weight: String? = nil) {
        let transform = rotate.map { " transform=\"rotate(\(Self.f($0)) \(Self.f(x)) \(Self.f(y)))\"" } ?? ""
        add("<text x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" \(Self.font) font-size=\"\(Self.f(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"#222\"\(weight.map { " font-weight=\"\($0)\"" } ?? "")\(transform)>\(Escape.xml(s))</text>")
    }

    /// The document, with a title and description for screen readers.
    func document(title: String, description: String) -> String {
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" viewBox=\"0 0 \(Self.f(width)) \(Self.f(height))\" role=\"img\">\n"
        out += "<title>\(Escape.xml(title))</title>\n<desc>\(Escape.xml(description))</desc>\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        out += String(decoding: body, as: UTF8.self) + (circleGroup == nil ? "" : "\n</g>") + "\n</svg>\n"
        return out
    }
}

/// "Nice" axis ticks (Heckbert 1990): steps of 1, 2 or 5 × 10ᵏ covering
/// `lo…hi` with about `count` ticks, and labels with just enough decimals.
struct AxisScale {
    let lo: Double
    let hi: Double
    let ticks: [Double]
    let decimals: Int

    init(_ minimum: Double, _ maximum: Double, count: Int = 6, includeZero: Bool = false) {
        var a = minimum, b = maximum
        if includeZero { a = Swift.min(a, 0); b = Swift.max(b, 0) }
        if !(a.isFinite && b.isFinite) { a = 0; b = 1 }
        if a == b { a -= 0.5 * Swift.max(abs(a), 1); b += 0.5 * Swift.max(abs(b), 1) }
        func nice(_ x: Double, round: Bool) -> Double {
            let e = floor(log10(x)), f = x / pow(10, e)
            let n: Double
            if round { n = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10 } else { n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10 }
            return n * pow(10, e)
        }
        // A span too small to step through at this magnitude (1e16 ± 2), or
        // too large to subtract (±1e308): widen it to something drawable.
        if !(b - a).isFinite { a = -Double.greatestFiniteMagnitude / 4; b = Double.greatestFiniteMagnitude / 4 }
        if (b - a) < Swift.max(abs(a), abs(b)) * 1e-12 {
            let centre = a / 2 + b / 2, half = Swift.max(abs(centre) * 1e-9, 1e-300)
            a = centre - half; b = centre + half
        }
        let range = nice(b - a, round: false)
        let step = nice(range / Double(Swift.max(count - 1, 1)), round: true)
        let first = floor(a / step) * step, last = ceil(b / step) * step
        var ticks = [Double]()
        var t = first
        // At most a few dozen ticks, and never a step that does not advance.
        while t <= last + step * 0.5 && ticks.count < 50 {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            let next = t + step
            if next == t { break }
            t = next
        }
        self.lo = first
        self.hi = last
        self.ticks = ticks
        let magnitude = floor(log10(step))
        self.decimals = magnitude.isFinite ? Swift.min(20, Swift.max(0, -Int(magnitude))) : 0
    }

    /// The same axis widened about its centre to span `span` exactly (for
    /// equal scales), with ticks at a round step inside it.
    func widened(to span: Double) -> AxisScale {
        guard span.isFinite, span > hi - lo else { return self }
        let centre = lo / 2 + hi / 2
        let wide = AxisScale(centre - span / 2, centre + span / 2)   // its step: round for this span
        let step = wide.ticks.count > 1 ? wide.ticks[1] - wide.ticks[0] : span
        let a = centre - span / 2, b = centre + span / 2
        var ticks = [Double]()
        var t = ceil(a / step) * step
        while t <= b + step * 1e-9 && ticks.count < 50 {
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            let next = t + step
            if next == t { break }
            t = next
        }
        return AxisScale(lo: a, hi: b, ticks: ticks, decimals: wide.decimals)
    }

    private init(lo: Double, hi: Double, ticks: [Double], decimals: Int) {
        (self.lo, self.hi, self.ticks, self.decimals) = (lo, hi, ticks, decimals)
    }

    /// A tick's text: whole numbers of 10,000 and above with thousands
    /// separators (`1,000,000`, not `1.0e+06`) up to 10¹⁵, tiny values in
    /// scientific notation, the rest with the ticks' common decimals.
    func label(_ t: Double) -> String {
        if t == t.rounded() && abs(t) >= 10_000 && abs(t) < 1e15 {
            let digits = String(Int64(abs(t)))
            var grouped = ""
            for (k, ch) in digits.enumerated() {
                if k > 0 && (digits.count - k) % 3 == 0 { grouped.append(",") }
                grouped.append(ch)
            }
            return (t < 0 ? "-" : "") + grouped
        }
        if abs(t) >= 1e15 || (abs(t) < 1e-4 && t != 0) { return String(cFormat: "%.1e", t) }
        return String(cFormat: "%.\(decimals)f", t)
    }
}
