import FoundationEssentials
import MoodbiomeNumerics

/// How collapsed features are named.
public enum CollapsedNames: String, Sendable, CaseIterable {
    /// The lineage down to the level (`k__Bacteria; …; g__Coprococcus`).
    case lineage
    /// The last rank's name (`Coprococcus`), the lineage where two would clash.
    case short
}

extension CountTable {
    /// The table with each feature's lineage from `taxonomy`.
    ///
    /// - Returns: the table, and the taxonomy's features the table lacks
    ///   (a warning: taxonomies often cover a whole database).
    /// - Throws: `InputError` naming the table's features the taxonomy lacks.
    public func attachingTaxonomy(_ taxonomy: TaxonomyTable) throws -> (table: CountTable, extra: [String]) {
        var lineages = [String](), missing = [String]()
        lineages.reserveCapacity(taxonCount)
        for id in taxonIDs {
            if let l = taxonomy.lineages[id] { lineages.append(l) } else { missing.append(id); lineages.append("") }
        }
        if !missing.isEmpty {
            let shown = missing.count <= 10 ? missing.joined(separator: ", ") : missing.prefix(10).joined(separator: ", ") + ", … (\(missing.count - 10) more)"
            throw InputError(file: taxonomy.source, problem: "\(missing.count) of the table's \(taxonCount) features \(missing.count == 1 ? "has" : "have") no lineage here: \(shown)",
                             fix: "Use the taxonomy made for this table (the same feature IDs)")
        }
        let known = Set(taxonIDs)
        let extra = taxonomy.features.filter { !known.contains($0) }
        var table = CountTable(uncheckedSampleIDs: sampleIDs, taxonIDs: taxonIDs, columnStarts: columnStarts, taxonIndices: taxonIndices,
                               values: values, isIntegral: isIntegral, taxonomy: lineages, source: source)
        table.origin = origin
        return (table, extra)
    }

    /// The lineage of a feature down to `rank`, as a collapse key: ranks
    /// identified by their prefix (or position), placeholder names
    /// (`uncultured`, `Unassigned`, `__`) made empty, cut at `rank`. A
    /// lineage that stops above `rank` keeps its deepest known rank, so
    /// unassigned features of different parents never merge.
    static func collapseKey(_ lineage: String, to rank: TaxonomicRank) -> [String] {
        var key = [String]()
        for (i, raw) in Taxonomy.split(lineage).enumerated() {
            let component = raw.trimmingWhitespace()
            let componentRank = TaxonomicRank(component: component)
                ?? (i < TaxonomicRank.allCases.count ? TaxonomicRank.allCases[i] : .strain)
            if componentRank > rank { break }
            let prefix = componentRank.prefixes[0]
            var name = component
            if let p = componentRank.prefixes.first(where: { component.lowercased().hasPrefix($0) }) { name = String(component.dropFirst(p.count)) }
            let kept = TaxonomyTable.isPlaceholder(name) ? "" : name
            key.append((component.lowercased().hasPrefix("d__") ? "d__" : prefix) + kept)
        }
        return key
    }

    /// Sums the counts of the features that share a lineage down to `rank`
    /// (QIIME 2's `taxa collapse`): features are grouped by the key of
    /// ``collapseKey(_:to:)``; an unassigned rank (`g__`, `uncultured`) is a
    /// bucket of its own under its parent. The new features are named by
    /// lineage, or by their last known name (`names: .short`), with
    /// `(unassigned genus)` when the level itself is unknown.
    ///
    /// - Throws: `InputError` when the table has no taxonomy.
    public func collapsed(to rank: TaxonomicRank, names: CollapsedNames = .lineage) throws -> CountTable {
        guard let taxonomy else {
            throw InputError(file: source, problem: "collapsing to \(rank.rawValue) needs each feature's taxonomy, and this table has none",
                             fix: "Give the taxonomy file with \(Parameter.taxonomy.mention) (QIIME 2 taxonomy.tsv or .qza, mothur .cons.taxonomy, or rank columns)")
        }
        var groupOf = [Int32](repeating: 0, count: taxonCount)
        var keys = [[String]](), index = [String: Int32]()
        for t in 0..<taxonCount {
            let key = Self.collapseKey(taxonomy[t], to: rank)
            let joined = key.joined(separator: "; ")
            if let g = index[joined] { groupOf[t] = g } else {
                index[joined] = Int32(keys.count)
                groupOf[t] = Int32(keys.count)
                keys.append(key)
            }
        }
        // Sums per sample: (group, value) pairs sorted by group, merged.
        var starts = [0], groups = [Int32](), sums = [Double]()
        groups.reserveCapacity(nonZeroCount)
        sums.reserveCapacity(nonZeroCount)
        var pairs = [(Int32, Double)]()
        for j in 0..<sampleCount {
            pairs.removeAll(keepingCapacity: true)
            for k in range(ofSample: j) { pairs.append((groupOf[Int(taxonIndices[k])], values[k])) }
            pairs.sort { $0.0 < $1.0 }
            for (g, v) in pairs {
                if let last = groups.last, groups.count > starts[j], last == g { sums[sums.count - 1] += v } else { groups.append(g); sums.append(v) }
            }
            starts.append(sums.count)
        }
        let lineages = keys.map { Taxonomy.join($0) }
        var ids = lineages
        if names == .short {
            let short = keys.map { key -> String in
                let level = key.last ?? ""
                let levelName = String(level.drop { $0 != "_" }.drop { $0 == "_" })
                if !levelName.isEmpty { return levelName }
                let known = key.reversed().map { String($0.drop { $0 != "_" }.drop { $0 == "_" }) }.first { !$0.isEmpty } ?? "unknown"
                return key.count >= rank.depth + 1 ? "\(known) (unassigned \(rank.rawValue))" : "\(known) (\(rank.rawValue) unknown)"
            }
            var counts = [String: Int]()
            for s in short { counts[s, default: 0] += 1 }
            ids = zip(short, lineages).map { counts[$0.0] == 1 ? $0.0 : $0.1 }
        }
        var table = CountTable(uncheckedSampleIDs: sampleIDs, taxonIDs: ids, columnStarts: starts, taxonIndices: groups,
                               values: sums, isIntegral: isIntegral, taxonomy: lineages, source: source)
        table.origin = origin
        return table
    }

    /// The features at `indices`, in that order (each sample's non-zeros
    /// re-indexed; `indices` increasing keeps them sorted, otherwise each
    /// sample's are sorted). Samples on all cores: a first pass counts what
    /// each keeps, the second writes it at its offset in arrays allocated once.
    public func selectingTaxa(_ indices: [Int]) -> CountTable {
        let map = positions(of: indices), increasing = zip(indices, indices.dropFirst()).allSatisfy { $0 < $1 }
        let kept = parallelChunkMap(count: sampleCount, minimumPerChunk: 16) { samples in
            samples.map { j in self.range(ofSample: j).reduce(0) { map[Int(self.taxonIndices[$1])] >= 0 ? $0 + 1 : $0 } }
        }.flatMap { $0 }
        var starts = [Int](repeating: 0, count: sampleCount + 1)
        for j in 0..<sampleCount { starts[j + 1] = starts[j] + kept[j] }
        let offsets = starts, total = starts[sampleCount]
        let (taxa, vals) = CountTable.sparseArrays(count: total) { t, v in
            _ = parallelChunkMap(count: sampleCount, minimumPerChunk: 16) { samples in
                for j in samples {
                    var w = offsets[j]
                    for k in self.range(ofSample: j) where map[Int(self.taxonIndices[k])] >= 0 {
                        t[w] = map[Int(self.taxonIndices[k])]
                        v[w] = self.values[k]
                        w += 1
                    }
                    if !increasing { Self.sortByTaxon(t + offsets[j], v + offsets[j], count: w - offsets[j]) }
                }
            }
        }
        var table = CountTable(uncheckedSampleIDs: sampleIDs, taxonIDs: indices.map { taxonIDs[$0] }, columnStarts: starts,
                               taxonIndices: taxa, values: vals, isIntegral: isIntegral,
                               taxonomy: taxonomy.map { t in indices.map { t[$0] } }, source: source)
        table.origin = origin
        return table
    }
}

extension CountTable {
    /// Per taxon, its position in `indices` (distinct taxa), or -1 when it
    /// is not there: the map from a table's taxa to a selection's.
    public func positions(of indices: [Int]) -> [Int32] {
        var position = [Int32](repeating: -1, count: taxonCount)
        for (n, t) in indices.enumerated() { position[t] = Int32(n) }
        return position
    }
}

extension CountTable {
    /// One sample's non-zeros put in taxon order (the indices are distinct).
    static func sortByTaxon(_ taxa: UnsafeMutablePointer<Int32>, _ values: UnsafeMutablePointer<Double>, count: Int) {
        var pairs = (0..<count).map { (taxa[$0], values[$0]) }
        pairs.sort { $0.0 < $1.0 }
        for (k, pair) in pairs.enumerated() { (taxa[k], values[k]) = pair }
    }
}
