import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// The gut–brain modules of a study (`analyze --functions`): each module's
/// abundance per sample (``ModuleScoring``), each module against the
/// outcome and covariates as `associate` tests a feature (MaAsLin2's
/// defaults: TSS, log₂, linear or — with random effects — linear mixed
/// models, Benjamini–Hochberg; or LinDA's bias-corrected CLR models), and for the modules most associated, the
/// share each taxon carries.
public struct ModuleStudy: Sendable {
    public let scoring: ModuleScoring
    public let scores: ModuleScoring.Scores
    /// Each module on the outcome and covariates, over the study's samples with a profile.
    public let association: TaxonAssociation
    /// The design column of the outcome (`phq9_total`).
    public let outcomeTerm: String
    /// For the modules most associated with the outcome (q ≤ 0.25, else the
    /// five with the smallest p): each taxon's share of the module's per-taxon
    /// abundance summed over the study's samples, largest first.
    public let contributions: [(module: String, shares: [(taxon: String, share: Double)])]
    /// Study samples without a profile, and profile samples outside the study.
    public let onlyInStudy: [String], onlyInProfile: [String]

    /// Scores `profile` and tests each module found in the study's samples.
    ///
    /// - Parameters:
    ///   - data: the study's modelled rows (metadata joined to the counts).
    public init(profile: FunctionalProfile, scoring: ModuleScoring, data: DataTable, outcome: String,
                covariates: [Formula.Covariate], random: [RandomTerm], options: TaxonAssociation.Options = .init(),
                method: AssociationMethod = .maaslin2) throws {
        self.scoring = scoring
        let scores = scoring.score(profile.community)
        self.scores = scores
        let join = try SampleJoin(metadata: data, sampleIDs: scores.sampleIDs, samplesFile: profile.community.source)
        onlyInStudy = join.onlyInMetadata
        onlyInProfile = join.onlyInSamples
        let modules = scores.moduleIDs.count
        var counts = Matrix(rows: modules, columns: join.sampleIndices.count)
        for (c, j) in join.sampleIndices.enumerated() {
            for m in 0..<modules { counts[m, c] = scores.abundance(sample: j, module: m) }
        }
        let rows = data.selectingRows(join.metadataRows)
        let table = try CountTable(sampleIDs: rows.ids, taxonIDs: scores.moduleIDs, counts: counts, source: profile.community.source)
        let formula = try Formula(rightHandSide: ([outcome] + covariates.map(\.text)).joined(separator: " + "))
        switch method {
        case .maaslin2:
            association = try TaxonAssociation(table: table, metadata: rows, formula: formula, options: options, random: random)
        case .linda:
            // Module abundances are not counts: LinDA's proportion type.
            var linda = LinDA.Options()
            linda.zeros = .halfMinimum
            linda.minimumDepth = 0
            linda.minimumPrevalence = 0.1
            association = try TaxonAssociation(linda: table, metadata: rows, formula: formula, options: linda, random: random)
        case .all:
            throw ParameterError(.moduleMethod, .unknownChoice(value: "all", choices: AssociationConsensus.methods.map(\.rawValue)))
        case .ancombc, .ancombc2:
            guard random.isEmpty else { throw AssociationError.randomTermsUnsupported(method: method) }
            var ancombc = ANCOMBC.Options()
            ancombc.variant = method == .ancombc2 ? .ancombc2 : .ancombc
            ancombc.minimumPrevalence = 0.1
            association = try TaxonAssociation(ancombc: table, metadata: rows, formula: formula, options: ancombc)
        }
        let term = association.rows.first { $0.variable == outcome }?.term ?? outcome
        outcomeTerm = term
        let outcomeRows = association.rows.filter { $0.term == term && $0.pValue.isFinite }
        let significant = outcomeRows.filter { $0.qValue <= 0.25 }
        let top = (significant.isEmpty ? outcomeRows.sorted { $0.pValue < $1.pValue } : significant).prefix(5).map(\.feature)
        var contributions = [(module: String, shares: [(taxon: String, share: Double)])]()
        if let strata = profile.strata, !top.isEmpty {
            let perTaxon = scoring.scorePerTaxon(strata)
            let studySamples = Set(join.sampleIndices.map(Int32.init))
            for module in top {
                guard let m = scores.moduleIDs.firstIndex(of: module) else { continue }
                var sums = [Double](repeating: 0, count: strata.taxa.count)
                for s in perTaxon where s.module == Int32(m) && studySamples.contains(s.sample) { sums[Int(s.taxon)] += s.abundance }
                let total = sums.reduce(0, +)
                guard total > 0 else { continue }
                let shares = sums.indices.filter { sums[$0] > 0 }.sorted { (sums[$1], $0) < (sums[$0], $1) }
                    .map { (taxon: strata.taxa[$0], share: sums[$0] / total) }
                contributions.append((module, shares))
            }
        }
        self.contributions = contributions
    }
}
