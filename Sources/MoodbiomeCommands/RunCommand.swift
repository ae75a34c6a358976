import ArgumentParser
import FoundationEssentials
import MoodbiomeStudy

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run (or verify) a study described by a TOML manifest.",
        discussion: """
        The manifest names the inputs, the metrics and rarefaction, the model and the output \
        directory (see README, "Reproducible runs"); paths are relative to the manifest's own \
        folder. The outputs are those of `analyze`, with provenance.json recording the version, \
        the resolved parameters, the SHA-256 of every input and output, and the platform. As for \
        `analyze`, an existing run is replaced only with --force. --verify checks the recorded \
        parameters, inputs and outputs against provenance.json, re-runs into a temporary \
        directory, and exits 1 when anything differs.
        """
    )

    @Argument(help: "The study manifest (study.toml).")
    var manifest: String?

    @Flag(help: "Print a commented manifest with every key and its default, to start a study from.")
    var template = false

    @Flag(help: "Check the recorded run instead of writing one.")
    var verify = false

    @Flag(help: "Replace a previous run in the manifest's output directory.")
    var force = false

    func validate() throws {
        if verify && force { throw ValidationError("--verify writes nothing; drop --force") }
        if template && (manifest != nil || verify || force) { throw ValidationError("--template prints a manifest; give it alone") }
        if !template && manifest == nil { throw ValidationError("give the manifest (study.toml), or --template to print one") }
    }

    func run() throws {
        if template {
            try writeToStandardOutput(StudyManifest.template)
            return
        }
        try reportingErrors(linearAlgebra: true) {
            let study = try StudyManifest(path: manifest ?? "")
            if verify {
                let problems = try study.verify(report: printToStandardError)
                if problems.isEmpty {
                    printToStandardError("verified: every output of \(study.analysis.outputDirectory) was reproduced byte for byte")
                } else {
                    printToStandardError("verification failed: \(problems.count) problem\(problems.count == 1 ? "" : "s") found")
                    throw ExitCode(1)
                }
            } else {
                let result = try study.runStudy(overwrite: force, report: printToStandardError)
                printToStandardError("wrote \(result.files.count + 1) files to \(study.analysis.outputDirectory) (\(result.models) model\(result.models == 1 ? "" : "s"))")
            }
        }
    }
}
