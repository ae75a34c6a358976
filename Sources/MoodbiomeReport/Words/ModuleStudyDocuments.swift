import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO

/// The "Gut–brain modules" part of a study's outputs (`analyze --functions`):
/// the module table, each module against the outcome, the taxa carrying the
/// top modules.
public struct ModuleStudyDocuments: Sendable {
    public let study: ModuleStudy
    public let outcome: String
    /// The functional profiles read.
    public let sources: [String]
    public var names = DisplayNames()

    public init(study: ModuleStudy, outcome: String, sources: [String]) {
        self.study = study
        self.outcome = outcome
        self.sources = sources
    }

    /// The taxa shown per module in the contribution bars; the rest pooled.
    static let shownTaxa = 6

    /// `module-abundance.csv`: one row per profiled sample, one column per module.
    public var abundanceTable: TextTable {
        let s = study.scores
        return TextTable(columns: ["sample_id"] + s.moduleIDs, rows: s.sampleIDs.indices.map { j in
            [.text(s.sampleIDs[j])] + s.moduleIDs.indices.map { .number(s.abundance(sample: j, module: $0)) }
        })
    }

    /// `module-associations.csv`: associate's all_results layout, the module's name after.
    public var associationTable: TextTable {
        let name = Dictionary(uniqueKeysWithValues: study.scoring.database.modules.map { ($0.id, $0.name) })
        return TextTable(columns: ["feature", "term", "estimate", "std_error", "statistic", "p_value", "q_value", "n", "n_nonzero", "name"],
                         rows: study.association.rows.map { r in
                             [.text(r.feature), .text(r.term), .number(r.estimate), .number(r.standardError), .number(r.statistic), .number(r.pValue),
                              .number(r.qValue), .number(Double(r.n)), .number(Double(r.nonZero)), .text(name[r.feature] ?? "")]
                         })
    }

    /// The outcome's rows, smallest q first.
    var outcomeRows: [TaxonAssociation.Row] { study.association.rows.filter { $0.term == study.outcomeTerm } }

    /// The summary table: the ten modules with the smallest q.
    var summaryTable: TextTable {
        let name = Dictionary(uniqueKeysWithValues: study.scoring.database.modules.map { ($0.id, $0.name) })
        var rows = [[TextTable.Cell]]()
        for r in outcomeRows.prefix(10) {
            let coefficient = NumberStyle.significantDigits(3).format(r.estimate) + " (" + NumberStyle.significantDigits(2).format(r.standardError) + ")"
            rows.append([.text(r.feature), .text(name[r.feature] ?? ""), .text(coefficient), .text(NumberPolicy.pValue(r.pValue)), .text(NumberPolicy.pValue(r.qValue))])
        }
        return TextTable(columns: ["Module", "Name", "Coefficient (SE)", "p", "q"], rows: rows)
    }

    var found: Int { study.scores.samplesFound.filter { $0 > 0 }.count }

    var isANCOMBC: Bool {
        if case .ancombc = study.association.method { return true }
        return false
    }

    var isANCOMBC2: Bool {
        if case .ancombc(let d) = study.association.method { return d.options.variant == .ancombc2 }
        return false
    }

    var isLinDA: Bool {
        if case .linda = study.association.method { return true }
        return false
    }

    func sentence(_ m: StudyDocuments.Markup) -> String {
        let significant = outcomeRows.filter { $0.qValue <= 0.25 }.count
        let text = "\(study.scoring.database.name): \(found) of \(study.scores.moduleIDs.count) modules found in the \(study.association.samples.count) samples with a functional profile; "
                 + "\(Words.counted(significant, "module")) associated with \(names.column(outcome)) at q ≤ 0.25 (\(study.association.features.count) tested). "
                 + (isANCOMBC ? "Coefficient: \(isANCOMBC2 ? "ANCOM-BC2" : "ANCOM-BC")'s bias-corrected natural-log fold change of the module's abundance per unit of \(names.column(outcome)), adjusted as the study's models are."
                    : isLinDA ? "Coefficient: LinDA's bias-corrected log₂ fold change of the module's centred log-ratio per unit of \(names.column(outcome)), adjusted as the study's models are."
                            : "Coefficient: the change in log₂ of the module's relative abundance per unit of \(names.column(outcome)), adjusted as the study's models are.")
        return m == .markdown ? Escape.markdown(text) : Escape.html(text)
    }

    var methods: String {
        if case .linda = study.association.method { return lindaMethods }
        if case .ancombc = study.association.method { return ancombcMethods }
        return "Modules were scored from the KEGG-ortholog profile (\(sources.joined(separator: ", "))) as omixer-rpm 1.1 does (coverage cut-off "
            + "\(NumberStyle.roundTrip.format(study.scoring.settings.coverage)), \(study.scoring.settings.estimator.rawValue) of the found steps); each module's abundance was "
            + "tested against the outcome and covariates as MaAsLin2 does by default (total-sum scaling, log₂ with zeros at half the smallest value, "
            + "\(study.association.options.model == .lm ? "linear models" : "models")\(study.association.model.contains("|") ? " with the study's random effects (lmerTest, Satterthwaite)" : ""), "
            + "modules in fewer than 10% of samples left out), Benjamini–Hochberg across modules. Shares: each taxon's module abundance scored on its own stratum, "
            + "summed over the samples, as a share of all taxa's."
    }

    var ancombcMethods: String {
        "Modules were scored from the KEGG-ortholog profile (\(sources.joined(separator: ", "))) as omixer-rpm 1.1 does (coverage cut-off "
            + "\(NumberStyle.roundTrip.format(study.scoring.settings.coverage)), \(study.scoring.settings.estimator.rawValue) of the found steps); each module's abundance was "
            + (isANCOMBC2
                ? "tested against the outcome and covariates with ANCOM-BC2 (Lin & Peddada 2024; as scikit-bio 0.7.4's ancombc2: ln(abundance + 1) centred, least squares, "
                    + "each sample's sampling fraction from the E–M biases subtracted and the models refitted, variances regularised (0.05 quantile), t tests; "
                    + "modules in fewer than 10% of samples left out), Holm across modules. "
                : "tested against the outcome and covariates with ANCOM-BC (Lin & Peddada 2020; as scikit-bio 0.7.4's ancombc: ln(abundance + 1), least squares, "
                    + "each coefficient's sampling-fraction bias by E–M subtracted, W tests; modules in fewer than 10% of samples left out), Holm across modules. ")
            + "Shares: each taxon's module abundance scored on its own stratum, summed over the samples, as a share of all taxa's."
    }

    var lindaMethods: String {
        "Modules were scored from the KEGG-ortholog profile (\(sources.joined(separator: ", "))) as omixer-rpm 1.1 does (coverage cut-off "
            + "\(NumberStyle.roundTrip.format(study.scoring.settings.coverage)), \(study.scoring.settings.estimator.rawValue) of the found steps); each module's abundance was "
            + "tested against the outcome and covariates with LinDA (Zhou et al. 2022; as the R package LinDA 0.2.0 with type = \"proportion\": each module's zeros at half its smallest "
            + "value, centred log-ratios in log₂, \(study.association.model.contains("|") ? "linear mixed models with the study's random effects (lmerTest, Satterthwaite)" : "linear models"), "
            + "each coefficient's compositional bias — the mode over modules — subtracted), Benjamini–Hochberg across modules. Shares: each taxon's module abundance scored on its own stratum, "
            + "summed over the samples, as a share of all taxa's."
    }

    func section(_ m: StudyDocuments.Markup) -> String {
        let title = "Gut–brain modules and \(names.column(outcome))"
        if m == .markdown {
            return "## \(Escape.markdown(title))\n\n" + sentence(.markdown) + "\n\n" + summaryTable.rendered(as: .markdown) + "\n"
                + Escape.markdown(methods) + " Every module and term in module-associations.csv; abundances in module-abundance.csv.\n\n"
        }
        return "<h2>\(Escape.html(title))</h2>\n<p>\(sentence(.html))</p>\n" + summaryTable.htmlTable()
            + "<p>\(Escape.html(methods)) Every module and term in <code>module-associations.csv</code>.</p>\n"
    }

    public var figures: [ReportFigure] {
        var out = [ReportFigure]()
        let points = outcomeRows.map { (label: $0.feature, estimate: $0.estimate, p: $0.pValue, q: $0.qValue) }
        if !points.isEmpty {
            out.append(ReportFigure(name: fileNameComponent("modules-vs-\(outcome)") + ".svg", figure: Figures.volcano(
                points: points, threshold: 0.25, xLabel: "coefficient (log₂ relative abundance per unit of \(names.column(outcome)))",
                title: "Modules and \(names.column(outcome))",
                caption: ["Each module of \(study.scoring.database.name) found in at least 10% of samples: its coefficient for \(names.column(outcome)) against −log₁₀ p;",
                          "coloured at q ≤ 0.25 (Benjamini–Hochberg), blue lower and red higher with \(names.column(outcome))."])))
        }
        if !study.contributions.isEmpty {
            let name = Dictionary(uniqueKeysWithValues: study.scoring.database.modules.map { ($0.id, $0.name) })
            let rows = study.contributions.map { c -> (label: String, parts: [(name: String, share: Double)]) in
                var parts = c.shares.prefix(Self.shownTaxa).map { (name: $0.taxon, share: $0.share) }
                let rest = c.shares.dropFirst(Self.shownTaxa).reduce(0) { $0 + $1.share }
                if rest > 0 { parts.append((name: "other taxa", share: rest)) }
                return ("\(c.module) \(name[c.module] ?? "")", parts)
            }
            out.append(ReportFigure(name: "module-contributions.svg", figure: Figures.stackedShares(
                rows, title: "Which taxa carry the modules",
                caption: ["For the modules most associated with \(names.column(outcome)): each taxon's share of the module, its module abundance scored on its own",
                          "stratum of the profile and summed over the study's samples; the \(Self.shownTaxa) largest taxa, the rest pooled."])))
        }
        return out
    }
}
