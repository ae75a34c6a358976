import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeReport

@Suite("Taxonomy files, collapse and the .qza tree")
struct TaxonomyTests {
    static let expected = [
        "f1": "k__Bacteria; p__Firmicutes; c__Clostridia; o__Lachnospirales; f__Lachnospiraceae; g__Coprococcus",
        "f3": "k__Bacteria; p__Firmicutes; c__Negativicutes; o__Veillonellales; f__Veillonellaceae; g__Dialister",
        "f4": "k__Bacteria; p__Firmicutes; c__Clostridia; o__Lachnospirales; f__Lachnospiraceae; g__",
        "f5": "k__Bacteria; p__Proteobacteria; c__; o__; f__; g__",
    ]

    @Test(arguments: ["taxonomy-mothur.cons.taxonomy", "taxonomy-ranks.tsv", "taxonomy.qza"])
    func everyLayoutGivesTheSameLineages(_ file: String) throws {
        let t = try TaxonomyTable.read(fixturePath("association/" + file))
        #expect(t.features == ["f1", "f2", "f3", "f4", "f5"])
        for (id, lineage) in Self.expected {
            // QIIME 2 (inside the .qza) writes the kingdom as d__.
            let got = t.lineages[id]!.replacingOccurrences(of: "d__", with: "k__")
            #expect(got == lineage, "\(file) \(id)")
        }
    }

    @Test func collapseSumsByLineageWithUnassignedBucketsPerParent() throws {
        var options = CountTableReadOptions(taxonomyPath: fixturePath("association/taxonomy-ranks.tsv"))
        options.rank = .genus
        options.collapsedNames = .short
        let table = try CountTable.read(fixturePath("association/small-table.csv"), options: options)
        #expect(table.taxonIDs == ["Coprococcus", "Dialister", "Lachnospiraceae (unassigned genus)", "Proteobacteria (unassigned genus)"])
        #expect(table.abundances(ofSample: 0) == [15, 0, 3, 1])
        #expect(table.abundances(ofSample: 1) == [2, 7, 0, 4])
        #expect(table.origin?.notes.last == fixturePath("association/small-table.csv") + ": 5 features collapsed to 4 at genus level")
        let family = try CountTable.read(fixturePath("association/small-table.csv"),
                                         options: CountTableReadOptions(rank: .family, taxonomyPath: fixturePath("association/taxonomy.qza")))
        #expect(family.taxonIDs == ["d__Bacteria; p__Firmicutes; c__Clostridia; o__Lachnospirales; f__Lachnospiraceae",
                                    "d__Bacteria; p__Firmicutes; c__Negativicutes; o__Veillonellales; f__Veillonellaceae",
                                    "d__Bacteria; p__Proteobacteria; c__; o__; f__"])
    }

    /// GlobalPatterns to genus against pandas' group sums (collapse-genus-reference.csv).
    @Test func collapseMatchesTheIndependentGroupSums() throws {
        let options = CountTableReadOptions(rank: .genus, taxonomyPath: datasetPath("globalpatterns/taxonomy.tsv"))
        let table = try CountTable.read(datasetPath("globalpatterns/feature-table.tsv"), options: options)
        let reference = csvRows("association/collapse-genus-reference.csv")
        #expect(table.taxonIDs.count == reference.count)
        let cl3 = table.sampleIDs.firstIndex(of: "CL3")!
        var totals = [Double](repeating: 0, count: table.taxonCount)
        for (t, v) in zip(table.taxonIndices, table.values) { totals[Int(t)] += v }
        let cl3Counts = table.abundances(ofSample: cl3)
        let index = Dictionary(uniqueKeysWithValues: table.taxonIDs.enumerated().map { ($1, $0) })
        for row in reference {
            guard let t = index[row["lineage"]!] else { Issue.record("no group \(row["lineage"]!)"); continue }
            #expect(totals[t] == Double(row["total"]!)!)
            #expect(cl3Counts[t] == Double(row["CL3"]!)!)
        }
    }

    @Test func taxonomyErrorsNameTheFeatures() throws {
        let partial = temporaryFile("tax.tsv", "Feature ID\tTaxon\nf1\tk__Bacteria\nf2\tk__Bacteria\nzz\tk__Archaea\n")
        #expect {
            try CountTable.read(fixturePath("association/small-table.csv"), options: CountTableReadOptions(taxonomyPath: partial))
        } throws: { message($0) == partial + ": 3 of the table's 5 features have no lineage here: f3, f4, f5. Use the taxonomy made for this table (the same feature IDs)" }
        let notTaxonomy = temporaryFile("x.tsv", "id\tvalue\nf1\t3\n")
        #expect { try TaxonomyTable.read(notTaxonomy) } throws: { message($0).hasPrefix(notTaxonomy + ":1: not a taxonomy file") }
        let twice = temporaryFile("t.tsv", "Feature ID\tTaxon\nf1\tk__A\nf1\tk__B\n")
        #expect { try TaxonomyTable.read(twice) } throws: { message($0) == twice + ":3:1: feature 'f1' is listed twice (lines 2 and 3). Give each feature one lineage" }
        #expect {
            try CountTable.read(fixturePath("association/small-table.csv"), options: CountTableReadOptions(rank: .genus))
        } throws: { message($0).hasSuffix("collapsing to genus needs each feature's taxonomy, and this table has none. Give the taxonomy file with --taxonomy (QIIME 2 taxonomy.tsv or .qza, mothur .cons.taxonomy, or rank columns)") }
        let extra = temporaryFile("t.tsv", "Feature ID\tTaxon\n" + (1...5).map { "f\($0)\tk__B\n" }.joined() + "f9\tk__C\n")
        let table = try CountTable.read(fixturePath("association/small-table.csv"), options: CountTableReadOptions(taxonomyPath: extra))
        #expect(table.origin?.notes == [extra + ": 1 feature of the taxonomy is not in the table (ignored)"])
    }

    @Test func qiimeTreeArtifactsAreRead() throws {
        let tree = try PhylogeneticTree.read(fixturePath("association/tree.qza"))
        #expect(tree.tips.compactMap { tree.names[$0] }.sorted() == ["f1", "f2", "f3", "f4", "f5"])
        #expect { try PhylogeneticTree.read(fixturePath("association/taxonomy.qza")) } throws: {
            message($0).hasSuffix("taxonomy.qza: this QIIME 2 artifact is a FeatureData[Taxonomy], not a tree. Give a Phylogeny[Rooted] artifact (rooted-tree.qza) or a Newick file")
        }
    }

    @Test func sha256MatchesTheStandardVectors() throws {
        #expect(try SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(try SHA256.hex(Array(String(repeating: "a", count: 1_000_000).utf8)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
