import Foundation
import Testing
@testable import Moodbiome

@Suite struct DataTableTests {
    @Test func readsQiimeMetadataWithTypesAndComments() throws {
        let path = temporaryFile("metadata.tsv", """
        #SampleID\tsubject\tphq9\tsex
        #q2:types\tcategorical\tnumeric\tcategorical
        # a comment line
        S1\t101\t12\tF
        S2\t102\tNA\tM

        """)
        let t = try DataTable.read(path)
        #expect(t.idColumnName == "SampleID")
        #expect(t.ids == ["S1", "S2"])
        #expect(t.columnNames == ["subject", "phq9", "sex"])
        #expect(t.kind(of: "subject") == .categorical)   // declared, though numeric-looking
        #expect(t.kind(of: "phq9") == .numeric)
        #expect(t.line(ofRow: 1) == 5)
    }

    @Test func idColumnCanBeNamed() throws {
        let path = temporaryFile("m.csv", "visit,participant,score\n1,P1,3\n1,P2,4\n")
        let t = try DataTable.read(path, idColumn: "participant")
        #expect(t.ids == ["P1", "P2"] && t.columnNames == ["visit", "score"])
        #expect {
            try DataTable.read(path, idColumn: "subject")
        } throws: { "\($0)".contains("no column named 'subject'") && "\($0)".contains("visit, participant, score") }
    }

    @Test(arguments: [
        ("id,a\nS1,1\nS1,2\n", "m.csv:3:1: ID 'S1' appears twice (lines 2 and 3)"),
        ("id,a,b\nS1,1,2\nS2,1\n", "m.csv:3:2: this row has 2 fields but the header has 3"),
        ("id,a,a\nS1,1,2\n", "column name 'a' appears twice"),
        ("id,a\n,1\n", "empty ID"),
        ("id,a\n", "no data rows"),
        ("id,a\n#q2:types,number\nS1,1\n", "unknown column type 'number'"),
    ])
    func badMetadataIsLocated(_ text: String, _ message: String) {
        let path = temporaryFile("m.csv", text)
        #expect {
            try DataTable.read(path)
        } throws: { "\($0)".contains(message) }
    }
}
