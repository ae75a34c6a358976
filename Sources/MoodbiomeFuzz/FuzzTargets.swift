import FoundationEssentials
import MoodbiomeNumerics
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeStudy

/// The readers a stranger's file reaches, each as a fuzzing target: any
/// input must end in a value or a thrown error — never a trap, a hang or
/// unbounded memory. The target is chosen by `MOODBIOME_FUZZ_TARGET`
/// (libFuzzer runs one function per process).
enum FuzzTarget: String, CaseIterable {
    case counts, metadata, formula, manifest, newick, distance, distanceh5, taxonomy, biomjson, biom2, qza, mothur, functions, modules

    /// The file name the input is written under (the extension picks the
    /// delimiter or format, as for a user's file).
    var fileName: String {
        switch self {
        case .counts, .metadata, .distance: "input.csv"
        case .formula: "formula.txt"
        case .manifest: "study.toml"
        case .newick: "tree.nwk"
        case .taxonomy: "taxonomy.tsv"
        case .biomjson: "table.biom"
        case .biom2: "table.h5.biom"
        case .distanceh5: "matrix.h5"
        case .qza: "table.qza"
        case .mothur: "table.shared"
        case .functions: "profile.tsv"
        case .modules: "modules.txt"
        }
    }

    /// Runs the reader on `bytes`; errors are the expected outcome.
    func run(_ bytes: [UInt8], scratch: String) {
        switch self {
        case .formula:
            let text = String(decoding: bytes, as: UTF8.self)
            _ = try? Formula(text)
            _ = try? Formula(rightHandSide: text)
        case .newick:
            _ = try? PhylogeneticTree.parseNewick(bytes, source: "fuzz")
        default:
            let path = scratch + "/" + fileName
            guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
            switch self {
            case .counts:
                _ = try? CountTable.read(path)
                _ = try? CountTable.read(path, options: CountTableReadOptions(orientation: .columns))
            case .metadata: _ = try? DataTable.read(path)
            case .manifest: _ = try? StudyManifest(path: path)
            case .distance: _ = try? DistanceMatrix.read(path)
            case .distanceh5:
                // A matrix, stripe or PERMANOVA share from a cluster job:
                // described by HDF5 in the helper, its values read and
                // checked here, block by block as the streamed jobs do.
                if let matrix = try? DistanceMatrixFile(path) { try? matrix.forEachBlock(rows: 2, validating: true) { _, _ in } }
                if let stripe = try? DistanceHDF5.readStripe(path) { _ = try? stripe.distances() }
            case .taxonomy: _ = try? TaxonomyTable.read(path)
            case .biomjson, .biom2, .mothur: _ = try? CountTable.read(path)
            case .qza:
                // The ZIP layer (libzip, declared sizes, entries): the BIOM
                // inside is HDF5's, fuzzed by biom2.
                if let artifact = try? QiimeArtifact(path: path) { _ = try? artifact.dataFile("feature-table.biom") }
            case .functions:
                // A functional profile, read and scored as `modules --per-taxon`
                // does (only the modules' strata kept), and read whole: the
                // same error, or the same community and taxa.
                let scoring = gutBrainScoring
                let kept = Result { try FunctionalProfile.read(paths: [path], strataOf: Set(scoring.orthologs)) }
                let whole = Result { try FunctionalProfile.read(paths: [path]) }
                switch (kept, whole) {
                case (.success(let profile), .success(let all)):
                    precondition(profile.community.values == all.community.values && profile.functionIDs == all.functionIDs
                                 && profile.strata?.taxa == all.strata?.taxa, "the strata kept changed the profile")
                    _ = scoring.score(profile.community)
                    if let strata = profile.strata { _ = scoring.scorePerTaxon(strata) }
                case (.failure(let a), .failure(let b)):
                    precondition("\(a)" == "\(b)", "the strata kept changed the error")
                default: preconditionFailure("the strata kept changed whether the profile reads")
                }
            case .modules:
                // A module file, and a small profile scored by it.
                if let database = try? ModuleDatabase.read(path: path),
                   let table = try? CountTable(sampleIDs: ["s"], taxonIDs: Array(Set(database.modules.flatMap(\.orthologs)).sorted().prefix(64)),
                                               counts: Matrix(rows: Swift.min(64, Set(database.modules.flatMap(\.orthologs)).count), columns: 1, repeating: 1)) {
                    _ = ModuleScoring(database: database).score(table)
                }
            case .formula, .newick: break
            }
        }
    }
}

/// The gut–brain modules compiled once per process (a few milliseconds
/// each time under AddressSanitizer, most of a small input's run).
let gutBrainScoring = ModuleScoring(database: ModuleDatabase.builtIn("gbm")!)

/// A scratch folder per process.
let scratchFolder: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : temporaryFolder
    let path = base + "/moodbiome-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}()

#if FUZZING
/// libFuzzer's driver, started from the executable's entry (SwiftPM names
/// an executable target's `main` after the target).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("MoodbiomeFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector) { data, size in fuzzOne(data, size) }
}

/// libFuzzer's entry point.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let name = ProcessInfo.processInfo.environment["MOODBIOME_FUZZ_TARGET"] ?? "counts"
    guard let target = FuzzTarget(rawValue: name) else { fatalError("unknown MOODBIOME_FUZZ_TARGET \(name)") }
    target.run(Array(UnsafeBufferPointer(start: data, count: size)), scratch: scratchFolder)
    return 0
}
#else
/// Without libFuzzer: replays corpus files through a target, so the seeds
/// and every crash once found stay regression tests in `make test`.
///
///     moodbiome-fuzz TARGET FILE-OR-DIRECTORY…
@main
struct Replay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            writeStandardError(Array("usage: moodbiome-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE-OR-DIRECTORY…\n".utf8))
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            var isDirectory = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            let files = isDirectory
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                target.run(Array(data), scratch: scratchFolder)
                count += 1
            }
        }
        try? FileManager.default.removeItem(atPath: scratchFolder)
        print("replayed \(count) inputs through \(target.rawValue)")
    }
}
#endif
