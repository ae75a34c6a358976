import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

@Suite struct ManifestTests {
    /// `study.toml` with `body`, beside copies of a dataset's files (by their own names).
    func manifest(_ body: String, dataset: String = "simulated-gut-mood", files: [String] = ["counts.csv", "metadata.csv"]) -> String {
        let dir = temporaryDirectory()
        for name in files { try! FileManager.default.copyItem(atPath: datasetPath(dataset + "/" + name), toPath: dir + "/" + name) }
        try! body.write(toFile: dir + "/study.toml", atomically: false, encoding: .utf8)
        return dir + "/study.toml"
    }

    static let valid = """
    # the example study
    [inputs]
    counts = "counts.csv"
    metadata = "metadata.csv"

    [diversity]
    metrics = ["shannon", "observed_features"]
    rarefy = 4000
    seed = 5

    [model]
    outcome = "phq9_total"
    covariates = ["age", "sex"]
    references = { sex = "male" }

    [output]
    directory = "results"
    format = "tex"

    """

    /// A manifest of Shannon ~ PHQ-9 total, with extra `[model]` and `[output]` lines.
    static func shannonStudy(model: String = "", output: String = "") -> String {
        "[inputs]\ncounts = \"counts.csv\"\nmetadata = \"metadata.csv\"\n[diversity]\nmetrics = [\"shannon\"]\n"
            + "[model]\noutcome = \"phq9_total\"\n" + model + "[output]\ndirectory = \"results\"\n" + output
    }

    @Test func runsRelativeToTheManifestAndVerifies() throws {
        let path = manifest(Self.valid)
        let study = try StudyManifest(path: path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(study.analysis.outputDirectory == folder + "/results")
        #expect(study.analysis.association.references == ["sex": "male"])
        let result = try study.run(overwrite: false) { _ in }
        #expect(FileManager.default.fileExists(atPath: folder + "/results/models.tex"))
        #expect(result.metrics.first?.model.coefficients.contains { $0.name == "sex[T.female]" } == true)
        #expect(try study.verify { _ in }.isEmpty)
        // A second run needs overwrite, as analyze does.
        #expect { try study.run(overwrite: false) { _ in } } throws: { message($0).contains("already holds") && message($0).contains("--force") }
        // Tampering with a recorded output is caught, against its checksum and the re-run.
        try "changed\n".write(toFile: folder + "/results/summary.md", atomically: false, encoding: .utf8)
        var messages = [String]()
        let problems = try study.verify { messages.append($0) }
        #expect(problems == ["differs from the checksum its provenance records: summary.md", "differs from the re-run: summary.md"])
        #expect(messages == problems)
    }

    /// A value the parameter cannot take is the manifest's error, at the
    /// key's line and in the manifest's spelling.
    @Test func parameterErrorsNameTheKeyAndLine() throws {
        let body = Self.valid.replacingOccurrences(of: "references = { sex = \"male\" }", with: "references = { sex = \"male\" }\nconf_level = 2")
        let path = manifest(body)
        #expect { try StudyManifest(path: path) } throws: {
            message($0) == path + ":15: model.conf_level must be between 0 and 1, exclusive (got 2)"
        }
    }

    /// `run --template`: every table and key of the schema is in the
    /// template, and the template is itself a valid manifest.
    @Test func templateNamesEveryKeyAndParses() throws {
        let template = StudyManifest.template
        for (table, keys) in StudyManifest.schema {
            #expect(template.contains("[\(table)]"), "table \(table)")
            for key in keys { #expect(template.contains("\n\(key) =") || template.contains("# \(key) ="), "\(table).\(key)") }
        }
        let dir = temporaryDirectory()
        try template.write(toFile: dir + "/study.toml", atomically: false, encoding: .utf8)
        let study = try StudyManifest(path: dir + "/study.toml")
        #expect(study.analysis.association.covariates == ["age", "sex"])
        #expect(study.analysis.outputDirectory == dir + "/results")
        // Uncommented, the [scale] table's output_prefix renames the scored columns.
        let scored = template.replacingOccurrences(of: "# [scale]", with: "[scale]")
            .replacingOccurrences(of: "# name = \"phq9\"", with: "name = \"phq9\"")
            .replacingOccurrences(of: "# prefix = \"phq9_\"", with: "prefix = \"phq9_\"")
            .replacingOccurrences(of: "# output_prefix = \"phq9\"", with: "output_prefix = \"phq9_rescored\"")
            .replacingOccurrences(of: "outcome = \"phq9_total\"", with: "outcome = \"phq9_rescored_total\"")
        try scored.write(toFile: dir + "/study.toml", atomically: false, encoding: .utf8)
        #expect(try StudyManifest(path: dir + "/study.toml").analysis.association.scoring?.outputPrefix == "phq9_rescored")
    }

    /// `[model] exposure`: the manifest runs diversity as the outcome, and
    /// `--verify` reproduces it; outcome settings beside it are refused.
    @Test func exposureManifestRunsAndVerifies() throws {
        let body = """
        [inputs]
        counts = "feature-table.tsv"
        metadata = "metadata.tsv"
        [diversity]
        metrics = ["shannon", "observed_features"]
        [model]
        exposure = "SampleType"
        [output]
        directory = "by-type"
        levels = { SampleType = ["Soil", "Feces"] }

        """
        let path = manifest(body, dataset: "globalpatterns", files: ["feature-table.tsv", "metadata.tsv"])
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let study = try StudyManifest(path: path)
        #expect(study.exposure?.association.exposure == "SampleType")
        let result = try study.runStudy(overwrite: false) { _ in }
        #expect(result.models == 2 && result.files.contains { $0.name == "pairwise.csv" })
        #expect(try study.verify { _ in }.isEmpty)
        let cohort = try String(contentsOfFile: dir + "/by-type/cohort.csv", encoding: .utf8)
        #expect(cohort.hasPrefix("Characteristic,Overall (n = 26),Soil (n = 3),Feces (n = 4),"))
        try "x\n".write(toFile: dir + "/by-type/pairwise.csv", atomically: false, encoding: .utf8)
        #expect(try study.verify { _ in }.contains("differs from the re-run: pairwise.csv"))
        try body.replacingOccurrences(of: "exposure = \"SampleType\"", with: "exposure = \"SampleType\"\noutcome = \"x\"")
            .write(toFile: dir + "/study.toml", atomically: false, encoding: .utf8)
        #expect { try StudyManifest(path: dir + "/study.toml") } throws: {
            message($0) == dir + "/study.toml:8: model.outcome does not apply with model.exposure (diversity as the outcome). Remove outcome, or model.exposure for an outcome analysis"
        }
    }

    /// `[output] figure_formats` and `dpi`: PDF and PNG beside every SVG,
    /// recorded with their renderer, reproduced byte for byte by `--verify`;
    /// a change of renderer is named when an export differs.
    @Test func figureExportsRunAndVerify() throws {
        let body = Self.shannonStudy(output: "figure_formats = [\"pdf\", \"PNG\"]\ndpi = 150\n")
        let dir = URL(fileURLWithPath: manifest(body)).deletingLastPathComponent().path
        let study = try StudyManifest(path: dir + "/study.toml")
        #expect(study.analysis.figureExport == FigureExportSettings(formats: [.pdf, .png], dpi: 150))
        let result = try study.runStudy(overwrite: false) { _ in }
        let figures = result.files.map(\.name).filter { $0.hasPrefix("figures/") }
        #expect(figures.count == 6 && figures.filter { $0.hasSuffix(".png") }.count == 2)
        #expect(figures.prefix(3) == ["figures/phq9_total-vs-shannon.svg", "figures/phq9_total-vs-shannon.pdf", "figures/phq9_total-vs-shannon.png"])
        let provenance = try String(contentsOfFile: dir + "/results/provenance.json", encoding: .utf8)
        #expect(provenance.contains("\"figure_renderer\": \"\(try FigureExport.renderer())\""))
        #expect(provenance.contains("\"figure_formats\": [\"svg\", \"pdf\", \"png\"]") && provenance.contains("\"dpi\": 150"))
        #expect(try study.verify { _ in }.isEmpty)
        // Another renderer drew the recorded PNG: the difference is attributed to it.
        let png = dir + "/results/figures/phq9_total-vs-shannon.png"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: png)))
        let oldHash = try SHA256.hex(bytes)
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: png))
        try provenance.replacingOccurrences(of: oldHash, with: try SHA256.hex(bytes))
            .replacingOccurrences(of: try FigureExport.renderer(), with: "librsvg 2.40.0, cairo 1.14.0, Liberation Sans 2.000")
            .write(toFile: dir + "/results/provenance.json", atomically: false, encoding: .utf8)
        #expect(try study.verify { _ in } == ["differs from the re-run: figures/phq9_total-vs-shannon.png (rendered with librsvg 2.40.0, cairo 1.14.0, Liberation Sans 2.000 then, \(try FigureExport.renderer()) now; its SVG is the figure's reference)"])
        // Without exports the recorded parameters differ, and are named.
        try body.replacingOccurrences(of: "figure_formats = [\"pdf\", \"PNG\"]\ndpi = 150\n", with: "")
            .write(toFile: dir + "/study.toml", atomically: false, encoding: .utf8)
        let problems = try StudyManifest(path: dir + "/study.toml").verify { _ in }
        #expect(problems.prefix(2) == ["parameter dpi changed since the recorded run: recorded 150, now null",
                                       "parameter figure_formats changed since the recorded run: recorded [\"svg\",\"pdf\",\"png\"], now [\"svg\"]"])
    }

    /// `[model] random` and `ml`: the study's models are mixed models, and a
    /// malformed random term is the manifest's error at its line.
    @Test func randomTermsInTheManifest() throws {
        let body = Self.shannonStudy(model: "covariates = [\"months\", \"age\"]\nrandom = \"(1 | participant_id)\"\nml = true\nprofile_ci = true\n")
        let dir = URL(fileURLWithPath: manifest(body, dataset: "simulated-longitudinal")).deletingLastPathComponent().path
        let study = try StudyManifest(path: dir + "/study.toml")
        #expect(study.analysis.association.random.map(\.text) == ["(1 | participant_id)"])
        #expect(study.analysis.association.reml == false)
        let result = try study.run(overwrite: false) { _ in }
        #expect(result.metrics[0].model.mixedModel?.reml == false)
        // profile_ci: the SDs' profile intervals, each around its estimate.
        let random = try String(contentsOfFile: dir + "/results/random_effects.csv", encoding: .utf8).split(separator: "\n")
        #expect(random[0] == "metric,group,term,term2,variance,sd,correlation,sd_conf_low,sd_conf_high")
        for line in random.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let sd = Double(cells[5])!, low = Double(cells[7])!, high = Double(cells[8])!
            #expect(low < sd && sd < high)
        }
        var plain = try StudyManifest(path: dir + "/study.toml").analysis
        plain.association.random = []
        plain.association.reml = true
        #expect { try plain.association.validate() } throws: {
            message($0) == "--profile-ci: applies only to mixed models, whose formula has random-effects terms such as (1 | participant). Add a random-effects term, or drop --profile-ci"
        }
        let summary = try String(contentsOfFile: dir + "/results/summary.md", encoding: .utf8)
        #expect(summary.contains("by a linear mixed model on the metric, adjusting for months, age, with random effects `(1 | participant_id)` (588 samples in 150 groups of `participant_id`), fitted by maximum likelihood as lme4's lmer"))
        #expect(try study.verify { _ in }.isEmpty)
        try body.replacingOccurrences(of: "random = \"(1 | participant_id)\"", with: "random = \"(1 | )\"")
            .write(toFile: dir + "/study.toml", atomically: false, encoding: .utf8)
        #expect { try StudyManifest(path: dir + "/study.toml") } throws: { message($0).hasPrefix(dir + "/study.toml:9: [model] random: ") }
    }

    @Test(arguments: [
        ("[inputs]\ncounts = \"c\"\nmetadata = \"m\"\n[model]\noutcome = \"y\"\ncovariate = [\"a\"]\n[output]\ndirectory = \"o\"\n", "study.toml:6: unknown key 'covariate' in [model]. Did you mean 'covariates'?"),
        ("[inputs]\ncounts = \"c\"\nmetadata = \"m\"\n[modle]\noutcome = \"y\"\n[output]\ndirectory = \"o\"\n", "study.toml:4: unknown table or key 'modle'"),
        ("[inputs]\ncounts = \"c\"\nmetadata = \"m\"\n[diversity]\nrarefy = \"deep\"\n[model]\noutcome = \"y\"\n[output]\ndirectory = \"o\"\n", "study.toml:5: diversity.rarefy must be a whole number"),
        ("[inputs]\ncounts = \"c\"\n[model]\noutcome = \"y\"\n[output]\ndirectory = \"o\"\n", "study.toml:1: inputs.metadata is required"),
        ("[inputs\ncounts = 1\n", "study.toml:1: not a valid table header: [inputs"),
        ("x = \"a\u{0}b\"\n", "study.toml:1:7: the manifest holds a control character (U+0000), which TOML does not allow"),
        // toml++ aborts on a second byte-order mark before a header (found by the fuzzer): caught first.
        ("\u{FEFF}\u{FEFF}[#", "study.toml:1:1: the manifest holds a byte-order mark (U+FEFF) after its start. Remove it (files joined together leave these behind); a byte-order mark belongs only at the very start of a file"),
        // toml++ asserts on '}' where an array's value belongs (found by the fuzzer): caught first.
        ("[model]\ncovariates = [\"age\", \"sex\",}\"bmi\"]\n", "study.toml:2:28: not valid TOML: '}' inside an array, where a value or the closing ']' belongs. Close the array with ']' (an inline table { … } closes with '}')"),
        ("[model]\nreferences = { sex = [ # note\n} }\n", "study.toml:3:1: not valid TOML: '}' inside an array, where a value or the closing ']' belongs. Close the array with ']' (an inline table { … } closes with '}')"),
        ("[inputs]\ncounts = \"c\"\nmetadata = \"m\"\n[model]\noutcome = \"y\"\n[output]\ndirectory = \"o\"\nfigure_formats = [\"tiff\"]\n", "study.toml:8: output.figure_formats must be a list of svg, pdf, png"),
        ("[inputs]\ncounts = \"c\"\nmetadata = \"m\"\n[model]\noutcome = \"y\"\n[output]\ndirectory = \"o\"\ndpi = \"high\"\n", "study.toml:8: output.dpi must be a whole number"),
        ("[inputs]\ncounts = \"c\"\nmetadata = \"m\"\n[model]\noutcome = \"y\"\n[output]\ndirectory = \"o\"\nfigure_formats = [\"pdf\"]\ndpi = 600\n", "study.toml:9: output.dpi sets the resolution of PNG figures only. Ask for PNG figures (output.figure_formats png, or a .png figure file), or drop output.dpi"),
    ])
    func badManifestsGiveTheLine(_ body: String, _ expected: String) {
        let path = manifest(body)
        #expect {
            try StudyManifest(path: path)
        } throws: { message($0).hasSuffix(expected) || message($0).contains("/" + expected) }
    }
}

@Suite struct ManifestCompositionTests {
    @Test func compositionTableRunsAndVerifies() throws {
        let dir = temporaryDirectory()
        try FileManager.default.copyItem(atPath: datasetPath("vegan-dune/dune_cover.csv"), toPath: dir + "/dune.csv")
        try FileManager.default.copyItem(atPath: fixturePath("beta/dune-env.csv"), toPath: dir + "/env.csv")
        try """
        [inputs]
        counts = "dune.csv"
        metadata = "env.csv"
        [diversity]
        metrics = ["shannon"]
        seed = 4
        [model]
        outcome = "A1"
        group_by = "Management"
        [composition]
        metrics = ["braycurtis", "hellinger"]
        permutations = 99
        [output]
        directory = "results"
        """.write(toFile: dir + "/study.toml", atomically: false, encoding: .utf8)
        let study = try StudyManifest(path: dir + "/study.toml")
        try study.run(overwrite: false) { _ in }
        let permanova = try String(contentsOfFile: dir + "/results/permanova.csv", encoding: .utf8)
        #expect(permanova.contains("\nhellinger,A1,1,"))
        #expect(try study.verify { _ in }.isEmpty)
        try """
        [inputs]
        counts = "dune.csv"
        metadata = "env.csv"
        [model]
        outcome = "A1"
        [composition]
        metrics = ["braycurtis"]
        permutations = -1
        [output]
        directory = "results2"
        """.write(toFile: dir + "/bad.toml", atomically: false, encoding: .utf8)
        #expect { try StudyManifest(path: dir + "/bad.toml") } throws: {
            message($0) == dir + "/bad.toml:8: composition.permutations must be between 0 and 1000000 (got -1)"
        }
    }
}
