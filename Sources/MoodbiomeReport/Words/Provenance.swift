import Dispatch
import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// `provenance.json`: what produced an output directory — the Moodbiome
/// version, the resolved parameters, the SHA-256 of every input and output
/// file, the seed, the platform and the BLAS library (and the figure
/// renderer, when PDF or PNG figures were written), and when it ran.
///
/// The run time lives here and only here, so every other output is
/// byte-identical across reruns.
public struct Provenance: Sendable {
    /// The command that ran (`analyze`, `run`).
    public var command: String
    /// Resolved parameters, as JSON values (already encoded).
    public var parameters: [(name: String, json: String)]
    /// Input files.
    public var inputs: [String]
    /// The rarefaction seed, when there was one.
    public var seed: UInt64?
    /// The output files and their contents.
    public var outputs: [OutputFile]
    /// The inputs' SHA-256, when begun at the start of the run.
    public var fingerprints: InputFingerprints? = nil

    public init(command: String, parameters: [(name: String, json: String)], inputs: [String], seed: UInt64?,
                outputs: [OutputFile]) {
        self.command = command
        self.parameters = parameters
        self.inputs = inputs
        self.seed = seed
        self.outputs = outputs
    }

    /// The renderer and font of the run's PDF and PNG figures, when it
    /// exported any: their bytes depend on them. (Exporting loaded the
    /// renderer, so naming it cannot fail here.)
    public var figureRenderer: String? {
        guard outputs.contains(where: { $0.name.hasSuffix(".pdf") || $0.name.hasSuffix(".png") }) else { return nil }
        return (try? FigureExport.renderer()) ?? "librsvg (unavailable)"
    }

    /// The platform, as `os/architecture`.
    public static var platform: String {
        #if os(Linux)
        let os = "Linux"
        #elseif os(macOS)
        let os = "macOS"
        #else
        let os = "unknown"
        #endif
        #if arch(x86_64)
        let arch = "x86_64"
        #elseif arch(arm64)
        let arch = "arm64"
        #else
        let arch = "unknown"
        #endif
        return os + "/" + arch
    }

    /// The BLAS library the run used (``blasDescription``).
    public static var blas: String { blasDescription }

    /// The SHA-256 of a file's bytes.
    public static func sha256(ofFile path: String) throws -> String {
        try SHA256.hex(ofFile: path)
    }

    /// The JSON text, with `runAt` as an ISO 8601 UTC time.
    public func json(runAt: Date) throws -> String {
        var out = "{\n"
        out += "  \"moodbiome_version\": \(jsonString(moodbiomeVersion)),\n"
        out += "  \"command\": \(jsonString(command)),\n"
        out += "  \"run_at\": \(jsonString(runAt.formatted(.iso8601))),\n"
        out += "  \"platform\": \(jsonString(Self.platform)),\n"
        out += "  \"blas\": \(jsonString(Self.blas)),\n"
        if let renderer = figureRenderer { out += "  \"figure_renderer\": \(jsonString(renderer)),\n" }
        out += "  \"seed\": \(seed.map(String.init) ?? "null"),\n"
        out += "  \"parameters\": {\n" + parameters.map { "    \(jsonString($0.name)): \($0.json)" }.joined(separator: ",\n") + "\n  },\n"
        // Every checksum at once, on all cores (the inputs' ones begun early, if they were).
        let inputs = self.inputs, outputs = self.outputs
        let early = try fingerprints.flatMap { $0.paths == inputs ? try $0.digests() : nil }
        let late = early == nil ? inputs.count : 0
        let computed = try parallelChunkMap(count: late + outputs.count) { range throws(any Error) in
            try range.map { $0 < late ? try Self.sha256(ofFile: inputs[$0]) : try SHA256.hex(outputs[$0 - late].bytes) }
        }.flatMap { $0 }
        let hashes = (early ?? []) + computed
        let inputLines = inputs.enumerated().map { k, path in
            let size = fileSize(path)
            return "    {\"path\": \(jsonString(path)), \"bytes\": \(size.map(String.init) ?? "null"), \"sha256\": \(jsonString(hashes[k]))}"
        }
        out += "  \"inputs\": [\n" + inputLines.joined(separator: ",\n") + "\n  ],\n"
        out += "  \"outputs\": [\n" + outputs.enumerated().map { k, file in
            "    {\"file\": \(jsonString(file.name)), \"sha256\": \(jsonString(hashes[inputs.count + k]))}"
        }.joined(separator: ",\n") + "\n  ]\n}\n"
        return out
    }
}

/// JSON encodings for provenance parameters.
public func jsonValue(_ s: String?) -> String { s.map(jsonString) ?? "null" }
public func jsonValue(_ x: Double?) -> String { x.map { NumberStyle.roundTrip.format($0) } ?? "null" }
public func jsonValue(_ n: Int?) -> String { n.map(String.init) ?? "null" }
public func jsonValue(_ b: Bool) -> String { b ? "true" : "false" }
public func jsonValue(_ list: [String]) -> String { "[" + list.map(jsonString).joined(separator: ", ") + "]" }
public func jsonValue(_ map: [String: String]) -> String {
    "{" + map.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)): \(jsonString($0.value))" }.joined(separator: ", ") + "}"
}

/// The SHA-256 of a run's input files, computed on a background thread
/// from the moment the run starts, so that hashing (a 20 MB table takes
/// ~10 ms) overlaps the run's serial stretches instead of following them;
/// ``Provenance/json(runAt:)`` waits for it. A file that cannot be read is
/// the same error it would have been at the end.
public final class InputFingerprints: @unchecked Sendable {
    /// The files, in the order of their digests.
    public let paths: [String]
    private var result: Result<[String], any Error> = .success([])
    private let finished = DispatchSemaphore(value: 0)

    /// Every hashing still under way in the process.
    private static let pending = DispatchGroup()

    /// Begins hashing `paths`.
    public init(_ paths: [String]) {
        self.paths = paths
        Self.pending.enter()
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            result = Result { try paths.map(Provenance.sha256(ofFile:)) }
            finished.signal()
            Self.pending.leave()
        }
    }

    /// Waits for every hashing begun in the process: a run that fails
    /// after starting one must not exit while it reads a file with the
    /// crypto library, whose exit-time cleanup would pull its state from
    /// under it (a crash after the error message).
    public static func finishAll() { pending.wait() }

    /// The digests, once computed (waits until then).
    public func digests() throws -> [String] {
        finished.wait()
        defer { finished.signal() }
        return try result.get()
    }
}
