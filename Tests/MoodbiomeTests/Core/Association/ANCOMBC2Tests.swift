import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics

/// The scikit-bio ANCOM-BC2 runs of the fixture (ancombc/generate_ancombc2_skbio.py).
extension ANCOMBCCase {
    static let ancombc2: [ANCOMBCCase] = [
        .init(name: "gutmood", counts: gut, metadata: gutMeta, orientation: .auto, formula: "~ phq9_total + age + sex + antidepressant",
              configure: { $0.variant = .ancombc2 }),
        .init(name: "gutmood_half", counts: gut, metadata: gutMeta, orientation: .auto, formula: "~ bmi + bristol_stool_type",
              configure: { $0.variant = .ancombc2; $0.pseudoCount = 0.5; $0.varianceQuantile = 0.1 }),
        .init(name: "globalpatterns", counts: datasetPath("globalpatterns/feature-table.tsv"), metadata: datasetPath("globalpatterns/metadata.tsv"),
              orientation: .auto, formula: "~ SampleType", configure: { $0.variant = .ancombc2; $0.minimumPrevalence = 0.6 }),
        .init(name: "twins", counts: datasetPath("twins/Twins.csv"), metadata: datasetPath("twins/metadata.tsv"), orientation: .columns,
              formula: "~ phenotype", configure: { $0.variant = .ancombc2; $0.minimumPrevalence = 0.1 }),
        .init(name: "twins_struc", counts: datasetPath("twins/Twins.csv"), metadata: datasetPath("twins/metadata.tsv"), orientation: .columns,
              formula: "~ phenotype", configure: { $0.variant = .ancombc2; $0.minimumPrevalence = 0.05; $0.structuralZeroGroup = "phenotype" }),
        .init(name: "longitudinal", counts: datasetPath("simulated-longitudinal/counts.csv"), metadata: datasetPath("simulated-longitudinal/metadata.csv"),
              orientation: .auto, formula: "~ months + phq9_total + sex", configure: { $0.variant = .ancombc2; $0.minimumPrevalence = 0.2 }),
        // Zeros as missing values (pseudo-count 0, ancombc2's default).
        .init(name: "gutmood_zeros", counts: gut, metadata: gutMeta, orientation: .auto, formula: "~ phq9_total + age + sex + antidepressant",
              configure: { $0.variant = .ancombc2; $0.pseudoCount = 0 }),
        .init(name: "twins_zeros", counts: datasetPath("twins/Twins.csv"), metadata: datasetPath("twins/metadata.tsv"), orientation: .columns,
              formula: "~ phenotype", configure: { $0.variant = .ancombc2; $0.pseudoCount = 0; $0.minimumPrevalence = 0.1 }),
        .init(name: "globalpatterns_zeros", counts: datasetPath("globalpatterns/feature-table.tsv"), metadata: datasetPath("globalpatterns/metadata.tsv"),
              orientation: .auto, formula: "~ SampleType", configure: { $0.variant = .ancombc2; $0.pseudoCount = 0; $0.minimumPrevalence = 0.5 }),
        .init(name: "longitudinal_zeros", counts: datasetPath("simulated-longitudinal/counts.csv"), metadata: datasetPath("simulated-longitudinal/metadata.csv"),
              orientation: .auto, formula: "~ months + phq9_total + sex", configure: { $0.variant = .ancombc2; $0.pseudoCount = 0; $0.minimumPrevalence = 0.2 }),
    ]
}

@Suite("ANCOM-BC2 and structural zeros against scikit-bio 0.7.4")
struct ANCOMBC2Tests {
    static let results = csvRows("ancombc/ancombc2-results.csv")
    static let biases = csvRows("ancombc/ancombc2-bias.csv")
    static let zeros = csvRows("ancombc/struc-zero.csv")

    /// ANCOM-BC2's numbers: the bias of each column (E–M, as ANCOM-BC: the
    /// same limit, SciPy's Nelder–Mead stopping rule, 1e-6 of the
    /// coefficients' spread), its variance (1e-6 relative: it follows the
    /// E–M's κ), and, after the sampling fractions are removed and the models
    /// refitted, the fold changes within 1e-6 of their SE (of the
    /// coefficients' spread where that is larger: the bias enters every
    /// estimate through the sampling fractions), SE to 1e-6 relative, W, p
    /// and q from Student's t likewise. With zeros as missing values
    /// (`*_zeros`), also each feature's df, and the features R cannot fit
    /// (no estimate, p = 1).
    @Test(arguments: ANCOMBCCase.ancombc2)
    func matchesScikitBio(_ c: ANCOMBCCase) throws {
        let tolerance = 1e-6
        let result = try c.run()
        let expected = Self.results.filter { $0["case"] == c.name }
        #expect(result.rows.count == expected.count)
        guard case .ancombc(let d) = result.method else { Issue.record("not an ANCOM-BC result"); return }
        if c.name.hasSuffix("_zeros") { #expect(d.degreesOfFreedom == nil) } else { #expect(d.degreesOfFreedom == result.samples.count - d.bias.count) }
        let spread = standardDeviation(result.rows.map(\.estimate).filter(\.isFinite))
        for row in Self.biases where row["case"] == c.name {
            let ours = try #require(d.bias.first { $0.column == row["term"]! }, "bias of \(row["term"]!)")
            let reference = Double(row["bias"]!)!, variance = Double(row["bias_variance"]!)!
            #expect(abs(ours.bias - reference) <= 1e-6 * Swift.max(spread, abs(reference)), "bias \(ours.column): \(ours.bias) vs \(reference)")
            #expect(isClose(ours.variance, variance, relative: 1e-6), "bias variance \(ours.column): \(ours.variance) vs \(variance)")
        }
        var ours = [String: TaxonAssociation.Row]()
        for r in result.rows { ours[r.feature + "|" + r.term] = r }
        var worst = 0.0
        for row in expected {
            guard let r = ours[row["feature"]! + "|" + row["term"]!] else {
                Issue.record("\(c.name): no row \(row["feature"]!) \(row["term"]!)")
                continue
            }
            let value = { (key: String) in Double(row[key]!) ?? .nan }
            #expect(isClose(r.degreesOfFreedom ?? .nan, value("df"), relative: 0) || (r.degreesOfFreedom?.isNaN ?? true) && value("df").isNaN, "\(r.feature) df")
            // A feature R's lm cannot fit: no estimate, p = q = 1.
            if value("estimate").isNaN {
                #expect(r.estimate.isNaN && r.standardError.isNaN && r.pValue == 1 && r.qValue == value("q_value"), "\(r.feature) \(r.term) unfittable")
                continue
            }
            // The sampling fractions carry each column's bias into its
            // estimates: where the bias is known to 1e-6 of the spread, so are
            // they (scale > 1 only when the spread exceeds the SE).
            let scale = Swift.max(1, spread / r.standardError)
            let e = abs(r.estimate - value("estimate")) / r.standardError
            worst = Swift.max(worst, e)
            #expect(e <= tolerance * scale, "\(r.feature) \(r.term) estimate \(r.estimate) vs \(value("estimate"))")
            #expect(isClose(r.standardError, value("std_error"), relative: tolerance), "\(r.feature) \(r.term) SE")
            #expect(abs(r.statistic - value("statistic")) <= tolerance * scale * Swift.max(1, abs(value("statistic"))), "\(r.feature) \(r.term) W")
            let pTolerance = 1e-6 * scale * Swift.max(1, abs(value("statistic")))
            #expect(isClose(r.pValue, value("p_value"), relative: pTolerance, absolute: 1e-300), "\(r.feature) \(r.term) p \(r.pValue) vs \(value("p_value"))")
            #expect(isClose(r.qValue, value("q_value"), relative: pTolerance, absolute: 1e-300), "\(r.feature) \(r.term) q")
        }
        print("ANCOM-BC2 \(c.name): \(expected.count) rows, worst |Δ estimate|/SE \(worst)")
    }

    /// The pseudo-count sensitivity analysis (R's `pseudo_sens`): a call at
    /// q ≤ 0.05 passes when the runs with pseudo-counts 0.1, 0.5 and 1 make
    /// the same call. With zeros missing, the example study's rare taxa give
    /// many calls on terms with no planted effect (sex: 27 at q ≤ 0.05); the
    /// robust ones are the planted mood genera.
    @Test func sensitivityKeepsThePlantedGenera() throws {
        let c = ANCOMBCCase(name: "sensitivity", counts: ANCOMBCCase.gut, metadata: ANCOMBCCase.gutMeta, orientation: .auto,
                            formula: "~ phq9_total + age + sex + antidepressant",
                            configure: { $0.variant = .ancombc2; $0.pseudoCount = 0; $0.minimumPrevalence = 0.1; $0.pseudoSensitivity = true })
        let result = try c.run()
        var calls = [String: [Bool]]()
        for pseudoCount in [0.1, 0.5, 1] {
            let again = ANCOMBCCase(name: "again", counts: c.counts, metadata: c.metadata, orientation: .auto, formula: c.formula, configure: {
                $0.variant = .ancombc2; $0.pseudoCount = pseudoCount; $0.minimumPrevalence = 0.1 })
            for r in try again.run().rows { calls[r.feature + "|" + r.term, default: []].append(r.qValue <= 0.05) }
        }
        for r in result.rows {
            let called = r.qValue <= 0.05
            #expect(r.passesSensitivity == calls[r.feature + "|" + r.term]!.allSatisfy { $0 == called }, "\(r.feature) \(r.term)")
        }
        let robust = result.rows.filter { $0.qValue <= 0.05 && $0.passesSensitivity == true }.map { $0.feature + " " + $0.term }
        #expect(Set(robust) == ["Coprococcus phq9_total", "Dialister phq9_total", "Eggerthella phq9_total"])
        #expect(result.rows.filter { $0.qValue <= 0.05 && $0.term == "sex[T.male]" }.count == 27)
    }

    /// Structural zeros: exactly scikit-bio's `struc_zero` (prevalence 0 in a
    /// group, or with `neg_lb` its 95% lower bound at or below 0), every
    /// feature × group of three cases.
    @Test(arguments: [("twins_zero", "twins/Twins.csv", "twins/metadata.tsv", "phenotype", false, 0.0),
                      ("twins_zero_lb", "twins/Twins.csv", "twins/metadata.tsv", "phenotype", true, 0.0),
                      ("globalpatterns_zero", "globalpatterns/feature-table.tsv", "globalpatterns/metadata.tsv", "SampleType", true, 0.3)])
    func structuralZerosMatchScikitBio(_ c: (String, String, String, String, Bool, Double)) throws {
        let (name, counts, metadata, group, lowerBound, prevalence) = c
        let table = try CountTable.read(datasetPath(counts), options: .init(orientation: counts.hasSuffix(".csv") ? .columns : .auto))
        let meta = try DataTable.read(datasetPath(metadata))
        let join = try SampleJoin(metadata: meta, sampleIDs: table.sampleIDs, samplesFile: counts)
        let samples = table.selectingSamples(join.sampleIndices), data = meta.selectingRows(join.metadataRows)
        let present = FeatureFilter.tallies(samples, threshold: 0).above
        let kept = (0..<samples.taxonCount).filter { Double(present[$0]) / Double(samples.sampleCount) >= prevalence }
        let z = try StructuralZeros(samples, features: kept, data: data, formula: Formula(rightHandSide: "~ " + group), group: group, lowerBound: lowerBound)
        let expected = Set(Self.zeros.filter { $0["case"] == name }.map { $0["feature"]! + "|" + $0["group"]! })
        var found = Set<String>()
        for f in z.features.indices { for level in z.absentLevels(f) { found.insert(z.features[f] + "|" + level) } }
        #expect(z.features.count == kept.count)
        #expect(found.count == expected.count)
        #expect(found == expected, "\(name): \(found.symmetricDifference(expected).sorted().prefix(5))")
    }

    /// The group must be a categorical variable of the formula.
    @Test func structuralZeroGroupMustBeCategorical() throws {
        var options = ANCOMBC.Options()
        options.structuralZeroGroup = "age"
        let c = ANCOMBCCase(name: "x", counts: ANCOMBCCase.gut, metadata: ANCOMBCCase.gutMeta, orientation: .auto,
                            formula: "~ phq9_total + age + sex", configure: { $0.structuralZeroGroup = "age" })
        #expect(throws: ParameterError(.strucZero, .unknownChoice(value: "age", choices: ["sex"]))) { try c.run() }
    }
}
