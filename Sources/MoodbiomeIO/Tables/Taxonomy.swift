/// A taxonomic rank, as lineage strings mark them (`k__`, `p__`, … `s__`,
/// and MetaPhlAn's strain or SGB level `t__`; SILVA and GTDB write the
/// kingdom as the domain, `d__`).
public enum TaxonomicRank: String, Sendable, CaseIterable, Comparable {
    case kingdom, phylum, `class`, order, family, genus, species, strain

    /// The prefixes that mark this rank in a lineage.
    public var prefixes: [String] {
        switch self {
        case .kingdom: ["k__", "d__"]
        case .phylum: ["p__"]
        case .class: ["c__"]
        case .order: ["o__"]
        case .family: ["f__"]
        case .genus: ["g__"]
        case .species: ["s__"]
        case .strain: ["t__"]
        }
    }

    /// The rank a lineage component's prefix marks, if any.
    public init?(component: String) {
        let lower = component.lowercased()
        guard let rank = TaxonomicRank.allCases.first(where: { r in r.prefixes.contains { lower.hasPrefix($0) } }) else { return nil }
        self = rank
    }

    public var depth: Int { TaxonomicRank.allCases.firstIndex(of: self) ?? 0 }

    public static func < (a: TaxonomicRank, b: TaxonomicRank) -> Bool { a.depth < b.depth }
}

/// Lineage strings: the ranks of a taxon from kingdom down, as QIIME 2
/// (`k__Bacteria; p__Firmicutes`), BIOM metadata (a list of ranks) and
/// MetaPhlAn (`k__Bacteria|p__Firmicutes`) write them.
public enum Taxonomy {
    /// The ranks of a lineage written with `;` (or MetaPhlAn's `|`), trimmed,
    /// trailing empty ranks dropped.
    public static func split(_ lineage: String) -> [String] {
        let separator: Character = lineage.contains(";") || !lineage.contains("|") ? ";" : "|"
        var ranks = lineage.split(separator: separator, omittingEmptySubsequences: false)
            .map { $0.trimmingWhitespace() }
        while let last = ranks.last, last.isEmpty { ranks.removeLast() }
        return ranks
    }

    /// A lineage string from its ranks (`; `-separated, as QIIME 2 writes
    /// it), trailing empty ranks dropped.
    public static func join(_ ranks: [String]) -> String {
        var ranks = ranks.map { $0.trimmingWhitespace() }
        while let last = ranks.last, last.isEmpty { ranks.removeLast() }
        return ranks.joined(separator: "; ")
    }
}
