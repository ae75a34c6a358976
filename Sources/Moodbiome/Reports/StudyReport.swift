import Foundation

/// A file name made of a column's name: characters other than letters,
/// digits, `.`, `_` and `-` become `_` (column names may hold `/` or spaces).
func fileNameComponent(_ name: String) -> String {
    String(name.unicodeScalars.map { c -> Character in
        (c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c))) || c == "." || c == "_" || c == "-" ? Character(c) : "_"
    })
}

/// One figure of the report.
struct ReportFigure: Sendable {
    let name: String
    let svg: String
}

extension StudyAnalysis {
    /// An axis label with the quantity's unit.
    func axisLabel(_ column: String) -> String {
        if column == outcome && column.hasSuffix("_total") { return "\(column) (score points)" }
        return Figures.metricAxisLabel(column, base: diversity.options.base)
    }

    /// The figures: the outcome against each metric (or, for a binary
    /// outcome, the metric by outcome), and each metric by group.
    func figures(_ r: Result) -> [ReportFigure] {
        var out = [ReportFigure]()
        let adjusted = covariates.isEmpty ? "Unadjusted" : "Adjusted for " + covariates.joined(separator: ", ")
        for (i, m) in r.metrics.enumerated() {
            let c = m.term
            let metricValues = r.merged.cells(of: m.metric)!.map { Double($0) ?? .nan }
            let modelled = r.merged.cells(of: r.modelledOutcome)!.map { Double($0) ?? .nan }
            let effect: String
            if c.isAliased {
                effect = "the metric is aliased in the model"
            } else if r.family == .binomial {
                effect = "OR = \(humanNumber(exp(c.estimate!))) (95% CI \(humanNumber(exp(c.confidenceLow!))) to \(humanNumber(exp(c.confidenceHigh!)))), p = \(humanPValue(c.pValue)), q = \(humanPValue(r.qValues[i]))"
            } else {
                effect = "β = \(humanNumber(c.estimate)) (95% CI \(humanNumber(c.confidenceLow)) to \(humanNumber(c.confidenceHigh))), p = \(humanPValue(c.pValue)), q = \(humanPValue(r.qValues[i]))"
            }
            let n = m.model.design.ids.count
            if r.family == .binomial {
                let groups = [0.0, 1.0].map { level in
                    (label: "\(r.modelledOutcome) = \(Int(level))", values: zip(metricValues, modelled).filter { $0.1 == level }.map(\.0))
                }
                let caption = ["n = \(n). \(adjusted): \(effect).", "Boxes: quartiles; whiskers: 1.5 IQR; every sample shown."]
                out.append(ReportFigure(name: fileNameComponent("\(m.metric)-by-\(r.modelledOutcome)") + ".svg",
                                        svg: Figures.boxPlot(groups: groups, xLabel: r.outcomeDescription, yLabel: axisLabel(m.metric),
                                                             title: "\(m.metric) by \(r.outcomeDescription)", caption: caption)))
            } else {
                let caption = ["n = \(n). \(adjusted): \(effect).", "Line: unadjusted least-squares fit with its 95% confidence band."]
                out.append(ReportFigure(name: fileNameComponent("\(outcome)-vs-\(m.metric)") + ".svg",
                                        svg: Figures.scatter(x: metricValues, y: modelled, xLabel: axisLabel(m.metric), yLabel: axisLabel(outcome),
                                                             title: "\(outcome) against \(m.metric)", caption: caption)))
            }
            if let group = r.group {
                let cells = r.merged.cells(of: group)!
                let levels = CohortTable.order(Array(Set(cells.filter { !DataTable.isMissing($0) })))
                let groups = levels.map { level in
                    (label: level, values: zip(metricValues, cells).filter { $0.1 == level }.map(\.0))
                }
                let test = GroupComparison.kruskalWallis(groups.map(\.values))
                let caption = ["Kruskal–Wallis test across \(group) groups: H = \(humanNumber(test.statistic)), p = \(humanPValue(test.pValue)) (unadjusted).",
                               "Boxes: quartiles; whiskers: 1.5 IQR; every sample shown."]
                out.append(ReportFigure(name: fileNameComponent("\(m.metric)-by-\(group)") + ".svg",
                                        svg: Figures.boxPlot(groups: groups, xLabel: group, yLabel: axisLabel(m.metric),
                                                             title: "\(m.metric) by \(group)", caption: caption)))
            }
        }
        return out
    }

    /// `report.html`: self-contained (inline CSS and SVG, no scripts, no
    /// network), every string from the user's files HTML-escaped.
    func reportHTML(_ r: Result, cohort: TextTable, cohortNotes: [String], figures: [ReportFigure]) -> String {
        let e = htmlEscaped
        var html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Alpha diversity and \(e(outcome)) — Moodbiome report</title>
        <style>
        body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fafafa; }
        main { max-width: 1000px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
        h1 { font-size: 26px; margin-bottom: 4px; } h2 { font-size: 20px; margin-top: 32px; border-bottom: 1px solid #ddd; }
        .meta { color: #555; } figure { margin: 24px 0; } figcaption { color: #444; font-size: 14px; max-width: 680px; }
        ul.ids { font-size: 13px; color: #444; } code { font-size: 13px; }
        \(tableCSS)</style>
        </head>
        <body>
        <main>
        <h1>Alpha diversity and \(e(outcome))</h1>
        <p class="meta">Moodbiome \(e(moodbiomeVersion)) · \(r.merged.rowCount) samples with diversity values and metadata · \(r.metrics.count) models · inputs and checksums in <code>provenance.json</code></p>

        """
        html += "<h2>Cohort</h2>\n" + cohort.htmlTable()
        for note in cohortNotes { html += "<p>\(e(note))</p>\n" }
        html += "<h2>Exclusions</h2>\n<ul>\n"
        var any = false
        if !r.onlyInCounts.isEmpty {
            any = true
            html += "<li>\(r.onlyInCounts.count) samples in the count table only: <span class=\"ids\">\(e(r.onlyInCounts.joined(separator: ", ")))</span></li>\n"
        }
        if !r.onlyInMetadata.isEmpty {
            any = true
            html += "<li>\(r.onlyInMetadata.count) metadata rows without diversity values: \(e(r.onlyInMetadata.joined(separator: ", ")))</li>\n"
        }
        if !r.diversity.belowDepth.isEmpty {
            any = true
            html += "<li>\(r.diversity.belowDepth.count) samples below the rarefaction depth: \(e(r.diversity.belowDepth.joined(separator: ", ")))</li>\n"
        }
        if let first = r.metrics.first, first.model.design.nDropped > 0 {
            any = true
            let d = first.model.design
            html += "<li>\(d.nDropped) rows left out of the models for missing values (" + e(d.exclusions.map { "\($0.variable): \($0.rows)" }.joined(separator: ", ")) + "): \(e(d.droppedIDs.joined(separator: ", ")))</li>\n"
        }
        if !any { html += "<li>None: every sample had diversity values, metadata and complete model variables.</li>\n" }
        html += "</ul>\n<h2>Models</h2>\n<p>\(e(r.modelledOutcome)) ~ metric" + e(covariates.map { " + " + $0 }.joined()) + (r.family == .binomial ? " (logistic)" : " (least squares)") + "</p>\n"
        html += summaryTable(r).htmlTable() + "<p>\(e(summaryLegend(r)))</p>\n"
        html += "<h2>Figures</h2>\n"
        for figure in figures {
            // The caption is drawn inside the image (and in its <desc>), so a
            // figure file taken out of the report keeps its explanation.
            html += "<figure>\n" + figure.svg + "</figure>\n"
        }
        html += "<h2>Methods</h2>\n<p>\(e(methodsParagraph(r)))</p>\n"
        html += "<h2>Files</h2>\n<p>Tables: " + e(tableFiles.joined(separator: ", ")) + "; figures in <code>figures/</code>; <code>summary.md</code>; <code>provenance.json</code>.</p>\n"
        html += "</main>\n</body>\n</html>\n"
        return html
    }
}
