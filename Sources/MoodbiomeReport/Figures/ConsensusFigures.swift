import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

extension Figures {
    /// A dot matrix of features (rows) × methods (columns): a coloured dot
    /// where the method calls the feature significant (q ≤ `threshold`;
    /// blue lower, red higher; larger for smaller q, −log₁₀ q capped at
    /// `cap`), a small grey dot where it tested it without a call, nothing
    /// where it did not test it; the right-hand column counts the calls.
    public static func dotMatrix(rows: [String], columns: [String], value: (Int, Int) -> (estimate: Double, q: Double)?,
                                 threshold: Double, title: String, caption: [String], cap: Double = 10) -> Figure {
        let labelWidth = 220.0, cell = Swift.min(22.0, Swift.max(12, 420 / Double(Swift.max(rows.count, 1))))
        let cellWidth = Swift.min(90.0, Swift.max(50, (width - labelWidth - 90) / Double(Swift.max(columns.count, 1))))
        let plotHeight = Double(rows.count) * cell
        let figureHeight = Swift.max(height, top + 60 + plotHeight + 70)
        var c = SVGCanvas(width: width, height: figureHeight)
        c.text(title, left, 22, size: 15, anchor: .start, weight: "bold")
        let y0 = top + 50, x0 = labelWidth
        for (j, name) in columns.enumerated() {
            c.text(name, x0 + (Double(j) + 0.5) * cellWidth, y0 - 10, size: 12)
        }
        c.text("calls", x0 + (Double(columns.count) + 0.5) * cellWidth, y0 - 10, size: 12)
        let maxRadius = Swift.min(cell, cellWidth) * 0.42
        for (i, name) in rows.enumerated() {
            let y = y0 + (Double(i) + 0.5) * cell
            if i % 2 == 0 { c.rect(x0 - 4, y - cell / 2, cellWidth * Double(columns.count + 1) + 8, cell, fill: "#f4f4f4") }
            let shown = name.count > 32 ? String(name.prefix(31)) + "…" : name
            c.text(shown, x0 - 8, y + 4, size: Swift.min(12, cell * 0.75), anchor: .end)
            var calls = 0
            for j in columns.indices {
                let x = x0 + (Double(j) + 0.5) * cellWidth
                guard let v = value(i, j), v.estimate.isFinite, v.q.isFinite else { continue }
                if v.q <= threshold {
                    calls += 1
                    let strength = Swift.min(-log10(Swift.max(v.q, 1e-300)), cap) / cap
                    c.circle(x, y, r: maxRadius * (0.45 + 0.55 * strength), fill: v.estimate < 0 ? SVGCanvas.palette[0] : SVGCanvas.palette[3], opacity: 0.9)
                } else {
                    c.circle(x, y, r: 2.2, fill: "#9a9a9a", opacity: 0.8)
                }
            }
            c.text("\(calls)", x0 + (Double(columns.count) + 0.5) * cellWidth, y + 4, size: Swift.min(12, cell * 0.75))
        }
        let legendY = y0 + plotHeight + 26
        c.circle(x0, legendY, r: maxRadius * 0.8, fill: SVGCanvas.palette[3], opacity: 0.9)
        c.text("higher", x0 + 12, legendY + 4, size: 11, anchor: .start)
        c.circle(x0 + 80, legendY, r: maxRadius * 0.8, fill: SVGCanvas.palette[0], opacity: 0.9)
        c.text("lower", x0 + 92, legendY + 4, size: 11, anchor: .start)
        c.circle(x0 + 160, legendY, r: 2.2, fill: "#9a9a9a", opacity: 0.8)
        c.text("tested, q > \(NumberStyle.roundTrip.format(threshold))", x0 + 170, legendY + 4, size: 11, anchor: .start)
        c.text("dot size: −log₁₀ q (capped at \(Int(cap)))", x0, legendY + 24, size: 11, anchor: .start)
        return figure(c, title: title, caption: caption)
    }
}
