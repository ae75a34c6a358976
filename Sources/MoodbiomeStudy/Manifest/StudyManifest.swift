import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport
import TOMLKit

/// A study manifest (`study.toml`) for `moodbiome run`: the inputs, the
/// metrics, rarefaction, the model and the outputs of one analysis, so it
/// can be re-run years later. Paths are relative to the manifest's own
/// folder (its real location, wherever it is run from), and recorded
/// absolute in `provenance.json`.
///
/// ```toml
/// [inputs]
/// counts = "counts.csv"          # required
/// metadata = "metadata.csv"      # required
/// id_column = "participant_id"   # optional; samples_in = "auto" | "rows" | "columns"
/// tree = "tree.nwk"              # optional (faith_pd, UniFrac); midpoint_root = true
///
/// [diversity]
/// metrics = ["shannon", "simpson", "observed_features"]
/// base = "e"                     # rarefy = 5000, iterations = 10, seed = 42, drop_empty,
///                                # chao1, ace_threshold, gini_method
/// [scale]                        # optional: score an instrument first
/// name = "phq9"                  # items = [...] or prefix = "phq9_"; invalid = "error"
///
/// [model]
/// outcome = "phq9_total"         # required unless [scale] is given
/// covariates = ["age", "sex", "bmi"]
/// family = "gaussian"            # outcome_cutoff, outcome_band, robust, conf_level,
///                                # references = { sex = "female" }, adjust, group_by
/// [composition]                  # optional: beta diversity, PERMANOVA, PERMDISP, PCoA
/// metrics = ["braycurtis", "unweighted_unifrac"]   # UniFrac needs inputs.tree
/// permutations = 999             # pseudocount (aitchison), alpha (generalized_unifrac)
/// [output]
/// directory = "results"          # required; format = "csv", labels, levels,
///                                # figure_formats = ["pdf", "png"], dpi = 300
/// ```
/// Unknown tables or keys, values of the wrong type, and values a parameter
/// cannot take are errors that give the manifest's line and the key.
public struct StudyManifest: Sendable {
    public let path: String
    public let analysis: StudyAnalysis
    /// Diversity as the outcome (`[model] exposure`): the study this
    /// manifest runs instead of `analysis`'s outcome models.
    public let exposure: ExposureStudy?
    /// The manifest's lines, to point errors at a key.
    let lines: [String]

    static let schema: [String: Set<String>] = [
        "inputs": ["counts", "metadata", "id_column", "samples_in", "tree", "midpoint_root"],
        "diversity": ["metrics", "base", "rarefy", "iterations", "seed", "drop_empty", "chao1", "ace_threshold", "gini_method"],
        "scale": ["name", "items", "prefix", "invalid", "output_prefix"],
        "model": ["outcome", "covariates", "family", "outcome_cutoff", "outcome_band", "robust", "conf_level",
                  "references", "adjust", "group_by", "cluster", "random", "time", "mediate_by", "ml", "profile_ci", "depth_covariate", "exposure"],
        "composition": ["metrics", "permutations", "strata", "pseudocount", "alpha"],
        "functions": ["profiles", "db", "coverage", "method"],
        "output": ["directory", "format", "labels", "levels", "figure_formats", "dpi"],
    ]

    /// Where each parameter is written in a manifest: table and key.
    static let keys: [Parameter: (table: String, key: String)] = [
        .idColumn: ("inputs", "id_column"), .samplesIn: ("inputs", "samples_in"),
        .metrics: ("diversity", "metrics"), .base: ("diversity", "base"), .rarefy: ("diversity", "rarefy"),
        .iterations: ("diversity", "iterations"), .seed: ("diversity", "seed"), .dropEmpty: ("diversity", "drop_empty"),
        .aceThreshold: ("diversity", "ace_threshold"),
        .scale: ("scale", "name"), .items: ("scale", "items"), .prefix: ("scale", "prefix"), .invalid: ("scale", "invalid"),
        .name: ("scale", "output_prefix"),
        .outcome: ("model", "outcome"), .covariates: ("model", "covariates"), .family: ("model", "family"),
        .outcomeCutoff: ("model", "outcome_cutoff"), .outcomeBand: ("model", "outcome_band"), .robust: ("model", "robust"),
        .confLevel: ("model", "conf_level"), .reference: ("model", "references"), .adjust: ("model", "adjust"),
        .groupBy: ("model", "group_by"), .cluster: ("model", "cluster"),
        .random: ("model", "random"), .time: ("model", "time"), .mediateBy: ("model", "mediate_by"), .maximumLikelihood: ("model", "ml"), .profileCI: ("model", "profile_ci"), .outputDirectory: ("output", "directory"), .format: ("output", "format"),
        .figureFormats: ("output", "figure_formats"), .dpi: ("output", "dpi"),
        .tree: ("inputs", "tree"), .midpointRoot: ("inputs", "midpoint_root"),
        .beta: ("composition", "metrics"), .permutations: ("composition", "permutations"), .strata: ("composition", "strata"),
        .pseudocount: ("composition", "pseudocount"), .alpha: ("composition", "alpha"),
        .functions: ("functions", "profiles"), .moduleDb: ("functions", "db"), .moduleCoverage: ("functions", "coverage"),
        .moduleMethod: ("functions", "method"),
    ]

    /// How a manifest spells parameters in messages: `model.conf_level`.
    public static let spelling = ParameterSpelling { parameter in
        if let place = StudyManifest.keys[parameter] { return "\(place.table).\(place.key)" }
        return ParameterSpelling.derived(prefix: "", separator: "_").spell(parameter)
    }

    /// A manifest value, converted out of TOMLKit's types at once.
    indirect enum Value: Sendable {
        case string(String), int(Int), double(Double), bool(Bool), array([Value]), table([String: Value]), other

        init(_ v: any TOMLValueConvertible) {
            switch v.type {
            case .string: self = .string(v.string ?? "")
            case .int: self = .int(v.int ?? 0)
            case .double: self = .double(v.double ?? .nan)
            case .bool: self = .bool(v.bool ?? false)
            case .array: self = .array((v.array.map { Array($0) } ?? []).map { Value($0) })
            case .table:
                var out = [String: Value]()
                if let t = v.table { for key in t.keys { if let x = t[key] { out[key] = Value(x) } } }
                self = .table(out)
            default: self = .other
            }
        }
    }

    /// The largest manifest read: a study description, never data.
    static let maximumSize = 1 << 20

    /// Reads and validates a manifest, in stages: the text, its tables
    /// against the schema, then the inputs, scale, model, diversity,
    /// composition and output settings, and last the parameters' values.
    public init(path: String) throws {
        // Paths inside are relative to the manifest's real folder.
        let location = URL(fileURLWithPath: path).absoluteURL.standardizedFileURL.resolvingSymlinksInPath()
        self.path = location.path
        let text = try Self.text(of: location, path: path)
        try Self.checkTableHeaders(text, path: path)
        try Self.checkArrays(text, path: path)
        let lines = Self.lines(of: text)
        self.lines = lines
        let m = try ManifestTables(text: text, lines: lines, path: path, folder: location.deletingLastPathComponent())
        var a = try m.analysis()
        a.manifestPath = location.path
        try m.readInputs(into: &a)
        try m.readDiversity(into: &a)
        try m.readModel(into: &a)
        try m.readComposition(into: &a)
        try m.readFunctions(into: &a)
        try m.readOutput(into: &a)
        self.analysis = a
        if let exposureColumn = try m.string("model", "exposure") {
            let e = ExposureStudy(a, exposure: exposureColumn)
            self.exposure = e
            try located {
                try e.association.validate()
                try e.diversity.validate()
            }
        } else {
            self.exposure = nil
            // Values a parameter cannot take are the manifest's errors, at their line.
            try located {
                try a.association.validate()
                try a.diversity.validate()
                _ = try a.composition.definitions(hasTree: a.diversity.tree != nil)
            }
        }
    }

    /// The manifest's text: a file (not a directory or device) of at most
    /// 1 MiB, UTF-8 after one optional byte-order mark, without the control
    /// characters TOML refuses or a later byte-order mark.
    static func text(of location: URL, path: String) throws -> String {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: location.path, isDirectory: &isDirectory) else {
            throw InputError(file: path, problem: "cannot open the manifest: no such file", fix: "Check the path")
        }
        guard !isDirectory else {
            throw InputError(file: path, problem: "is a directory, not a manifest", fix: "Give the path of a .toml file")
        }
        // Read through FileBytes: a device is refused, a stream bounded.
        let data = Data(try FileBytes.contents(of: location.path))
        guard data.count <= Self.maximumSize else {
            throw InputError(file: path, problem: "the manifest is \(data.count) bytes, more than the 1 MiB a study description needs",
                             fix: "A manifest names files; it does not hold data")
        }
        // One byte-order mark may open the file; it is not part of the text.
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let body = data.starts(with: bom) ? data.dropFirst(3) : data[...]
        guard let text = String(validating: Array(body), as: UTF8.self) else {
            let offset = Self.firstInvalidUTF8(data)
            let line = data.prefix(offset).filter { $0 == 0x0A }.count + 1
            throw InputError(file: path, line: line, problem: "the manifest is not valid UTF-8 text (byte \(offset + 1))",
                             fix: "Save it as UTF-8")
        }
        try checkCharacters(text, path: path)
        return text
    }

    /// TOML allows no control character but tab and line ends, anywhere;
    /// refuse them here, with their place, before the TOML parser sees them.
    static func checkCharacters(_ text: String, path: String) throws {
        var controlLine = 1, controlColumn = 1
        for scalar in text.unicodeScalars {
            if scalar == "\n" { controlLine += 1; controlColumn = 1; continue }
            if (scalar.value < 0x20 && scalar != "\t" && scalar != "\r") || scalar.value == 0x7F {
                throw InputError(file: path, line: controlLine, column: controlColumn,
                                 problem: "the manifest holds a control character (U+\(String(cFormat: "%04X", scalar.value))), which TOML does not allow",
                                 fix: "Remove it; a manifest is plain text")
            }
            // A second byte-order mark (files joined together) is refused here:
            // the TOML parser aborts on one before a table header (fuzzing).
            if scalar.value == 0xFEFF {
                throw InputError(file: path, line: controlLine, column: controlColumn,
                                 problem: "the manifest holds a byte-order mark (U+FEFF) after its start",
                                 fix: "Remove it (files joined together leave these behind); a byte-order mark belongs only at the very start of a file")
            }
            controlColumn += 1
        }
    }

    /// The text's lines, split at every line feed (a `\r\n` pair is one
    /// `Character` in Swift, so splitting Characters would miss it), each
    /// without its carriage return.
    static func lines(of text: String) -> [String] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var scalars = String.UnicodeScalarView(line)
            if scalars.last == "\r" { scalars.removeLast() }
            return String(scalars)
        }
    }

    /// Checks every `[table]` header line against TOML's grammar (bare or
    /// quoted keys joined by dots, an optional comment) before the TOML
    /// parser sees it: the bundled parser aborts on some malformed headers
    /// (`[#"`, found by fuzzing) instead of reporting them.
    static func checkTableHeaders(_ text: String, path: String) throws {
        for (index, raw) in Self.lines(of: text).enumerated() {
            let line = Array(raw.trimmingWhitespace().unicodeScalars)
            guard line.first == "[" else { continue }
            var i = 1
            let double = i < line.count && line[i] == "["
            if double { i += 1 }
            func fail() -> InputError {
                InputError(file: path, line: index + 1, problem: "not a valid table header: \(String(String.UnicodeScalarView(line)))",
                           fix: "Write a table as [name], with a bare name (letters, digits, _ and -) or a quoted one")
            }
            func skipSpace() { while i < line.count && (line[i] == " " || line[i] == "\t") { i += 1 } }
            var keys = 0
            while true {
                skipSpace()
                guard i < line.count else { throw fail() }
                let c = line[i]
                if c == "\"" || c == "'" {
                    i += 1
                    while i < line.count && line[i] != c { i += (line[i] == "\\" && c == "\"") ? 2 : 1 }
                    guard i < line.count else { throw fail() }
                    i += 1
                } else {
                    let start = i
                    while i < line.count && (line[i].properties.isAlphabetic && line[i].isASCII || ("0"..."9").contains(line[i]) || line[i] == "_" || line[i] == "-") { i += 1 }
                    guard i > start else { throw fail() }
                }
                keys += 1
                skipSpace()
                guard i < line.count else { throw fail() }
                if line[i] == "." { i += 1; continue }
                break
            }
            guard keys > 0, i < line.count, line[i] == "]" else { throw fail() }
            i += 1
            if double {
                guard i < line.count, line[i] == "]" else { throw fail() }
                i += 1
            }
            skipSpace()
            guard i == line.count || line[i] == "#" else { throw fail() }
        }
    }

    /// Refuses a `}` where an array's value belongs (`["a", }`): toml++
    /// 3 asserts on it (an abort in debug builds, undefined behaviour in
    /// release ones), so it is caught here with its line and column. The
    /// scan follows values only — strings (basic, literal, multi-line) and
    /// comments are skipped, `[` opens an array only where a value is
    /// expected, never in a table header.
    static func checkArrays(_ text: String, path: String) throws {
        let s = Array(text.unicodeScalars)
        var stack = [Unicode.Scalar]()   // "[" arrays, "{" inline tables
        var expectValue = false
        var line = 1, lineStart = 0, i = 0
        func startsWith(_ token: String, at k: Int) -> Bool {
            let t = Array(token.unicodeScalars)
            return k + t.count <= s.count && Array(s[k..<(k + t.count)]) == t
        }
        while i < s.count {
            let c = s[i]
            if c == "\n" { line += 1; lineStart = i + 1; if stack.isEmpty { expectValue = false }; i += 1; continue }
            if c == " " || c == "\t" || c == "\r" { i += 1; continue }
            if c == "#" { while i < s.count && s[i] != "\n" { i += 1 }; continue }
            if c == "\"" || c == "'" {
                let quote = String(c)
                let multi = startsWith(quote + quote + quote, at: i)
                i += multi ? 3 : 1
                while i < s.count {
                    if multi && startsWith(quote + quote + quote, at: i) { i += 3; break }
                    if !multi && (s[i] == c || s[i] == "\n") { if s[i] == c { i += 1 }; break }
                    if c == "\"" && s[i] == "\\" { i += 1; if i == s.count { break } }
                    if s[i] == "\n" { line += 1; lineStart = i + 1 }
                    i += 1
                }
                expectValue = false
                continue
            }
            if stack.isEmpty && !expectValue {
                if c == "=" { expectValue = true }
                else if c == "[" { while i < s.count && s[i] != "\n" { i += 1 }; continue }   // a table header
                i += 1
                continue
            }
            if expectValue && c == "}" && stack.last == "[" {
                throw InputError(file: path, line: line, column: i - lineStart + 1,
                                 problem: "not valid TOML: '}' inside an array, where a value or the closing ']' belongs",
                                 fix: "Close the array with ']' (an inline table { … } closes with '}')")
            }
            switch c {
            case "[" where expectValue: stack.append("["); expectValue = true
            case "{" where expectValue: stack.append("{"); expectValue = false
            case "]", "}": if !stack.isEmpty { stack.removeLast() }; expectValue = false
            case ",": expectValue = stack.last == "["
            case "=": expectValue = true
            default: expectValue = false
            }
            i += 1
        }
    }

    /// The 1-based line of `[table]`, or of `key` inside it.
    static func line(in lines: [String], table: String, key: String? = nil) -> Int? {
        let header = lines.firstIndex { $0.trimmingWhitespace().hasPrefix("[\(table)]") }
        guard let key else { return header.map { $0 + 1 } }
        var i = (header ?? -1) + 1
        while i < lines.count {
            let trimmed = lines[i].trimmingWhitespace()
            if header != nil && trimmed.hasPrefix("[") { break }
            if trimmed.hasPrefix(key + " ") || trimmed.hasPrefix(key + "=") || trimmed.hasPrefix("\"\(key)\"") { return i + 1 }
            i += 1
        }
        return header.map { $0 + 1 }
    }

    static func firstInvalidUTF8(_ data: Data) -> Int {
        var decoder = UTF8()
        var iterator = data.makeIterator()
        var offset = 0, consumed = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s):
                consumed += UTF8.width(s)
                offset = consumed
            case .emptyInput: return offset
            case .error: return offset
            }
        }
    }

    /// Runs `body`, turning a parameter error into an error at the
    /// manifest's line for that parameter's key.
    func located<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ParameterError {
            throw Self.locate(error, path: path, lines: lines)
        }
    }

    /// A parameter's error as the manifest's, at the line of its key.
    static func locate(_ error: ParameterError, path: String, lines: [String]) -> InputError {
        let (problem, fix) = Words.parameterProblem(error, spelling: spelling)
        let place = keys[error.parameter]
        return InputError(file: path, line: place.flatMap { line(in: lines, table: $0.table, key: $0.key) },
                          problem: "\(spelling.spell(error.parameter)) \(problem)", fix: fix)
    }

    /// Runs the analysis into its output directory; an existing run there
    /// is replaced only with `overwrite`, as for `analyze`.
    @discardableResult
    public func run(overwrite: Bool, report: (String) -> Void) throws -> StudyAnalysis.Result {
        var a = analysis
        a.overwrite = overwrite
        return try located { try a.run(report: report) }
    }

    /// Runs whichever study the manifest describes (outcome models, or
    /// diversity by `exposure`); returns the files written and the number
    /// of models.
    @discardableResult
    public func runStudy(overwrite: Bool, report: (String) -> Void) throws -> (files: [OutputFile], models: Int) {
        guard var e = exposure else {
            let result = try run(overwrite: overwrite, report: report)
            return (result.files, result.metrics.count)
        }
        e.overwrite = overwrite
        let result = try located { try e.run(report: report) }
        return (result.files, result.analysis.metrics.count)
    }

    /// Checks the recorded run against the manifest and its inputs, then
    /// re-runs into a temporary directory and compares every output byte for
    /// byte. Returns the problems found; empty means the recorded run is
    /// reproduced exactly:
    /// 1. the recorded parameters equal the manifest's (each change named);
    /// 2. every recorded input still has its recorded SHA-256;
    /// 3. the recorded directory holds exactly the recorded outputs, each
    ///    with its recorded SHA-256 (a planted or edited file is caught);
    /// 4. the re-run writes the same files with the same bytes.
    public func verify(report: (String) -> Void) throws -> [String] {
        let recorded = analysis.outputDirectory
        let provenancePath = recorded + "/" + OutputDirectory.provenanceFile
        guard let data = FileManager.default.contents(atPath: provenancePath),
              let object = (try? JSONValue.parse([UInt8](data)))?.object else {
            throw InputError(file: recorded, problem: "there is no recorded run to verify (no readable provenance.json)",
                             fix: "Run `moodbiome run \(path)` first")
        }
        var problems = [String]()
        func problem(_ text: String) { problems.append(text); report(text) }

        // 1. Parameters.
        let scratch = temporaryFolder + "moodbiome-verify-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let files: [OutputFile]
        if var e = exposure {
            e.outputDirectory = scratch
            files = try located { try e.run { _ in } }.files
        } else {
            var a = analysis
            a.outputDirectory = scratch
            files = try located { try a.run { _ in } }.files
        }
        let rerunBytes = FileManager.default.contents(atPath: scratch + "/" + OutputDirectory.provenanceFile).map { [UInt8]($0) } ?? []
        let rerun = (try? JSONValue.parse(rerunBytes))?.object ?? [:]
        let oldParameters = object["parameters"]?.object ?? [:]
        let newParameters = rerun["parameters"]?.object ?? [:]
        for key in Set(oldParameters.keys).union(newParameters.keys).sorted() {
            let old = oldParameters[key]?.canonical ?? "absent"
            let new = newParameters[key]?.canonical ?? "absent"
            if old != new { problem("parameter \(key) changed since the recorded run: recorded \(old), now \(new)") }
        }
        // 2. Inputs.
        for input in object["inputs"]?.array ?? [] {
            guard let file = input["path"]?.string, let hash = input["sha256"]?.string else { continue }
            let now = (try? Provenance.sha256(ofFile: file)) ?? "unreadable"
            if now != hash { problem("the input \(file) has changed since the recorded run (SHA-256 \(hash) recorded, \(now) now)") }
        }
        // 3. The recorded directory against its own record.
        var recordedHashes = [String: String]()
        for output in object["outputs"]?.array ?? [] {
            if let file = output["file"]?.string, let hash = output["sha256"]?.string { recordedHashes[file] = hash }
        }
        let present = (try? OutputDirectory.files(in: recorded)) ?? []
        for file in present where file != OutputDirectory.provenanceFile && recordedHashes[file] == nil {
            problem("the recorded run holds a file its provenance does not list: \(file)")
        }
        for (file, hash) in recordedHashes.sorted(by: { $0.key < $1.key }) {
            guard let bytes = FileManager.default.contents(atPath: recorded + "/" + file) else {
                problem("missing from the recorded run: \(file)")
                continue
            }
            if try SHA256.hex([UInt8](bytes)) != hash { problem("differs from the checksum its provenance records: \(file)") }
        }
        // 4. The re-run against the recorded files. PDF and PNG bytes
        // depend on the renderer and font: a change of them is named.
        let oldRenderer = object["figure_renderer"]?.string, newRenderer = rerun["figure_renderer"]?.string
        for file in files {
            let old = FileManager.default.contents(atPath: recorded + "/" + file.name)
            if old == nil {
                if recordedHashes[file.name] != nil { continue }   // already reported as missing
                problem("the re-run writes a file the recorded run does not have: \(file.name)")
            } else if old != Data(file.bytes) {
                if file.name.hasSuffix(".pdf") || file.name.hasSuffix(".png"), let oldRenderer, let newRenderer, oldRenderer != newRenderer {
                    problem("differs from the re-run: \(file.name) (rendered with \(oldRenderer) then, \(newRenderer) now; its SVG is the figure's reference)")
                } else {
                    problem("differs from the re-run: \(file.name)")
                }
            }
        }
        for file in recordedHashes.keys.sorted() where !files.contains(where: { $0.name == file }) {
            problem("the re-run no longer writes: \(file)")
        }
        return problems
    }
}
