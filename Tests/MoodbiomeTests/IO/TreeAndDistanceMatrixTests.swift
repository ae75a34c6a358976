import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport

@Suite("Newick trees and distance matrices")
struct TreeAndDistanceMatrixTests {
    func parse(_ text: String, missing: MissingBranchLengths = .error) throws -> PhylogeneticTree {
        try PhylogeneticTree.parseNewick(Array(text.utf8), source: "t.nwk", missing: missing)
    }

    @Test func readsQuotedLabelsCommentsSupportValuesAndMultifurcations() throws {
        let tree = try parse("[a comment]('Escherichia coli':0.1,'it''s':0.2,(B_1:0.3,C:0.4,D:0.5)0.95:0.05[&support=0.95])root:0.0;\n")
        let tips = tree.tips.compactMap { tree.names[$0] }
        #expect(tips == ["Escherichia coli", "it's", "B_1", "C", "D"])
        #expect(tree.names[tree.root] == "root")
        #expect(tree.childCount[tree.root] == 3)     // three children: unrooted
        #expect(!tree.isRooted)
        let inner = tree.parent[try tree.tipIndices(for: ["C"])[0]]
        #expect(tree.names[inner] == "0.95")
        #expect(tree.length[inner] == 0.05)
    }

    @Test func missingLengthsAreAnErrorOrZero() throws {
        #expect {
            try parse("((A:1,B):1,C:2);")
        } throws: { message($0) == "t.nwk:1:7: the branch above 'B' has no length. Give every branch a length (UniFrac and Faith's PD need them), or accept them as 0 (--missing-branch-lengths zero)" }
        let tree = try parse("((A:1,B):1,C:2);", missing: .zero)
        #expect(tree.missingLengths == 1)
    }

    @Test func syntaxErrorsGiveLineAndColumn() {
        #expect { try parse("((A:1,B:2):1,C:2;\n") } throws: { message($0).hasPrefix("t.nwk:1:17: ") }
        #expect { try parse("(A:1,B:x);") } throws: { message($0).hasPrefix("t.nwk:1:8: ") }
        #expect { try parse("(A:1,B:2)\n[unclosed") } throws: { message($0).hasPrefix("t.nwk:2:1: a [comment] opened here is never closed") }
    }

    @Test func deepTreesDoNotExhaustTheStack() throws {
        let depth = 200_000
        let text = String(repeating: "(", count: depth) + "A:1" + String(repeating: ",B:1):1", count: depth) + ";"
        let tree = try parse(text)
        #expect(tree.tips.count == depth + 1)
    }

    @Test func featuresMissingFromTheTreeAreNamed() throws {
        let tree = try parse("((A:1,B:1):1,C:2);")
        #expect {
            try tree.tipIndices(for: ["A", "X", "C", "Y"])
        } throws: { message($0) == "t.nwk: 2 features are not tips of the tree: X, Y. Use the tree built from these features (the same feature IDs), or filter the table to the tree's tips" }
    }

    @Test func midpointRootingKeepsTipDistancesAndRoots() throws {
        let tree = try parse("(A:1,B:4,(C:1,D:2):1);")
        let rooted = tree.midpointRooted()
        #expect(rooted.isRooted)
        // Tip-to-tip path lengths are unchanged.
        func pathLength(_ t: PhylogeneticTree, _ a: String, _ b: String) throws -> Double {
            let (x, y) = (try t.tipIndices(for: [a])[0], try t.tipIndices(for: [b])[0])
            var ancestors = [Int: Double](), node = x, d = 0.0
            while node >= 0 { ancestors[node] = d; d += t.length[node]; node = t.parent[node] }
            node = y; d = 0
            while ancestors[node] == nil { d += t.length[node]; node = t.parent[node] }
            return d + (ancestors[node] ?? 0)
        }
        for (a, b) in [("A", "B"), ("B", "D"), ("C", "D"), ("A", "C")] {
            #expect(isClose(try pathLength(rooted, a, b), try pathLength(tree, a, b), relative: 1e-15))
        }
        // The longest path B–D (4 + 1 + 2 = 7) is split in half: the root is 3.5 from both.
        let distances = rooted.rootDistances
        #expect(isClose(distances[try rooted.tipIndices(for: ["B"])[0]], 3.5, relative: 1e-15))
        #expect(isClose(distances[try rooted.tipIndices(for: ["D"])[0]], 3.5, relative: 1e-15))
    }

    @Test func distanceMatrixRoundTripsAtFullPrecision() throws {
        let values = Matrix([[0, 0.1 + 0.2, 1.0 / 3], [0.1 + 0.2, 0, 2e-300], [1.0 / 3, 2e-300, 0]])
        let m = DistanceMatrix(ids: ["a", "b,c", "d"], values: values)
        for (delimiter, name) in [(Delimiter.tab, "m.tsv"), (.comma, "m.csv")] {
            let path = temporaryFile(name, m.delimited(delimiter))
            let back = try DistanceMatrix.read(path)
            #expect(back.ids == m.ids)
            #expect(back.values == values)
        }
        #expect(m.delimited().hasPrefix("\ta\tb,c\td\n"))
        #expect(m.longForm() == "sample_a,sample_b,distance\na,\"b,c\",0.30000000000000004\na,d,0.3333333333333333\n\"b,c\",d,2e-300\n")
    }

    @Test(arguments: [
        ("\ta\tb\na\t0\t1\n", "m.tsv:1: the matrix is not square: 2 columns but 1 rows. Give one row per sample, in the header's order"),
        ("\ta\tb\na\t0\t1\nb\t2\t0\n", "m.tsv:3:2: the matrix is not symmetric: 'a'–'b' is 1 but 'b'–'a' is 2 (column 'a'). Give a symmetric distance matrix"),
        ("\ta\tb\na\t0.5\t1\nb\t1\t0\n", "m.tsv:2:2: the distance of 'a' to itself is 0.5, not 0 (column 'a'). A distance matrix has zeros on its diagonal"),
        ("\ta\tb\na\t0\t-1\nb\t-1\t0\n", "m.tsv:2:3: negative distance -1 (column 'b'). Distances must be non-negative"),
        ("\ta\tb\na\t0\tNaN\nb\t1\t0\n", "m.tsv:2:3: 'NaN' is not a distance (column 'b'). Distances are finite, non-negative numbers"),
        ("\ta\tb\nb\t0\t1\na\t1\t0\n", "m.tsv:2:1: row 1 is 'b' but column 1 is 'a'. Rows and columns must list the samples in the same order"),
        ("\ta\tb\na\t0\t1\t3\nb\t1\t0\n", "m.tsv:2:4: this row has more than 2 distances"),
        ("\ta\ta\na\t0\t1\na\t1\t0\n", "m.tsv: duplicate sample ID 'a' (first seen at position 1). Every sample needs a unique ID; merge or rename the duplicates"),
    ])
    func badDistanceMatricesAreRefused(text: String, expected: String) {
        let path = temporaryFile("m.tsv", text)
        #expect { try DistanceMatrix.read(path) } throws: { message($0).replacingOccurrences(of: path, with: "m.tsv") == expected }
    }
}
