import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

@Suite("beta, ordinate, permanova, betadisper, mantel and analyze --beta as jobs")
struct CompositionRunTests {
    let dune = datasetPath("vegan-dune/dune_cover.csv")
    let duneEnv = fixturePath("beta/dune-env.csv")

    func duneMatrix() throws -> String {
        let path = temporaryDirectory() + "/bc.tsv"
        var job = BetaRun(tablePath: dune)
        job.outputPath = path
        #expect(try job.run { _ in } == nil)
        return path
    }

    @Test func betaWritesTheSquareMatrixAndRefusesToOverwrite() throws {
        let path = try duneMatrix()
        let m = try DistanceMatrix.read(path)
        #expect(m.count == 20)
        #expect(isClose(m[0, 1], duneBray[0, 1], relative: 1e-15))
        var again = BetaRun(tablePath: dune)
        again.outputPath = path
        #expect { try again.run { _ in } } throws: { message($0).contains("already exists") }
        // --format long
        var long = BetaRun(tablePath: dune)
        long.layout = .long
        let text = try #require(try long.run { _ in })
        #expect(text.hasPrefix("sample_a,sample_b,distance\n1,2,"))
        #expect(text.split(separator: "\n").count == 1 + 190)
    }

    /// `ordinate --figure x.pdf|x.png`: the format by the extension; `--dpi`
    /// only for PNG.
    @Test func ordinationFigureFormatFollowsTheExtension() throws {
        let matrix = try duneMatrix()
        let dir = temporaryDirectory()
        for (name, dpi, magic) in [("pcoa.svg", nil, Array("<svg".utf8)), ("pcoa.pdf", nil, Array("%PDF-1.5".utf8)),
                                   ("pcoa.PNG", 120, [0x89, 0x50, 0x4E, 0x47])] as [(String, Int?, [UInt8])] {
            var job = OrdinationRun(matrixPath: matrix)
            job.figurePath = dir + "/" + name
            job.figureDPI = dpi
            job.output.path = dir + "/" + name + ".csv"
            _ = try job.run { _ in }
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            #expect(Array(bytes.prefix(magic.count)) == magic)
        }
        var svgWithDPI = OrdinationRun(matrixPath: matrix)
        svgWithDPI.figurePath = dir + "/other.svg"
        svgWithDPI.figureDPI = 300
        #expect { try svgWithDPI.validate() } throws: {
            message($0) == "--dpi: sets the resolution of PNG figures only. Ask for PNG figures (--figure-formats png, or a .png figure file), or drop --dpi"
        }
    }

    @Test func betaErrorsNameWhatIsMissingAndWriteNothing() throws {
        let out = temporaryDirectory() + "/x.tsv"
        var unknown = BetaRun(tablePath: dune)
        unknown.metric = "bray-curtis"
        unknown.outputPath = out
        #expect { try unknown.run { _ in } } throws: { message($0).hasPrefix("unknown beta-diversity metric 'bray-curtis' (did you mean 'braycurtis'?). Known: braycurtis,") }
        var noTree = BetaRun(tablePath: dune)
        noTree.metric = "weighted_unifrac"
        noTree.outputPath = out
        #expect { try noTree.run { _ in } } throws: { message($0) == "weighted_unifrac needs a phylogenetic tree of the table's features. Give it with --tree (Newick)" }
        // A tree that lacks the table's features.
        let tree = temporaryFile("t.nwk", "((Achimill:1,Agrostol:1):1,Airaprae:2);")
        var partial = BetaRun(tablePath: dune)
        partial.metric = "unweighted_unifrac"
        partial.tree = TreeInput(path: tree)
        partial.outputPath = out
        #expect { try partial.run { _ in } } throws: { message($0).hasPrefix(tree + ": 27 features are not tips of the tree: Alopgeni, Anthodor,") }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func permanovaReportsLeftOutSamplesAndFormulaErrors() throws {
        let matrix = try duneMatrix()
        // Metadata with one sample missing, one extra, and a missing A1.
        var lines = try String(contentsOfFile: duneEnv, encoding: .utf8).split(separator: "\n").map(String.init)
        lines.remove(at: 3)                                           // site 3 gone
        lines.append("99,3.0,1,SF,Haypastu,2")                          // not in the matrix
        lines[1] = lines[1].replacingOccurrences(of: "2.8", with: "NA")  // site 1: A1 missing
        let meta = temporaryFile("env.csv", lines.joined(separator: "\n") + "\n")
        var job = PermanovaRun(input: DistanceMetadataInput(matrixPath: matrix, metadataPath: meta), formula: "~ A1 + Management")
        job.permutation.seed = 1
        job.permutation.permutations = 99
        var notes = [String]()
        let text = try #require(try job.run { notes.append($0) })
        #expect(notes == [
            "note: 1 sample in \(matrix) but not in the metadata, left out: 3",
            "note: 1 metadata row not in \(matrix), left out: 99",
            "note: 1 of 19 rows left out for missing values (missing: A1 1): 1",
        ])
        #expect(text.hasPrefix("term,df,sum_of_squares,r_squared,f_statistic,p_value\nA1,1,"))
        #expect(text.contains("\nTotal,17,"))
        // A formula naming an unknown column: the metadata file, the column, a suggestion.
        let out = temporaryDirectory() + "/p.csv"
        var bad = PermanovaRun(input: DistanceMetadataInput(matrixPath: matrix, metadataPath: duneEnv), formula: "~ A1 + Managment")
        bad.permutation.seed = 1
        bad.output.path = out
        #expect { try bad.run { _ in } } throws: {
            message($0) == "\(duneEnv): the formula uses a column 'Managment' that the table does not have (column 'Managment'). Did you mean 'Management'? Columns are: A1, Moisture, Management, Use, Manure"
        }
        #expect(!FileManager.default.fileExists(atPath: out))
        // No shared IDs.
        let other = temporaryFile("other.csv", "id,A1\nx,1\ny,2\nz,3\n")
        let none = PermanovaRun(input: DistanceMetadataInput(matrixPath: matrix, metadataPath: other), formula: "~ A1")
        #expect { try none.run { _ in } } throws: { message($0).contains("no sample ID is in both \(matrix) and the metadata") }
    }

    @Test func permanovaIsByteIdenticalForASeed() throws {
        let matrix = try duneMatrix()
        var job = PermanovaRun(input: DistanceMetadataInput(matrixPath: matrix, metadataPath: duneEnv), formula: "~ A1 * Moisture")
        job.permutation.seed = 77
        job.split = .margin
        #expect(try job.run { _ in } == job.run { _ in })
        var drawn = job
        drawn.permutation.seed = nil
        var notes = [String]()
        _ = try drawn.run { notes.append($0) }
        #expect(notes.contains { $0.hasPrefix("note: permutation seed ") })
    }

    @Test func betadisperWritesDistancesAndChecksItsColumn() throws {
        let matrix = try duneMatrix()
        let dir = temporaryDirectory()
        var job = DispersionRun(input: DistanceMetadataInput(matrixPath: matrix, metadataPath: duneEnv), group: "Management")
        job.permutation.seed = 2
        job.permutation.permutations = 99
        job.output.path = dir + "/disp.csv"
        job.distancesPath = dir + "/d.csv"
        #expect(try job.run { _ in } == nil)
        let distances = try String(contentsOfFile: dir + "/d.csv", encoding: .utf8)
        #expect(distances.hasPrefix("sample_id,group,distance\n1,SF,"))
        var bad = job
        bad.group = "Mangement"
        bad.output.path = dir + "/other.csv"
        bad.distancesPath = nil
        #expect { try bad.run { _ in } } throws: { message($0) == "\(duneEnv): no column 'Mangement' to take the groups from (column 'Mangement'). Did you mean 'Management'? Columns are: A1, Moisture, Management, Use, Manure" }
    }

    @Test func mantelNeedsOneThingToCompareWith() throws {
        let matrix = try duneMatrix()
        var job = MantelRun(matrixPath: matrix)
        #expect { try job.run { _ in } } throws: { message($0) == "--variable: or --with is needed: say what to compare with. Give --variable (a metadata column) or --with (a second matrix)" }
        job.variable = "A1"
        #expect { try job.run { _ in } } throws: { message($0) == "--variable: applies only together with --metadata. Add --metadata, or drop --variable" }
        job.metadataPath = duneEnv
        job.secondMatrixPath = matrix
        #expect { try job.run { _ in } } throws: { message($0) == "--variable: cannot be combined with --with. Give --variable or --with, not both" }
        job.secondMatrixPath = nil
        job.variable = "Management"
        #expect { try job.run { _ in } } throws: { message($0).hasPrefix("\(duneEnv):2:4: 'SF' in column 'Management' (ID '1') is not a number") }
        job.variable = "A1"
        job.permutation.seed = 3
        let text = try #require(try job.run { _ in })
        #expect(text.hasPrefix("statistic,p_value,permutations,method,samples\n0.2378621936852"))
    }

    @Test func analyzeWithBetaMatchesTheStandaloneCommands() throws {
        let dir = temporaryDirectory()
        var study = StudyAnalysis(countsPath: dune, metadataPath: duneEnv, outcome: "A1", outputDirectory: dir + "/out")
        study.diversity.metrics = "shannon"
        study.association.covariates = ["Moisture"]
        study.association.groupBy = "Management"
        study.composition.metrics = ["braycurtis"]
        study.composition.permutations = 199
        study.diversity.seed = 11
        try study.run { _ in }
        let permanova = try String(contentsOfFile: dir + "/out/permanova.csv", encoding: .utf8)
        // The same test by hand: beta, then permanova by margin with the same seed.
        let matrix = try duneMatrix()
        var job = PermanovaRun(input: DistanceMetadataInput(matrixPath: matrix, metadataPath: duneEnv), formula: "~ A1 + Moisture")
        job.split = .margin
        job.permutation.seed = 11
        job.permutation.permutations = 199
        let standalone = try #require(try job.run { _ in })
        let prefixed: [String] = standalone.split(separator: "\n").dropFirst().map { (line: Substring) -> String in "braycurtis," + String(line) }
        let rows: [String] = permanova.split(separator: "\n").dropFirst().map(String.init)
        #expect(rows == prefixed)
        // PERMDISP by hand on the same matrix, grouping and seed: the same row.
        let disp = try String(contentsOfFile: dir + "/out/betadisper.csv", encoding: .utf8)
        var dispersion = DispersionRun(input: DistanceMetadataInput(matrixPath: matrix, metadataPath: duneEnv), group: "Management")
        dispersion.permutation.seed = 11
        dispersion.permutation.permutations = 199
        let byHand: [String] = try #require(try dispersion.run { _ in }).split(separator: "\n").map(String.init)
        let dispRows: [String] = disp.split(separator: "\n").map(String.init)
        #expect(dispRows == ["metric,group," + byHand[0], "braycurtis,Management," + byHand[1]])
        #expect(FileManager.default.fileExists(atPath: dir + "/out/figures/pcoa-braycurtis.svg"))
        let summary = try String(contentsOfFile: dir + "/out/summary.md", encoding: .utf8)
        #expect(summary.contains("## Community composition"))
        #expect(summary.contains("PERMANOVA; Anderson 2001) with the model `~ A1 + Moisture`"))
        // The seed is recorded, and a second run reproduces every byte.
        var again = study
        again.outputDirectory = dir + "/again"
        try again.run { _ in }
        for file in ["permanova.csv", "betadisper.csv", "summary.md", "figures/pcoa-braycurtis.svg"] {
            #expect(FileManager.default.contents(atPath: dir + "/out/" + file) == FileManager.default.contents(atPath: dir + "/again/" + file))
        }
    }

    /// With random terms, analyze's permutations respect their grouping
    /// (here Management): the same rows as `permanova --strata Management`.
    @Test func analyzeWithRandomTermsRestrictsPermutationsByTheirGrouping() throws {
        let dir = temporaryDirectory()
        var study = StudyAnalysis(countsPath: dune, metadataPath: duneEnv, outcome: "A1", outputDirectory: dir + "/out")
        study.diversity.metrics = "shannon"
        study.association.covariates = ["Moisture"]
        study.association.random = try Formula.randomTerms("(1 | Management)")
        study.association.groupBy = "Use"
        study.composition.metrics = ["braycurtis"]
        study.composition.permutations = 199
        study.diversity.seed = 11
        var notes = [String]()
        try study.run { notes.append($0) }
        let permanova = try String(contentsOfFile: dir + "/out/permanova.csv", encoding: .utf8)
        var job = PermanovaRun(input: DistanceMetadataInput(matrixPath: try duneMatrix(), metadataPath: duneEnv), formula: "~ A1 + Moisture")
        job.split = .margin
        job.permutation.seed = 11
        job.permutation.permutations = 199
        job.permutation.strata = "Management"
        let standalone = try #require(try job.run { _ in })
        let rows: [String] = permanova.split(separator: "\n").dropFirst().map(String.init)
        let prefixed: [String] = standalone.split(separator: "\n").dropFirst().map { (line: Substring) -> String in "braycurtis," + String(line) }
        #expect(rows == prefixed)
        job.permutation.strata = nil
        #expect(try #require(try job.run { _ in }) != standalone, "the restriction changes the p-values")
        #expect(notes.contains("note: permutations restricted by Management: samples permuted within Management for A1, Moisture"))
        let summary = try String(contentsOfFile: dir + "/out/summary.md", encoding: .utf8)
        #expect(summary.contains("As samples of one `Management` are not independent, permutations were restricted by `Management`: samples permuted within `Management` for `A1`, `Moisture` (vegan/permute's plots and blocks)."))
        #expect(summary.contains("ANOVA F and 199 permutations, samples permuted within `Management`)."))
        let provenance = try String(contentsOfFile: dir + "/out/provenance.json", encoding: .utf8)
        #expect(provenance.contains("\"strata\": \"Management\""))
        // Yes/no fit statistics read as models.csv writes them: true/false.
        let fit = try String(contentsOfFile: dir + "/out/fit.csv", encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        for flag in ["converged", "singular"] {
            let k = try #require(fit[0].firstIndex(of: Substring(flag)))
            #expect(["true", "false"].contains(fit[1][k]), "\(flag): \(fit[1][k])")
        }
    }

    @Test func analyzeRefusesUnknownBetaMetricsBeforeAnyWork() throws {
        let dir = temporaryDirectory()
        var study = StudyAnalysis(countsPath: dune, metadataPath: duneEnv, outcome: "A1", outputDirectory: dir + "/out")
        study.composition.metrics = ["unweighted_unifrac"]
        #expect { try study.run { _ in } } throws: { message($0).hasPrefix("unweighted_unifrac needs a phylogenetic tree") }
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
    }
}
