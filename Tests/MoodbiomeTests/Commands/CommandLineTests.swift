import ArgumentParser
import Foundation
import Testing
@testable import MoodbiomeCommands
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeStudy

/// Real command lines through the commands' parser, as swift-argument-
/// parser's own tests do (`parseAsRoot`, `message(for:)`, `exitCode(for:)`,
/// `helpMessage(for:)`): what each flag sets in the job, the errors and
/// exit codes users see, and the help texts.
@Suite("The command line: parsing, errors and help")
struct CommandLineTests {
    /// Parses `arguments` as `moodbiome …` and returns the subcommand.
    func parse<C: ParsableCommand>(_ arguments: [String], as type: C.Type = C.self) throws -> C {
        let command = try MoodbiomeCommand.parseAsRoot(arguments)
        return try #require(command as? C, "parsed \(Swift.type(of: command)), not \(C.self)")
    }

    /// The message and exit code a user gets for `arguments`.
    func failure(_ arguments: [String]) -> (message: String, code: Int32) {
        do {
            var command = try MoodbiomeCommand.parseAsRoot(arguments)
            try command.validate()
            return ("", 0)
        } catch {
            return (MoodbiomeCommand.message(for: error), MoodbiomeCommand.exitCode(for: error).rawValue)
        }
    }

    let study = ["--counts", "c.csv", "--metadata", "m.csv"]

    @Test func analyzeFlagsReachTheJob() throws {
        let command: AnalyzeCommand = try parse(["analyze"] + study + [
            "--outcome", "phq9_total", "--covariates", "age,sex", "--random", "(1 | participant_id)",
            "--beta", "braycurtis,jaccard", "--permutations", "199", "--strata", "participant_id",
            "--id-column", "sample", "--out-dir", "out", "--force", "--safe-csv", "--depth-covariate"])
        let job = try command.makeJob()
        #expect(job.association.outcome == "phq9_total" && job.association.covariates == ["age", "sex"])
        #expect(job.association.random.map(\.text) == ["(1 | participant_id)"])
        #expect(job.composition.metrics == ["braycurtis", "jaccard"] && job.composition.permutations == 199)
        #expect(job.composition.strata == "participant_id")
        #expect(job.idColumn == "sample" && job.outputDirectory == "out" && job.overwrite && job.guardFormulas)
        #expect(job.association.depthCovariate)
        let mediated: AnalyzeCommand = try parse(["analyze"] + study + ["--outcome", "phq9_total", "--mediate-by", "diet", "--mediation-sims", "800",
                                                                         "--seed", "3", "--out-dir", "o"])
        let mediatedJob = try mediated.makeJob()
        #expect(mediatedJob.mediateBy == "diet" && mediatedJob.mediation.simulations == 800 && mediatedJob.diversity.seed == 3)
        // --exposure carries the shared settings (depth included) into the exposure job.
        let exposure: AnalyzeCommand = try parse(["analyze"] + study + ["--exposure", "diet", "--depth-covariate", "--out-dir", "o"])
        #expect(try exposure.makeExposureJob().association.depthCovariate)
        let exposureBeta: AnalyzeCommand = try parse(["analyze"] + study + ["--exposure", "diet", "--beta", "braycurtis", "--strata", "pid", "--out-dir", "o"])
        let exposureJob = try exposureBeta.makeExposureJob()
        #expect(exposureJob.composition.metrics == ["braycurtis"] && exposureJob.composition.strata == "pid")
    }

    @Test func mediateFlagsReachTheJob() throws {
        let command: MediateCommand = try parse(["mediate"] + study + [
            "--exposure", "diet", "--outcome", "phq9_total", "--mediator", "shannon,taxon:Dialister", "--covariates", "age,C(sex)",
            "--interaction", "--exposure-values", "low,high", "--family", "binomial", "--method", "Bootstrap", "--sims", "2000",
            "--seed", "9", "--conf-level", "0.9", "--pseudocount", "1", "--out-dir", "o"])
        let job = try command.job
        #expect(job.countsPath == "c.csv" && job.mediators == ["shannon", "taxon:Dialister"] && job.covariates == ["age", "C(sex)"])
        #expect(job.exposureValues == ["low", "high"] && job.settings.interaction && job.settings.family == .binomial)
        #expect(job.settings.method == .bootstrap && job.settings.simulations == 2000 && job.settings.seed == 9)
        #expect(job.settings.confidenceLevel == 0.9 && job.pseudocount == 1 && job.outputDirectory == "o")
        let (message, code) = failure(["mediate", "--metadata", "m.csv", "--exposure", "x", "--outcome", "y", "--mediator", "m",
                                       "--exposure-values", "1", "--out-dir", "o"])
        #expect(message == "--exposure-values: '1' is not two different values, control first (e.g. 0,1)" && code == 64)
        #expect(failure(["mediate", "--metadata", "m.csv", "--exposure", "x", "--outcome", "y", "--mediator", "m", "--sims", "10",
                         "--out-dir", "o"]).message == "--sims: must be between 100 and 1000000 (got 10)")
    }

    @Test func mediationIntervalsAndSensitivityReachTheJob() throws {
        let command: MediateCommand = try parse(["mediate", "--metadata", "m.csv", "--exposure", "x", "--outcome", "y", "--mediator", "m",
                                                 "--method", "bootstrap", "--ci-type", "BCa", "--sensitivity", "--modules", "a.csv", "--out-dir", "o"])
        let job = try command.job
        #expect(job.settings.interval == .bca && job.sensitivity && job.modulesPath == "a.csv")
        #expect(failure(["mediate", "--metadata", "m.csv", "--exposure", "x", "--outcome", "y", "--mediator", "m", "--ci-type", "bca", "--out-dir", "o"])
                == ("--ci-type: 'bca' is not an interval of quasi-Bayesian draws (BCa needs bootstrap replicates: --method bootstrap)", 64))
    }

    @Test func modulesFlagsReachTheJob() throws {
        let command: ModulesCommand = try parse(["modules", "a.tsv", "b.tsv", "--db", "GMM", "--coverage", "0.5", "--estimator", "Average",
                                                 "--normalize-by-length", "--per-taxon", "--metadata", "m.csv", "--group-by", "diet",
                                                 "--id-column", "sample", "--out-dir", "o", "--force"])
        let job = try command.job
        #expect(job.profilePaths == ["a.tsv", "b.tsv"] && job.databases == ["GMM"] && job.settings.coverage == 0.5)
        #expect(job.settings.estimator == .average && job.settings.normalizeByLength && job.perTaxon)
        #expect(job.metadataPath == "m.csv" && job.groupBy == "diet" && job.idColumn == "sample" && job.overwrite)
        let defaults = try (parse(["modules", "a.tsv", "--out-dir", "o"]) as ModulesCommand).job
        #expect(defaults.databases == ["gbm"] && defaults.settings == ModuleScoring.Settings() && !defaults.perTaxon)
        #expect(failure(["modules", "a.tsv", "--coverage", "1.5", "--out-dir", "o"]) == ("--coverage: must be between 0 and 1 (got 1.5)", 64))
        #expect(failure(["modules", "a.tsv", "--group-by", "diet", "--out-dir", "o"]).message == "--group-by: applies only together with --metadata. Add --metadata, or drop --group-by")
        #expect(failure(["modules", "a.tsv", "--metadata", "m.csv", "--out-dir", "o"]).message == "--metadata: applies only together with --group-by. Add --group-by, or drop --metadata")
        #expect(failure(["modules", "a.tsv", "a.tsv", "--out-dir", "o"]).message == "<profiles>: 'a.tsv' is listed twice. Name each once")
        #expect(failure(["modules", "--out-dir", "o"]).message == "<profiles>: '' is not a functional profile")
        #expect(failure(["modules", "a.tsv", "--db", "gbm,GBM", "--out-dir", "o"]).message == "--db: 'gbm' is listed twice. Name each once")
        #expect(try (parse(["modules", "a.tsv", "--db", "gbm,gmm", "--out-dir", "o"]) as ModulesCommand).job.databases == ["gbm", "gmm"])
    }

    @Test func choicesAreAcceptedInAnyCase() throws {
        let command: AssociateCommand = try parse(["associate"] + study + ["--formula", "~ phq9", "--normalization", "CLR",
                                                                            "--transform", "NONE", "--adjust", "Holm", "--out-dir", "o"])
        let job = try command.job
        #expect(job.options.normalization == .clr && job.options.transform == FeatureTransform.none)
        #expect(job.options.adjustment == .holm)
        let (message, code) = failure(["associate"] + study + ["--formula", "~ phq9", "--normalization", "clrx", "--out-dir", "o"])
        #expect(code == 64 && message.hasPrefix("The value 'clrx' is invalid for '--normalization <method>'"))
    }

    @Test func oneOutputGroupForEveryOneFileCommand() throws {
        let beta: BetaCommand = try parse(["beta", "t.csv", "-o", "d.tsv", "--force", "--safe-csv", "--metric", "jaccard"])
        let job = beta.job
        #expect(job.outputPath == "d.tsv" && job.overwrite && job.guardFormulas && job.metric == "jaccard")
        let permanova: PermanovaCommand = try parse(["permanova", "d.tsv", "--metadata", "m.csv", "--formula", "~ x",
                                                     "--strata", "pid", "--id-column", "sample", "--output", "p.csv", "--force"])
        let p = try permanova.job
        #expect(p.permutation.strata == "pid" && p.input.idColumn == "sample" && p.output.path == "p.csv" && p.output.overwrite)
    }

    @Test func usageErrorsExitWith64InWords() {
        let strata = failure(["analyze"] + study + ["--outcome", "phq9_total", "--strata", "pid", "--out-dir", "o"])
        #expect(strata.code == 64 && strata.message == "--strata restricts the permutations of --beta's tests: give --beta too")
        let both = failure(["analyze"] + study + ["--outcome", "x", "--exposure", "y", "--out-dir", "o"])
        #expect(both.code == 64 && both.message == "give --exposure (diversity as the outcome) or --outcome/--scale, not both")
        let ml = failure(["analyze"] + study + ["--exposure", "y", "--ml", "--out-dir", "o"])
        #expect(ml.code == 64 && ml.message == "--ml needs --random (maximum likelihood is for mixed models)")
        let cutoff = failure(["analyze"] + study + ["--exposure", "y", "--outcome-cutoff", "10", "--out-dir", "o"])
        #expect(cutoff.code == 64 && cutoff.message == "--exposure fits linear models of each metric: --outcome-cutoff does not apply")
        let missing = failure(["analyze"] + study + ["--outcome", "x"])
        #expect(missing.code == 64 && missing.message.contains("--out-dir"))
        let integer = failure(["analyze"] + study + ["--outcome", "x", "--beta", "braycurtis", "--permutations", "1e3", "--out-dir", "o"])
        #expect(integer.code == 64, "\(integer.message)")
    }

    @Test func helpListsRegistriesAndSharedOptions() {
        let beta = MoodbiomeCommand.helpMessage(for: BetaCommand.self)
        for metric in BetaMetricDefinition.registry.map(\.name) { #expect(beta.contains(metric), "beta --help lacks \(metric)") }
        for flag in ["-o, --output <file>", "--force", "--safe-csv"] { #expect(beta.contains(flag), "beta --help lacks \(flag)") }
        let analyze = MoodbiomeCommand.helpMessage(for: AnalyzeCommand.self)
        #expect(analyze.contains("--strata <column>") && analyze.contains("--id-column <column>"))
        let root = MoodbiomeCommand.helpMessage()
        for name in ["analyze", "associate", "beta", "permanova", "betadisper", "mantel", "ordinate", "regress", "run"] {
            #expect(root.contains("  " + name), "root help lacks \(name)")
        }
    }

    /// The spelling notes use is the parser's: every parameter a job names
    /// is a flag some command declares.
    @Test func notesSpellFlagsTheParserKnows() {
        let help = MoodbiomeCommand.configuration.subcommands.map { MoodbiomeCommand.helpMessage(for: $0) }.joined()
        for parameter in [Parameter.strata, .seed, .permutations, .metadata, .overwrite, .guardFormulas, .outputDirectory, .idColumn] {
            let flag = commandLineSpelling.spell(parameter)
            #expect(help.contains(flag), "\(flag) is spelled in messages but no command declares it")
        }
    }
}

/// Every job has the one shape: it checks before any work, and its run
/// delivers a table to standard output or a line saying what it wrote.
@Suite("Jobs of one shape")
struct JobShapeTests {
    @Test func tableJobsDeliverTextOrWhatTheyWrote() throws {
        let dir = temporaryDirectory()
        var beta = BetaRun(tablePath: datasetPath("vegan-dune/dune_cover.csv"))
        let text = try beta.run { _ in }
        #expect(beta.delivery(of: text) == .standardOutput(text ?? ""))
        beta.outputPath = dir + "/d.tsv"
        #expect(beta.delivery(of: try beta.run { _ in }) == .written("wrote \(dir)/d.tsv"))
        beta.metric = "braycurtiss"
        #expect(throws: BetaDiversityError.unknownMetrics(["braycurtiss"])) { try beta.validate() }
        #expect(!beta.usesLinearAlgebra)
    }

    @Test func studiesSayHowManyModelsInWords() throws {
        var study = StudyAnalysis(countsPath: datasetPath("vegan-dune/dune_cover.csv"), metadataPath: datasetPath("vegan-dune/dune_env.csv"),
                                  outcome: "A1", outputDirectory: temporaryDirectory() + "/out")
        study.diversity.metrics = "shannon"
        let result = try study.run { _ in }
        guard case .written(let line) = study.delivery(of: result) else { Issue.record("no written line"); return }
        #expect(line.hasSuffix("(1 model, n = 20 joined samples)"), "\(line)")
        #expect(study.usesLinearAlgebra)
    }
}
