import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeNumerics

extension Figures {
    /// The mediation triangle: exposure → mediator (a), mediator → outcome
    /// (b), exposure → outcome (c′, direct), and under it the ACME with its
    /// interval and the total effect c.
    public static func pathDiagram(exposure: String, mediator: String, outcome: String, a: String, b: String, cPrime: String,
                                   acme: String, total: String, title: String, caption: [String]) -> Figure {
        var c = SVGCanvas(width: width, height: 360)
        c.text(title, left, 22, size: 15, anchor: .start, weight: "bold")
        let boxWidth = 170.0, boxHeight = 46.0
        let boxes = [(exposure, 40.0, 210.0), (mediator, (width - boxWidth) / 2, 70.0), (outcome, width - 40 - boxWidth, 210.0)]
        for (label, x, y) in boxes {
            c.rect(x, y, boxWidth, boxHeight, fill: "#f4f4f4", stroke: "#333")
            let shown = label.count > 24 ? String(label.prefix(23)) + "…" : label
            c.text(shown, x + boxWidth / 2, y + boxHeight / 2 + 5, size: 14, weight: "bold")
        }
        func arrow(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) {
            c.line(x1, y1, x2, y2, stroke: "#333", width: 1.8)
            let angle: Double = atan2(y2 - y1, x2 - x1), size = 10.0
            let left: (Double, Double) = (x2 - size * cos(angle - 0.4), y2 - size * sin(angle - 0.4))
            let right: (Double, Double) = (x2 - size * cos(angle + 0.4), y2 - size * sin(angle + 0.4))
            c.polygon([(x2, y2), left, right], fill: "#333", opacity: 1)
        }
        let e = boxes[0], m = boxes[1], o = boxes[2]
        arrow(e.1 + boxWidth / 2, e.2, m.1, m.2 + boxHeight / 2)
        arrow(m.1 + boxWidth, m.2 + boxHeight / 2, o.1 + boxWidth / 2, o.2)
        arrow(e.1 + boxWidth, e.2 + boxHeight / 2, o.1, o.2 + boxHeight / 2)
        c.text("a = " + a, (e.1 + boxWidth / 2 + m.1) / 2 - 16, (e.2 + m.2 + boxHeight / 2) / 2 - 6, size: 13, anchor: .end)
        c.text("b = " + b, (m.1 + boxWidth + o.1 + boxWidth / 2) / 2 + 16, (m.2 + boxHeight / 2 + o.2) / 2 - 6, size: 13, anchor: .start)
        c.text("c′ = " + cPrime + " (direct)", width / 2, e.2 + boxHeight / 2 - 8, size: 13)
        c.text("ACME = " + acme, width / 2, 300, size: 14, weight: "bold")
        c.text("total effect c = " + total, width / 2, 324, size: 13)
        return figure(c, title: title, caption: caption)
    }

    /// Several mediators' effects with their intervals, one row each, with
    /// the line of no effect.
    public static func forest(_ rows: [(label: String, estimate: Double, low: Double, high: Double)], xLabel: String,
                              title: String, caption: [String]) -> Figure {
        let labelWidth = 190.0, rowHeight = 30.0
        let plotTop = top + 10, figureHeight = Swift.max(220, plotTop + Double(rows.count) * rowHeight + 80)
        var c = SVGCanvas(width: width, height: figureHeight)
        c.text(title, left, 22, size: 15, anchor: .start, weight: "bold")
        let values = rows.flatMap { [$0.low, $0.high, $0.estimate] }.filter(\.isFinite) + [0]
        let scale = AxisScale(values.min() ?? -1, values.max() ?? 1, includeZero: true)
        let x0 = labelWidth + 10, x1 = width - right - 10
        func px(_ v: Double) -> Double { x0 + (v - scale.lo) / (scale.hi - scale.lo) * (x1 - x0) }
        let bottomY = plotTop + Double(rows.count) * rowHeight
        c.line(px(0), plotTop - 6, px(0), bottomY, stroke: "#999", width: 1, dash: "4 3")
        c.line(x0, bottomY, x1, bottomY)
        for t in scale.ticks {
            c.line(px(t), bottomY, px(t), bottomY + 5)
            c.text(scale.label(t), px(t), bottomY + 19, size: 12)
        }
        c.text(xLabel, (x0 + x1) / 2, bottomY + 46, size: 14)
        for (k, row) in rows.enumerated() {
            let y = plotTop + (Double(k) + 0.5) * rowHeight
            let shown = row.label.count > 28 ? String(row.label.prefix(27)) + "…" : row.label
            c.text(shown, labelWidth, y + 4, size: 13, anchor: .end)
            guard row.low.isFinite, row.high.isFinite, row.estimate.isFinite else { continue }
            c.line(px(row.low), y, px(row.high), y, stroke: SVGCanvas.palette[0], width: 2)
            c.circle(px(row.estimate), y, r: 5, fill: SVGCanvas.palette[0], opacity: 1)
        }
        return figure(c, title: title, caption: caption)
    }
}
