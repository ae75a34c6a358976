import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

@Suite("modules as a job")
struct ModulesRunTests {
    let profile = fixturePath("modules/humann-ko-stratified.tsv")

    func metadata(_ samples: [String]) -> String {
        temporaryFile("meta.csv", "sample_id,diet\n" + samples.enumerated().map { "\($1),\($0 % 2 == 0 ? "western" : "mediterranean")" }.joined(separator: "\n"))
    }

    @Test func writesTheTablesAndReproducesThem() throws {
        let dir = temporaryDirectory()
        var job = ModulesRun(profilePaths: [profile], outputDirectory: dir + "/a")
        job.perTaxon = true
        job.metadataPath = metadata((1...12).map { String(format: "S%02d", $0) })
        job.groupBy = "diet"
        var notes = [String]()
        let result = try job.run { notes.append($0) }
        for file in ["abundance.csv", "coverage.csv", "modules.csv", "per-taxon.csv", "summary.md", "captions.md", "provenance.json", "figures/heatmap.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/a/" + file), "\(file)")
        }
        // abundance.csv is a count table Moodbiome reads back: samples as rows, modules as columns, the scores to the bit.
        let table = try CountTable.read(dir + "/a/abundance.csv")
        #expect(table.sampleIDs == result.scores.sampleIDs)
        let nonZero = result.scores.moduleIDs.indices.filter { m in result.scores.sampleIDs.indices.contains { result.scores.abundance(sample: $0, module: m) > 0 } }
        #expect(table.taxonIDs == result.scores.moduleIDs)
        for j in table.sampleIDs.indices {
            for m in nonZero { #expect(table.value(taxon: m, sample: j) == result.scores.abundance(sample: j, module: m)) }
        }
        let modules = try String(contentsOfFile: dir + "/a/modules.csv", encoding: .utf8).split(separator: "\n")
        #expect(modules[0] == "module,name,steps,kos,kos_in_table,samples_found" && modules.count == 57)
        #expect(modules[5].hasPrefix("MGB005,Tryptophan synthesis,5,12,12,12"))
        let perTaxon = try String(contentsOfFile: dir + "/a/per-taxon.csv", encoding: .utf8).split(separator: "\n")
        #expect(perTaxon[0] == "taxon,module,sample_id,abundance,coverage" && perTaxon.count == result.perTaxon!.count + 1)
        #expect(notes.contains("note: 6 modules of GBMs v1.0 name no KEGG ortholog and cannot be found in a KO table (listed in summary.md)"))
        let summary = try String(contentsOfFile: dir + "/a/summary.md", encoding: .utf8)
        #expect(summary.contains("MGB011 Cortisol degradation") && summary.contains("omixer-rpm 1.1"))
        let captions = try String(contentsOfFile: dir + "/a/captions.md", encoding: .utf8)
        #expect(captions.contains("Samples grouped by diet."))
        var again = job
        again.outputDirectory = dir + "/b"
        try again.run { _ in }
        for file in ["abundance.csv", "coverage.csv", "modules.csv", "per-taxon.csv", "summary.md", "figures/heatmap.svg"] {
            #expect(FileManager.default.contents(atPath: dir + "/a/" + file) == FileManager.default.contents(atPath: dir + "/b/" + file), "\(file)")
        }
    }

    @Test func samplesWithoutMetadataAreRefusedAndNothingIsWritten() throws {
        let dir = temporaryDirectory() + "/out"
        var job = ModulesRun(profilePaths: [profile], outputDirectory: dir)
        let meta = metadata((1...10).map { String(format: "S%02d", $0) })
        job.metadataPath = meta
        job.groupBy = "diet"
        let error = try #require(throws: DataError.self) { try job.run { _ in } }
        #expect(message(error) == "\(meta): 2 samples of \(profile) have no metadata row (S11, S12). Add a row for each sample, or check that the IDs are spelled the same way (--id-column names the metadata's ID column)")
        #expect(!FileManager.default.fileExists(atPath: dir))
        job.groupBy = "diett"
        let missing = try #require(throws: DataError.self) { try job.run { _ in } }
        #expect(message(missing).hasPrefix("\(meta): no column 'diett'"))
    }

    @Test func perTaxonNeedsAStratifiedTable() throws {
        let plain = temporaryFile("ko.tsv", "KO\tA\tB\nK01593\t3\t0\nK00492\t1\t2\n")
        var job = ModulesRun(profilePaths: [plain], outputDirectory: temporaryDirectory() + "/o")
        job.perTaxon = true
        let error = try #require(throws: ParameterError.self) { try job.run { _ in } }
        #expect(message(error) == "--per-taxon: '\(plain)' is not a stratified table (HUMAnN's K00001|taxon rows, PICRUSt2's contributions or taxon and function columns)")
        job.perTaxon = false
        let result = try job.run { _ in }
        // MGB002 (K01593 | COG0076, then K00492): both steps in A, one in B (coverage 0.5 < 0.66).
        let m = result.scores.moduleIDs.firstIndex(of: "MGB002")!
        #expect(result.scores.abundance(sample: 0, module: m) == 2 && result.scores.coverage(sample: 0, module: m) == 1)
        #expect(result.scores.abundance(sample: 1, module: m) == 0 && result.scores.coverage(sample: 1, module: m) == 0)
    }

    /// gbm,gmm: one pass, both databases' modules, the same numbers as each alone.
    @Test func twoDatabasesInOnePass() throws {
        let dir = temporaryDirectory()
        var both = ModulesRun(profilePaths: [profile], outputDirectory: dir + "/both")
        both.databases = ["gbm", "gmm"]
        let r = try both.run { _ in }
        #expect(r.scores.moduleIDs.count == 159)
        var gmm = both
        gmm.databases = ["gmm"]
        gmm.outputDirectory = dir + "/gmm"
        let g = try gmm.run { _ in }
        for j in g.scores.sampleIDs.indices {
            for m in g.scores.moduleIDs.indices { #expect(g.scores.abundance(sample: j, module: m) == r.scores.abundance(sample: j, module: m + 56)) }
        }
        let clash = temporaryFile("clash.txt", "MGB001\tmine\nK00001\n///\n")
        both.databases = ["gbm", clash]
        both.outputDirectory = dir + "/clash"
        let error = try #require(throws: InputError.self) { try both.run { _ in } }
        #expect(error.description == "\(clash):1:1: module MGB001 is also defined in GBMs v1.0. Give the databases distinct module IDs")
    }

    @Test func aModuleFileByPath() throws {
        let db = temporaryFile("my.txt", "X1\tmy pathway\nK00001\nK00002,K00003\n///\n")
        let table = temporaryFile("ko.tsv", "KO\tA\nK00001\t4\nK00002\t2\n")
        var job = ModulesRun(profilePaths: [table], outputDirectory: temporaryDirectory() + "/o")
        job.databases = [db]
        job.settings.coverage = 0.5
        let result = try job.run { _ in }
        #expect(result.scores.moduleIDs == ["X1"])
        #expect(result.scores.abundance == [2.5] && result.scores.coverage == [1])
        #expect(job.inputs == [table, db])
    }
}

@Suite("analyze --functions")
struct AnalyzeFunctionsTests {
    /// The study's module section: each module on PHQ-9 + covariates as
    /// `associate` tests the module table (the same rows), and the planted
    /// answer of the simulated study found.
    @Test func modulesJoinTheStudy() throws {
        let g = datasetPath("simulated-gut-brain/")
        let dir = temporaryDirectory()
        var job = StudyAnalysis(countsPath: g + "counts.csv", metadataPath: g + "metadata.csv", outcome: "phq9_total", outputDirectory: dir + "/a")
        job.association.covariates = ["age", "sex"]
        job.diversity.metrics = "shannon"
        job.functionsPaths = [g + "humann_ko_stratified.tsv"]
        var notes = [String]()
        try job.run { notes.append($0) }
        for file in ["module-abundance.csv", "module-associations.csv", "figures/modules-vs-phq9_total.svg", "figures/module-contributions.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/a/" + file), "\(file)")
        }
        // The same models as associate on the module table.
        var modules = ModulesRun(profilePaths: [g + "humann_ko_stratified.tsv"], outputDirectory: dir + "/m")
        modules.perTaxon = false
        try modules.run { _ in }
        var associate = AssociationRun(countsPath: dir + "/m/abundance.csv", metadataPath: g + "metadata.csv", outputDirectory: dir + "/as")
        associate.formula = "~ phq9_total + age + sex"
        try associate.run { _ in }
        func rows(_ path: String) throws -> [[String: String]] {
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
        }
        let ours = try rows(dir + "/a/module-associations.csv"), theirs = try rows(dir + "/as/all_results.csv")
        #expect(ours.count == theirs.count && ours.count > 100)
        for (a, b) in zip(ours, theirs) {
            #expect(a["feature"] == b["feature"] && a["term"] == b["term"] && a["estimate"] == b["estimate"] && a["q_value"] == b["q_value"])
        }
        let top = ours.first { $0["term"] == "phq9_total" }
        #expect(top?["feature"] == "MGB024" && top?["name"] == "DOPAC synthesis")
        let summary = try String(contentsOfFile: dir + "/a/summary.md", encoding: .utf8)
        #expect(summary.contains("## Gut–brain modules and PHQ-9 total") && summary.contains("| MGB024 | DOPAC synthesis |"))
        let report = try String(contentsOfFile: dir + "/a/report.html", encoding: .utf8)
        #expect(report.contains("Which taxa carry the modules") && report.contains("Coprococcus_comes"))
        // Module options without --functions take no effect: refused.
        var stray = StudyAnalysis(countsPath: g + "counts.csv", metadataPath: g + "metadata.csv", outcome: "phq9_total", outputDirectory: dir + "/b")
        stray.moduleDatabases = ["gmm"]
        #expect(throws: ParameterError.self) { try stray.validate() }
    }

    /// `--module-method linda` (and a manifest's `[functions]`): the modules
    /// tested as `associate --method linda --zeros half-minimum --min-depth 0
    /// --min-prevalence 0.1` tests the module table, row for row; DOPAC synthesis still first.
    @Test func modulesByLinDA() throws {
        let g = datasetPath("simulated-gut-brain/")
        let dir = temporaryDirectory()
        var job = StudyAnalysis(countsPath: g + "counts.csv", metadataPath: g + "metadata.csv", outcome: "phq9_total", outputDirectory: dir + "/a")
        job.association.covariates = ["age", "sex"]
        job.diversity.metrics = "shannon"
        job.functionsPaths = [g + "humann_ko_stratified.tsv"]
        job.moduleMethod = .linda
        try job.run { _ in }
        var modules = ModulesRun(profilePaths: [g + "humann_ko_stratified.tsv"], outputDirectory: dir + "/m")
        modules.perTaxon = false
        try modules.run { _ in }
        var associate = AssociationRun(countsPath: dir + "/m/abundance.csv", metadataPath: g + "metadata.csv", outputDirectory: dir + "/as")
        associate.formula = "~ phq9_total + age + sex"
        associate.method = .linda
        associate.linda.zeros = .halfMinimum
        associate.linda.minimumDepth = 0
        associate.linda.minimumPrevalence = 0.1
        try associate.run { _ in }
        let ours = csvRows(fromFile: dir + "/a/module-associations.csv"), theirs = csvRows(fromFile: dir + "/as/all_results.csv")
        #expect(ours.count == theirs.count && ours.count > 100)
        for (a, b) in zip(ours, theirs) {
            #expect(a["feature"] == b["feature"] && a["term"] == b["term"] && a["estimate"] == b["estimate"] && a["q_value"] == b["q_value"])
        }
        #expect(ours.first { $0["term"] == "phq9_total" }?["feature"] == "MGB024")
        let summary = try String(contentsOfFile: dir + "/a/summary.md", encoding: .utf8)
        #expect(summary.contains("with LinDA (Zhou et al. 2022"))
        // The same study from a manifest.
        let manifest = dir + "/study.toml"
        try """
        [inputs]
        counts = "\(g)counts.csv"
        metadata = "\(g)metadata.csv"
        [diversity]
        metrics = ["shannon"]
        [model]
        outcome = "phq9_total"
        covariates = ["age", "sex"]
        [functions]
        profiles = ["\(g)humann_ko_stratified.tsv"]
        method = "linda"
        [output]
        directory = "\(dir)/manifest"
        """.write(toFile: manifest, atomically: true, encoding: .utf8)
        let fromManifest = try StudyManifest(path: manifest)
        #expect(fromManifest.analysis.moduleMethod == .linda && fromManifest.analysis.functionsPaths == [g + "humann_ko_stratified.tsv"])
        try fromManifest.analysis.run { _ in }
        #expect(FileManager.default.contents(atPath: dir + "/manifest/module-associations.csv") == FileManager.default.contents(atPath: dir + "/a/module-associations.csv"))
        var stray = StudyAnalysis(countsPath: g + "counts.csv", metadataPath: g + "metadata.csv", outcome: "phq9_total", outputDirectory: dir + "/b")
        stray.moduleMethod = .linda
        #expect(throws: ParameterError.self) { try stray.validate() }
    }
}
