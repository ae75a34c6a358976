import FoundationEssentials

/// A phylogenetic tree as flat arrays (the layout Striped UniFrac uses): one
/// entry per node, and a `postorder` list that puts every node after its
/// descendants, so one pass over it accumulates tip values up to the root,
/// without recursion and without pointers.
public struct PhylogeneticTree: Sendable {
    /// Each node's label (tip name, or an internal node's name or support).
    public let names: [String?]
    /// Each node's parent, -1 for the root.
    public let parent: [Int]
    /// The length of the branch above each node (the root's own length, if
    /// the file gives one, else 0).
    public let length: [Double]
    /// Every node, each after all of its descendants.
    public let postorder: [Int]
    public let root: Int
    /// Each node's number of children.
    public let childCount: [Int]
    /// Where the tree came from.
    public let source: String
    /// Branches whose length the file did not give (taken as 0).
    public let missingLengths: Int

    public var nodeCount: Int { parent.count }

    /// The tips (nodes without children), in postorder.
    public var tips: [Int] { postorder.filter { childCount[$0] == 0 } }

    /// A tree is rooted when its root has at most two children; a root with
    /// three or more is how an unrooted tree is written.
    public var isRooted: Bool { childCount[root] <= 2 }

    init(names: [String?], parent: [Int], length: [Double], root: Int, source: String, missingLengths: Int) {
        self.names = names
        self.parent = parent
        self.length = length
        self.root = root
        self.source = source
        self.missingLengths = missingLengths
        var childCount = [Int](repeating: 0, count: parent.count)
        for p in parent where p >= 0 { childCount[p] += 1 }
        self.childCount = childCount
        // Postorder without recursion: children lists, then an explicit stack.
        var first = [Int](repeating: -1, count: parent.count), next = [Int](repeating: -1, count: parent.count)
        for node in stride(from: parent.count - 1, through: 0, by: -1) where parent[node] >= 0 {
            next[node] = first[parent[node]]
            first[parent[node]] = node
        }
        var order = [Int]()
        order.reserveCapacity(parent.count)
        var stack = [(node: root, child: first[root])]
        while let top = stack.last {
            if top.child >= 0 {
                stack[stack.count - 1].child = next[top.child]
                stack.append((top.child, first[top.child]))
            } else {
                order.append(top.node)
                stack.removeLast()
            }
        }
        self.postorder = order
    }

    /// The distance from the root to each node (the root's own length excluded).
    public var rootDistances: [Double] {
        var distance = [Double](repeating: 0, count: nodeCount)
        for node in postorder.reversed() where node != root {
            distance[node] = distance[parent[node]] + length[node]
        }
        return distance
    }

    /// The tip node of each feature, in the order given.
    ///
    /// - Throws: `InputError` naming the features the tree lacks, or a tip
    ///   name used twice.
    public func tipIndices(for features: [String]) throws -> [Int] {
        var byName = [String: Int]()
        for tip in tips {
            guard let name = names[tip] else { continue }
            if byName[name] != nil {
                throw InputError(file: source, problem: "the tip name '\(name)' appears twice in the tree",
                                 fix: "Give every tip a unique name")
            }
            byName[name] = tip
        }
        var out = [Int](), missing = [String]()
        out.reserveCapacity(features.count)
        for feature in features {
            if let tip = byName[feature] { out.append(tip) } else { missing.append(feature); out.append(-1) }
        }
        if !missing.isEmpty {
            let shown = missing.count <= 10 ? missing.joined(separator: ", ") : missing.prefix(10).joined(separator: ", ") + ", … (\(missing.count - 10) more)"
            throw InputError(file: source, problem: "\(missing.count) feature\(missing.count == 1 ? " is" : "s are") not tips of the tree: \(shown)",
                             fix: "Use the tree built from these features (the same feature IDs), or filter the table to the tree's tips")
        }
        return out
    }

    /// The tree rooted at the midpoint of its longest tip-to-tip path (the
    /// usual way to root a tree without an outgroup; Farris 1972). The
    /// branch holding the midpoint is split in two, and the new root has two
    /// children.
    public func midpointRooted() -> PhylogeneticTree {
        let n = nodeCount
        // Undirected adjacency.
        var neighbours = [[(node: Int, length: Double)]](repeating: [], count: n)
        for node in 0..<n where parent[node] >= 0 {
            neighbours[node].append((parent[node], length[node]))
            neighbours[parent[node]].append((node, length[node]))
        }
        func farthest(from start: Int) -> (node: Int, distance: [Double], previous: [Int]) {
            var distance = [Double](repeating: -1, count: n), previous = [Int](repeating: -1, count: n)
            distance[start] = 0
            var stack = [start]
            while let v = stack.popLast() {
                for (w, l) in neighbours[v] where distance[w] < 0 {
                    distance[w] = distance[v] + l
                    previous[w] = v
                    stack.append(w)
                }
            }
            var best = start
            for v in 0..<n where childCount[v] == 0 || (v == root && childCount[v] == 1) {
                if distance[v] > distance[best] { best = v }
            }
            return (best, distance, previous)
        }
        let a = farthest(from: tips.first ?? root).node
        let (b, distance, previous) = farthest(from: a)
        let half = distance[b] / 2
        // Walk from b towards a to the branch holding the midpoint.
        var lower = b
        while previous[lower] >= 0 && distance[previous[lower]] > half { lower = previous[lower] }
        let upper = previous[lower] >= 0 ? previous[lower] : lower
        let edge = distance[lower] - distance[upper]
        let towardsLower = distance[lower] - half
        // New node n splits the edge upper–lower.
        var names = self.names + [nil]
        var adjacency = neighbours
        adjacency.append([])
        if upper != lower {
            adjacency[upper].removeAll { $0.node == lower }
            adjacency[lower].removeAll { $0.node == upper }
            adjacency[upper].append((n, edge - towardsLower))
            adjacency[n].append((upper, edge - towardsLower))
            adjacency[lower].append((n, towardsLower))
            adjacency[n].append((lower, towardsLower))
        }
        var newParent = [Int](repeating: -1, count: n + 1), newLength = [Double](repeating: 0, count: n + 1)
        var seen = [Bool](repeating: false, count: n + 1)
        seen[n] = true
        var stack = [n]
        while let v = stack.popLast() {
            for (w, l) in adjacency[v] where !seen[w] {
                seen[w] = true
                newParent[w] = v
                newLength[w] = l
                stack.append(w)
            }
        }
        // The old root, if it is now a node with one child, keeps its place:
        // lengths along it still add up, so distances are unchanged.
        names[n] = "midpoint root"
        return PhylogeneticTree(names: names, parent: newParent, length: newLength, root: n, source: source, missingLengths: missingLengths)
    }
}
