import Foundation
import Testing
@testable import Moodbiome

@Suite struct CohortTableTests {
    @Test func describesByGroupWithTheRightTests() throws {
        let data = table([
            ("age", ["30", "40", "50", "35", "45", "NA", "60", "20"]),
            ("sex", ["F", "M", "F", "F", "M", "M", "F", "M"]),
            ("band", ["mild", "minimal", "mild", "moderate", "minimal", "mild", "moderate", "NA"]),
        ])
        var t = CohortTable(data: data)
        t.groupBy = "band"
        let (built, notes) = try t.build()
        // Bands in their scale's order, not alphabetical.
        #expect(built.columns == ["Characteristic", "Overall (n = 8)", "minimal (n = 2)", "mild (n = 3)", "moderate (n = 2)", "p", "Test"])
        let rows = built.rows.map { $0.map { cell -> String in if case .text(let s) = cell { return s } else { return "" } } }
        // age: overall mean of 7 values = 40, SD = 13.229…
        #expect(rows[0][0] == "age, mean ± SD" && rows[0][1] == "40 ± 13.2")
        let anova = GroupComparison.oneWayANOVA([[40, 45], [30, 50], [35, 60]])
        #expect(rows[0][5] == humanPValue(anova.pValue) && rows[0][6] == "one-way ANOVA")
        #expect(rows[1] == ["  missing", "1", "0", "1", "0", "", ""])
        #expect(rows[2][0] == "sex, n (%)" && rows[2][6] == "Pearson chi-squared test")
        #expect(rows[3] == ["  F", "4 (50.0%)", "0 (0.0%)", "2 (66.7%)", "2 (100.0%)", "", ""])
        #expect(notes.contains("1 rows with no band appear in the Overall column only."))
    }

    @Test func mediansUseRankTests() throws {
        let data = table([("x", ["1", "2", "3", "4", "10", "20"]), ("g", ["a", "a", "a", "b", "b", "b"])])
        var t = CohortTable(data: data)
        t.groupBy = "g"
        t.skewed = ["x"]
        let row = try t.build().table.rows[0].map { cell -> String in if case .text(let s) = cell { return s } else { return "" } }
        #expect(row[0] == "x, median [IQR]" && row[1] == "3.50 [2.25–8.50]" && row[2] == "2 [1.50–2.50]")
        #expect(row[4] == humanPValue(GroupComparison.mannWhitneyU([1, 2, 3], [4, 10, 20]).pValue) && row[5] == "Mann-Whitney U test")
    }
}

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
            #expect(files == ["rarefaction-curves.csv", "rarefaction-observed_features.svg", "rarefaction-shannon.svg"])
            #expect(notes == [])
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
}
