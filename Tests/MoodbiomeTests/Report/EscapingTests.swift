import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

/// A tag glued to a prepended mark (U+0600 before `<`) and a combining mark
/// (U+0301 after `>`): as `Character`s, neither `<` nor `>` stands alone.
let gluedTag = "\u{0600}<img src=x onerror=alert(1)>\u{0301}"

/// A study whose sample IDs, a column name, covariate levels and group
/// levels carry the glued tag.
func gluedStudy() -> (counts: String, metadata: String) {
    let dir = temporaryDirectory()
    var counts = "sample_id,Bacteroides,Prevotella,Roseburia\n"
    var metadata = "sample-id,score,\"\(gluedTag)\",group\n"
    let rows = [[50, 10, 0], [20, 20, 20], [5, 40, 1], [30, 0, 12], [12, 12, 30], [60, 1, 0], [9, 25, 9], [15, 15, 2]]
    for (k, row) in rows.enumerated() {
        let id = k == 0 ? gluedTag : "S\(k)"
        counts += "\"\(id)\"," + row.map(String.init).joined(separator: ",") + "\n"
        if k > 0 { metadata += "S\(k),\(3 + k % 4 + k / 3),\"\(k % 2 == 0 ? gluedTag : "plain")\",\"\(k % 3 == 0 ? gluedTag : "g")\"\n" }
    }
    try! counts.write(toFile: dir + "/counts.csv", atomically: false, encoding: .utf8)
    try! metadata.write(toFile: dir + "/metadata.csv", atomically: false, encoding: .utf8)
    return (dir + "/counts.csv", dir + "/metadata.csv")
}

@Suite("Escaping by Unicode scalars")
struct EscapingTests {
    @Test func everyEscaperWorksOnScalars() {
        #expect(Escape.html(gluedTag) == "\u{0600}&lt;img src=x onerror=alert(1)&gt;\u{0301}")
        #expect(Escape.html("a\u{0301}\"b") == "a\u{0301}&quot;b")
        #expect(Escape.html("x\u{1}y") == "x\u{FFFD}y")   // XML forbids C0 controls
        #expect(Escape.latex("\u{0600}_\u{0301}&") == "\u{0600}\\_\u{0301}\\&")
        #expect(Escape.markdown("\u{0600}<img>|x") == "\u{0600}&lt;img>\\|x")
        #expect(Escape.markdown("< 0.001") == "< 0.001")
        #expect(Escape.terminal("id\u{1B}]0;pwned\u{7}") == "id\\u{1b}]0;pwned\\u{7}")
        #expect(Escape.terminal("a\u{202E}b") == "a\\u{202e}b")
    }

    /// The report, its SVG figures and every table: no live tag, and the
    /// SVGs stay well-formed XML, whatever marks surround the markup.
    @Test func gluedMarkupNeverBecomesATag() throws {
        let (counts, metadata) = gluedStudy()
        let out = temporaryDirectory() + "/out"
        var job = StudyAnalysis(countsPath: counts, metadataPath: metadata, outcome: "score", outputDirectory: out)
        job.association.covariates = [gluedTag]
        job.association.groupBy = "group"
        job.diversity.metrics = "shannon,observed_features"
        job.tableFormat = .html
        let result = try job.run { _ in }
        #expect(result.onlyInCounts == [gluedTag])
        for file in result.files {
            #expect(!file.text.contains("<img"), "\(file.name) holds a live tag")
            if file.name.hasSuffix(".svg") {
                #expect(XMLParser(data: Data(file.text.utf8)).parse(), "\(file.name) is not well-formed")
            }
        }
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("\u{0600}&lt;img src=x onerror=alert(1)&gt;\u{0301}"))
    }

    @Test func htmlTablesOfEveryCommandEscape() throws {
        let (counts, metadata) = gluedStudy()
        var diversity = DiversityRun(tablePath: counts)
        diversity.format = .html
        #expect(try diversity.run { _ in }?.contains("<img") == false)
        var describe = DescribeRun(dataPath: metadata)
        describe.format = .html
        describe.groupBy = "group"
        #expect(try describe.run { _ in }?.contains("<img") == false)
        var regress = RegressionRun(dataPath: metadata, formula: "score ~ C(group)")
        regress.format = .html
        let regressHTML = try #require(try regress.run { _ in })
        #expect(!regressHTML.contains("<img") && regressHTML.contains("&lt;img"))
        var latex = DescribeRun(dataPath: metadata)
        latex.format = .latex
        latex.groupBy = "group"
        #expect(try latex.run { _ in }?.contains("$<$img") == true)
        var markdown = DescribeRun(dataPath: metadata)
        markdown.groupBy = "group"
        #expect(try markdown.run { _ in }?.contains("<img") == false)
    }
}
