import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO

/// The community-composition part of a study's documents (`--beta`), for
/// the outcome and the exposure designs alike: the publication table, its
/// legend, the methods sentences, the data files and the PCoA figures.
public struct CompositionReport: Sendable {
    public let composition: [CompositionFinding]
    /// Whether the distances came from a rarefied table (its first draw).
    public let rarefied: Bool
    /// How the figures name columns and levels (`--display-name`, `--levels`).
    public let names: DisplayNames

    public init(composition: [CompositionFinding], rarefied: Bool, names: DisplayNames = DisplayNames()) {
        self.composition = composition
        self.rarefied = rarefied
        self.names = names
    }

    typealias Markup = StudyDocuments.Markup

    /// The publication-style composition table: per metric, each PERMANOVA
    /// term (R², pseudo-F, permutation p) and the dispersion test.
    public var compositionTable: TextTable {
        var rows = [[TextTable.Cell]]()
        for f in composition {
            for row in f.permanova.rows where row.term != "Total" && row.term != "Residual" {
                rows.append([.text(f.metric), .text("PERMANOVA: " + row.term), .text(String(row.df)), .text(NumberPolicy.value(row.rSquared)),
                             .text(NumberPolicy.value(row.f)), .text(NumberPolicy.permutationPValue(row.pValue, permutations: f.permanova.plan(for: row.term).count))])
            }
            if let d = f.dispersion {
                rows.append([.text(f.metric), .text("PERMDISP: " + (d.groups.isEmpty ? "" : groupColumn(f))), .text("\(d.df1), \(d.df2)"),
                             .text("—"), .text(NumberPolicy.value(d.f)), .text(NumberPolicy.permutationPValue(d.permutationPValue, permutations: d.plan.count))])
            }
        }
        return TextTable(columns: ["Metric", "Test", "df", "R²", "F", "p"], rows: rows)
    }

    func groupColumn(_ f: CompositionFinding) -> String { f.colouring?.column ?? "" }

    func compositionLegend(_ m: Markup) -> String {
        guard let first = composition.first else { return "" }
        let permutations = first.permanova.plan.count
        return "PERMANOVA (vegan adonis2, by margin): each term given all the others; R²: its share of the total sum of squares; "
            + "F: pseudo-F; p: from \(permutations) permutations. PERMDISP (vegan betadisper, spatial medians): do the groups differ in spread? "
            + "A significant PERMANOVA term with a significant PERMDISP may reflect dispersion rather than location."
    }

    /// The sentences of the methods paragraph on composition.
    func compositionMethods(_ m: Markup) -> String {
        guard let first = composition.first else { return "" }
        let metrics = composition.map { "\(m.code($0.metric)) (\(m.text($0.metricSummary)))" }.joined(separator: ", ")
        var text = "Between-sample (beta) diversity was computed as \(metrics)"
        text += rarefied ? " on the first rarefied draw." : "."
        text += " Differences in community composition were tested by permutational multivariate analysis of variance (PERMANOVA; Anderson 2001) "
            + "with the model \(m.code(first.formula)), each term's sum of squares given all other terms (as vegan's adonis2 with by = \"margin\"), "
            + "and \(first.permanova.plan.count) permutations (seed \(first.permanova.plan.seed)); p = (permutations with F at least the observed + 1) / (permutations + 1)."
        let terms = first.permanova.rows.filter { !["Residual", "Total"].contains($0.term) }.map { ($0.term, first.permanova.plan(for: $0.term)) }
        if let column = terms.lazy.compactMap({ $0.1.restriction.column }).first {
            text += " As samples of one \(m.code(column)) are not independent, permutations were restricted by \(m.code(column)): "
                + Words.restrictionDetails(terms, column: column, markup: m.code)
                + " (vegan/permute's plots and blocks)."
        } else {
            text += " Samples were permuted freely (each sample treated as independent)."
        }
        if let d = first.dispersion {
            text += " Homogeneity of multivariate dispersions across \(m.code(groupColumn(first))) groups was tested by PERMDISP (Anderson 2006; vegan's betadisper with spatial medians, ANOVA F and \(d.plan.count) permutations"
            switch d.plan.restriction {
            case .free: text += ")."
            case .withinBlocks(let c, _): text += ", samples permuted within \(m.code(c)))."
            case .wholePlots(let c, _): text += ", whole \(m.code(c)) groups permuted)."
            }
        }
        text += " Principal coordinate analyses (Gower centring) are shown for each metric."
        return text
    }

    /// `permanova.csv`: `metric` then vegan's table.
    public var permanovaFile: TextTable {
        var rows = [[TextTable.Cell]]()
        var columns = ["metric"]
        for f in composition {
            let t = f.permanova.table
            if columns.count == 1 { columns += t.columns }
            rows += t.rows.map { [.text(f.metric)] + $0 }
        }
        return TextTable(columns: columns, rows: rows)
    }

    /// `betadisper.csv`: one row per metric.
    public var dispersionFile: TextTable {
        var rows = [[TextTable.Cell]]()
        for f in composition {
            guard let d = f.dispersion else { continue }
            rows.append([.text(f.metric), .text(groupColumn(f))] + d.table.rows[0])
        }
        return TextTable(columns: ["metric", "group"] + (composition.first?.dispersion?.table.columns ?? []), rows: rows)
    }

    /// One principal-coordinates figure per metric, coloured by the groups.
    public var figures: [ReportFigure] {
        composition.map { finding in
            ReportFigure(name: fileNameComponent("pcoa-\(finding.metric)") + ".svg",
                         figure: Figures.ordination(finding.ordination, colouring: finding.colouring,
                                                 title: "Principal coordinates of \(BetaMetricDefinition.named(finding.metric)?.title ?? finding.metric) distances",
                                                 names: names))
        }
    }
}

extension StudyDocuments {
    public var compositionReport: CompositionReport { CompositionReport(composition: composition, rarefied: rarefaction != nil, names: names) }
    var compositionTable: TextTable { compositionReport.compositionTable }
    func compositionLegend(_ m: Markup) -> String { compositionReport.compositionLegend(m) }
    func compositionMethods(_ m: Markup) -> String { compositionReport.compositionMethods(m) }
    public var permanovaFile: TextTable { compositionReport.permanovaFile }
    public var dispersionFile: TextTable { compositionReport.dispersionFile }
}
