import ArgumentParser
import Foundation
import Moodbiome

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run (or verify) a study described by a TOML manifest.",
        discussion: """
        The manifest names the inputs, the metrics and rarefaction, the model and the output \
        directory (see README, "Reproducible runs"); paths are relative to the manifest. The \
        outputs are those of `analyze`, with provenance.json recording the version, the resolved \
        parameters, the SHA-256 of every input and the platform. --verify re-runs into a \
        temporary directory and fails if any output differs byte for byte from the recorded run.
        """
    )

    @Argument(help: "The study manifest (study.toml).")
    var manifest: String

    @Flag(help: "Re-run into a temporary directory and compare with the recorded outputs.")
    var verify = false

    func run() throws {
        let study = try StudyManifest(path: manifest)
        if verify {
            let differing = try study.verify(report: printToStandardError)
            if differing.isEmpty {
                printToStandardError("verified: every output of \(study.analysis.outputDirectory) was reproduced byte for byte")
            } else {
                printToStandardError("verification failed: \(differing.count) output\(differing.count == 1 ? "" : "s") differ")
                throw ExitCode(1)
            }
        } else {
            let result = try study.run(report: printToStandardError)
            printToStandardError("wrote \(result.files.count + 1) files to \(study.analysis.outputDirectory) (\(result.metrics.count) models)")
        }
    }
}
