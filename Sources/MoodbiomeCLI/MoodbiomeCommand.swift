import ArgumentParser
import Moodbiome

@main
struct MoodbiomeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moodbiome",
        abstract: "Gut-microbiome diversity and mood studies, with the numbers of scikit-bio, vegan and R.",
        discussion: """
        Read a study's count table, compute alpha diversity (the scikit-bio 0.7 set), \
        and write tidy tables. Every value is checked against scikit-bio and vegan.

        Examples:
          moodbiome diversity Datasets/globalpatterns/feature-table.tsv --metrics shannon,simpson,chao1 -o alpha.csv
          moodbiome diversity table.tsv --metrics all --base 2 --format md
          moodbiome diversity table.csv --rarefy 10000 --iterations 10 --seed 42 -o alpha.csv
          moodbiome metrics
        """,
        version: moodbiomeVersion,
        subcommands: [AnalyzeCommand.self, DescribeCommand.self, DiversityCommand.self, RarefactionCurveCommand.self, RegressCommand.self, RunCommand.self, ScoreCommand.self, ScalesCommand.self, SimulateCommand.self, MetricsCommand.self]
    )
}
