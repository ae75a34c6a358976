import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

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
        #expect { try job.run { _ in } } throws: { message($0) == input + ":2:2: negative abundance -1; abundances must be ≥ 0 (column 'a'). Correct the value; counts and relative abundances cannot be negative" }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["bad.csv"])
        #expect(try String(contentsOfFile: input, encoding: .utf8) == "id,a\ns1,-1\n")
    }

    @Test func rarefactionWithoutSeedReportsTheSeedItDrew() throws {
        var job = DiversityRun(tablePath: datasetPath("vegan-bci/BCI_counts.csv"))
        job.rarefactionDepth = 300
        job.spelling = commandLineSpelling
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
        #expect(throws: ParameterError(.iterations, .onlyFor(.rarefaction))) { try job.run { _ in } }
        #expect(message(ParameterError(.iterations, .onlyFor(.rarefaction))) == "--iterations: only applies to rarefaction. Add --rarefy DEPTH")
        job.iterations = 1
        job.seed = 3
        #expect(throws: ParameterError(.seed, .onlyFor(.rarefaction))) { try job.run { _ in } }
    }
}
