import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport

/// One reference distance matrix in long form: every pair i < j.
struct DistanceReference: Sendable, CustomTestStringConvertible {
    let tool: String
    let dataset: String
    let metric: String
    /// generalized UniFrac's α, or "".
    let variant: String
    let pairs: [(String, String, Double)]

    var testDescription: String { "\(tool) \(dataset) \(metric)\(variant.isEmpty ? "" : " α=\(variant)")" }

    /// Reads `dataset,metric,sample_a,sample_b,distance` (or
    /// `dataset,alpha,sample_a,sample_b,distance` with `metric` fixed).
    static func load(_ file: String, tool: String, metric fixed: String? = nil) -> [DistanceReference] {
        let text = try! String(contentsOfFile: fixturePath("beta/" + file), encoding: .utf8)
        var order = [String](), groups = [String: [(String, String, Double)]]()
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            let key = f[0] + "|" + f[1]
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append((f[2], f[3], Double(f[4])!))
        }
        return order.map { key in
            let parts = key.split(separator: "|").map(String.init)
            return DistanceReference(tool: tool, dataset: parts[0], metric: fixed ?? parts[1], variant: fixed == nil ? "" : parts[1],
                                     pairs: groups[key]!)
        }
    }
}

/// The tables and trees the references were computed on.
let betaTables: [String: CountTable] = {
    var tables = [String: CountTable]()
    tables["bci"] = referenceTables["bci"]
    tables["globalpatterns"] = referenceTables["globalpatterns"]
    tables["dune"] = try! CountTable.read(datasetPath("vegan-dune/dune_cover.csv"))
    tables["gp500"] = try! CountTable.read(fixturePath("beta/gp500-table.tsv"))
    return tables
}()

let betaTrees: [String: TablePhylogeny] = {
    let g = try! PhylogeneticTree.readNewick(datasetPath("globalpatterns/tree.nwk"))
    let g5 = try! PhylogeneticTree.readNewick(repositoryRoot + "/Tests/MoodbiomeTests/Fixtures/beta/gp500.tree")
    return ["globalpatterns": try! TablePhylogeny(tree: g, taxa: betaTables["globalpatterns"]!.taxonIDs),
            "gp500": try! TablePhylogeny(tree: g5, taxa: betaTables["gp500"]!.taxonIDs)]
}()

func distances(_ dataset: String, _ metric: String, alpha: Double = 0.5) throws -> DistanceMatrix {
    var options = BetaOptions()
    options.phylogeny = betaTrees[dataset]
    options.generalizedAlpha = alpha
    return try BetaDiversityResult(table: betaTables[dataset]!, metric: BetaMetricDefinition.named(metric)!, options: options).matrix
}

func expectMatches(_ m: DistanceMatrix, _ reference: DistanceReference, relative: Double) {
    let index = Dictionary(uniqueKeysWithValues: m.ids.enumerated().map { ($1, $0) })
    #expect(reference.pairs.count == m.count * (m.count - 1) / 2)
    var worst = 0.0
    for (a, b, expected) in reference.pairs {
        let actual = m[index[a]!, index[b]!]
        // A reference of exactly 0 (identical samples) is met within rounding.
        if !isClose(actual, expected, relative: relative, absolute: 1e-15) {
            worst = Swift.max(worst, abs(actual - expected) / abs(expected))
            Issue.record("\(reference.testDescription) \(a)–\(b): \(actual) vs \(expected)")
            return
        }
    }
    #expect(worst == 0)
}

@Suite("Beta diversity against scikit-bio, vegan and GUniFrac")
struct BetaDiversityTests {
    @Test(arguments: DistanceReference.load("distances-skbio.csv", tool: "scikit-bio 0.7.4"))
    func matchesScikitBio(_ reference: DistanceReference) throws {
        expectMatches(try distances(reference.dataset, reference.metric), reference, relative: 1e-9)
    }

    @Test(arguments: DistanceReference.load("vegdist-vegan.csv", tool: "vegan 2.6-4"))
    func matchesVegdist(_ reference: DistanceReference) throws {
        expectMatches(try distances(reference.dataset, reference.metric), reference, relative: 1e-9)
    }

    @Test(arguments: DistanceReference.load("gunifrac.csv", tool: "GUniFrac 1.7", metric: "generalized_unifrac"))
    func matchesGUniFrac(_ reference: DistanceReference) throws {
        expectMatches(try distances(reference.dataset, "generalized_unifrac", alpha: Double(reference.variant)!), reference, relative: 1e-9)
    }

    /// phyloseq's published gp500 matrices (FastUniFrac), rows in sorted sample order.
    @Test(arguments: [("unweighted_unifrac", "gp500-uuf.csv"), ("weighted_normalized_unifrac", "gp500-wuf.csv")])
    func matchesPublishedUniFrac(metric: String, file: String) throws {
        let text = try String(contentsOfFile: fixturePath("beta/" + file), encoding: .utf8)
        let rows = text.split(separator: "\n").map { $0.split(separator: ",").map { Double($0)! } }
        let m = try distances("gp500", metric)
        let sorted = m.ids.sorted()
        let index = Dictionary(uniqueKeysWithValues: m.ids.enumerated().map { ($1, $0) })
        #expect(rows.count == 28)
        for (i, a) in sorted.enumerated() {
            for (j, b) in sorted.enumerated() where i < j {
                #expect(isClose(m[index[a]!, index[b]!], rows[i][j], relative: 1e-12))
            }
        }
    }

    @Test func faithPDMatchesScikitBio() throws {
        let text = try String(contentsOfFile: fixturePath("beta/faith-skbio.csv"), encoding: .utf8)
        var checked = 0
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            let table = betaTables[f[0]]!
            let j = table.sampleIDs.firstIndex(of: f[1])!
            let value = AlphaMetric(.faithPD).value(table.abundances(ofSample: j)[...], phylogeny: betaTrees[f[0]])
            #expect(isClose(value, Double(f[2])!, relative: 1e-12))
            checked += 1
        }
        #expect(checked == 54)
    }

    @Test func zerosWithoutPseudocountAndUnsharedPairsAreRefused() {
        var options = BetaOptions()
        options.pseudocount = 0
        #expect {
            try BetaDiversityResult(table: betaTables["dune"]!, metric: .aitchison, options: options)
        } throws: { message($0).hasSuffix("dune_cover.csv: the table has zeros, and the log-ratio of a zero is undefined without a pseudocount. Use --pseudocount 1 (the default), or robust_aitchison, which uses each pair's shared features only") }
        #expect {
            try BetaDiversityResult(table: betaTables["dune"]!, metric: .robustAitchison)
        } throws: { message($0).hasPrefix("robust_aitchison: samples '") && message($0).contains("share no feature") }
        #expect {
            try BetaDiversityResult(table: betaTables["dune"]!, metric: .unweightedUniFrac)
        } throws: { message($0) == "unweighted_unifrac needs a phylogenetic tree of the table's features. Give it with --tree (Newick)" }
    }

    @Test func emptySamplesAreLeftOutAndListed() throws {
        let table = try CountTable.read(temporaryFile("t.csv", "id,a,b,c\ns1,1,2,0\ns2,0,0,0\ns3,3,0,1\n"))
        let result = try BetaDiversityResult(table: table, metric: .brayCurtis)
        #expect(result.emptySamples == ["s2"])
        #expect(result.matrix.ids == ["s1", "s3"])
        #expect(isClose(result.matrix[0, 1], 5.0 / 7.0, relative: 1e-15))   // |1−3| + |2−0| + |0−1| over 7
    }

    @Test func unrootedTreesAreRefusedUnlessMidpointRooted() throws {
        let tree = try PhylogeneticTree.parseNewick(Array("(a:1,b:2,c:3);".utf8), source: "u.nwk")
        #expect {
            try TablePhylogeny(tree: tree, taxa: ["a", "b", "c"])
        } throws: { message($0) == "u.nwk: the tree is unrooted (its root has 3 children); UniFrac and Faith's PD need a rooted tree. Give the rooted tree (QIIME 2: rooted-tree.qza exported), or root this one at its midpoint with --midpoint-root" }
        #expect(throws: Never.self) { try TablePhylogeny(tree: tree.midpointRooted(), taxa: ["a", "b", "c"]) }
    }

    @Test func metricNamesAreCheckedWithASuggestion() {
        #expect(BetaMetricDefinition.named("Bray") != nil)
        #expect(message(BetaDiversityError.unknownMetrics(["braycurtiss"])).hasPrefix("unknown beta-diversity metric 'braycurtiss' (did you mean 'braycurtis'?). Known: braycurtis, jaccard"))
        #expect(message(BetaDiversityError.unknownMetrics(["braycurtiss", "jacard"])).hasPrefix("unknown beta-diversity metrics 'braycurtiss' (did you mean 'braycurtis'?), 'jacard' (did you mean 'jaccard'?). Known: braycurtis,"))
        #expect(closestName(to: "phq9", among: ["phq9_1", "phq9_2", "phq9_total"]) == "phq9_total")
    }
}
