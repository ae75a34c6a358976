import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// A distance matrix and the metadata of its samples, as the tests on
/// distances read them.
public struct DistanceMetadataInput: Sendable, Equatable {
    public var matrixPath: String
    public var metadataPath: String
    public var idColumn: String? = nil

    public init(matrixPath: String, metadataPath: String) {
        self.matrixPath = matrixPath
        self.metadataPath = metadataPath
    }

    public var inputs: [String] { [matrixPath, metadataPath] }

    /// Reads both and joins them on sample ID (metadata order), reporting
    /// the IDs in one only.
    ///
    /// - Parameter copies: the n × n matrices of doubles the test holds at
    ///   once, the matrix included (stated and checked before it is read).
    func load(copies: Int, what: String, fix: String = stripesFix, report: (String) -> Void) throws -> (matrix: DistanceMatrix, metadata: DataTable) {
        let matrix = try withoutActuallyEscaping(report) { report in
            try DistanceMatrix.read(matrixPath, plan: MatrixMemory.plan(copies: copies, what: what, fix: fix, file: matrixPath, report: report))
        }
        let metadata = try DataTable.read(metadataPath, idColumn: idColumn)
        return try Self.join(matrix, metadata, report: report)
    }

    /// The matrix as rows read block by block: from disk for an `.h5`
    /// file, else read whole (a text matrix; its memory stated first).
    func rows(report: (String) -> Void) throws -> any DistanceRows {
        if matrixPath.lowercased().hasSuffix(".h5") { return try DistanceMatrixFile(matrixPath) }
        return try withoutActuallyEscaping(report) { report in
            try DistanceMatrix.read(matrixPath, plan: MatrixMemory.plan(copies: 1, what: "the distance matrix", fix: Self.stripesFix,
                                                                       file: matrixPath, report: report))
        }
    }

    static let stripesFix = "Free memory or use a machine with more; or compute the matrix by stripes and PERMANOVA by shares (moodbiome beta \(Parameter.stripes.mention) K/N, then permanova \(Parameter.partial.mention); the README's Scale section)"

    static func join(_ matrix: DistanceMatrix, _ metadata: DataTable, report: (String) -> Void) throws -> (matrix: DistanceMatrix, metadata: DataTable) {
        let join = try SampleJoin(metadata: metadata, sampleIDs: matrix.ids, samplesFile: matrix.source)
        for note in Words.joinNotes(join, samplesFile: matrix.source) { report(note) }
        return (matrix.selecting(join.sampleIndices), metadata.selectingRows(join.metadataRows))
    }

    /// The rows with a value in every column of `names` (the test's
    /// variables), reporting the others.
    static func complete(_ data: DataTable, columns names: [String], purpose: DataError.ColumnPurpose,
                         report: (String) -> Void) throws -> [Int] {
        var missing = [String: Int](), dropped = [String]()
        var columns = [DataTable.Column]()
        for name in names {
            guard let column = data[name] else {
                throw DataError(.missingColumn(name, purpose: purpose, available: data.columnNames),
                                at: SourceLocation(file: data.source, columnName: name))
            }
            columns.append(column)
        }
        var kept = [Int]()
        for r in 0..<data.rowCount {
            var complete = true
            for c in columns where c.isMissing(r) { missing[c.name, default: 0] += 1; complete = false }
            if complete { kept.append(r) } else { dropped.append(data.ids[r]) }
        }
        if !dropped.isEmpty {
            let exclusions = names.compactMap { n in missing[n].map { DesignMatrix.Exclusion(variable: n, rows: $0) } }
            report("note: " + Words.exclusionSummary(dropped: dropped.count, total: data.rowCount, exclusions: exclusions) + ": \(Words.list(dropped))")
        }
        return kept
    }
}

/// A permutation test's settings: how many, the seed (drawn and reported
/// when not given), the strata column.
///
/// With strata (participants, families…), each tested variable gets the
/// permutations its design allows: a variable constant within every
/// stratum is tested by permuting whole strata (a participant's samples
/// move together), any other by permuting samples within strata
/// (``PermutationPlan/Restriction``).
public struct PermutationSettings: Sendable {
    public var permutations = 999
    public var seed: UInt64? = nil
    public var strata: String? = nil
    /// How the front end spells parameters in notes.
    public var spelling = ParameterSpelling.canonical

    public init() {}

    public func validate() throws {
        guard (0...1_000_000).contains(permutations) else {
            throw ParameterError(.permutations, .outOfRange(value: String(permutations), allowed: .between("0", "1000000")))
        }
    }

    /// The seed, drawn and reported when not given.
    func resolvedSeed(report: (String) -> Void) -> UInt64 {
        let seed = self.seed ?? UInt64.random(in: 0...UInt64(Int64.max))
        if self.seed == nil && permutations > 0 {
            report("note: permutation seed \(seed) (pass \(spelling.spell(.seed)) \(seed) to repeat this run exactly)")
        }
        return seed
    }

    /// The plan for samples with these strata labels (blocks), free
    /// without; reports a drawn seed.
    func plan(strata labels: [String]?, report: (String) -> Void) throws -> PermutationPlan {
        try plan(seed: resolvedSeed(report: report), strata: labels, constant: false)
    }

    /// The plan for a variable (`constant`: the same within every stratum)
    /// with these strata labels.
    func plan(seed: UInt64, strata labels: [String]?, constant: Bool) throws -> PermutationPlan {
        guard let labels, let strata else { return PermutationPlan(count: permutations, seed: seed) }
        let groups = PermutationPlan.strata(labels)
        let restriction: PermutationPlan.Restriction = constant ? .wholePlots(column: strata, plots: groups)
                                                                : .withinBlocks(column: strata, blocks: groups)
        if permutations > 0 && !restriction.movesSamples {
            throw CompositionError.nothingToPermute(strata: strata, wholePlots: constant)
        }
        return PermutationPlan(count: permutations, seed: seed, restriction: restriction)
    }

    /// One plan per tested term (`variables`: each term's label and the
    /// cells of the columns it reads, one per sample), and the plan of the
    /// whole model; notes how each term's permutations were restricted.
    func plans(strata labels: [String]?, terms: [(label: String, columns: [[String]])],
               report: (String) -> Void) throws -> (model: PermutationPlan, terms: [String: PermutationPlan]) {
        let seed = resolvedSeed(report: report)
        guard let labels else { return (PermutationPlan(count: permutations, seed: seed), [:]) }
        let groups = PermutationPlan.strata(labels)
        var out = [String: PermutationPlan]()
        for term in terms {
            let constant = term.columns.allSatisfy { PermutationPlan.isConstant($0, within: groups) }
            out[term.label] = try plan(seed: seed, strata: labels, constant: constant)
        }
        let modelConstant = terms.allSatisfy { t in t.columns.allSatisfy { PermutationPlan.isConstant($0, within: groups) } }
        let model = try plan(seed: seed, strata: labels, constant: modelConstant)
        if let note = Words.restrictionNote(terms.map { ($0.label, out[$0.label] ?? model) }) { report(note) }
        return (model, out)
    }
}

/// `moodbiome ordinate`: principal coordinates of a distance matrix, with
/// the eigenvalues and an optional figure coloured by a metadata column.
public struct OrdinationRun: Sendable {
    public var matrixPath: String
    public var dimensions: Int? = nil
    /// `eigh` (exact, in memory) or `fsvd` (randomized, reading the matrix block by block).
    public var method = PrincipalCoordinates.Method.eigh
    public var output = TableDestination()
    public var eigenvaluesPath: String? = nil
    public var figurePath: String? = nil
    /// The resolution of a PNG figure (default 300 dpi).
    public var figureDPI: Int? = nil
    public var metadataPath: String? = nil
    public var idColumn: String? = nil
    public var colorBy: String? = nil
    public var ellipses = false
    /// The distance the matrix holds, by name, for the figure's title (a matrix file does not say).
    public var metricName: String? = nil

    var metric: BetaMetricDefinition? { metricName.flatMap(BetaMetricDefinition.named) }

    public init(matrixPath: String) { self.matrixPath = matrixPath }

    public var inputs: [String] { [matrixPath] + (metadataPath.map { [$0] } ?? []) }

    public func validate() throws {
        if let dimensions, dimensions < 1 {
            throw ParameterError(.dimensions, .outOfRange(value: String(dimensions), allowed: .atLeast("1")))
        }
        if colorBy != nil && metadataPath == nil { throw ParameterError(.colorBy, .requires(.metadata)) }
        if colorBy != nil && figurePath == nil { throw ParameterError(.colorBy, .requires(.figure)) }
        if ellipses && colorBy == nil { throw ParameterError(.ellipses, .requires(.colorBy)) }
        if let metricName {
            guard BetaMetricDefinition.named(metricName) != nil else { throw BetaDiversityError.unknownMetrics([metricName]) }
            if figurePath == nil { throw ParameterError(.metric, .requires(.figure)) }
        }
        try checkDistinctOutputs([output.path, eigenvaluesPath, figurePath].compactMap { $0 })
        if writesHDF5 {
            if let format = output.format, let path = output.path { throw ParameterError(.format, .disagrees(value: format.rawValue, with: path)) }
            if output.guardFormulas { throw ParameterError(.guardFormulas, .onlyFor(.delimitedOutput)) }
        }
        if figureDPI != nil && (figurePath == nil || figureFormat != .png) { throw ParameterError(.dpi, .onlyFor(.pngFigures)) }
        if let figurePath {
            let ext = URL(fileURLWithPath: figurePath).pathExtension.lowercased()
            guard FigureFormat(rawValue: ext) != nil else {
                throw ParameterError(.figure, .unknownChoice(value: ext.isEmpty ? figurePath : "." + ext, choices: FigureFormat.allCases.map { "." + $0.rawValue }))
            }
            try figureSettings.check(for: figurePath)
        }
    }

    /// Whether the coordinates go to an HDF5 file (`-o pcoa.h5`), in unifrac-binaries' layout.
    var writesHDF5: Bool { output.path?.lowercased().hasSuffix(".h5") == true }

    var figureSettings: FigureExportSettings {
        var s = FigureExportSettings(formats: [figureFormat])
        if let figureDPI { s.dpi = figureDPI }
        return s
    }

    /// The figure's format, by its file's extension (`.pdf`, `.png`, else SVG).
    public var figureFormat: FigureFormat {
        FigureFormat(rawValue: URL(fileURLWithPath: figurePath ?? "").pathExtension.lowercased()) ?? .svg
    }

    public func run(report: (String) -> Void) throws -> String? {
        try validate()
        try output.check(inputs: inputs, otherOutputs: [eigenvaluesPath, figurePath])
        for path in [eigenvaluesPath, figurePath].compactMap({ $0 }) { try checkOutputPath(path, overwrite: output.overwrite, inputs: inputs) }
        let pcoa = try ordination(report: report)
        if let note = Words.ordinationNote(pcoa) { report(note) }
        var figure: Figure? = nil
        if figurePath != nil {
            var colouring: OrdinationColouring? = nil
            if let colorBy, let metadataPath {
                let metadata = try DataTable.read(metadataPath, idColumn: idColumn)
                colouring = try OrdinationColouring(column: colorBy, metadata: metadata, ordination: pcoa, ellipses: ellipses)
            }
            figure = Figures.ordination(pcoa, colouring: colouring, title: "Principal coordinates" + (metric.map { " of \($0.title) distances" } ?? ""))
        }
        // Write the side files first, the main output last.
        if let eigenvaluesPath {
            try writeFileAtomically(pcoa.eigenvalueTable.rendered(as: try TableFormat.resolve(requested: nil, outputPath: eigenvaluesPath),
                                                                  guardFormulas: output.guardFormulas),
                                    to: eigenvaluesPath, overwrite: output.overwrite, inputs: inputs)
        }
        if let figurePath, let figure {
            let bytes: [UInt8] = switch figureFormat {
            case .svg: Array(figure.svg.utf8)
            case .pdf: try FigureExport.pdf(svg: figure.svg, name: figurePath)
            case .png: try FigureExport.png(svg: figure.svg, dpi: figureSettings.dpi, name: figurePath)
            }
            try writeFileAtomically(bytes, to: figurePath, overwrite: output.overwrite, inputs: inputs)
            // The legend as text, for the paper (the SVG's <desc> holds it too).
            report("figure legend: \(figure.title). \(figure.caption)")
        }
        if writesHDF5, let path = output.path {
            try DistanceHDF5.writeOrdination(ids: pcoa.ids, method: pcoa.method == .fsvd ? "FSVD" : "EIGH", eigenvalues: pcoa.eigenvalues,
                                             proportions: pcoa.proportionExplained, samples: pcoa.coordinates, to: path)
            return nil
        }
        return try output.deliver(pcoa.coordinateTable, inputs: inputs)
    }

    /// The PCoA by the method asked for; `fsvd` reads an `.h5` matrix block
    /// by block (10 axes unless `dimensions` says).
    func ordination(report: (String) -> Void) throws -> PrincipalCoordinates {
        func checked(_ n: Int, _ k: Int?) throws {
            if let k, k > Swift.max(n - 1, 1) {
                throw ParameterError(.dimensions, .outOfRange(value: String(k), allowed: .between("1", String(Swift.max(n - 1, 1)))))
            }
        }
        switch method {
        case .eigh:
            // The matrix, the centred one, and LAPACK's copy and vectors (or its reduction).
            let copies = dimensions == nil ? 4 : 3
            let matrix = try withoutActuallyEscaping(report) { report in
                try DistanceMatrix.read(matrixPath, plan: MatrixMemory.plan(
                    copies: copies, what: "the exact PCoA",
                    fix: "Use \(Parameter.method.mention) fsvd \(Parameter.dimensions.mention) 10, which reads the matrix block by block",
                    file: matrixPath, report: report))
            }
            try checked(matrix.count, dimensions)
            return try PrincipalCoordinates(matrix, dimensions: dimensions)
        case .fsvd:
            let rows: any DistanceRows = matrixPath.lowercased().hasSuffix(".h5") ? try DistanceMatrixFile(matrixPath) : try DistanceMatrix.read(matrixPath)
            try checked(rows.count, dimensions)
            return try PrincipalCoordinates(randomized: rows, dimensions: dimensions ?? Swift.min(10, Swift.max(rows.count - 1, 1)))
        }
    }
}

/// `moodbiome permanova`: vegan `adonis2` on a distance matrix and a formula.
public struct PermanovaRun: Sendable {
    public var input: DistanceMetadataInput
    public var formula: String
    public var split = Permanova.Split.terms
    public var permutation = PermutationSettings()
    public var references: [String: String] = [:]
    public var output = TableDestination()
    /// With a distance stripe as the matrix: write its PERMANOVA share here
    /// (merged by `merge-partial`).
    public var partialPath: String? = nil
    /// Read the whole matrix block by block and add the blocks' shares as
    /// they come (``Permanova/init(_:rows:positions:blockBytes:)``): memory
    /// is a block, not three n × n matrices.
    public var streamed = false

    static let streamedFix = "Free memory or use a machine with more; or add \(Parameter.streamed.mention), which reads the matrix block by block (the README's Scale section)"

    public init(input: DistanceMetadataInput, formula: String) {
        self.input = input
        self.formula = formula
    }

    public func validate() throws {
        try permutation.validate()
        _ = try Formula(rightHandSide: formula)
        if let partialPath {
            guard partialPath.lowercased().hasSuffix(".h5") else {
                throw ParameterError(.partial, .malformed(value: partialPath, expected: "an HDF5 file name ending in .h5"))
            }
            if output.path != nil { throw ParameterError(.partial, .conflicts(.output)) }
            if streamed { throw ParameterError(.partial, .conflicts(.streamed)) }
            // Every stripe must draw the same permutations.
            if permutation.seed == nil { throw ParameterError(.partial, .requires(.seed)) }
        }
    }

    public func run(report: (String) -> Void) throws -> String? {
        try validate()
        if let partialPath {
            try checkOutputPath(partialPath, overwrite: output.overwrite, inputs: input.inputs)
            try writeShare(to: partialPath, report: report)
            return nil
        }
        try output.check(inputs: input.inputs)
        let result = try compute(report: report)
        return try output.deliver(result.table, inputs: input.inputs)
    }

    public func compute(report: (String) -> Void) throws -> Permanova {
        if streamed { return try computeStreamed(report: report) }
        let (matrix, metadata) = try input.load(copies: 3, what: "PERMANOVA", fix: Self.streamedFix, report: report)
        return try Self.test(matrix: matrix, metadata: metadata, formula: formula, split: split, permutation: permutation,
                             references: references, report: report)
    }

    /// The test on joined data; `analyze` shares it.
    static func test(matrix: DistanceMatrix, metadata: DataTable, formula text: String, split: Permanova.Split,
                     permutation: PermutationSettings, references: [String: String], report: (String) -> Void) throws -> Permanova {
        let prepared = try prepare(metadata: metadata, formula: text, permutation: permutation, references: references, report: report)
        let result = try Permanova(distances: matrix.selecting(prepared.used), design: prepared.design, split: split,
                                   plan: prepared.plans.model, termPlans: prepared.plans.terms)
        for note in Words.permanovaNotes(result) { report(note) }
        return result
    }

    /// The design of the joined metadata's rows with every variable (and
    /// stratum) present, those rows, and each term's permutation plan.
    static func prepare(metadata: DataTable, formula text: String, permutation: PermutationSettings, references: [String: String],
                        report: (String) -> Void) throws
        -> (design: DesignMatrix, used: [Int], plans: (model: PermutationPlan, terms: [String: PermutationPlan])) {
        let formula = try Formula(rightHandSide: text)
        var data = metadata
        var rows = Array(0..<metadata.rowCount)
        if let strata = permutation.strata {
            rows = try DistanceMetadataInput.complete(metadata, columns: [strata], purpose: .strata, report: report)
            data = metadata.selectingRows(rows)
        }
        let design = try DesignMatrix(formula: formula, data: data, references: references)
        if let summary = Words.exclusionSummary(design) { report("note: " + summary + ": \(Words.list(design.droppedIDs))") }
        guard design.columnTerms.contains(where: { $0 != nil }) else { throw CompositionError.noTerms(formula: text) }
        let used = design.rowIndices.map { rows[$0] }
        let labels = permutation.strata.map { s in used.map { metadata[s]?.cells[$0] ?? "" } }
        let terms = formula.terms.map { term in
            (label: term.label, columns: term.factors.flatMap { $0.expression.variables }.map { v in used.map { metadata[v]?.cells[$0] ?? "" } })
        }
        return (design, used, try permutation.plans(strata: labels, terms: terms, report: report))
    }
}

/// `moodbiome betadisper`: vegan `betadisper` with its ANOVA and permutation test.
public struct DispersionRun: Sendable {
    public var input: DistanceMetadataInput
    public var group: String
    public var centre = Dispersion.Centre.median
    public var permutation = PermutationSettings()
    public var output = TableDestination()
    public var distancesPath: String? = nil
    /// Distances to centroids from the matrix read block by block
    /// (``Dispersion/init(rows:positions:ids:groups:column:plan:blockBytes:)``).
    public var streamed = false

    public init(input: DistanceMetadataInput, group: String) {
        self.input = input
        self.group = group
    }

    public func validate() throws {
        try permutation.validate()
        if streamed && centre != .centroid { throw ParameterError(.streamed, .onlyFor(.centroidDispersion)) }
        try checkDistinctOutputs([output.path, distancesPath].compactMap { $0 })
    }

    public func run(report: (String) -> Void) throws -> String? {
        try validate()
        try output.check(inputs: input.inputs, otherOutputs: [distancesPath])
        if let distancesPath { try checkOutputPath(distancesPath, overwrite: output.overwrite, inputs: input.inputs) }
        let result = try compute(report: report)
        if let distancesPath {
            try writeFileAtomically(result.distanceTable.rendered(as: try TableFormat.resolve(requested: nil, outputPath: distancesPath),
                                                                  guardFormulas: output.guardFormulas),
                                    to: distancesPath, overwrite: output.overwrite, inputs: input.inputs)
        }
        return try output.deliver(result.table, inputs: input.inputs)
    }

    public func compute(report: (String) -> Void) throws -> Dispersion {
        if streamed { return try computeStreamed(report: report) }
        let (matrix, metadata) = try input.load(copies: 5, what: "PERMDISP", fix: Self.streamedFix, report: report)
        return try Self.test(matrix: matrix, metadata: metadata, group: group, centre: centre, permutation: permutation, report: report)
    }

    static let streamedFix = "Free memory or use a machine with more; or add \(Parameter.type.mention) centroid \(Parameter.streamed.mention), which reads the matrix block by block (the README's Scale section)"

    /// Centroid distances from the matrix read block by block.
    func computeStreamed(report: (String) -> Void) throws -> Dispersion {
        let rows = try input.rows(report: report)
        let metadata = try DataTable.read(input.metadataPath, idColumn: input.idColumn)
        let join = try SampleJoin(metadata: metadata, sampleIDs: rows.ids, samplesFile: input.matrixPath)
        for note in Words.joinNotes(join, samplesFile: input.matrixPath) { report(note) }
        let joined = metadata.selectingRows(join.metadataRows)
        let (used, groups, plan) = try Self.tested(joined, group: group, permutation: permutation, report: report)
        var positions = [Int](repeating: -1, count: rows.count)
        for (a, r) in used.enumerated() { positions[join.sampleIndices[r]] = a }
        let result = try Dispersion(rows: rows, positions: positions, ids: used.map { joined.ids[$0] }, groups: groups, column: group, plan: plan)
        for note in Words.dispersionNotes(result) { report(note) }
        return result
    }

    /// The metadata rows with a group (and stratum), their groups, and the
    /// permutation plan.
    static func tested(_ metadata: DataTable, group: String, permutation: PermutationSettings,
                       report: (String) -> Void) throws -> (rows: [Int], groups: [String], plan: PermutationPlan) {
        let columns = [group] + (permutation.strata.map { [$0] } ?? [])
        let rows = try DistanceMetadataInput.complete(metadata, columns: columns, purpose: .dispersionGroups, report: report)
        let groups = rows.map { metadata[group]?.cells[$0] ?? "" }
        let labels = permutation.strata.map { s in rows.map { metadata[s]?.cells[$0] ?? "" } }
        return (rows, groups, try permutation.plans(strata: labels, terms: [(group, [groups])], report: report).model)
    }

    static func test(matrix: DistanceMatrix, metadata: DataTable, group: String, centre: Dispersion.Centre,
                     permutation: PermutationSettings, report: (String) -> Void) throws -> Dispersion {
        let (rows, groups, plan) = try tested(metadata, group: group, permutation: permutation, report: report)
        let result = try Dispersion(distances: matrix.selecting(rows), groups: groups, column: group, centre: centre, plan: plan)
        for note in Words.dispersionNotes(result) { report(note) }
        return result
    }
}

/// `moodbiome mantel`: a distance matrix against a metadata variable's
/// distances or a second matrix.
public struct MantelRun: Sendable {
    public var matrixPath: String
    /// A metadata file and a numeric column, or…
    public var metadataPath: String? = nil
    public var idColumn: String? = nil
    public var variable: String? = nil
    /// …a second distance matrix.
    public var secondMatrixPath: String? = nil
    public var method = MantelTest.Method.pearson
    public var permutation = PermutationSettings()
    public var output = TableDestination()

    public init(matrixPath: String) { self.matrixPath = matrixPath }

    public var inputs: [String] { [matrixPath] + [metadataPath, secondMatrixPath].compactMap { $0 } }

    public func validate() throws {
        try permutation.validate()
        if variable != nil && secondMatrixPath != nil { throw ParameterError(.variable, .conflicts(.with)) }
        if variable == nil && secondMatrixPath == nil { throw ParameterError(.variable, .missingAlternative(.with)) }
        if variable != nil && metadataPath == nil { throw ParameterError(.variable, .requires(.metadata)) }
        if permutation.strata != nil && metadataPath == nil { throw ParameterError(.strata, .requires(.metadata)) }
    }

    public func run(report: (String) -> Void) throws -> String? {
        try validate()
        try output.check(inputs: inputs)
        // Both matrices, each with its copy in the shared samples' order.
        let memory = { (report: @escaping (String) -> Void) in
            MatrixMemory.plan(copies: 4, what: "the Mantel test", fix: DistanceMetadataInput.stripesFix, file: matrixPath, report: report)
        }
        var x = try withoutActuallyEscaping(report) { try DistanceMatrix.read(matrixPath, plan: memory($0)) }
        var metadata: DataTable? = nil
        if let metadataPath {
            let joined = try DistanceMetadataInput.join(x, try DataTable.read(metadataPath, idColumn: idColumn), report: report)
            x = joined.matrix
            metadata = joined.metadata
        }
        var y: DistanceMatrix
        if let secondMatrixPath {
            let second = try DistanceMatrix.read(secondMatrixPath)
            let position = Dictionary(second.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            let shared = x.ids.indices.filter { position[x.ids[$0]] != nil }
            let onlyFirst = x.ids.filter { position[$0] == nil }
            let onlySecond = Set(second.ids).subtracting(x.ids).sorted()
            guard shared.count >= 3 else {
                throw CompositionError.fewSharedSamples(count: shared.count, first: x.source, second: second.source)
            }
            if !onlyFirst.isEmpty { report("note: \(onlyFirst.count) sample\(onlyFirst.count == 1 ? "" : "s") of \(x.source) not in \(second.source), left out: \(Words.list(onlyFirst))") }
            if !onlySecond.isEmpty { report("note: \(onlySecond.count) sample\(onlySecond.count == 1 ? "" : "s") of \(second.source) not in \(x.source), left out: \(Words.list(onlySecond))") }
            x = x.selecting(shared)
            y = second.selecting(x.ids.map { position[$0] ?? 0 })
        } else {
            guard let data = metadata, let variable else { throw ParameterError(.variable, .requires(.metadata)) }
            let rows = try DistanceMetadataInput.complete(data, columns: [variable], purpose: .mantelVariable, report: report)
            guard let column = data[variable] else {
                throw DataError(.missingColumn(variable, purpose: .mantelVariable, available: data.columnNames),
                                at: SourceLocation(file: data.source, columnName: variable))
            }
            var values = [Double]()
            for r in rows {
                let v = column.numbers[r]
                guard !v.isNaN else {
                    throw DataError(.notANumber(value: column.cells[r], column: variable, id: data.ids[r]),
                                    at: data.location(row: r, column: variable))
                }
                values.append(v)
            }
            guard Set(values).count > 1 else { throw CompositionError.constantVariable(column: variable) }
            x = x.selecting(rows)
            y = MantelTest.variableDistances(values, ids: x.ids, source: "distances of \(variable) in \(data.source)")
            metadata = data.selectingRows(rows)
        }
        // Strata: the samples' groups, from the metadata (samples without one left out).
        var labels: [String]? = nil, variableCells: [String]? = nil
        if let strata = permutation.strata, let data = metadata {
            let position = Dictionary(data.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            let aligned = data.selectingRows(x.ids.map { position[$0] ?? 0 })
            let rows = try DistanceMetadataInput.complete(aligned, columns: [strata], purpose: .strata, report: report)
            x = x.selecting(rows)
            y = y.selecting(rows)
            labels = rows.map { aligned[strata]?.cells[$0] ?? "" }
            variableCells = variable.map { v in rows.map { aligned[v]?.cells[$0] ?? "" } }
        }
        // A variable constant within strata permutes whole strata; a second matrix, within them.
        let plan = if let variable, let variableCells {
            try permutation.plans(strata: labels, terms: [(variable, [variableCells])], report: report).model
        } else {
            try permutation.plan(strata: labels, report: report)
        }
        let result = try MantelTest(x, y, method: method, plan: plan)
        return try output.deliver(result.table, inputs: inputs)
    }
}

extension Parameter {
    public static let colorBy = Parameter("colorBy")
    /// `permanova`: the matrix read block by block.
    public static let streamed = Parameter("streamed")
    public static let metadata = Parameter("metadata")
    public static let figure = Parameter("figure")
    public static let ellipses = Parameter("ellipses")
    public static let with = Parameter("with")
}
