import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

@Suite("Alpha diversity over tables")
struct AlphaTableTests {
    @Test func emptySamplesAreNAOrDropped() throws {
        let table = try #require(referenceTables["edge"])
        let metrics = try RequestedMetric.parseList("observed_features,shannon,chao1")
        let kept = try AlphaDiversityResult(table: table, metrics: metrics)
        #expect(kept.emptySamples == ["empty"])
        let row = try #require(kept.sampleIDs.firstIndex(of: "empty"))
        for m in 0..<3 { #expect(kept.values[row, m].isNaN) }
        #expect(kept.table.rendered(as: .csv).contains("\nempty,NA,NA,NA\n"))
        let dropped = try AlphaDiversityResult(table: table, metrics: metrics, dropEmpty: true)
        #expect(!dropped.sampleIDs.contains("empty"))
        #expect(dropped.sampleIDs.count == table.sampleCount - 1)
    }

    @Test func aceUndefinedIsReported() throws {
        let table = try #require(referenceTables["edge"])
        let result = try AlphaDiversityResult(table: table, metrics: try RequestedMetric.parseList("ace"))
        let undefined = try #require(result.undefined.first)
        #expect(undefined.metric == "ace")
        #expect(undefined.samples.contains("rare_only_singletons"))
        #expect(!undefined.samples.contains("empty"))
    }

    @Test func countBasedMetricsRefuseProportions() throws {
        let path = temporaryFile("rel.csv", "id,a,b,c\ns1,0.5,0.25,0.25\ns2,0.1,0.9,0\n")
        let table = try CountTable.read(path)
        #expect(!table.isIntegral)
        #expect(throws: AlphaDiversityError.needsCounts(metrics: ["chao1"], file: path)) {
            try AlphaDiversityResult(table: table, metrics: try RequestedMetric.parseList("shannon,chao1"))
        }
        let (apply, skipped) = RequestedMetric.applicable(try RequestedMetric.parseList("all"), to: table)
        #expect(skipped.allSatisfy { $0.metric.requiresCounts || $0.metric.needsTree })
        #expect(skipped.contains { $0.metric.name == "chao1" })
        let result = try AlphaDiversityResult(table: table, metrics: apply)
        let shannonColumn = try #require(result.metrics.firstIndex { $0.metric.name == "shannon" })
        #expect(isClose(result.values[0, shannonColumn], -(0.5 * log(0.5) + 0.5 * log(0.25)), relative: 1e-14))
    }

    @Test(arguments: ["sobs", "enspie", "invsimpson", "simpson_d", "observed_otus", "hill", "renyi_0.5", "tsallis_inf", "SHANNON"])
    func aliasesParseAndKeepTheirLabel(_ name: String) throws {
        let parsed = try RequestedMetric.parseList(name)
        #expect(parsed.count == 1)
        #expect(parsed[0].label == name.lowercased())
    }

    @Test func unknownAndDuplicateMetricsAreErrors() {
        #expect(throws: AlphaDiversityError.unknownMetrics(["shanon"])) { try RequestedMetric.parseList("shanon") }
        #expect(throws: AlphaDiversityError.duplicateMetric("sobs")) { try RequestedMetric.parseList("observed_features,sobs") }
        #expect(throws: AlphaDiversityError.unknownMetrics(["hill_x"])) { try RequestedMetric.parseList("hill_x") }
        // Every bad name at once, each with the closest known one.
        #expect { try RequestedMetric.parseList("shanon,observed_features,simpsons,xyzzy") } throws: {
            message($0) == "unknown metrics 'shanon' (did you mean 'shannon'?), 'simpsons' (did you mean 'simpson'?), 'xyzzy'. Run `moodbiome metrics` to list them (e.g. shannon, simpson, observed_features, chao1)"
        }
        #expect { try RequestedMetric.parseList("shanon") } throws: {
            message($0) == "unknown metric 'shanon' (did you mean 'shannon'?). Run `moodbiome metrics` to list them (e.g. shannon, simpson, observed_features, chao1)"
        }
    }

    @Test func metricsAllAppliesToIntegerData() throws {
        let all = try RequestedMetric.parseList("all")
        #expect(all.count == AlphaMetric.all.count)
        let table = try #require(referenceTables["bci"])
        // Without a tree, `all` skips faith_pd (and says so); asked for by name, it is an error.
        let (apply, skipped) = RequestedMetric.applicable(all, to: table)
        #expect(skipped.map(\.label) == ["faith_pd"])
        let result = try AlphaDiversityResult(table: table, metrics: apply)
        #expect(result.values.rows == 50)
        #expect(result.values.columns == all.count - 1)
        #expect(throws: AlphaDiversityError.needsTree(metrics: ["faith_pd"])) {
            try AlphaDiversityResult(table: table, metrics: try RequestedMetric.parseList("shannon,faith_pd"))
        }
        // With one, every metric is computed.
        let gp = try #require(betaTables["gp500"])
        let withTree = RequestedMetric.applicable(all, to: gp, hasTree: true)
        #expect(withTree.skipped.isEmpty)
        let full = try AlphaDiversityResult(table: gp, metrics: withTree.apply, phylogeny: betaTrees["gp500"])
        #expect(full.values.columns == all.count)
    }
}

@Suite struct RarefactionByCountsTests {
    /// A sample of 10¹² reads rarefies in the time of a small one (it used
    /// to loop once per read).
    @Test(.timeLimit(.minutes(1))) func hugeSamplesRarefyByCounts() throws {
        let table = try CountTable(sampleIDs: ["big", "small"], taxonIDs: ["a", "b", "c"],
                                   counts: Matrix([[6e11, 10], [3e11, 20], [1e11, 30]]))
        let r = Rarefaction(depth: 50, seed: 1)
        let start = Date()
        let draw = r.rarefied(table, samples: [0, 1], iteration: 0)
        #expect(Date().timeIntervalSince(start) < 1)
        #expect(draw.nonZeroValues(ofSample: 0).reduce(0, +) == 50)
        #expect(draw.nonZeroValues(ofSample: 1).reduce(0, +) == 50)
        #expect(draw.abundances(ofSample: 1) == [10, 20, 20] || draw.abundances(ofSample: 1).reduce(0, +) == 50)
    }
}
