import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeNumerics

/// The documents of `moodbiome associate`: the result tables, the summary
/// with its methods paragraph, and the figures. Words and drawings only:
/// every number comes from ``TaxonAssociation``.
public struct AssociationDocuments: Sendable {
    public let result: TaxonAssociation
    public let countsPath: String
    /// q at or below which a result is listed as significant (MaAsLin2: 0.25).
    public let maxSignificance: Double
    /// Outcome mode: the outcome and the family.
    public let outcome: String?
    public let family: ModelFamily
    /// How many top hits get a figure of their own.
    public let topHits: Int

    public init(result: TaxonAssociation, countsPath: String, maxSignificance: Double, outcome: String?, family: ModelFamily, topHits: Int = 10) {
        self.result = result
        self.countsPath = countsPath
        self.maxSignificance = maxSignificance
        self.outcome = outcome
        self.family = family
        self.topHits = topHits
    }

    var hasTaxonomy: Bool { result.rows.contains { $0.taxonomy != nil } }

    /// `all_results`: one row per feature × coefficient, sorted by q.
    public var allResults: TextTable { table(result.rows) }

    /// `significant_results`: the rows with q ≤ the threshold.
    public var significantResults: TextTable { table(result.rows.filter { $0.qValue <= maxSignificance }) }

    /// LinDA's details, when LinDA made the rows.
    var linda: LinDA.Details? {
        if case .linda(let details) = result.method { return details }
        return nil
    }

    /// ANCOM-BC's details, when ANCOM-BC made the rows.
    var ancombc: ANCOMBC.Details? {
        if case .ancombc(let details) = result.method { return details }
        return nil
    }

    /// ANCOM-BC2 (not ANCOM-BC) made the rows.
    var isANCOMBC2: Bool { ancombc?.options.variant == .ancombc2 }

    /// The method's name as the documents write it.
    var ancombcName: String { isANCOMBC2 ? "ANCOM-BC2" : "ANCOM-BC" }

    func table(_ rows: [TaxonAssociation.Row]) -> TextTable {
        var columns = ["feature", "term", "estimate", "std_error", "statistic", "p_value", "q_value", "n", "n_nonzero"]
        let hasTaxonomy = self.hasTaxonomy   // once, not once per row
        let isLinDA = linda != nil, withDF = isANCOMBC2
        let withSensitivity = rows.contains { $0.passesSensitivity != nil } || (ancombc?.options.pseudoSensitivity ?? false) && isANCOMBC2
        if isLinDA { columns += ["df", "base_mean"] }
        if withDF { columns.append("df") }
        if withSensitivity { columns += ["passed_ss", "robust"] }
        let level = ancombc?.options.sensitivityLevel ?? 0.05
        if hasTaxonomy { columns.append("taxonomy") }
        return TextTable(columns: columns, rows: rows.map { r in
            var row: [TextTable.Cell] = [.text(r.feature), .text(r.term), .number(r.estimate), .number(r.standardError), .number(r.statistic),
                                         .number(r.pValue), .number(r.qValue), .number(Double(r.n)), .number(Double(r.nonZero))]
            if isLinDA { row += [.number(r.degreesOfFreedom ?? .nan), .number(r.baseMean ?? .nan)] }
            if withDF { row.append(.number(r.degreesOfFreedom ?? .nan)) }
            if withSensitivity {
                let passed = r.passesSensitivity ?? true
                row += [.text(passed ? "true" : "false"), .text(passed && r.qValue <= level ? "true" : "false")]
            }
            if hasTaxonomy { row.append(.text(r.taxonomy ?? "")) }
            return row
        })
    }

    /// `bias.csv` (LinDA): the bias subtracted from each design column's
    /// coefficients; nil for MaAsLin2.
    public var bias: TextTable? {
        if let d = ancombc, d.options.variant == .ancombc2 {
            return TextTable(columns: ["term", "bias", "bias_variance", "iterations"],
                             rows: d.bias.map { [.text($0.column), .number($0.bias), .number($0.variance), .number(Double($0.iterations))] })
        }
        if let d = ancombc {
            return TextTable(columns: ["term", "bias", "iterations"], rows: d.bias.map { [.text($0.column), .number($0.bias), .number(Double($0.iterations))] })
        }
        return linda.map { d in TextTable(columns: ["term", "bias"], rows: d.bias.map { [.text($0.column), .number($0.bias)] }) }
    }

    /// `structural_zeros.csv` (ANCOM-BC(2) with a structural-zero check).
    public var structuralZeros: TextTable? { ancombc?.structuralZeros?.table }

    /// The structural-zero detail of feature `name`.
    func absence(_ name: String) -> String { ancombc?.structuralZeros?.absence(name) ?? "" }

    /// `filtered_features`: what was left out and why.
    public var filteredFeatures: TextTable {
        TextTable(columns: ["feature", "reason", "detail"], rows: result.filtered.map { f in
            switch f.reason {
            case .structuralZero:
                return [.text(f.feature), .text("structural_zero"), .text(absence(f.feature))]
            case .prevalence(let samples, let of, let needed) where linda != nil || ancombc != nil:
                return [.text(f.feature), .text("prevalence"),
                        .text("present in \(samples) of \(of) samples; at least \(NumberStyle.roundTrip.format(needed)) needed")]
            case .prevalence(let samples, let of, let needed):
                return [.text(f.feature), .text("prevalence"),
                        .text("above \(NumberStyle.roundTrip.format(result.options.filter.minimumAbundance)) in \(samples) of \(of) samples; more than \(NumberStyle.roundTrip.format(needed)) needed")]
            case .variance(let v):
                return [.text(f.feature), .text("variance"),
                        .text("variance \(NumberStyle.significantDigits(4).format(v)), not above \(NumberStyle.roundTrip.format(result.options.filter.minimumVariance))")]
            }
        })
    }

    /// The notes the command prints.
    public var notes: [String] {
        var out = [String]()

        if !result.droppedForMissing.isEmpty {
            out.append("note: " + Words.exclusionSummary(dropped: result.droppedForMissing.count, total: result.droppedForMissing.count + result.samples.count + result.emptyAfterFiltering.count,
                                                         exclusions: result.exclusions) + ": \(Words.list(result.droppedForMissing))")
        }
        if let d = linda {
            if !d.shallowSamples.isEmpty {
                out.append("note: \(Words.counted(d.shallowSamples.count, "sample")) with fewer than \(NumberStyle.roundTrip.format(d.options.minimumDepth)) reads left out: \(Words.list(d.shallowSamples))")
            }
            out.append("note: " + zerosSentence(d))
        }
        if let d = ancombc {
            if !d.shallowSamples.isEmpty {
                out.append("note: \(Words.counted(d.shallowSamples.count, "sample")) with fewer than \(NumberStyle.roundTrip.format(d.options.minimumDepth)) reads left out: \(Words.list(d.shallowSamples))")
            }
            if isANCOMBC2 && d.options.pseudoCount == 0 {
                out.append("note: zeros are missing values (ANCOM-BC2's default; --pseudocount adds one instead): each feature fitted on the samples where it was seen")
                if !d.unfittable.isEmpty {
                    out.append("note: \(Words.counted(d.unfittable.count, "feature")) seen in one level only of a categorical variable cannot be fitted (as R's lm), reported with p = 1: \(Words.list(d.unfittable))")
                }
            } else {
                out.append("note: pseudo-count \(NumberStyle.roundTrip.format(d.options.pseudoCount)) added to every count before the log (\(isANCOMBC2 ? "ANCOM-BC2 with a pseudo-count" : "ANCOM-BC takes no zeros"))")
            }
            if isANCOMBC2 && d.options.pseudoSensitivity {
                let level = d.options.sensitivityLevel
                let called = result.rows.filter { $0.qValue <= level }
                let robust = called.filter { $0.passesSensitivity ?? true }
                out.append("note: pseudo-count sensitivity (R's pseudo_sens: the analysis again with pseudo-counts 0.1, 0.5, 1): \(robust.count) of \(called.count) calls at q ≤ \(NumberStyle.roundTrip.format(level)) robust (columns passed_ss, robust)")
            }
            if let z = d.structuralZeros {
                let absent = result.filtered.filter { $0.reason == .structuralZero }.count
                out.append("note: structural zeros by \(z.group)" + (z.lowerBound ? " (95% lower bound of the prevalence)" : "") + ": "
                           + (absent == 0 ? "none of the \(z.features.count) features is absent from a whole group"
                              : "\(Words.counted(absent, "feature")) absent from a whole group, not tested (structural_zeros.csv; filtered_features.csv says which group)"))
            }
            let unsettled = d.bias.filter { $0.iterations >= d.options.maxIterations }
            if !unsettled.isEmpty {
                out.append("note: the bias E–M of \(unsettled.map(\.column).joined(separator: ", ")) stopped at \(d.options.maxIterations) iterations before its tolerance")
            }
        }
        if !result.emptyAfterFiltering.isEmpty {
            out.append("note: \(result.emptyAfterFiltering.count) sample\(result.emptyAfterFiltering.count == 1 ? " has" : "s have") no reads in the kept features and cannot be normalised, left out: \(Words.list(result.emptyAfterFiltering))")
        }
        if !result.filtered.isEmpty {
            out.append("note: \(result.filtered.count) of \(result.filtered.count + result.features.count) features filtered out (listed in filtered_features); \(result.features.count) tested")
        }
        if !result.failedFeatures.isEmpty {
            out.append("note: the model of \(result.failedFeatures.count) feature\(result.failedFeatures.count == 1 ? "" : "s") could not be fitted (separation or no convergence), NA: \(Words.list(result.failedFeatures))")
        }
        let significant = result.rows.filter { $0.qValue <= maxSignificance }.count
        out.append("\(significant) feature–term association\(significant == 1 ? "" : "s") at q ≤ \(NumberStyle.roundTrip.format(maxSignificance)) (\(result.rows.count) tested)")
        return out
    }

    /// What LinDA did with the zeros, and why.
    func zerosSentence(_ d: LinDA.Details) -> String {
        let strongest = d.depthAssociation.min { $0.pValue < $1.pValue }
        let test = strongest.map { "log depth ~ formula: smallest p = \(NumberPolicy.pValue($0.pValue)) (\($0.column))" } ?? ""
        let cutoff = NumberStyle.roundTrip.format(d.options.correlationCutoff)
        switch (d.zeroTreatment, d.options.zeros) {
        case (.none, _): return "zeros: the table has none in the kept features; no pseudo-count"
        case (.imputation, .adaptive): return "zeros: imputed from each sample's depth, as sequencing depth goes with the design (\(test) ≤ \(cutoff))"
        case (.pseudocount, .adaptive):
            return "zeros: pseudo-count \(NumberStyle.roundTrip.format(d.options.pseudoCount)) added to every count, as sequencing depth does not go with the design (\(test) > \(cutoff))"
        case (.imputation, _): return "zeros: imputed from each sample's depth (as asked)"
        case (.halfMinimum, _): return "zeros: each feature's at half its smallest non-zero value (abundances, not counts: LinDA's proportion type)"
        case (.pseudocount, _): return "zeros: pseudo-count \(NumberStyle.roundTrip.format(d.options.pseudoCount)) added to every count (as asked)"
        }
    }

    var normalizationText: String {
        switch result.options.normalization {
        case .tss: "total-sum scaled (each count over the sample's total of the kept features)"
        case .clr: "centred-log-ratio transformed (ln(x + 1) minus the sample's mean over the kept features)"
        case .css: "normalised by cumulative-sum scaling (metagenomeSeq's CSS: each count over the sample's sum of counts up to a data-driven percentile, × 1000)"
        case .tmm: "normalised by the trimmed mean of M-values (edgeR's TMM: each count over the sample's effective library size, × the mean effective size)"
        case .none: "used as given (no normalisation)"
        }
    }

    var transformText: String {
        switch result.options.transform {
        case .log: "log₂-transformed after replacing each feature's zeros by half its smallest non-zero value"
        case .ast: "arcsine-square-root transformed"
        case .logit: "logit-transformed (non-finite values set to 0)"
        case .none: "not transformed further"
        }
    }

    /// The methods paragraph.
    public var methods: String { methods(.markdown) }

    /// The methods paragraph in Markdown or HTML.
    func methods(_ m: StudyDocuments.Markup) -> String {
        if let d = linda { return lindaMethods(d, m) }
        if let d = ancombc, d.options.variant == .ancombc2 { return ancombc2Methods(d, m) }
        if let d = ancombc { return ancombcMethods(d, m) }
        let o = result.options
        let f = o.filter
        var text = "Per-feature associations were tested with Moodbiome \(moodbiomeVersion) following the MaAsLin2 default pipeline (Mallick et al. 2021) on \(m.code(URL(fileURLWithPath: countsPath).lastPathComponent)). "
        text += "Of the samples with metadata, \(result.samples.count) had every model variable and were used. "
        text += "Features were kept when more than \(NumberStyle.roundTrip.format(f.minimumPrevalence * 100))% of samples had a value above \(NumberStyle.roundTrip.format(f.minimumAbundance))"
        text += f.minimumVariance > 0 ? " and their variance exceeded \(NumberStyle.roundTrip.format(f.minimumVariance))" : " and their values varied"
        text += " (\(result.features.count) of \(result.features.count + result.filtered.count) features). Abundances were \(normalizationText) and \(transformText). "
        if let outcome {
            text += "For each feature, \(m.text(outcome)) was modelled on the transformed abundance"
            text += family == .binomial ? " by logistic regression" : " by ordinary least squares (t tests; the feature's coefficient equals that of the full model, computed by partialling out the covariates once)"
            text += ", with \(m.code(result.model)). "
        } else {
            text += o.standardize ? "Numeric metadata were standardised (z-scores). " : ""
            if o.model == .negbin {
                text += "Each feature was modelled by \(m.code(result.model)) as a negative binomial regression with a log link, θ estimated by maximum likelihood jointly with the coefficients (as MaAsLin2's NEGBIN, MASS's glm.nb; Wald z tests)"
                text += result.failedFeatures.isEmpty ? ". " : "; \(Words.counted(result.failedFeatures.count, "feature")) could not be fitted (no overdispersion: the Poisson model is the maximum) and are reported as NA. "
            } else if result.model.contains("|") {
                text += "Each feature was modelled by \(m.code(result.model)) as a linear mixed model (REML, as MaAsLin2 fits random effects with lmerTest's lmer; t tests on Satterthwaite's degrees of freedom)"
                text += result.failedFeatures.isEmpty ? ". " : "; \(Words.counted(result.failedFeatures.count, "feature")) could not be fitted and are reported as NA. "
            } else {
                text += "Each feature was regressed on \(m.code(result.model)) by ordinary least squares (t tests), all features fitted at once from one QR factorisation of the design. "
            }
        }
        let method = o.adjustment == .benjaminiHochberg ? "Benjamini–Hochberg" : Words.adjustmentName(o.adjustment)
        text += "p-values were adjusted by the \(method) procedure across all \(result.rows.count) feature–coefficient tests (q-values); associations with q ≤ \(NumberStyle.roundTrip.format(maxSignificance)) are reported as significant."
        return text
    }

    /// LinDA's methods paragraph.
    func lindaMethods(_ d: LinDA.Details, _ m: StudyDocuments.Markup) -> String {
        let o = d.options
        var text = "Differential abundance was tested with LinDA (Zhou et al. 2022, Genome Biology 23:95) as implemented in Moodbiome \(moodbiomeVersion), equal to the R package LinDA 0.2.0, on \(m.code(URL(fileURLWithPath: countsPath).lastPathComponent)). "
        text += "\(result.samples.count) samples had every model variable"
        text += o.minimumDepth > 1 ? " and at least \(NumberStyle.roundTrip.format(o.minimumDepth)) reads" : ""
        text += o.minimumPrevalence > 0
            ? "; features present in at least \(NumberStyle.roundTrip.format(o.minimumPrevalence * 100))% of them were kept (\(result.features.count) of \(result.features.count + result.filtered.count)). "
            : "; all \(result.features.count) features were kept (no prevalence filter). "
        if let q = o.winsorQuantile { text += "Each feature's proportions were winsorised at their \(NumberStyle.roundTrip.format(q)) quantile. " }
        text += "Numeric variables were standardised (z-scores). " + "Zeros" + zerosSentence(d).dropFirst("zeros".count) + ". "
        text += "Counts were transformed to centred log-ratios in log₂, and each feature was modelled by \(m.code(result.model))"
        text += result.model.contains("|") ? " as a linear mixed model (REML, lmerTest's lmer; t tests on Satterthwaite's degrees of freedom)" : " by ordinary least squares, all features from one QR factorisation"
        text += ". The compositional bias of each coefficient was estimated as the mode of √n·β over the features (mean shift with a Gaussian kernel, as modeest's mlv) over √n and subtracted (bias.csv); estimates are bias-corrected log₂ fold changes. "
        let method = o.adjustment == .benjaminiHochberg ? "Benjamini–Hochberg" : Words.adjustmentName(o.adjustment)
        text += "p-values were adjusted by the \(method) procedure within each term, as LinDA does; associations with q ≤ \(NumberStyle.roundTrip.format(maxSignificance)) are reported as significant."
        return text
    }

    /// ANCOM-BC's methods paragraph.
    func ancombcMethods(_ d: ANCOMBC.Details, _ m: StudyDocuments.Markup) -> String {
        let o = d.options
        var text = "Differential abundance was tested with ANCOM-BC (Lin & Peddada 2020, Nature Communications 11:3514) as implemented in Moodbiome \(moodbiomeVersion), equal to scikit-bio 0.7.4's ancombc, on \(m.code(URL(fileURLWithPath: countsPath).lastPathComponent)). "
        text += "\(result.samples.count) samples had every model variable"
        text += o.minimumDepth > 0 ? " and at least \(NumberStyle.roundTrip.format(o.minimumDepth)) reads" : ""
        text += o.minimumPrevalence > 0
            ? "; features present in at least \(NumberStyle.roundTrip.format(o.minimumPrevalence * 100))% of them were kept" : "; all features were kept"
        text += structuralZeroWords(d) + " (\(result.features.count) tested of \(result.features.count + result.filtered.count)). "
        text += "Counts plus a pseudo-count of \(NumberStyle.roundTrip.format(o.pseudoCount)) were log-transformed (natural log) and each feature was regressed on \(m.code(result.model)) by least squares, all features at once; "
        text += "residuals were centred per sample (the sampling-fraction offsets) and each coefficient's variance taken from them (sandwich form). "
        text += "The bias of each coefficient was estimated by ANCOM-BC's expectation–maximisation over the features (a three-part Gaussian mixture; tolerance \(NumberStyle.roundTrip.format(o.tolerance)), at most \(o.maxIterations) iterations; bias.csv) and subtracted: estimates are bias-corrected natural-log fold changes, W = estimate / SE with normal p-values. "
        let method = o.adjustment == .benjaminiHochberg ? "Benjamini–Hochberg" : Words.adjustmentName(o.adjustment)
        text += "p-values were adjusted by the \(method) procedure within each term, as ANCOM-BC does; associations with q ≤ \(NumberStyle.roundTrip.format(maxSignificance)) are reported as significant."
        return text
    }

    /// ANCOM-BC2's methods paragraph.
    func ancombc2Methods(_ d: ANCOMBC.Details, _ m: StudyDocuments.Markup) -> String {
        let o = d.options
        var text = "Differential abundance was tested with ANCOM-BC2 (Lin & Peddada 2024, Nature Methods 21:83) as implemented in Moodbiome \(moodbiomeVersion), equal to scikit-bio 0.7.4's ancombc2, on \(m.code(URL(fileURLWithPath: countsPath).lastPathComponent)). "
        text += "\(result.samples.count) samples had every model variable"
        text += o.minimumDepth > 0 ? " and at least \(NumberStyle.roundTrip.format(o.minimumDepth)) reads" : ""
        text += o.minimumPrevalence > 0
            ? "; features present in at least \(NumberStyle.roundTrip.format(o.minimumPrevalence * 100))% of them were kept" : "; all features were kept"
        text += structuralZeroWords(d) + " (\(result.features.count) tested of \(result.features.count + result.filtered.count)). "
        text += (o.pseudoCount == 0 ? "Counts above zero were log-transformed (natural log) and centred by their mean; each feature was regressed"
            : "Counts plus a pseudo-count of \(NumberStyle.roundTrip.format(o.pseudoCount)) were log-transformed (natural log) and centred per feature; each feature was regressed") + " on \(m.code(result.model)) by least squares, all features at once, "
        text += "and each coefficient's bias estimated by ANCOM-BC's expectation–maximisation over the features (tolerance \(NumberStyle.roundTrip.format(o.tolerance)), at most \(o.maxIterations) iterations; bias.csv, with the variance of each bias). "
        text += "Each sample's sampling fraction (its mean value less the fitted mean coefficients, plus the design's bias) was subtracted from its values and the models refitted; "
        text += "each variance was widened by the bias's variance, (√v + √var δ)², and regularised by adding the \(NumberStyle.roundTrip.format(o.varianceQuantile)) quantile of that term's variances over the features. "
        text += d.degreesOfFreedom.map { "Estimates are natural-log fold changes; W = estimate / SE was tested against Student's t on \($0) degrees of freedom. " }
            ?? "Zeros were treated as missing values: each feature was fitted on the samples where it was seen (features leaving a categorical variable with one observed level cannot be fitted and are reported with p = 1), the sample effects estimated jointly with the coefficients (at most 20 rounds, tolerance 0.01, as the R package), and W = estimate / SE tested against Student's t on each feature's observed samples less its design rank. "
        if o.pseudoSensitivity {
            text += "As the R package does by default (pseudo_sens), the analysis was repeated with pseudo-counts of 0.1, 0.5 and 1; a call at q ≤ \(NumberStyle.roundTrip.format(o.sensitivityLevel)) is robust when all of them agree (passed_ss, robust). "
        }
        let method = o.adjustment == .benjaminiHochberg ? "Benjamini–Hochberg" : Words.adjustmentName(o.adjustment)
        text += "p-values were adjusted by the \(method) procedure within each term, as ANCOM-BC2 does; associations with q ≤ \(NumberStyle.roundTrip.format(maxSignificance)) are reported as significant."
        return text
    }

    /// How the structural zeros were found and what became of them.
    func structuralZeroWords(_ d: ANCOMBC.Details) -> String {
        guard let z = d.structuralZeros else { return "" }
        let absent = result.filtered.filter { $0.reason == .structuralZero }.count
        return "; features absent from a whole \(z.group) group (structural zeros: prevalence 0 there"
            + (z.lowerBound ? ", or its 95% lower bound at or below 0" : "") + "; Kaul et al. 2017, as scikit-bio's struc_zero) were reported and not tested (\(absent))"
    }

    /// What β is, under the significant associations.
    var estimateWords: String {
        (linda != nil ? "β: bias-corrected log₂ fold change of the feature's centred log-ratio per unit of the term"
            : ancombc != nil ? "β: \(ancombcName)'s bias-corrected natural-log fold change per unit of the term"
            : "β: change in the transformed abundance per unit of the term")
            + (result.options.standardize && outcome == nil ? " (per standard deviation for numeric variables)" : "")
    }

    /// The significant associations as the summary and report show them (the first 50).
    var significantTable: TextTable {
        let significant = result.rows.filter { $0.qValue <= maxSignificance }
        let rows: [[TextTable.Cell]] = significant.prefix(50).map { r in
            [.text(r.feature), .text(r.term), .text(NumberPolicy.value(r.estimate)), .text(NumberPolicy.value(r.standardError)),
             .text(NumberPolicy.pValue(r.pValue)), .text(NumberPolicy.pValue(r.qValue)), .text("\(r.nonZero)/\(r.n)")]
        }
        return TextTable(columns: ["Feature", "Term", "β", "SE", "p", "q", "Non-zero"], rows: rows)
    }

    /// `report.html`: self-contained (inline CSS and SVG, no scripts, no
    /// network), every string from the user's files escaped — the
    /// significant associations, the notes, each figure with its legend,
    /// the methods.
    public func reportHTML(figures: [ReportFigure]) -> String {
        let e = Escape.html
        let title = "Features associated with " + (outcome ?? result.model)
        let significant = result.rows.filter { $0.qValue <= maxSignificance }
        let threshold = NumberStyle.roundTrip.format(maxSignificance)
        var html = "<main>\n<h1>\(e(title))</h1>\n"
        html += "<p class=\"meta\">Moodbiome \(e(moodbiomeVersion)) · \(Words.counted(result.samples.count, "sample")) · "
            + "\(Words.counted(result.features.count, "feature")) tested · inputs and checksums in <code>provenance.json</code></p>\n"
        html += "<h2>Associations at q ≤ \(e(threshold))</h2>\n"
        if significant.isEmpty {
            html += "<p>None of the \(result.rows.count) feature–coefficient tests reached q ≤ \(e(threshold)).</p>\n"
        } else {
            html += significantTable.htmlTable()
            if significant.count > 50 { html += "<p>\(significant.count - 50) more in <code>significant_results.csv</code>.</p>\n" }
            html += "<p>" + estimateWords
                + "; q: adjusted p-value; every digit in <code>all_results.csv</code>.</p>\n"
        }
        let shownNotes = notes.filter { $0.hasPrefix("note: ") }.map { String($0.dropFirst(6)) }
        if !shownNotes.isEmpty { html += "<ul>\n" + shownNotes.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n" }
        if !figures.isEmpty {
            html += "<h2>Figures</h2>\n<div class=\"figures\">\n" + figures.map(\.html).joined() + "</div>\n"
        }
        html += "<h2>Methods</h2>\n<p>\(methods(.html))</p>\n"
        html += "<h2>Files</h2>\n<p>Tables: all_results.csv, significant_results.csv, filtered_features.csv" + (linda != nil || ancombc != nil ? ", bias.csv" : "")
            + (ancombc?.structuralZeros != nil ? ", structural_zeros.csv" : "")
            + (figures.isEmpty ? "" : "; figures in <code>figures/</code>, their legends in <code>captions.md</code>")
            + "; <code>summary.md</code>; <code>provenance.json</code>.</p>\n</main>\n"
        return HTMLPage(title: title + " — Moodbiome report", body: html, style: StudyDocuments.reportStyle, responsive: true).html
    }

    /// `summary.md`.
    public var summaryMarkdown: String {
        var out = "# Features associated with " + Escape.markdown(outcome ?? result.model) + "\n\n"
        let significant = result.rows.filter { $0.qValue <= maxSignificance }
        if significant.isEmpty {
            out += "No feature–coefficient association reached q ≤ \(NumberStyle.roundTrip.format(maxSignificance)) (\(result.rows.count) tested).\n\n"
        } else {
            out += significantTable.rendered(as: .markdown) + "\n"
            if significant.count > 50 { out += "(\(significant.count - 50) more in significant_results.)\n" }
            out += estimateWords
            out += "; q: adjusted p-value.\n\n"
        }
        out += "## Methods\n\n" + methods + "\n"
        return out
    }

    /// Volcano plots (one per term), the heatmap of significant features,
    /// and a figure per top hit.
    public var figures: [ReportFigure] {
        // Each figure a drawing, drawn on all cores (in this order).
        var out = [@Sendable () -> ReportFigure]()
        let names = DisplayNames()   // columns as figures name them (PHQ-9 total)
        let terms = result.rows.map(\.term).uniqued()
        let threshold = maxSignificance
        if outcome != nil {
            let points = result.rows.map { (label: $0.feature, estimate: $0.estimate, p: $0.pValue, q: $0.qValue) }
            out.append({ ReportFigure(name: "volcano.svg", figure: Figures.volcano(points: points, threshold: threshold,
                xLabel: "coefficient of the transformed abundance", title: "Features and \(names.column(outcome ?? ""))",
                caption: ["Each point a feature's model, \(result.model); coloured: q ≤ \(NumberStyle.roundTrip.format(threshold))."])) })
        } else {
            for term in terms {
                let points = result.rows.filter { $0.term == term }.map { (label: $0.feature, estimate: $0.estimate, p: $0.pValue, q: $0.qValue) }
                out.append({ ReportFigure(name: "volcano-" + fileNameComponent(term) + ".svg", figure: Figures.volcano(points: points, threshold: threshold,
                    xLabel: "coefficient of \(term)", title: "Features and \(term)",
                    caption: ["Each point a feature, model \(result.model); coloured: q ≤ \(NumberStyle.roundTrip.format(threshold)) (blue: lower, red: higher)."])) })
            }
            let significantFeatures = Array(result.rows.filter { $0.qValue <= threshold }.map(\.feature).uniqued().prefix(50))
            if !significantFeatures.isEmpty {
                let lookup = Dictionary(result.rows.map { ($0.feature + "\u{0}" + $0.term, $0) }, uniquingKeysWith: { a, _ in a })
                out.append({ ReportFigure(name: "heatmap.svg", figure: Figures.heatmap(rows: significantFeatures, columns: terms, value: { i, j in
                    lookup[significantFeatures[i] + "\u{0}" + terms[j]].map { ($0.estimate, $0.qValue) }
                }, threshold: threshold, title: "Significant features by term", caption: ["Features with q ≤ \(NumberStyle.roundTrip.format(threshold)) for any term (at most 50), model \(result.model)."])) })
            }
        }
        // Top hits.
        let index = Dictionary(uniqueKeysWithValues: result.features.enumerated().map { ($1, $0) })
        for r in result.rows.filter({ $0.qValue <= threshold }).prefix(topHits) {
            guard let c = index[r.feature] else { continue }
            let abundance = Array(result.transformed.column(c))
            let name = fileNameComponent("feature-" + r.feature + "-" + r.term) + ".svg"
            let label = linda != nil ? "\(r.feature) (CLR, log₂)" : ancombc != nil ? "\(r.feature) (ln(count + \(NumberStyle.roundTrip.format(ancombc!.options.pseudoCount)))\(isANCOMBC2 ? ", centred, fractions removed" : ""))"
                : "\(r.feature) (\(result.options.transform == .none ? "" : result.options.transform.rawValue + " ")\(result.options.normalization == .none ? "abundance" : result.options.normalization.rawValue))"
            let caption = ["β = \(NumberPolicy.value(r.estimate)) (SE \(NumberPolicy.value(r.standardError))), \(NumberPolicy.statement(r.pValue)), \(NumberPolicy.statement(r.qValue, symbol: "q")); n = \(r.n), non-zero in \(r.nonZero)."]
            if let outcome, let y = result.data[outcome]?.numbers {
                out.append({ ReportFigure(name: name, figure: Figures.scatter(x: abundance, y: y, line: nil, xLabel: label, yLabel: names.column(outcome),
                                                                         title: "\(names.column(outcome)) against \(r.feature)", caption: caption)) })
            } else if let column = result.data[r.variable], column.kind == .numeric {
                let xLabel = names.column(r.variable) + (result.options.standardize ? " (z-score)" : "")
                out.append({ ReportFigure(name: name, figure: Figures.scatter(x: column.numbers, y: abundance, line: nil, xLabel: xLabel, yLabel: label,
                                                                         title: "\(r.feature) against \(names.column(r.variable))", caption: caption)) })
            } else if let column = result.data[r.variable] {
                let levels = sortedLevels(Array(Set(column.cells.filter { !MissingValue.isMissing($0) })))
                let groups = levels.map { level in (label: level, values: column.cells.indices.filter { column.cells[$0] == level }.map { abundance[$0] }) }
                out.append({ ReportFigure(name: name, figure: Figures.boxPlot(groups: groups, xLabel: names.column(r.variable), yLabel: label,
                                                                         title: "\(r.feature) by \(names.column(r.variable))", caption: caption)) })
            }
        }
        let drawings = out
        let drawn = parallelChunkMap(count: drawings.count) { range in range.map { drawings[$0]() } }.flatMap { $0 }
        return ReportFigure.distinctNames(drawn)
    }
}
