import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

/// Every metric on real data (BCI, GlobalPatterns, Twins) and on edge cases,
/// against scikit-bio 0.7.4 and, where vegan has the metric, vegan 2.6-4.
/// Fixtures and the commands that made them: Fixtures/generate_alpha_*.
@Suite("Alpha diversity against scikit-bio and vegan")
struct AlphaReferenceTests {
    static let skbio = ReferenceCase.load("alpha-skbio.csv", tool: "scikit-bio")
    static let vegan = ReferenceCase.load("alpha-vegan.csv", tool: "vegan")

    @Test("matches the reference tool", arguments: skbio + vegan)
    func matchesReference(_ reference: ReferenceCase) throws {
        let table = try #require(referenceTables[reference.dataset])
        let (metric, options) = reference.metricAndOptions
        // Fisher's alpha is a root: scikit-bio's Brent minimiser is good to
        // ~1e-8, vegan's uniroot (tol = .Machine$double.eps^0.25 on α) to ~1e-5 (TS120 in Twins: vegan 9.5999609, exact root 9.5999796525349836 by mpmath at 40 digits, Moodbiome 9.599979652534984).
        let tolerance = metric.name == "fisher_alpha" ? (reference.tool == "vegan" ? 1e-5 : 1e-7) : 1e-10
        let column = Dictionary(uniqueKeysWithValues: table.sampleIDs.enumerated().map { ($1, $0) })
        #expect(reference.values.count == table.sampleCount)
        for (sample, expected) in reference.values {
            let j = try #require(column[sample], "sample \(sample) missing from the table")
            let actual = metric.value(table.abundances(ofSample: j)[...], options: options)
            // Documented divergence: an all-zero sample is NaN (written NA) for
            // every metric, the driver's rule; scikit-bio gives 0 for the
            // counting metrics (observed_features, chao1, singles, doubles)
            // and for gini_index (max(0, NaN)).
            if sample == "empty" { #expect(actual.isNaN); continue }
            if let expected {
                #expect(isClose(actual, expected, relative: tolerance),
                        "\(sample): \(actual) vs \(reference.tool) \(expected)")
            } else {
                #expect(actual.isNaN, "\(sample): \(actual), but \(reference.tool) gives NaN/error")
            }
        }
    }

    @Test("the fixtures cover every metric")
    func coverage() {
        let covered = Set(Self.skbio.map { AlphaMetric(name: $0.metric)!.name })
        // faith_pd needs a tree: its scikit-bio values are checked in BetaDiversityTests.
        for metric in AlphaMetric.all where !metric.needsTree {
            #expect(covered.contains(metric.name), "\(metric.name) has no reference values")
        }
    }
}
