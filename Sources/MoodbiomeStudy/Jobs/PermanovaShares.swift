import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO
import MoodbiomeReport

/// PERMANOVA across machines: each stripe of the distance matrix gives its
/// share (`permanova part-K.h5 … --partial perm-K.h5`), and `merge-partial`
/// adds the shares in row order and finishes the test (``Permanova/Setup``):
/// the same table for any number of stripes, without the n × n matrix.
extension PermanovaRun {
    /// Computes and writes the share of the distance stripe `input.matrixPath`.
    func writeShare(to path: String, report: (String) -> Void) throws {
        let stripe = try DistanceHDF5.readStripe(input.matrixPath)
        guard stripe.recipe == nil else {
            throw InputError(file: stripe.path, problem: "this is a PERMANOVA share, not a distance stripe",
                             fix: "Give a distance stripe (moodbiome beta --stripes K/N --partial FILE)")
        }
        let recipe = try recipe(ids: stripe.ids, samplesFile: stripe.path, seed: permutation.seed ?? 0, report: report)
        let (setup, positions) = try Self.setup(recipe, ids: stripe.ids, source: input.metadataPath, report: report)
        let share = Permanova.share(setup, pairs: stripe.pairs, distances: try stripe.distances(), positions: positions)
        report("PERMANOVA share of stripe \(stripe.identity.stripe) of \(stripe.identity.stripes): \(stripe.pairs.rows.count) rows × \(setup.shareWidth) sums (\(setup.permutationCount - 1) permutations)")
        try DistanceHDF5.writeShares(ids: stripe.ids, pairs: stripe.pairs, identity: stripe.identity, recipe: recipe, shares: share,
                                     width: setup.shareWidth, to: path)
    }

    /// The whole matrix read block by block (`--streamed`): the stripes'
    /// shares added as they are computed, one block in memory.
    func computeStreamed(report: (String) -> Void) throws -> Permanova {
        let path = input.matrixPath
        let rows = try input.rows(report: report)
        let recipe = try recipe(ids: rows.ids, samplesFile: path, seed: permutation.resolvedSeed(report: report), report: report)
        let (setup, positions) = try Self.setup(recipe, ids: rows.ids, source: input.metadataPath, report: report)
        let result = try Permanova(setup, rows: rows, positions: positions)
        for note in Words.permanovaNotes(result) { report(note) }
        return result
    }

    /// The test's recipe for a matrix of samples `ids`: the formula, split,
    /// permutations and the joined metadata's columns the test uses.
    func recipe(ids: [String], samplesFile: String, seed: UInt64, report: (String) -> Void) throws -> PermanovaRecipe {
        let metadata = try DataTable.read(input.metadataPath, idColumn: input.idColumn)
        let join = try SampleJoin(metadata: metadata, sampleIDs: ids, samplesFile: samplesFile)
        for note in Words.joinNotes(join, samplesFile: samplesFile) { report(note) }
        let joined = metadata.selectingRows(join.metadataRows)
        let variables = try Formula(rightHandSide: formula).terms.flatMap { $0.factors.flatMap { $0.expression.variables } }
        var needed = [String]()
        for name in variables + (permutation.strata.map { [$0] } ?? []) where !needed.contains(name) && joined[name] != nil { needed.append(name) }
        return PermanovaRecipe(formula: formula, split: split.rawValue, permutations: permutation.permutations, seed: seed,
                               strata: permutation.strata,
                               references: references.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n"),
                               metadata: joined.selectingColumns(needed))
    }

    /// The test's setup from a recipe, and each matrix sample's row in its
    /// design (−1 for a sample the test leaves out).
    static func setup(_ recipe: PermanovaRecipe, ids: [String], source: String,
                      report: (String) -> Void) throws -> (setup: Permanova.Setup, positions: [Int]) {
        var permutation = PermutationSettings()
        permutation.permutations = recipe.permutations
        permutation.seed = recipe.seed
        permutation.strata = recipe.strata
        var references = [String: String]()
        for line in recipe.references.split(separator: "\n") {
            if let equals = line.firstIndex(of: "=") { references[String(line[..<equals])] = String(line[line.index(after: equals)...]) }
        }
        guard let split = Permanova.Split(rawValue: recipe.split) else {
            throw InputError(file: source, problem: "the share's split '\(recipe.split)' is not terms, margin or none (the file is damaged)")
        }
        let prepared = try prepare(metadata: recipe.metadata, formula: recipe.formula, permutation: permutation, references: references, report: report)
        let setup = try Permanova.Setup(design: prepared.design, split: split, plan: prepared.plans.model, termPlans: prepared.plans.terms,
                                        source: source)
        var row = [String: Int]()
        for (k, r) in prepared.used.enumerated() { row[recipe.metadata.ids[r]] = k }
        return (setup, ids.map { row[$0] ?? -1 })
    }
}

extension MergePartialRun {
    /// Adds the shares in row order and finishes the PERMANOVA.
    func mergeShares(_ set: StripeSet, report: (String) -> Void) throws -> Permanova {
        guard let recipe = set.stripes[0].recipe else { preconditionFailure("shares") }
        let (setup, _) = try PermanovaRun.setup(recipe, ids: set.ids, source: set.stripes[0].path, report: report)
        guard setup.shareWidth == set.stripes[0].shareWidth else {
            throw InputError(file: set.stripes[0].path, problem: "the share holds \(set.stripes[0].shareWidth) sums per row but its test needs \(setup.shareWidth) (the file is damaged)")
        }
        var sums = [Double](repeating: 0, count: setup.shareWidth)
        for stripe in set.stripes { Permanova.addShare(try stripe.distances(), rows: stripe.pairs.rows.count, to: &sums) }
        let result = try Permanova(setup, summedShares: sums)
        for note in Words.permanovaNotes(result) { report(note) }
        return result
    }
}
