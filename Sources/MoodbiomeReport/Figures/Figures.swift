import Foundation
import MoodbiomeCore
import MoodbiomeNumerics

/// The figures Moodbiome draws, as SVG text: 680 × 480 px, 13–15 px type,
/// the Okabe–Ito palette, real ticks and axis labels, a caption inside the
/// image so a file carries its own explanation.
public enum Figures {
    static let width = 680.0, height = 480.0
    static let left = 78.0, right = 24.0, top = 52.0, bottom = 112.0

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

    /// Splits text into lines of at most `limit` characters at spaces.
    static func wrap(_ text: String, limit: Int) -> [String] {
        var lines = [String](), current = ""
        for word in text.split(separator: " ") {
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
        var plotWidth: Double { Figures.width - Figures.left - Figures.right }
        var plotHeight: Double { Figures.height - Figures.top - Figures.bottom }
        func px(_ v: Double) -> Double { Figures.left + (v - x.lo) / (x.hi - x.lo) * plotWidth }
        func py(_ v: Double) -> Double { Figures.top + (1 - (v - y.lo) / (y.hi - y.lo)) * plotHeight }
    }

    /// Axes, ticks, grid, labels, title and caption.
    static func drawFrame(_ c: inout SVGCanvas, _ frame: Frame, xLabel: String, yLabel: String, title: String,
                          caption: [String], xTicks: Bool = true) {
        let x0 = left, x1 = width - right, y0 = top, y1 = height - bottom
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
        c.text(xLabel, (x0 + x1) / 2, y1 + 52, size: 14)
        c.text(yLabel, 20, (y0 + y1) / 2, size: 14, rotate: -90)
        c.text(title, x0, 22, size: 15, anchor: .start, weight: "bold")
        let lines = caption.flatMap { wrap($0, limit: 92) }
        for (k, line) in lines.prefix(3).enumerated() {
            c.text(line, x0, y1 + 74 + Double(k) * 15, size: 12, anchor: .start)
        }
    }

    /// Outcome against a diversity metric: points, and the least-squares
    /// line with its confidence band as the statistics layer computed them
    /// (``AlphaAssociation/FitLine``).
    public static func scatter(x: [Double], y: [Double], line: AlphaAssociation.FitLine?, xLabel: String, yLabel: String,
                               title: String, caption: [String]) -> String {
        let pairs = zip(x, y).filter { $0.0.isFinite && $0.1.isFinite }
        let xs = pairs.map(\.0), ys = pairs.map(\.1)
        var c = SVGCanvas(width: width, height: height)
        let yValues = ys + (line.map { $0.low + $0.high } ?? [])
        let frame = Frame(x: AxisScale(xs.min() ?? 0, xs.max() ?? 1), y: AxisScale(yValues.min() ?? 0, yValues.max() ?? 1))
        drawFrame(&c, frame, xLabel: xLabel, yLabel: yLabel, title: title, caption: caption)
        for (px, py) in zip(xs, ys) { c.circle(frame.px(px), frame.py(py), r: 3.2, fill: SVGCanvas.palette[0], opacity: 0.55) }
        if let line {
            let k = line.x.indices
            c.polygon(k.map { (frame.px(line.x[$0]), frame.py(line.high[$0])) } + k.reversed().map { (frame.px(line.x[$0]), frame.py(line.low[$0])) },
                      fill: SVGCanvas.palette[1], opacity: 0.25)
            c.polyline(k.map { (frame.px(line.x[$0]), frame.py((line.low[$0] + line.high[$0]) / 2)) }, stroke: SVGCanvas.palette[3], width: 2.2)
        }
        return c.document(title: title, description: caption.joined(separator: " "))
    }

    /// A metric by group: boxes (quartiles, type 7), whiskers to the most
    /// extreme values within 1.5 IQR, every point overlaid with a fixed
    /// horizontal jitter, and n under each group.
    public static func boxPlot(groups: [(label: String, values: [Double])], xLabel: String, yLabel: String,
                               title: String, caption: [String]) -> String {
        let groups = groups.map { ($0.label, $0.values.filter(\.isFinite).sorted()) }.filter { !$0.1.isEmpty }
        var c = SVGCanvas(width: width, height: height)
        let all = groups.flatMap(\.1)
        let frame = Frame(x: AxisScale(0, 1), y: AxisScale(all.min() ?? 0, all.max() ?? 1))
        drawFrame(&c, frame, xLabel: xLabel, yLabel: yLabel, title: title, caption: caption, xTicks: false)
        let slot = frame.plotWidth / Double(Swift.max(groups.count, 1))
        let perLine = Swift.max(4, Int(slot / 7.5))
        for (g, (label, values)) in groups.enumerated() {
            let cx = left + slot * (Double(g) + 0.5), boxWidth = Swift.min(slot * 0.5, 90)
            let colour = SVGCanvas.palette[g % SVGCanvas.palette.count]
            let q1 = quantile(sorted: values, 0.25), q2 = quantile(sorted: values, 0.5), q3 = quantile(sorted: values, 0.75)
            let iqr = q3 - q1
            let lowWhisker = values.first { $0 >= q1 - 1.5 * iqr } ?? q1
            let highWhisker = values.last { $0 <= q3 + 1.5 * iqr } ?? q3
            c.line(cx, frame.py(lowWhisker), cx, frame.py(q1), stroke: "#333", width: 1.2)
            c.line(cx, frame.py(q3), cx, frame.py(highWhisker), stroke: "#333", width: 1.2)
            c.line(cx - boxWidth / 4, frame.py(lowWhisker), cx + boxWidth / 4, frame.py(lowWhisker), width: 1.2)
            c.line(cx - boxWidth / 4, frame.py(highWhisker), cx + boxWidth / 4, frame.py(highWhisker), width: 1.2)
            c.rect(cx - boxWidth / 2, frame.py(q3), boxWidth, frame.py(q1) - frame.py(q3), fill: colour, stroke: "#333", opacity: 0.25)
            c.line(cx - boxWidth / 2, frame.py(q2), cx + boxWidth / 2, frame.py(q2), stroke: "#222", width: 2.2)
            for (i, v) in values.enumerated() {
                // Deterministic jitter from the point's rank (Weyl sequence).
                let jitter = (Double((i &* 40503) % 997) / 997 - 0.5) * boxWidth * 0.8
                c.circle(cx + jitter, frame.py(v), r: 2.6, fill: colour, opacity: 0.6)
            }
            let baseline = height - bottom
            for (k, line) in wrap(label, limit: perLine).prefix(2).enumerated() {
                c.text(line, cx, baseline + 18 + Double(k) * 15, size: 13)
            }
            c.text("n = \(values.count)", cx, top - 8, size: 11)
        }
        return c.document(title: title, description: caption.joined(separator: " "))
    }

    /// Curves (rarefaction): one line per sample, an optional vertical
    /// marker (the chosen depth).
    public static func curves(_ lines: [(label: String, points: [(Double, Double)])], xLabel: String, yLabel: String,
                              title: String, caption: [String], marker: Double? = nil) -> String {
        var c = SVGCanvas(width: width, height: height)
        let xs = lines.flatMap { $0.points.map(\.0) } + (marker.map { [$0] } ?? [])
        let ys = lines.flatMap { $0.points.map(\.1) }
        let frame = Frame(x: AxisScale(0, xs.max() ?? 1, includeZero: true), y: AxisScale(0, ys.max() ?? 1, includeZero: true))
        drawFrame(&c, frame, xLabel: xLabel, yLabel: yLabel, title: title, caption: caption)
        let opacity = lines.count > 30 ? 0.45 : 0.85
        for (k, line) in lines.enumerated() {
            c.polyline(line.points.map { (frame.px($0.0), frame.py($0.1)) }, stroke: SVGCanvas.palette[k % 7], width: 1.4, opacity: opacity)
        }
        if let marker {
            c.line(frame.px(marker), top, frame.px(marker), height - bottom, stroke: "#D55E00", width: 1.6, dash: "6 4")
            c.text("chosen depth \(Int(marker))", frame.px(marker) + 6, top + 14, size: 12, anchor: .start)
        }
        return c.document(title: title, description: caption.joined(separator: " "))
    }
}
