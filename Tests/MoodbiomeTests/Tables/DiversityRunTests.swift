import Foundation
import Testing
@testable import Moodbiome

/// The `moodbiome diversity` job end to end, as the CLI runs it.
@Suite("diversity command")
struct DiversityRunTests {
    @Test func writesRequestedMetricsInOrder() throws {
        let output = temporaryDirectory() + "/alpha.csv"
        var job = DiversityRun(tablePath: datasetPath("vegan-bci/BCI_counts.csv"))
        job.metrics = "chao1,shannon,sobs"
        job.outputPath = output
        var notes = [String]()
        #expect(try job.run { notes.append($0) } == nil)
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(lines[0] == "sample_id,chao1,shannon,sobs")
        #expect(lines.count == 51)
        #expect(lines[1].hasPrefix("1,117.47368421052632,4.018411662232362,93"))
        #expect(notes.isEmpty)
    }

    @Test func badInputLeavesNoOutputFile() throws {
        let directory = temporaryDirectory()
        let input = directory + "/bad.csv"
        try "id,a\ns1,-1\n".write(toFile: input, atomically: false, encoding: .utf8)
        var job = DiversityRun(tablePath: input)
        job.outputPath = directory + "/alpha.csv"
        #expect(throws: InputError.self) { try job.run { _ in } }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["bad.csv"])
        #expect(try String(contentsOfFile: input, encoding: .utf8) == "id,a\ns1,-1\n")
    }

    @Test func rarefactionWithoutSeedReportsTheSeedItDrew() throws {
        var job = DiversityRun(tablePath: datasetPath("vegan-bci/BCI_counts.csv"))
        job.rarefactionDepth = 300
        var notes = [String]()
        let first = try #require(try job.run { notes.append($0) })
        let seedNote = try #require(notes.first { $0.contains("--seed") })
        let seed = try #require(UInt64(seedNote.split(separator: " ")[3]))
        job.seed = seed
        #expect(try job.run { _ in } == first)
    }

    @Test func optionsOnlyMeaningfulWithRarefactionAreRefused() {
        var job = DiversityRun(tablePath: datasetPath("vegan-bci/BCI_counts.csv"))
        job.iterations = 5
        #expect(throws: InputError.self) { try job.run { _ in } }
    }
}
