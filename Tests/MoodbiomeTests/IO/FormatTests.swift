import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

func formatFixture(_ name: String) -> String { fixturePath("formats/" + name) }

/// One table of the format fixtures with scikit-bio's values
/// (Fixtures/generate_formats.py).
struct FormatReference: Sendable, CustomTestStringConvertible {
    let dataset: String
    let path: String
    let options: CountTableReadOptions
    let values: [String: [String: Double]]   // metric → sample → value
    var testDescription: String { dataset }

    static let all: [FormatReference] = {
        let text = (try? String(contentsOfFile: fixturePath("formats-reference.csv"), encoding: .utf8)) ?? ""
        var byDataset = [String: [String: [String: Double]]]()
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("dataset") {
            let f = line.split(separator: ",").map(String.init)
            byDataset[f[0], default: [:]][f[2], default: [:]][f[1]] = Double(f[3])
        }
        let files: [(String, String, CountTableReadOptions)] = [
            ("rich_sparse_otu_table", "rich_sparse_otu_table.biom", .init()),
            ("rich_dense_otu_table", "rich_dense_otu_table.biom", .init()),
            ("min_sparse_otu_table", "min_sparse_otu_table.biom", .init()),
            ("min_dense_otu_table", "min_dense_otu_table.biom", .init()),
            ("esophagus-0.03", "esophagus.fn.shared", .init(label: "0.03")),
            ("metaphlan-species", "metaphlan-merged.tsv", .init()),
        ]
        return files.map { FormatReference(dataset: $0.0, path: formatFixture($0.1), options: $0.2, values: byDataset[$0.0] ?? [:]) }
    }()
}

@Suite("Table formats")
struct FormatTests {
    @Test("diversity of every format matches scikit-bio", arguments: FormatReference.all)
    func diversityMatchesScikitBio(_ reference: FormatReference) throws {
        let table = try CountTable.read(reference.path, options: reference.options)
        let result = try AlphaDiversityResult(table: table, metrics: RequestedMetric.parseList("shannon,simpson,observed_features"))
        #expect(!reference.values.isEmpty)
        for (m, request) in result.metrics.enumerated() {
            let expected = try #require(reference.values[request.label])
            #expect(expected.count == result.sampleIDs.count)
            for (i, sample) in result.sampleIDs.enumerated() {
                let value = try #require(expected[sample], "\(sample) has no reference")
                #expect(isClose(result.values[i, m], value, relative: 1e-12), "\(sample) \(request.label)")
            }
        }
    }

    /// The BIOM 2.1 copy of GlobalPatterns (biom-format's Table.to_hdf5) is
    /// the same table as its TSV export: IDs, every non-zero, and the taxonomy.
    @Test func biom21EqualsTheTSVExport() throws {
        let biom = try CountTable.read(datasetPath("globalpatterns/feature-table.biom"))
        let tsv = try #require(referenceTables["globalpatterns"])
        #expect(biom.origin?.format == "BIOM 2.1 (HDF5)")
        #expect(biom.sampleIDs == tsv.sampleIDs && biom.taxonIDs == tsv.taxonIDs)
        #expect(biom.columnStarts == tsv.columnStarts && biom.taxonIndices == tsv.taxonIndices && biom.values == tsv.values)
        #expect(biom.nonZeroCount == 104_578)
        #expect(biom.taxonomy?.first == "k__Archaea; p__Crenarchaeota; c__Thermoprotei; o__; f__; g__; s__")
    }

    @Test func qiime2ArtifactHoldsTheTable() throws {
        let qza = try CountTable.read(formatFixture("rich-sparse.qza"))
        let json = try CountTable.read(formatFixture("rich_sparse_otu_table.biom"))
        #expect(qza.sampleIDs == json.sampleIDs && qza.taxonIDs == json.taxonIDs && qza.values == json.values && qza.taxonomy == json.taxonomy)
        #expect(qza.origin?.format == "QIIME 2 artifact FeatureTable[Frequency] (BIOM 2.1 inside)")
    }

    @Test func mothurLabelsAndMetaPhlAnRanks() throws {
        let unique = try CountTable.read(formatFixture("esophagus.fn.shared"))
        #expect(unique.sampleIDs == ["B", "C", "D"] && unique.taxonCount == 593)
        let coarse = try CountTable.read(formatFixture("esophagus.fn.shared"), options: .init(label: "0.10"))
        #expect(coarse.taxonCount < 593)
        #expect { try CountTable.read(formatFixture("esophagus.fn.shared"), options: .init(label: "0.5")) } throws: {
            message($0) == formatFixture("esophagus.fn.shared") + ": the .shared file has no label '0.5'. Labels are: unique, 0.00, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10"
        }
        let species = try CountTable.read(formatFixture("metaphlan-merged.tsv"))
        #expect(species.taxonCount == 4 && species.taxonIDs.allSatisfy { $0.split(separator: "|").last?.hasPrefix("s__") == true })
        #expect(!species.isIntegral)
        let genus = try CountTable.read(formatFixture("metaphlan-merged.tsv"), options: .init(rank: .genus))
        #expect(genus.taxonIDs.allSatisfy { $0.split(separator: "|").last?.hasPrefix("g__") == true })
        // Ranks are never mixed: each sample's species sum to 100%.
        for j in 0..<species.sampleCount { #expect(isClose(species.nonZeroValues(ofSample: j).reduce(0, +), 100, relative: 1e-12)) }
    }

    @Test func formatIsRecognisedByContentNotName() throws {
        let dir = temporaryDirectory()
        try FileManager.default.copyItem(atPath: formatFixture("rich_dense_otu_table.biom"), toPath: dir + "/table.txt")
        try FileManager.default.copyItem(atPath: formatFixture("rich-sparse.qza"), toPath: dir + "/table.csv")
        #expect(try CountTable.read(dir + "/table.txt").origin?.format == "BIOM 1.0 (JSON)")
        #expect(try CountTable.read(dir + "/table.csv").sampleCount == 6)
    }

    @Test(arguments: [
        ("bad-truncated.biom", "the file starts like HDF5 (BIOM 2.1) but HDF5 cannot open it: it is truncated or damaged. Export the table again (biom convert, or qiime tools export)"),
        ("bad-no-artifact.qza", "this ZIP archive is not a QIIME 2 artifact: it has no <uuid>/metadata.yaml. Give a .qza exported by QIIME 2, or the table itself (BIOM, CSV, TSV)"),
        ("bad-no-shape.biom", "this JSON file is not a BIOM 1.0 table: it has no 'shape' of two numbers. Give a BIOM table (JSON 1.0 or HDF5 2.1), or a CSV/TSV table"),
        ("taxonomy.qza", "this QIIME 2 artifact is a FeatureData[Taxonomy], not a feature table. Give a FeatureTable[Frequency] artifact (table.qza)"),
    ])
    func damagedFilesAreNamedByTheirFormat(_ name: String, _ expected: String) {
        #expect { try CountTable.read(formatFixture(name)) } throws: { message($0) == formatFixture(name) + ": " + expected }
    }

    /// convert: CSV → BIOM 2.1 → CSV and BIOM → BIOM are byte-identical, an
    /// all-zero feature survives, BIOM 1.0 JSON round-trips with taxonomy.
    @Test func convertRoundTrips() throws {
        let dir = temporaryDirectory()
        let csv = temporaryFile("t.csv", "sample_id,a,b,never\ns1,5,0,0\ns2,0,3,0\ns3,2,2,0\n")
        func convert(_ from: String, _ to: String) throws {
            var job = ConvertRun(inputPath: from, outputPath: to)
            job.overwrite = true
            try job.run { _ in }
        }
        try convert(csv, dir + "/t.biom")
        try convert(dir + "/t.biom", dir + "/back.csv")
        #expect(try String(contentsOfFile: dir + "/back.csv", encoding: .utf8) == String(contentsOfFile: csv, encoding: .utf8))
        try convert(dir + "/t.biom", dir + "/again.biom")
        try convert(dir + "/again.biom", dir + "/again2.biom")
        #expect(FileManager.default.contents(atPath: dir + "/again.biom") == FileManager.default.contents(atPath: dir + "/again2.biom"))
        try convert(formatFixture("rich_sparse_otu_table.biom"), dir + "/rich.json")
        try convert(dir + "/rich.json", dir + "/rich.biom")
        try convert(dir + "/rich.biom", dir + "/rich2.json")
        #expect(FileManager.default.contents(atPath: dir + "/rich.json") == FileManager.default.contents(atPath: dir + "/rich2.json"))
        let back = try CountTable.read(dir + "/rich.biom")
        #expect(back.taxonomy == (try CountTable.read(formatFixture("rich_sparse_otu_table.biom"))).taxonomy)
        #expect(try CountTable.read(dir + "/t.biom").taxonIDs == ["a", "b", "never"])
    }

    /// Moodbiome writes today the very bytes biom-format 2.1.18 was shown
    /// to read (Fixtures/formats/moodbiome-written.check.txt, by
    /// generate_formats.py): the proof that biom-format and QIIME 2 read
    /// Moodbiome's BIOM 2.1 stays valid.
    @Test func writtenBIOMIsWhatBiomFormatRead() throws {
        let table = try CountTable.read(formatFixture("rich_sparse_otu_table.biom"))
        let path = temporaryDirectory() + "/written.biom"
        try table.write(to: path, format: .biom, overwrite: false)
        #expect(FileManager.default.contents(atPath: path) == FileManager.default.contents(atPath: formatFixture("moodbiome-written.biom")))
        let check = try String(contentsOfFile: formatFixture("moodbiome-written.check.txt"), encoding: .utf8)
        #expect(check.contains("shape 5 6\nnnz 15\n"))
        #expect(check.contains("samples " + table.sampleIDs.joined(separator: " ") + "\n"))
        #expect(check.contains("sums " + table.sampleTotals.map { "\($0)" }.joined(separator: " ") + "\n"))
        #expect(check.contains("taxonomy0 " + (table.taxonomy?.first ?? "") + "\n"))
    }
}
