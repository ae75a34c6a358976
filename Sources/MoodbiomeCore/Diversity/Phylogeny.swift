import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// Why a tree cannot serve, typed.
public enum PhylogenyError: Error, Equatable, Sendable {
    /// The root has three or more children: an unrooted tree as written by
    /// most tree builders.
    case unrooted(file: String, rootChildren: Int)
}

/// A rooted tree matched to a table's features: the tip of each feature.
/// Faith's PD and the UniFrac distances read the table through it.
public struct TablePhylogeny: Sendable {
    public let tree: PhylogeneticTree
    /// The tree node of each taxon of the table.
    public let tipOfTaxon: [Int]

    /// Matches `taxa` to the tree's tips.
    ///
    /// - Throws: `PhylogenyError.unrooted` for a tree whose root has three or
    ///   more children; `InputError` naming the features that are not tips.
    public init(tree: PhylogeneticTree, taxa: [String]) throws {
        guard tree.isRooted else { throw PhylogenyError.unrooted(file: tree.source, rootChildren: tree.childCount[tree.root]) }
        self.tree = tree
        self.tipOfTaxon = try tree.tipIndices(for: taxa)
    }

    /// Each sample's observed branches: for every node with at least one of
    /// the sample's taxa below it, the sum of their values (counts, or
    /// proportions when `proportions`), as sparse columns over nodes.
    func nodeColumns(_ table: CountTable, proportions: Bool) -> SparseColumns {
        let nodes = tree.nodeCount
        let parent = tree.parent, tips = tipOfTaxon
        struct Chunk: Sendable { var counts: [Int] = []; var features: [Int32] = []; var values: [Double] = [] }
        let chunks = parallelChunkMap(count: table.sampleCount) { range in
            var chunk = Chunk()
            var below = [Double](repeating: 0, count: nodes)
            var visited = [Int]()
            for j in range {
                let r = table.range(ofSample: j)
                let total = proportions ? table.values[r].reduce(0, +) : 1
                visited.removeAll(keepingCapacity: true)
                for k in r {
                    let v = table.values[k] / total
                    var node = tips[Int(table.taxonIndices[k])]
                    // Walk up to the root; a node is listed the first time it is reached.
                    while node >= 0 {
                        if below[node] == 0 { visited.append(node) }
                        below[node] += v
                        node = parent[node]
                    }
                }
                visited.sort()
                for node in visited {
                    chunk.features.append(Int32(node))
                    chunk.values.append(below[node])
                    below[node] = 0
                }
                chunk.counts.append(visited.count)
            }
            return chunk
        }
        var starts = [0], features = [Int32](), values = [Double]()
        for chunk in chunks {
            for c in chunk.counts { starts.append(starts[starts.count - 1] + c) }
            features.append(contentsOf: chunk.features)
            values.append(contentsOf: chunk.values)
        }
        return SparseColumns(starts: starts, features: features, values: values, featureCount: nodes)
    }
}

extension TablePhylogeny {
    /// Faith's PD of one sample: the total length of the branches on the
    /// paths from its taxa to the root, each branch once. Walks up from each
    /// tip until it meets a branch already counted.
    func faithPD(taxa: ArraySlice<Int32>) -> Double {
        var seen = Set<Int>(minimumCapacity: taxa.count * 4)
        var total = 0.0
        let parent = tree.parent, length = tree.length
        for taxon in taxa {
            var node = tipOfTaxon[Int(taxon)]
            while node >= 0, seen.insert(node).inserted {
                total += length[node]
                node = parent[node]
            }
        }
        return total
    }
}
