import FoundationEssentials
import MoodbiomeIO
#if canImport(Glibc)
import Glibc
#endif

extension Figures {
    /// Modules (rows) by samples (columns), coloured by log₁₀ abundance on
    /// a viridis scale, modules not found in grey; samples grouped under a
    /// band per group when `groups` is given (samples already in group order).
    public static func moduleHeatmap(rows: [String], columns: [String], value: (Int, Int) -> Double,
                                     groups: [(label: String, count: Int)]?, title: String, caption: [String]) -> Figure {
        let labelWidth = 230.0
        let cell = Swift.min(18.0, Swift.max(7, 560 / Double(Swift.max(rows.count, 1))))
        let cellWidth = Swift.min(24.0, Swift.max(2, (width - labelWidth - 30) / Double(Swift.max(columns.count, 1))))
        let y0 = top + (groups == nil ? 20 : 44), x0 = labelWidth
        let plotHeight = Double(rows.count) * cell
        var c = SVGCanvas(width: Swift.max(width, x0 + Double(columns.count) * cellWidth + 30), height: y0 + plotHeight + 90)
        c.text(title, left, 22, size: 15, anchor: .start, weight: "bold")
        var logs = [Double]()
        for i in rows.indices { for j in columns.indices where value(i, j) > 0 { logs.append(log10(value(i, j))) } }
        let lo = logs.min() ?? 0, hi = Swift.max(logs.max() ?? 1, lo + 1e-9)
        if let groups {
            var x = x0
            for (k, group) in groups.enumerated() {
                let w = Double(group.count) * cellWidth
                c.rect(x, y0 - 26, w - 1, 8, fill: SVGCanvas.palette[k % SVGCanvas.palette.count])
                c.text(group.label, x + w / 2, y0 - 32, size: 11)
                x += w
            }
        }
        if cellWidth >= 9 {
            for (j, name) in columns.enumerated() {
                c.text(name.count > 12 ? String(name.prefix(11)) + "…" : name, x0 + (Double(j) + 0.5) * cellWidth + 3, y0 + plotHeight + 8,
                       size: Swift.min(10, cellWidth * 0.8), anchor: .start, rotate: 60)
            }
        }
        for (i, name) in rows.enumerated() {
            let y = y0 + Double(i) * cell
            c.text(name.count > 36 ? String(name.prefix(35)) + "…" : name, x0 - 6, y + cell * 0.75, size: Swift.min(11, cell * 0.85), anchor: .end)
            for j in columns.indices {
                let v = value(i, j)
                c.rect(x0 + Double(j) * cellWidth, y, cellWidth - (cellWidth >= 4 ? 0.5 : 0), cell - 0.5,
                       fill: v > 0 ? viridis((log10(v) - lo) / (hi - lo)) : "#e8e8e8")
            }
        }
        let legendY = y0 + plotHeight + (cellWidth >= 9 ? 56 : 22)
        for k in 0..<20 { c.rect(x0 + Double(k) * 12, legendY, 12, 10, fill: viridis(Double(k) / 19)) }
        c.rect(x0 + 20 * 12 + 14, legendY, 12, 10, fill: "#e8e8e8")
        c.text(NumberStyle.significantDigits(2).format(pow(10, lo)), x0 - 4, legendY + 9, size: 11, anchor: .end)
        c.text(NumberStyle.significantDigits(2).format(pow(10, hi)), x0 + 20 * 12 + 2, legendY + 22, size: 11, anchor: .end)
        c.text("not found", x0 + 20 * 12 + 30, legendY + 9, size: 11, anchor: .start)
        c.text("abundance (log scale)", x0, legendY + 24, size: 11, anchor: .start)
        return figure(c, title: title, caption: caption)
    }
}

extension Figures {
    /// Horizontal stacked bars: one bar per row, its parts' shares (summing
    /// to 1) in the palette's colours, the legend naming the parts.
    public static func stackedShares(_ rows: [(label: String, parts: [(name: String, share: Double)])], title: String, caption: [String]) -> Figure {
        var names = [String]()
        for row in rows { for part in row.parts where !names.contains(part.name) { names.append(part.name) } }
        let colours = SVGCanvas.palette + ["#999999", "#7F3C8D", "#11A579", "#3969AC", "#F2B701", "#E73F74", "#80BA5A"]
        func colour(_ name: String) -> String { name == "other taxa" ? "#d0d0d0" : colours[(names.firstIndex(of: name) ?? 0) % colours.count] }
        let labelWidth = 230.0, barHeight = 22.0, plotWidth = width - labelWidth - 30
        let y0 = top + 10
        let legendTop = y0 + Double(rows.count) * (barHeight + 10) + 30
        var c = SVGCanvas(width: width, height: legendTop + Double(names.count) * 16 + 30)
        c.text(title, left, 22, size: 15, anchor: .start, weight: "bold")
        for (i, row) in rows.enumerated() {
            let y = y0 + Double(i) * (barHeight + 10)
            c.text(row.label.count > 36 ? String(row.label.prefix(35)) + "…" : row.label, labelWidth - 8, y + barHeight * 0.7, size: 11, anchor: .end)
            var x = labelWidth
            for part in row.parts {
                let w = part.share * plotWidth
                c.rect(x, y, Swift.max(w - 0.5, 0), barHeight, fill: colour(part.name))
                x += w
            }
        }
        c.line(labelWidth, y0 + Double(rows.count) * (barHeight + 10), labelWidth + plotWidth, y0 + Double(rows.count) * (barHeight + 10), stroke: "#999")
        for k in 0...4 {
            let x = labelWidth + Double(k) / 4 * plotWidth
            c.text("\(k * 25)%", x, y0 + Double(rows.count) * (barHeight + 10) + 14, size: 10)
        }
        for (k, name) in names.enumerated() {
            let y = legendTop + Double(k) * 16
            c.rect(labelWidth, y, 10, 10, fill: colour(name))
            c.text(name.count > 70 ? String(name.prefix(69)) + "…" : name, labelWidth + 16, y + 9, size: 11, anchor: .start)
        }
        return figure(c, title: title, caption: caption)
    }
}
