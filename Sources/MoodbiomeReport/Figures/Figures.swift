import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeNumerics

/// A drawn figure: the SVG document (title and legend inside it) and its
/// caption as text, which the report prints beside the image and runs
/// write to `captions.md` — a journal sets captions as text, never as part
/// of the artwork. The SVG's `<desc>` holds the caption too, for screen
/// readers and for a file taken out of its folder.
public struct Figure: Sendable {
    public let svg: String
    public let title: String
    public let caption: String

    public init(svg: String, title: String, caption: String) {
        self.svg = svg
        self.title = title
        self.caption = caption
    }
}

/// The figures Moodbiome draws, as SVG text: 680 × 438 px, 13–15 px type,
/// the Okabe–Ito palette, real ticks and axis labels; each returned with
/// its caption (``Figure``).
public enum Figures {
    static let width = 680.0, height = 438.0
    static let left = 78.0, right = 24.0, top = 52.0, bottom = 70.0

    /// An axis label with the metric's unit, from its definition: the
    /// quantity (or the label as requested) and the unit in parentheses.
    /// A label that is not a metric's name is returned as it is.
    public static func metricAxisLabel(_ label: String, base: LogBase) -> String {
        guard let metric = AlphaMetric(name: label) else { return label }
        let quantity = metric.definition.axisQuantity ?? label
        switch metric.definition.axisUnit {
        case .logBase?: return "\(quantity) (\(base == .e ? "nats" : base == .two ? "bits" : "dits"))"
        case .fixed(let unit)?: return "\(quantity) (\(unit))"
        case nil: return quantity
        }
    }

    /// Splits text into lines of at most `limit` characters at spaces, never
    /// around a relation sign: `p = 0.0069` and `p < 0.001` stay whole.
    static func wrap(_ text: String, limit: Int) -> [String] {
        var units = [String]()
        var glue = false
        for word in text.split(separator: " ").map(String.init) {
            let relation = ["=", "<", ">", "≤", "≥", "±"].contains(word)
            if (relation || glue), let last = units.popLast() {
                units.append(last + " " + word)
            } else {
                units.append(word)
            }
            glue = relation
        }
        var lines = [String](), current = ""
        for word in units {
            if !current.isEmpty && current.count + 1 + word.count > limit {
                lines.append(current)
                current = String(word)
            } else {
                current += (current.isEmpty ? "" : " ") + word
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    struct Frame {
        let x: AxisScale
        let y: AxisScale
        /// The right margin (wider when a legend sits there).
        var right: Double = Figures.right
        /// Extra room below the axis (rotated group labels), added to the
        /// figure's height.
        var labelSpace: Double = 0
        var height: Double { Figures.height + labelSpace }
        var bottom: Double { Figures.bottom + labelSpace }
        var plotWidth: Double { Figures.width - Figures.left - right }
        var plotHeight: Double { height - Figures.top - bottom }
        func px(_ v: Double) -> Double { Figures.left + (v - x.lo) / (x.hi - x.lo) * plotWidth }
        func py(_ v: Double) -> Double { Figures.top + (1 - (v - y.lo) / (y.hi - y.lo)) * plotHeight }

        /// One unit the same length on both axes (an ordination's distances
        /// read true in every direction): the axis with fewer units per
        /// pixel is widened about its centre.
        func equalScale() -> Frame {
            let ux = (x.hi - x.lo) / plotWidth, uy = (y.hi - y.lo) / plotHeight
            var out = self
            if ux > uy { out = Frame(x: x, y: y.widened(to: ux * plotHeight), right: right, labelSpace: labelSpace) }
            if uy > ux { out = Frame(x: x.widened(to: uy * plotWidth), y: y, right: right, labelSpace: labelSpace) }
            return out
        }
    }

    /// Axes, ticks, grid, labels and title.
    static func drawFrame(_ c: inout SVGCanvas, _ frame: Frame, xLabel: String, yLabel: String, title: String,
                          xTicks: Bool = true) {
        let x0 = left, x1 = width - frame.right, y0 = top, y1 = frame.height - frame.bottom
        for t in frame.y.ticks {
            let y = frame.py(t)
            c.line(x0, y, x1, y, stroke: "#e5e5e5")
            c.line(x0 - 5, y, x0, y)
            c.text(frame.y.label(t), x0 - 8, y + 4.5, size: 12, anchor: .end)
        }
        if xTicks {
            for t in frame.x.ticks {
                let x = frame.px(t)
                c.line(x, y1, x, y1 + 5)
                c.text(frame.x.label(t), x, y1 + 19, size: 12)
            }
        }
        c.line(x0, y1, x1, y1)
        c.line(x0, y0, x0, y1)
        c.text(xLabel, (x0 + x1) / 2, y1 + 52 + frame.labelSpace, size: 14)
        c.text(yLabel, 20, (y0 + y1) / 2, size: 14, rotate: -90)
        c.text(title, x0, 22, size: 15, anchor: .start, weight: "bold")
    }

    /// The figure: the canvas as a document and the caption's sentences as one text.
    static func figure(_ c: SVGCanvas, title: String, caption: [String]) -> Figure {
        let text = caption.joined(separator: " ")
        return Figure(svg: c.document(title: title, description: text), title: title, caption: text)
    }

    /// Outcome against a diversity metric: points, and the least-squares
    /// line with its confidence band as the statistics layer computed them
    /// (``AlphaAssociation/FitLine``).
    public static func scatter(x: [Double], y: [Double], line: AlphaAssociation.FitLine?, xLabel: String, yLabel: String,
                               title: String, caption: [String]) -> Figure {
        let pairs = zip(x, y).filter { $0.0.isFinite && $0.1.isFinite }
        let xs = pairs.map(\.0), ys = pairs.map(\.1)
        var c = SVGCanvas(width: width, height: height)
        let yValues = ys + (line.map { $0.low + $0.high } ?? [])
        let frame = Frame(x: AxisScale(xs.min() ?? 0, xs.max() ?? 1), y: AxisScale(yValues.min() ?? 0, yValues.max() ?? 1))
        // Many points: smaller and fainter. An integer outcome (a score)
        // piles up on its values: jitter it vertically, and say so.
        let n = Double(xs.count)
        let opacity = Swift.max(0.12, Swift.min(0.55, 0.55 * (300 / Swift.max(n, 1)).squareRoot()))
        let radius = n > 2000 ? 2.0 : n > 500 ? 2.6 : 3.2
        let integral = !ys.isEmpty && ys.allSatisfy { $0 == $0.rounded() } && Set(ys).count <= 60 && n > 50
        var caption = caption
        if integral { caption.append("Points jittered vertically by up to ±0.3 (whole-number outcome).") }
        drawFrame(&c, frame, xLabel: xLabel, yLabel: yLabel, title: title)
        for (i, (px, py)) in zip(xs, ys).enumerated() {
            let jitter = integral ? (Double((i &* 40503) % 997) / 997 - 0.5) * 0.6 : 0
            c.circle(frame.px(px), frame.py(py + jitter), r: radius, fill: SVGCanvas.palette[0], opacity: opacity)
        }
        if let line {
            let k = line.x.indices
            c.polygon(k.map { (frame.px(line.x[$0]), frame.py(line.high[$0])) } + k.reversed().map { (frame.px(line.x[$0]), frame.py(line.low[$0])) },
                      fill: SVGCanvas.palette[1], opacity: 0.25)
            c.polyline(k.map { (frame.px(line.x[$0]), frame.py((line.low[$0] + line.high[$0]) / 2)) }, stroke: SVGCanvas.palette[3], width: 2.2)
        }
        return figure(c, title: title, caption: caption)
    }

    /// A metric by group: every point first (jittered deterministically,
    /// smaller and more transparent as n grows, a distinct colour or shape
    /// per group), then on top of them the box (quartiles, type 7, on a
    /// translucent white ground so it stays visible under 200 points),
    /// whiskers to the most extreme values within 1.5 IQR, and n above each
    /// group. Group labels are rotated when they would collide.
    public static func boxPlot(groups: [(label: String, values: [Double])], xLabel: String, yLabel: String,
                               title: String, caption: [String]) -> Figure {
        let groups = groups.map { ($0.label, $0.values.filter(\.isFinite).sorted()) }.filter { !$0.1.isEmpty }
        let all = groups.flatMap(\.1)
        var frame = Frame(x: AxisScale(0, 1), y: AxisScale(all.min() ?? 0, all.max() ?? 1))
        let slot = frame.plotWidth / Double(Swift.max(groups.count, 1))
        let perLine = Swift.max(4, Int(slot / 7.5))
        // Labels that do not fit their slot in two lines are rotated instead,
        // with room made for them below the axis.
        let rotate = groups.contains { wrap($0.0, limit: perLine).count > 2 || wrap($0.0, limit: perLine).contains { $0.count > perLine } }
        if rotate {
            let longest = Double(groups.map { Swift.min($0.0.count, 26) }.max() ?? 0)
            frame.labelSpace = Swift.max(0, longest * 6.6 * 0.574 + 16 - 40)
        }
        var c = SVGCanvas(width: width, height: frame.height)
        drawFrame(&c, frame, xLabel: xLabel, yLabel: yLabel, title: title, xTicks: false)
        for (g, (label, values)) in groups.enumerated() {
            let cx = left + slot * (Double(g) + 0.5), boxWidth = Swift.min(slot * 0.5, 90)
            let colour = SVGCanvas.palette[g % SVGCanvas.palette.count]
            let n = Double(values.count)
            let radius = n > 150 ? 1.6 : n > 50 ? 2.1 : 2.6
            let opacity = Swift.max(0.18, Swift.min(0.7, 0.7 * (40 / n).squareRoot()))
            for (i, v) in values.enumerated() {
                // Deterministic jitter from the point's rank (Weyl sequence).
                let jitter = (Double((i &* 40503) % 997) / 997 - 0.5) * boxWidth * 0.9
                c.marker(g, cx + jitter, frame.py(v), size: radius, opacity: opacity)
            }
            let q1 = quantile(sorted: values, 0.25), q2 = quantile(sorted: values, 0.5), q3 = quantile(sorted: values, 0.75)
            let iqr = q3 - q1
            let lowWhisker = values.first { $0 >= q1 - 1.5 * iqr } ?? q1
            let highWhisker = values.last { $0 <= q3 + 1.5 * iqr } ?? q3
            c.line(cx, frame.py(lowWhisker), cx, frame.py(q1), stroke: "#333", width: 1.2)
            c.line(cx, frame.py(q3), cx, frame.py(highWhisker), stroke: "#333", width: 1.2)
            c.line(cx - boxWidth / 4, frame.py(lowWhisker), cx + boxWidth / 4, frame.py(lowWhisker), width: 1.2)
            c.line(cx - boxWidth / 4, frame.py(highWhisker), cx + boxWidth / 4, frame.py(highWhisker), width: 1.2)
            c.rect(cx - boxWidth / 2, frame.py(q3), boxWidth, frame.py(q1) - frame.py(q3), fill: "#ffffff", opacity: 0.45)
            c.rect(cx - boxWidth / 2, frame.py(q3), boxWidth, frame.py(q1) - frame.py(q3), fill: colour, stroke: "#333", opacity: 0.22)
            c.line(cx - boxWidth / 2, frame.py(q2), cx + boxWidth / 2, frame.py(q2), stroke: "#222", width: 2.4)
            let baseline = frame.height - frame.bottom
            if rotate {
                let text = label.count > 26 ? String(label.prefix(25)) + "…" : label
                c.text(text, cx + 4, baseline + 14, size: 12, anchor: .end, rotate: -35)
            } else {
                for (k, line) in wrap(label, limit: perLine).prefix(2).enumerated() {
                    c.text(line, cx, baseline + 18 + Double(k) * 15, size: 13)
                }
            }
            c.text("n = \(values.count)", cx, top - 8, size: 11)
        }
        return figure(c, title: title, caption: caption)
    }

    /// Several figures as one multi-panel figure, as journals ask for:
    /// the figures (Moodbiome's own SVG documents) placed in a grid of
    /// `columns`, each keeping its axes, lettered A, B, C… at their top-left
    /// corners; the caption names each panel's title and caption by letter.
    /// Nested `<svg>` elements, so each panel is exactly the stand-alone figure.
    public static func panel(_ panels: [Figure], columns: Int = 2, title: String) -> Figure {
        func size(_ svg: String) -> (Double, Double) {
            func attribute(_ name: String) -> Double {
                guard let r = svg.firstRange(of: " \(name)=\""), let end = svg[r.upperBound...].firstIndex(of: "\"") else { return 0 }
                return Double(svg[r.upperBound..<end]) ?? 0
            }
            return (attribute("width"), attribute("height"))
        }
        let figures = panels.map(\.svg)
        func letter(_ k: Int) -> String { String(UnicodeScalar(UInt8(65 + k % 26))) }
        let caption = panels.enumerated().map { "(\(letter($0.offset))) \($0.element.title). \($0.element.caption)" }.joined(separator: " ")
        let columns = Swift.max(1, Swift.min(columns, figures.count))
        let sizes = figures.map(size)
        let cellWidth = sizes.map(\.0).max() ?? width
        var rowHeights = [Double]()
        for start in stride(from: 0, to: figures.count, by: columns) {
            rowHeights.append(sizes[start..<Swift.min(start + columns, figures.count)].map(\.1).max() ?? height)
        }
        let totalWidth = cellWidth * Double(columns), totalHeight = rowHeights.reduce(0, +)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(SVGCanvas.f(totalWidth))\" height=\"\(SVGCanvas.f(totalHeight))\" viewBox=\"0 0 \(SVGCanvas.f(totalWidth)) \(SVGCanvas.f(totalHeight))\" role=\"img\">\n"
        out += "<title>\(Escape.xml(title))</title>\n<desc>\(Escape.xml(caption))</desc>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        var y = 0.0
        for (row, height) in rowHeights.enumerated() {
            for col in 0..<columns {
                let k = row * columns + col
                guard k < figures.count else { break }
                let x = cellWidth * Double(col)
                // The panel's own document, moved into place.
                let inner = figures[k].replacing("<svg xmlns=\"http://www.w3.org/2000/svg\" ",
                                                            with: "<svg x=\"\(SVGCanvas.f(x))\" y=\"\(SVGCanvas.f(y))\" ")
                out += inner
                out += "<text x=\"\(SVGCanvas.f(x + 8))\" y=\"\(SVGCanvas.f(y + 24))\" \(SVGCanvas.font) font-size=\"20\" font-weight=\"bold\" fill=\"#222\">\(letter(k))</text>\n"
            }
            y += height
        }
        return Figure(svg: out + "</svg>\n", title: title, caption: caption)
    }

    /// Curves (rarefaction): one line per sample, an optional vertical
    /// marker (the chosen depth). With more than 25 samples the lines are
    /// drawn faint and grey under their mean at each depth (over the samples
    /// that reach it, where 10 or more do) with a band from the 10th to the
    /// 90th percentile, and
    /// the samples with the lowest and highest final value are labelled.
    public static func curves(_ lines: [(label: String, points: [(Double, Double)])], xLabel: String, yLabel: String,
                              title: String, caption: [String], marker: Double? = nil) -> Figure {
        var c = SVGCanvas(width: width, height: height)
        let xs = lines.flatMap { $0.points.map(\.0) } + (marker.map { [$0] } ?? [])
        let ys = lines.flatMap { $0.points.map(\.1) }
        let frame = Frame(x: AxisScale(0, xs.max() ?? 1, includeZero: true), y: AxisScale(0, ys.max() ?? 1, includeZero: true))
        let many = lines.count > 25
        var caption = caption
        if many { caption.append("Grey: each sample; line: mean where ≥ 10 samples reach the depth; band: 10th–90th pct.") }
        drawFrame(&c, frame, xLabel: xLabel, yLabel: yLabel, title: title)
        if many {
            for line in lines {
                c.polyline(line.points.map { (frame.px($0.0), frame.py($0.1)) }, stroke: "#8c8c8c", width: 1, opacity: 0.25)
            }
            var byDepth = [Double: [Double]]()
            for line in lines { for (x, y) in line.points where y.isFinite { byDepth[x, default: []].append(y) } }
            let depths = byDepth.keys.sorted().filter { byDepth[$0]!.count >= 10 }
            let summary = depths.map { d -> (Double, Double, Double, Double) in
                let v = byDepth[d]!.sorted()
                return (d, v.reduce(0, +) / Double(v.count), quantile(sorted: v, 0.1), quantile(sorted: v, 0.9))
            }
            c.polygon(summary.map { (frame.px($0.0), frame.py($0.3)) } + summary.reversed().map { (frame.px($0.0), frame.py($0.2)) },
                      fill: SVGCanvas.palette[0], opacity: 0.2)
            c.polyline(summary.map { (frame.px($0.0), frame.py($0.1)) }, stroke: SVGCanvas.palette[0], width: 2.4)
            // The extremes, by final value.
            let finals = lines.compactMap { line in line.points.last.map { (line.label, $0) } }
            let extremes = [finals.min { $0.1.1 < $1.1.1 }, finals.max { $0.1.1 < $1.1.1 }].compactMap { $0 }
            for (label, point) in extremes {
                let text = label.count > 18 ? String(label.prefix(17)) + "…" : label
                c.circle(frame.px(point.0), frame.py(point.1), r: 3, fill: SVGCanvas.palette[3], opacity: 0.9)
                c.text(text, frame.px(point.0) - 6, frame.py(point.1) - 6, size: 11, anchor: .end)
            }
        } else {
            for (k, line) in lines.enumerated() {
                c.polyline(line.points.map { (frame.px($0.0), frame.py($0.1)) }, stroke: SVGCanvas.palette[k % 7], width: 1.4, opacity: 0.85)
            }
        }
        if let marker {
            c.line(frame.px(marker), top, frame.px(marker), height - bottom, stroke: "#D55E00", width: 1.6, dash: "6 4")
            c.text("chosen depth \(frame.x.label(marker.rounded()))", frame.px(marker) + 6, top + 14, size: 12, anchor: .start)
        }
        return figure(c, title: title, caption: caption)
    }

    /// A PCoA's first two axes, coloured by groups or a numeric column. With
    /// `names`, the groups come in their `--levels` order and the legend and
    /// caption name the column and its values as every other figure does.
    public static func ordination(_ pcoa: PrincipalCoordinates, colouring: OrdinationColouring?, title: String,
                                  names: DisplayNames = DisplayNames()) -> Figure {
        let colouring = colouring.map { c in names.levels[c.column].map { c.ordered(first: $0.map(\.value)) } ?? c }
        func shown(_ level: String) -> String { colouring.map { names.value(level, of: $0.column) } ?? level }
        let n = pcoa.ids.count
        let xs = (0..<n).map { pcoa.coordinates.columns > 0 ? pcoa.coordinates[$0, 0] : 0 }
        let ys = (0..<n).map { pcoa.coordinates.columns > 1 ? pcoa.coordinates[$0, 1] : 0 }
        func axisLabel(_ k: Int) -> String {
            guard k < pcoa.proportionExplained.count else { return "PC\(k + 1)" }
            return "PC\(k + 1) (" + String(cFormat: "%.1f", pcoa.proportionExplained[k] * 100) + "%)"
        }
        var c = SVGCanvas(width: width, height: height)
        let ellipsePoints = colouring?.ellipses.flatMap(\.points) ?? []
        var grouped = false
        if case .groups? = colouring?.scheme { grouped = true }
        let frame = Frame(x: AxisScale((xs + ellipsePoints.map(\.0)).min() ?? 0, (xs + ellipsePoints.map(\.0)).max() ?? 1),
                          y: AxisScale((ys + ellipsePoints.map(\.1)).min() ?? 0, (ys + ellipsePoints.map(\.1)).max() ?? 1),
                          right: grouped ? 170 : Figures.right).equalScale()
        var caption = ["\(n) samples. Principal coordinates (Gower centring), both axes to one scale; "
                       + (pcoa.method == .fsvd ? "axes by randomized block Krylov iteration (fsvd); each axis' share is of the sum of all eigenvalues (the trace)."
                                               : "each axis' share is of the sum of the non-negative eigenvalues.")]
        if pcoa.negativeCount > 0 {
            caption.append("\(pcoa.negativeCount) negative eigenvalue\(pcoa.negativeCount == 1 ? "" : "s") (a non-Euclidean distance; "
                           + "the most negative \(NumberStyle.significantDigits(3).format(pcoa.mostNegative)), the largest "
                           + "\(NumberStyle.significantDigits(3).format(pcoa.largest))) left out of the shares, uncorrected.")
        }
        if let colouring, !colouring.ellipses.isEmpty { caption.append("Ellipses: 95% normal data ellipses per group.") }
        if let small = colouring?.withoutEllipse, !small.isEmpty {
            let groups = small.map { "\(shown($0.level)) (\($0.count) sample\($0.count == 1 ? "" : "s"))" }.joined(separator: ", ")
            caption.append("No ellipse for \(groups): one needs at least \(OrdinationColouring.minimumForEllipse) samples.")
        }
        if case .numeric(let values)? = colouring?.scheme, values.contains(where: { !$0.isFinite }) { caption.append("Grey: no value.") }
        drawFrame(&c, frame, xLabel: axisLabel(0), yLabel: axisLabel(1), title: title)
        let grey = "#9a9a9a"
        let palette = SVGCanvas.palette
        /// Colours cycle through the palette; past it, squares, then diamonds.
        func marker(_ k: Int?, _ x: Double, _ y: Double, size: Double = 3.6, opacity: Double = 0.85) {
            guard let k else { c.circle(x, y, r: size, fill: grey, opacity: opacity); return }
            c.marker(k, x, y, size: size, opacity: opacity)
        }
        switch colouring?.scheme {
        case .groups(let levels, let group)?:
            for e in colouring?.ellipses ?? [] {
                guard let l = levels.firstIndex(of: e.level) else { continue }
                let colour = palette[l % palette.count]
                c.polygon(e.points.map { (frame.px($0.0), frame.py($0.1)) }, fill: colour, opacity: 0.12)
                c.polyline(e.points.map { (frame.px($0.0), frame.py($0.1)) } + [(frame.px(e.points[0].0), frame.py(e.points[0].1))],
                           stroke: colour, width: 1.4, opacity: 0.8)
            }
            for i in 0..<n { marker(group[i], frame.px(xs[i]), frame.py(ys[i])) }
            // The legend: a column in the right margin.
            let x = width - 160
            if let column = colouring?.column {
                let name = names.column(column)
                c.text(name.count > 22 ? String(name.prefix(21)) + "…" : name, x, top + 4, size: 12, anchor: .start, weight: "bold")
            }
            let entries: [(String, Int?)] = levels.indices.map { (shown(levels[$0]), $0) } + (group.contains(where: { $0 == nil }) ? [("missing", nil)] : [])
            let shown = entries.prefix(20)
            for (row, (label, k)) in shown.enumerated() {
                let y = top + 22 + Double(row) * 16
                marker(k, x + 5, y - 4, size: 4.5, opacity: 0.9)
                c.text(label.count > 20 ? String(label.prefix(19)) + "…" : label, x + 15, y, size: 12, anchor: .start)
            }
            if entries.count > shown.count {
                c.text("… \(entries.count - shown.count) more", x + 15, top + 22 + Double(shown.count) * 16, size: 12, anchor: .start)
            }
        case .numeric(let values)?:
            let finite = values.filter(\.isFinite)
            let lo = finite.min() ?? 0, hi = finite.max() ?? 1
            for i in 0..<n {
                let v = values[i]
                let colour = v.isFinite ? Self.viridis(hi > lo ? (v - lo) / (hi - lo) : 0.5) : grey
                c.circle(frame.px(xs[i]), frame.py(ys[i]), r: 3.6, fill: colour, opacity: 0.85)
            }

            // Colour bar in the top margin.
            let barRight = width - right - 40, barWidth = 140.0
            for k in 0..<28 {
                c.rect(barRight - barWidth + Double(k) * barWidth / 28, 32, barWidth / 28 + 0.5, 10, fill: Self.viridis(Double(k) / 27))
            }
            c.text(AxisScale(lo, hi).label(lo), barRight - barWidth - 4, 41, size: 11, anchor: .end)
            c.text(AxisScale(lo, hi).label(hi), barRight + 4, 41, size: 11, anchor: .start)
            if let column = colouring?.column { c.text(names.column(column), barRight - barWidth / 2, 27, size: 12, weight: "bold") }
        case nil:
            for i in 0..<n { c.circle(frame.px(xs[i]), frame.py(ys[i]), r: 3.6, fill: SVGCanvas.palette[0], opacity: 0.7) }
        }
        return figure(c, title: title, caption: caption)
    }

    /// Repeated measures over time: each participant's trajectory as a
    /// thin grey line, over them the mean at each time point with its
    /// confidence interval (or, with many distinct times, the least-squares
    /// line and band).
    public static func trajectories(_ t: Trajectories, xLabel: String, yLabel: String, title: String, caption: [String]) -> Figure {
        let xs: [Double] = t.paths.flatMap { $0.points.map(\.time) }
        var ys: [Double] = t.paths.flatMap { $0.points.map(\.value) }
        ys += t.timePoints.flatMap { [$0.low, $0.high] }.filter(\.isFinite)
        ys += t.trend.map { $0.low + $0.high } ?? []
        var c = SVGCanvas(width: width, height: height)
        let frame = Frame(x: AxisScale(xs.min() ?? 0, xs.max() ?? 1), y: AxisScale(ys.min() ?? 0, ys.max() ?? 1))
        drawFrame(&c, frame, xLabel: xLabel, yLabel: yLabel, title: title)
        let opacity = Swift.max(0.12, Swift.min(0.5, 0.5 * (40 / Swift.max(Double(t.paths.count), 1)).squareRoot()))
        for path in t.paths {
            c.polyline(path.points.map { (frame.px($0.time), frame.py($0.value)) }, stroke: "#8c8c8c", width: 1, opacity: opacity)
        }
        let colour = SVGCanvas.palette[0]
        if !t.timePoints.isEmpty {
            c.polyline(t.timePoints.map { (frame.px($0.time), frame.py($0.mean)) }, stroke: colour, width: 2.6)
            for p in t.timePoints {
                if p.low.isFinite && p.high.isFinite {
                    c.line(frame.px(p.time), frame.py(p.low), frame.px(p.time), frame.py(p.high), stroke: colour, width: 2)
                    for y in [p.low, p.high] { c.line(frame.px(p.time) - 5, frame.py(y), frame.px(p.time) + 5, frame.py(y), stroke: colour, width: 2) }
                }
                c.circle(frame.px(p.time), frame.py(p.mean), r: 4.2, fill: colour, opacity: 1)
            }
        } else if let line = t.trend {
            let k = line.x.indices
            c.polygon(k.map { (frame.px(line.x[$0]), frame.py(line.high[$0])) } + k.reversed().map { (frame.px(line.x[$0]), frame.py(line.low[$0])) },
                      fill: colour, opacity: 0.25)
            c.polyline(k.map { (frame.px(line.x[$0]), frame.py(line.fit[$0])) }, stroke: colour, width: 2.6)
        }
        return figure(c, title: title, caption: caption)
    }

    /// A viridis-like sequential colour for `t` in [0, 1] (three stops of
    /// matplotlib's viridis: #440154, #21908C, #FDE725), perceptually
    /// ordered and readable in grey.
    static func viridis(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [(0x44, 0x01, 0x54), (0x21, 0x90, 0x8C), (0xFD, 0xE7, 0x25)]
        let u = Swift.min(Swift.max(t, 0), 1) * 2
        let k = Swift.min(Int(u), 1), f = u - Double(k)
        let a = stops[k], b = stops[k + 1]
        func mix(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * f).rounded()) }
        return String(cFormat: "#%02X%02X%02X", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// A volcano plot: each feature's coefficient against −log₁₀ p, the
    /// features at q ≤ `threshold` in colour, the `labelled` best of them named.
    public static func volcano(points: [(label: String, estimate: Double, p: Double, q: Double)], threshold: Double,
                               labelled: Int = 8, xLabel: String, title: String, caption: [String]) -> Figure {
        let shown = points.filter { $0.estimate.isFinite && $0.p.isFinite && $0.p > 0 }
        let xs = shown.map(\.estimate), ys = shown.map { -log10($0.p) }
        var c = SVGCanvas(width: width, height: height)
        let frame = Frame(x: AxisScale(xs.min() ?? -1, xs.max() ?? 1, includeZero: true), y: AxisScale(0, ys.max() ?? 1, includeZero: true))
        drawFrame(&c, frame, xLabel: xLabel, yLabel: "−log₁₀ p", title: title)
        c.line(frame.px(0), top, frame.px(0), height - bottom, stroke: "#bbb", dash: "4 3")
        for (point, (x, y)) in zip(shown, zip(xs, ys)) where !(point.q <= threshold) {
            c.circle(frame.px(x), frame.py(y), r: 2.6, fill: "#9a9a9a", opacity: 0.5)
        }
        let significant = zip(shown, zip(xs, ys)).filter { $0.0.q <= threshold }
        for (point, (x, y)) in significant {
            c.circle(frame.px(x), frame.py(y), r: 3.4, fill: point.estimate < 0 ? SVGCanvas.palette[0] : SVGCanvas.palette[3], opacity: 0.85)
        }
        for (point, (x, y)) in significant.sorted(by: { $0.0.p < $1.0.p }).prefix(labelled) {
            let name = point.label.count > 24 ? String(point.label.prefix(23)) + "…" : point.label
            let right = frame.px(x) > left + frame.plotWidth * 0.7
            c.text(name, frame.px(x) + (right ? -6 : 6), frame.py(y) - 4, size: 11, anchor: right ? .end : .start)
        }
        return figure(c, title: title, caption: caption)
    }

    /// A heatmap of features (rows) × terms (columns): colour
    /// −log₁₀(q)·sign(β) (MaAsLin2's heatmap value), blue negative, red
    /// positive, capped at ±`cap`; `*` marks q ≤ `threshold`.
    public static func heatmap(rows: [String], columns: [String], value: (Int, Int) -> (estimate: Double, q: Double)?,
                               threshold: Double, title: String, caption: [String], cap: Double = 5) -> Figure {
        let labelWidth = 200.0, cell = Swift.min(26.0, Swift.max(12, 380 / Double(Swift.max(rows.count, 1))))
        let cellWidth = Swift.min(90.0, Swift.max(40, (width - labelWidth - 40) / Double(Swift.max(columns.count, 1))))
        let plotHeight = Double(rows.count) * cell
        let figureHeight = Swift.max(height, top + 70 + plotHeight + 60)
        var c = SVGCanvas(width: width, height: figureHeight)
        c.text(title, left, 22, size: 15, anchor: .start, weight: "bold")
        let y0 = top + 60, x0 = labelWidth
        for (j, name) in columns.enumerated() {
            let shown = name.count > 22 ? String(name.prefix(21)) + "…" : name
            c.text(shown, x0 + (Double(j) + 0.5) * cellWidth - 4, y0 - 6, size: 11, anchor: .start, rotate: -35)
        }
        func colour(_ v: Double) -> String {
            let t = Swift.min(abs(v), cap) / cap
            let (r, g, b): (Double, Double, Double) = v < 0 ? (255 - 255 * t * 0.9, 255 - 255 * t * 0.6, 255) : (255, 255 - 255 * t * 0.75, 255 - 255 * t * 0.9)
            return String(cFormat: "#%02X%02X%02X", Int(r.rounded()), Int(g.rounded()), Int(b.rounded()))
        }
        for (i, name) in rows.enumerated() {
            let y = y0 + Double(i) * cell
            let shown = name.count > 30 ? String(name.prefix(29)) + "…" : name
            c.text(shown, x0 - 6, y + cell * 0.7, size: Swift.min(12, cell * 0.8), anchor: .end)
            for j in columns.indices {
                let x = x0 + Double(j) * cellWidth
                guard let v = value(i, j), v.estimate.isFinite, v.q.isFinite else {
                    c.rect(x, y, cellWidth - 1, cell - 1, fill: "#f2f2f2")
                    continue
                }
                let score = -log10(Swift.max(v.q, 1e-300)) * (v.estimate < 0 ? -1 : 1)
                c.rect(x, y, cellWidth - 1, cell - 1, fill: colour(score))
                if v.q <= threshold { c.text("*", x + cellWidth / 2, y + cell * 0.8, size: Swift.min(14, cell)) }
            }
        }
        let legendY = y0 + plotHeight + 24
        for k in 0..<21 {
            let v = -cap + Double(k) * cap / 10
            c.rect(x0 + Double(k) * 12, legendY, 12, 10, fill: colour(v))
        }
        c.text("−\(Int(cap))", x0 - 4, legendY + 9, size: 11, anchor: .end)
        c.text("+\(Int(cap))", x0 + 21 * 12 + 4, legendY + 9, size: 11, anchor: .start)
        c.text("colour: −log₁₀(q) × sign of the coefficient; * q ≤ \(NumberStyle.roundTrip.format(threshold))", x0, legendY + 26, size: 11, anchor: .start)
        return figure(c, title: title, caption: caption)
    }
}
