import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// Agreement across differential-abundance methods (`associate --method
/// all`; Nearing et al. 2022, *Nature Communications* 13:342, found that
/// methods disagree and recommended a consensus): MaAsLin2's LM, LinDA,
/// ANCOM-BC and ANCOM-BC2 on the same samples and the same features, each
/// as its authors run it (its own transform, bias correction and
/// multiple-testing adjustment), and per feature and term how many of them
/// call it significant and whether their directions agree. ANCOM-BC2's
/// call counts only when it survives its pseudo-count sensitivity analysis
/// (R's `diff_robust`), which runs at the consensus's threshold.
///
/// The shared selection: the samples with every formula variable and at
/// least `minimumDepth` reads; the features present (above 0) in at least
/// `minimumPrevalence` of them (LinDA's and ANCOM-BC's rule); then the
/// samples with reads in those features; with `structuralZeroGroup`, the
/// features absent from a whole group set aside (``StructuralZeros``). Each
/// method then runs with its own filters off.
public struct AssociationConsensus: Sendable {
    /// The methods, in the order the outputs list them.
    public static let methods: [AssociationMethod] = [.maaslin2, .linda, .ancombc, .ancombc2]

    public struct Options: Sendable {
        public var minimumPrevalence = 0.1
        public var minimumDepth = 0.0
        /// q at or below which a method calls a feature significant.
        public var threshold = 0.25
        public var structuralZeroGroup: String? = nil
        public var structuralZeroLowerBound = false
        /// Each method's own settings (their filters are replaced by the shared selection).
        public var maaslin2 = TaxonAssociation.Options()
        public var linda = LinDA.Options()
        public var ancombc = ANCOMBC.Options()
        /// ANCOM-BC2 at its own default: zeros as missing values (pseudo-count 0).
        public var ancombc2: ANCOMBC.Options = { var o = ANCOMBC.Options(); o.variant = .ancombc2; o.pseudoCount = 0; o.pseudoSensitivity = true; return o }()

        public init() {}
    }

    /// One method's call on one feature and term.
    public struct Call: Sendable, Equatable {
        public let estimate: Double
        public let qValue: Double
        /// ANCOM-BC2's pseudo-count sensitivity (nil for the other methods):
        /// a call counts only when it survives it, as R's `diff_robust`.
        public var passesSensitivity: Bool? = nil

        /// Whether the method calls it at `threshold`.
        public func isCalled(at threshold: Double) -> Bool { qValue <= threshold && (passesSensitivity ?? true) }
    }

    /// One feature and term across the methods.
    public struct Row: Sendable {
        public let feature: String
        public let term: String
        /// Per method (``methods`` order): its estimate and q, nil when it did not test it.
        public let calls: [Call?]
        /// Methods with q ≤ the threshold.
        public let significant: Int
        /// Methods that tested it.
        public let tested: Int
        /// Whether every significant call has the same sign (true when fewer than two).
        public let directionsAgree: Bool
    }

    public let results: [(method: AssociationMethod, association: TaxonAssociation)]
    /// Sorted by methods significant (most first), then smallest q, feature, term.
    public let rows: [Row]
    public let options: Options
    /// The shared selection: samples used, features tested, and what was left out.
    public let samples: [String]
    public let features: [String]
    public let filtered: [(feature: String, reason: FeatureFilter.Reason)]
    public let shallowSamples: [String]
    public let emptySamples: [String]
    public let droppedForMissing: [String]
    public let exclusions: [DesignMatrix.Exclusion]
    public let structuralZeros: StructuralZeros?

    /// - Precondition: `metadata`'s rows are `table`'s samples, in order.
    public init(table: CountTable, metadata: DataTable, formula: Formula, options: Options) throws {
        precondition(metadata.ids == table.sampleIDs, "the metadata rows are the table's samples")
        let design = try DesignMatrix(formula: formula, data: metadata, references: options.maaslin2.references)
        let selection = try DepthAndPrevalence(table, rows: design.rowIndices, minimumDepth: options.minimumDepth,
                                               minimumPrevalence: options.minimumPrevalence, requirePresent: true)
        var kept = selection.kept, filtered = selection.filtered
        // Samples with reads in the kept features (the others cannot be normalised).
        let keptTable = selection.counts.selectingTaxa(kept)
        let totals = keptTable.sampleTotals
        let withReads = (0..<keptTable.sampleCount).filter { totals[$0] > 0 }
        let emptySamples = (0..<keptTable.sampleCount).filter { !(totals[$0] > 0) }.map { keptTable.sampleIDs[$0] }
        var counts = withReads.count == keptTable.sampleCount ? selection.counts : selection.counts.selectingSamples(withReads)
        let data = metadata.selectingRows(withReads.map { selection.rows[$0] })
        var zeros: StructuralZeros? = nil
        if let group = options.structuralZeroGroup {
            let z = try StructuralZeros(counts, features: kept, data: data, formula: formula, group: group, lowerBound: options.structuralZeroLowerBound)
            try z.setAside(&kept, filtered: &filtered, in: counts)
            zeros = z
        }
        counts = counts.selectingTaxa(kept)
        var results = [(method: AssociationMethod, association: TaxonAssociation)]()
        var maaslin2 = options.maaslin2
        maaslin2.filter = FeatureFilter()
        maaslin2.filter.minimumPrevalence = 0
        results.append((.maaslin2, try TaxonAssociation(table: counts, metadata: data, formula: formula, options: maaslin2)))
        var linda = options.linda
        linda.minimumPrevalence = 0
        linda.minimumDepth = 0
        results.append((.linda, try TaxonAssociation(linda: counts, metadata: data, formula: formula, options: linda)))
        for (method, settings) in [(AssociationMethod.ancombc, options.ancombc), (.ancombc2, options.ancombc2)] {
            var o = settings
            o.minimumPrevalence = 0
            o.minimumDepth = 0
            o.structuralZeroGroup = nil
            o.variant = method == .ancombc2 ? .ancombc2 : .ancombc
            o.sensitivityLevel = options.threshold
            results.append((method, try TaxonAssociation(ancombc: counts, metadata: data, formula: formula, options: o)))
        }
        self.results = results
        self.rows = Self.rows(results.map(\.association), threshold: options.threshold)
        self.options = options
        self.samples = data.ids
        self.features = counts.taxonIDs
        self.filtered = filtered
        self.shallowSamples = selection.shallow
        self.emptySamples = emptySamples
        self.droppedForMissing = design.droppedIDs
        self.exclusions = design.exclusions
        self.structuralZeros = zeros
    }

    /// Each (feature, term) any method tested, with every method's call.
    static func rows(_ associations: [TaxonAssociation], threshold: Double) -> [Row] {
        var keys = [String](), seen = Set<String>()
        var calls = [String: [Call?]]()
        for (m, a) in associations.enumerated() {
            for r in a.rows {
                let key = r.feature + "\u{0}" + r.term
                if seen.insert(key).inserted { keys.append(key); calls[key] = [Call?](repeating: nil, count: associations.count) }
                if r.estimate.isFinite && r.qValue.isFinite {
                    calls[key]![m] = Call(estimate: r.estimate, qValue: r.qValue, passesSensitivity: r.passesSensitivity)
                }
            }
        }
        let rows = keys.map { key -> Row in
            let parts = key.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let c = calls[key]!
            let significant = c.compactMap { $0 }.filter { $0.isCalled(at: threshold) }
            let signs = Set(significant.map { $0.estimate < 0 })
            return Row(feature: parts[0], term: parts[1], calls: c, significant: significant.count,
                       tested: c.compactMap { $0 }.count, directionsAgree: signs.count <= 1)
        }
        func smallestQ(_ r: Row) -> Double { r.calls.compactMap { $0?.qValue }.min() ?? .infinity }
        return rows.sorted { a, b in
            if a.significant != b.significant { return a.significant > b.significant }
            let qa = smallestQ(a), qb = smallestQ(b)
            if qa != qb { return qa < qb }
            return (a.feature, a.term) < (b.feature, b.term)
        }
    }
}
