/// Why a test on a distance matrix cannot run, typed; the report layer
/// words it.
public enum CompositionError: Error, Equatable, Sendable {
    /// Fewer samples than the test needs.
    case tooFewSamples(count: Int, needed: Int)
    /// The formula has no term that adds a column.
    case noTerms(formula: String)
    /// Dispersion needs two groups or more.
    case oneGroup(column: String, level: String)
    /// Every group holds a single sample: no spread within groups to compare.
    case singletonGroups(column: String, samples: Int, groups: Int)
    /// No permutation can change the statistic, so the permutation p-value
    /// is undefined: every stratum holds one sample (permutations within
    /// strata), or no two strata have the same number of samples
    /// (`wholePlots`: whole strata permuted, for a variable constant within them).
    case nothingToPermute(strata: String, wholePlots: Bool)
    /// A Mantel variable with the same value everywhere has no distances.
    case constantVariable(column: String)
    /// Every distance is equal: no correlation is defined.
    case constantDistances(file: String)
    /// Two matrices for a Mantel test with too few samples in common.
    case fewSharedSamples(count: Int, first: String, second: String)
}
