import Foundation
import Testing
@testable import MoodbiomeCore

/// Every beta metric in the registry has reference distances from an
/// independent tool (scikit-bio, vegan or GUniFrac), as every alpha metric
/// has (AlphaReferenceTests): a metric added without them fails here.
@Suite("Beta metrics: reference coverage")
struct BetaCoverageTests {
    /// The metrics a fixture file holds (its `metric` column, or `fixed`).
    static func metrics(in file: String, column: Int = 1) -> Set<String> {
        let text = (try? String(contentsOfFile: fixturePath("beta/" + file), encoding: .utf8)) ?? ""
        let names = text.split(separator: "\n").dropFirst().compactMap { line -> String? in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            return fields.count > column ? String(fields[column]) : nil
        }
        return Set(names.compactMap { BetaMetricDefinition.named($0)?.name })
    }

    @Test func everyRegisteredMetricHasReferenceDistances() {
        var covered = Self.metrics(in: "distances-skbio.csv").union(Self.metrics(in: "vegdist-vegan.csv"))
        // GUniFrac's file is per α; its rows are the generalized UniFrac.
        let gunifrac = (try? String(contentsOfFile: fixturePath("beta/gunifrac.csv"), encoding: .utf8)) ?? ""
        if gunifrac.split(separator: "\n").count > 1 { covered.insert("generalized_unifrac") }
        #expect(!covered.isEmpty)
        for metric in BetaMetricDefinition.registry {
            #expect(covered.contains(metric.name), "\(metric.name) has no reference distances from an independent tool")
        }
    }
}
