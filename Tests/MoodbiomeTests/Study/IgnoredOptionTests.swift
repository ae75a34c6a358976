import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

/// Every option either takes effect or is refused with the reason, before
/// any work; lists name each item once; sizes beyond the documented limits
/// are refused up front. Messages word for word, in the command line's words.
@Suite("Options that would have no effect are refused")
struct IgnoredOptionTests {
    let bci = datasetPath("vegan-bci/BCI_counts.csv")
    let regression = fixturePath("regression-data.csv")

    @Test func metricOptionsNeedTheirMetric() throws {
        var job = DiversityRun(tablePath: bci)
        job.metrics = "shannon"
        job.explicitSettings = [.aceThreshold]
        #expect { try job.validate() } throws: {
            message($0) == "--ace-threshold: applies only to the metric ace, which is not requested. Add it to --metrics, or drop --ace-threshold"
        }
        job.metrics = "simpson,chao1"
        job.explicitSettings = [.base]
        #expect { try job.validate() } throws: {
            message($0) == "--base: applies only to the metrics shannon, renyi, none of which is requested. Add one to --metrics, or drop --base"
        }
        // Read by a requested metric (also through `all`): accepted.
        job.metrics = "renyi_2"
        try job.validate()
        job.metrics = "all"
        job.explicitSettings = [.base, .chao1, .aceThreshold, .giniMethod]
        try job.validate()
    }

    @Test func outputOptionsNeedAnOutputTheyApplyTo() throws {
        var job = DescribeRun(dataPath: regression)
        job.guardFormulas = true
        #expect { try job.run { _ in } } throws: {
            message($0) == "--safe-csv: guards the text cells of CSV and TSV output, and this output is not CSV or TSV. Drop --safe-csv, or write CSV or TSV"
        }
        job.guardFormulas = false
        job.overwrite = true
        #expect { try job.run { _ in } } throws: { message($0) == "--force: applies only together with -o/--output. Add -o/--output, or drop --force" }
        // Replacing another output of the job (regress --random-output) is a use of --force.
        var regress = RegressionRun(dataPath: regression, formula: "phq9 ~ shannon")
        regress.overwrite = true
        #expect { try regress.validate() } throws: { message($0).hasPrefix("--force: applies only together with -o/--output") }
        regress.randomOutputPath = temporaryDirectory() + "/random.csv"
        regress.formula = "phq9 ~ shannon + (1 | group)"
        try regress.validate()
    }

    @Test func describeOptionsNameColumnsThatAreDescribed() throws {
        var job = DescribeRun(dataPath: regression)
        job.variables = ["age", "age"]
        #expect { try job.run { _ in } } throws: { message($0) == "--variables: 'age' is listed twice. Name each once" }
        job.variables = ["age"]
        job.skewed = ["phq9"]
        #expect { try job.run { _ in } } throws: { message($0) == "--median: 'phq9' is not a column among those described (age)" }
        job.skewed = ["nosuch"]
        #expect { try job.run { _ in } } throws: { message($0).contains("no column 'nosuch' to describe") }
    }

    @Test func aReferenceLevelMustBeForAFactorOfTheModel() throws {
        var job = RegressionRun(dataPath: regression, formula: "phq9 ~ shannon + age")
        job.references = ["sex": "F"]
        #expect { try job.run { _ in } } throws: {
            message($0) == "--reference: 'sex=F' is not column=level for a categorical term of the model (it has none)"
        }
        job.formula = "phq9 ~ shannon + group"
        #expect { try job.run { _ in } } throws: {
            message($0) == "--reference: 'sex=F' is not column=level for a categorical term of the model (group)"
        }
        job.formula = "phq9 ~ shannon + sex"
        _ = try job.run { _ in }
    }

    @Test func scoringOptionsStayInsideTheScale() throws {
        let metadata = datasetPath("simulated-gut-mood/metadata.csv")
        var job = ScoreRun(dataPath: metadata, scale: "phq9")
        job.prefix = "phq9_"
        job.name = "q"
        job.options.reversedItems = [2, 99]
        #expect { try job.run { _ in } } throws: { message($0) == "--reverse: must be between 1 and 9 (got 99)" }
        job.options.reversedItems = nil
        job.options.maxMissing = 9
        #expect { try job.run { _ in } } throws: { message($0) == "--max-missing: must be between 0 and 8 (got 9)" }
    }

    @Test func absurdSizesAreRefusedBeforeAnyWork() throws {
        var job = DiversityRun(tablePath: "/nonexistent/table.csv")
        job.rarefactionDepth = Int.max
        job.seed = 1
        #expect { try job.validate() } throws: {
            message($0) == "--rarefy: 9223372036854775807 is above the documented limit of 2^53 = 9007199254740992 reads. Moodbiome refuses sizes it cannot handle in memory and time; use a smaller value"
        }
        job.rarefactionDepth = 100
        job.iterations = 10_001
        #expect { try job.validate() } throws: { message($0).hasPrefix("--iterations: 10001 is above the documented limit of 10000.") }
        var curve = RarefactionCurveRun(tablePath: bci, outputDirectory: temporaryDirectory() + "/curves")
        curve.maxDepth = Int.max
        #expect { try curve.run { _ in } } throws: { message($0).hasPrefix("--max-depth: 9223372036854775807 is above the documented limit of 2^53") }
        var ordinate = OrdinationRun(matrixPath: fixturePath("beta/dune-bray.tsv"))
        ordinate.dimensions = 20
        #expect { try ordinate.run { _ in } } throws: { message($0) == "--dimensions: must be between 1 and 19 (got 20)" }
        ordinate.dimensions = nil
        ordinate.figurePath = temporaryDirectory() + "/pcoa.gif"
        #expect { try ordinate.run { _ in } } throws: { message($0) == "--figure: '.gif' is not one of .svg, .pdf, .png" }
    }

    @Test func displayNamesAndLevelsNameWhatIsThere() throws {
        let data = try DataTable.read(regression)
        var names = DisplayNames()
        let added1 = names.addLevels("group=severe,severe")
        #expect(added1)
        #expect { try names.validate(against: data) } throws: { message($0) == "--levels: 'severe' is listed twice. Name each once" }
        names = DisplayNames()
        let added2 = names.addLevels("group=severe,Severe")
        #expect(added2)
        #expect { try names.validate(against: data) } throws: { message($0).hasPrefix("--levels: 'group=Severe' is not a level of group (its levels: ") }
        names = DisplayNames()
        let added3 = names.addLabel("phq9x=PHQ-9")
        #expect(added3)
        #expect { try names.validate(against: data) } throws: { message($0) == "--display-name: 'phq9x' is not a column of the study's table" }
        names = DisplayNames()
        let both = names.addLevels("group=severe,control") && names.addLabel("phq9=PHQ-9")
        #expect(both)
        try names.validate(against: data)
    }

    /// Integers on the command line are plain digits: what `+2`, `2e0` or
    /// `007` was meant to be is not guessed.
    @Test func integersAreWrittenPlainly() throws {
        let out = temporaryDirectory() + "/a.csv"
        for text in ["+2", "2e0", "007", "2.0", "0x10"] {
            let r = try runMoodbiome(["diversity", bci, "--metrics", "shannon", "--rarefy", text, "--seed", "1", "-o", out])
            #expect(r.status == 64, "\(text)")
            #expect(r.standardError.hasPrefix("Error: The value '\(text)' is invalid for '--rarefy <depth>': '\(text)' is not a whole number written plainly (digits only, e.g. 42)"))
        }
        let seed = try runMoodbiome(["diversity", bci, "--metrics", "shannon", "--rarefy", "100", "--seed", "-1", "-o", out])
        #expect(seed.status == 64)
        let fine = try runMoodbiome(["diversity", bci, "--metrics", "shannon", "--rarefy", "100", "--seed", "0", "-o", out])
        #expect(fine.status == 0, "\(fine.standardError)")
    }

    /// The PCoA figure is titled by its distance's proper name, not the matrix file's name.
    @Test func ordinationTitlesNameTheDistance() throws {
        let dir = temporaryDirectory()
        var job = OrdinationRun(matrixPath: fixturePath("beta/dune-bray.tsv"))
        job.figurePath = dir + "/pcoa.svg"
        job.metricName = "bray"
        _ = try job.run { _ in }
        let svg = try String(contentsOfFile: dir + "/pcoa.svg", encoding: .utf8)
        #expect(svg.contains("<title>Principal coordinates of Bray–Curtis distances</title>"))
        #expect(!svg.contains("dune-bray"))
        job.metricName = "braycurtiss"
        #expect { try job.validate() } throws: { message($0).hasPrefix("unknown beta-diversity metric 'braycurtiss'") }
        job.metricName = "jaccard"
        job.figurePath = nil
        #expect { try job.validate() } throws: { message($0) == "--metric: applies only together with --figure. Add --figure, or drop --metric" }
    }
}
