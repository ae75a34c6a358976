import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// The sample and feature selection LinDA and ANCOM-BC share: of the rows
/// with every model variable, the samples with at least `minimumDepth`
/// reads (over every feature); of their features, those present (above 0)
/// in at least `minimumPrevalence` of them (and, with `requirePresent`, in
/// one at least). Needs two features: their log-ratios need two.
struct DepthAndPrevalence {
    /// Rows of the table kept, in order.
    let rows: [Int]
    /// The table of those rows.
    let counts: CountTable
    /// Features kept (indices into `counts`), and the others with why.
    let kept: [Int]
    let filtered: [(feature: String, reason: FeatureFilter.Reason)]
    /// IDs of the samples below the depth.
    let shallow: [String]
    /// Per feature of `counts`, the samples that hold it.
    let present: [Int]

    init(_ table: CountTable, rows candidates: [Int], minimumDepth: Double, minimumPrevalence: Double, requirePresent: Bool = false) throws {
        let totals = table.sampleTotals
        // A total within 1e-9 (relative) of the cut reaches it: proportions
        // sum to 1 only up to rounding, which differs with summation order.
        let cut = minimumDepth * (1 - 1e-9)
        let rows = candidates.filter { totals[$0] >= cut }
        guard !rows.isEmpty else { throw AssociationError.noSamplesDeepEnough(minimumDepth: minimumDepth, samples: candidates.count) }
        let counts = rows.count == table.sampleCount ? table : table.selectingSamples(rows)
        let present = counts.samplesPerTaxon
        let n = Double(rows.count)
        let kept = (0..<counts.taxonCount).filter { Double(present[$0]) / n >= minimumPrevalence && (!requirePresent || present[$0] > 0) }
        guard kept.count >= 2 else {
            throw AssociationError.tooFewFeaturesPrevalent(kept: kept.count, total: table.taxonCount, minimumPrevalence: minimumPrevalence)
        }
        let keptSet = Set(kept)
        self.rows = rows
        self.counts = counts
        self.kept = kept
        self.filtered = (0..<counts.taxonCount).filter { !keptSet.contains($0) }.map {
            (counts.taxonIDs[$0], FeatureFilter.Reason.prevalence(samples: present[$0], of: rows.count, needed: minimumPrevalence * n))
        }
        self.present = present
        self.shallow = candidates.filter { !(totals[$0] >= cut) }.map { table.sampleIDs[$0] }
    }
}

extension TaxonAssociation {
    /// Rows with their q-values adjusted within each term (as LinDA and
    /// ANCOM-BC adjust), then sorted by q.
    static func adjustedWithinTerms(_ rows: [Row], _ method: PValueAdjustment) -> [Row] {
        var out = rows
        var byTerm = [String: [Int]]()
        for (i, r) in rows.enumerated() { byTerm[r.term, default: []].append(i) }
        for indices in byTerm.values {
            let q = method.adjust(indices.map { rows[$0].pValue })
            for (k, i) in indices.enumerated() { out[i].qValue = q[k] }
        }
        return sortedByQ(out)
    }
}

extension CountTable {
    /// Per taxon, the samples that hold it (its non-zeros; every stored
    /// value is above 0), counted on all cores.
    var samplesPerTaxon: [Int] {
        let taxa = taxonCount
        let parts = parallelChunkMap(count: nonZeroCount, minimumPerChunk: 1 << 16) { range in
            var count = [Int](repeating: 0, count: taxa)
            taxonIndices.withUnsafeBufferPointer { index in
                count.withUnsafeMutableBufferPointer { count in for k in range { count[Int(index[k])] += 1 } }
            }
            return count
        }
        return parts.reduce(into: [Int](repeating: 0, count: taxa)) { total, part in for t in 0..<taxa { total[t] += part[t] } }
    }
}
