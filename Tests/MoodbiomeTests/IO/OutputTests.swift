import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

@Suite("Writing results")
struct OutputTests {
    let table = TextTable(columns: ["sample_id", "shannon"], rows: [
        [.text("a,b"), .number(1.5)], [.text("c|d"), .number(.nan)], [.text("e\"f"), .number(2)],
    ])

    @Test func csvQuotesAndNA() {
        #expect(table.rendered(as: .csv) == "sample_id,shannon\n\"a,b\",1.5\nc|d,NA\n\"e\"\"f\",2\n")
    }

    @Test func markdownEscapesPipesAndRoundsForReading() {
        #expect(table.rendered(as: .markdown) == "| sample_id | shannon |\n| --- | ---: |\n| a,b | 1.50 |\n| c\\|d | NA |\n| e\"f | 2 |\n")
        #expect(table.rendered(as: .markdown, numbers: .roundTrip).contains("| a,b | 1.5 |"))
    }

    /// Model tables for people: estimates with intervals, p-values as `< 0.001`.
    let model = TextTable(columns: ["term", "estimate", "std_error", "p_value", "conf_low", "conf_high"], rows: [
        [.text("shan_non & <b>"), .number(-0.8959674), .number(0.3230302), .number(0.00591), .number(-1.532), .number(-0.26)],
        [.text("age"), .number(0.0123456), .number(0.001), .number(1e-9), .number(0.0104), .number(0.0143)],
    ])

    @Test func latexBooktabsEscapes() {
        #expect(model.rendered(as: .latex) == """
        % requires \\usepackage{booktabs}
        \\begin{tabular}{lrrr}
        \\toprule
        term & estimate (CI) & std\\_error & p\\_value \\\\
        \\midrule
        shan\\_non \\& $<$b$>$ & -0.896 (-1.53 to -0.260) & 0.323 & 0.0059 \\\\
        age & 0.0123 (0.0104 to 0.0143) & 0.00100 & $<$ 0.001 \\\\
        \\bottomrule
        \\end{tabular}

        """)
    }

    @Test func htmlEscapesEverything() {
        let html = model.rendered(as: .html)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<td>shan_non &amp; &lt;b&gt;</td>"))
        #expect(html.contains("<td class=\"num\">&lt; 0.001</td>"))
        #expect(!html.contains("<b>"))
    }

    @Test func jsonUsesNullForNA() {
        #expect(table.rendered(as: .json) == "[\n  {\"sample_id\": \"a,b\", \"shannon\": 1.5},\n  {\"sample_id\": \"c|d\", \"shannon\": null},\n  {\"sample_id\": \"e\\\"f\", \"shannon\": 2}\n]\n")
    }

    @Test(arguments: [0.1, 1.0 / 3.0, 4.018411662232362, 1e-300, 123456789.123, 6.02214076e23])
    func roundTripPrecision(_ x: Double) {
        #expect(Double(NumberStyle.roundTrip.format(x)) == x)
    }

    @Test func significantDigits() {
        #expect(NumberStyle.significantDigits(3).format(4.018411662232362) == "4.02")
        #expect(NumberStyle.significantDigits(3).format(.infinity) == "Inf")
    }

    @Test func formatFromExtensionAndConflicts() throws {
        #expect(try TableFormat.resolve(requested: nil, outputPath: "x/alpha.md") == .markdown)
        #expect(try TableFormat.resolve(requested: nil, outputPath: "alpha.tsv") == .tsv)
        #expect(try TableFormat.resolve(requested: nil, outputPath: nil) == .csv)
        #expect(try TableFormat.resolve(requested: .json, outputPath: nil) == .json)
        #expect(throws: ParameterError(.format, .disagrees(value: "json", with: "a.csv"))) {
            try TableFormat.resolve(requested: .json, outputPath: "a.csv")
        }
        #expect(TableFormat(name: "xlsx") == nil)
        #expect(TableFormat.allCases.allSatisfy { TableFormat(name: $0.fileExtension) == $0 })
    }

    @Test func atomicWriteRefusesToOverwriteWithoutForce() throws {
        let path = temporaryDirectory() + "/out.csv"
        try writeFileAtomically("one\n", to: path, overwrite: false)
        #expect { try writeFileAtomically("two\n", to: path, overwrite: false) } throws: {
            message($0) == path + ": the output file already exists. Pass --force to replace it, or choose another name"
                && ($0 as? OutputError)?.worded(StudyManifest.spelling.spell) == path + ": the output file already exists. Pass overwrite to replace it, or choose another name"
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "one\n")
        try writeFileAtomically("two\n", to: path, overwrite: true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(leftovers == ["out.csv"])
    }
}

@Suite("Spreadsheet formula guard")
struct FormulaGuardTests {
    /// Off by default (the data exactly); on request, text cells that start
    /// with = + - @ get a leading ', and numbers, negative ones included, never.
    @Test func guardsTextCellsOnly() {
        let table = TextTable(columns: ["id", "=cmd"], rows: [[.text("=HYPERLINK(\"x\")"), .number(-1.5)], [.text("-0.25"), .text("+x")], [.text("@SUM(A1)"), .text("ok")]])
        #expect(table.csv() == "id,=cmd\n\"=HYPERLINK(\"\"x\"\")\",-1.5\n-0.25,+x\n@SUM(A1),ok\n")
        #expect(table.csv(guardFormulas: true) == "id,'=cmd\n\"'=HYPERLINK(\"\"x\"\")\",-1.5\n-0.25,'+x\n'@SUM(A1),ok\n")
    }
}
