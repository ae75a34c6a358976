import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO

/// What `moodbiome modules` writes: the module tables (samples as rows,
/// modules as columns), the module list, the per-taxon long table, the
/// heatmap and the summary.
public struct ModuleDocuments: Sendable {
    public let scoring: ModuleScoring
    public let scores: ModuleScoring.Scores
    public let profile: FunctionalProfile
    public let perTaxon: [ModuleScoring.TaxonScore]?
    /// The samples' groups, in sample order, for the heatmap (`--group-by`).
    public let groups: (column: String, labels: [String])?
    public let inputs: [String]

    public init(scoring: ModuleScoring, scores: ModuleScoring.Scores, profile: FunctionalProfile, perTaxon: [ModuleScoring.TaxonScore]?,
                groups: (column: String, labels: [String])?, inputs: [String]) {
        self.scoring = scoring
        self.scores = scores
        self.profile = profile
        self.perTaxon = perTaxon
        self.groups = groups
        self.inputs = inputs
    }

    /// `abundance.csv` / `coverage.csv`: one row per sample, one column per module.
    public func matrix(coverage: Bool) -> TextTable {
        TextTable(columns: ["sample_id"] + scores.moduleIDs, rows: scores.sampleIDs.indices.map { j in
            [.text(scores.sampleIDs[j])] + scores.moduleIDs.indices.map { m in
                .number(coverage ? scores.coverage(sample: j, module: m) : scores.abundance(sample: j, module: m))
            }
        })
    }

    /// `modules.csv`: each module, its steps, its KEGG orthologs and how many the table has.
    public var modulesTable: TextTable {
        let found = scoring.keggOrthologsFound(in: profile.functionIDs), samples = scores.samplesFound
        return TextTable(columns: ["module", "name", "steps", "kos", "kos_in_table", "samples_found"],
                         rows: scoring.database.modules.enumerated().map { m, module in
                             [.text(module.id), .text(module.name), .number(Double(module.steps.count)),
                              .number(Double(module.keggOrthologs.count)), .number(Double(found[m])), .number(Double(samples[m]))]
                         })
    }

    /// `per-taxon.csv`'s bytes: each module found in a taxon's share of a
    /// sample (millions of rows for a whole stratified table: made row by
    /// row while the text is written, on all cores).
    public func perTaxonCSV(guardFormulas: Bool) -> [UInt8]? {
        guard let perTaxon, let strata = profile.strata else { return nil }
        let (taxa, modules, samples) = (strata.taxa, scores.moduleIDs, scores.sampleIDs)
        return TextTable.csvBytes(columns: ["taxon", "module", "sample_id", "abundance", "coverage"], rowCount: perTaxon.count,
                                  guardFormulas: guardFormulas) { r in
            let s = perTaxon[r]
            return [.text(taxa[Int(s.taxon)]), .text(modules[Int(s.module)]), .text(samples[Int(s.sample)]), .number(s.abundance), .number(s.coverage)]
        }
    }

    /// Modules whose steps name no KEGG ortholog (COG/eggNOG/TIGRFAM only).
    public var withoutKEGGOrthologs: [FunctionModule] { scoring.database.modules.filter { $0.keggOrthologs.isEmpty } }

    var settingsWords: String {
        let s = scoring.settings
        return "coverage cut-off \(NumberStyle.roundTrip.format(s.coverage)), \(s.estimator.rawValue) of the observed steps"
            + (s.normalizeByLength ? ", normalised by the module's length (missing steps counted as 0)" : "")
    }

    /// The heatmap's most columns: more samples are drawn as bins of
    /// neighbouring samples (within a group), each the bin's mean.
    static let heatmapColumns = 240

    /// The heatmap: modules found in at least one sample, samples in group
    /// order (binned past ``heatmapColumns``).
    public var figures: [ReportFigure] {
        let found = scores.samplesFound
        let shown = scores.moduleIDs.indices.filter { found[$0] > 0 }
        guard !shown.isEmpty else { return [] }
        let n = scores.sampleIDs.count
        var levels = [""], label = [String](repeating: "", count: n)
        if let groups {
            levels = Array(Set(groups.labels)).sorted()
            label = groups.labels
        }
        // Columns: per group, its samples in table order, cut into bins.
        var columns = [(name: String, samples: [Int])](), bands = [(label: String, count: Int)]()
        for level in levels {
            let members = (0..<n).filter { label[$0] == level }
            let bins = n <= Self.heatmapColumns ? members.count : Swift.max(1, members.count * Self.heatmapColumns / n)
            for b in 0..<bins {
                let part = Array(members[(members.count * b / bins)..<(members.count * (b + 1) / bins)])
                columns.append((part.count == 1 ? scores.sampleIDs[part[0]] : "\(part.count) samples", part))
            }
            bands.append((level, bins))
        }
        let binned = n > Self.heatmapColumns
        let modules = scoring.database.modules
        let caption = ["Abundance of each module of \(scoring.database.name) found in at least one sample (\(shown.count) of \(modules.count)), by sample,"
                       + " scored from the community profile as omixer-rpm does (\(settingsWords)); grey: not found (coverage below the cut-off)."]
            + (binned ? ["The \(n) samples are drawn as \(columns.count) columns of neighbouring samples\(groups == nil ? "" : " within a group"), each the mean of its samples."] : [])
            + (groups.map { ["Samples grouped by \($0.column)."] } ?? [])
        let figure = Figures.moduleHeatmap(rows: shown.map { "\(modules[$0].id) \(modules[$0].name)" }, columns: columns.map(\.name),
                                           value: { i, j in
                                               let part = columns[j].samples
                                               return part.reduce(0) { $0 + scores.abundance(sample: $1, module: shown[i]) } / Double(part.count)
                                           },
                                           groups: groups == nil ? nil : bands, title: "\(scoring.database.name) by sample", caption: caption)
        return [ReportFigure(name: "heatmap.svg", figure: figure)]
    }

    /// A carried database's citation, or its name.
    static func citation(_ name: String) -> String {
        switch name {
        case "GBMs v1.0": "gut–brain modules (GBMs v1.0), Valles-Colomer et al. (2019) Nat. Microbiol. 4:623"
        case "GMMs v1.07": "gut metabolic modules (GMMs v1.07), Vieira-Silva et al. (2016) Nat. Microbiol. 1:16088"
        default: name
        }
    }

    public var summaryMarkdown: String {
        let modules = scoring.database.modules, found = scores.samplesFound
        var out = "# Modules\n\n"
        out += "\(scoring.database.name) (\(modules.count) modules) scored in \(scores.sampleIDs.count) samples of \(inputs.joined(separator: ", "))"
            + " (\(profile.layout.rawValue), \(profile.functionIDs.count) functions\(profile.unit.map { ", \($0)" } ?? "")), \(settingsWords).\n\n"
        let any = found.filter { $0 > 0 }.count, all = found.filter { $0 == scores.sampleIDs.count }.count
        out += "- \(Words.counted(any, "module")) found in at least one sample, \(all) in every sample.\n"
        let used = Set(scoring.orthologs).intersection(profile.functionIDs).count
        out += "- \(used) of the table's \(profile.functionIDs.count) functions are orthologs the modules name.\n"
        if let perTaxon, let strata = profile.strata {
            out += "- Per taxon: \(Words.counted(perTaxon.count, "module")) found across \(strata.taxa.count) taxa (per-taxon.csv).\n"
        }
        if !withoutKEGGOrthologs.isEmpty {
            out += "- Not scorable from a KO table (their steps name no KEGG ortholog, only COG/eggNOG/TIGRFAM groups): "
                + withoutKEGGOrthologs.map { "\($0.id) \($0.name)" }.joined(separator: "; ") + ".\n"
        }
        for note in profile.notes { out += "- \(note).\n" }
        let top = modules.indices.filter { found[$0] > 0 }.sorted { (found[$1], $0) < (found[$0], $1) }.prefix(10)
        if !top.isEmpty {
            out += "\n## Most often found\n\n| module | name | samples |\n|---|---|---|\n"
            for m in top { out += "| \(modules[m].id) | \(Escape.markdown(modules[m].name)) | \(found[m]) of \(scores.sampleIDs.count) |\n" }
        }
        out += "\n## Method\n\n"
        out += "Each module is a pathway of steps, each step done by any one of its alternative orthologs or complexes. "
            + "In each sample an alternative's value is the mean abundance of its subunits, a step takes its best alternative and is observed when that is above 0; "
            + "coverage is the share of steps observed, and the module's abundance the \(scoring.settings.estimator.rawValue) of the observed steps' values. "
            + "A module counts when its coverage is at least \(NumberStyle.roundTrip.format(scoring.settings.coverage)); otherwise abundance and coverage are 0. "
            + "This is omixer-rpm 1.1's computation (Darzi et al. 2016, Bioinformatics 32:1111), checked against it to 1e-12. "
            + "Modules: " + scoring.database.name.components(separatedBy: " and ").map(Self.citation).joined(separator: "; ") + ".\n"
        return out
    }
}
