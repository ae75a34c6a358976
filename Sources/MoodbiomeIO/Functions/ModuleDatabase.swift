import FoundationEssentials

/// A metabolic module: a pathway written as steps (reactions), each step
/// done by any one of its alternatives, each alternative an ortholog or a
/// complex of several (all of whose subunits are needed).
public struct FunctionModule: Sendable, Equatable {
    /// The module's ID (`MGB005`, `MF0001`).
    public let id: String
    /// What it does ("Tryptophan synthesis").
    public let name: String
    /// Per step, its alternatives; per alternative, its subunits' ortholog IDs.
    public let steps: [[[String]]]
    /// The file's line of the module's header (1-based).
    public let line: Int

    public init(id: String, name: String, steps: [[[String]]], line: Int = 0) {
        self.id = id
        self.name = name
        self.steps = steps
        self.line = line
    }

    /// Every ortholog the module names, each once, in order of appearance.
    public var orthologs: [String] {
        var seen = Set<String>(), out = [String]()
        for step in steps { for alternative in step { for id in alternative where seen.insert(id).inserted { out.append(id) } } }
        return out
    }

    /// The KEGG orthologs (`K` and five digits) among ``orthologs``.
    public var keggOrthologs: [String] { orthologs.filter(FunctionModule.isKEGGOrtholog) }

    /// Whether `id` is a KEGG ortholog ID: `K` and five digits.
    public static func isKEGGOrtholog(_ id: String) -> Bool {
        let u = Array(id.utf8)
        return u.count == 6 && u[0] == UInt8(ascii: "K") && u[1...].allSatisfy { (48...57).contains($0) }
    }
}

/// A set of modules in omixer-rpm's text format (Darzi et al. 2016), the
/// format of the gut–brain modules (GBMs, Valles-Colomer et al. 2019) and
/// the gut metabolic modules (GMMs, Vieira-Silva et al. 2016):
///
/// ```
/// MGB005<TAB>Tryptophan synthesis      a module: ID, tab, name
/// K01657,K01658<TAB>K13497             a step: alternatives separated by tabs,
/// K00766<TAB>K13497                    the subunits of a complex by commas
/// ///                                  the module's end
/// ```
///
/// The file's last module may end at the end of the file without `///`
/// (as in GBMs v1.0); empty fields after a step's last tab are ignored.
public struct ModuleDatabase: Sendable {
    /// The database's name (`GBMs v1.0`, or the file's path).
    public let name: String
    /// Where it was read from.
    public let source: String
    public let modules: [FunctionModule]

    public init(name: String, source: String, modules: [FunctionModule]) {
        self.name = name
        self.source = source
        self.modules = modules
    }

    /// The modules of a file in omixer-rpm's format.
    ///
    /// - Throws: `InputError` at the line for a module without steps, an
    ///   empty step or subunit, a module header without an ID, a duplicated
    ///   module ID or a file with no module.
    public static func read(path: String) throws -> ModuleDatabase {
        let bytes = try FileBytes.contents(of: path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw InputError(file: path, problem: "the module file is not UTF-8 text", fix: "Give a module file in omixer-rpm's text format")
        }
        return try parse(text, name: path, source: path)
    }

    /// The modules of `text` (omixer-rpm's format), errors placed in `source`.
    public static func parse(_ text: String, name: String, source: String) throws -> ModuleDatabase {
        var modules = [FunctionModule]()
        var firstLine = [String: Int]()
        var open: (id: String, name: String, line: Int, steps: [[[String]]])? = nil
        func close(at line: Int) throws {
            guard let module = open else { return }
            guard !module.steps.isEmpty else {
                throw InputError(file: source, line: line, problem: "module \(module.id) (line \(module.line)) has no steps",
                                 fix: "List its steps, one per line, between its header and ///")
            }
            modules.append(FunctionModule(id: module.id, name: module.name, steps: module.steps, line: module.line))
            open = nil
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // Blank lines at the end close the last module (which may lack ///).
        while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { lines.removeLast() }
        var lineNumber = 0
        for raw in lines {
            lineNumber += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
            let content = fields.filter { !$0.isEmpty }
            if line.trimmingWhitespace() == "///" {
                guard open != nil else {
                    throw InputError(file: source, line: lineNumber, problem: "/// ends no module", fix: "Start each module with a line ID<TAB>name")
                }
                try close(at: lineNumber)
                continue
            }
            if open == nil {
                if content.isEmpty { continue }
                let id = try Names.name(fields[0], file: source, line: lineNumber, column: 1, what: "module ID")
                guard !id.isEmpty else {
                    throw InputError(file: source, line: lineNumber, column: 1, problem: "a module header without an ID",
                                     fix: "Start each module with a line ID<TAB>name")
                }
                if let earlier = firstLine[id] {
                    throw InputError(file: source, line: lineNumber, column: 1,
                                     problem: "module \(id) is defined twice (first on line \(earlier))", fix: "Give each module its own ID")
                }
                firstLine[id] = lineNumber
                let moduleName = try fields.dropFirst().first.map { try Names.name($0, file: source, line: lineNumber, column: 2, what: "module name") } ?? ""
                open = (id, moduleName, lineNumber, [])
                continue
            }
            guard !content.isEmpty else {
                throw InputError(file: source, line: lineNumber, problem: "an empty step in module \(open!.id)",
                                 fix: "Remove the empty line, or end the module with ///")
            }
            var step = [[String]]()
            for (k, field) in fields.enumerated() where !field.isEmpty {
                let subunits = field.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
                guard !subunits.contains(where: \.isEmpty) else {
                    throw InputError(file: source, line: lineNumber, column: k + 1,
                                     problem: "an empty subunit in '\(field)' (module \(open!.id))",
                                     fix: "Separate a complex's orthologs by single commas")
                }
                step.append(try subunits.map { try Names.name($0, file: source, line: lineNumber, column: k + 1, what: "ortholog ID") })
            }
            open!.steps.append(step)
        }
        try close(at: lineNumber)
        guard !modules.isEmpty else {
            throw InputError(file: source, problem: "no module in the file", fix: "Give a module file in omixer-rpm's text format (ID<TAB>name, one step per line, ///)")
        }
        return ModuleDatabase(name: name, source: source, modules: modules)
    }
}

extension ModuleDatabase {
    /// The databases Moodbiome carries, by the names `--db` takes.
    public static let builtInNames = ["gbm", "gmm"]

    /// A database Moodbiome carries: `gbm` (the 56 gut–brain modules, GBMs
    /// v1.0) or `gmm` (the 103 gut metabolic modules, GMMs v1.07), as
    /// published in omixer-rpmR's `inst/extdata/` (see
    /// `Datasets/module-databases/README.md`); `nil` for another name.
    public static func builtIn(_ name: String) -> ModuleDatabase? {
        guard let entry = ModuleDatabaseFiles.files[name.lowercased()] else { return nil }
        // The carried files are checked by the tests; a parse error here is a build defect.
        return try! parse(entry.text, name: entry.title, source: entry.title)
    }

    /// A database by built-in name or path.
    public static func named(_ nameOrPath: String) throws -> ModuleDatabase {
        try builtIn(nameOrPath) ?? read(path: nameOrPath)
    }

    /// Several databases as one (`gbm,gmm`): their modules in order.
    ///
    /// - Throws: `InputError` when two of them define the same module ID.
    public static func combined(_ databases: [ModuleDatabase]) throws -> ModuleDatabase {
        guard databases.count > 1 else { return databases[0] }
        var owner = [String: String]()
        for database in databases {
            for module in database.modules {
                if let first = owner.updateValue(database.source, forKey: module.id) {
                    throw InputError(file: database.source, line: module.line, column: 1,
                                     problem: "module \(module.id) is also defined in \(first)", fix: "Give the databases distinct module IDs")
                }
            }
        }
        return ModuleDatabase(name: databases.map(\.name).joined(separator: " and "), source: databases.map(\.source).joined(separator: ", "),
                              modules: databases.flatMap(\.modules))
    }
}
