import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// What a finished job hands its front end: a table for standard output
/// (no output file was given), or a line saying what it wrote.
public enum Delivery: Sendable, Equatable {
    case standardOutput(String)
    case written(String)
}

/// The one shape of every job (one per command, and the manifest's study):
/// the files it reads, what it checks before any work, a run that reads,
/// computes and writes as one (nothing partial on error; inputs never
/// modified), and what the run delivers. The command line runs any job the
/// same way (`execute` in MoodbiomeCommands); tests call `run` and look at
/// its typed `Output`.
public protocol Job: Sendable {
    associatedtype Output
    /// The files the job reads.
    var inputs: [String] { get }
    /// Every check that needs no data (parameters, output paths), so that
    /// a bad command line fails before any work. `run` calls it first.
    func validate() throws
    /// Reads, computes and writes; notes go to `report`.
    func run(report: (String) -> Void) throws -> Output
    /// What `output` delivers to the user.
    func delivery(of output: Output) -> Delivery
    /// Whether the job does linear algebra (OpenBLAS/LAPACK is loaded, and
    /// its absence reported, before any work).
    var usesLinearAlgebra: Bool { get }
}

/// A job writing one table to a file or standard output.
protocol TableJob: Job where Output == String? {
    var writtenPath: String? { get }
}

extension TableJob {
    public func delivery(of output: String?) -> Delivery {
        output.map(Delivery.standardOutput) ?? .written("wrote \(writtenPath ?? "")")
    }
}

/// `3 models`, `1 model`.
func counted(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

extension StudyAnalysis: Job {
    public func delivery(of r: Result) -> Delivery {
        .written("wrote \(r.files.map(\.name).joined(separator: ", ")), \(OutputDirectory.provenanceFile) to \(outputDirectory) "
                 + "(\(counted(r.metrics.count, "model")), n = \(r.merged.rowCount) joined samples)")
    }
    public var usesLinearAlgebra: Bool { true }
}

extension ExposureStudy: Job {
    public func delivery(of r: Result) -> Delivery {
        .written("wrote \(r.files.map(\.name).joined(separator: ", ")), \(OutputDirectory.provenanceFile) to \(outputDirectory) "
                 + "(\(counted(r.analysis.metrics.count, "model")), n = \(r.analysis.merged.rowCount) joined samples)")
    }
    public var usesLinearAlgebra: Bool { true }
}

extension AssociationRun: Job {
    public func delivery(of r: Result) -> Delivery {
        .written("wrote \(r.files.map(\.name).joined(separator: ", ")), \(OutputDirectory.provenanceFile) to \(outputDirectory)")
    }
    public var usesLinearAlgebra: Bool { true }
}

extension BetaRun: TableJob {
    var writtenPath: String? { outputPath ?? partialPath }
    public var usesLinearAlgebra: Bool { false }
}

extension OrdinationRun: TableJob {
    var writtenPath: String? { ([output.path] + [eigenvaluesPath, figurePath]).compactMap { $0 }.joined(separator: ", ") }
    public var usesLinearAlgebra: Bool { true }
}

extension PermanovaRun: TableJob {
    public var inputs: [String] { input.inputs }
    var writtenPath: String? { partialPath ?? output.path }
    public var usesLinearAlgebra: Bool { true }
}

extension DispersionRun: TableJob {
    public var inputs: [String] { input.inputs }
    var writtenPath: String? { ([output.path, distancesPath]).compactMap { $0 }.joined(separator: ", ") }
    public var usesLinearAlgebra: Bool { true }
}

extension MantelRun: TableJob {
    var writtenPath: String? { output.path }
    public var usesLinearAlgebra: Bool { false }
}

extension DiversityRun: TableJob {
    var writtenPath: String? { outputPath }
    public var usesLinearAlgebra: Bool { false }
}

extension DescribeRun: TableJob {
    public var inputs: [String] { [dataPath] }
    var writtenPath: String? { outputPath }
    public var usesLinearAlgebra: Bool { false }
}

extension RegressionRun: TableJob {
    public var inputs: [String] { [dataPath] }
    var writtenPath: String? { ([outputPath, fitOutputPath, randomOutputPath]).compactMap { $0 }.joined(separator: ", ") }
    public var usesLinearAlgebra: Bool { true }
}

extension ScoreRun: TableJob {
    public var inputs: [String] { [dataPath] }
    var writtenPath: String? { outputPath }
    public var usesLinearAlgebra: Bool { false }
}

extension ConvertRun: Job {
    public var inputs: [String] { [inputPath] + readOptions.extraInputs }
    public func delivery(of table: CountTable) -> Delivery {
        .written("wrote \(outputPath): \(table.sampleCount) samples × \(table.taxonCount) features, \(table.nonZeroCount) non-zero counts"
                 + (table.origin.map { " (read as \($0.format))" } ?? ""))
    }
    public var usesLinearAlgebra: Bool { false }
}

extension CollapseRun: Job {
    public var inputs: [String] { [inputPath] + readOptions.extraInputs }
    public func delivery(of table: CountTable) -> Delivery {
        .written("wrote \(outputPath): \(table.sampleCount) samples × \(table.taxonCount) \((readOptions.rank ?? .genus).rawValue)-level features")
    }
    public var usesLinearAlgebra: Bool { false }
}

extension FilterRun: Job {
    public var inputs: [String] { [inputPath] + readOptions.extraInputs }
    public func delivery(of r: (table: CountTable, removed: Removed)) -> Delivery {
        .written("wrote \(outputPath): \(r.table.sampleCount) samples × \(r.table.taxonCount) features")
    }
    public var usesLinearAlgebra: Bool { false }
}

extension RarefactionCurveRun: Job {
    public var inputs: [String] { [tablePath] + readOptions.extraInputs }
    public func delivery(of files: [String]) -> Delivery { .written("wrote \(files.joined(separator: ", ")) to \(outputDirectory)") }
    public var usesLinearAlgebra: Bool { false }
}

extension SimulationRun: Job {
    public var inputs: [String] { [] }
    public func delivery(of cohort: CohortSimulation.Cohort) -> Delivery {
        .written("wrote \(SimulationDocuments.outputFiles.joined(separator: ", ")) to \(outputDirectory) "
                 + "(\(cohort.participants.count) samples, \(cohort.taxa.count) genera; simulated data)")
    }
    public var usesLinearAlgebra: Bool { false }
}

extension MediationRun: Job {
    public func delivery(of r: Result) -> Delivery {
        .written("wrote \(r.files.map(\.name).joined(separator: ", ")), \(OutputDirectory.provenanceFile) to \(outputDirectory) "
                 + "(\(Words.counted(mediators.count, "mediator")))")
    }
    public var usesLinearAlgebra: Bool { true }
}

extension ModulesRun: Job {
    public func delivery(of r: Result) -> Delivery {
        let found = r.scores.samplesFound.filter { $0 > 0 }.count
        return .written("wrote \(r.files.map(\.name).joined(separator: ", ")), \(OutputDirectory.provenanceFile) to \(outputDirectory) "
                        + "(\(found) of \(Words.counted(r.scores.moduleIDs.count, "module")) found in \(r.scores.sampleIDs.count) samples)")
    }
    public var usesLinearAlgebra: Bool { false }
}
