import ArgumentParser
import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeNumerics
import MoodbiomeReport
import MoodbiomeStudy

// MARK: Choices, typed once

/// Every choice is accepted in any case (`--normalization CLR`, as
/// MaAsLin2's users write it): the exact spelling first, then a
/// case-insensitive match.
extension ExpressibleByArgument where Self: CaseIterable & RawRepresentable, RawValue == String {
    public init?(argument: String) {
        if let exact = Self(rawValue: argument) { self = exact; return }
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == argument.lowercased() }) else { return nil }
        self = match
    }
}

extension ModelFamily: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument.lowercased()) }
    public static var allValueStrings: [String] { ["gaussian", "binomial"] }
}

extension CovarianceType: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument.lowercased()) }
    public static var allValueStrings: [String] { ["hc0", "hc1", "hc2", "hc3"] }
}

extension PValueAdjustment: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument.lowercased()) }
    public static var allValueStrings: [String] { ["bh", "holm", "bonferroni"] }
}

extension LogBase: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public static var allValueStrings: [String] { ["e", "2", "10"] }
    public var defaultValueDescription: String { description }
}

extension SampleOrientation: ExpressibleByArgument {}
extension LorenzIntegration: ExpressibleByArgument {}

extension TableFormat: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument.lowercased()) }
    public static var allValueStrings: [String] { TableFormat.names }
    public var defaultValueDescription: String { fileExtension }
}

/// `--delimiter`: by extension/sniffing, or forced.
enum DelimiterChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, comma, tab

    var delimiter: Delimiter? {
        switch self {
        case .auto: nil
        case .comma: .comma
        case .tab: .tab
        }
    }
}

/// `--chao1`: the estimator's form.
enum Chao1Form: String, ExpressibleByArgument, CaseIterable {
    case biasCorrected = "bias-corrected"
    case classic
}

/// `--invalid`: what an out-of-range item answer does.
enum InvalidAnswerPolicy: String, ExpressibleByArgument, CaseIterable {
    case error
    case asMissing = "as-missing"
}

/// `--prorate`: how prorated totals are kept.
enum ProrateMode: String, ExpressibleByArgument, CaseIterable {
    case round, exact
}

// MARK: Errors in the command line's words

/// How the command line spells parameters: `--conf-level`.
let commandLineSpelling = ParameterSpelling.derived(prefix: "--", separator: "-", overrides: [
    "exponentiate": "--exp", "outputDirectory": "--out-dir", "output": "-o/--output", "outcome": "--outcome",
    "maximumLikelihood": "--ml", "overwrite": "--force", "guardFormulas": "--safe-csv", "profile": "<profiles>",
    "standardize": "--standardize/--no-standardize",
])

/// An error already put into words, printed by ArgumentParser as `Error: …`.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs a command's body, putting any error into the command line's words
/// (terminal-safe: control characters from the user's files shown escaped).
/// A command that does linear algebra loads OpenBLAS first, so a missing
/// library is an error before any work.
func reportingErrors(linearAlgebra: Bool = false, _ body: () throws -> Void) throws {
    do {
        if linearAlgebra { try SystemLibrary.requireLinearAlgebra() }
        try body()
    } catch let error as ExitCode {
        InputFingerprints.finishAll()
        throw error
    } catch {
        InputFingerprints.finishAll()
        throw CommandFailure(description: Escape.terminal(Words.message(for: error, spelling: commandLineSpelling)))
    }
}

/// Runs any job the one way: the job is made (its option errors in
/// words), the libraries it needs are loaded, it runs with notes on
/// standard error, and its delivery goes to standard output (a table) or
/// standard error (what it wrote).
func execute<J: Job>(_ make: () throws -> J) throws {
    try reportingErrors {
        let job = try make()
        if job.usesLinearAlgebra { try SystemLibrary.requireLinearAlgebra() }
        let output = try job.run(report: printToStandardError)
        switch job.delivery(of: output) {
        case .standardOutput(let text): try writeToStandardOutput(text)
        case .written(let line): printToStandardError(line)
        }
    }
}

/// A job's own parameter checks, as ArgumentParser validation errors.
func validating(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        throw ValidationError(Escape.terminal(Words.message(for: error, spelling: commandLineSpelling)))
    }
}

/// Prints a note on standard error, terminal-safe.
func printToStandardError(_ message: String) {
    writeStandardError(Array((Escape.terminal(message) + "\n").utf8))
}

/// Writes a command's result to standard output; a failed write (a closed
/// pipe, a full disk) is an error, never a crash.
func writeToStandardOutput(_ text: String) throws {
    if let failure = writeStandardOutput(Array(text.utf8)) {
        throw CommandFailure(description: "cannot write to standard output: \(failure)")
    }
}

/// A comma-separated list, trimmed, empty items dropped.
/// Splits at commas outside parentheses, brackets and quotes, so that a
/// list item may be a formula term: `age,C(sex, ref="M"),log(bmi)`.
func commaList(_ text: String) -> [String] {
    var items = [String](), current = "", depth = 0
    var quote: Character? = nil
    for c in text {
        if let q = quote {
            if c == q { quote = nil }
        } else if c == "\"" || c == "'" || c == "`" {
            quote = c
        } else if c == "(" || c == "[" {
            depth += 1
        } else if c == ")" || c == "]" {
            depth = Swift.max(0, depth - 1)
        } else if c == "," && depth == 0 {
            items.append(current)
            current = ""
            continue
        }
        current.append(c)
    }
    items.append(current)
    return items.map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
}

// MARK: Option groups

/// Where and how a command writes its table: `--format`, `-o`, `--force`.
struct OutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Output format: csv, tsv, md, json, tex (LaTeX booktabs) or html; md, tex and html round numbers for reading. Default: by the output file's extension, else csv.", valueName: "format"))
    var format: TableFormat?

    @OptionGroup var file: FileOutputOptions

    var output: String? { file.output }
    var force: Bool { file.force }
    var safeCSV: Bool { file.safeCSV }
}

/// `--id-column`: the metadata column holding the sample IDs (declared
/// once for every command that joins metadata to samples).
struct MetadataIDOption: ParsableArguments {
    @Option(name: .customLong("id-column"), help: ArgumentHelp("The metadata column holding the sample IDs (default: the first column).", valueName: "column"))
    var idColumn: String?
}

/// A job's output directory: `--out-dir` and `--force` (declared once for
/// every command that writes a directory).
struct DirectoryOutputOptions: ParsableArguments {
    @Option(name: .customLong("out-dir"), help: ArgumentHelp("Directory for the outputs (created if missing; replaced as a whole, so new, empty or a previous run's).", valueName: "dir"))
    var outDir: String

    @Flag(help: "Replace a previous run in --out-dir.")
    var force = false
}

/// Where one output file goes and how: `-o/--output`, `--force`,
/// `--safe-csv` (declared once; every command writing one file uses them).
struct FileOutputOptions: ParsableArguments {
    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Write here (atomically) instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "Replace the output file if it exists.")
    var force = false

    @Flag(name: .customLong("safe-csv"), help: "Prefix CSV/TSV text cells that start with =, +, -, @ (a spreadsheet would run them as formulas) with '. Numbers are never changed.")
    var safeCSV = false
}

/// The model options shared by `regress` and `analyze`.
struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("gaussian (OLS) or binomial (logistic; the outcome must be 0/1 or two-valued). Default: gaussian for regress; for analyze, binomial when the outcome has exactly two values, else gaussian.", valueName: "family"))
    var family: ModelFamily?

    @Option(help: ArgumentHelp("Heteroscedasticity-consistent standard errors: hc0, hc1, hc2 or hc3 (linear models).", valueName: "type"))
    var robust: CovarianceType?

    @Option(help: ArgumentHelp("Cluster-robust standard errors over this column's groups (participant, family, site): sandwich::vcovCL's HC1, t tests on the residual df for linear models and z for logistic, as lmtest::coeftest; the overall F becomes the robust Wald F.", valueName: "column"))
    var cluster: String?

    @Option(name: .customLong("conf-level"), help: "Confidence level of the intervals, between 0 and 1.")
    var confLevel = 0.95

    @Option(help: ArgumentHelp("Reference level of a categorical column, as column=level (repeatable).", valueName: "column=level"))
    var reference: [String] = []

    /// The parsed values.
    func resolved() throws -> (family: ModelFamily, covariance: CovarianceType, confidenceLevel: Double, references: [String: String]) {
        (family ?? .gaussian, robust ?? .classical, confLevel, try RegressionRun.parseReferences(reference))
    }
}

/// How a count table is read: its layout (CSV/TSV), delimiter, the mothur
/// label and the MetaPhlAn level. The format itself is recognised by content.
struct TableInputOptions: ParsableArguments {
    @Option(name: .customLong("samples-in"), help: ArgumentHelp("CSV/TSV: whether samples are the table's rows or columns: auto, rows, columns. auto = columns for QIIME/biom TSV, rows otherwise.", valueName: "layout"))
    var samplesIn = SampleOrientation.auto

    @Option(help: ArgumentHelp("CSV/TSV field separator: auto, comma or tab. auto = by extension, else sniffed.", valueName: "sep"))
    var delimiter = DelimiterChoice.auto

    @Option(help: ArgumentHelp("mothur .shared: the label (distance) to read, e.g. 0.03. Default: the first.", valueName: "label"))
    var label: String?

    @Option(help: ArgumentHelp("Analyse at this rank: kingdom, phylum, class, order, family, genus, species or strain. A MetaPhlAn profile's rows of that rank (default species); any other table is collapsed to it by its taxonomy (--taxonomy, or the BIOM file's own).", valueName: "rank"))
    var level: TaxonomicRank?

    @Option(help: ArgumentHelp("The features' taxonomy: QIIME 2 taxonomy.tsv or taxonomy.qza, mothur .cons.taxonomy, or one column per rank (Kingdom, Phylum, …).", valueName: "file"))
    var taxonomy: String?

    @Option(help: ArgumentHelp("With --level: name collapsed features by their lineage (default) or short (the last rank's name, the lineage where two clash).", valueName: "style"))
    var names: CollapsedNames?

    func configure(_ options: inout CountTableReadOptions) {
        options.orientation = samplesIn
        options.delimiter = delimiter.delimiter
        options.label = label
        options.rank = level
        options.taxonomyPath = taxonomy
        options.collapsedNames = names
    }
}

/// The alpha-diversity options shared by `diversity` and `analyze`.
struct DiversityOptions: ParsableArguments {
    @Option(help: "Comma-separated metrics, or 'all'. See `moodbiome metrics`.")
    var metrics = "observed_features,shannon,simpson"

    @Option(help: ArgumentHelp("Log base for shannon and renyi: e (default), 2 or 10. QIIME 2 reports base 2; scikit-bio and vegan default to e.", valueName: "base"))
    var base: LogBase?

    @OptionGroup var table: TableInputOptions

    @OptionGroup var tree: TreeOptions

    @Option(help: ArgumentHelp("Rarefy every sample to this many reads first (subsampling without replacement); shallower samples are dropped and listed.", valueName: "depth"), transform: plainInteger)
    var rarefy: Int?

    @Option(help: "Average the metrics over this many rarefied draws. (default: 1)", transform: plainInteger)
    var iterations = 1

    @Option(help: "Seed of everything random in the run: the rarefaction draws, and in analyze the permutations of --beta's tests. The same seed gives byte-identical output on any machine; without it a seed is drawn and printed.", transform: plainSeed)
    var seed: UInt64?

    @Flag(name: .customLong("drop-empty"), help: "Drop samples with no reads instead of writing them as NA.")
    var dropEmpty = false

    @Option(help: ArgumentHelp("Chao1 form: bias-corrected (S + F1(F1−1)/(2(F2+1)), default) or classic (S + F1²/(2F2)).", valueName: "form"))
    var chao1: Chao1Form?

    @Option(name: .customLong("ace-threshold"), help: "ACE: taxa with at most this many reads are rare. (default: 10)", transform: plainInteger)
    var aceThreshold: Int?

    @Option(name: .customLong("gini-method"), help: ArgumentHelp("Gini index Lorenz-curve integration: rectangles (default, as scikit-bio) or trapezoids.", valueName: "method"))
    var giniMethod: LorenzIntegration?

    /// Applies the options to a diversity job.
    func configure(_ job: inout DiversityRun) {
        job.metrics = metrics
        table.configure(&job.readOptions)
        if let base { job.options.base = base; job.explicitSettings.insert(.base) }
        if let chao1 { job.options.chao1BiasCorrected = chao1 == .biasCorrected; job.explicitSettings.insert(.chao1) }
        if let giniMethod { job.options.giniMethod = giniMethod; job.explicitSettings.insert(.giniMethod) }
        if let aceThreshold { job.options.aceRareThreshold = aceThreshold; job.explicitSettings.insert(.aceThreshold) }
        job.rarefactionDepth = rarefy
        job.iterations = iterations
        if let seed { job.seed = seed }
        job.dropEmpty = dropEmpty
        job.tree = tree.input
        job.spelling = commandLineSpelling
    }
}

extension MissingBranchLengths: ExpressibleByArgument {}
extension CollapsedNames: ExpressibleByArgument {}
extension DistanceLayout: ExpressibleByArgument {}
extension DistancePrecision: ExpressibleByArgument {}
extension PrincipalCoordinates.Method: ExpressibleByArgument {}

/// A phylogenetic tree: `--tree`, `--midpoint-root`, `--missing-branch-lengths`.
struct TreeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Newick tree whose tips are the table's feature IDs (for faith_pd and the UniFrac metrics).", valueName: "tree.nwk"))
    var tree: String?

    @Flag(name: .customLong("midpoint-root"), help: "Root an unrooted tree at the midpoint of its longest tip-to-tip path (as QIIME 2's midpoint-root).")
    var midpointRoot = false

    @Option(name: .customLong("missing-branch-lengths"), help: ArgumentHelp("A branch without a length: error (default), or zero (with a note).", valueName: "rule"))
    var missingBranchLengths = MissingBranchLengths.error

    var input: TreeInput? {
        tree.map {
            var input = TreeInput(path: $0)
            input.midpointRoot = midpointRoot
            input.missingLengths = missingBranchLengths
            return input
        }
    }

    func validate() throws {
        if tree == nil && midpointRoot { throw ValidationError("--midpoint-root needs --tree") }
        if tree == nil && missingBranchLengths != .error { throw ValidationError("--missing-branch-lengths needs --tree") }
    }
}

/// The beta-diversity metric options shared by `beta` and `analyze`.
struct BetaSettingsOptions: ParsableArguments {
    @Option(help: "aitchison: added to every count before the log-ratio (0 only for tables without zeros).")
    var pseudocount = 1.0

    @Option(help: "generalized_unifrac: the weight α of abundant lineages, 0 (unweighted-like) to 1 (weighted).")
    var alpha = 0.5

    var settings: BetaOptions {
        var s = BetaOptions()
        s.pseudocount = pseudocount
        s.generalizedAlpha = alpha
        return s
    }
}

extension Permanova.Split: ExpressibleByArgument {}
extension Dispersion.Centre: ExpressibleByArgument {}
extension MantelTest.Method: ExpressibleByArgument {}

extension OutputOptions {
    /// The options as a job's table destination.
    var destination: TableDestination {
        var d = TableDestination()
        d.format = format
        d.path = output
        d.overwrite = force
        d.guardFormulas = safeCSV
        return d
    }
}

/// A permutation test's options: `--permutations`, `--seed`, `--strata`.
struct PermutationOptions: ParsableArguments {
    @Option(help: "Number of random permutations for the p-value (0: none). (default: 999)", transform: plainInteger)
    var permutations = 999

    @Option(help: "Seed of the permutations; the same seed gives byte-identical output on any machine. Without it a seed is drawn and printed.", transform: plainSeed)
    var seed: UInt64?

    @Option(help: ArgumentHelp("Restrict permutations by this metadata column (e.g. participant or family), for several samples per participant: a variable constant within each group is tested by permuting whole groups (among groups of equal size), any other by permuting samples within groups (vegan's strata).", valueName: "column"))
    var strata: String?

    var settings: PermutationSettings {
        var s = PermutationSettings()
        s.permutations = permutations
        s.seed = seed
        s.strata = strata
        s.spelling = commandLineSpelling
        return s
    }
}

/// A distance matrix and its samples' metadata.
struct DistanceMetadataOptions: ParsableArguments {
    @Argument(help: "The distance matrix (square TSV/CSV with an empty top-left cell, as `moodbiome beta`, QIIME 2 and scikit-bio write it).")
    var matrix: String

    @Option(help: ArgumentHelp("The samples' metadata (CSV/TSV; QIIME 2 metadata files too).", valueName: "file"))
    var metadata: String

    @Option(name: .customLong("id-column"), help: ArgumentHelp("The metadata's sample-ID column (default: the first).", valueName: "column"))
    var idColumn: String?

    var input: DistanceMetadataInput {
        var i = DistanceMetadataInput(matrixPath: matrix, metadataPath: metadata)
        i.idColumn = idColumn
        return i
    }
}

extension FigureFormat: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

/// Figure files besides SVG: `--figure-formats pdf,png`, `--dpi 600`.
struct FigureOptions: ParsableArguments {
    @Option(name: .customLong("figure-formats"), help: ArgumentHelp("Also write every figure as pdf and/or png, comma-separated (SVG is always written). PDF and PNG are set in Liberation Sans (Debian: fonts-liberation2).", valueName: "formats"))
    var figureFormats: String?

    @Option(help: ArgumentHelp("Resolution of PNG figures, in dots per inch (72–1200; default 300).", valueName: "dpi"), transform: plainInteger)
    var dpi: Int?

    /// The requested formats; an unknown one is an error naming the choices.
    var formats: [FigureFormat] {
        get throws {
            let formats = try commaList(figureFormats ?? "").map { name in
                guard let format = FigureFormat(argument: name) else {
                    throw ParameterError(.figureFormats, .unknownChoice(value: name, choices: FigureFormat.allCases.map(\.rawValue)))
                }
                return format
            }
            try ParameterError.checkDistinct(formats.map(\.rawValue), .figureFormats)
            return formats
        }
    }

    var settings: FigureExportSettings {
        get throws {
            var s = FigureExportSettings(formats: try formats)
            if let dpi { s.dpi = dpi }
            return s
        }
    }

    func validate() throws {
        try validating {
            let s = try settings
            if dpi != nil && !s.formats.contains(.png) { throw ParameterError(.dpi, .onlyFor(.pngFigures)) }
            try s.checkResolution()
        }
    }
}

// MARK: Integers, written plainly

/// An integer option's value: digits, with a leading minus for a negative
/// number (`42`, `-3`). `+2`, `2e0`, `0x10`, `-0`, `4.0` and spaces are
/// refused rather than read some way the user may not mean.
func plainInteger(_ text: String) throws -> Int {
    let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), text != "-0",
          digits.count == 1 || digits.first != "0", let value = Int(text) else {
        throw ValidationError("'\(text)' is not a whole number written plainly (digits only, e.g. 42)")
    }
    return value
}

/// A seed: a plain non-negative integer up to 2⁶⁴ − 1.
func plainSeed(_ text: String) throws -> UInt64 {
    guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), text.count == 1 || text.first != "0",
          let value = UInt64(text) else {
        throw ValidationError("'\(text)' is not a seed: a whole number from 0 to 18446744073709551615, digits only")
    }
    return value
}
