import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

func bciStudy(outputDirectory: String = temporaryDirectory() + "/out") -> StudyAnalysis {
    var job = StudyAnalysis(countsPath: datasetPath("vegan-bci/BCI_counts.csv"), metadataPath: datasetPath("vegan-bci/BCI_env.csv"),
                            outcome: "EnvHet", outputDirectory: outputDirectory)
    job.association.covariates = ["Habitat", "Stream"]
    job.diversity.metrics = "shannon,simpson,observed_features"
    return job
}

func twinsStudy(outputDirectory: String = temporaryDirectory() + "/out") -> StudyAnalysis {
    var job = StudyAnalysis(countsPath: datasetPath("twins/Twins.csv"), metadataPath: datasetPath("twins/metadata.tsv"),
                            outcome: "obese", outputDirectory: outputDirectory)
    job.diversity.readOptions.orientation = .columns
    job.diversity.metrics = "shannon,simpson,observed_features"
    job.association.family = .binomial
    return job
}

@Suite struct StudyAnalysisTests {
    /// The whole pipeline against scikit-bio + pandas + statsmodels + SciPy
    /// run end to end on the same files (generate_analyze_reference.py).
    @Test(arguments: ["bci", "twins"])
    func agreesWithIndependentPipeline(_ study: String) throws {
        let job = study == "bci" ? bciStudy() : twinsStudy()
        var notes = [String]()
        let result = try job.compute { notes.append($0) }
        let reference = referenceRows("analyze-reference.csv").filter { $0[0] == study }
        #expect(!reference.isEmpty)
        for row in reference {
            let index = try #require(result.metrics.firstIndex { $0.metric == row[1] })
            let m = result.metrics[index]
            if row[2] == "spearman" {
                #expect(isClose(m.spearman.statistic, Double(row[3])!, relative: 1e-10))
                #expect(abs(m.spearman.pValue - Double(row[5])!) < 1e-10)
                continue
            }
            let c = try #require(m.model.coefficients.first { $0.name == row[2] }, "no term \(row[2])")
            #expect(isClose(c.estimate!, Double(row[3])!, relative: 1e-8), "\(row[1]) \(row[2]) estimate")
            #expect(isClose(c.standardError!, Double(row[4])!, relative: 1e-8), "\(row[1]) \(row[2]) SE")
            #expect(abs(c.pValue! - Double(row[5])!) < 1e-8, "\(row[1]) \(row[2]) p")
            if row[6] != "NA" {
                #expect(abs(result.qValues[index] - Double(row[6])!) < 1e-8, "\(row[1]) q")
            }
        }
        if study == "twins" { #expect(notes.contains { $0.contains("24 of 278 rows left out") }) }
    }

    @Test func writesEveryFileByteIdenticallyOnRerun() throws {
        let first = temporaryDirectory() + "/a", second = temporaryDirectory() + "/b"
        var job = bciStudy(outputDirectory: first)
        job.diversity.rarefactionDepth = 300
        job.diversity.seed = 42
        try job.run { _ in }
        job.outputDirectory = second
        try job.run { _ in }
        for name in job.outputFiles where name != "provenance.json" {
            let a = try Data(contentsOf: URL(fileURLWithPath: first + "/" + name))
            let b = try Data(contentsOf: URL(fileURLWithPath: second + "/" + name))
            #expect(!a.isEmpty && a == b, "\(name) differs between runs")
        }
        let models = try String(contentsOfFile: first + "/models.csv", encoding: .utf8)
        #expect(models.hasPrefix("metric,term,estimate,std_error,statistic,p_value,conf_low,conf_high,std_estimate,vif,aliased,q_value\n"))
        let summary = try String(contentsOfFile: first + "/summary.md", encoding: .utf8)
        #expect(summary.contains("rarefied to 300 reads") && summary.contains("seed 42"))
        #expect(summary.contains("Habitat (reference OldHigh)"))
        // A second run into the same directory refuses without --force.
        #expect { try job.run { _ in } } throws: { ($0 as? OutputError)?.problem.hasPrefix("the output directory already holds a previous run (captions.md, cohort.csv, correlations.csv") == true }
        // A user's own file in it: the real fix first, with or without --force.
        try "mine".write(toFile: second + "/notes.txt", atomically: true, encoding: .utf8)
        for overwrite in [false, true] {
            job.overwrite = overwrite
            #expect { try job.run { _ in } } throws: {
                message($0) == "\(second): the output directory holds files Moodbiome did not write (notes.txt). The directory is replaced as a whole, so it must be new, empty or a previous run's; choose another output directory"
            }
        }
        #expect(try String(contentsOfFile: second + "/notes.txt", encoding: .utf8) == "mine")
    }

    @Test func mismatchedIDsAreAnErrorAndNothingIsWritten() throws {
        let dir = temporaryDirectory()
        let metadata = temporaryFile("meta.csv", "id,score\nX1,3\nX2,4\n")
        var job = bciStudy(outputDirectory: dir + "/out")
        job.metadataPath = metadata
        job.association.outcome = "score"
        job.association.covariates = []
        #expect {
            try job.run { _ in }
        } throws: { message($0).contains("no sample ID is in both") }
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
    }

    /// IDs in another metadata column than the first: the error names it.
    @Test func theColumnHoldingTheSampleIDsIsNamed() throws {
        let counts = temporaryFile("counts.csv", "sample_id,a,b,c\ns1,4,0,3\ns2,1,5,2\ns3,0,2,7\ns4,3,3,3\n")
        let metadata = temporaryFile("meta.csv", "row,sample,score\nr1,s1,3\nr2,s2,4\nr3,s3,5\nr4,s4,1\n")
        var job = StudyAnalysis(countsPath: counts, metadataPath: metadata, outcome: "score", outputDirectory: temporaryDirectory() + "/out")
        job.diversity.metrics = "shannon"
        #expect { try job.run { _ in } } throws: {
            message($0).hasSuffix("The metadata column 'sample' holds the table's sample IDs: name it with --id-column sample")
        }
        // A first column with repeated values is no ID column: the columns that could be are named.
        job.metadataPath = temporaryFile("visits.csv", "visit,sample,score\n1,s1,3\n2,s2,4\n1,s3,5\n2,s4,1\n")
        #expect { try job.run { _ in } } throws: {
            message($0).hasSuffix("Make the IDs unique, or name the right ID column with --id-column (columns with a distinct value in every row: sample)")
        }
    }

    @Test func unknownCovariateIsNamedBeforeAnyWork() throws {
        var job = bciStudy()
        job.association.covariates = ["Habitat", "stream"]
        #expect {
            try job.run { _ in }
        } throws: { message($0).contains("no column 'stream'") && message($0).contains("Did you mean 'Stream'?") }
        #expect(!FileManager.default.fileExists(atPath: job.outputDirectory))
    }

    @Test func outcomeCutoffFitsLogisticModels() throws {
        var job = bciStudy()
        job.association.outcomeCutoff = 0.5
        let result = try job.compute { _ in }
        #expect(result.family == .binomial)
        #expect(result.modelledOutcome == "EnvHet_ge_0.5")
        let merged = result.merged
        for (y, b) in zip(try #require(merged["EnvHet"]).cells, try #require(merged["EnvHet_ge_0.5"]).cells) {
            #expect((Double(y)! >= 0.5) == (b == "1"))
        }
        let summary = result.files.first { $0.name == "summary.md" }!.text
        #expect(summary.contains("OR (95% CI)"))
    }
}

@Suite struct ConfidenceLevelTests {
    /// The level asked for is the level every interval, caption and table
    /// header states: the statistics layer computes the bands at that level.
    @Test func everyOutputSaysTheLevelUsed() throws {
        var job = StudyAnalysis(countsPath: datasetPath("simulated-gut-mood/counts.csv"), metadataPath: datasetPath("simulated-gut-mood/metadata.csv"),
                                outcome: "phq9_total", outputDirectory: temporaryDirectory() + "/out")
        job.diversity.metrics = "shannon,observed_features"
        job.association.covariates = ["age", "sex"]
        job.association.confidenceLevel = 0.9
        let result = try job.compute { _ in }
        for file in result.files where !file.name.hasSuffix(".csv") {
            #expect(!file.text.contains("95%"), "\(file.name) says 95%")
        }
        for name in ["summary.md", "report.html", "figures/phq9_total-vs-shannon.svg"] {
            #expect(result.files.first { $0.name == name }?.text.contains("90% CI") == true, "\(name) does not say 90% CI")
        }
        let line = try #require(result.metrics[0].line)
        #expect(line.confidenceLevel == 0.9)
        // The band's half-width is t(0.95, n − 2)·s·√(…): narrower than at 95%.
        let wide = try #require(AlphaAssociation.fitLine(x: result.metrics[0].metricValues, y: result.metrics[0].outcomeValues, level: 0.95))
        #expect(zip(line.high, wide.high).allSatisfy { $0 < $1 })
    }
}

/// Longitudinal runs draw each participant's trajectory and the change
/// from the first visit; the time is `--time`, or the random slope's column.
@Suite struct LongitudinalFigureTests {
    func job(_ out: String, random: String) -> StudyAnalysis {
        var job = StudyAnalysis(countsPath: datasetPath("simulated-longitudinal/counts.csv"),
                                metadataPath: datasetPath("simulated-longitudinal/metadata.csv"), outcome: "phq9_total", outputDirectory: out)
        job.association.random = try! Formula.randomTerms(random)
        job.association.covariates = ["months"]
        job.diversity.metrics = "shannon"
        return job
    }

    @Test func trajectoriesAndChangesAreDrawn() throws {
        let out = temporaryDirectory() + "/slope"
        let result = try job(out, random: "(1 + months | participant_id)").run { _ in }
        let names = result.files.map(\.name)
        for figure in ["figures/trajectory-phq9_total.svg", "figures/trajectory-shannon.svg", "figures/change-phq9_total-vs-shannon.svg"] {
            #expect(names.contains(figure), "\(figure)")
        }
        let legends = try String(contentsOfFile: out + "/captions.md", encoding: .utf8)
        let means = csvRows("longitudinal/trajectories-scipy.csv").map { $0["n"]! }.joined(separator: ", ")
        #expect(legends.contains("**PHQ-9 total over months, per participant.** 150 participants (participant_id) with two visits or more: "
                                 + "one grey line each. Points: the mean at each time point (months) with its 95% t interval (n = \(means))."))
        #expect(legends.contains("438 changes from 150 participants: each later visit's value minus the same participant's at their first visit."))
        // A random intercept only: no time unless --time names it.
        let plain = try job(temporaryDirectory() + "/intercept", random: "(1 | participant_id)").run { _ in }
        #expect(!plain.files.contains { $0.name.contains("trajectory") })
        var timed = job(temporaryDirectory() + "/timed", random: "(1 | participant_id)")
        timed.time = "visit"
        let named = try timed.run { _ in }
        #expect(named.files.contains { $0.name == "figures/trajectory-shannon.svg" })
        timed.time = "sex"
        timed.outputDirectory = temporaryDirectory() + "/sex"
        #expect { try timed.run { _ in } } throws: { message($0) == "--time: 'sex' is not a numeric column (months, days or visit number)" }
        // Diversity as the outcome (--exposure): each metric's trajectory too.
        var exposure = ExposureStudy(job(temporaryDirectory() + "/exposure", random: "(1 + months | participant_id)"), exposure: "antidepressant")
        exposure.overwrite = true
        let byExposure = try exposure.run { _ in }
        #expect(byExposure.files.contains { $0.name == "figures/trajectory-shannon.svg" })
    }
}

@Suite struct RegressionRunTests {
    /// `regress --formula "… + (1 + months | participant_id)" --ml --random-output`:
    /// the coefficient table gains df, the variance components go to their file,
    /// and the mixed-model options are refused for models without random terms.
    @Test func mixedModelsWriteTheRandomEffectsTable() throws {
        let dir = temporaryDirectory()
        var job = RegressionRun(dataPath: fixturePath("mixed/longitudinal.csv"),
                                formula: "phq9_total ~ shannon * months + (1 + months | participant_id)")
        job.reml = false
        job.outputPath = dir + "/model.csv"
        job.randomOutputPath = dir + "/random.tsv"
        var notes = [String]()
        #expect(try job.run { notes.append($0) } == nil)
        let model = try String(contentsOfFile: dir + "/model.csv", encoding: .utf8)
        #expect(model.hasPrefix("term,estimate,std_error,statistic,df,p_value,conf_low,conf_high,aliased\nIntercept,"))
        let random = try String(contentsOfFile: dir + "/random.tsv", encoding: .utf8)
        #expect(random.hasPrefix("group\tterm\tterm2\tvariance\tsd\tcorrelation\nparticipant_id\tIntercept\t\t11.9778"))
        #expect(notes.contains { $0.hasPrefix("fit: nobs = 238, groups_participant_id = 60, sigma = 3.72813, log_likelihood = -708.517, deviance = 1417.03,") })
        job.formula = "phq9_total ~ shannon * months"
        job.outputPath = dir + "/other.csv"
        job.randomOutputPath = nil
        #expect { try job.run { _ in } } throws: {
            message($0) == "--ml: applies only to mixed models, whose formula has random-effects terms such as (1 | participant). Add a random-effects term, or drop --ml"
        }
        job.reml = true
        job.randomOutputPath = dir + "/r.csv"
        #expect { try job.run { _ in } } throws: { message($0).hasPrefix("--random-output: applies only to mixed models") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["model.csv", "random.tsv"])
    }

    /// `--profile-ci`: the standard deviations' profile intervals in the
    /// random-output table (values checked against lme4 in MixedModelTests);
    /// a correlated term's rows are left empty with a note; the flag needs
    /// random terms and --random-output.
    @Test func profileIntervalsJoinTheRandomEffectsTable() throws {
        let dir = temporaryDirectory()
        var job = RegressionRun(dataPath: fixturePath("mixed/longitudinal.csv"), formula: "phq9_total ~ shannon + (1 + months | participant_id)")
        job.outputPath = dir + "/model.csv"
        job.randomOutputPath = dir + "/random.csv"
        job.profileIntervals = true
        var notes = [String]()
        _ = try job.run { notes.append($0) }
        let lines = try String(contentsOfFile: dir + "/random.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines[0] == "group,term,term2,variance,sd,correlation,sd_conf_low,sd_conf_high")
        #expect(lines[1].hasSuffix(",,") && lines[3].hasSuffix(",,"))
        let sigma = lines[4].split(separator: ",", omittingEmptySubsequences: false).suffix(2).map { Double($0)! }
        // lme4: confint(fit, parm = "theta_")["sigma", ] = 3.32110976948, 4.2879641677.
        #expect(isClose(sigma[0], 3.32110976948, relative: 1e-6) && isClose(sigma[1], 4.2879641677, relative: 1e-6))
        #expect(notes.contains("note: profile intervals are computed for scalar random terms only (random intercepts, or slopes in || form); the correlated terms' rows have none"))
        job.randomOutputPath = nil
        job.outputPath = dir + "/other.csv"
        #expect { try job.run { _ in } } throws: {
            message($0) == "--profile-ci: applies only together with --random-output. Add --random-output, or drop --profile-ci"
        }
    }

    @Test func jsonHasExactlyModelCoefficientsAndFit() throws {
        var job = RegressionRun(dataPath: fixturePath("regression-data.csv"), formula: "depressed ~ shannon + age + sex")
        job.family = .binomial
        job.format = .json
        job.exponentiate = true
        let text = try #require(try job.run { _ in })
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        #expect(Set(object.keys) == ["model", "coefficients", "fit"])
        let coefficients = object["coefficients"] as! [[String: Any]]
        #expect(coefficients.map { $0["term"] as! String } == ["Intercept", "shannon", "age", "sex[T.M]"])
        #expect(coefficients[1]["odds_ratio"] != nil)
        let fit = object["fit"] as! [String: Any]
        #expect(fit["nobs"] as? Int == 233 && fit["n_dropped"] as? Int == 7)
    }

    @Test func writesCoefficientAndFitTablesAtomically() throws {
        let dir = temporaryDirectory()
        var job = RegressionRun(dataPath: fixturePath("regression-data.csv"), formula: "phq9 ~ shannon + age + C(sex) + bmi")
        job.covariance = .hc3
        job.outputPath = dir + "/model.csv"
        job.fitOutputPath = dir + "/fit.tsv"
        #expect(try job.run { _ in } == nil)
        let model = try String(contentsOfFile: dir + "/model.csv", encoding: .utf8)
        #expect(model.hasPrefix("term,estimate,std_error,statistic,p_value,conf_low,conf_high,std_estimate,vif,aliased\n"))
        let fit = try String(contentsOfFile: dir + "/fit.tsv", encoding: .utf8)
        // With HC3 errors the overall test is the robust Wald F, and its columns say so.
        #expect(fit.hasPrefix("nobs\tdf_residual\tr_squared\tadj_r_squared\tsigma\twald_f_statistic\twald_f_p_value\tlog_likelihood\taic\tbic\tn_dropped\n215\t210\t"))
        // Failing runs leave nothing behind.
        job.outputPath = dir + "/other.csv"
        job.fitOutputPath = nil
        job.formula = "phq9 ~ nosuchcolumn"
        #expect { try job.run { _ in } } throws: {
            message($0) == fixturePath("regression-data.csv") + ": the formula uses a column 'nosuchcolumn' that the table does not have (column 'nosuchcolumn'). Columns are: phq9, shannon, age, bmi, sex, group, depressed"
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/other.csv"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["fit.tsv", "model.csv"])
    }

    @Test func referenceLevelsFromTheCommandLine() throws {
        #expect(try RegressionRun.parseReferences(["sex=M", "group=severe"]) == ["sex": "M", "group": "severe"])
        #expect(throws: ParameterError(.reference, .malformed(value: "sex", expected: "column=level (e.g. sex=M)"))) {
            try RegressionRun.parseReferences(["sex"])
        }
        #expect(message(ParameterError(.reference, .malformed(value: "sex", expected: "column=level (e.g. sex=M)")))
                == "--reference: 'sex' is not column=level (e.g. sex=M)")
    }
}

/// Issue 10's points on inputs and models, end to end.
@Suite struct StudyUsabilityTests {
    /// Twins.csv has taxa as rows: with the metadata, analyze finds the
    /// samples in the header and says so; without it, diversity warns.
    /// The usual reading confirmed by the metadata is quiet; a reading the
    /// other side also supports is a warning.
    @Test func orientationIsNotedOnlyWhenOverriddenOrDoubtful() throws {
        let metadata = temporaryFile("m.csv", "sample_id,score\ns1,3\ns2,4\ns3,5\ns4,1\n")
        func notes(_ counts: String) throws -> [String] {
            var job = StudyAnalysis(countsPath: temporaryFile("c.csv", counts), metadataPath: metadata, outcome: "score",
                                    outputDirectory: temporaryDirectory() + "/out")
            job.diversity.metrics = "shannon"
            job.spelling = commandLineSpelling
            var out = [String]()
            _ = try job.compute { out.append($0) }
            return out.filter { $0.contains("samples are the table's") }
        }
        #expect(try notes("sample_id,a,b,c\ns1,4,0,3\ns2,1,5,2\ns3,0,2,7\ns4,3,3,3\n").isEmpty)
        let both = try notes("sample_id,a,b,c\ns1,4,0,3\ns2,1,5,2\ns3,0,2,7\ns4,3,3,3\n".replacingOccurrences(of: "a,b,c", with: "a,b,s1"))
        #expect(both.count == 1 && both[0].hasPrefix("warning: ") && both[0].hasSuffix("samples are the table's rows (its first column's IDs): 4 of them are metadata IDs, against 1 the other way (--samples-in rows|columns overrides this)"), "\(both)")
    }

    @Test func orientationFollowsTheMetadataAndTransposedTablesAreFlagged() throws {
        var job = twinsStudy()
        job.diversity.readOptions.orientation = .auto
        job.spelling = commandLineSpelling
        var notes = [String]()
        let result = try job.compute { notes.append($0) }
        #expect(result.merged.rowCount == 278)
        #expect(notes.contains(datasetPath("twins/Twins.csv").prefixed("note: ")
            + ": samples are the table's columns (its header's IDs): 278 of them are metadata IDs, against 0 the other way (--samples-in rows|columns overrides this)"))
        var diversity = DiversityRun(tablePath: datasetPath("twins/Twins.csv"))
        diversity.metrics = "shannon"
        diversity.spelling = commandLineSpelling
        var warnings = [String]()
        let alpha = try diversity.compute { warnings.append($0) }
        #expect(alpha.sampleIDs.count == 130)
        #expect(warnings == [datasetPath("twins/Twins.csv").prefixed("warning: ") + ": the rows were read as the samples, but their IDs look like taxon names or feature IDs "
            + "(Acetanaerobacterium, Acetivibrio, Acetobacterium, …) and the columns' like sample IDs; and their totals spread as features' do, "
            + "over 3.9 orders of magnitude (10th to 90th percentile) against 0.57 for the columns' totals, where samples' sequencing depths "
            + "usually lie within one. If the samples are the columns, pass --samples-in columns (--samples-in rows keeps this reading and silences this warning)"])
        // Samples-as-rows tables are not flagged (rarefied ones neither: their totals are equal).
        for path in ["vegan-bci/BCI_counts.csv", "vegan-dune/dune_cover.csv", "simulated-gut-mood/counts.csv", "globalpatterns/feature-table.tsv"] {
            var run = DiversityRun(tablePath: datasetPath(path))
            run.metrics = "shannon"
            var none = [String]()
            _ = try run.compute { none.append($0) }
            #expect(!none.contains { $0.hasPrefix("warning:") }, "\(path)")
        }
    }

    /// Without metadata, a transposed table is flagged whatever its IDs
    /// look like: `Genus_021` and numeric OTU IDs (GlobalPatterns' 19,216)
    /// as the samples, their totals spread as features' do.
    @Test(arguments: ["simulated-gut-mood/counts.csv", "globalpatterns/feature-table.tsv"])
    func transposedTablesAreFlaggedWhateverTheirNames(_ path: String) throws {
        let table = try CountTable.read(datasetPath(path))
        // Written the other way round, as a plain CSV with samples as columns.
        var text = "feature_id," + table.sampleIDs.joined(separator: ",") + "\n"
        let dense = table.denseSamplesByTaxa()
        for t in 0..<table.taxonCount {
            text += table.taxonIDs[t] + "," + (0..<table.sampleCount).map { NumberStyle.roundTrip.format(dense[$0, t]) }.joined(separator: ",") + "\n"
        }
        let file = temporaryFile("transposed.csv", text)
        var run = DiversityRun(tablePath: file)
        run.metrics = "shannon"
        run.spelling = commandLineSpelling
        var warnings = [String]()
        _ = try run.compute { warnings.append($0) }
        let warning = try #require(warnings.first { $0.hasPrefix("warning: ") })
        #expect(warning.contains("the rows were read as the samples, but") && warning.contains("If the samples are the columns, pass --samples-in columns"))
        #expect(warning.contains("their totals spread as features' do"))
        // Read as the user says: no warning.
        run.readOptions.orientation = .columns
        var none = [String]()
        _ = try run.compute { none.append($0) }
        #expect(!none.contains { $0.hasPrefix("warning:") })
    }

    @Test func featureIDsAreTold() {
        for id in ["Genus_021", "OTU_12", "Otu0001", "ASV3", "sOTU-5", "Bacteroides", "k__Bacteria;p__Firmicutes", "g__Blautia",
                   "4b5eeb300368260019c1fbc7a3c718fc", String(repeating: "ACGT", count: 13)] {
            #expect(CountTable.featureLike(id), "\(id)")
        }
        for id in ["P0001", "P0001_V2", "TS1.2", "S12", "sample_3", "CL3", "549322"] { #expect(!CountTable.featureLike(id), "\(id)") }
    }

    /// A two-valued outcome gets logistic models unless a family is named,
    /// and a text outcome says which level is the event.
    @Test func twoValuedOutcomesDefaultToLogistic() throws {
        var job = twinsStudy()
        job.association.family = nil
        let result = try job.compute { _ in }
        #expect(result.family == .binomial)
        #expect(result.analysis.familyFromOutcome)
        let documents = StudyDocuments(result: result.analysis, countsPath: job.diversity.tablePath, alphaOptions: job.diversity.options,
                                       rarefaction: nil, tableFiles: job.tableFiles)
        #expect(documents.notes.contains("note: obese takes two values, so each metric's model is a logistic regression (odds ratios); set the family to gaussian for a linear probability model instead"))
        #expect(documents.summaryMarkdown.contains("\n## Notes\n\n") && documents.summaryMarkdown.contains("\n- obese takes two values"))
        job.association.family = .gaussian
        #expect(try job.compute { _ in }.family == .gaussian)
        // A text outcome: antidepressant yes/no.
        var simulated = StudyAnalysis(countsPath: datasetPath("simulated-gut-mood/counts.csv"),
                                      metadataPath: datasetPath("simulated-gut-mood/metadata.csv"),
                                      outcome: "antidepressant", outputDirectory: temporaryDirectory() + "/o")
        simulated.diversity.metrics = "shannon"
        let text = try simulated.compute { _ in }
        #expect(text.family == .binomial)
        #expect(text.analysis.modelNotes.contains { Words.note($0.note) == "outcome coding: antidepressant = yes coded 1, no coded 0" })
    }

    /// Fewer than 10 events per coefficient is flagged, with the counts in the fit table.
    @Test func fewEventsAreFlagged() throws {
        var text = "id,y,x,z\n"
        for i in 0..<60 { text += "r\(i),\(i % 12 == 0 ? 1 : 0),\(Double(i % 7) / 3),\(Double(i % 5))\n" }
        let data = try DataTable.read(temporaryFile("events.csv", text))
        let model = try FittedModel.fit(formula: Formula("y ~ x + z"), data: data, family: .binomial)
        #expect(model.notes.contains(.fewEvents(events: 5, parameters: 3)))
        #expect(Words.note(.fewEvents(events: 5, parameters: 3)) == "few events: 5 of the rarer outcome for 3 coefficients (1.7 per coefficient, below the usual 10): the odds ratios are biased away from 1 and the intervals too narrow; use fewer covariates")
        #expect(model.fitStatistic("events") == 5)
        #expect(isClose(model.fitStatistic("events_per_parameter")!, 5.0 / 3, relative: 1e-15))
    }

    /// Covariates are formula terms as well as columns: C(), log(), I().
    @Test func covariatesMayBeFormulaTerms() throws {
        var job = StudyAnalysis(countsPath: datasetPath("simulated-gut-mood/counts.csv"),
                                metadataPath: datasetPath("simulated-gut-mood/metadata.csv"),
                                outcome: "phq9_total", outputDirectory: temporaryDirectory() + "/o")
        job.diversity.metrics = "shannon"
        job.association.covariates = ["age", "C(bristol_stool_type)", "log(bmi)", "I(age^2)"]
        let result = try job.compute { _ in }
        let names = result.metrics[0].model.coefficients.map(\.name)
        #expect(names.first { $0.hasPrefix("C(bristol_stool_type)[T.") } == "C(bristol_stool_type)[T.2]")
        #expect(names.contains("log(bmi)") && names.contains("I(age ^ 2)"))
        #expect(result.merged.columnNames == ["phq9_total", "age", "bristol_stool_type", "bmi", "phq9_band", "shannon"])
        // The same model from regress's formula gives the same numbers.
        let direct = try FittedModel.fit(formula: Formula("phq9_total ~ shannon + age + C(bristol_stool_type) + log(bmi) + I(age^2)"),
                                         data: result.merged)
        #expect(zip(direct.coefficients, result.metrics[0].model.coefficients).allSatisfy { $0.estimate == $1.estimate })
        job.association.covariates = ["age", "0"]
        #expect { try job.compute { _ in } } throws: { message($0).contains("a covariate must be a column or a term over columns") }
        job.association.covariates = ["log(weight)"]
        #expect { try job.compute { _ in } } throws: { message($0).contains("'weight'") }
    }

    /// `--metrics all`: the summary says the q-values cover related indices
    /// and names the metrics that are monotone transforms of one another.
    @Test func redundantMetricsAreNamed() throws {
        var job = StudyAnalysis(countsPath: datasetPath("simulated-gut-mood/counts.csv"),
                                metadataPath: datasetPath("simulated-gut-mood/metadata.csv"),
                                outcome: "phq9_total", outputDirectory: temporaryDirectory() + "/o")
        job.diversity.metrics = "observed_features,shannon,simpson,inv_simpson,hill_0,hill_2,chao1,pielou_e"
        let result = try job.compute { _ in }
        let documents = StudyDocuments(result: result.analysis, countsPath: job.diversity.tablePath, alphaOptions: job.diversity.options,
                                       rarefaction: nil, tableFiles: job.tableFiles)
        #expect(documents.notes.contains("note: these metrics are monotone transforms of one another (the same information, ranked alike): (observed_features, hill_0); (simpson, inv_simpson, hill_2). The q-values treat them as 8 tests; report one of each group"))
        #expect(documents.notes.contains { $0.hasPrefix("note: the q-values adjust across 8 metrics, largely correlated measures") })
        #expect(MetricRedundancy.redundant(among: ["shannon", "chao1"]).isEmpty)
    }

    /// Fisher's exact test against SciPy 1.17.1 `fisher_exact` (two-sided;
    /// values printed by `repr`).
    @Test(arguments: [
        ([[3, 1], [1, 3]], 9.0, 0.48571428571428565),
        ([[10, 2], [3, 15]], 25.0, 0.0005367241191434357),
        ([[0, 5], [6, 1]], 0.0, 0.01515151515151515),
        ([[1, 9], [11, 3]], 0.030303030303030304, 0.0027594561852200836),
    ])
    func fisherExactMatchesSciPy(_ table: [[Int]], _ odds: Double, _ p: Double) {
        let r = GroupComparison.fisherExact(table)
        #expect(isClose(r.statistic, odds, relative: 1e-14))
        #expect(isClose(r.pValue, p, relative: 1e-12))
    }

    /// Table 1 of analyze: no row restating the grouping, the metrics and
    /// the depth as rows, ordinal and depth columns as median [IQR], 0/1 as n (%).
    @Test func tableOneHasTheMetricsAndNotTheGrouping() throws {
        var job = StudyAnalysis(countsPath: datasetPath("simulated-gut-mood/counts.csv"),
                                metadataPath: datasetPath("simulated-gut-mood/metadata.csv"),
                                outcome: "phq9_total", outputDirectory: temporaryDirectory() + "/o")
        job.diversity.metrics = "shannon,observed_features"
        job.association.covariates = ["age", "bristol_stool_type"]
        let result = try job.compute { _ in }
        let cohort = try #require(result.files.first { $0.name == "cohort.csv" }).text
        let rows = cohort.split(separator: "\n").map { String($0.split(separator: ",").first ?? "") }
        #expect(rows.contains("\"shannon") && rows.contains("\"observed_features") && rows.contains("\"reads"))
        #expect(!rows.contains { $0.hasPrefix("\"phq9_total") })
        #expect(cohort.contains("\"reads, median [IQR]\""))
        #expect(cohort.contains("\"bristol_stool_type, median [IQR]\""))
        #expect(cohort.contains("Kruskal-Wallis rank-sum test"))
        // A 0/1 column is counted, not averaged.
        let data = try DataTable.read(temporaryFile("t1.csv", "id,g,flag,x\na,u,0,1\nb,u,1,2\nc,v,0,3\nd,v,0,4\ne,u,1,5\nf,v,1,6\n"))
        let summary = try CohortSummary.study(data: data, outcome: nil, groupedByOutcome: false, metrics: ["x"], reads: nil,
                                              covariates: ["flag"], groupBy: "g")
        let flag = try #require(summary.variables.first { $0.name == "flag" })
        if case .categorical = flag.summary {} else { Issue.record("flag should be categorical") }
        #expect(flag.test?.method == "Fisher's exact test")
    }

    /// Unrarefied richness that goes with depth is flagged; --depth-covariate
    /// adds log(reads) to every model and the methods say which was done.
    @Test func sequencingDepthIsFlaggedOrAdjustedFor() throws {
        var job = twinsStudy()
        job.diversity.metrics = "shannon,observed_features"
        let flagged = try job.compute { _ in }
        #expect(flagged.analysis.depthCorrelations.map(\.metric) == ["observed_features"])
        let rho = try #require(flagged.analysis.depthCorrelations.first?.test.statistic)
        let reads = flagged.merged.ids.map { id in flagged.analysis.diversity.reads[flagged.analysis.diversity.sampleIDs.firstIndex(of: id)!] }
        #expect(isClose(rho, Correlation.spearman(flagged.merged["observed_features"]!.numbers, reads).statistic, relative: 1e-15))
        let summary = try #require(flagged.files.first { $0.name == "summary.md" }).text
        #expect(summary.contains("Metrics were computed on unrarefied counts and the models were not adjusted for sequencing depth; `observed_features` correlated with depth (Spearman ρ = 0.479)."))
        job.association.depthCovariate = true
        let adjusted = try job.compute { _ in }
        #expect(adjusted.analysis.depthCorrelations.isEmpty)
        let model = adjusted.metrics[1].model
        #expect(model.coefficients.map(\.name) == ["Intercept", "observed_features", "log_reads"])
        // log_reads is the natural log of the table's column totals.
        let table = try CountTable.read(datasetPath("twins/Twins.csv"), options: .init(orientation: .columns))
        let totals = Dictionary(uniqueKeysWithValues: zip(table.sampleIDs, table.sampleTotals))
        #expect(adjusted.merged["log_reads"]!.numbers == adjusted.merged.ids.map { log(totals[$0]!) })
    }

    /// --levels orders Table 1's group columns and the box plots, and names values.
    @Test func levelsOrderTableOneAndFigures() throws {
        var job = twinsStudy()
        job.diversity.metrics = "shannon"
        job.association.groupBy = "phenotype"
        _ = job.names.addLevels("phenotype=Lean,Overweight,Obese")
        _ = job.names.addLevels("obese=0:lean,1:obese")
        let result = try job.compute { _ in }
        let cohort = try #require(result.files.first { $0.name == "cohort.csv" }).text
        #expect(cohort.hasPrefix("Characteristic,Overall (n = 278),Lean (n = 61),Overweight (n = 24),Obese (n = 193),p,Test\n"))
        #expect(cohort.contains("\n  lean,61 (24.0%),61 (100.0%),0,0 (0.0%),"))
        let figure = try #require(result.files.first { $0.name == "figures/shannon-by-phenotype.svg" }).text
        let lean = try #require(figure.range(of: ">Lean<")), obese = try #require(figure.range(of: ">Obese<"))
        #expect(lean.lowerBound < obese.lowerBound)
        let byOutcome = try #require(result.files.first { $0.name == "figures/shannon-by-obese.svg" }).text
        #expect(byOutcome.contains(">lean<") && byOutcome.contains(">obese<"))
    }

    /// Linear models with covariates get an added-variable plot whose slope
    /// is the adjusted β (Frisch–Waugh–Lovell), and the panel of main figures.
    @Test func addedVariablePlotsShowTheAdjustedFit() throws {
        var job = StudyAnalysis(countsPath: datasetPath("simulated-gut-mood/counts.csv"),
                                metadataPath: datasetPath("simulated-gut-mood/metadata.csv"),
                                outcome: "phq9_total", outputDirectory: temporaryDirectory() + "/o")
        job.diversity.metrics = "shannon,chao1"
        job.association.covariates = ["age", "sex", "bmi"]
        let result = try job.compute { _ in }
        let m = result.metrics[0]
        let av = try #require(m.adjusted)
        let slope = zip(av.x, av.y).reduce(0) { $0 + $1.0 * $1.1 } / av.x.reduce(0) { $0 + $1 * $1 }
        #expect(isClose(slope, m.term.estimate!, relative: 1e-10))
        #expect(isClose(av.line.fit[60] / av.line.x[60], m.term.estimate!, relative: 1e-12))
        let names = result.files.map(\.name)
        #expect(names.contains("figures/phq9_total-vs-shannon-adjusted.svg") && names.contains("figures/panel-metrics.svg"))
        let panel = try #require(result.files.first { $0.name == "figures/panel-metrics.svg" }).text
        #expect(panel.components(separatedBy: "<svg x=").count == 3)
        // No covariates, no added-variable plot.
        job.association.covariates = []
        #expect(try job.compute { _ in }.metrics[0].adjusted == nil)
    }

    @Test func pValuesReadInTextAndIntegersPrintWhole() {
        #expect(NumberPolicy.statement(0.0004) == "p < 0.001")
        #expect(NumberPolicy.statement(0.0069, symbol: "q") == "q = 0.0069")
        #expect(NumberStyle.significantDigits(3).format(6960) == "6960")
        // Intervals keep their relation to the null visible.
        #expect(NumberPolicy.interval(0.98512, 0.99961, null: 1) == "0.9851 to 0.9996")
        #expect(NumberPolicy.interval(0.9, 1.2, null: 1) == "0.900 to 1.20")
        #expect(NumberPolicy.interval(-0.0000312, 0.00004, null: 0) == "-3.12e-05 to 4.00e-05")
        #expect(NumberPolicy.interval(0.0001234, 0.51) == "0.000123 to 0.510")
        #expect(NumberStyle.significantDigits(3).format(6960.4) == "6.96e+03")
    }
}

private extension String {
    func prefixed(_ p: String) -> String { p + self }
}
