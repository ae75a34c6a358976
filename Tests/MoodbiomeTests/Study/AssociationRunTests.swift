import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

@Suite("associate, collapse and filter as jobs")
struct AssociationRunTests {
    let counts = datasetPath("simulated-gut-mood/counts.csv"), metadata = datasetPath("simulated-gut-mood/metadata.csv")

    @Test func writesTheWholeDirectoryAndReproducesIt() throws {
        let dir = temporaryDirectory()
        var job = AssociationRun(countsPath: counts, metadataPath: metadata, outputDirectory: dir + "/out")
        job.formula = "~ phq9_total + age + sex + bmi + antidepressant"
        var notes = [String]()
        let result = try job.run { notes.append($0) }
        for file in ["all_results.csv", "significant_results.csv", "filtered_features.csv", "summary.md", "report.html", "captions.md",
                     "provenance.json", "figures/volcano-phq9_total.svg", "figures/heatmap.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/out/" + file), "\(file)")
        }
        let all = try String(contentsOfFile: dir + "/out/all_results.csv", encoding: .utf8)
        #expect(all.hasPrefix("feature,term,estimate,std_error,statistic,p_value,q_value,n,n_nonzero\n"))
        #expect(all.split(separator: "\n").count == result.association.rows.count + 1)
        let summary = try String(contentsOfFile: dir + "/out/summary.md", encoding: .utf8)
        #expect(summary.contains("| Coprococcus | phq9_total |"))
        #expect(summary.contains("following the MaAsLin2 default pipeline"))
        // The report: the same table, the notes, each figure with its legend, the methods (HTML-escaped).
        let html = try String(contentsOfFile: dir + "/out/report.html", encoding: .utf8)
        #expect(html.contains("<h1>Features associated with ~ phq9_total + age + sex + bmi + antidepressant</h1>"))
        #expect(html.contains("<tr><td>Coprococcus</td><td>phq9_total</td>"))
        #expect(html.contains("<li>4 of 300 rows left out for missing values"))
        #expect(html.contains("<figcaption><b>") && html.contains("<h2>Methods</h2>\n<p>Per-feature associations were tested with Moodbiome"))
        #expect(html.contains("on <code>counts.csv</code>") && !html.contains("`") && !html.lowercased().contains("<script"))
        #expect(notes.contains { $0.hasPrefix("note: 4 of 300 rows left out for missing values") })
        #expect(notes.contains { $0.contains("features filtered out (listed in filtered_features)") })
        // Same inputs, same bytes.
        var again = job
        again.outputDirectory = dir + "/again"
        try again.run { _ in }
        for file in ["all_results.csv", "significant_results.csv", "summary.md", "report.html", "captions.md", "figures/heatmap.svg"] {
            #expect(FileManager.default.contents(atPath: dir + "/out/" + file) == FileManager.default.contents(atPath: dir + "/again/" + file))
        }
    }

    @Test func parameterAndDataErrorsWriteNothing() throws {
        let dir = temporaryDirectory()
        var neither = AssociationRun(countsPath: counts, metadataPath: metadata, outputDirectory: dir + "/a")
        #expect { try neither.run { _ in } } throws: { message($0).hasPrefix("--formula: or --outcome is needed") }
        neither.formula = "~ phq9_total"
        neither.outcome = "phq9_total"
        #expect { try neither.run { _ in } } throws: { message($0) == "--formula: cannot be combined with --outcome. Give --formula or --outcome, not both" }
        var clr = AssociationRun(countsPath: counts, metadataPath: metadata, outputDirectory: dir + "/b")
        clr.formula = "~ phq9_total"
        clr.options.normalization = .clr
        #expect { try clr.run { _ in } } throws: { message($0).hasPrefix("--transform: log cannot follow CLR normalisation") }
        var unknown = AssociationRun(countsPath: counts, metadataPath: metadata, outputDirectory: dir + "/c")
        unknown.formula = "~ phq9 + age"
        #expect { try unknown.run { _ in } } throws: { message($0).contains("the formula uses a column 'phq9' that the table does not have") }
        var outcome = AssociationRun(countsPath: counts, metadataPath: metadata, outputDirectory: dir + "/d")
        outcome.outcome = "phq9"
        #expect { try outcome.run { _ in } } throws: { message($0).contains("the metadata has no column 'phq9'") }
        for sub in ["a", "b", "c", "d"] { #expect(!FileManager.default.fileExists(atPath: dir + "/" + sub)) }
    }

    /// `--method linda` writes LinDA's numbers (the fixture's gutmood case,
    /// checked in full in LinDATests) with its columns and bias.csv, says
    /// how the zeros were treated, and is reproducible byte for byte.
    @Test func lindaWritesItsColumnsAndBias() throws {
        let dir = temporaryDirectory()
        var job = AssociationRun(countsPath: counts, metadataPath: metadata, outputDirectory: dir + "/out")
        job.formula = "~ phq9_total + age + sex + antidepressant"
        job.method = .linda
        var notes = [String]()
        try job.run { notes.append($0) }
        let rows = csvRows(fromFile: dir + "/out/all_results.csv")
        let all = try String(contentsOfFile: dir + "/out/all_results.csv", encoding: .utf8)
        #expect(all.hasPrefix("feature,term,estimate,std_error,statistic,p_value,q_value,n,n_nonzero,df,base_mean\n"))
        let reference = csvRows("linda/linda-results.csv").filter { $0["case"] == "gutmood" }
        #expect(rows.count == reference.count)
        let ours = Dictionary(uniqueKeysWithValues: rows.map { ($0["feature"]! + "|" + $0["term"]!, $0) })
        for r in reference {
            let row = try #require(ours[r["feature"]! + "|" + r["term"]!])
            for column in ["estimate", "std_error", "p_value", "q_value", "df", "base_mean"] {
                #expect(isClose(Double(row[column]!)!, Double(r[column]!)!, relative: 1e-9), "\(r["feature"]!) \(r["term"]!) \(column)")
            }
        }
        let bias = try String(contentsOfFile: dir + "/out/bias.csv", encoding: .utf8)
        #expect(bias.hasPrefix("term,bias\nIntercept,") && bias.contains("\nsex[T.male],"))
        #expect(notes.contains("note: zeros: pseudo-count 0.5 added to every count, as sequencing depth does not go with the design (log depth ~ formula: smallest p = 0.16 (age) > 0.1)"))
        let summary = try String(contentsOfFile: dir + "/out/summary.md", encoding: .utf8)
        #expect(summary.contains("Differential abundance was tested with LinDA (Zhou et al. 2022"))
        var again = job
        again.outputDirectory = dir + "/again"
        try again.run { _ in }
        for file in ["all_results.csv", "bias.csv", "summary.md", "report.html"] {
            #expect(FileManager.default.contents(atPath: dir + "/out/" + file) == FileManager.default.contents(atPath: dir + "/again/" + file))
        }
    }

    /// `--method ancombc` writes scikit-bio's ANCOM-BC numbers (the
    /// fixture's gutmood case, checked in full in ANCOMBCTests), Holm within
    /// each term, the pseudo-count said, bias.csv with the E–M iterations.
    @Test func ancombcWritesItsNumbersAndBias() throws {
        let dir = temporaryDirectory()
        var job = AssociationRun(countsPath: counts, metadataPath: metadata, outputDirectory: dir + "/out")
        job.formula = "~ phq9_total + age + sex + antidepressant"
        job.method = .ancombc
        job.ancombc.adjustment = .holm
        var notes = [String]()
        try job.run { notes.append($0) }
        let rows = csvRows(fromFile: dir + "/out/all_results.csv")
        let reference = csvRows("ancombc/ancombc-results.csv").filter { $0["case"] == "gutmood" }
        #expect(rows.count == reference.count)
        let ours = Dictionary(uniqueKeysWithValues: rows.map { ($0["feature"]! + "|" + $0["term"]!, $0) })
        for r in reference {
            let row = try #require(ours[r["feature"]! + "|" + r["term"]!])
            for column in ["estimate", "std_error", "statistic", "p_value", "q_value"] {
                #expect(isClose(Double(row[column]!)!, Double(r[column]!)!, relative: 1e-9, absolute: 1e-12), "\(r["feature"]!) \(r["term"]!) \(column)")
            }
        }
        let bias = try String(contentsOfFile: dir + "/out/bias.csv", encoding: .utf8)
        #expect(bias.hasPrefix("term,bias,iterations\nIntercept,"))
        #expect(notes.contains("note: pseudo-count 1 added to every count before the log (ANCOM-BC takes no zeros)"))
        let summary = try String(contentsOfFile: dir + "/out/summary.md", encoding: .utf8)
        #expect(summary.contains("Differential abundance was tested with ANCOM-BC (Lin & Peddada 2020"))
        var refused = job
        refused.random = "(1 | sex)"
        #expect { try refused.validate() } throws: { message($0).hasPrefix("--method ancombc fits no mixed models") }
        refused.random = nil
        refused.methodOnly = [(.winsorize, [.linda])]
        #expect { try refused.validate() } throws: { message($0) == "--winsorize: applies only to --method linda. Add --method linda, or drop --winsorize" }
    }

    /// `--method ancombc2 --struc-zero phenotype`: the fixture's twins_struc
    /// case (scikit-bio's ancombc2 on the features without structural
    /// zeros), structural_zeros.csv equal to scikit-bio's struc_zero, the
    /// absent features in filtered_features.csv and not tested, df in
    /// all_results.csv, the bias variances in bias.csv.
    @Test func ancombc2SetsStructuralZerosAside() throws {
        let dir = temporaryDirectory()
        var job = AssociationRun(countsPath: datasetPath("twins/Twins.csv"), metadataPath: datasetPath("twins/metadata.tsv"), outputDirectory: dir + "/out")
        job.readOptions.orientation = .columns
        job.formula = "~ phenotype"
        job.method = .ancombc2
        job.ancombc.minimumPrevalence = 0.05
        job.ancombc.structuralZeroGroup = "phenotype"
        var notes = [String]()
        try job.run { notes.append($0) }
        let all = try String(contentsOfFile: dir + "/out/all_results.csv", encoding: .utf8)
        #expect(all.hasPrefix("feature,term,estimate,std_error,statistic,p_value,q_value,n,n_nonzero,df\n"))
        let rows = csvRows(fromFile: dir + "/out/all_results.csv")
        let reference = csvRows("ancombc/ancombc2-results.csv").filter { $0["case"] == "twins_struc" }
        #expect(rows.count == reference.count)
        let ours = Dictionary(uniqueKeysWithValues: rows.map { ($0["feature"]! + "|" + $0["term"]!, $0) })
        for r in reference {
            let row = try #require(ours[r["feature"]! + "|" + r["term"]!])
            // Fold changes within 1e-8 of their SE, the rest to 1e-6 relative: the E–M's
            // κ is set only to SciPy's Nelder–Mead stopping rule, and through the bias
            // variance so are the SEs (ANCOMBC2Tests; observed 2e-8 relative).
            #expect(abs(Double(row["estimate"]!)! - Double(r["estimate"]!)!) <= 1e-8 * Double(r["std_error"]!)!, "\(r["feature"]!) \(r["term"]!) estimate")
            for column in ["std_error", "p_value", "q_value"] {
                #expect(isClose(Double(row[column]!)!, Double(r[column]!)!, relative: 1e-6, absolute: 1e-12), "\(r["feature"]!) \(r["term"]!) \(column)")
            }
            #expect(row["df"] == "275")   // 278 samples, 3 coefficients
        }
        // Structural zeros: those of scikit-bio's struc_zero among the features kept by prevalence.
        let zeros = csvRows(fromFile: dir + "/out/structural_zeros.csv")
        let expected = Set(csvRows("ancombc/struc-zero.csv").filter { $0["case"] == "twins_zero" }.map { $0["feature"]! + "|" + $0["group"]! })
        let found = zeros.filter { $0["structural_zero"] == "true" }.map { $0["feature"]! + "|" + $0["phenotype"]! }
        #expect(!found.isEmpty && Set(found).isSubset(of: expected))
        let absent = Set(found.map { String($0.split(separator: "|")[0]) })
        let filtered = csvRows(fromFile: dir + "/out/filtered_features.csv").filter { $0["reason"] == "structural_zero" }
        #expect(Set(filtered.map { $0["feature"]! }) == absent)
        #expect(filtered.allSatisfy { $0["detail"]!.contains("absent from phenotype ") && $0["detail"]!.contains(": a structural zero") })
        #expect(rows.allSatisfy { !absent.contains($0["feature"]!) })
        #expect(notes.contains("note: structural zeros by phenotype: \(absent.count) features absent from a whole group, not tested (structural_zeros.csv; filtered_features.csv says which group)"))
        let bias = try String(contentsOfFile: dir + "/out/bias.csv", encoding: .utf8)
        #expect(bias.hasPrefix("term,bias,bias_variance,iterations\nIntercept,"))
        let summary = try String(contentsOfFile: dir + "/out/summary.md", encoding: .utf8)
        #expect(summary.contains("Differential abundance was tested with ANCOM-BC2 (Lin & Peddada 2024"))
        #expect(summary.contains("were reported and not tested (\(absent.count))"))
        // Refusals, in words, before anything is written.
        var refused = job
        refused.outputDirectory = dir + "/refused"
        refused.ancombc.varianceQuantile = 1.5
        #expect { try refused.run { _ in } } throws: { message($0) == "--var-quantile: must be between 0 and 1 (got 1.5)" }
        refused.ancombc.varianceQuantile = 0.05
        refused.ancombc.structuralZeroGroup = nil
        refused.ancombc.structuralZeroLowerBound = true
        #expect { try refused.run { _ in } } throws: { message($0) == "--neg-lb: applies only together with --struc-zero. Add --struc-zero, or drop --neg-lb" }
        refused.ancombc.structuralZeroLowerBound = false
        refused.random = "(1 | subject)"
        #expect { try refused.run { _ in } } throws: { message($0).hasPrefix("--method ancombc2 fits no mixed models (as scikit-bio 0.7.4's ancombc and ancombc2") }
        #expect(!FileManager.default.fileExists(atPath: dir + "/refused"))
    }

    @Test func lindaRefusesWhatItCannotDo() throws {
        let dir = temporaryDirectory()
        func linda(_ configure: (inout AssociationRun) -> Void) -> AssociationRun {
            var job = AssociationRun(countsPath: counts, metadataPath: metadata, outputDirectory: dir + "/out")
            job.formula = "~ phq9_total"
            job.method = .linda
            configure(&job)
            return job
        }
        let cases: [(AssociationRun, String)] = [
            (linda { $0.linda.pseudoCount = 0 }, "--pseudocount: must be between 0 and ∞, exclusive (got 0)"),
            (linda { $0.linda.winsorQuantile = 1 }, "--winsorize: must be between 0 and 1, exclusive (got 1)"),
            (linda { $0.linda.minimumPrevalence = 1.5 }, "--min-prevalence: must be between 0 and 1 (got 1.5)"),
            (linda { $0.methodOnly = [(.normalization, [.maaslin2])] }, "--normalization: applies only to --method maaslin2. Add --method maaslin2, or drop --normalization"),
            (linda { $0.formula = nil; $0.outcome = "phq9_total" }, "--outcome: applies only to --method maaslin2. Add --method maaslin2, or drop --outcome"),
            (linda { $0.linda.minimumDepth = 1e9 }, "none of the 296 samples with every model variable has 1000000000 reads or more. Lower --min-depth"),
            (linda { $0.linda.minimumPrevalence = 1; $0.countsPath = datasetPath("twins/Twins.csv"); $0.metadataPath = datasetPath("twins/metadata.tsv")
                     $0.formula = "~ phenotype" }, "only 1 of the 130 features is present in 100% of the samples or more, and LinDA's log-ratios need at least two. Lower --min-prevalence"),
        ]
        for (job, expected) in cases {
            #expect { try job.run { _ in } } throws: { message($0) == expected }
            #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
        }
    }

    @Test func outcomeModeMatchesRLm() throws {
        let dir = temporaryDirectory()
        var job = AssociationRun(countsPath: counts, metadataPath: metadata, outputDirectory: dir + "/out")
        job.outcome = "phq9_total"
        job.covariates = ["age", "sex", "bmi", "antidepressant"]
        let result = try job.run { _ in }
        let reference = csvRows("association/association-maaslin2.csv").filter { $0["case"] == "study_outcome" }
        #expect(result.association.rows.count == reference.count)
        let first = try #require(result.association.rows.first)
        #expect(first.feature == reference[0]["feature"]!)
        #expect(isClose(first.estimate, Double(reference[0]["estimate"]!)!, relative: 1e-10))
        // Logistic outcome mode runs one model per feature.
        var logistic = job
        logistic.outputDirectory = dir + "/logit"
        logistic.outcome = "antidepressant"
        logistic.covariates = ["age"]
        logistic.family = .binomial
        let fit = try logistic.run { _ in }
        #expect(fit.association.rows.allSatisfy { !$0.pValue.isNaN || fit.association.failedFeatures.contains($0.feature) })
    }

    @Test func collapseAndFilterReportWhatTheyRemove() throws {
        let dir = temporaryDirectory()
        let table = fixturePath("association/small-table.csv")
        var collapse = CollapseRun(inputPath: table, outputPath: dir + "/genus.csv", level: .genus)
        collapse.readOptions.taxonomyPath = fixturePath("association/taxonomy-mothur.cons.taxonomy")
        var notes = [String]()
        let collapsed = try collapse.run { notes.append($0) }
        #expect(collapsed.taxonCount == 4)
        #expect(notes == ["note: \(table): 5 features collapsed to 4 at genus level"])
        var filter = FilterRun(inputPath: table, outputPath: dir + "/kept.csv")
        filter.readOptions.taxonomyPath = fixturePath("association/taxonomy-ranks.tsv")
        filter.minimumDepth = 10
        filter.minimumPrevalence = 0.5
        filter.exclude = ["Proteobacteria"]
        notes = []
        let (kept, removed) = try filter.run { notes.append($0) }
        // s3 has 10 reads: kept; f5 is a proteobacterium; f3 is in 1 of 3 samples.
        #expect(kept.sampleIDs == ["s1", "s2", "s3"])
        #expect(removed.excludedFeatures == ["f5"])
        #expect(removed.rareFeatures == ["f3"])
        #expect(kept.taxonIDs == ["f1", "f2", "f4"])
        #expect(notes.count == 2)
        let written = try String(contentsOfFile: dir + "/kept.csv", encoding: .utf8)
        #expect(written.hasPrefix("sample_id,f1,f2,f4\n"))
        var noTaxonomy = FilterRun(inputPath: table, outputPath: dir + "/x.csv")
        noTaxonomy.exclude = ["Mitochondria"]
        #expect { try noTaxonomy.run { _ in } } throws: { message($0) == "--exclude: applies only together with --taxonomy. Add --taxonomy, or drop --exclude" }
    }
}
