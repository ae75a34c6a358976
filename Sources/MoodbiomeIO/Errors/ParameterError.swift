/// A parameter of a job, by its canonical name (`confLevel`, `rarefactionDepth`).
///
/// The library names parameters, never command-line flags or manifest keys:
/// each front end spells a parameter its own way (the CLI as `--conf-level`,
/// a manifest as `conf_level` at its line), so an error reads in the words
/// of whoever wrote the request. Each layer declares the parameters it
/// validates as static members.
public struct Parameter: Hashable, Sendable, CustomStringConvertible {
    /// The canonical name, in lower camel case.
    public let name: String

    public init(_ name: String) { self.name = name }

    public var description: String { name }
}

extension Parameter {
    public static let format = Parameter("format")
    public static let output = Parameter("output")
    public static let outputDirectory = Parameter("outputDirectory")
    public static let digits = Parameter("digits")
    /// How a count table is read: the mothur label, the rank, collapsed names.
    public static let label = Parameter("label")
    public static let level = Parameter("level")
    public static let names = Parameter("names")
    public static let delimiter = Parameter("delimiter")
    public static let samplesIn = Parameter("samplesIn")
    /// Replace an existing output (`--force`).
    public static let overwrite = Parameter("overwrite")
    public static let idColumn = Parameter("idColumn")
    public static let taxonomy = Parameter("taxonomy")
    public static let missingBranchLengths = Parameter("missingBranchLengths")
    /// A distance matrix's stripes: which one (`--stripes K/N`), where it goes, how stored.
    public static let stripes = Parameter("stripes")
    public static let partial = Parameter("partial")
    public static let precision = Parameter("precision")
}

extension Parameter {
    /// The parameter inside the text of an error (its `fix:`), for the
    /// front end to spell: a lower layer writes `\(Parameter.overwrite.mention)`
    /// and the CLI reads `--force`, a manifest run `overwrite`.
    public var mention: String { "\u{E000}\(name)\u{E001}" }

    /// `text` with every ``mention`` spelled by `spell`.
    public static func spelling(_ text: String, _ spell: (Parameter) -> String) -> String {
        guard text.contains("\u{E000}") else { return text }
        var out = "", rest = text[...]
        while let open = rest.firstIndex(of: "\u{E000}"), let close = rest[open...].firstIndex(of: "\u{E001}") {
            out += rest[..<open]
            out += spell(Parameter(String(rest[rest.index(after: open)..<close])))
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

/// A job parameter with a value it cannot take, or a combination of
/// parameters that does not go together. Typed, so that the front end that
/// received the request can name the parameter in its own spelling.
public struct ParameterError: Error, Equatable, Sendable {
    /// What is wrong with the value.
    public enum Problem: Equatable, Sendable {
        /// The value lies outside the allowed range.
        case outOfRange(value: String, allowed: AllowedRange)
        /// The value is not one of the allowed choices.
        case unknownChoice(value: String, choices: [String])
        /// The parameter applies only together with another one.
        case requires(Parameter)
        /// The parameter cannot be combined with another one.
        case conflicts(Parameter)
        /// A value that is not in the expected form (`column=level`, a list of numbers).
        case malformed(value: String, expected: String)
        /// The value disagrees with another setting (a format and a file extension).
        case disagrees(value: String, with: String)
        /// Meaningful only in a setting the request is not in.
        case onlyFor(Setting)
        /// The value is larger than Moodbiome's documented limit for it.
        case exceedsLimit(value: String, limit: String)
        /// Neither this parameter nor the alternative was given; one is needed.
        case missingAlternative(Parameter)
        /// A list names the same item twice.
        case listedTwice(String)
    }

    /// The values a parameter may take, bounds as written.
    public enum AllowedRange: Equatable, Sendable {
        case atLeast(String)
        case atMost(String)
        /// Inclusive at both ends.
        case between(String, String)
        /// Exclusive at both ends.
        case strictlyBetween(String, String)
    }

    /// Where a parameter applies.
    public enum Setting: Equatable, Sendable {
        case linearModels
        case logisticModels
        case rarefaction
        case scoredInstrument
        /// Models without random-effects terms (robust and cluster-robust errors).
        case fixedEffectsModels
        /// Models with random-effects terms (`--ml`, `--random-output`).
        case mixedModels
        /// Random-effects terms, which need a linear (Gaussian) model.
        case linearMixedModels
        /// PNG figures (a resolution).
        case pngFigures
        /// Distances written to an HDF5 file (a `.h5` output or a stripe).
        case hdf5Output
        /// One of these metrics (an option only they read).
        case metrics([String])
        /// Tables of one format (`label`: what the format is called), where
        /// the file given is of another (`found`).
        case tableFormat(String, found: String)
        /// CSV or TSV output (guarding text cells against spreadsheet formulas).
        case delimitedOutput
        /// One `associate --method` (its name), which is not the one asked for.
        case associationMethod(String)
        /// PERMDISP to the groups' centroids (`betadisper --streamed`).
        case centroidDispersion
    }

    public let parameter: Parameter
    public let problem: Problem

    public init(_ parameter: Parameter, _ problem: Problem) {
        self.parameter = parameter
        self.problem = problem
    }

    /// Refuses a list that names an item twice.
    public static func checkDistinct<S: Sequence>(_ items: S, _ parameter: Parameter) throws where S.Element: Hashable & CustomStringConvertible {
        var seen = Set<S.Element>()
        for item in items where !seen.insert(item).inserted { throw ParameterError(parameter, .listedTwice(item.description)) }
    }
}
