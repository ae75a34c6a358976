import ArgumentParser
import MoodbiomeReport

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "List the alpha-diversity metrics, their aliases, and which need integer counts."
    )

    func run() throws {
        try writeToStandardOutput(Words.metricCatalogue() + "\n")
    }
}
