import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// `moodbiome simulate` as a library call.
public struct SimulationRun: Sendable {
    public var simulation = CohortSimulation()
    public var outputDirectory: String
    public var overwrite = false

    public init(outputDirectory: String) { self.outputDirectory = outputDirectory }

    public func validate() throws { try simulation.validate() }

    /// Simulates and writes the files as one directory, all rendered first.
    public func run(report: (String) -> Void) throws -> CohortSimulation.Cohort {
        try validate()
        let directory = try OutputDirectory(path: outputDirectory, overwrite: overwrite, inputs: [],
                                            expected: SimulationDocuments.outputFiles)
        let cohort = try simulation.simulate()
        try directory.write(OutputFile.texts(try SimulationDocuments(simulation).files(for: cohort)))
        return cohort
    }
}
