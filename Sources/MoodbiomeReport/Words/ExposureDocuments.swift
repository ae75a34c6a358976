import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO

/// The words, tables and figures of `analyze --exposure` (diversity as the
/// outcome): every number comes from ``ExposureAssociation/Result``.
public struct ExposureDocuments: Sendable {
    public let result: ExposureAssociation.Result
    public let countsPath: String
    public let alphaOptions: AlphaOptions
    public let rarefaction: Rarefaction?
    public let tableFiles: [String]
    /// Set for a longitudinal run (`--random` with a time column).
    public var longitudinal: LongitudinalSummary? = nil
    /// How figures name columns and levels (`--display-name`, `--levels`).
    public var names = DisplayNames()
    /// Community composition by the exposure (`--beta`), one finding per metric.
    public var composition: [CompositionFinding] = []

    public var compositionReport: CompositionReport { CompositionReport(composition: composition, rarefied: rarefaction != nil, names: names) }

    public init(result: ExposureAssociation.Result, countsPath: String, alphaOptions: AlphaOptions, rarefaction: Rarefaction?,
                tableFiles: [String]) {
        self.result = result
        self.countsPath = countsPath
        self.alphaOptions = alphaOptions
        self.rarefaction = rarefaction
        self.tableFiles = tableFiles
    }

    var exposure: String { result.exposure }
    var level: String { NumberPolicy.percent(result.settings.confidenceLevel) }
    var isMixed: Bool { !result.settings.random.isEmpty }

    /// The exposure test as text: `F(8, 17) = 21.3` or `χ²(8) = 40.2`.
    func testText(_ t: ExposureAssociation.ExposureTest) -> String {
        switch t.reference {
        case .f(let denominator): "F(\(t.degreesOfFreedom), \(NumberPolicy.value(denominator))) = \(NumberPolicy.value(t.statistic))"
        case .chiSquared: "χ²(\(t.degreesOfFreedom)) = \(NumberPolicy.value(t.statistic))"
        }
    }

    /// `exposure_tests`: one row per metric.
    public var testsTable: TextTable {
        let rows: [[TextTable.Cell]] = result.metrics.enumerated().map { i, m in
            let t = m.test
            let denominator: Double
            if case .f(let d) = t.reference { denominator = d } else { denominator = .nan }
            return [.text(m.metric), .text(exposure), .text(t.reference == .chiSquared ? "wald_chi2" : "wald_f"), .number(t.statistic),
                    .number(Double(t.degreesOfFreedom)), .number(denominator), .number(t.pValue), .number(result.qValues[i]),
                    .number(Double(m.model.design.ids.count))]
        }
        return TextTable(columns: ["metric", "exposure", "test", "statistic", "df1", "df2", "p_value", "q_value", "n"], rows: rows)
    }

    /// `pairwise`: every pair of levels per metric, Holm-adjusted within the metric.
    public var pairwiseTable: TextTable {
        var rows = [[TextTable.Cell]]()
        for m in result.metrics {
            for c in m.pairwise {
                rows.append([.text(m.metric), .text(c.level), .text(c.versus), .number(c.estimate), .number(c.standardError),
                             .number(c.statistic), .number(c.degreesOfFreedom), .number(c.pValue), .number(c.adjustedPValue)])
            }
        }
        return TextTable(columns: ["metric", "level", "versus", "difference", "std_error", "statistic", "df", "p_value", "p_holm"], rows: rows)
    }

    /// The publication table: one row per metric.
    public var summaryTable: TextTable {
        let numeric = result.levels == nil
        var header = ["Metric", "Test", "p", "q"]
        if numeric { header.insert("β per unit of \(exposure) (\(level)% CI)", at: 1) }
        else { header += ["Level means (reference first)", "Pairs with Holm p < 0.05"] }
        header.append("n")
        var rows = [[TextTable.Cell]]()
        for (i, m) in result.metrics.enumerated() {
            var row = [m.metric, testText(m.test), NumberPolicy.pValue(m.test.pValue), NumberPolicy.pValue(result.qValues[i])]
            if numeric {
                let c = m.model.coefficients.first { $0.term == exposure }
                let text = c.flatMap { c in c.estimate.map { "\(NumberPolicy.value($0)) (\(NumberPolicy.interval(c.confidenceLow, c.confidenceHigh)))" } } ?? "aliased"
                row.insert(text, at: 1)
            } else {
                row.append(zip(m.groups, m.levelMeans).map { "\($0.label) \(NumberPolicy.value($1))" }.joined(separator: "; "))
                let significant = m.pairwise.filter { $0.adjustedPValue < 0.05 }.map { "\($0.level) vs \($0.versus)" }
                row.append(significant.isEmpty ? "none" : significant.joined(separator: "; "))
            }
            row.append(String(m.model.design.ids.count))
            rows.append(row.map { .text($0) })
        }
        return TextTable(columns: header, rows: rows)
    }

    /// The notes `analyze --exposure` prints (joins and the models' notes).
    public var notes: [String] {
        var out = [String]()
        let r = result
        if !r.onlyInCounts.isEmpty {
            out.append("note: \(r.onlyInCounts.count) sample\(r.onlyInCounts.count == 1 ? "" : "s") in the count table but not in the metadata, left out: \(Words.list(r.onlyInCounts))")
        }
        if !r.onlyInMetadata.isEmpty {
            out.append("note: \(r.onlyInMetadata.count) metadata row\(r.onlyInMetadata.count == 1 ? "" : "s") without diversity values, left out: \(Words.list(r.onlyInMetadata))")
        }
        out += r.depthCorrelations.map(Words.depthNote)
        for (note, metrics) in r.modelNotes.sorted(by: { Words.note($0.note) < Words.note($1.note) }) {
            let which = metrics.count == r.metrics.count ? "every model" : "model\(metrics.count == 1 ? "" : "s") for \(metrics.joined(separator: ", "))"
            out.append("note: \(which): \(Words.note(note))")
        }
        return out
    }

    func methodsParagraph(_ html: Bool) -> String {
        let markup: StudyDocuments.Markup = html ? .html : .markdown
        let t = markup.text, code = markup.code
        let r = result, s = r.settings
        var text = "Alpha diversity was computed with Moodbiome \(moodbiomeVersion) from the count table \(code(URL(fileURLWithPath: countsPath).lastPathComponent)): "
        text += r.diversity.metrics.map { "\(code($0.label)), \(t($0.metric.summary))" }.joined(separator: "; ") + "."
        if let rarefaction {
            text += " Samples were rarefied to \(rarefaction.depth) reads without replacement (seed \(rarefaction.seed))."
        }
        text += Words.depthMethods(adjusted: s.depthCovariate, rarefied: rarefaction != nil, correlations: r.depthCorrelations, code: code)
        let covariates = r.covariates.isEmpty ? "without covariates" : "adjusting for " + t(r.covariates.map(\.item).joined(separator: ", "))
        let n = r.metrics.first.map { $0.model.design.ids.count } ?? 0
        text += " Each metric was modelled on \(code(exposure)), \(covariates), in \(n) samples"
        if isMixed {
            text += ", by a linear mixed model with random effects " + s.random.map { code($0.text) }.joined(separator: " + ")
            text += " (\(s.reml ? "REML" : "maximum likelihood"), as lme4's lmer); the exposure was tested by the Wald F of its coefficients with Satterthwaite's denominator degrees of freedom (as lmerTest's anova)"
        } else {
            let se = s.cluster.map { "standard errors robust to clustering by \(code($0)) (sandwich's vcovCL, HC1)" }
                ?? (s.covariance == .classical ? "classical standard errors" : "\(s.covariance.rawValue.uppercased()) standard errors")
            text += ", by ordinary least squares (\(se)); the exposure was tested by the Wald F of its coefficients"
            text += s.covariance == .classical && s.cluster == nil ? " (the partial F test of the model against the model without it)" : " (the robust Wald F)"
        }
        if let levels = r.levels {
            text += ". \(code(exposure)) was treatment-coded with reference \(t(levels.first ?? "")); every pair of its \(levels.count) levels was compared by the difference of their adjusted means (t tests\(isMixed ? " on Satterthwaite's degrees of freedom for each contrast, as lmerTest's contest, so that a pair with the reference level has the model table's p" : ""), Holm-adjusted within each metric)"
        }
        text += ". p-values of the exposure tests were adjusted across \(r.metrics.count == 1 ? "the one metric" : "the \(r.metrics.count) metrics") by the \(Words.adjustmentName(s.adjustment)) procedure (q-values)."
        return text
    }

    public var summaryMarkdown: String {
        var out = "# Alpha diversity by \(Escape.markdown(exposure))\n\n"
        out += summaryTable.rendered(as: .markdown) + "\n"
        out += "Test: Wald test of the exposure's coefficients in each metric's model (adjusted for the covariates). q: across metrics. "
            + (result.levels == nil ? "" : "Level means are raw means; pairwise differences (adjusted) are in pairwise.csv.") + "\n\n"
        if !composition.isEmpty {
            out += "## Community composition\n\n" + compositionReport.compositionTable.rendered(as: .markdown) + "\n"
                + compositionReport.compositionLegend(.markdown) + "\n\n"
        }
        out += "## Methods\n\n" + methodsParagraph(false) + (composition.isEmpty ? "" : " " + compositionReport.compositionMethods(.markdown)) + "\n"
        let notes = self.notes.map { String($0.dropFirst(6)) }
        if !notes.isEmpty { out += "\n## Notes\n\n" + notes.map { "- " + Escape.markdown($0) }.joined(separator: "\n") + "\n" }
        return out
    }

    /// One figure per metric: by level (box plot) or against the exposure (scatter).
    public var figures: [ReportFigure] {
        var out = [ReportFigure]()
        for (i, m) in result.metrics.enumerated() {
            let caption = ["n = \(m.model.design.ids.count). Adjusted test: \(testText(m.test)), \(NumberPolicy.statement(m.test.pValue)), \(NumberPolicy.statement(result.qValues[i], symbol: "q")).",
                           result.levels == nil ? "Line: unadjusted least-squares fit with its \(level)% confidence band." : "Boxes: quartiles; whiskers: 1.5 IQR; every sample shown."]
            let yLabel = names.labels[m.metric] ?? Figures.metricAxisLabel(m.metric, base: alphaOptions.base)
            if result.levels != nil {
                out.append(ReportFigure(name: fileNameComponent("\(m.metric)-by-\(exposure)") + ".svg",
                                        figure: Figures.boxPlot(groups: names.ordered(m.groups, of: exposure), xLabel: names.column(exposure),
                                                             yLabel: yLabel, title: "\(names.column(m.metric)) by \(names.column(exposure))",
                                                             caption: caption)))
            } else {
                out.append(ReportFigure(name: fileNameComponent("\(m.metric)-vs-\(exposure)") + ".svg",
                                        figure: Figures.scatter(x: m.exposureValues, y: m.metricValues, line: m.line, xLabel: names.column(exposure),
                                                             yLabel: yLabel, title: "\(names.column(m.metric)) against \(names.column(exposure))",
                                                             caption: caption)))
            }
        }
        if out.count >= 2 {
            out.append(ReportFigure(name: "panel-metrics.svg", figure: Figures.panel(out.map(\.figure), title: "Alpha diversity by \(names.column(exposure)): every metric"), inReport: false))
        }
        if let l = longitudinal {
            for (column, t) in l.trajectories {
                out.append(trajectoryFigure(column, t, l, names: names,
                                            yLabel: names.labels[column] ?? Figures.metricAxisLabel(column, base: alphaOptions.base)))
            }
        }
        out += compositionReport.figures
        return ReportFigure.distinctNames(out)
    }

    public func reportHTML(cohort: TextTable, cohortNotes: [String], figures: [ReportFigure]) -> String {
        let e = Escape.html
        var html = "<main>\n<h1>Alpha diversity by \(e(exposure))</h1>\n"
        html += "<p class=\"meta\">Moodbiome \(e(moodbiomeVersion)) · \(Words.counted(result.merged.rowCount, "sample")) with diversity values and metadata · \(Words.counted(result.metrics.count, "model")) · inputs and checksums in <code>provenance.json</code></p>\n"
        html += "<h2>Samples by \(e(exposure))</h2>\n" + cohort.htmlTable()
        for note in cohortNotes { html += "<p>\(e(note))</p>\n" }
        html += "<h2>Models</h2>\n" + summaryTable.htmlTable()
        html += "<h3>Every term of each model</h3>\n"
            + everyTermTable(result.metrics.map { (metric: $0.metric, model: $0.model) }, oddsRatios: false, level: level).htmlTable()
            + "<p>p unadjusted; every digit in <code>models.csv</code>.</p>\n"
        if !notes.isEmpty { html += "<ul>\n" + notes.map { "<li>\(e(String($0.dropFirst(6))))</li>\n" }.joined() + "</ul>\n" }
        if !composition.isEmpty {
            html += "<h2>Community composition</h2>\n" + compositionReport.compositionTable.htmlTable() + "<p>\(compositionReport.compositionLegend(.html))</p>\n"
        }
        html += "<h2>Figures</h2>\n<div class=\"figures\">\n"
        for figure in figures where figure.inReport { html += figure.html }
        html += "</div>\n<h2>Methods</h2>\n<p>\(methodsParagraph(true))\(composition.isEmpty ? "" : " " + compositionReport.compositionMethods(.html))</p>\n"
        html += "<h2>Files</h2>\n<p>Tables: " + e(tableFiles.joined(separator: ", ")) + "; figures in <code>figures/</code>, their legends in <code>captions.md</code>; <code>summary.md</code>; <code>provenance.json</code>.</p>\n</main>\n"
        return HTMLPage(title: "Alpha diversity by \(exposure) — Moodbiome report", body: html, style: StudyDocuments.reportStyle, responsive: true).html
    }
}
