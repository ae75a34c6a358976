import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy
@testable import MoodbiomeCommands

/// The repository root, found from this file's path.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path
}()

func fixturePath(_ name: String) -> String { repositoryRoot + "/Tests/MoodbiomeTests/Fixtures/" + name }
func datasetPath(_ name: String) -> String { repositoryRoot + "/Datasets/" + name }

/// The example tables the reference values were computed on, read once.
let referenceTables: [String: CountTable] = {
    let specs: [(String, String, SampleOrientation)] = [
        ("bci", datasetPath("vegan-bci/BCI_counts.csv"), .auto),
        ("globalpatterns", datasetPath("globalpatterns/feature-table.tsv"), .auto),
        ("twins", datasetPath("twins/Twins.csv"), .columns),
        ("edge", fixturePath("edge-cases.csv"), .auto),
    ]
    var tables = [String: CountTable]()
    for (name, path, orientation) in specs {
        tables[name] = try! CountTable.read(path, options: .init(orientation: orientation))
    }
    return tables
}()

/// One metric/variant of one dataset from a reference file: the values the
/// independent tool computed for each sample (`nil` = NaN/NA there).
struct ReferenceCase: Sendable, CustomTestStringConvertible {
    let tool: String
    let dataset: String
    let metric: String
    let variant: String
    let values: [(sample: String, value: Double?)]

    var testDescription: String { "\(tool) \(dataset) \(metric)\(variant.isEmpty ? "" : " [\(variant)]")" }

    /// Reads a long-form reference file (`dataset,sample_id,metric,variant,value`).
    static func load(_ file: String, tool: String) -> [ReferenceCase] {
        let text = try! String(contentsOfFile: fixturePath(file), encoding: .utf8)
        var order = [String]()
        var groups = [String: (String, String, String, [(String, Double?)])]()
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let key = f[0] + "|" + f[2] + "|" + f[3]
            let value: Double? = f[4] == "NA" ? nil : (f[4] == "inf" ? .infinity : Double(f[4])!)
            if groups[key] == nil { order.append(key); groups[key] = (f[0], f[2], f[3], []) }
            groups[key]!.3.append((f[1], value))
        }
        return order.map { key in
            let g = groups[key]!
            return ReferenceCase(tool: tool, dataset: g.0, metric: g.1, variant: g.2, values: g.3)
        }
    }

    /// The metric and options this case names.
    var metricAndOptions: (AlphaMetric, AlphaOptions) {
        var options = AlphaOptions()
        switch variant {
        case "": break
        case "base=2": options.base = .two
        case "base=10": options.base = .ten
        case "classic": options.chao1BiasCorrected = false
        case "rare=5": options.aceRareThreshold = 5
        case "trapezoids": options.giniMethod = .trapezoids
        default: fatalError("unknown variant \(variant)")
        }
        return (AlphaMetric(name: metric)!, options)
    }
}

/// The suite's one approximate-equality test, in the manner of
/// swift-numerics' `isApproximatelyEqual(to:absoluteTolerance:relativeTolerance:)`:
/// `|actual − expected| ≤ max(absolute, relative · max(|actual|, |expected|))`.
///
/// - Infinities must be equal; NaN agrees with nothing (a test that expects
///   NaN says so with `isNaN`).
/// - `absolute` defaults to 0: a reference of exactly 0 must be met exactly
///   unless the test gives, and explains, an absolute tolerance (the
///   rounding error of a sum of terms that cancel, for example).
func isClose(_ actual: Double, _ expected: Double, relative: Double, absolute: Double = 0) -> Bool {
    if actual.isInfinite || expected.isInfinite { return actual == expected }
    if actual.isNaN || expected.isNaN { return false }
    return abs(actual - expected) <= Swift.max(absolute, relative * Swift.max(abs(actual), abs(expected)))
}

/// The one directory under which this test process makes every test's
/// temporary directory; removed when the process exits, so a run leaves
/// nothing behind in the system's temporary directory.
private let temporaryRootPath = NSTemporaryDirectory() + "moodbiome-tests-" + UUID().uuidString
private let temporaryRoot: String = {
    try! FileManager.default.createDirectory(atPath: temporaryRootPath, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: temporaryRootPath) }
    return temporaryRootPath
}()

/// A fresh temporary directory for one test.
func temporaryDirectory() -> String {
    let path = temporaryRoot + "/" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `text` to a file named `name` in a fresh temporary directory.
func temporaryFile(_ name: String, _ text: String) -> String {
    let path = temporaryDirectory() + "/" + name
    try! text.write(toFile: path, atomically: false, encoding: .utf8)
    return path
}

/// The command line's spelling of parameters: the CLI's own, not a copy.
let commandLineSpelling = MoodbiomeCommands.commandLineSpelling

/// The message a user reads for `error` (parameters spelled as on the
/// command line: the CLI's own spelling, not a copy).
func message(_ error: any Error) -> String { Words.message(for: error, spelling: commandLineSpelling) }

/// The Twins metadata with Moodbiome's Shannon and observed genera joined
/// on by sample (the R fixtures compute the same with vegan); `richness`
/// names the observed-genera column.
func twinsMetadataWithDiversity(richness: String = "observed_features") throws -> DataTable {
    let table = try CountTable.read(datasetPath("twins/Twins.csv"), options: .init(orientation: .columns))
    let alpha = try AlphaDiversityResult(table: table, metrics: RequestedMetric.parseList("shannon,observed_features"))
    let meta = try DataTable.read(datasetPath("twins/metadata.tsv"))
    let row = Dictionary(uniqueKeysWithValues: alpha.sampleIDs.enumerated().map { ($1, $0) })
    return meta.appendingColumns([
        DataTable.Column(name: "shannon", numbers: meta.ids.map { alpha.values[row[$0]!, 0] }),
        DataTable.Column(name: richness, numbers: meta.ids.map { alpha.values[row[$0]!, 1] }),
    ])
}
