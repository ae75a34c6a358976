import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

@Suite("Rarefaction")
struct RarefactionTests {
    @Test func everySampleHasTheDepthAndNoTaxonGrows() throws {
        let table = try #require(referenceTables["bci"])
        let r = Rarefaction(depth: 300, seed: 42)
        let (kept, dropped) = try r.partition(table)
        #expect(dropped.isEmpty)
        let draw = r.rarefied(table, samples: kept, iteration: 0)
        for j in 0..<draw.sampleCount {
            #expect(draw.abundances(ofSample: j).reduce(0, +) == 300)
            for t in 0..<draw.taxonCount { #expect(draw.value(taxon: t, sample: j) <= table.value(taxon: t, sample: kept[j])) }
        }
    }

    @Test func sameSeedSameOutputOtherSeedOtherOutput() throws {
        let table = try #require(referenceTables["globalpatterns"])
        let metrics = try RequestedMetric.parseList("shannon,observed_features")
        func run(_ seed: UInt64) throws -> String {
            try AlphaDiversityResult(table: table, metrics: metrics,
                                     rarefaction: Rarefaction(depth: 50_000, iterations: 3, seed: seed)).table.rendered(as: .csv)
        }
        let a = try run(7), b = try run(7), c = try run(8)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func samplesBelowDepthAreDroppedAndListed() throws {
        let table = try #require(referenceTables["globalpatterns"])
        let totals = table.sampleTotals
        let depth = 100_000
        let result = try AlphaDiversityResult(table: table, metrics: try RequestedMetric.parseList("shannon"),
                                              rarefaction: Rarefaction(depth: depth, seed: 1))
        let expectedDropped = table.sampleIDs.indices.filter { totals[$0] < Double(depth) }.map { table.sampleIDs[$0] }
        #expect(!expectedDropped.isEmpty)
        #expect(result.belowDepth == expectedDropped)
        #expect(Set(result.sampleIDs).isDisjoint(with: expectedDropped))
    }

    /// Subsampling without replacement: the mean kept count of a taxon is
    /// its hypergeometric expectation `nᵢ · d / N`. 4,000 draws of one sample
    /// with a fixed seed (deterministic, so not flaky); the bound is 5 standard
    /// errors of the hypergeometric variance.
    @Test func meanMatchesTheHypergeometricExpectation() throws {
        let counts = Matrix(rows: 4, columns: 1, columnMajor: [50, 30, 15, 5])
        let table = try CountTable(sampleIDs: ["s"], taxonIDs: ["a", "b", "c", "d"], counts: counts)
        let r = Rarefaction(depth: 20, seed: 2024)
        let draws = 4000
        var sums = [Double](repeating: 0, count: 4)
        for i in 0..<draws {
            let draw = r.rarefied(table, samples: [0], iteration: i)
            for t in 0..<4 { sums[t] += draw.value(taxon: t, sample: 0) }
        }
        let n = 100.0, d = 20.0
        for (t, ni) in [50.0, 30, 15, 5].enumerated() {
            let p = ni / n
            let variance = d * p * (1 - p) * (n - d) / (n - 1)
            let se = (variance / Double(draws)).squareRoot()
            #expect(abs(sums[t] / Double(draws) - d * p) < 5 * se)
        }
    }

    @Test func refusesNonIntegerData() throws {
        let table = try CountTable(sampleIDs: ["s"], taxonIDs: ["a", "b"], counts: Matrix(rows: 2, columns: 1, columnMajor: [0.5, 0.5]))
        #expect(throws: AlphaDiversityError.rarefactionNeedsCounts(file: "<memory>")) { try Rarefaction(depth: 1, seed: 1).partition(table) }
        #expect(throws: ParameterError(.rarefy, .outOfRange(value: "0", allowed: .atLeast("1")))) { try Rarefaction(depth: 0, seed: 1).partition(table) }
    }

    /// Reference outputs of xoshiro256** seeded by SplitMix64, from the
    /// independent Python implementation in Fixtures/generate_rng_vectors.py.
    @Test func generatorMatchesReferenceVectors() throws {
        var rng = Xoshiro256StarStar(seed: 42)
        let expected: [UInt64] = referenceRandomVectors
        for value in expected { #expect(rng.next() == value) }
    }
}
