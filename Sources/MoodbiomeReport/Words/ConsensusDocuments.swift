import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeNumerics

/// The documents of `moodbiome associate --method all`: `consensus.csv`,
/// the dot-matrix figures, the summary naming where the methods agree and
/// where only one finds something, and each method's own documents
/// (``AssociationDocuments``) in a directory of its own.
public struct ConsensusDocuments: Sendable {
    public let consensus: AssociationConsensus
    public let countsPath: String
    public let model: String

    public init(consensus: AssociationConsensus, countsPath: String, model: String) {
        self.consensus = consensus
        self.countsPath = countsPath
        self.model = model
    }

    static let names: [AssociationMethod: String] = [.maaslin2: "MaAsLin2 LM", .linda: "LinDA", .ancombc: "ANCOM-BC", .ancombc2: "ANCOM-BC2"]
    var methodNames: [String] { consensus.results.map { Self.names[$0.method] ?? $0.method.rawValue } }
    var threshold: String { NumberStyle.roundTrip.format(consensus.options.threshold) }

    /// Each method's own documents.
    public var methodDocuments: [(method: AssociationMethod, documents: AssociationDocuments)] {
        consensus.results.map { ($0.method, AssociationDocuments(result: $0.association, countsPath: countsPath,
                                                                   maxSignificance: consensus.options.threshold, outcome: nil, family: .gaussian)) }
    }

    /// `consensus.csv`: per feature and term, each method's direction
    /// (up, down; empty when it did not test it) and q, how many call it
    /// significant, how many tested it, and whether the significant calls
    /// agree in direction.
    public var table: TextTable {
        var columns = ["feature", "term"]
        let sensitivity = consensus.results.map { r in r.association.rows.contains { $0.passesSensitivity != nil } }
        for (k, m) in consensus.results.enumerated() {
            columns += [m.method.rawValue + "_direction", m.method.rawValue + "_q"] + (sensitivity[k] ? [m.method.rawValue + "_passed_ss"] : [])
        }
        columns += ["n_significant", "n_tested", "directions_agree"]
        return TextTable(columns: columns, rows: consensus.rows.map { r in
            var row: [TextTable.Cell] = [.text(r.feature), .text(r.term)]
            for (k, call) in r.calls.enumerated() {
                row += call.map { [.text($0.estimate < 0 ? "down" : $0.estimate > 0 ? "up" : "none"), .number($0.qValue)] } ?? [.text(""), .number(.nan)]
                if sensitivity[k] { row.append(.text(call.map { ($0.passesSensitivity ?? true) ? "true" : "false" } ?? "")) }
            }
            return row + [.number(Double(r.significant)), .number(Double(r.tested)), .text(r.directionsAgree ? "true" : "false")]
        })
    }

    /// `filtered_features.csv`: what the shared selection left out.
    public var filteredFeatures: TextTable {
        TextTable(columns: ["feature", "reason", "detail"], rows: consensus.filtered.map { f in
            switch f.reason {
            case .prevalence(let samples, let of, let needed):
                return [.text(f.feature), .text("prevalence"), .text("present in \(samples) of \(of) samples; at least \(NumberStyle.roundTrip.format(needed)) needed")]
            case .structuralZero:
                return [.text(f.feature), .text("structural_zero"), .text(absence(f.feature))]
            case .variance(let v):
                return [.text(f.feature), .text("variance"), .text("variance \(NumberStyle.significantDigits(4).format(v))")]
            }
        })
    }

    func absence(_ name: String) -> String { consensus.structuralZeros?.absence(name) ?? "" }

    /// `structural_zeros.csv`, when asked for.
    public var structuralZeros: TextTable? { consensus.structuralZeros?.table }

    /// Rows every method tested and called significant, in the same direction.
    var agreed: [AssociationConsensus.Row] {
        consensus.rows.filter { $0.significant == consensus.results.count && $0.directionsAgree }
    }

    /// Per method, the rows only it calls significant.
    var singles: [(method: String, rows: [AssociationConsensus.Row])] {
        consensus.results.indices.map { m in
            (methodNames[m], consensus.rows.filter { r in
                r.significant == 1 && (r.calls[m].map { $0.isCalled(at: consensus.options.threshold) } ?? false)
            })
        }
    }

    func label(_ r: AssociationConsensus.Row) -> String {
        let up = r.calls.compactMap { $0 }.first { $0.isCalled(at: consensus.options.threshold) }.map { $0.estimate > 0 } ?? true
        return "\(r.feature) (\(r.term), \(up ? "higher" : "lower"))"
    }

    /// The notes the command prints.
    public var notes: [String] {
        var out = [String]()
        let c = consensus
        if !c.droppedForMissing.isEmpty {
            out.append("note: " + Words.exclusionSummary(dropped: c.droppedForMissing.count, total: c.droppedForMissing.count + c.samples.count + c.shallowSamples.count + c.emptySamples.count,
                                                         exclusions: c.exclusions) + ": \(Words.list(c.droppedForMissing))")
        }
        if !c.shallowSamples.isEmpty {
            out.append("note: \(Words.counted(c.shallowSamples.count, "sample")) with fewer than \(NumberStyle.roundTrip.format(c.options.minimumDepth)) reads left out: \(Words.list(c.shallowSamples))")
        }
        if !c.emptySamples.isEmpty {
            out.append("note: \(Words.counted(c.emptySamples.count, "sample")) without reads in the kept features left out: \(Words.list(c.emptySamples))")
        }
        let absent = c.filtered.filter { $0.reason == .structuralZero }.count
        if let z = c.structuralZeros {
            out.append("note: structural zeros by \(z.group): " + (absent == 0 ? "none of the \(z.features.count) features is absent from a whole group"
                : "\(Words.counted(absent, "feature")) absent from a whole group, not tested (structural_zeros.csv)"))
        }
        let prevalence = c.filtered.count - absent
        if prevalence > 0 {
            out.append("note: \(prevalence) of \(c.features.count + c.filtered.count) features present in fewer than \(NumberStyle.roundTrip.format(c.options.minimumPrevalence * 100))% of samples left out (filtered_features.csv); the same \(c.features.count) tested by every method")
        }
        for (m, d) in methodDocuments {
            for note in d.notes where note.hasPrefix("note: ") && !note.contains("rows left out for missing values") && !note.contains("features filtered out") {
                out.append("note: \(Self.names[m] ?? m.rawValue): " + note.dropFirst(6))
            }
        }
        let counts = consensus.results.indices.map { m in consensus.rows.filter { $0.calls[m].map { $0.isCalled(at: consensus.options.threshold) } ?? false }.count }
        out.append("q ≤ \(threshold): " + zip(methodNames, counts).map { "\($0) \($1)" }.joined(separator: ", ")
                   + "; \(agreed.count) agreed by all \(consensus.results.count) methods (\(consensus.rows.count) feature–term pairs tested)")
        return out
    }

    /// One dot matrix per term: the features any method calls significant
    /// (at most 40, most calls first).
    public var figures: [ReportFigure] {
        let terms = consensus.rows.map(\.term).uniqued()
        let columns = methodNames
        let thresholdValue = consensus.options.threshold
        return terms.compactMap { term in
            let rows = Array(consensus.rows.filter { $0.term == term && $0.significant > 0 }.prefix(40))
            guard !rows.isEmpty else { return nil }
            let caption = ["Features with q ≤ \(threshold) by any method for \(term) (at most 40, most calls first), model \(model); each method as its authors run it, on the same \(consensus.samples.count) samples and \(consensus.features.count) features."]
            return ReportFigure(name: "consensus-" + fileNameComponent(term) + ".svg",
                                figure: Figures.dotMatrix(rows: rows.map(\.feature), columns: columns, value: { i, j in
                                    // A call that fails ANCOM-BC2's sensitivity analysis is drawn as no call.
                                    rows[i].calls[j].map { ($0.estimate, $0.isCalled(at: thresholdValue) || $0.qValue > thresholdValue ? $0.qValue : 1) }
                                }, threshold: thresholdValue, title: "Agreement across methods: \(term)", caption: caption))
        }
    }

    /// The methods paragraph: the shared selection, then each method's own.
    func methods(_ m: StudyDocuments.Markup) -> String {
        let c = consensus
        var text = "Differential abundance was tested by four methods as implemented in Moodbiome \(moodbiomeVersion) on \(m.code(URL(fileURLWithPath: countsPath).lastPathComponent)) with \(m.code(model)), "
        text += "on the same samples and features (Nearing et al. 2022, Nature Communications 13:342, recommend such a consensus): the \(c.samples.count) samples with every model variable"
        text += c.options.minimumDepth > 0 ? " and at least \(NumberStyle.roundTrip.format(c.options.minimumDepth)) reads" : ""
        text += ", and the \(c.features.count) features present in at least \(NumberStyle.roundTrip.format(c.options.minimumPrevalence * 100))% of them"
        if let z = c.structuralZeros {
            text += ", less those absent from a whole \(z.group) group (structural zeros, reported and not tested)"
        }
        text += ". Each method ran with its own transform, bias correction and multiple-testing adjustment; a feature–term pair counts as called by a method at q ≤ \(threshold) (ANCOM-BC2's only when the call survives its pseudo-count sensitivity analysis, as the R package's diff_robust), and the agreement is the number of methods calling it, with its direction."
        return text
    }

    /// `summary.md`.
    public var summaryMarkdown: String {
        var out = "# Differential abundance by four methods: " + Escape.markdown(model) + "\n\n"
        let counts = consensus.results.indices.map { m in consensus.rows.filter { $0.calls[m].map { $0.isCalled(at: consensus.options.threshold) } ?? false }.count }
        out += TextTable(columns: ["Method", "Calls at q ≤ \(threshold)"], rows: zip(methodNames, counts).map { [.text($0), .text("\($1)")] }).rendered(as: .markdown) + "\n"
        out += "**Agreed by every method** (\(agreed.count)): " + (agreed.isEmpty ? "none." : agreed.prefix(50).map { Escape.markdown(label($0)) }.joined(separator: "; ") + (agreed.count > 50 ? "; …" : "") + ".") + "\n\n"
        for (method, rows) in singles {
            out += "**Found by \(method) only** (\(rows.count)): " + (rows.isEmpty ? "none." : rows.prefix(30).map { Escape.markdown(label($0)) }.joined(separator: "; ") + (rows.count > 30 ? "; …" : "") + ".") + "\n\n"
        }
        let disagreeing = consensus.rows.filter { !$0.directionsAgree }
        if !disagreeing.isEmpty {
            out += "**Called in opposite directions** (\(disagreeing.count)): " + disagreeing.prefix(30).map { Escape.markdown("\($0.feature) (\($0.term))") }.joined(separator: "; ") + ".\n\n"
        }
        out += "Every pair in `consensus.csv`; each method's full results in its directory (`maaslin2/`, `linda/`, `ancombc/`, `ancombc2/`).\n\n"
        out += "## Methods\n\n" + methods(.markdown) + "\n"
        for (m, d) in methodDocuments { out += "\n" + "**\(Self.names[m] ?? m.rawValue).** " + d.methods + "\n" }
        return out
    }

    /// `report.html`.
    public func reportHTML(figures: [ReportFigure]) -> String {
        let e = Escape.html
        var html = "<main>\n<h1>Differential abundance by four methods: \(e(model))</h1>\n"
        html += "<p class=\"meta\">Moodbiome \(e(moodbiomeVersion)) · \(Words.counted(consensus.samples.count, "sample")) · \(Words.counted(consensus.features.count, "feature")) tested by every method · inputs and checksums in <code>provenance.json</code></p>\n"
        let counts = consensus.results.indices.map { m in consensus.rows.filter { $0.calls[m].map { $0.isCalled(at: consensus.options.threshold) } ?? false }.count }
        html += TextTable(columns: ["Method", "Calls at q ≤ \(threshold)"], rows: zip(methodNames, counts).map { [.text($0), .text("\($1)")] }).htmlTable()
        html += "<h2>Agreed by every method (\(agreed.count))</h2>\n<p>" + (agreed.isEmpty ? "None." : agreed.prefix(50).map { e(label($0)) }.joined(separator: "; ")) + "</p>\n"
        for (method, rows) in singles {
            html += "<h2>Found by \(e(method)) only (\(rows.count))</h2>\n<p>" + (rows.isEmpty ? "None." : rows.prefix(30).map { e(label($0)) }.joined(separator: "; ")) + "</p>\n"
        }
        let shownNotes = notes.filter { $0.hasPrefix("note: ") }.map { String($0.dropFirst(6)) }
        if !shownNotes.isEmpty { html += "<ul>\n" + shownNotes.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n" }
        if !figures.isEmpty { html += "<h2>Figures</h2>\n<div class=\"figures\">\n" + figures.map(\.html).joined() + "</div>\n" }
        html += "<h2>Methods</h2>\n<p>\(methods(.html))</p>\n"
        for (m, d) in methodDocuments { html += "<p><b>\(e(Self.names[m] ?? m.rawValue)).</b> \(d.methods(.html))</p>\n" }
        html += "<h2>Files</h2>\n<p>consensus.csv, filtered_features.csv" + (consensus.structuralZeros != nil ? ", structural_zeros.csv" : "")
            + "; each method's tables, figures and report in <code>maaslin2/</code>, <code>linda/</code>, <code>ancombc/</code>, <code>ancombc2/</code>; <code>summary.md</code>; <code>provenance.json</code>.</p>\n</main>\n"
        return HTMLPage(title: "Differential abundance by four methods — Moodbiome report", body: html, style: StudyDocuments.reportStyle, responsive: true).html
    }
}
