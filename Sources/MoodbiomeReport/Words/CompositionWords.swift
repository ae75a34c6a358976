import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO

extension Words {
    /// The notes on a join of samples to metadata: the IDs in one only.
    public static func joinNotes(_ join: SampleJoin, samplesFile: String) -> [String] {
        var out = [String]()
        if !join.onlyInSamples.isEmpty {
            out.append("note: \(join.onlyInSamples.count) sample\(plural(join.onlyInSamples.count, "", "s")) in \(samplesFile) but not in the metadata, left out: \(list(join.onlyInSamples))")
        }
        if !join.onlyInMetadata.isEmpty {
            out.append("note: \(join.onlyInMetadata.count) metadata row\(plural(join.onlyInMetadata.count, "", "s")) not in \(samplesFile), left out: \(list(join.onlyInMetadata))")
        }
        return out
    }

    /// A note on negative eigenvalues, when there are any.
    public static func ordinationNote(_ pcoa: PrincipalCoordinates) -> String? {
        if pcoa.method == .fsvd, let convergence = pcoa.convergence {
            return "note: fsvd: the \(pcoa.eigenvalues.count) largest axes by randomized block Krylov iteration (\(convergence.passes) passes over the matrix, "
                + "largest relative residual \(NumberStyle.significantDigits(2).format(convergence.residual))); proportions explained are of trace(F), "
                + "the sum of all eigenvalues, negative ones included (as scikit-bio's fsvd); negative eigenvalues are not counted"
        }
        guard pcoa.negativeCount > 0 else { return nil }
        return "note: \(pcoa.negativeCount) negative eigenvalue\(plural(pcoa.negativeCount, "", "s")) (the distance is not Euclidean; "
            + "most negative \(NumberStyle.significantDigits(4).format(pcoa.mostNegative)), largest positive \(NumberStyle.significantDigits(4).format(pcoa.largest))): "
            + "kept in the eigenvalues, their axes have coordinates and proportion explained 0 (as scikit-bio)"
    }

    public static func permanovaNotes(_ p: Permanova) -> [String] {
        var out = [String]()
        if !p.aliasedTerms.isEmpty {
            out.append("note: \(p.aliasedTerms.joined(separator: ", ")) add\(plural(p.aliasedTerms.count, "s", "")) nothing to the terms before (aliased): no row")
        }
        if !p.untestedTerms.isEmpty {
            out.append("note: by margin, \(p.untestedTerms.joined(separator: ", ")) \(plural(p.untestedTerms.count, "is", "are")) not tested: an interaction contains \(plural(p.untestedTerms.count, "it", "them")) (vegan's rule)")
        }
        return out
    }

    /// How each tested term's permutations were restricted, when any was:
    /// `note: permutations restricted by participant_id: whole participant_id
    /// groups permuted for sex, age; samples permuted within participant_id
    /// for months`, and the plot sizes when whole groups differ in size.
    public static func restrictionNote(_ terms: [(term: String, plan: PermutationPlan)]) -> String? {
        guard let column = terms.lazy.compactMap({ $0.plan.restriction.column }).first else { return nil }
        return "note: permutations restricted by \(column): " + restrictionDetails(terms, column: column, markup: { $0 })
    }

    /// What ``restrictionNote(_:)`` says after its colon, terms marked up by `markup`.
    public static func restrictionDetails(_ terms: [(term: String, plan: PermutationPlan)], column: String,
                                           markup: (String) -> String) -> String {
        var whole = [String](), within = [String](), sizes = Set<Int>()
        for (term, plan) in terms {
            switch plan.restriction {
            case .wholePlots(_, let plots): whole.append(markup(term)); for p in plots { sizes.insert(p.count) }
            case .withinBlocks: within.append(markup(term))
            case .free: break
            }
        }
        var parts = [String]()
        if !whole.isEmpty {
            var text = "whole \(markup(column)) groups permuted (their samples moving together) for \(whole.joined(separator: ", "))"
            if sizes.count > 1, let low = sizes.min(), let high = sizes.max() {
                text += " (groups of \(low)–\(high) samples, each permuted only among groups of its size)"
            }
            parts.append(text)
        }
        if !within.isEmpty { parts.append("samples permuted within \(markup(column)) for \(within.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }

    public static func dispersionNotes(_ d: Dispersion) -> [String] {
        var out = [String]()
        if d.negativeSquaredDistances > 0 {
            out.append("note: \(d.negativeSquaredDistances) squared distance\(plural(d.negativeSquaredDistances, " was", "s were")) negative (a non-Euclidean distance) and set to 0, as vegan does")
        }
        if !d.unconvergedGroups.isEmpty {
            out.append("note: the spatial median of \(d.unconvergedGroups.joined(separator: ", ")) stopped at the iteration limit (100, as vegan)")
        }
        return out
    }

    static func composition(_ e: CompositionError, spelling: ParameterSpelling) -> String {
        let s = spelling.spell
        switch e {
        case .tooFewSamples(let count, let needed):
            return "only \(count) sample\(plural(count, "", "s")) left; this test needs at least \(needed)"
        case .noTerms(let formula):
            return "the formula '\(formula)' has no predictor to test. Name at least one metadata column, e.g. \(s(.formula)) \"~ phq9 + age\""
        case .oneGroup(let column, let level):
            return "column '\(column)' has one group only ('\(level)') among the samples; comparing dispersions needs two or more"
        case .singletonGroups(let column, let samples, let groups):
            return "column '\(column)' puts the \(samples) samples in \(groups) groups of one sample each, so no group has a spread to compare. Give a grouping with at least two samples in some group"
        case .nothingToPermute(let strata, false):
            return "every block of \(s(.strata)) \(strata) holds a single sample, so no permutation can move a sample and the permutation p-value would be meaningless. Give strata with two or more samples each, or leave \(s(.strata)) out"
        case .nothingToPermute(let strata, true):
            return "a tested variable is constant within each \(strata), so whole \(strata) groups are permuted, and only among groups with the same number of samples; no two groups of \(s(.strata)) \(strata) have the same number of samples, so no permutation can move one. Give a coarser \(s(.strata)) grouping, or leave \(s(.strata)) out"
        case .constantVariable(let column):
            return "column '\(column)' has the same value for every sample, so its distances are all 0 and no correlation is defined"
        case .constantDistances(let file):
            return InputError(file: file, problem: "every distance is the same, so no correlation is defined").description
        case .fewSharedSamples(let count, let first, let second):
            return "\(first) and \(second) share \(count) sample\(plural(count, "", "s")); a Mantel test needs at least 3. Check that both use the same sample IDs"
        }
    }
}
