import FoundationEssentials
import MoodbiomeNumerics
import MoodbiomeCore
import MoodbiomeIO

/// A file name made of a column's or feature's name: characters other than
/// letters, digits, `.`, `_` and `-` become `_` (names may hold `/` or
/// spaces). A name longer than 100 characters (a full lineage as a feature
/// name can run to hundreds; file systems stop at 255 bytes) keeps its first
/// 80 and gains `-` and 16 hex digits of the whole name's FNV-1a hash, so
/// two long names that share a start still make two files, and the same
/// name always the same file.
public func fileNameComponent(_ name: String) -> String {
    let safe = String(name.unicodeScalars.map { c -> Character in
        (c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c))) || c == "." || c == "_" || c == "-" ? Character(c) : "_"
    })
    guard safe.count > 100 else { return safe }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    let hex = String(hash, radix: 16)
    return String(safe.prefix(80)) + "-" + String(repeating: "0", count: 16 - hex.count) + hex
}

/// A column's trajectories per participant, with its legend.
func trajectoryFigure(_ column: String, _ t: Trajectories, _ l: LongitudinalSummary, names: DisplayNames, yLabel: String) -> ReportFigure {
    let time = names.column(l.visits.timeColumn), percent = NumberPolicy.percent(l.level)
    let summary = t.timePoints.isEmpty
        ? "Line and band: least-squares fit on \(time) with its \(percent)% confidence band."
        : "Points: the mean at each time point (\(time)) with its \(percent)% t interval (n = " + t.timePoints.map { String($0.n) }.joined(separator: ", ") + ")."
    let caption = ["\(Words.counted(t.paths.count, "participant")) (\(l.visits.participantColumn)) with two visits or more: one grey line each.",
                   summary, "Descriptive: the test across visits is the mixed model (models.csv)."]
    return ReportFigure(name: fileNameComponent("trajectory-\(column)") + ".svg",
                        figure: Figures.trajectories(t, xLabel: time, yLabel: yLabel,
                                                     title: "\(names.column(column)) over \(time), per participant", caption: caption))
}

/// One figure of a report.
public struct ReportFigure: Sendable {
    public let name: String
    public let figure: Figure
    /// Whether report.html shows it (a multi-panel figure is a file only).
    public var inReport = true

    public var svg: String { figure.svg }

    public init(name: String, figure: Figure, inReport: Bool = true) {
        self.name = name
        self.figure = figure
        self.inReport = inReport
    }

    /// The figure in a report: the image, then its title and caption as text.
    public var html: String {
        "<figure>\n" + figure.svg + "<figcaption><b>\(Escape.html(figure.title)).</b> \(Escape.html(figure.caption))</figcaption>\n</figure>\n"
    }

    /// `captions.md`: each figure file's title and caption, as a journal's
    /// figure legends are set (text beside the artwork, not inside it).
    public static func captions(_ figures: [ReportFigure], folder: String = "figures/") -> String {
        var out = "# Figure legends\n\nOne entry per file in `\(folder)`: the title, then the legend as text.\n"
        for f in figures {
            out += "\n## \(folder)\(f.name)\n\n**\(Escape.markdown(f.figure.title)).** \(Escape.markdown(f.figure.caption))\n"
        }
        return out
    }

    /// The figures with distinct file names: names are made from column
    /// and metric names, and two (`a b`, `a_b`) can map to one file; the
    /// later ones get `-2`, `-3`… before `.svg`, so none overwrites another.
    public static func distinctNames(_ figures: [ReportFigure]) -> [ReportFigure] {
        var used = Set<String>()
        return figures.map { figure in
            var name = figure.name
            let stem = name.hasSuffix(".svg") ? String(name.dropLast(4)) : name
            var k = 2
            while used.contains(name.lowercased()) { name = "\(stem)-\(k).svg"; k += 1 }
            used.insert(name.lowercased())
            return ReportFigure(name: name, figure: figure.figure, inReport: figure.inReport)
        }
    }
}

/// The documents of `moodbiome analyze`, from its result: the
/// publication-style summary table and its legend, the methods paragraph,
/// `summary.md`, the figures and the self-contained `report.html`. Words
/// and drawings only: every number comes from ``AlphaAssociation/Result``.
public struct StudyDocuments: Sendable {
    public let result: AlphaAssociation.Result
    /// The count table's path (its file name goes into the methods text).
    public let countsPath: String
    public let alphaOptions: AlphaOptions
    /// The rarefaction applied, if any.
    public let rarefaction: Rarefaction?
    /// The data tables the run writes (listed in the report).
    public let tableFiles: [String]
    /// Community composition, one finding per beta metric (`--beta`).
    public let composition: [CompositionFinding]
    /// How figures name columns and levels (`--display-name`, `--levels`).
    public var names = DisplayNames()

    /// Set for a longitudinal run (`--random` with a time column).
    public var longitudinal: LongitudinalSummary? = nil
    /// `--mediate-by`: the mediation of an exposure's effect through each metric.
    public var mediation: MediationDocuments? = nil
    /// `--functions`: the gut–brain modules against the outcome.
    public var modules: ModuleStudyDocuments? = nil

    public init(result: AlphaAssociation.Result, countsPath: String, alphaOptions: AlphaOptions,
                rarefaction: Rarefaction?, tableFiles: [String], composition: [CompositionFinding] = []) {
        self.result = result
        self.countsPath = countsPath
        self.alphaOptions = alphaOptions
        self.rarefaction = rarefaction
        self.tableFiles = tableFiles
        self.composition = composition
    }

    /// How prose is marked up: user strings escaped, names as code.
    enum Markup {
        case markdown, html

        func text(_ s: String) -> String { self == .markdown ? Escape.markdown(s) : Escape.html(s) }
        func code(_ s: String) -> String { self == .markdown ? Escape.markdownCode(s) : "<code>" + Escape.html(s) + "</code>" }
    }

    var outcome: String { result.outcome }
    var covariates: [String] { result.covariates }
    var level: String { NumberPolicy.percent(result.confidenceLevel) }

    /// The outcome as the summary describes it ("phq9_total ≥ 10 (moderate or above)").
    public var outcomeDescription: String {
        guard let d = result.dichotomy else { return outcome }
        return "\(outcome) ≥ \(NumberStyle.roundTrip.format(d.cutoff))" + (d.band.map { " (\($0.replacing("-", with: " ")) or above)" } ?? "")
    }

    /// How the instrument was scored, as a sentence.
    public var scoringDescription: String? {
        guard let s = result.scoring else { return nil }
        return "\(s.scale.name) totals were scored from the \(s.scale.itemCount) item responses"
            + (s.reversesItems ? " (reverse-scored items inverted)" : "")
            + (s.missingLimit == 0 ? "; participants with any missing item were not scored" : "; up to \(s.missingLimit) missing items were prorated (the mean of the answered items)")
            + (s.unscored.isEmpty ? "" : ", and \(s.unscored.count) participants with more missing items were not scored")
            + (s.invalidAnswers > 0 ? "; \(s.invalidAnswers) invalid answers were treated as missing" : "")
            + " (source: \(s.scale.source))."
    }

    /// The notes `analyze` prints: scoring, the join and the models' notes
    /// (each shared note once, with the models it concerns).
    public var notes: [String] {
        var out = [String]()
        let r = result
        if let s = r.scoring {
            if s.invalidAnswers > 0 { out.append("note: \(s.invalidAnswers) invalid \(s.scale.id) answers counted as missing") }
            if !s.unscored.isEmpty {
                out.append("note: \(s.unscored.count) participants have too many missing \(s.scale.id) items to be scored (NA): \(Words.list(s.unscored))")
            }
        }
        out += r.depthCorrelations.map(Words.depthNote)
        let labels = r.metrics.map(\.metric)
        let redundant = MetricRedundancy.redundant(among: labels)
        if !redundant.isEmpty {
            out.append("note: these metrics are monotone transforms of one another (the same information, ranked alike): "
                       + redundant.map { "(" + $0.joined(separator: ", ") + ")" }.joined(separator: "; ")
                       + ". The q-values treat them as \(labels.count) tests; report one of each group")
        }
        if labels.count >= 8 {
            out.append("note: the q-values adjust across \(labels.count) metrics, largely correlated measures of richness and evenness: a family of related indices, not independent questions (the Benjamini–Hochberg procedure remains valid under their positive dependence)")
        }
        if r.familyFromOutcome {
            out.append("note: \(outcome) takes two values, so each metric's model is a logistic regression (odds ratios); set the family to gaussian for a linear probability model instead")
        }
        if !r.onlyInCounts.isEmpty {
            out.append("note: \(r.onlyInCounts.count) sample\(r.onlyInCounts.count == 1 ? "" : "s") in the count table but not in the metadata, left out: \(Words.list(r.onlyInCounts))")
        }
        if !r.onlyInMetadata.isEmpty {
            out.append("note: \(r.onlyInMetadata.count) metadata row\(r.onlyInMetadata.count == 1 ? "" : "s") without diversity values (not in the count table\(r.diversity.belowDepth.isEmpty ? "" : ", or below the rarefaction depth")), left out: \(Words.list(r.onlyInMetadata))")
        }
        let modelNotes = r.modelNotes.map { (text: Words.note($0.note), metrics: $0.metrics) }.sorted { $0.text < $1.text }
        for (text, metrics) in modelNotes {
            let which = metrics.count == r.metrics.count ? "every model" : "model\(metrics.count == 1 ? "" : "s") for \(metrics.joined(separator: ", "))"
            out.append("note: \(which): \(text)")
        }
        return out
    }

    /// The publication-style table: one row per metric.
    public var summaryTable: TextTable {
        let r = result
        let binary = r.family == .binomial
        let effect = binary ? "OR (\(level)% CI)" : "β (\(level)% CI)"
        var header = ["Metric", effect, "p", "q"]
        if !binary { header.append("Std. β") }
        let mixed = !r.random.isEmpty
        header += ["Spearman ρ", "ρ p", "n", binary ? "McFadden R²" : mixed ? "df" : "R²"]
        var rows = [[TextTable.Cell]]()
        for (i, m) in r.metrics.enumerated() {
            let c = m.term
            let estimate: String
            if let b = c.estimate, let low = c.confidenceLow, let high = c.confidenceHigh {
                estimate = binary
                    ? "\(NumberPolicy.value(exp(b))) (\(NumberPolicy.interval(exp(low), exp(high), null: 1)))"
                    : "\(NumberPolicy.value(b)) (\(NumberPolicy.interval(low, high)))"
            } else {
                estimate = "aliased"
            }
            var row = [m.metric, estimate, NumberPolicy.pValue(c.pValue), NumberPolicy.pValue(r.qValues[i])]
            if !binary { row.append(NumberPolicy.value(c.standardizedEstimate)) }
            row += [NumberPolicy.value(m.spearman.statistic), NumberPolicy.pValue(m.spearman.pValue), String(m.model.design.ids.count),
                    mixed ? NumberPolicy.value(c.degreesOfFreedom) : NumberPolicy.value(m.model.fitStatistic(binary ? "pseudo_r_squared" : "r_squared"))]
            rows.append(row.map { .text($0) })
        }
        return TextTable(columns: header, rows: rows)
    }

    /// Every coefficient of every metric's model (the report's full-model table).
    public var modelTermsTable: TextTable {
        everyTermTable(result.metrics.map { (metric: $0.metric, model: $0.model) }, oddsRatios: result.family == .binomial, level: level)
    }

    /// What the summary table's columns mean.
    func summaryLegend(_ m: Markup) -> String {
        let r = result
        var out = ""
        if r.family == .binomial {
            out += "OR: odds ratio of \(m.text(outcomeDescription)) per unit of the metric, adjusted for the covariates; Wald \(level)% confidence interval. "
        } else {
            out += "β: change in \(m.text(outcome)) per unit of the metric, adjusted for the covariates. Std. β: per standard deviation of the metric, in standard deviations of \(m.text(outcome)). "
            if !r.random.isEmpty { out += "Mixed models: n counts samples; df is Satterthwaite's, for the metric's t test. " }
        }
        return out + "q: \(adjustmentName) adjustment across \(r.metrics.count == 1 ? "the one metric" : "the \(r.metrics.count) metrics"). Spearman ρ: unadjusted rank correlation with \(m.text(outcome))."
    }

    /// `summary.md`: the publication-style table (one row per metric) and a
    /// methods paragraph describing exactly what was done.
    public var summaryMarkdown: String {
        var out = "# Alpha diversity and \(Escape.markdown(outcome))\n\n"
        out += summaryTable.rendered(as: .markdown) + "\n"
        out += summaryLegend(.markdown) + "\n\n"
        if !composition.isEmpty {
            out += "## Community composition\n\n" + compositionTable.rendered(as: .markdown) + "\n" + compositionLegend(.markdown) + "\n\n"
        }
        if let m = mediation { out += m.section(.markdown) }
        if let m = modules { out += m.section(.markdown) }
        out += "## Methods\n\n" + methodsParagraph(.markdown) + (composition.isEmpty ? "" : " " + compositionMethods(.markdown)) + "\n"
        // What a reader must know about the fits (few events, separation,
        // singular fits, left-out rows): the notes analyze printed.
        let notes = self.notes.map { $0.hasPrefix("note: ") ? String($0.dropFirst(6)) : $0 }
        if !notes.isEmpty {
            out += "\n## Notes\n\n" + notes.map { "- " + Escape.markdown($0) }.joined(separator: "\n") + "\n"
        }
        return out
    }

    var adjustmentName: String { Words.adjustmentName(result.adjustment) }

    /// The paragraph a researcher can paste into a methods section.
    func methodsParagraph(_ m: Markup) -> String {
        let r = result
        let metricList = r.diversity.metrics.map { "\(m.code($0.label)), \(m.text($0.metric.summary))" }
        var text = "Alpha diversity was computed with Moodbiome \(moodbiomeVersion) from the count table \(m.code(URL(fileURLWithPath: countsPath).lastPathComponent)): "
        text += metricList.joined(separator: "; ") + "."
        if r.diversity.metrics.contains(where: { $0.metric.definition.usesLogBase }) {
            text += " Entropies use the \(alphaOptions.base == .e ? "natural" : "base-\(alphaOptions.base == .two ? "2" : "10")") logarithm."
        }
        if let rarefaction {
            text += " Samples were rarefied to \(rarefaction.depth) reads without replacement (\(rarefaction.iterations == 1 ? "one draw" : "metrics averaged over \(rarefaction.iterations) draws"), seed \(rarefaction.seed))"
            text += r.diversity.belowDepth.isEmpty ? "." : "; \(Words.counted(r.diversity.belowDepth.count, "sample")) with fewer reads \(r.diversity.belowDepth.count == 1 ? "was" : "were") excluded."
        }
        if let scoring = scoringDescription { text += " " + m.text(scoring) }
        text += " Of the samples, \(r.merged.rowCount) had both diversity values and metadata"
        var exclusions = [String]()
        if !r.onlyInCounts.isEmpty { exclusions.append("\(r.onlyInCounts.count) were in the count table only") }
        if !r.onlyInMetadata.isEmpty { exclusions.append("\(r.onlyInMetadata.count) metadata rows had no diversity values") }
        text += exclusions.isEmpty ? "." : " (\(exclusions.joined(separator: "; ")))."
        text += Words.depthMethods(adjusted: r.depthCovariate, rarefied: rarefaction != nil, correlations: r.depthCorrelations, code: m.code)
        let covariateText = covariates.isEmpty ? "without covariates" : "adjusting for " + m.text(covariates.joined(separator: ", "))
        let outcomeText = m.text(r.modelledOutcome == outcome ? outcome : outcomeDescription + " (dichotomised)")
        let clusterText = r.cluster.map { c in
            let groups = Set(r.merged[c]?.cells ?? []).count
            return "; standard errors robust to clustering by \(m.code(c)) (\(groups) clusters; sandwich's vcovCL, \(r.family == .binomial ? "HC0" : "HC1"))"
        } ?? ""
        if !r.random.isEmpty, let first = r.metrics.first?.model.mixedModel {
            let terms = r.random.map { m.code($0.text) }.joined(separator: " + ")
            var seen = Set<String>()
            let groups = first.blocks.filter { seen.insert($0.term.groupLabel).inserted }
                .map { "\($0.levels.count) groups of \(m.code($0.term.groupLabel))" }.joined(separator: ", ")
            text += " For each metric, \(outcomeText) was modelled by a linear mixed model on the metric, \(covariateText), with random effects \(terms)"
            text += " (\(first.nobs) samples in \(groups)), fitted by \(r.reml ? "restricted maximum likelihood (REML)" : "maximum likelihood") as lme4's lmer (penalised least squares, BOBYQA);"
            text += " fixed effects were tested with t tests on Satterthwaite's degrees of freedom, as lmerTest."
        } else if r.family == .binomial {
            text += " For each metric, \(outcomeText) was modelled by logistic regression on the metric, \(covariateText) (maximum likelihood by iteratively reweighted least squares; Wald tests and intervals; odds ratios reported\(clusterText))."
        } else if r.cluster != nil {
            text += " For each metric, \(outcomeText) was regressed on the metric, \(covariateText), by ordinary least squares (t tests\(clusterText))."
        } else {
            let se = r.covariance == .classical ? "classical standard errors" : "\(r.covariance.rawValue.uppercased()) heteroscedasticity-consistent standard errors"
            text += " For each metric, \(outcomeText) was regressed on the metric, \(covariateText), by ordinary least squares (\(se); t tests)."
        }
        let categorical = covariates.filter { r.merged[$0]?.kind == .categorical }
        if !categorical.isEmpty {
            let refs = categorical.map { c -> String in
                let levels = sortedLevels(r.merged[c]?.levels ?? [])
                return m.text("\(c) (reference \(r.references[c] ?? levels.first ?? ""))")
            }
            text += " Categorical covariates were treatment-coded: " + refs.joined(separator: ", ") + "."
        }
        let dropped = r.metrics.map { $0.model.design.nDropped }
        if let maxDropped = dropped.max(), maxDropped > 0 {
            let n = r.metrics.map { $0.model.design.ids.count }
            let low = n.min() ?? 0, high = n.max() ?? 0
            text += " Rows with a missing value in a model's variables were excluded from that model (listwise deletion; n = \(low)\(low == high ? "" : "–\(high)") per model)."
        }
        text += " p-values of the diversity terms were adjusted across \(r.metrics.count == 1 ? "the one metric" : "the \(r.metrics.count) metrics") by the \(adjustmentName) procedure (q-values). Unadjusted Spearman rank correlations (mid-ranks for ties) of each metric with \(m.text(outcome)) are also reported."
        return text
    }

    /// An axis label with the quantity's unit.
    func axisLabel(_ column: String) -> String {
        if let label = names.labels[column] { return label }
        if column == outcome && column.hasSuffix("_total") { return "\(names.column(column)) (score points)" }
        return Figures.metricAxisLabel(column, base: alphaOptions.base)
    }

    /// The two groups of a binary outcome, named: the text outcome's own
    /// levels, `< cutoff` / `≥ cutoff` for a dichotomised score, else 0 and
    /// 1 (or their `--levels` labels).
    func binaryGroupLabels(_ model: FittedModel) -> [String] {
        if let coding = model.design.responseCoding { return [coding.reference, coding.event] }
        if let d = result.dichotomy {
            let cut = NumberStyle.roundTrip.format(d.cutoff)
            return ["\(names.column(outcome)) < \(cut)", "\(names.column(outcome)) ≥ \(cut)"]
        }
        return ["0", "1"].map { names.value($0, of: outcome) }
    }

    /// The figures: the outcome against each metric (or, for a binary
    /// outcome, the metric by outcome), and each metric by group.
    public var figures: [ReportFigure] {
        let r = result
        var out = [ReportFigure]()
        let adjusted = covariates.isEmpty ? "Unadjusted" : "Adjusted for " + covariates.joined(separator: ", ")
        for (i, m) in r.metrics.enumerated() {
            let c = m.term
            let effect: String
            if let b = c.estimate, let low = c.confidenceLow, let high = c.confidenceHigh {
                effect = r.family == .binomial
                    ? "OR = \(NumberPolicy.value(exp(b))) (\(level)% CI \(NumberPolicy.interval(exp(low), exp(high), null: 1))), \(NumberPolicy.statement(c.pValue)), \(NumberPolicy.statement(r.qValues[i], symbol: "q"))"
                    : "β = \(NumberPolicy.value(b)) (\(level)% CI \(NumberPolicy.interval(low, high))), \(NumberPolicy.statement(c.pValue)), \(NumberPolicy.statement(r.qValues[i], symbol: "q"))"
            } else {
                effect = "the metric is aliased in the model"
            }
            let n = m.model.design.ids.count
            if r.family == .binomial {
                let labels = binaryGroupLabels(m.model)
                let groups = [0.0, 1.0].enumerated().map { k, value in
                    (label: labels[k], values: zip(m.metricValues, m.outcomeValues).filter { $0.1 == value }.map(\.0))
                }
                let caption = ["n = \(n). \(adjusted): \(effect).", "Boxes: quartiles; whiskers: 1.5 IQR; every sample shown."]
                let groupName = r.dichotomy == nil ? names.column(outcome) : outcomeDescription
                out.append(ReportFigure(name: fileNameComponent("\(m.metric)-by-\(r.modelledOutcome)") + ".svg",
                                        figure: Figures.boxPlot(groups: groups, xLabel: groupName, yLabel: axisLabel(m.metric),
                                                             title: "\(names.column(m.metric)) by \(groupName)", caption: caption)))
            } else {
                let caption = ["n = \(n). \(adjusted): \(effect).", "Line: unadjusted least-squares fit with its \(level)% confidence band."]
                out.append(ReportFigure(name: fileNameComponent("\(outcome)-vs-\(m.metric)") + ".svg",
                                        figure: Figures.scatter(x: m.metricValues, y: m.outcomeValues, line: m.line, xLabel: axisLabel(m.metric),
                                                             yLabel: axisLabel(outcome), title: "\(names.column(outcome)) against \(names.column(m.metric))", caption: caption)))
                if let av = m.adjusted {
                    let avCaption = ["Added-variable plot: both axes residualised on the covariates; n = \(n).",
                                     "Line: slope = adjusted \(effect); band: its \(level)% interval."]
                    out.append(ReportFigure(name: fileNameComponent("\(outcome)-vs-\(m.metric)-adjusted") + ".svg",
                                            figure: Figures.scatter(x: av.x, y: av.y, line: av.line,
                                                                 xLabel: "\(names.column(m.metric)) | covariates (residual)",
                                                                 yLabel: "\(names.column(outcome)) | covariates (residual)",
                                                                 title: "\(names.column(outcome)) against \(names.column(m.metric)), adjusted (added-variable plot)",
                                                                 caption: avCaption)))
                }
            }
            if let grouped = m.byGroup {
                let caption = ["Kruskal–Wallis test across \(names.column(grouped.column)) groups: H = \(NumberPolicy.value(grouped.test.statistic)), \(NumberPolicy.statement(grouped.test.pValue)) (unadjusted).",
                               "Boxes: quartiles; whiskers: 1.5 IQR; every sample shown."]
                out.append(ReportFigure(name: fileNameComponent("\(m.metric)-by-\(grouped.column)") + ".svg",
                                        figure: Figures.boxPlot(groups: names.ordered(grouped.groups, of: grouped.column), xLabel: names.column(grouped.column),
                                                             yLabel: axisLabel(m.metric),
                                                             title: "\(names.column(m.metric)) by \(names.column(grouped.column))", caption: caption)))
            }
        }
        out += longitudinalFigures
        out += mediation?.figures ?? []
        out += modules?.figures ?? []
        // Every metric's main figure as one lettered panel (not in the report: a file for a paper).
        let mainNames = Set(r.metrics.flatMap { [fileNameComponent("\(outcome)-vs-\($0.metric)") + ".svg", fileNameComponent("\($0.metric)-by-\(r.modelledOutcome)") + ".svg"] })
        let main = out.filter { mainNames.contains($0.name) }
        if main.count >= 2 {
            out.append(ReportFigure(name: "panel-metrics.svg", figure: Figures.panel(main.map(\.figure), title: "Alpha diversity and \(names.column(outcome)): every metric"), inReport: false))
        }
        out += compositionReport.figures
        return ReportFigure.distinctNames(out)
    }

    /// Longitudinal figures (``longitudinal``): each column's trajectory per
    /// participant with the mean at each time, and each change pair.
    var longitudinalFigures: [ReportFigure] {
        guard let l = longitudinal else { return [] }
        let level = NumberPolicy.percent(l.level)
        var out = l.trajectories.map { trajectoryFigure($0.column, $0.trajectories, l, names: names, yLabel: axisLabel($0.column)) }
        for pair in l.changes {
            let caption = ["\(Words.counted(pair.changes.count, "change")) from \(Words.counted(Set(pair.changes.map(\.participant)).count, "participant")): "
                           + "each later visit's value minus the same participant's at their first visit.",
                           "Line: least-squares fit with its \(level)% band; a participant's changes are not independent, so it is descriptive: "
                           + "the test across visits is the mixed model (models.csv)."]
            out.append(ReportFigure(name: fileNameComponent("change-\(pair.y)-vs-\(pair.x)") + ".svg",
                                    figure: Figures.scatter(x: pair.changes.map(\.x), y: pair.changes.map(\.y), line: pair.line,
                                                            xLabel: "change in \(names.column(pair.x)) from the first visit",
                                                            yLabel: "change in \(names.column(pair.y)) from the first visit",
                                                            title: "Change from the first visit: \(names.column(pair.y)) against \(names.column(pair.x))",
                                                            caption: caption)))
        }
        return out
    }

    /// `report.html`: self-contained (inline CSS and SVG, no scripts, no
    /// network), every string from the user's files escaped.
    public func reportHTML(cohort: TextTable, cohortNotes: [String], figures: [ReportFigure]) -> String {
        let r = result
        let e = Escape.html
        var html = """
        <main>
        <h1>Alpha diversity and \(e(outcome))</h1>
        <p class="meta">Moodbiome \(e(moodbiomeVersion)) · \(Words.counted(r.merged.rowCount, "sample")) with diversity values and metadata · \(Words.counted(r.metrics.count, "model")) · inputs and checksums in <code>provenance.json</code></p>

        """
        html += "<h2>Cohort</h2>\n" + cohort.htmlTable()
        for note in cohortNotes { html += "<p>\(e(note))</p>\n" }
        html += "<h2>Exclusions</h2>\n<ul>\n"
        var any = false
        if !r.onlyInCounts.isEmpty {
            any = true
            html += "<li>\(Words.counted(r.onlyInCounts.count, "sample")) in the count table only: <span class=\"ids\">\(e(r.onlyInCounts.joined(separator: ", ")))</span></li>\n"
        }
        if !r.onlyInMetadata.isEmpty {
            any = true
            html += "<li>\(r.onlyInMetadata.count) metadata rows without diversity values: \(e(r.onlyInMetadata.joined(separator: ", ")))</li>\n"
        }
        if !r.diversity.belowDepth.isEmpty {
            any = true
            html += "<li>\(Words.counted(r.diversity.belowDepth.count, "sample")) below the rarefaction depth: \(e(r.diversity.belowDepth.joined(separator: ", ")))</li>\n"
        }
        if let first = r.metrics.first, first.model.design.nDropped > 0 {
            any = true
            let d = first.model.design
            html += "<li>\(d.nDropped) rows left out of the models for missing values (" + e(d.exclusions.map { "\($0.variable): \($0.rows)" }.joined(separator: ", ")) + "): \(e(d.droppedIDs.joined(separator: ", ")))</li>\n"
        }
        if !any { html += "<li>None: every sample had diversity values, metadata and complete model variables.</li>\n" }
        html += "</ul>\n<h2>Models</h2>\n<p>\(e(r.modelledOutcome)) ~ metric" + e(covariates.map { " + " + $0 }.joined()) + (r.family == .binomial ? " (logistic)" : " (least squares)") + "</p>\n"
        html += summaryTable.htmlTable() + "<p>\(summaryLegend(.html))</p>\n"
        html += "<h3>Every term of each model</h3>\n" + modelTermsTable.htmlTable()
            + "<p>\(r.family == .binomial ? "OR: odds ratio (the intercept: log-odds, not exponentiated); " : "")p unadjusted; every digit in <code>models.csv</code>.</p>\n"
        if !composition.isEmpty {
            html += "<h2>Community composition</h2>\n" + compositionTable.htmlTable() + "<p>\(compositionLegend(.html))</p>\n"
        }
        if let m = mediation { html += m.section(.html) }
        if let m = modules { html += m.section(.html) }
        html += "<h2>Figures</h2>\n<div class=\"figures\">\n"
        for figure in figures where figure.inReport { html += figure.html }
        html += "</div>\n"
        html += "<h2>Methods</h2>\n<p>\(methodsParagraph(.html))\(composition.isEmpty ? "" : " " + compositionMethods(.html))</p>\n"
        html += "<h2>Files</h2>\n<p>Tables: " + e(tableFiles.joined(separator: ", ")) + "; figures in <code>figures/</code>, their legends in <code>captions.md</code>; <code>summary.md</code>; <code>provenance.json</code>.</p>\n"
        html += "</main>\n"
        return HTMLPage(title: "Alpha diversity and \(outcome) — Moodbiome report", body: html, style: Self.reportStyle, responsive: true).html
    }

    static let reportStyle = """
    body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fafafa; }
    main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
    main table { display: block; overflow-x: auto; max-width: 100%; } main th, main td { white-space: nowrap; }
    .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(480px, 100%), 1fr)); gap: 8px 24px; }
    .figures figure { margin: 8px 0; } .figures svg { width: 100%; height: auto; }
    @media (max-width: 600px) { main { padding: 12px; } }
    h1 { font-size: 26px; margin-bottom: 4px; } h2 { font-size: 20px; margin-top: 32px; border-bottom: 1px solid #ddd; }
    .meta { color: #555; } figure { margin: 24px 0; } figcaption { color: #444; font-size: 14px; max-width: 680px; }
    ul.ids { font-size: 13px; color: #444; } code { font-size: 13px; }

    """
}
