import FoundationEssentials

/// The lineage of each feature, read from a taxonomy file:
/// - QIIME 2's `taxonomy.tsv` (`Feature ID`, `Taxon` as
///   `d__Bacteria; p__Firmicutes; …`, optional `Confidence`), also inside a
///   `FeatureData[Taxonomy]` `.qza`;
/// - mothur's `.cons.taxonomy` (`OTU`, `Size`, `Taxonomy` as
///   `Bacteria(100);Firmicutes(100);…;`, bootstrap confidences dropped);
/// - one column per rank (phyloseq's `tax_table` exported: an ID column,
///   then `Kingdom`, `Phylum`, … `Species`).
///
/// Lineages are kept as `k__…; p__…` strings: ranks without a prefix get
/// the one of their position (mothur and per-rank files), so collapsing
/// reads every source alike.
public struct TaxonomyTable: Sendable {
    /// Feature ID → lineage.
    public let lineages: [String: String]
    /// Features in file order.
    public let features: [String]
    public let source: String

    public init(lineages: [String: String], features: [String], source: String) {
        self.lineages = lineages
        self.features = features
        self.source = source
    }

    /// The rank prefixes by position, kingdom first.
    static let positionalPrefixes = ["k__", "p__", "c__", "o__", "f__", "g__", "s__", "t__"]

    /// Reads a taxonomy file (TSV/CSV, or a `.qza`), recognised by content.
    ///
    /// - Throws: `InputError` with the line of a malformed row, a feature
    ///   given twice, or a header that is none of the three layouts.
    public static func read(_ path: String) throws -> TaxonomyTable {
        let head = (try? FileBytes.prefix(of: path, count: 4)) ?? []
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            let artifact = try QiimeArtifact(path: path)
            guard artifact.type.hasPrefix("FeatureData[Taxonomy]") else {
                throw InputError(file: path, problem: "this QIIME 2 artifact is a \(artifact.type), not a taxonomy",
                                 fix: "Give a FeatureData[Taxonomy] artifact (taxonomy.qza) or its exported taxonomy.tsv")
            }
            guard let bytes = try artifact.dataFile("taxonomy.tsv") else {
                throw InputError(file: path, problem: "this taxonomy artifact has no data/taxonomy.tsv", fix: "Export the artifact again from QIIME 2")
            }
            let temporary = temporaryFolder + "moodbiome-taxonomy-\(UUID().uuidString).tsv"
            try Data(bytes).write(to: URL(fileURLWithPath: temporary))
            defer { try? FileManager.default.removeItem(atPath: temporary) }
            let table = try parse(DelimitedText(path: temporary, delimiter: .tab), source: path)
            return table
        }
        return try parse(DelimitedText(path: path), source: path)
    }

    static func parse(_ text: DelimitedText, source: String) throws -> TaxonomyTable {
        let header = text.header.map { $0.trimmingWhitespace() }
        let lower = header.map { $0.lowercased() }
        enum Layout { case lineage(Int), mothur(Int), ranks([Int]) }
        let layout: Layout
        let rankNames = ["kingdom", "domain", "phylum", "class", "order", "family", "genus", "species", "strain"]
        if let taxon = lower.firstIndex(of: "taxon"), taxon > 0 {
            layout = .lineage(taxon)
        } else if lower.first == "otu", let taxonomy = lower.firstIndex(of: "taxonomy") {
            layout = .mothur(taxonomy)
        } else if let taxonomy = lower.firstIndex(of: "taxonomy"), taxonomy > 0 {
            layout = .lineage(taxonomy)
        } else {
            let ranks = lower.indices.dropFirst().filter { rankNames.contains(lower[$0]) }
            guard !ranks.isEmpty else {
                throw InputError(file: source, line: text.headerLine,
                                 problem: "not a taxonomy file: the header has no 'Taxon' column (QIIME 2), no 'OTU … Taxonomy' (mothur) and no rank columns (Kingdom, Phylum, …)",
                                 fix: "Give QIIME 2's taxonomy.tsv (Feature ID, Taxon), a mothur .cons.taxonomy, or one column per rank")
            }
            layout = .ranks(ranks)
        }
        var lineages = [String: String](), features = [String](), lines = [String: Int]()
        let p = text.bytes.buffer
        let delimiter = text.delimiter.byte
        for r in 0..<text.recordCount {
            var cursor = FieldCursor(position: text.recordStarts[r], end: text.recordEnds[r])
            var fields = [String]()
            let line = text.recordLines[r]
            // Every field by the name rule: the ID is a name, and the ranks
            // become names in outputs (trimmed, UTF-8, no control characters).
            while let f = cursor.next(p, delimiter: delimiter) {
                fields.append(try f.name(p, file: source, line: line, column: fields.count + 1, what: fields.isEmpty ? "feature ID" : "lineage"))
            }
            guard let id = fields.first, !id.isEmpty else {
                throw InputError(file: source, line: line, column: 1, problem: "a row without a feature ID")
            }
            if id.hasPrefix("#") { continue }   // #q2:types
            let lineage: String
            switch layout {
            case .lineage(let k):
                guard k < fields.count else {
                    throw InputError(file: source, line: line, problem: "the row of '\(id)' has no \(header[k]) field")
                }
                lineage = normalized(Taxonomy.split(fields[k]))
            case .mothur(let k):
                guard k < fields.count else {
                    throw InputError(file: source, line: line, problem: "the row of '\(id)' has no Taxonomy field")
                }
                // `Bacteria(100);Firmicutes(100);…;` — drop the bootstrap values.
                var ranks = fields[k].split(separator: ";", omittingEmptySubsequences: false).map { part -> String in
                    var s = part.trimmingWhitespace()
                    if s.hasSuffix(")"), let open = s.lastIndex(of: "(") { s = String(s[..<open]) }
                    return s
                }
                while ranks.last?.isEmpty == true { ranks.removeLast() }
                lineage = normalized(ranks)
            case .ranks(let columns):
                lineage = normalized(columns.map { $0 < fields.count ? fields[$0] : "" })
            }
            if let first = lines[id] {
                throw InputError(file: source, line: line, column: 1,
                                 problem: "feature '\(id)' is listed twice (lines \(first) and \(line))", fix: "Give each feature one lineage")
            }
            lines[id] = line
            lineages[id] = lineage
            features.append(id)
        }
        return TaxonomyTable(lineages: lineages, features: features, source: source)
    }

    /// Ranks as `k__…; p__…`: a rank without a prefix takes the one of its
    /// position; unknown placeholders (`NA`, `unclassified`, `Unassigned`)
    /// become an empty rank.
    static func normalized(_ ranks: [String]) -> String {
        var out = [String]()
        for (i, raw) in ranks.enumerated() {
            let rank = raw.trimmingWhitespace()
            if TaxonomicRank(component: rank) != nil {
                out.append(rank)
                continue
            }
            let prefix = i < positionalPrefixes.count ? positionalPrefixes[i] : ""
            out.append(prefix + (isPlaceholder(rank) ? "" : rank))
        }
        return Taxonomy.join(out)
    }

    /// Names that stand for "no name at this rank".
    public static func isPlaceholder(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.isEmpty || ["na", "nan", "none", "unclassified", "unassigned", "unknown", "uncultured", "unidentified",
                                 "uncultured bacterium", "ambiguous_taxa", "__"].contains(lower)
    }
}

extension PhylogeneticTree {
    /// Reads a tree: a Newick file, or a QIIME 2 `Phylogeny[Rooted]` /
    /// `Phylogeny[Unrooted]` artifact (`tree.nwk` inside).
    public static func read(_ path: String, missing: MissingBranchLengths = .error) throws -> PhylogeneticTree {
        let head = (try? FileBytes.prefix(of: path, count: 4)) ?? []
        guard head.starts(with: [0x50, 0x4B, 0x03, 0x04]) else { return try readNewick(path, missing: missing) }
        let artifact = try QiimeArtifact(path: path)
        guard artifact.type.hasPrefix("Phylogeny[") else {
            throw InputError(file: path, problem: "this QIIME 2 artifact is a \(artifact.type), not a tree",
                             fix: "Give a Phylogeny[Rooted] artifact (rooted-tree.qza) or a Newick file")
        }
        guard let bytes = try artifact.dataFile("tree.nwk") else {
            throw InputError(file: path, problem: "this \(artifact.type) artifact has no data/tree.nwk", fix: "Export the artifact again from QIIME 2")
        }
        return try parseNewick(bytes, source: path, missing: missing)
    }
}
