import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

@Suite("mediate as a job")
struct MediationRunTests {
    let data = fixturePath("mediation/mediation-data.csv")

    @Test func writesTheDirectoryAndReproducesIt() throws {
        let dir = temporaryDirectory()
        var job = MediationRun(metadataPath: data, exposure: "diet", outcome: "phq9_total", mediators: ["shannon", "age"], outputDirectory: dir + "/a")
        job.covariates = ["C(sex)"]
        job.settings.simulations = 1000
        let result = try job.run { _ in }
        for file in ["mediation.csv", "paths.csv", "summary.md", "report.html", "captions.md", "provenance.json",
                     "figures/path-shannon.svg", "figures/path-age.svg", "figures/acme-forest.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/a/" + file), "\(file)")
        }
        let mediation = try String(contentsOfFile: dir + "/a/mediation.csv", encoding: .utf8).split(separator: "\n")
        #expect(mediation[0] == "mediator,effect,estimate,conf_low,conf_high,p_value,q_value" && mediation.count == 21)
        #expect(mediation.dropFirst().prefix(10).map { String($0.split(separator: ",")[1]) } == Mediation.effectNames)
        let paths = try String(contentsOfFile: dir + "/a/paths.csv", encoding: .utf8)
        #expect(paths.hasPrefix("mediator,a,a_se,b,b_se,c_prime,c_total,indirect_ab,sobel_se,sobel_p\nshannon,"))
        // The paths are the models' coefficients: a from shannon ~ diet + C(sex).
        let direct = try FittedModel.fit(formula: Formula("shannon ~ diet + C(sex)"), data: DataTable.read(data))
        #expect(result.results[0].paths.a == direct.coefficients[1].estimate!)
        // q-values: BH over the two mediators' p-values of each effect.
        let p = result.results.map { $0.effects[7].pValue }
        #expect(Mediation.qValues(result.results).map { $0[7] } == PValueAdjustment.benjaminiHochberg.adjust(p))
        let summary = try String(contentsOfFile: dir + "/a/summary.md", encoding: .utf8)
        #expect(summary.contains("## Assumptions") && summary.contains("sequential ignorability") && summary.contains("cross-sectional"))
        // Same inputs and seed, same bytes.
        var again = job
        again.outputDirectory = dir + "/b"
        try again.run { _ in }
        for file in ["mediation.csv", "paths.csv", "summary.md", "report.html", "figures/acme-forest.svg"] {
            #expect(FileManager.default.contents(atPath: dir + "/a/" + file) == FileManager.default.contents(atPath: dir + "/b/" + file), "\(file)")
        }
    }

    /// --sensitivity: sensitivity.csv holds Core's grid (step 0.01) for each
    /// mediator, the summary says the ρ; a logistic outcome is refused.
    @Test func sensitivityIsWrittenAndSaid() throws {
        let dir = temporaryDirectory()
        var job = MediationRun(metadataPath: data, exposure: "diet", outcome: "phq9_total", mediators: ["shannon"], outputDirectory: dir + "/s")
        job.covariates = ["age", "C(sex)"]
        job.settings.simulations = 200
        job.sensitivity = true
        let result = try job.run { _ in }
        let core = try MediationSensitivity(result.results[0], exposure: "diet", step: 0.01)
        let lines = try String(contentsOfFile: dir + "/s/sensitivity.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 200 && lines[0].hasPrefix("mediator,rho,acme_control,acme_control_low,acme_control_high,acme_treated"))
        #expect(lines[1] == "shannon,-0.99," + [core.points[0].acmeControl, core.points[0].acmeTreated, core.points[0].adeControl, core.points[0].adeTreated]
            .flatMap { [$0.0, $0.1, $0.2] }.map { NumberStyle.roundTrip.format($0) }.joined(separator: ","))
        let summary = try String(contentsOfFile: dir + "/s/summary.md", encoding: .utf8)
        #expect(summary.contains("## Sensitivity") && summary.contains("at ρ = \(NumberStyle.roundTrip.format((core.acmeZeroRho.control * 1000).rounded() / 1000)) ("))
        job.settings.family = .binomial
        job.outcome = "depressed"
        let error = try #require(throws: MediationError.self) { try job.validate() }
        #expect(message(error).hasPrefix("--sensitivity: the sensitivity analysis (Imai, Keele & Yamamoto 2010, as mediation's medsens) is implemented for a linear outcome model"))
    }

    /// A module mediator: log2 of its abundance in the module table, zeros at
    /// half the module's smallest positive value; the table is required.
    @Test func modulesFromTheModuleTable() throws {
        let modules = temporaryFile("abundance.csv", "sample_id,MGB001,MGB002\nA,4,0\nB,8,2\nC,0,1\nD,16,8\n")
        let meta = temporaryFile("m.csv", "sample_id,diet,phq9\nA,0,10\nB,1,6\nC,0,12\nD,1,5\nE,1,3\n")
        var job = MediationRun(metadataPath: meta, exposure: "diet", outcome: "phq9", mediators: ["module:MGB001"], outputDirectory: temporaryDirectory() + "/o")
        let missing = try #require(throws: MediationError.self) { try job.run { _ in } }
        #expect(message(missing) == "--mediator: 'module:MGB001' needs the module table: give abundance.csv of `moodbiome modules` with --modules")
        job.modulesPath = modules
        var notes = [String]()
        let metadata = try DataTable.read(meta)
        let table = try job.moduleColumns(metadata, modules: ["module:MGB001", "module:MGB002"]) { notes.append($0) }
        #expect(table.ids == ["A", "B", "C", "D"])
        #expect(table["module:MGB001"]!.numbers == [2, 3, 1, 4])
        #expect(table["module:MGB002"]!.numbers == [log2(0.5), 1, 0, 3])
        job.mediators = ["module:MGB003"]
        let unknown = try #require(throws: MediationError.self) { try job.run { _ in } }
        #expect(message(unknown).hasPrefix("--mediator: the module table has no module 'MGB003'. Did you mean 'module:MGB00"))
        #expect(job.inputs == [meta, modules])
    }

    /// Metrics come from the counts as analyze computes them; a taxon is its
    /// centred log-ratio; a text exposure contrasts its two levels.
    @Test func metricsAndTaxaFromTheCounts() throws {
        let counts = datasetPath("simulated-gut-mood/counts.csv"), metadata = datasetPath("simulated-gut-mood/metadata.csv")
        var job = MediationRun(metadataPath: metadata, exposure: "antidepressant", outcome: "phq9_total",
                               mediators: ["shannon", "taxon:Faecalibacterium"], outputDirectory: temporaryDirectory() + "/m")
        job.countsPath = counts
        job.settings.simulations = 200
        var notes = [String]()
        let result = try job.run { notes.append($0) }
        #expect(result.results.map(\.mediator) == ["shannon", "taxon:Faecalibacterium"])
        #expect((result.results[0].control, result.results[0].treated) == (0, 1))
        let alpha = try DiversityRun(tablePath: counts).compute { _ in }
        let shannon = try #require(alpha.metrics.firstIndex { $0.label == "shannon" })
        let merged = try DataTable.read(metadata)
        let table = try CountTable.read(counts)
        let j = try #require(table.sampleIDs.firstIndex(of: merged.ids[0]))
        let dense = table.abundances(ofSample: j).map { log($0 + 0.5) }
        let t = table.taxonIDs.firstIndex(of: "Faecalibacterium")!
        #expect(isClose(MediationRun.centredLogRatio(table, sample: j, taxon: t, pseudocount: 0.5),
                        dense[t] - dense.reduce(0, +) / Double(dense.count), relative: 1e-12))
        #expect(alpha.values[alpha.sampleIDs.firstIndex(of: merged.ids[0])!, shannon].isFinite)
        #expect(notes.contains { $0.contains("causal only under assumptions") })
    }

    /// `--mediator composition`: the community as one mediator (ccmm's
    /// model, checked against ccmm in CompositionalMediationTests), with
    /// the most abundant parts kept and the rest pooled.
    @Test func theCommunityAsTheMediator() throws {
        let counts = datasetPath("simulated-gut-mood/counts.csv"), metadata = datasetPath("simulated-gut-mood/metadata.csv")
        let dir = temporaryDirectory()
        var job = MediationRun(metadataPath: metadata, exposure: "antidepressant", outcome: "phq9_total", mediators: ["composition"],
                               outputDirectory: dir + "/c")
        job.countsPath = counts
        job.covariates = ["age"]
        job.compositionParts = 8
        job.settings.simulations = 300
        var notes = [String]()
        try job.run { notes.append($0) }
        let lines = try String(contentsOfFile: dir + "/c/compositional-mediation.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines[0] == "effect,estimate,std_error,conf_low,conf_high" && lines.count == 1 + 2 + 9)
        #expect(lines[1].hasPrefix("direct,") && lines[2].hasPrefix("total_indirect,") && lines[11].hasPrefix("indirect:other,"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/c/mediation.csv"))
        #expect(FileManager.default.fileExists(atPath: dir + "/c/figures/composition-forest.svg"))
        let sensitivity = try String(contentsOfFile: dir + "/c/composition-sensitivity.csv", encoding: .utf8).split(separator: "\n")
        #expect(sensitivity[0] == "rho,total_indirect" && sensitivity.count == 38 && sensitivity[19].hasPrefix("0,"))
        #expect(try String(contentsOfFile: dir + "/c/summary.md", encoding: .utf8).contains("Sensitivity (ccmm's): the total indirect effect"))
        #expect(notes.contains("note: composition: 8 parts and the other 192 features pooled as 'other', each count plus 0.5 before closure; 296 samples"))
        // The total indirect effect is the sum of the parts'.
        let values = lines.dropFirst().map { $0.split(separator: ",").map(String.init) }
        let parts = values.dropFirst(2).reduce(0.0) { $0 + Double($1[1])! }
        #expect(isClose(Double(values[1][1])!, parts, relative: 1e-12))
        job.countsPath = nil
        job.outputDirectory = dir + "/none"
        #expect { try job.run { _ in } } throws: { message($0).hasPrefix("--counts: 'composition' is not a mediator readable without --counts") }
    }

    /// `analyze --mediate-by`: a mediation per metric, in the report and
    /// the summary, mediation.csv and paths.csv; the same numbers as
    /// `mediate` with the same seed and settings.
    @Test func analyzeMediatesByAnExposure() throws {
        let counts = datasetPath("simulated-gut-mood/counts.csv"), metadata = datasetPath("simulated-gut-mood/metadata.csv")
        let dir = temporaryDirectory()
        var study = StudyAnalysis(countsPath: counts, metadataPath: metadata, outcome: "phq9_total", outputDirectory: dir + "/a")
        study.association.covariates = ["age"]
        study.diversity.metrics = "shannon"
        study.diversity.seed = 5
        study.mediateBy = "antidepressant"
        study.mediation.simulations = 400
        let result = try study.run { _ in }
        #expect(result.files.contains { $0.name == "mediation.csv" } && result.files.contains { $0.name == "figures/path-shannon.svg" })
        let summary = try String(contentsOfFile: dir + "/a/summary.md", encoding: .utf8)
        #expect(summary.contains("## Mediation: antidepressant → metric → phq9_total") && summary.contains("sequential ignorability"))
        let html = try String(contentsOfFile: dir + "/a/report.html", encoding: .utf8)
        #expect(html.contains("<h2>Mediation: antidepressant → metric → phq9_total</h2>"))
        var job = MediationRun(metadataPath: metadata, exposure: "antidepressant", outcome: "phq9_total", mediators: ["shannon"], outputDirectory: dir + "/b")
        job.countsPath = counts
        job.covariates = ["age"]
        job.settings.simulations = 400
        job.settings.seed = 5
        try job.run { _ in }
        #expect(FileManager.default.contents(atPath: dir + "/a/mediation.csv") == FileManager.default.contents(atPath: dir + "/b/mediation.csv"))
        #expect(FileManager.default.contents(atPath: dir + "/a/paths.csv") == FileManager.default.contents(atPath: dir + "/b/paths.csv"))
        study.association.random = try Formula.randomTerms("(1 | sex)")
        study.outputDirectory = dir + "/c"
        study.spelling = commandLineSpelling
        #expect { try study.run { _ in } } throws: { message($0).hasPrefix("--mediate-by: mediation with random effects (several visits per participant) is not implemented") }
    }

    @Test func badInputIsAnErrorAndWritesNothing() throws {
        let dir = temporaryDirectory()
        let table = temporaryFile("m.csv", "id,x,g,m,y,one\n" + (0..<40).map { i in
            "s\(i),\(i % 3),\(["a", "b", "c"][i % 3]),\(Double(i % 7) * 0.3),\(Double(i % 5)),1"
        }.joined(separator: "\n") + "\n")
        func attempt(_ change: (inout MediationRun) -> Void) -> String {
            var job = MediationRun(metadataPath: table, exposure: "x", outcome: "y", mediators: ["m"], outputDirectory: dir + "/out")
            job.settings.simulations = 100
            job.spelling = commandLineSpelling
            change(&job)
            do { try job.run { _ in }; return "no error" } catch { return message(error) }
        }
        #expect(attempt { _ in } == "--exposure: 'x' is numeric with 3 distinct values, not two. Say which two values to contrast, e.g. --exposure-values 0,1 (control, then treated)")
        #expect(attempt { $0.exposure = "one" } == "--exposure: 'one' takes one value in the rows used, so there is nothing to contrast. Choose an exposure that varies")
        #expect(attempt { $0.exposure = "g" }.hasPrefix("--exposure: 'g' has 3 levels (a, b, c); mediation contrasts two."))
        #expect(attempt { $0.exposureValues = ["0", "2"]; $0.covariates = ["m"] }.hasPrefix("--mediator: 'm' is also a covariate."))
        #expect(attempt { $0.exposureValues = ["0", "2"]; $0.mediators = ["one"] } == "--mediator: 'one' does not vary in the rows used, so it cannot carry an effect. Choose another mediator")
        #expect(attempt { $0.exposureValues = ["0", "2"]; $0.mediators = ["mm"] } == "--mediator: 'mm' is not an alpha-diversity metric, a metadata column, taxon:NAME of the count table or module:ID of the module table. Did you mean 'm'?")
        #expect(attempt { $0.exposureValues = ["0", "2"]; $0.outcome = "one"; $0.settings.family = .binomial }
            == "--outcome: 'one' has one value in the rows used, so a logistic model of it cannot be fitted. Choose an outcome with both values")
        #expect(attempt { $0.exposure = "g"; $0.exposureValues = ["a", "d"] } == "--exposure-values: 'd' is not a value of 'g' (its levels: a, b, c). Give two values, control first")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
        // From the command line, an error found after the inputs' hashing
        // began ends the run cleanly (exit 1), never a crash at exit.
        for _ in 0..<4 {
            let run = try runMoodbiome(["mediate", "--metadata", table, "--exposure", "x", "--outcome", "y", "--mediator", "m",
                                        "--sims", "5000", "--out-dir", dir + "/cli"])
            #expect(run.status == 1 && !run.standardError.contains("crashed"), "\(run.standardError)")
        }
        // Two chosen levels of three: the third group's rows are left out.
        var job = MediationRun(metadataPath: table, exposure: "g", outcome: "y", mediators: ["m"], outputDirectory: dir + "/ok")
        job.exposureValues = ["a", "c"]
        job.settings.simulations = 100
        let result = try job.run { _ in }
        #expect(result.results[0].outcomeModel.design.ids.count == 27)
    }
}

/// `simulate --diet-effect`: an exposure acting on PHQ-9 through Shannon,
/// whose sample ACME (from both potential Shannon entropies) `mediate` recovers.
@Suite("Simulated exposure → microbiome → mood")
struct SimulatedMediationTests {
    @Test func mediateRecoversThePlantedACME() throws {
        let dir = temporaryDirectory()
        var simulation = SimulationRun(outputDirectory: dir + "/sim")
        simulation.simulation.participants = 400
        simulation.simulation.seed = 11
        simulation.simulation.dietEffect = 1
        simulation.simulation.dietDirectEffect = 0.5
        let cohort = try simulation.run { _ in }
        let differences = cohort.participants.map { $0.potentialShannon!.1 - $0.potentialShannon!.0 }
        let acme = -1 * differences.reduce(0, +) / Double(differences.count)
        #expect(differences.allSatisfy { $0 > -0.6 } && acme < -0.3, "a diversity shift of 1 SD raises Shannon: \(acme)")
        // Participants under the diet they got: their observed Shannon is that diet's potential one.
        #expect(cohort.participants.allSatisfy { p in abs(p.shannon - (p.diet == 1 ? p.potentialShannon!.1 : p.potentialShannon!.0)) == 0 })
        let truth = try String(contentsOfFile: dir + "/sim/truth.json", encoding: .utf8)
        #expect(truth.contains("\"acme\": \(NumberStyle.roundTrip.format(acme))"))
        var job = MediationRun(metadataPath: dir + "/sim/metadata.csv", exposure: "diet", outcome: "phq9_total", mediators: ["shannon"], outputDirectory: dir + "/m")
        job.countsPath = dir + "/sim/counts.csv"
        job.covariates = ["age", "sex", "bmi", "antidepressant"]
        job.settings.simulations = 2000
        let result = try job.run { _ in }
        let estimate = result.results[0].effects.first { $0.name == "acme_average" }!
        #expect(estimate.low < acme && acme < estimate.high, "95% interval \(estimate.low)…\(estimate.high) covers the planted \(acme)")
        let ade = result.results[0].effects.first { $0.name == "ade_average" }!
        #expect(ade.low < 0.5 && 0.5 < ade.high)
        // Without a diet the cohort is the one it always was: no diet column.
        var plain = SimulationRun(outputDirectory: dir + "/plain")
        plain.simulation.participants = 20
        try plain.run { _ in }
        #expect(!(try String(contentsOfFile: dir + "/plain/metadata.csv", encoding: .utf8)).contains(",diet,"))
    }
}
