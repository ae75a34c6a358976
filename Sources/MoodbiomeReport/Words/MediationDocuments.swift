import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO

/// The documents of `moodbiome mediate`: `mediation.csv`, `paths.csv`, the
/// summary with its methods and assumptions, the figures and the report.
/// Words and drawings only: every number comes from ``Mediation``.
public struct MediationDocuments: Sendable {
    public let results: [Mediation]
    public let exposure: String
    public let outcome: String
    public let covariates: [String]
    /// How the contrasted exposure values read ("no", "yes"; "0", "1").
    public let controlLabel: String
    public let treatedLabel: String
    /// Per mediator, per effect: ``Mediation/qValues(_:)``.
    public let qValues: [[Double]]
    public var names = DisplayNames()

    /// The whole community as the mediator (`--mediator composition`).
    public struct Composition: Sendable {
        public let model: CompositionalMediation
        /// Bootstrap intervals: direct, total indirect, each part.
        public let intervals: [(low: Double, high: Double)]
        public let parts: Int
        /// Features pooled into `other` (0: none).
        public let pooled: Int
        public let samples: Int
        public let pseudocount: Double
        public let resamples: Int
        /// ccmm's sensitivity: the total indirect effect at each ρ (nil where undefined).
        public let sensitivity: [(rho: Double, effect: Double?)]

        public init(model: CompositionalMediation, intervals: [(low: Double, high: Double)], parts: Int, pooled: Int, samples: Int,
                    pseudocount: Double, resamples: Int, sensitivity: [(rho: Double, effect: Double?)]) {
            self.sensitivity = sensitivity
            self.model = model
            self.intervals = intervals
            self.parts = parts
            self.pooled = pooled
            self.samples = samples
            self.pseudocount = pseudocount
            self.resamples = resamples
        }

        var effects: [CompositionalMediation.Effect] { [model.direct, model.totalIndirect] + model.indirect }
    }
    public var composition: Composition? = nil
    /// `--sensitivity`: each mediator's sensitivity to mediator–outcome confounding.
    public var sensitivities: [MediationSensitivity] = []

    public init(results: [Mediation], qValues: [[Double]], exposure: String, outcome: String, covariates: [String],
                controlLabel: String, treatedLabel: String) {
        self.results = results
        self.exposure = exposure
        self.outcome = outcome
        self.covariates = covariates
        self.controlLabel = controlLabel
        self.treatedLabel = treatedLabel
        self.qValues = qValues
    }

    var settings: Mediation.Settings { results.first?.settings ?? Mediation.Settings() }
    var level: String { NumberPolicy.percent(settings.confidenceLevel) }

    /// `mediation.csv`: `mediator, effect, estimate, conf_low, conf_high,
    /// p_value`, and `q_value` across the mediators.
    public var mediationTable: TextTable {
        var rows = [[TextTable.Cell]]()
        for (i, m) in results.enumerated() {
            for (k, e) in m.effects.enumerated() {
                rows.append([.text(m.mediator), .text(e.name), .number(e.estimate), .number(e.low), .number(e.high), .number(e.pValue), .number(qValues[i][k])])
            }
        }
        return TextTable(columns: ["mediator", "effect", "estimate", "conf_low", "conf_high", "p_value", "q_value"], rows: rows)
    }

    /// `paths.csv`: the product-of-coefficients decomposition.
    public var pathsTable: TextTable {
        TextTable(columns: ["mediator", "a", "a_se", "b", "b_se", "c_prime", "c_total", "indirect_ab", "sobel_se", "sobel_p"],
                  rows: results.map { m in
                      let p = m.paths
                      return [.text(m.mediator)] + [p.a, p.aStandardError, p.b, p.bStandardError, p.cPrime, p.cTotal, p.indirect,
                                                     p.sobelStandardError, p.sobelPValue].map { .number($0) }
                  })
    }

    /// `compositional-mediation.csv`: `effect, estimate, std_error,
    /// conf_low, conf_high` — direct, total_indirect, indirect:<part>.
    public var compositionTable: TextTable? {
        guard let c = composition else { return nil }
        return TextTable(columns: ["effect", "estimate", "std_error", "conf_low", "conf_high"],
                         rows: zip(c.effects, c.intervals).map { e, ci in
                             [.text(e.name), .number(e.estimate), .number(e.variance.squareRoot()), .number(ci.low), .number(ci.high)]
                         })
    }

    /// `composition-sensitivity.csv`: `rho, total_indirect` (NA where the
    /// model has no solution).
    public var sensitivityTable: TextTable? {
        guard let c = composition else { return nil }
        return TextTable(columns: ["rho", "total_indirect"], rows: c.sensitivity.map { [.number($0.rho), .number($0.effect ?? .nan)] })
    }

    /// Where the total indirect effect would cross 0, in words.
    var sensitivitySentence: String {
        guard let c = composition else { return "" }
        let defined = c.sensitivity.compactMap { s in s.effect.map { (s.rho, $0) } }
        guard let first = defined.first, let last = defined.last else { return "" }
        var crossing: Double? = nil
        for (a, b) in zip(defined, defined.dropFirst()) where (a.1 <= 0) != (b.1 <= 0) {
            crossing = a.0 + (0 - a.1) * (b.0 - a.0) / (b.1 - a.1)
            break
        }
        let range = "ρ from \(NumberPolicy.value(first.0)) to \(NumberPolicy.value(last.0))"
        if let crossing {
            return "Sensitivity (ccmm's): the total indirect effect would be 0 if an unmeasured confounder made the outcome's and the parts' residuals "
                + "correlate at ρ ≈ \(NumberPolicy.value(crossing, digits: 2)) (composition-sensitivity.csv)."
        }
        return "Sensitivity (ccmm's): the total indirect effect keeps its sign for every residual correlation ρ at which the model has a solution "
            + "(\(range); composition-sensitivity.csv), from \(NumberPolicy.value(defined.map(\.1).min()!)) to \(NumberPolicy.value(defined.map(\.1).max()!))."
    }

    /// The compositional model in words.
    func compositionMethods(_ m: StudyDocuments.Markup) -> String {
        guard let c = composition else { return "" }
        return "The whole community was taken as one mediator with the compositional mediation model of Sohn & Li (2019), as the R package "
            + "ccmm 1.0 estimates it: the \(c.parts - (c.pooled > 0 ? 1 : 0)) most abundant features" + (c.pooled > 0 ? " and the other \(c.pooled) pooled as one part" : "")
            + ", each count plus a pseudocount of \(NumberStyle.roundTrip.format(c.pseudocount)) and closed to proportions, in \(c.samples) samples; "
            + "the composition model's parameter bootstrapped \(NumberPolicy.value(Double(c.resamples))) times, the outcome model (\(m.text(outcome)) on the "
            + "log composition under a zero-sum constraint, the exposure and covariates) fitted by a debiased scaled lasso. Standard errors are ccmm's "
            + "normal approximation; intervals are its bootstrap percentiles."
    }

    /// The people's table: per mediator, ACME, ADE, total effect and proportion mediated (averages).
    var summaryTable: TextTable {
        func cell(_ e: Mediation.Effect) -> String { "\(NumberPolicy.value(e.estimate)) (\(NumberPolicy.interval(e.low, e.high)))" }
        let multiple = results.count > 1
        return TextTable(columns: ["Mediator", "ACME (\(level)% CI)", "p"] + (multiple ? ["q"] : [])
                            + ["ADE (\(level)% CI)", "Total effect (\(level)% CI)", "Proportion mediated", "n"],
                         rows: results.enumerated().map { i, m in
                             let e = Dictionary(uniqueKeysWithValues: m.effects.map { ($0.name, $0) })
                             var row = [names.column(m.mediator), cell(e["acme_average"]!), NumberPolicy.pValue(e["acme_average"]!.pValue)]
                             if multiple { row.append(NumberPolicy.pValue(qValues[i][7])) }
                             row += [cell(e["ade_average"]!), cell(e["total_effect"]!), NumberPolicy.value(e["prop_mediated_average"]!.estimate),
                                     String(m.outcomeModel.design.ids.count)]
                             return row.map { .text($0) }
                         })
    }

    /// Direct, total indirect and the ten parts with the largest |indirect effect|.
    var compositionSummary: TextTable? {
        guard let c = composition else { return nil }
        let rows = zip(c.effects, c.intervals).enumerated().map { ($0.offset, $0.element.0, $0.element.1) }
        let parts = rows.dropFirst(2).sorted { abs($0.1.estimate) > abs($1.1.estimate) }.prefix(10)
        return TextTable(columns: ["Effect", "Estimate (SE)", "\(level)% CI (bootstrap)"],
                         rows: (Array(rows.prefix(2)) + parts).map { _, e, ci in
                             [.text(e.name.replacing("indirect:", with: "indirect via ").replacing("total_indirect", with: "total indirect")),
                              .text("\(NumberPolicy.value(e.estimate)) (\(NumberPolicy.value(e.variance.squareRoot())))"),
                              .text(NumberPolicy.interval(ci.low, ci.high))]
                         })
    }

    /// `sensitivity.csv`: every grid point of every mediator's sensitivity analysis.
    public var imaiSensitivityTable: TextTable? {
        guard !sensitivities.isEmpty else { return nil }
        let effects = ["acme_control", "acme_treated", "ade_control", "ade_treated"]
        return TextTable(columns: ["mediator", "rho"] + effects.flatMap { [$0, $0 + "_low", $0 + "_high"] },
                         rows: sensitivities.flatMap { s in s.points.map { p in
                             [.text(s.mediator), .number(p.rho)] + [p.acmeControl, p.acmeTreated, p.adeControl, p.adeTreated].flatMap { [.number($0.0), .number($0.1), .number($0.2)] }
                         } })
    }

    /// What each sensitivity analysis says, in words.
    var imaiSensitivitySentences: [String] {
        sensitivities.map { s in
            let r = NumberStyle.roundTrip.format((s.acmeZeroRho.control * 1000).rounded() / 1000)
            return "Sensitivity (\(names.column(s.mediator))): the ACME would be 0 if an unmeasured confounder correlated the errors of the mediator "
                + "and outcome models at ρ = \(r) (ρ² = R²*_M·R²*_Y = \(NumberPolicy.value(s.r2Star)); as shares of the variance left unexplained and of the total, "
                + "R̃²_M·R̃²_Y = \(NumberPolicy.value(s.r2Tilde))); every ρ from −\(NumberStyle.roundTrip.format(1 - s.step)) to \(NumberStyle.roundTrip.format(1 - s.step)) in sensitivity.csv "
                + "(Imai, Keele & Yamamoto 2010, as mediation's medsens computes it)."
        }
    }

    /// The assumptions, in plain words (always printed).
    public var assumptions: [String] {
        ["The effects are causal only under sequential ignorability (Imai, Keele & Tingley 2010): no unmeasured confounding of the "
            + "exposure–outcome, exposure–mediator and mediator–outcome relations (given the covariates), and no mediator–outcome "
            + "confounder that the exposure itself affects. No data can check these.",
         "The model assumes the exposure comes before the mediator and the mediator before the outcome. With one row per participant "
            + "(cross-sectional data) all three were measured at once: that order is assumed, not observed, and the mediator may as well "
            + "follow the outcome."]
    }

    /// The methods paragraph.
    func methods(_ m: StudyDocuments.Markup) -> String {
        let s = settings
        let adjusted = covariates.isEmpty ? "" : " + " + covariates.joined(separator: " + ")
        var text = "Causal mediation analysis (Imai, Keele & Tingley 2010) was run with Moodbiome \(moodbiomeVersion), as statsmodels' "
            + "Mediation computes it: for each mediator M, a mediator model \(m.code("M ~ \(exposure)\(adjusted)")) by ordinary least squares and an "
            + "outcome model \(m.code("\(outcome) ~ \(exposure) + M\(s.interaction ? " + \(exposure):M" : "")\(adjusted)")) "
            + (s.family == .binomial ? "by logistic regression (effects on the probability scale)" : "by ordinary least squares")
            + ", fitted on the participants with every variable. "
        text += "The exposure was contrasted between \(m.text(controlLabel)) (control) and \(m.text(treatedLabel)) (treated). "
        text += s.method == .quasiBayes
            ? "Effects were simulated from \(NumberPolicy.value(Double(s.simulations))) quasi-Bayesian draws of both models' coefficients (their estimated sampling distributions), "
            : "Effects were simulated from \(NumberPolicy.value(Double(s.simulations))) nonparametric bootstrap refits of each model (rows resampled independently for the two models, as statsmodels does), "
        text += "each drawing every participant's potential mediator under control and treatment (seed \(s.seed)). "
        text += "The average causal mediation effect (ACME), the average direct effect (ADE), the total effect and the proportion mediated are the means "
            + "(the proportions: medians) over the draws, with "
            + (s.interval == .bca ? "bias-corrected and accelerated \(level)% intervals (BCa, as the R package mediation computes them from the replicates)" : "percentile \(level)% intervals")
            + " and two-sided p-values from the draws' signs. "
        text += "The product-of-coefficients paths (a, b, c′, c) and the Sobel test of a·b are in paths.csv"
        text += results.count > 1 ? "; q-values adjust each effect across the \(results.count) mediators (Benjamini–Hochberg)." : "."
        return text
    }

    public var figures: [ReportFigure] {
        var out = [ReportFigure]()
        for m in results {
            let e = Dictionary(uniqueKeysWithValues: m.effects.map { ($0.name, $0) })
            let p = m.paths
            let acme = e["acme_average"]!, total = e["total_effect"]!
            func v(_ x: Double) -> String { NumberPolicy.value(x) }
            let caption = ["n = \(m.outcomeModel.design.ids.count). a: \(names.column(exposure)) → \(names.column(m.mediator)) (SE \(v(p.aStandardError))); "
                           + "b: \(names.column(m.mediator)) → \(names.column(outcome)) given the exposure (SE \(v(p.bStandardError))); c′: the direct path. "
                           + "ACME (average of control and treated) and total effect: \(NumberPolicy.value(Double(settings.simulations))) "
                           + (settings.method == .quasiBayes ? "quasi-Bayesian" : "bootstrap") + " draws, \(level)% percentile intervals; "
                           + "\(controlLabel) → \(treatedLabel).",
                           "Causal only under the assumptions stated in the report (no unmeasured confounding; exposure before mediator before outcome)."]
            out.append(ReportFigure(name: fileNameComponent("path-\(m.mediator)") + ".svg",
                                    figure: Figures.pathDiagram(exposure: names.column(exposure), mediator: names.column(m.mediator), outcome: names.column(outcome),
                                                                a: v(p.a), b: v(p.b), cPrime: v(p.cPrime),
                                                                acme: "\(v(acme.estimate)) (\(level)% CI \(NumberPolicy.interval(acme.low, acme.high))), \(NumberPolicy.statement(acme.pValue))",
                                                                total: "\(v(total.estimate)) (\(NumberPolicy.interval(total.low, total.high)))",
                                                                title: "\(names.column(exposure)) → \(names.column(m.mediator)) → \(names.column(outcome))", caption: caption)))
        }
        if let c = composition {
            let all = zip(c.effects, c.intervals).map { ($0, $1) }
            let parts = all.dropFirst(2).sorted { abs($0.0.estimate) > abs($1.0.estimate) }.prefix(15)
            let rows = (Array(all.prefix(2)) + parts).map { e, ci in
                (label: e.name.replacing("indirect:", with: "via ").replacing("total_indirect", with: "total indirect"), estimate: e.estimate, low: ci.low, high: ci.high)
            }
            out.append(ReportFigure(name: "composition-forest.svg",
                                    figure: Figures.forest(rows, xLabel: "effect on \(names.column(outcome))",
                                                           title: "\(names.column(exposure)) through the community: the largest indirect effects",
                                                           caption: ["Direct effect, total indirect effect through the composition and the \(parts.count) parts with the "
                                                                     + "largest indirect effects (Sohn & Li 2019, as ccmm); lines: \(level)% bootstrap intervals from "
                                                                     + "\(NumberPolicy.value(Double(c.resamples))) resamples; dashed: no effect."])))
        }
        guard !results.isEmpty else { return ReportFigure.distinctNames(out) }
        let rows = results.map { m -> (label: String, estimate: Double, low: Double, high: Double) in
            let e = m.effects[7]
            return (names.column(m.mediator), e.estimate, e.low, e.high)
        }
        out.append(ReportFigure(name: "acme-forest.svg",
                                figure: Figures.forest(rows, xLabel: "ACME on \(names.column(outcome)) (\(controlLabel) → \(treatedLabel))",
                                                       title: "Average causal mediation effect of \(names.column(exposure)), by mediator",
                                                       caption: ["Points: the ACME (average of control and treated); lines: \(level)% percentile intervals from "
                                                                 + "\(NumberPolicy.value(Double(settings.simulations))) draws; dashed: no effect."])))
        return ReportFigure.distinctNames(out)
    }

    /// The mediation as a section of another report (`analyze
    /// --mediate-by`): the effects per metric, the assumptions, the methods.
    func section(_ m: StudyDocuments.Markup) -> String {
        let title = "Mediation: \(exposure) → metric → \(outcome)"
        if m == .markdown {
            return "## \(Escape.markdown(title))\n\n" + summaryTable.rendered(as: .markdown) + "\n"
                + assumptions.map { "- " + Escape.markdown($0) }.joined(separator: "\n") + "\n\n" + methods(.markdown)
                + " Every effect and the paths are in mediation.csv and paths.csv.\n\n"
        }
        return "<h2>\(Escape.html(title))</h2>\n" + summaryTable.htmlTable() + "<ul>\n" + assumptions.map { "<li>\(Escape.html($0))</li>\n" }.joined()
            + "</ul>\n<p>\(methods(.html)) Every effect and the paths are in <code>mediation.csv</code> and <code>paths.csv</code>.</p>\n"
    }

    /// `summary.md`.
    public var summaryMarkdown: String {
        var out = "# Mediation of \(Escape.markdown(exposure)) on \(Escape.markdown(outcome))\n\n"
        if !results.isEmpty { out += summaryTable.rendered(as: .markdown) + "\n" }
        if !results.isEmpty {
            out += "ACME: average causal mediation effect, the part of the exposure's effect on \(Escape.markdown(outcome)) carried by the mediator; "
                + "ADE: the rest (direct); both averaged over the control and treated conditions (each condition in mediation.csv).\n\n"
        }
        if let table = compositionSummary {
            out += "## The community as the mediator\n\n" + table.rendered(as: .markdown) + "\n"
                + "Direct: the exposure's effect not through the composition; total indirect: through it; then the parts with the largest "
                + "indirect effects (every part in compositional-mediation.csv). " + Escape.markdown(sensitivitySentence) + "\n\n"
        }
        out += "## Assumptions\n\n" + assumptions.map { "- " + Escape.markdown($0) }.joined(separator: "\n") + "\n\n"
        if !sensitivities.isEmpty { out += "## Sensitivity\n\n" + imaiSensitivitySentences.map { "- " + Escape.markdown($0) }.joined(separator: "\n") + "\n\n" }
        out += "## Methods\n\n" + (results.isEmpty ? "" : methods(.markdown) + " ") + compositionMethods(.markdown) + "\n"
        return out
    }

    /// `report.html`: self-contained, every user string escaped.
    public func reportHTML(figures: [ReportFigure]) -> String {
        let e = Escape.html
        let title = "Mediation of \(exposure) on \(outcome)"
        var html = "<main>\n<h1>\(e(title))</h1>\n"
        html += "<p class=\"meta\">Moodbiome \(e(moodbiomeVersion)) · \(Words.counted(results.count, "mediator")) · inputs and checksums in <code>provenance.json</code></p>\n"
        if !results.isEmpty { html += "<h2>Effects</h2>\n" + summaryTable.htmlTable() }
        if let table = compositionSummary {
            html += "<h2>The community as the mediator</h2>\n" + table.htmlTable() + "<p>\(Escape.html(sensitivitySentence))</p>\n"
        }
        html += "<h2>Assumptions</h2>\n<ul>\n" + assumptions.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n"
        if !sensitivities.isEmpty { html += "<h2>Sensitivity</h2>\n<ul>\n" + imaiSensitivitySentences.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n" }
        html += "<h2>Figures</h2>\n<div class=\"figures\">\n" + figures.map(\.html).joined() + "</div>\n"
        html += "<h2>Methods</h2>\n<p>\(results.isEmpty ? "" : methods(.html) + " ")\(compositionMethods(.html))</p>\n"
        html += "<h2>Files</h2>\n<p>" + (results.isEmpty ? "" : "mediation.csv (every effect), paths.csv (a, b, c′, c, Sobel); ")
            + (composition == nil ? "" : "compositional-mediation.csv; ") + "figures in <code>figures/</code>, their legends in "
            + "<code>captions.md</code>; <code>summary.md</code>; <code>provenance.json</code>.</p>\n</main>\n"
        return HTMLPage(title: title + " — Moodbiome report", body: html, style: StudyDocuments.reportStyle, responsive: true).html
    }
}
