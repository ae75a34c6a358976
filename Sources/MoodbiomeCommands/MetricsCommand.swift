import ArgumentParser
import MoodbiomeReport

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "List the alpha- and beta-diversity metrics, their aliases, and what each needs."
    )

    func run() throws {
        try writeToStandardOutput(Words.metricCatalogue() + "\n")
    }
}
