import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// Structural zeros (Kaul et al. 2017, *Frontiers in Microbiology* 8:2114;
/// ANCOM-BC's `struc_zero`), as scikit-bio 0.7.4's `struc_zero`: a feature
/// is a structural zero in a group — absent from it, not merely unseen —
/// when its prevalence there, `p̂ = present / samples`, is 0; with
/// `lowerBound` (scikit-bio's `neg_lb`), when the 95% lower bound
/// `p̂ − 1.96·√(p̂(1 − p̂)/samples)` is at or below 0 (for large groups).
///
/// A structural zero is an answer, not a test: the feature is less abundant
/// in that group than wherever it is present. ANCOM-BC's and ANCOM-BC2's
/// models leave such features out, and the reports name them.
public struct StructuralZeros: Sendable {
    /// The grouping variable.
    public let group: String
    /// Its levels, in sorted order (scikit-bio's `np.unique`).
    public let levels: [String]
    /// Samples per level.
    public let sizes: [Int]
    /// The features checked, and per feature the samples per level where it
    /// is present and whether it is a structural zero there.
    public let features: [String]
    public let present: [[Int]]
    public let absent: [[Bool]]
    public let lowerBound: Bool

    /// The check on `features` of `table` grouped by `group`, a categorical
    /// variable of `formula` without missing values in `data` (`data`'s rows
    /// are `table`'s samples).
    init(_ table: CountTable, features: [Int], data: DataTable, formula: Formula, group: String, lowerBound: Bool) throws {
        let categorical = formula.variables.filter { name in
            guard let column = data[name] else { return false }
            let forced = formula.terms.contains { $0.factors.contains { $0.isForcedCategorical && $0.plainColumn == name } }
            return column.kind != .numeric || forced
        }
        guard categorical.contains(group), let column = data[group] else {
            throw ParameterError(.strucZero, .unknownChoice(value: group, choices: categorical.isEmpty ? ["(the formula has no categorical variable)"] : categorical))
        }
        let levels = Array(Set(column.cells)).sorted()
        let position = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, $0) })
        let level = column.cells.map { position[$0]! }
        var sizes = [Int](repeating: 0, count: levels.count)
        for l in level { sizes[l] += 1 }
        let column_ = table.positions(of: features)
        var present = [[Int]](repeating: [Int](repeating: 0, count: levels.count), count: features.count)
        for j in 0..<table.sampleCount {
            for k in table.range(ofSample: j) where table.values[k] != 0 {
                let c = column_[Int(table.taxonIndices[k])]
                if c >= 0 { present[Int(c)][level[j]] += 1 }
            }
        }
        self.group = group
        self.levels = levels
        self.sizes = sizes
        self.features = features.map { table.taxonIDs[$0] }
        self.present = present
        self.lowerBound = lowerBound
        self.absent = present.map { counts in
            (0..<levels.count).map { l in
                let n = Double(sizes[l])
                var p = Double(counts[l]) / n
                if lowerBound { p -= 1.96 * (p * (1 - p) / n).squareRoot() }
                return p <= 0
            }
        }
    }

    /// Sets aside, from `kept` (indices into `table`, as given to the
    /// check), the features absent from a whole group, adding them to
    /// `filtered`; at least two features must remain.
    func setAside(_ kept: inout [Int], filtered: inout [(feature: String, reason: FeatureFilter.Reason)], in table: CountTable) throws {
        let absent = Set(features.indices.filter { self.absent[$0].contains(true) }.map { kept[$0] })
        filtered += kept.filter(absent.contains).map { (table.taxonIDs[$0], FeatureFilter.Reason.structuralZero) }
        kept.removeAll(where: absent.contains)
        guard kept.count >= 2 else { throw AssociationError.tooFewFeaturesWithoutStructuralZeros(kept: kept.count, group: group) }
    }

    /// The levels a feature (by position in ``features``) is absent from.
    public func absentLevels(_ feature: Int) -> [String] {
        levels.indices.filter { absent[feature][$0] }.map { levels[$0] }
    }
}
