import ArgumentParser
import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics
import MoodbiomeReport

/// The root command: `moodbiome <subcommand>`.
public struct MoodbiomeCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "moodbiome",
        abstract: "Gut-microbiome diversity and mood studies, with the numbers of scikit-bio, vegan, statsmodels and R.",
        discussion: """
        Read a study's count table and metadata, compute alpha diversity (the scikit-bio 0.7 set), \
        score depression scales, regress scores on diversity with covariates, ask whether an \
        exposure acts on mood through the microbiome (causal mediation), and write tidy \
        tables, figures and a self-contained HTML report with a provenance record. Every number \
        is checked against an independent implementation.

        Examples (each line fits 80 columns, so they paste as they are):
          moodbiome analyze --counts Datasets/simulated-gut-mood/counts.csv \\
              --metadata Datasets/simulated-gut-mood/metadata.csv \\
              --outcome phq9_total --covariates age,sex,bmi,antidepressant \\
              --out-dir results/
          moodbiome analyze --counts Datasets/globalpatterns/feature-table.tsv \\
              --metadata Datasets/globalpatterns/metadata.tsv \\
              --exposure SampleType --out-dir by-type/
          moodbiome regress merged.csv --robust hc3 \\
              --formula "phq9 ~ shannon + age + C(sex) + bmi"
          moodbiome mediate --metadata Datasets/simulated-mediation/participants.csv \\
              --exposure diet --outcome phq9_total --mediator shannon \\
              --covariates "age,C(sex)" --out-dir mediation/
          moodbiome score metadata.csv --scale phq9 --prefix phq9_ -o scored.csv
          moodbiome diversity table.tsv --metrics all --base 2 --format md
          moodbiome run --template > study.toml; moodbiome run study.toml --verify
          moodbiome metrics; moodbiome scales
        """,
        version: moodbiomeVersion,
        subcommands: [AnalyzeCommand.self, AssociateCommand.self, MediateCommand.self, ModulesCommand.self, BetaCommand.self, MergePartialCommand.self, CollapseCommand.self, FilterCommand.self, BetadisperCommand.self, ConvertCommand.self, MantelCommand.self, OrdinateCommand.self, PermanovaCommand.self, DescribeCommand.self, DiversityCommand.self, RarefactionCurveCommand.self, RegressCommand.self, RunCommand.self, ScoreCommand.self, ScalesCommand.self, SimulateCommand.self, MetricsCommand.self]
    )

    /// Ignores SIGPIPE, so that writing to a closed pipe is reported as an
    /// error (EPIPE) instead of killing the process; a system library that
    /// turns out to be missing mid-job is an error in words (jobs check the
    /// ones they need first); then runs the command.
    public static func start() {
        signal(SIGPIPE, SIG_IGN)
        SystemLibrary.unavailableHandler = { error in
            printToStandardError("Error: " + Words.library(error))
            Glibc.exit(69)   // EX_UNAVAILABLE
        }
        main(nil)
    }
}
