import Foundation
import TOMLKit

/// A study manifest (`study.toml`) for `moodbiome run`: the inputs, the
/// metrics, rarefaction, the model and the outputs of one analysis, so it
/// can be re-run years later. Paths are relative to the manifest's folder.
///
/// ```toml
/// [inputs]
/// counts = "counts.csv"          # required
/// metadata = "metadata.csv"      # required
/// id_column = "participant_id"   # optional; samples_in = "auto" | "rows" | "columns"
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
/// [output]
/// directory = "results"          # required; format = "csv"
/// ```
/// Unknown tables or keys, and values of the wrong type, are errors that
/// give the manifest's line.
public struct StudyManifest: Sendable {
    public let path: String
    public let analysis: StudyAnalysis

    static let schema: [String: Set<String>] = [
        "inputs": ["counts", "metadata", "id_column", "samples_in"],
        "diversity": ["metrics", "base", "rarefy", "iterations", "seed", "drop_empty", "chao1", "ace_threshold", "gini_method"],
        "scale": ["name", "items", "prefix", "invalid"],
        "model": ["outcome", "covariates", "family", "outcome_cutoff", "outcome_band", "robust", "conf_level",
                  "references", "adjust", "group_by"],
        "output": ["directory", "format"],
    ]

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

    /// Reads and validates a manifest.
    public init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, problem: "cannot be read as UTF-8 text", fix: "Check the path")
        }
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw InputError(file: path, line: error.source.begin.line, column: error.source.begin.column,
                             problem: "not valid TOML: \(error.description)", fix: "See https://toml.io for the syntax")
        }
        let lines = text.components(separatedBy: "\n")
        /// The 1-based line of `[table]`, or of `key` inside it.
        func line(table: String, key: String? = nil) -> Int? {
            let header = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("[\(table)]") }
            guard let key else { return header.map { $0 + 1 } }
            var i = (header ?? -1) + 1
            while i < lines.count {
                let trimmed = lines[i].trimmingCharacters(in: .whitespaces)
                if header != nil && trimmed.hasPrefix("[") { break }
                if trimmed.hasPrefix(key + " ") || trimmed.hasPrefix(key + "=") || trimmed.hasPrefix("\"\(key)\"") { return i + 1 }
                i += 1
            }
            return header.map { $0 + 1 }
        }
        var tables = [String: [String: Value]]()
        for name in root.keys {
            guard let allowed = Self.schema[name] else {
                throw InputError(file: path, line: line(table: name) ?? line(table: "", key: name), problem: "unknown table or key '\(name)'",
                                 fix: "The manifest's tables are " + Self.schema.keys.sorted().map { "[\($0)]" }.joined(separator: ", "))
            }
            guard case .table(let entries) = Value(root[name]!) else {
                throw InputError(file: path, line: line(table: "", key: name), problem: "'\(name)' must be a table, [\(name)]")
            }
            for key in entries.keys where !allowed.contains(key) {
                let suggestion = closestName(to: key, among: Array(allowed))
                throw InputError(file: path, line: line(table: name, key: key), problem: "unknown key '\(key)' in [\(name)]",
                                 fix: (suggestion.map { "Did you mean '\($0)'? " } ?? "") + "Allowed: " + allowed.sorted().joined(separator: ", "))
            }
            tables[name] = entries
        }
        func fail(_ table: String, _ key: String, _ expected: String) -> InputError {
            InputError(file: path, line: line(table: table, key: key), problem: "\(table).\(key) must be \(expected)")
        }
        func string(_ t: String, _ k: String) throws -> String? {
            guard let v = tables[t]?[k] else { return nil }
            guard case .string(let s) = v else { throw fail(t, k, "a string") }
            return s
        }
        func int(_ t: String, _ k: String) throws -> Int? {
            guard let v = tables[t]?[k] else { return nil }
            guard case .int(let n) = v else { throw fail(t, k, "a whole number") }
            return n
        }
        func double(_ t: String, _ k: String) throws -> Double? {
            guard let v = tables[t]?[k] else { return nil }
            if case .int(let n) = v { return Double(n) }
            guard case .double(let x) = v else { throw fail(t, k, "a number") }
            return x
        }
        func bool(_ t: String, _ k: String) throws -> Bool? {
            guard let v = tables[t]?[k] else { return nil }
            guard case .bool(let b) = v else { throw fail(t, k, "true or false") }
            return b
        }
        func list(_ t: String, _ k: String) throws -> [String]? {
            guard let v = tables[t]?[k] else { return nil }
            if case .string(let s) = v { return s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            guard case .array(let items) = v else { throw fail(t, k, "a list of strings") }
            return try items.map { item in
                guard case .string(let s) = item else { throw fail(t, k, "a list of strings") }
                return s
            }
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : folder.appendingPathComponent(p).standardized.path }
        func required(_ t: String, _ k: String) throws -> String {
            guard let s = try string(t, k) else {
                throw InputError(file: path, line: line(table: t), problem: "\(t).\(k) is required", fix: "Add it under [\(t)]")
            }
            return s
        }

        let counts = resolve(try required("inputs", "counts"))
        let metadata = resolve(try required("inputs", "metadata"))
        let directory = resolve(try required("output", "directory"))
        var scoring: ScaleScoring? = nil
        if let name = try string("scale", "name") {
            scoring = try ScaleScoring(scale: ScoreRun.scale(named: name), items: try list("scale", "items"), prefix: try string("scale", "prefix"))
            if let invalid = try string("scale", "invalid") {
                guard invalid == "error" || invalid == "as-missing" else { throw fail("scale", "invalid", "\"error\" or \"as-missing\"") }
                scoring!.options.invalidAsMissing = invalid == "as-missing"
            }
        } else if tables["scale"] != nil {
            throw InputError(file: path, line: line(table: "scale"), problem: "[scale] needs a name", fix: "e.g. name = \"phq9\"")
        }
        guard let outcome = try string("model", "outcome") ?? scoring.map({ $0.outputPrefix + "_total" }) else {
            throw InputError(file: path, line: line(table: "model"), problem: "model.outcome is required", fix: "Add outcome = \"column\" under [model]")
        }
        var a = StudyAnalysis(countsPath: counts, metadataPath: metadata, outcome: outcome, outputDirectory: directory)
        a.scoring = scoring
        a.idColumn = try string("inputs", "id_column")
        if let layout = try string("inputs", "samples_in") {
            guard let o = SampleOrientation(rawValue: layout) else { throw fail("inputs", "samples_in", "\"auto\", \"rows\" or \"columns\"") }
            a.diversity.readOptions.orientation = o
        }
        if let metrics = try list("diversity", "metrics") { a.diversity.metrics = metrics.joined(separator: ",") }
        if let base = try string("diversity", "base") {
            guard let b = LogBase(base) else { throw fail("diversity", "base", "\"e\", \"2\" or \"10\"") }
            a.diversity.options.base = b
        }
        a.diversity.rarefactionDepth = try int("diversity", "rarefy")
        if let k = try int("diversity", "iterations") { a.diversity.iterations = k }
        if let seed = try int("diversity", "seed") {
            guard seed >= 0 else { throw fail("diversity", "seed", "a non-negative whole number") }
            a.diversity.seed = UInt64(seed)
        }
        if let drop = try bool("diversity", "drop_empty") { a.diversity.dropEmpty = drop }
        if let chao1 = try string("diversity", "chao1") {
            guard chao1 == "bias-corrected" || chao1 == "classic" else { throw fail("diversity", "chao1", "\"bias-corrected\" or \"classic\"") }
            a.diversity.options.chao1BiasCorrected = chao1 == "bias-corrected"
        }
        if let threshold = try int("diversity", "ace_threshold") { a.diversity.options.aceRareThreshold = threshold }
        if let gini = try string("diversity", "gini_method") {
            guard let g = LorenzIntegration(rawValue: gini) else { throw fail("diversity", "gini_method", "\"rectangles\" or \"trapezoids\"") }
            a.diversity.options.giniMethod = g
        }
        a.covariates = try list("model", "covariates") ?? []
        if let family = try string("model", "family") {
            guard let f = ModelFamily(name: family) else { throw fail("model", "family", "\"gaussian\" or \"binomial\"") }
            a.family = f
        }
        a.outcomeCutoff = try double("model", "outcome_cutoff")
        a.outcomeBand = try string("model", "outcome_band")
        if let robust = try string("model", "robust") {
            guard let c = CovarianceType(name: robust) else { throw fail("model", "robust", "\"hc0\", \"hc1\", \"hc2\" or \"hc3\"") }
            a.covariance = c
        }
        if let level = try double("model", "conf_level") { a.confidenceLevel = level }
        if let refs = tables["model"]?["references"] {
            guard case .table(let entries) = refs else { throw fail("model", "references", "a table such as { sex = \"female\" }") }
            for (k, v) in entries {
                guard case .string(let level) = v else { throw fail("model", "references", "a table of strings") }
                a.references[k] = level
            }
        }
        if let adjust = try string("model", "adjust") {
            guard let m = PValueAdjustment(name: adjust) else { throw fail("model", "adjust", "\"bh\", \"holm\" or \"bonferroni\"") }
            a.adjustment = m
        }
        a.groupBy = try string("model", "group_by")
        if let format = try string("output", "format") {
            guard let f = TableFormat(name: format) else { throw fail("output", "format", "csv, tsv, md, json, tex or html") }
            a.tableFormat = f
        }
        self.analysis = a
    }

    /// Runs the analysis into its output directory (replacing a previous run).
    @discardableResult
    public func run(report: (String) -> Void) throws -> StudyAnalysis.Result {
        var a = analysis
        a.overwrite = true
        a.manifestPath = path
        return try a.run(report: report)
    }

    /// Re-runs into a temporary directory and compares every output, byte
    /// for byte, with the recorded run (provenance.json aside: it holds the
    /// run time). Returns the files that differ or are missing; empty means
    /// the recorded run is reproduced exactly.
    public func verify(report: (String) -> Void) throws -> [String] {
        let recorded = analysis.outputDirectory
        guard FileManager.default.fileExists(atPath: recorded + "/provenance.json") else {
            throw InputError(file: recorded, problem: "there is no recorded run to verify (no provenance.json)",
                             fix: "Run `moodbiome run \(path)` first")
        }
        let scratch = NSTemporaryDirectory() + "moodbiome-verify-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var a = analysis
        a.outputDirectory = scratch
        a.manifestPath = path
        let result = try a.run { _ in }
        var differing = [String]()
        for (name, contents) in result.files {
            let old = FileManager.default.contents(atPath: recorded + "/" + name)
            if old != Data(contents.utf8) {
                differing.append(name)
                report(old == nil ? "missing from the recorded run: \(name)" : "differs from the recorded run: \(name)")
            }
        }
        if let old = FileManager.default.contents(atPath: recorded + "/provenance.json"), let text = String(data: old, encoding: .utf8) {
            for input in [analysis.diversity.tablePath, analysis.metadataPath] {
                let now = try Provenance.sha256(ofFile: input)
                if !text.contains(now) { report("the input \(input) has changed since the recorded run (SHA-256 \(now) is not in its provenance.json)") }
            }
        }
        return differing
    }
}
