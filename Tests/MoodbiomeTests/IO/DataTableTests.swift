import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

@Suite struct DataTableTests {
    @Test func readsQiimeMetadataWithTypesAndComments() throws {
        let path = temporaryFile("metadata.tsv", """
        # a comment line, before the header
        #SampleID\tsubject\tphq9\tsex
        #q2:types\tcategorical\tnumeric\tcategorical
        S1\t101\t12\tF
        S2\t102\tNA\tM

        """)
        let t = try DataTable.read(path)
        #expect(t.idColumnName == "SampleID")
        #expect(t.ids == ["S1", "S2"])
        #expect(t.columnNames == ["subject", "phq9", "sex"])
        #expect(t["subject"]?.kind == .categorical)   // declared, though numeric-looking
        #expect(t["phq9"]?.kind == .numeric)
        #expect(t.line(ofRow: 1) == 5)
    }

    /// Only lines before the header are comments: a row whose ID starts
    /// with `#` is data, and a comment line below the header is an error
    /// that says so (never a silently dropped row).
    @Test func hashRowsAfterTheHeaderAreData() throws {
        let t = try DataTable.read(temporaryFile("m.csv", "id,score\n#7,3\nS2,4\n"))
        #expect(t.ids == ["#7", "S2"])
        let bad = temporaryFile("m.csv", "id,score\n# note\nS2,4\n")
        #expect { try DataTable.read(bad) } throws: {
            message($0) == bad + ":2:1: a line starting with '#' after the header is read as a data row, and this one has 1 field where the header has 2. Move comment lines above the header; only a #q2:types row may follow it"
        }
    }

    @Test func idColumnCanBeNamed() throws {
        let path = temporaryFile("m.csv", "visit,participant,score\n1,P1,3\n1,P2,4\n")
        let t = try DataTable.read(path, idColumn: "participant")
        #expect(t.ids == ["P1", "P2"] && t.columnNames == ["visit", "score"])
        #expect {
            try DataTable.read(path, idColumn: "subject")
        } throws: { message($0).contains("no column named 'subject'") && message($0).contains("visit, participant, score") }
    }

    @Test(arguments: [
        ("id,a\nS1,1\nS1,2\n", "m.csv:3:1: ID 'S1' appears twice (lines 2 and 3)"),
        ("id,a,b\nS1,1,2\nS2,1\n", "m.csv:3:2: this row has 2 fields but the header has 3"),
        ("id,a,a\nS1,1,2\n", "column name 'a' appears twice"),
        ("id,a\n,1\n", "empty ID"),
        ("id,a\n", "no data rows"),
        ("id,a\n#q2:types,number\nS1,1\n", "unknown column type 'number'"),
    ])
    func badMetadataIsLocated(_ text: String, _ expected: String) {
        let path = temporaryFile("m.csv", text)
        #expect {
            try DataTable.read(path)
        } throws: { message($0).contains(expected) }
    }
}
