import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

@Suite struct SimulationTests {
    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let a = temporaryDirectory(), b = temporaryDirectory(), c = temporaryDirectory()
        for (dir, seed) in [(a, UInt64(11)), (b, 11), (c, 12)] {
            var job = SimulationRun(outputDirectory: dir)
            job.simulation.participants = 60
            job.simulation.taxa = 40
            job.simulation.seed = seed
            job.overwrite = true
            _ = try job.run { _ in }
        }
        for name in SimulationDocuments.outputFiles {
            let x = try Data(contentsOf: URL(fileURLWithPath: a + "/" + name))
            let y = try Data(contentsOf: URL(fileURLWithPath: b + "/" + name))
            #expect(!x.isEmpty && x == y, "\(name) differs for the same seed")
        }
        let counts11 = try String(contentsOfFile: a + "/counts.csv", encoding: .utf8)
        let counts12 = try String(contentsOfFile: c + "/counts.csv", encoding: .utf8)
        #expect(counts11 != counts12)
        // The files are what they claim: readable by the tools, scored by the scorer.
        let table = try CountTable.read(a + "/counts.csv")
        #expect(table.sampleIDs.count == 60 && table.taxonIDs.count == 40)
        let totals = table.sampleTotals
        #expect(totals.allSatisfy { $0 >= 5_000 && $0 <= 100_000 })
        let metadata = try DataTable.read(a + "/metadata.csv")
        #expect(metadata.columnNames.contains("phq9_total") && metadata.columnNames.contains("phq9_9"))
        let readme = try String(contentsOfFile: a + "/README.md", encoding: .utf8)
        #expect(readme.contains("**These data are simulated.**"))
        let truth = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: a + "/truth.json"))) as! [String: Any]
        #expect(truth["simulated"] as? Bool == true && truth["seed"] as? Int == 11)
    }

    /// A participant's data do not depend on the cohort's size (own stream).
    @Test func participantsAreStableAcrossCohortSizes() throws {
        var small = CohortSimulation(), large = CohortSimulation()
        small.participants = 20; large.participants = 50
        small.taxa = 30; large.taxa = 30
        let s = try small.simulate(), l = try large.simulate()
        for i in 0..<20 { #expect(s.participants[i].counts == l.participants[i].counts) }
    }

    /// With large cohorts `analyze` recovers the simulated effects: over a
    /// fixed list of 12 seeds the true value lies inside the 95% CI at least
    /// 10 times for each coefficient (the expected count is 11.4; 9 or fewer
    /// has probability about 2% for a correct interval).
    @Test func analyzeRecoversTheSimulatedEffects() throws {
        let seeds: [UInt64] = [101, 202, 303, 404, 505, 606, 707, 808, 909, 1010, 1111, 1212]
        var covered = [String: Int]()
        var truth = [String: Double]()
        for seed in seeds {
            let dir = temporaryDirectory()
            var sim = SimulationRun(outputDirectory: dir)
            sim.simulation.participants = 1500
            sim.simulation.taxa = 80
            sim.simulation.minimumDepth = 800
            sim.simulation.maximumDepth = 2_000
            sim.simulation.seed = seed
            _ = try sim.run { _ in }
            let truthJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/truth.json"))) as! [String: Any]
            truth = (truthJSON["analysis_model"] as! [String: Any])["true_coefficients"] as! [String: Double]
            var job = StudyAnalysis(countsPath: dir + "/counts.csv", metadataPath: dir + "/metadata.csv",
                                    outcome: "phq9_total", outputDirectory: dir + "/out")
            job.association.covariates = ["age", "sex", "bmi", "antidepressant"]
            job.diversity.metrics = "shannon"
            let result = try job.compute { _ in }
            for c in result.metrics[0].model.coefficients {
                guard let t = truth[c.name] else { continue }
                if c.confidenceLow! <= t && t <= c.confidenceHigh! { covered[c.name, default: 0] += 1 }
            }
        }
        for name in ["shannon", "age", "sex[T.male]", "bmi", "antidepressant[T.yes]"] {
            #expect(covered[name, default: 0] >= 10, "\(name): true value \(truth[name]!) inside the CI for \(covered[name, default: 0]) of \(seeds.count) seeds")
        }
    }

    /// `simulate --visits 4` then `analyze --random "(1 + months | participant_id)"`:
    /// the mixed model's 95% intervals (Satterthwaite t) cover the true fixed
    /// effects in at least 10 of 12 seeded cohorts, and the estimated
    /// random-effect SDs are near the truth on average.
    @Test func mixedModelRecoversTheLongitudinalTruth() throws {
        let seeds: [UInt64] = [101, 202, 303, 404, 505, 606, 707, 808, 909, 1010, 1111, 1212]
        var covered = [String: Int]()
        var truth = [String: Double]()
        var interceptSD = 0.0, slopeSD = 0.0
        for seed in seeds {
            let dir = temporaryDirectory()
            var sim = SimulationRun(outputDirectory: dir)
            sim.simulation.participants = 250
            sim.simulation.visits = 4
            sim.simulation.taxa = 60
            sim.simulation.minimumDepth = 800
            sim.simulation.maximumDepth = 2_000
            sim.simulation.seed = seed
            let cohort = try sim.run { _ in }
            #expect(cohort.participants.count == 1000)
            let truthJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/truth.json"))) as! [String: Any]
            truth = (truthJSON["mixed_model"] as! [String: Any])["true_fixed_effects"] as! [String: Double]
            var job = StudyAnalysis(countsPath: dir + "/counts.csv", metadataPath: dir + "/metadata.csv",
                                    outcome: "phq9_total", outputDirectory: dir + "/out")
            job.association.covariates = ["months", "age", "sex", "bmi", "antidepressant"]
            job.association.random = try Formula.randomTerms("(1 + months | participant_id)")
            job.diversity.metrics = "shannon"
            let result = try job.compute { _ in }
            let model = try #require(result.metrics[0].model.mixedModel)
            for c in model.coefficients {
                guard let t = truth[c.name] else { continue }
                if c.confidenceLow! <= t && t <= c.confidenceHigh! { covered[c.name, default: 0] += 1 }
            }
            interceptSD += model.varianceComponents[0].standardDeviation! / Double(seeds.count)
            slopeSD += model.varianceComponents[1].standardDeviation! / Double(seeds.count)
            let file = try #require(result.files.first { $0.name == "random_effects.csv" })
            #expect(file.text.hasPrefix("metric,group,term,term2,variance,sd,correlation\nshannon,participant_id,Intercept,,"))
        }
        for name in ["shannon", "months", "age", "sex[T.male]", "bmi", "antidepressant[T.yes]"] {
            #expect(covered[name, default: 0] >= 10, "\(name): true value \(truth[name]!) inside the CI for \(covered[name, default: 0]) of \(seeds.count) seeds")
        }
        // True SDs 3 and 0.3; rounding and clipping PHQ-9 at 0 shrink them a little.
        #expect(abs(interceptSD - 3) < 0.4, "mean random-intercept SD \(interceptSD)")
        #expect(abs(slopeSD - 0.3) < 0.05, "mean random-slope SD \(slopeSD)")
    }

    /// `analyze --scale phq9 --prefix phq9_ --outcome-band moderate+`: items
    /// scored on the fly, the outcome dichotomised at the band's lower bound.
    @Test func analyzeScoresItemsAndDichotomisesAtABand() throws {
        let dir = temporaryDirectory()
        var sim = SimulationRun(outputDirectory: dir)
        sim.simulation.participants = 200
        sim.simulation.taxa = 40
        _ = try sim.run { _ in }
        var scoring = try ScaleScoring(scale: .phq9, items: nil, prefix: "phq9_")
        scoring.outputPrefix = "rescored"
        var job = StudyAnalysis(countsPath: dir + "/counts.csv", metadataPath: dir + "/metadata.csv",
                                outcome: "rescored_total", outputDirectory: dir + "/out")
        job.association.scoring = scoring
        job.association.outcomeBand = "moderate+"
        job.association.covariates = ["age", "sex"]
        job.diversity.metrics = "shannon"
        let result = try job.compute { _ in }
        #expect(result.family == .binomial)
        #expect(result.modelledOutcome == "rescored_total_moderate_or_above")
        let merged = result.merged
        // The on-the-fly score equals the shipped one, and the binary outcome is total ≥ 10.
        let metadata = try DataTable.read(dir + "/metadata.csv")
        let shipped = Dictionary(uniqueKeysWithValues: zip(metadata.ids, try #require(metadata["phq9_total"]).cells))
        let totals = try #require(merged["rescored_total"]), binary = try #require(merged["rescored_total_moderate_or_above"])
        for (r, id) in merged.ids.enumerated() {
            #expect(totals.cells[r] == shipped[id])
            if let t = Double(totals.cells[r]) { #expect((binary.cells[r] == "1") == (t >= 10)) }
        }
        #expect(result.files.first { $0.name == "summary.md" }!.text.contains("rescored_total ≥ 10 (moderate or above)"))
        job.association.outcomeBand = "dreadful+"
        #expect { try job.compute { _ in } } throws: { message($0).contains("phq9 has no band 'dreadful'") }
    }
}
