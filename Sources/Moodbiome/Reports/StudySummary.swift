import Foundation

/// Numbers for people: 3 significant digits, plain notation between 1e-4
/// and 1e6, scientific outside; `NA` when missing.
func humanNumber(_ x: Double?, digits: Int = 3) -> String {
    guard let x, x.isFinite else { return x.map { $0.isNaN ? "NA" : ($0 > 0 ? "Inf" : "-Inf") } ?? "NA" }
    if x == 0 { return "0" }
    let magnitude = abs(x)
    if x == x.rounded() && magnitude < 1e6 { return String(Int(x)) }
    if magnitude >= 1e-4 && magnitude < 1e6 {
        let decimals = Swift.max(0, digits - 1 - Int(floor(log10(magnitude))))
        var text = String(format: "%.\(decimals)f", x)
        if text.hasPrefix("-") && Double(text) == 0 { text.removeFirst() }
        return text
    }
    return String(format: "%.\(digits - 1)e", x)
}

/// A p- or q-value for people: `< 0.001` below a thousandth, else 2
/// significant digits (3 below 0.01 would over-state precision).
func humanPValue(_ p: Double?) -> String {
    guard let p, !p.isNaN else { return "NA" }
    if p < 0.001 { return "< 0.001" }
    return humanNumber(p, digits: 2)
}

extension StudyAnalysis {
    /// The publication-style table: one row per metric.
    func summaryTable(_ r: Result) -> TextTable {
        let binary = r.family == .binomial
        let level = NumberStyle.roundTrip.format(confidenceLevel * 100)
        let effect = binary ? "OR (\(level)% CI)" : "β (\(level)% CI)"
        var header = ["Metric", effect, "p", "q"]
        if !binary { header.append("Std. β") }
        header += ["Spearman ρ", "ρ p", "n", binary ? "McFadden R²" : "R²"]
        var rows = [[TextTable.Cell]]()
        for (i, m) in r.metrics.enumerated() {
            let c = m.term
            let estimate: String
            if c.isAliased {
                estimate = "aliased"
            } else if binary {
                estimate = "\(humanNumber(exp(c.estimate!))) (\(humanNumber(exp(c.confidenceLow!))) to \(humanNumber(exp(c.confidenceHigh!))))"
            } else {
                estimate = "\(humanNumber(c.estimate)) (\(humanNumber(c.confidenceLow)) to \(humanNumber(c.confidenceHigh)))"
            }
            var row = [m.metric, estimate, humanPValue(c.pValue), humanPValue(r.qValues[i])]
            if !binary { row.append(humanNumber(c.standardizedEstimate)) }
            let fit = Dictionary(uniqueKeysWithValues: m.model.fitStatistics.map { ($0.name, $0.value) })
            row += [humanNumber(m.spearman.statistic), humanPValue(m.spearman.pValue), String(m.model.design.ids.count),
                    humanNumber(binary ? fit["pseudo_r_squared"] : fit["r_squared"])]
            rows.append(row.map { .text($0) })
        }
        return TextTable(columns: header, rows: rows)
    }

    /// What the summary table's columns mean.
    func summaryLegend(_ r: Result) -> String {
        let level = NumberStyle.roundTrip.format(confidenceLevel * 100)
        var out = ""
        if r.family == .binomial {
            out += "OR: odds ratio of \(r.outcomeDescription) per unit of the metric, adjusted for the covariates; Wald \(level)% confidence interval. "
        } else {
            out += "β: change in \(outcome) per unit of the metric, adjusted for the covariates. Std. β: per standard deviation of the metric, in standard deviations of \(outcome). "
        }
        return out + "q: \(adjustmentName) adjustment across the \(r.metrics.count) metrics. Spearman ρ: unadjusted rank correlation with \(outcome)."
    }

    /// `summary.md`: the publication-style table (one row per metric) and a
    /// methods paragraph describing exactly what was done.
    func summaryMarkdown(_ r: Result) -> String {
        var out = "# Alpha diversity and \(outcome)\n\n"
        out += summaryTable(r).rendered(as: .markdown) + "\n"
        out += summaryLegend(r) + "\n\n"
        out += "## Methods\n\n" + methodsParagraph(r) + "\n"
        return out
    }

    var adjustmentName: String {
        switch adjustment {
        case .benjaminiHochberg: "Benjamini–Hochberg false-discovery-rate"
        case .holm: "Holm"
        case .bonferroni: "Bonferroni"
        }
    }

    /// The paragraph a researcher can paste into a methods section.
    func methodsParagraph(_ r: Result) -> String {
        let d = diversity
        let metricList = r.diversity.metrics.map { "`\($0.label)`, \($0.metric.summary)" }
        var text = "Alpha diversity was computed with Moodbiome \(moodbiomeVersion) from the count table `\(URL(fileURLWithPath: d.tablePath).lastPathComponent)`: "
        text += metricList.joined(separator: "; ") + "."
        if r.diversity.metrics.contains(where: { m in
            if case .renyi = m.metric { return true }
            return m.metric == .shannon
        }) {
            text += " Entropies use the \(d.options.base == .e ? "natural" : "base-\(d.options.base == .two ? "2" : "10")") logarithm."
        }
        if let depth = d.rarefactionDepth {
            text += " Samples were rarefied to \(depth) reads without replacement (\(d.iterations == 1 ? "one draw" : "metrics averaged over \(d.iterations) draws"), seed \(d.resolvedSeed))"
            text += r.diversity.belowDepth.isEmpty ? "." : "; \(r.diversity.belowDepth.count) samples with fewer reads were excluded."
        }
        if let scoring = r.scoringDescription { text += " " + scoring }
        let joinedN = r.merged.rowCount
        text += " Of the samples, \(joinedN) had both diversity values and metadata"
        var exclusions = [String]()
        if !r.onlyInCounts.isEmpty { exclusions.append("\(r.onlyInCounts.count) were in the count table only") }
        if !r.onlyInMetadata.isEmpty { exclusions.append("\(r.onlyInMetadata.count) metadata rows had no diversity values") }
        text += exclusions.isEmpty ? "." : " (\(exclusions.joined(separator: "; ")))."
        let covariateText = covariates.isEmpty ? "without covariates" : "adjusting for " + covariates.joined(separator: ", ")
        let outcomeText = r.modelledOutcome == outcome ? outcome : r.outcomeDescription + " (dichotomised)"
        if r.family == .binomial {
            text += " For each metric, \(outcomeText) was modelled by logistic regression on the metric, \(covariateText) (maximum likelihood by iteratively reweighted least squares; Wald tests and intervals; odds ratios reported)."
        } else {
            let se = covariance == .classical ? "classical standard errors" : "\(covariance.rawValue.uppercased()) heteroscedasticity-consistent standard errors"
            text += " For each metric, \(outcomeText) was regressed on the metric, \(covariateText), by ordinary least squares (\(se); t tests)."
        }
        let categorical = covariates.filter { r.merged.kind(of: $0) == .categorical }
        if !categorical.isEmpty {
            let refs = categorical.map { c -> String in
                let levels = sortedLevels(Array(Set(r.merged.cells(of: c)!.filter { !DataTable.isMissing($0) })))
                return "\(c) (reference \(references[c] ?? levels.first ?? ""))"
            }
            text += " Categorical covariates were treatment-coded: " + refs.joined(separator: ", ") + "."
        }
        let dropped = r.metrics.map { $0.model.design.nDropped }
        if let maxDropped = dropped.max(), maxDropped > 0 {
            let n = r.metrics.map { $0.model.design.ids.count }
            text += " Rows with a missing value in a model's variables were excluded from that model (listwise deletion; n = \(n.min()!)\(n.min() == n.max() ? "" : "–\(n.max()!)") per model)."
        }
        text += " p-values of the diversity terms were adjusted across the \(r.metrics.count) metrics by the \(adjustmentName) procedure (q-values). Unadjusted Spearman rank correlations (mid-ranks for ties) of each metric with \(outcome) are also reported."
        return text
    }
}
