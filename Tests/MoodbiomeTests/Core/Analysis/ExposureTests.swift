import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

/// `analyze --exposure` against R (Fixtures/exposure/generate_exposure_r.R):
/// the partial F of anova(reduced, full), the robust Wald F of
/// lmtest::waldtest with vcovHC, and pairwise contrasts with Holm's
/// adjustment — 1e-10 relative (p-values 1e-8).
@Suite("Diversity as the outcome: exposure tests against R")
struct ExposureTests {
    static let reference = csvRows("exposure/exposure-r.csv")

    func study(_ counts: String, _ metadata: String, exposure: String) -> ExposureStudy {
        ExposureStudy(countsPath: datasetPath(counts), metadataPath: datasetPath(metadata), exposure: exposure,
                      outputDirectory: temporaryDirectory() + "/out")
    }

    func checkTest(_ test: ExposureAssociation.ExposureTest, case name: String) {
        let ref = Self.reference.first { $0["case"] == name && $0["kind"] == "test" }!
        #expect(isClose(test.statistic, Double(ref["statistic"]!)!, relative: 1e-10), "\(name) F")
        #expect(test.degreesOfFreedom == Int(ref["df1"]!)!)
        #expect(test.reference == .f(denominator: Double(ref["df2"]!)!))
        #expect(isClose(test.pValue, Double(ref["p_value"]!)!, relative: 1e-8), "\(name) p")
    }

    @Test func categoricalExposureMatchesAnovaAndHolmPairs() throws {
        var job = study("globalpatterns/feature-table.tsv", "globalpatterns/metadata.tsv", exposure: "SampleType")
        job.diversity.metrics = "shannon,observed_features"
        let result = try job.compute { _ in }
        let shannon = result.analysis.metrics[0]
        checkTest(shannon.test, case: "gp_sampletype")
        #expect(result.analysis.levels == ["Feces", "Freshwater", "Freshwater (creek)", "Mock", "Ocean", "Sediment (estuary)", "Skin", "Soil", "Tongue"])
        let pairs = Self.reference.filter { $0["case"] == "gp_sampletype" && $0["kind"] == "pair" }
        #expect(pairs.count == 36 && shannon.pairwise.count == 36)
        for ref in pairs {
            let c = try #require(shannon.pairwise.first { $0.level == ref["level"] && $0.versus == ref["versus"] })
            #expect(isClose(c.estimate, Double(ref["estimate"]!)!, relative: 1e-10, absolute: 1e-13))
            #expect(isClose(c.standardError, Double(ref["std_error"]!)!, relative: 1e-10))
            #expect(isClose(c.pValue, Double(ref["p_value"]!)!, relative: 1e-8))
            #expect(isClose(c.adjustedPValue, Double(ref["p_holm"]!)!, relative: 1e-8))
        }
        // Box plots in level order; Table 1 by exposure; the summary and the files.
        #expect(shannon.groups.map(\.label) == result.analysis.levels!)
        #expect(shannon.groups.map(\.values.count).reduce(0, +) == 26)
        let names = result.files.map(\.name)
        #expect(names.prefix(11) == ["diversity.csv", "merged.csv", "models.csv", "fit.csv", "exposure_tests.csv", "pairwise.csv", "cohort.csv",
                                     "summary.md", "report.html", "captions.md", "figures/shannon-by-SampleType.svg"])
        let cohort = try #require(result.files.first { $0.name == "cohort.csv" }).text
        #expect(cohort.hasPrefix("Characteristic,Overall (n = 26),Feces (n = 4),Freshwater (n = 2),Freshwater (creek) (n = 3),"))
        #expect(cohort.contains("\n\"shannon, mean ± SD\",4.41 ± 1.10,3.67 ± 0.38,"))
        #expect(cohort.contains("\n\"observed_features, mean ± SD\","))
        let summary = try #require(result.files.first { $0.name == "summary.md" }).text
        #expect(summary.contains("| shannon | F(8, 17) = 21.3 | < 0.001 | < 0.001 | Feces 3.67;"))
        #expect(summary.contains("the exposure was tested by the Wald F of its coefficients (the partial F test of the model against the model without it)"))
        // Both metrics' box plots as one lettered panel: a file, not in the report.
        let panel = try #require(result.files.first { $0.name == "figures/panel-metrics.svg" }).text
        #expect(panel.components(separatedBy: "<svg x=").count == 3 && panel.contains(">A</text>") && panel.contains(">B</text>"))
        #expect(isWellFormedXML(panel))
        #expect(!(try #require(result.files.first { $0.name == "report.html" }).text.contains("every metric")))
        let tests = try #require(result.files.first { $0.name == "exposure_tests.csv" }).text
        #expect(tests.hasPrefix("metric,exposure,test,statistic,df1,df2,p_value,q_value,n\nshannon,SampleType,wald_f,21.3077936960"))
    }

    @Test func robustAndNumericExposuresMatchWaldtestAndAnova() throws {
        var job = study("simulated-gut-mood/counts.csv", "simulated-gut-mood/metadata.csv", exposure: "antidepressant")
        job.diversity.metrics = "shannon"
        job.association.covariates = ["age", "sex"]
        job.association.covariance = .hc3
        checkTest(try job.compute { _ in }.analysis.metrics[0].test, case: "sim_antidepressant_hc3")
        var numeric = study("simulated-gut-mood/counts.csv", "simulated-gut-mood/metadata.csv", exposure: "bmi")
        numeric.diversity.metrics = "observed_features"
        numeric.association.covariates = ["age"]
        let result = try numeric.compute { _ in }
        checkTest(result.analysis.metrics[0].test, case: "sim_bmi")
        #expect(result.analysis.levels == nil && result.analysis.metrics[0].pairwise.isEmpty)
        #expect(result.files.contains { $0.name == "figures/observed_features-vs-bmi.svg" })
    }

    /// Twins with a random intercept per subject against lmerTest
    /// (generate_exposure_lmertest.R): anova's F with Satterthwaite's
    /// denominator df (type I rows, the exposure being the only term), and
    /// each pair by contest on its own Satterthwaite df — so the Obese–Lean
    /// pair has the model table's p. Tolerances: lmerTest's df come from a
    /// numerical Hessian (1e-4 relative, as the other mixed-model tests).
    @Test func mixedModelPairsAndTestMatchLmerTest() throws {
        var job = study("twins/Twins.csv", "twins/metadata.tsv", exposure: "phenotype")
        job.diversity.metrics = "shannon"
        job.association.random = try Formula.randomTerms("(1 | subject)")
        let result = try job.compute { _ in }
        let m = result.analysis.metrics[0]
        let reference = csvRows("exposure/exposure-lmertest.csv")
        let test = try #require(reference.first { $0["kind"] == "test" })
        #expect(isClose(m.test.statistic, Double(test["statistic"]!)!, relative: 1e-6))
        guard case .f(let ddf) = m.test.reference else { Issue.record("not an F test"); return }
        #expect(isClose(ddf, Double(test["df2"]!)!, relative: 1e-4), "ddf \(ddf)")
        #expect(isClose(m.test.pValue, Double(test["p_value"]!)!, relative: 1e-5))
        for ref in reference where ref["kind"] == "pair" {
            let c = try #require(m.pairwise.first { $0.level == ref["level"] && $0.versus == ref["versus"] })
            #expect(isClose(c.estimate, Double(ref["estimate"]!)!, relative: 1e-6))
            #expect(isClose(c.standardError, Double(ref["std_error"]!)!, relative: 1e-6))
            #expect(isClose(c.degreesOfFreedom, Double(ref["df2"]!)!, relative: 1e-4), "\(c.level)–\(c.versus) df")
            #expect(isClose(c.pValue, Double(ref["p_value"]!)!, relative: 1e-5))
            #expect(isClose(c.adjustedPValue, Double(ref["p_holm"]!)!, relative: 1e-5))
        }
        // One contrast, one p: the pair with the reference level is the model's coefficient.
        let obese = try #require(m.model.coefficients.first { $0.name == "phenotype[T.Obese]" })
        let pair = try #require(m.pairwise.first { $0.level == "Obese" && $0.versus == "Lean" })
        #expect(pair.pValue == obese.pValue && pair.degreesOfFreedom == obese.degreesOfFreedom)
        let pairwise = try #require(result.files.first { $0.name == "pairwise.csv" }).text
        #expect(pairwise.hasPrefix("metric,level,versus,difference,std_error,statistic,df,p_value,p_holm\n"))
    }

    /// `--beta` with `--exposure`: PERMANOVA by the exposure (the same rows
    /// as `beta` then `permanova --by margin`), PERMDISP across its levels,
    /// a PCoA coloured by them, in the summary, report and files.
    @Test func betaDiversityByExposure() throws {
        var job = study("globalpatterns/feature-table.tsv", "globalpatterns/metadata.tsv", exposure: "SampleType")
        job.diversity.metrics = "shannon"
        job.diversity.seed = 7
        job.composition.metrics = ["braycurtis"]
        job.composition.permutations = 99
        let result = try job.compute { _ in }
        let permanova = try #require(result.files.first { $0.name == "permanova.csv" }).text
        let dir = temporaryDirectory()
        var beta = BetaRun(tablePath: datasetPath("globalpatterns/feature-table.tsv"))
        beta.outputPath = dir + "/bc.tsv"
        _ = try beta.run { _ in }
        var byHand = PermanovaRun(input: DistanceMetadataInput(matrixPath: dir + "/bc.tsv", metadataPath: datasetPath("globalpatterns/metadata.tsv")),
                                  formula: "~ SampleType")
        byHand.split = .margin
        byHand.permutation.seed = 7
        byHand.permutation.permutations = 99
        let standalone = try #require(try byHand.run { _ in })
        let rows: [String] = permanova.split(separator: "\n").dropFirst().map(String.init)
        let prefixed: [String] = standalone.split(separator: "\n").dropFirst().map { (line: Substring) -> String in "braycurtis," + String(line) }
        #expect(rows == prefixed)
        let dispersion = try #require(result.files.first { $0.name == "betadisper.csv" }).text
        #expect(dispersion.hasPrefix("metric,group,f_statistic") && dispersion.contains("\nbraycurtis,SampleType,"))
        #expect(result.files.contains { $0.name == "figures/pcoa-braycurtis.svg" })
        let summary = try #require(result.files.first { $0.name == "summary.md" }).text
        #expect(summary.contains("## Community composition") && summary.contains("PERMANOVA: SampleType"))
        #expect(summary.contains("with the model `~ SampleType`"))
    }

    /// Richness is the outcome here, so depth matters most: the metrics that
    /// go with it are flagged, and `--depth-covariate` adjusts every model.
    @Test func sequencingDepthIsFlaggedOrAdjustedFor() throws {
        var job = study("twins/Twins.csv", "twins/metadata.tsv", exposure: "phenotype")
        job.diversity.metrics = "shannon,observed_features"
        var notes = [String]()
        let flagged = try job.compute { notes.append($0) }
        #expect(flagged.analysis.depthCorrelations.map(\.metric) == ["observed_features"])
        #expect(notes.contains { $0.hasPrefix("note: observed_features goes with sequencing depth on these unrarefied counts (Spearman ρ = 0.479, p < 0.001)") })
        let summary = try #require(flagged.files.first { $0.name == "summary.md" }).text
        #expect(summary.contains("the models were not adjusted for sequencing depth; `observed_features` correlated with depth (Spearman ρ = 0.479)."))
        job.association.depthCovariate = true
        let adjusted = try job.compute { _ in }
        #expect(adjusted.analysis.depthCorrelations.isEmpty)
        #expect(adjusted.analysis.metrics[0].model.coefficients.contains { $0.name == "log_reads" })
        #expect(try #require(adjusted.files.first { $0.name == "summary.md" }).text.contains("Every model was adjusted for sequencing depth"))
    }

    /// With covariates, the mixed exposure test is F on the exposure's
    /// coefficients (lmerTest's type III rows); one coefficient: F = t² on its df.
    @Test func mixedModelsUseASatterthwaiteF() throws {
        var job = study("simulated-longitudinal/counts.csv", "simulated-longitudinal/metadata.csv", exposure: "antidepressant")
        job.diversity.metrics = "shannon"
        job.association.covariates = ["months"]
        job.association.random = try Formula.randomTerms("(1 | participant_id)")
        let result = try job.compute { _ in }
        let m = result.analysis.metrics[0]
        let c = try #require(m.model.coefficients.first { $0.name == "antidepressant[T.yes]" })
        #expect(m.test.reference == .f(denominator: c.degreesOfFreedom!) && m.test.degreesOfFreedom == 1)
        #expect(isClose(m.test.statistic, pow(c.statistic!, 2), relative: 1e-12))
        #expect(isClose(m.test.pValue, c.pValue!, relative: 1e-10))
        #expect(result.files.contains { $0.name == "random_effects.csv" })
        // Parameters that do not go with exposure analyses are refused in words.
        job.association.covariance = .hc1
        #expect { try job.compute { _ in } } throws: { message($0).contains("does not apply to a mixed model") }
        var bad = study("simulated-gut-mood/counts.csv", "simulated-gut-mood/metadata.csv", exposure: "diet")
        bad.diversity.metrics = "shannon"
        #expect { try bad.compute { _ in } } throws: { message($0).contains("'diet'") }
    }
}
