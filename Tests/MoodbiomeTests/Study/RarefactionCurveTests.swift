import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

@Suite struct RarefactionCurveTests {
    @Test func curvesAreSeededAndStopAtEachSamplesDepth() throws {
        let table = temporaryFile("c.csv", "id,a,b,c,d\nS1,50,30,15,5\nS2,10,10,0,0\nS3,200,100,50,25\n")
        var outputs = [String]()
        for _ in 0..<2 {
            let dir = temporaryDirectory()
            var job = RarefactionCurveRun(tablePath: table, outputDirectory: dir)
            job.depths = [5, 20, 100, 300]
            job.chosenDepth = 20
            job.iterations = 3
            job.seed = 9
            var notes = [String]()
            let files = try job.run { notes.append($0) }
            #expect(files == ["rarefaction-curves.csv", "rarefaction-observed_features.svg", "rarefaction-shannon.svg", "captions.md", "provenance.json"])
            #expect(notes == [])
            let legends = try String(contentsOfFile: dir + "/captions.md", encoding: .utf8)
            #expect(legends.contains("## rarefaction-shannon.svg\n\n**Rarefaction curves: shannon.** ") && legends.contains("Dashed line: the chosen depth 20;"))
            outputs.append(try String(contentsOfFile: dir + "/rarefaction-curves.csv", encoding: .utf8))
            let svg = try String(contentsOfFile: dir + "/rarefaction-shannon.svg", encoding: .utf8)
            #expect(isWellFormedXML(svg) && svg.contains("chosen depth 20"))
        }
        #expect(outputs[0] == outputs[1])
        let lines = outputs[0].split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        // S1 (100 reads) reaches 100, S2 (20 reads) stops at 20, S3 (375) reaches 300.
        #expect(lines.filter { $0[0] == "S1" }.map { $0[1] } == ["5", "20", "100"])
        #expect(lines.filter { $0[0] == "S2" }.map { $0[1] } == ["5", "20"])
        #expect(lines.filter { $0[0] == "S3" }.map { $0[1] } == ["5", "20", "100", "300"])
        // At its full depth a sample's richness is its observed richness.
        #expect(lines.first { $0[0] == "S2" && $0[1] == "20" }![2] == "2")
    }

    /// `--figure-formats pdf,png`: each curve figure's exports follow it,
    /// and a rerun over them (with --force) replaces the whole directory.
    @Test func curveFiguresAreExported() throws {
        let table = temporaryFile("c.csv", "id,a,b,c,d\nS1,50,30,15,5\nS2,10,10,0,0\n")
        let dir = temporaryDirectory() + "/curves"
        var job = RarefactionCurveRun(tablePath: table, outputDirectory: dir)
        job.metrics = "shannon"
        job.depths = [5, 20]
        job.figureExport = FigureExportSettings(formats: [.png, .pdf], dpi: 72)
        #expect(try job.run { _ in } == ["rarefaction-curves.csv", "rarefaction-shannon.svg", "rarefaction-shannon.pdf", "rarefaction-shannon.png", "captions.md", "provenance.json"])
        let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/rarefaction-shannon.png")))
        let svg = try String(contentsOfFile: dir + "/rarefaction-shannon.svg", encoding: .utf8)
        #expect(png == (try FigureExport.png(svg: svg, dpi: 72, name: "x")))
        job.overwrite = true
        job.figureExport = FigureExportSettings()
        #expect(try job.run { _ in } == ["rarefaction-curves.csv", "rarefaction-shannon.svg", "captions.md", "provenance.json"])
        #expect(try OutputDirectory.files(in: dir) == ["captions.md", "provenance.json", "rarefaction-curves.csv", "rarefaction-shannon.svg"])
    }
}
