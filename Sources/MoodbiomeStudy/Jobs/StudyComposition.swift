import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// The community-composition part of `analyze` (`--beta`): for each beta
/// metric, the distance matrix of the study's samples, a PERMANOVA of it on
/// the outcome and the covariates (each term given all the others, vegan's
/// `by = "margin"`), PERMDISP across the study's groups (the severity band,
/// or `--group-by`), and the principal coordinates for a figure.
///
/// With repeated measures (`--strata`, or by default the grouping of the
/// random terms) the permutations respect the grouping: terms constant
/// within a participant permute whole participants, terms varying within
/// participants permute within them (``PermutationSettings``).
public struct StudyComposition: Sendable {
    /// Beta metric names, as requested.
    public var metrics: [String] = []
    public var settings = BetaOptions()
    public var permutations = 999
    /// The column whose groups (participants) restrict the permutations;
    /// nil: the finest grouping of the random terms, if any.
    public var strata: String? = nil

    public init() {}

    public var isRequested: Bool { !metrics.isEmpty }

    /// The metric definitions, checked.
    public func definitions(hasTree: Bool) throws -> [BetaMetricDefinition] {
        try settings.validate()
        guard (0...1_000_000).contains(permutations) else {
            throw ParameterError(.permutations, .outOfRange(value: String(permutations), allowed: .between("0", "1000000")))
        }
        let unknown = metrics.filter { BetaMetricDefinition.named($0) == nil }
        if !unknown.isEmpty { throw BetaDiversityError.unknownMetrics(unknown) }
        var seen = Set<String>()
        return try metrics.map { name in
            guard let d = BetaMetricDefinition.named(name) else { throw BetaDiversityError.unknownMetrics([name]) }
            if d.needsTree && !hasTree { throw BetaDiversityError.needsTree(d.name) }
            guard seen.insert(d.name).inserted else { throw ParameterError(.beta, .malformed(value: name, expected: "a metric named once")) }
            return d
        }
    }

    /// The table the distances are computed on: the samples the alpha
    /// analysis kept, rarefied (first draw) when the study is.
    static func table(_ table: CountTable, alpha: AlphaDiversityResult, rarefaction: Rarefaction?) -> CountTable {
        let position = Dictionary(uniqueKeysWithValues: table.sampleIDs.enumerated().map { ($1, $0) })
        let kept = alpha.sampleIDs.compactMap { position[$0] }
        return rarefaction.map { $0.rarefied(table, samples: kept, iteration: 0) } ?? table.selectingSamples(kept)
    }

    /// Runs every metric on `table` (already rarefied when the study is),
    /// joined to `merged` (the analysis' samples and variables);
    /// `covariates` are in formula syntax (``Formula/Covariate/text``).
    func run(table: CountTable, phylogeny: TablePhylogeny?, tree: TreeInput?, merged: DataTable, outcome: String,
             covariates: [String], group: String?, random: [RandomTerm], seed: UInt64, report: (String) -> Void) throws -> [CompositionFinding] {
        let definitions = try self.definitions(hasTree: tree != nil)
        let (merged, strata) = Participants.column(strata, random: random, merged: merged)
        var findings = [CompositionFinding]()
        // The covariates arrive in formula syntax (a column backquoted if
        // needed, or a parsed piece such as C(bristol_stool_type)).
        let formula = "~ " + ([Formula.quotedIfNeeded(outcome)] + covariates.filter { $0 != Formula.quotedIfNeeded(outcome) })
            .joined(separator: " + ")
        for (index, definition) in definitions.enumerated() {
            let beta = try settings.compute(definition, table: table, tree: tree, phylogeny: phylogeny, report: report)
            let (matrix, data) = try DistanceMetadataInput.join(beta.matrix, merged, report: { _ in })
            var permutation = PermutationSettings()
            permutation.permutations = permutations
            permutation.seed = seed
            permutation.strata = strata
            let permanova = try PermanovaRun.test(matrix: matrix, metadata: data, formula: formula, split: .margin,
                                                  permutation: permutation, references: [:],
                                                  report: { if index == 0 && $0.hasPrefix("note: permutations restricted") { report($0) } })
            var dispersion: Dispersion? = nil
            if let group {
                dispersion = try DispersionRun.test(matrix: matrix, metadata: data, group: group, centre: .median,
                                                    permutation: permutation, report: { _ in })
            }
            let pcoa = try PrincipalCoordinates(matrix, dimensions: Swift.min(matrix.count, 10))
            let colouring = try OrdinationColouring(column: group ?? outcome, metadata: data, ordination: pcoa, ellipses: group != nil)
            findings.append(CompositionFinding(metric: definition.name, metricSummary: definition.summary, formula: formula,
                                               permanova: permanova, dispersion: dispersion, ordination: pcoa, colouring: colouring,
                                               emptySamples: beta.emptySamples))
        }
        return findings
    }
}
