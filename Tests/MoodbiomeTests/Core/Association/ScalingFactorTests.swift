import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics

/// CSS and TMM scaling factors against metagenomeSeq 1.40.0 and edgeR 3.40.2
/// (Fixtures/association/generate_scaling_factors.R): GlobalPatterns (edgeR's
/// Σ√count reference, CSS's default percentile) and a lungData subset whose
/// CSS percentile (0.59) comes from the search.
@Suite struct ScalingFactorTests {
    static let reference = csvRows("association/scaling-factors.csv")

    /// Samples × features, in the files' orders.
    static func table(_ dataset: String) throws -> (samples: [String], counts: [[Double]]) {
        if dataset == "globalpatterns" {
            let t = try CountTable.read(datasetPath("globalpatterns/feature-table.tsv"))
            let m = t.denseSamplesByTaxa()
            return (t.sampleIDs, (0..<t.sampleCount).map { i in (0..<t.taxonCount).map { m[i, $0] } })
        }
        let rows = csvRows("association/lung-subset.csv")
        let samples = (1...10).map { "L\($0)" }
        let features = rows.map { Int($0["feature"]!)! }.max()!
        var counts = [[Double]](repeating: [Double](repeating: 0, count: features), count: samples.count)
        for r in rows { counts[Int(r["sample"]!.dropFirst())! - 1][Int(r["feature"]!)! - 1] = Double(r["count"]!)! }
        return (samples, counts)
    }

    @Test(arguments: ["globalpatterns", "lung"])
    func matchMetagenomeSeqAndEdgeR(_ dataset: String) throws {
        let (samples, counts) = try Self.table(dataset)
        let expected = Self.reference.filter { $0["dataset"] == dataset }
        #expect(expected.map { $0["sample"]! } == samples)
        let css = ScalingFactors.css(counts)
        #expect(css.percentile == Double(expected[0]["css_percentile"]!)!)
        let tmm = ScalingFactors.tmm(counts)
        for (k, row) in expected.enumerated() {
            #expect(isClose(css.divisors[k], Double(row["css_divisor"]!)!, relative: 1e-13), "\(dataset) \(samples[k]) CSS")
            #expect(isClose(tmm[k], Double(row["tmm_divisor"]!)!, relative: 1e-12), "\(dataset) \(samples[k]) TMM")
        }
    }

    /// edgeR's degenerate cases: one sample, or samples identical up to
    /// scale, give factor 1 (divisor = total over the mean total).
    @Test func tmmOfProportionalSamplesIsTheirDepth() {
        #expect(ScalingFactors.tmm([[1, 2, 3]]) == [1])
        let d = ScalingFactors.tmm([[1, 2, 3, 0], [2, 4, 6, 0], [3, 6, 9, 0]])
        #expect(zip(d, [0.5, 1, 1.5]).allSatisfy { isClose($0, $1, relative: 1e-15) })
    }
}
