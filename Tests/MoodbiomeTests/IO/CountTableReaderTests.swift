import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

@Suite("Reading count tables")
struct CountTableReaderTests {
    @Test func readsVeganLayoutWithQuotedHeader() throws {
        let table = try #require(referenceTables["bci"])
        #expect(table.sampleCount == 50)
        #expect(table.taxonCount == 225)
        #expect(table.isIntegral)
        #expect(table.sampleIDs.first == "1")
        #expect(table.taxonIDs.first == "Abarema.macradenia")
        #expect(table.sampleTotals[0] == 448)  // BCI plot 1 has 448 trees (vegan: rowSums(BCI)[1])
    }

    @Test func readsQIIMEFeatureTableWithoutFlags() throws {
        let table = try #require(referenceTables["globalpatterns"])
        #expect(table.sampleCount == 26)
        #expect(table.taxonCount == 19216)
        #expect(table.sampleIDs.prefix(3) == ["CL3", "CC1", "SV1"])
        #expect(table.taxonIDs.first == "549322")
        #expect(table.value(taxon: 0, sample: 14) == 130)  // OTU 549322 in AQC7cm
    }

    @Test func biomTSVWithFloatsAndTaxonomyColumn() throws {
        let text = "# Constructed from biom file\n#OTU ID\tS1\tS2\ttaxonomy\nO1\t10.0\t0.0\tk__Bacteria; p__Firmicutes\nO2\t3.0\t7.0\tk__Bacteria; p__Bacteroidetes\n"
        let table = try CountTable.read(temporaryFile("t.tsv", text))
        #expect(table.sampleIDs == ["S1", "S2"])
        #expect(table.taxonIDs == ["O1", "O2"])
        #expect(table.denseMatrix().storage == [10, 3, 0, 7])
        #expect(table.isIntegral)
        #expect(table.taxonomy == ["k__Bacteria; p__Firmicutes", "k__Bacteria; p__Bacteroidetes"])
    }

    /// The metadata's IDs orient a CSV/TSV table in the same read: the side
    /// naming more of them holds the samples, and the table says so.
    @Test func metadataSampleIDsOrientTheTableInOneRead() throws {
        let path = temporaryFile("taxa-rows.csv", "taxon,s1,s2,s3\nA,1,0,2\nB,0,3,1\n")
        var options = CountTableReadOptions()
        options.metadataSampleIDs = ["s1", "s2", "s3", "s9"]
        let table = try CountTable.read(path, options: options)
        #expect(table.sampleIDs == ["s1", "s2", "s3"] && table.taxonIDs == ["A", "B"])
        #expect(table.value(taxon: 1, sample: 1) == 3)
        #expect(table.origin?.orientationChoice == OrientationChoice(orientation: .columns, rowsMatched: 0, columnsMatched: 3, usual: .rows))
        #expect(table.origin?.orientationChoice?.isNotable == true)
        // The usual reading confirmed: recorded, not notable.
        options.metadataSampleIDs = ["A", "B"]
        let usual = try CountTable.read(path, options: options)
        #expect(usual.sampleIDs == ["A", "B"] && usual.origin?.orientationChoice?.isNotable == false)
        // As many on both sides, or an orientation given: the usual rules.
        options.metadataSampleIDs = ["A", "s1"]
        #expect(try CountTable.read(path, options: options).origin?.orientationChoice == nil)
        options.metadataSampleIDs = ["s1", "s2", "s3"]
        options.orientation = .rows
        let given = try CountTable.read(path, options: options)
        #expect(given.sampleIDs == ["A", "B"] && given.origin?.orientationChoice == nil)
    }

    @Test func bomCRLFCommentsQuotesAndTrailingBlankLines() throws {
        let text = "\u{FEFF}# exported by a spreadsheet\r\n# second comment\r\n\"sample\",\"taxon, A\",\"taxon \"\"B\"\"\"\r\n\"s,1\",1,2\r\ns2,\"3\",4\r\n\r\n\r\n"
        let table = try CountTable.read(temporaryFile("t.csv", text))
        #expect(table.sampleIDs == ["s,1", "s2"])
        #expect(table.taxonIDs == ["taxon, A", "taxon \"B\""])
        #expect(table.denseMatrix().storage == [1, 2, 3, 4])
    }

    @Test func quotedFieldMaySpanLinesButNotInAnID() throws {
        // A line break inside a quoted ID is a control character in a name: refused where it is.
        let text = "id,a,b\n\"multi\nline\",1,2\nx,3,oops\n"
        let error = try #require(throws: InputError.self) { try CountTable.read(temporaryFile("t.csv", text)) }
        #expect(error.line == 2 && error.column == 1)
        #expect(error.problem == "the sample ID 'multi�line' holds a control character (U+000A)")
        // In a metadata text cell it is allowed, and later lines keep their numbers.
        let meta = "id,desc,x\ns1,\"two\nlines\",1\ns2,ok\n"
        let ragged = try #require(throws: InputError.self) { try DataTable.read(temporaryFile("m.csv", meta)) }
        #expect(ragged.line == 4)
    }

    @Test(arguments: [
        ("id,a,b\ns\u{0}1,1,2\n", "t.csv:2:1: the sample ID 's�1' holds a control character (U+0000)"),
        ("id,a,b\n\u{FEFF}s1,1,2\n", "t.csv:2:1: the sample ID '�s1' holds a byte-order mark (U+FEFF), which belongs only at the very start of a file"),
        ("id,a,b\u{1B}[2J\ns1,1,2\n", "t.csv:1:3: the column name 'b�[2J' holds a control character (U+001B)"),
    ])
    func namesWithControlsOrBOMsAreRefused(text: String, expected: String) throws {
        let path = temporaryFile("t.csv", text)
        #expect { try CountTable.read(path) } throws: { message($0).replacingOccurrences(of: path, with: "t.csv").hasPrefix(expected) }
    }

    @Test func invalidUTF8AndPaddedNamesFollowOneRule() throws {
        var bytes = Array("id,a,b\ns".utf8)
        bytes += [0xFF]
        bytes += Array("1,1,2\n".utf8)
        let path = temporaryDirectory() + "/t.csv"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect { try CountTable.read(path) } throws: { message($0) == path + ":2:1: the sample ID is not valid UTF-8 text (byte 0xFF at position 2 of the name). Save the file as UTF-8" }
        // `a` and `a ` are one name, as in metadata: a duplicate.
        let padded = temporaryFile("p.csv", "id,a,a \ns1,1,2\n")
        #expect { try CountTable.read(padded) } throws: { message($0).contains("duplicate taxon ID 'a'") }
        // Counts above 2^53 are refused, not rounded.
        let big = temporaryFile("b.csv", "id,a,b\ns1,9007199254740993,2\n")
        #expect { try CountTable.read(big) } throws: { message($0).contains("'9007199254740993' is above 2^53") }
        let fine = try CountTable.read(temporaryFile("f.csv", "id,a,b\ns1,9007199254740992,2\n"))
        #expect(fine.values[0] == 9007199254740992)
    }

    @Test func orientationOption() throws {
        let text = "taxon,s1,s2,s3\nA,1,0,5\nB,2,3,0\n"
        let path = temporaryFile("t.csv", text)
        let table = try CountTable.read(path, options: .init(orientation: .columns))
        #expect(table.sampleIDs == ["s1", "s2", "s3"])
        #expect(table.abundances(ofSample: 2) == [5, 0])
        let rows = try CountTable.read(path)
        #expect(rows.sampleIDs == ["A", "B"])
    }

    @Test func sniffsDelimiterOfUnknownExtension() throws {
        let table = try CountTable.read(temporaryFile("t.txt", "id\ta\tb\ns1\t1\t2\n"))
        #expect(table.taxonIDs == ["a", "b"])
        let csv = try CountTable.read(temporaryFile("t.dat", "id,a,b\ns1,1,2\n"))
        #expect(csv.taxonIDs == ["a", "b"])
    }

    @Test func relativeAbundancesAreNonIntegral() throws {
        let table = try CountTable.read(temporaryFile("t.csv", "id,a,b\ns1,0.25,75.5\ns2,1e2,0\n"))
        #expect(!table.isIntegral)
        #expect(table.denseMatrix().storage == [0.25, 75.5, 100, 0])
    }

    @Test func parallelParseEqualsSequentialOnALargeTable() throws {
        // 400 samples × 300 taxa: many chunks, checked cell by cell.
        var text = "id," + (0..<300).map { "t\($0)" }.joined(separator: ",") + "\n"
        for s in 0..<400 {
            text += "s\(s)," + (0..<300).map { t in String((s * 31 + t * 17) % 13 == 0 ? (s + t) : 0) }.joined(separator: ",") + "\n"
        }
        let table = try CountTable.read(temporaryFile("big.csv", text))
        for s in 0..<400 {
            for t in 0..<300 {
                let expected = Double((s * 31 + t * 17) % 13 == 0 ? (s + t) : 0)
                if table.value(taxon: t, sample: s) != expected { Issue.record("cell \(s),\(t)"); return }
            }
        }
    }

    /// 1,200 taxa as rows × 60 samples: the taxon blocks turned into
    /// sample-major columns on all cores, and taxa selected in and out of
    /// order, checked cell by cell and for each sample's taxa in order.
    @Test func taxaAsRowsAndSelectedTaxaOnAllCores() throws {
        let cell = { (t: Int, s: Int) in (s * 7 + t * 11) % 5 == 0 ? Double(s + 2 * t + 1) : 0 }
        var text = "taxon," + (0..<60).map { "s\($0)" }.joined(separator: ",") + "\n"
        for t in 0..<1200 { text += "t\(t)," + (0..<60).map { s in String(Int(cell(t, s))) }.joined(separator: ",") + "\n" }
        let table = try CountTable.read(temporaryFile("rows.csv", text), options: .init(orientation: .columns))
        func expectOrdered(_ table: CountTable) {
            for j in 0..<table.sampleCount {
                let taxa = table.range(ofSample: j).map { table.taxonIndices[$0] }
                if zip(taxa, taxa.dropFirst()).contains(where: { $0 >= $1 }) { Issue.record("sample \(j) out of order") }
            }
        }
        expectOrdered(table)
        #expect(table.nonZeroCount == (0..<1200).reduce(0) { n, t in n + (0..<60).filter { cell(t, $0) != 0 }.count })
        for s in 0..<60 { for t in 0..<1200 where table.value(taxon: t, sample: s) != cell(t, s) { Issue.record("cell \(t),\(s)"); return } }
        var random = Xoshiro256StarStar(seed: 3)
        let increasing = (0..<1200).filter { $0 % 3 != 1 }
        var shuffled = increasing
        for i in stride(from: shuffled.count - 1, to: 0, by: -1) { shuffled.swapAt(i, Int(random.next() % UInt64(i + 1))) }
        for picked in [increasing, shuffled] {
            let selected = table.selectingTaxa(picked)
            expectOrdered(selected)
            #expect(selected.taxonIDs == picked.map { "t\($0)" })
            for s in 0..<60 {
                for (n, t) in picked.enumerated() where selected.value(taxon: n, sample: s) != cell(t, s) { Issue.record("selected \(t),\(s)"); return }
            }
        }
    }

    /// A file of more than 1 MiB without quotes is split into lines on all
    /// cores: the same records, ends and line numbers as the sequential scan
    /// (which a single quoted ID forces), with CRLF, blank lines and a last
    /// line without a newline; a bad cell is reported on its own line.
    @Test func linesOfALargeFileOnAllCoresAreTheSequentialScan() throws {
        var text = "# a comment\r\nfunction\tA\tB\tC\r\n"
        for r in 0..<70_000 {
            let ending: String = r % 1000 == 7 ? "\r\n\r\n" : r % 5 == 0 ? "\r\n" : "\n"
            text += "K\(r)\t\(r % 7)\t0\t\(r % 3).25" + ending
        }
        text += "K_last\t1\t2\t3"
        #expect(text.utf8.count > 1 << 20)
        let plain = try DelimitedText(path: temporaryFile("lines.tsv", text))
        let quoted = try DelimitedText(path: temporaryFile("quoted.tsv", text.replacingOccurrences(of: "K_last", with: "\"K_last\"")))
        #expect(plain.header == ["function", "A", "B", "C"] && plain.headerLine == 2)
        #expect(plain.recordCount == 70_001 && plain.recordLines == quoted.recordLines)
        #expect(plain.recordStarts == quoted.recordStarts)
        #expect(Array(plain.recordEnds.dropLast()) == Array(quoted.recordEnds.dropLast()))
        #expect(plain.recordLines.last == 70_000 + 70 + 3)
        let bad = text.replacingOccurrences(of: "\nK45678\t", with: "\nK45678\t-")
        #expect(throws: InputError.self) { try FunctionalProfile.read(paths: [temporaryFile("bad.tsv", bad)]) }
        do { _ = try FunctionalProfile.read(paths: [temporaryFile("bad.tsv", bad)]) } catch let error as InputError {
            #expect(error.line == plain.recordLines[45678] && error.column == 2)
        }
    }

    /// The same file read as rows, never transposed: each row's non-zeros
    /// as the file lists them; rows kept out of order share the arrays; the
    /// rows turned into columns are the table `read` gives, array for array.
    @Test func readAsRowsKeptAndTurnedIntoColumns() throws {
        let cell = { (t: Int, s: Int) in (s * 5 + t * 3) % 4 == 0 ? Double(s + 3 * t + 1) / 4 : 0 }
        var text = "function\t" + (0..<70).map { "s\($0)" }.joined(separator: "\t") + "\n"
        for t in 0..<900 { text += "K\(t)\t" + (0..<70).map { s in "\(cell(t, s))" }.joined(separator: "\t") + "\n" }
        let path = temporaryFile("rows.tsv", text)
        let rows = try CountTable.readRows(DelimitedText(path: path), options: .init(orientation: .columns))
        let rowIDs: [String] = (0..<900).map { "K\($0)" }, columnIDs: [String] = (0..<70).map { "s\($0)" }
        #expect(rows.rowIDs == rowIDs && rows.columnIDs == columnIDs && !rows.isIntegral)
        for t in [0, 1, 451, 899] {
            #expect(rows.range(ofRow: t).map { Int(rows.columnIndices[$0]) } == (0..<70).filter { cell(t, $0) != 0 })
            #expect(rows.range(ofRow: t).map { rows.values[$0] } == (0..<70).map { cell(t, $0) }.filter { $0 != 0 })
        }
        let table = try CountTable.read(path, options: .init(orientation: .columns))
        let columns = rows.countTable(source: path)
        #expect(columns.columnStarts == table.columnStarts && columns.taxonIndices == table.taxonIndices && columns.values == table.values)
        let picked = [898, 3, 450, 0]
        let kept = rows.keeping(picked)
        #expect(kept.rowIDs == picked.map { "K\($0)" } && kept.nonZeroCount == picked.reduce(0) { $0 + rows.range(ofRow: $1).count })
        #expect(kept.values.withUnsafeBufferPointer { $0.baseAddress } == rows.values.withUnsafeBufferPointer { $0.baseAddress }, "shared")
        let keptTable = kept.countTable(source: path), selected = table.selectingTaxa(picked)
        for j in 0..<70 { for n in 0..<4 where keptTable.value(taxon: n, sample: j) != selected.value(taxon: n, sample: j) { Issue.record("\(n),\(j)") } }
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let line: Int?
        let column: Int?
        let mentions: String
        var testDescription: String { name }
    }

    static let badInputs: [BadInput] = [
        .init(name: "negative count", text: "id,a,b\ns1,1,2\ns2,-3,4\n", line: 3, column: 2, mentions: "negative"),
        .init(name: "non-numeric cell", text: "id,a,b\ns1,1,two\n", line: 2, column: 3, mentions: "'two' is not a number"),
        .init(name: "NaN", text: "id,a,b\ns1,NaN,2\n", line: 2, column: 2, mentions: "not a finite number"),
        .init(name: "Inf", text: "id,a,b\ns1,1,inf\n", line: 2, column: 3, mentions: "not a finite number"),
        .init(name: "NA", text: "id,a,b\ns1,1,NA\n", line: 2, column: 3, mentions: "missing value"),
        .init(name: "empty cell", text: "id,a,b\ns1,,2\n", line: 2, column: 2, mentions: "empty cell"),
        .init(name: "short row", text: "id,a,b,c\ns1,1,2,3\ns2,1,2\n", line: 3, column: 3, mentions: "3 fields but the header (line 1) has 4"),
        .init(name: "long row", text: "id,a,b\ns1,1,2,3\n", line: 2, column: 4, mentions: "4 fields but the header (line 1) has 3"),
        .init(name: "duplicate sample", text: "id,a,b\ns1,1,2\ns2,1,2\ns1,0,0\n", line: 4, column: 1, mentions: "duplicate sample ID 's1' (first seen at line 2)"),
        .init(name: "duplicate taxon", text: "id,a,b,a\ns1,1,2,3\n", line: 1, column: nil, mentions: "duplicate taxon ID 'a'"),
        .init(name: "header only", text: "id,a,b\n", line: 1, column: nil, mentions: "no data rows"),
        .init(name: "empty file", text: "", line: nil, column: nil, mentions: "the file is empty"),
        .init(name: "only comments", text: "# nothing\n\n", line: nil, column: nil, mentions: "the file is empty"),
        .init(name: "no taxon columns", text: "id\ns1\n", line: 1, column: nil, mentions: "no taxon columns"),
        .init(name: "unclosed quote", text: "id,a\n\"s1,1\ns2,3\n", line: 2, column: nil, mentions: "never closed"),
        .init(name: "empty sample ID", text: "id,a\n,1\n", line: 2, column: 1, mentions: "empty sample ID"),
    ]

    @Test(arguments: badInputs)
    func badInputGivesLocatedError(_ bad: BadInput) throws {
        let path = temporaryFile("bad.csv", bad.text)
        let error = try #require(throws: InputError.self) { try CountTable.read(path) }
        #expect(error.file == path)
        #expect(error.line == bad.line)
        if let column = bad.column { #expect(error.column == column) }
        #expect(error.description.contains(bad.mentions), "\(error.description)")
        #expect(error.fix != nil || bad.line == nil || error.description.contains("."))
    }

    @Test func missingFileAndDirectory() throws {
        let missing = try #require(throws: InputError.self) { try CountTable.read("/nonexistent/table.csv") }
        #expect(missing.description.contains("no such file"))
        let directory = try #require(throws: InputError.self) { try CountTable.read(temporaryDirectory()) }
        #expect(directory.description.contains("directory"))
    }

    @Test func cellErrorNamesTheColumnHeader() throws {
        let error = try #require(throws: InputError.self) {
            try CountTable.read(temporaryFile("t.csv", "id,Bacteroides,Prevotella\ns1,1,x\n"))
        }
        #expect(error.columnName == "Prevotella")
        #expect(message(error).hasSuffix("Only numbers may follow the ID column; check --samples-in and that metadata columns are in a separate file"))
    }
}
