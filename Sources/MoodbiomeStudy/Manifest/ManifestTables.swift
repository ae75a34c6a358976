import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport
import TOMLKit

/// A manifest's tables, checked against ``StudyManifest/schema``, with
/// typed reads that fail at the key's line, and the stages that turn them
/// into a study (``StudyManifest/init(path:)`` runs them in order).
struct ManifestTables {
    typealias Value = StudyManifest.Value
    let tables: [String: [String: Value]]
    let lines: [String]
    let path: String
    /// The manifest's folder: relative paths start here.
    let folder: URL

    init(text: String, lines: [String], path: String, folder: URL) throws {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw InputError(file: path, line: error.source.begin.line, column: error.source.begin.column,
                             problem: "not valid TOML: \(error.description)", fix: "See https://toml.io for the syntax")
        }
        self.lines = lines
        self.path = path
        self.folder = folder
        var tables = [String: [String: Value]]()
        for name in root.keys {
            guard let allowed = StudyManifest.schema[name] else {
                throw InputError(file: path, line: StudyManifest.line(in: lines, table: name) ?? StudyManifest.line(in: lines, table: "", key: name),
                                 problem: "unknown table or key '\(name)'",
                                 fix: "The manifest's tables are " + StudyManifest.schema.keys.sorted().map { "[\($0)]" }.joined(separator: ", "))
            }
            guard let value = root[name], case .table(let entries) = Value(value) else {
                throw InputError(file: path, line: StudyManifest.line(in: lines, table: "", key: name), problem: "'\(name)' must be a table, [\(name)]")
            }
            for key in entries.keys where !allowed.contains(key) {
                let suggestion = closestName(to: key, among: Array(allowed))
                throw InputError(file: path, line: StudyManifest.line(in: lines, table: name, key: key), problem: "unknown key '\(key)' in [\(name)]",
                                 fix: (suggestion.map { "Did you mean '\($0)'? " } ?? "") + "Allowed: " + allowed.sorted().joined(separator: ", "))
            }
            tables[name] = entries
        }
        self.tables = tables
    }

    // MARK: Typed reads

    func line(table: String, key: String? = nil) -> Int? { StudyManifest.line(in: lines, table: table, key: key) }

    func fail(_ table: String, _ key: String, _ expected: String) -> InputError {
        InputError(file: path, line: line(table: table, key: key), problem: "\(table).\(key) must be \(expected)")
    }

    func has(_ t: String, _ k: String? = nil) -> Bool { k.map { tables[t]?[$0] != nil } ?? (tables[t] != nil) }

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
        guard case .double(let x) = v, x.isFinite else { throw fail(t, k, "a finite number") }
        return x
    }

    func bool(_ t: String, _ k: String) throws -> Bool? {
        guard let v = tables[t]?[k] else { return nil }
        guard case .bool(let b) = v else { throw fail(t, k, "true or false") }
        return b
    }

    func list(_ t: String, _ k: String) throws -> [String]? {
        guard let v = tables[t]?[k] else { return nil }
        if case .string(let s) = v { return s.split(separator: ",").map { $0.trimmingWhitespace() } }
        guard case .array(let items) = v else { throw fail(t, k, "a list of strings") }
        return try items.map { item in
            guard case .string(let s) = item else { throw fail(t, k, "a list of strings") }
            return s
        }
    }

    /// A table of strings (`{ sex = "female" }`), or nil when absent.
    func stringTable(_ t: String, _ k: String, _ expected: String) throws -> [String: String]? {
        guard let v = tables[t]?[k] else { return nil }
        guard case .table(let entries) = v else { throw fail(t, k, expected) }
        var out = [String: String]()
        for (key, value) in entries {
            guard case .string(let text) = value else { throw fail(t, k, "a table of strings") }
            out[key] = text
        }
        return out
    }

    /// A path relative to the manifest's folder.
    func resolve(_ t: String, _ k: String, _ p: String) throws -> String {
        guard !p.isEmpty else { throw fail(t, k, "a non-empty path") }
        return (p.hasPrefix("/") ? URL(fileURLWithPath: p) : folder.appendingPathComponent(p)).standardizedFileURL.path
    }

    func requiredPath(_ t: String, _ k: String) throws -> String {
        guard let s = try string(t, k) else {
            throw InputError(file: path, line: line(table: t), problem: "\(t).\(k) is required", fix: "Add it under [\(t)]")
        }
        return try resolve(t, k, s)
    }

    // MARK: Stages

    /// The study's files, scale and outcome.
    func analysis() throws -> StudyAnalysis {
        let counts = try requiredPath("inputs", "counts")
        let metadata = try requiredPath("inputs", "metadata")
        let directory = try requiredPath("output", "directory")
        let scoring = try self.scoring()
        let exposureColumn = try string("model", "exposure")
        if exposureColumn != nil {
            // Diversity as the outcome: settings that belong to outcome models do not apply.
            for (table, key) in [("model", "outcome"), ("model", "outcome_cutoff"), ("model", "outcome_band"), ("model", "family"),
                                 ("model", "group_by"), ("scale", "name")]
            where has(table, key) {
                throw InputError(file: path, line: line(table: table, key: key), problem: "\(table).\(key) does not apply with model.exposure (diversity as the outcome)",
                                 fix: "Remove \(key), or model.exposure for an outcome analysis")
            }
        }
        guard let outcome = try string("model", "outcome") ?? scoring.map({ $0.outputPrefix + "_total" }) ?? exposureColumn.map({ _ in "" }) else {
            throw InputError(file: path, line: line(table: "model"), problem: "model.outcome (or model.exposure) is required", fix: "Add outcome = \"column\" under [model]")
        }
        var a = StudyAnalysis(countsPath: counts, metadataPath: metadata, outcome: outcome, outputDirectory: directory)
        a.spelling = StudyManifest.spelling
        a.association.scoring = scoring
        return a
    }

    /// `[scale]`: the scale to score, its items and how.
    func scoring() throws -> ScaleScoring? {
        do {
            if let name = try string("scale", "name") {
                var scoring = try ScaleScoring(scale: ScoreRun.scale(named: name), items: try list("scale", "items"), prefix: try string("scale", "prefix"))
                if let invalid = try string("scale", "invalid") {
                    guard invalid == "error" || invalid == "as-missing" else { throw fail("scale", "invalid", "\"error\" or \"as-missing\"") }
                    scoring.options.invalidAsMissing = invalid == "as-missing"
                }
                // The scored columns' prefix (`analyze --name`): phq9 → phq9_total by default.
                if let columns = try string("scale", "output_prefix") { scoring.outputPrefix = columns }
                return scoring
            } else if has("scale") {
                throw InputError(file: path, line: line(table: "scale"), problem: "[scale] needs a name", fix: "e.g. name = \"phq9\"")
            }
            return nil
        } catch let error as ScoringError {
            throw InputError(file: path, line: line(table: "scale"), problem: Words.message(for: error, spelling: StudyManifest.spelling))
        }
    }

    /// `[inputs]` besides the files: ID column, orientation, tree.
    func readInputs(into a: inout StudyAnalysis) throws {
        a.idColumn = try string("inputs", "id_column")
        if let layout = try string("inputs", "samples_in") {
            guard let o = SampleOrientation(rawValue: layout) else { throw fail("inputs", "samples_in", "\"auto\", \"rows\" or \"columns\"") }
            a.diversity.readOptions.orientation = o
        }
        if let tree = try string("inputs", "tree") {
            var input = TreeInput(path: try resolve("inputs", "tree", tree))
            input.midpointRoot = try bool("inputs", "midpoint_root") ?? false
            a.diversity.tree = input
        } else if has("inputs", "midpoint_root") {
            throw InputError(file: path, line: line(table: "inputs", key: "midpoint_root"), problem: "inputs.midpoint_root needs inputs.tree")
        }
    }

    /// `[diversity]`: metrics, their settings, rarefaction.
    func readDiversity(into a: inout StudyAnalysis) throws {
        if let metrics = try list("diversity", "metrics") { a.diversity.metrics = metrics.joined(separator: ",") }
        if let base = try string("diversity", "base") {
            guard let b = LogBase(base) else { throw fail("diversity", "base", "\"e\", \"2\" or \"10\"") }
            a.diversity.options.base = b
            a.diversity.explicitSettings.insert(.base)
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
            a.diversity.explicitSettings.insert(.chao1)
        }
        if let threshold = try int("diversity", "ace_threshold") {
            a.diversity.options.aceRareThreshold = threshold
            a.diversity.explicitSettings.insert(.aceThreshold)
        }
        if let gini = try string("diversity", "gini_method") {
            guard let g = LorenzIntegration(rawValue: gini) else { throw fail("diversity", "gini_method", "\"rectangles\" or \"trapezoids\"") }
            a.diversity.options.giniMethod = g
            a.diversity.explicitSettings.insert(.giniMethod)
        }
    }

    /// `[model]`: covariates, family, errors, random terms, adjustment.
    func readModel(into a: inout StudyAnalysis) throws {
        a.association.covariates = try list("model", "covariates") ?? []
        if let family = try string("model", "family") {
            guard let f = ModelFamily(name: family) else { throw fail("model", "family", "\"gaussian\" or \"binomial\"") }
            a.association.family = f
        }
        a.association.outcomeCutoff = try double("model", "outcome_cutoff")
        a.association.outcomeBand = try string("model", "outcome_band")
        if let robust = try string("model", "robust") {
            guard let c = CovarianceType(name: robust) else { throw fail("model", "robust", "\"hc0\", \"hc1\", \"hc2\" or \"hc3\"") }
            a.association.covariance = c
        }
        if let level = try double("model", "conf_level") { a.association.confidenceLevel = level }
        for (k, level) in try stringTable("model", "references", "a table such as { sex = \"female\" }") ?? [:] {
            a.association.references[k] = level
        }
        if let adjust = try string("model", "adjust") {
            guard let m = PValueAdjustment(name: adjust) else { throw fail("model", "adjust", "\"bh\", \"holm\" or \"bonferroni\"") }
            a.association.adjustment = m
        }
        a.association.groupBy = try string("model", "group_by")
        a.association.cluster = try string("model", "cluster")
        if let random = try string("model", "random") {
            do {
                a.association.random = try Formula.randomTerms(random)
            } catch let error as FormulaError {
                throw InputError(file: path, line: line(table: "model", key: "random"),
                                 problem: "[model] random: " + Words.formula(error), fix: "e.g. random = \"(1 | participant_id)\"")
            }
        }
        a.time = try string("model", "time")
        a.mediateBy = try string("model", "mediate_by")
        if let ml = try bool("model", "ml") { a.association.reml = !ml }
        if let profile = try bool("model", "profile_ci") { a.association.profileIntervals = profile }
        if let depth = try bool("model", "depth_covariate") { a.association.depthCovariate = depth }
    }

    /// `[composition]`: beta metrics and their tests.
    func readComposition(into a: inout StudyAnalysis) throws {
        guard has("composition") else { return }
        var c = StudyComposition()
        guard let metrics = try list("composition", "metrics"), !metrics.isEmpty else {
            throw InputError(file: path, line: line(table: "composition"), problem: "[composition] needs metrics",
                             fix: "e.g. metrics = [\"braycurtis\"]")
        }
        c.metrics = metrics
        if let k = try int("composition", "permutations") { c.permutations = k }
        if let column = try string("composition", "strata") { c.strata = column }
        if let x = try double("composition", "pseudocount") { c.settings.pseudocount = x }
        if let x = try double("composition", "alpha") { c.settings.generalizedAlpha = x }
        a.composition = c
    }

    /// `[functions]`: functional profiles whose gut–brain modules are scored
    /// and tested (`analyze --functions`, `--module-db`, `--module-coverage`,
    /// `--module-method`).
    func readFunctions(into a: inout StudyAnalysis) throws {
        guard has("functions") else { return }
        guard let profiles = try list("functions", "profiles"), !profiles.isEmpty else {
            throw InputError(file: path, line: line(table: "functions"), problem: "[functions] needs profiles",
                             fix: "e.g. profiles = [\"humann_ko.tsv\"]")
        }
        a.functionsPaths = try profiles.map { try resolve("functions", "profiles", $0) }
        if let dbs = try list("functions", "db") {
            a.moduleDatabases = try dbs.map { ModuleDatabase.builtIn($0) == nil ? try resolve("functions", "db", $0) : $0 }
        }
        if let x = try double("functions", "coverage") { a.moduleScoring.coverage = x }
        if let name = try string("functions", "method") {
            guard let method = AssociationMethod(rawValue: name.lowercased()) else { throw fail("functions", "method", "maaslin2, linda, ancombc or ancombc2") }
            a.moduleMethod = method
        }
    }

    /// `[output]`: table format, figure files, display names.
    func readOutput(into a: inout StudyAnalysis) throws {
        if let format = try string("output", "format") {
            guard let f = TableFormat(name: format) else { throw fail("output", "format", TableFormat.names.joined(separator: ", ")) }
            a.tableFormat = f
        }
        // Figure files: figure_formats = ["pdf", "png"] (SVG always), dpi = 300.
        if let names = try list("output", "figure_formats") {
            let formats = try names.map { name -> FigureFormat in
                guard let f = FigureFormat(rawValue: name.lowercased()) else {
                    throw fail("output", "figure_formats", "a list of " + FigureFormat.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return f
            }
            do { try ParameterError.checkDistinct(formats.map(\.rawValue), .figureFormats) } catch let e as ParameterError {
                throw StudyManifest.locate(e, path: path, lines: lines)
            }
            a.figureExport = FigureExportSettings(formats: formats, dpi: a.figureExport.dpi)
        }
        if let dpi = try int("output", "dpi") {
            // As on the command line: a resolution only with PNG figures.
            guard a.figureExport.formats.contains(.png) else {
                throw StudyManifest.locate(ParameterError(.dpi, .onlyFor(.pngFigures)), path: path, lines: lines)
            }
            a.figureExport.dpi = dpi
        }
        try readNames(into: &a)
    }

    /// Figure names: labels = { phq9_total = "PHQ-9" }, levels = { phenotype = ["Lean", "Obese"] }.
    func readNames(into a: inout StudyAnalysis) throws {
        for (column, label) in try stringTable("output", "labels", "a table of strings, e.g. { phq9_total = \"PHQ-9 total\" }") ?? [:] {
            a.names.labels[column] = label
        }
        if let v = tables["output"]?["levels"] {
            guard case .table(let entries) = v else { throw fail("output", "levels", "a table of lists, e.g. { phenotype = [\"Lean\", \"Obese\"] }") }
            for (column, list) in entries {
                guard case .array(let items) = list else { throw fail("output", "levels", "a table of lists of strings") }
                let values = try items.map { item -> String in
                    guard case .string(let text) = item else { throw fail("output", "levels", "a table of lists of strings") }
                    return text
                }
                guard a.names.addLevels(column + "=" + values.joined(separator: ",")) else {
                    throw fail("output", "levels", "lists of levels, each \"level\" or \"level:label\"")
                }
            }
        }
    }
}
