/// Number of singletons, `F₁`: taxa observed exactly once. Needs counts.
public func singles(_ counts: ArraySlice<Double>) -> Double {
    Double(AbundanceSummary(counts).singletons)
}

/// Number of doubletons, `F₂`: taxa observed exactly twice. Needs counts.
public func doubles(_ counts: ArraySlice<Double>) -> Double {
    Double(AbundanceSummary(counts).doubletons)
}

/// Good's coverage, `C = 1 − F₁ / N`: the estimated share of the community's
/// individuals that belong to observed taxa. Needs counts.
///
/// Reference: Good I. J. (1953) The population frequencies of species and the
/// estimation of population parameters. *Biometrika* 40:237–264.
public func goodsCoverage(_ counts: ArraySlice<Double>) -> Double {
    let summary = AbundanceSummary(counts)
    return 1 - Double(summary.singletons) / summary.total
}

/// Robbins' estimator of the probability of unobserved outcomes, `F₁ / N`
/// (as scikit-bio 0.7 computes it; Robbins' paper divides by `N + 1`).
/// Needs counts.
///
/// Reference: Robbins H. E. (1968) Estimating the total probability of the
/// unobserved outcomes of an experiment. *Ann. Math. Statist.* 39:256–257.
public func robbins(_ counts: ArraySlice<Double>) -> Double {
    let summary = AbundanceSummary(counts)
    return Double(summary.singletons) / summary.total
}

/// Chao1 richness estimator.
///
/// - Bias-corrected (default): `S + F₁(F₁ − 1) / (2(F₂ + 1))`, defined for
///   every sample (Chao 1987; Colwell & Coddington 1994; EstimateS).
/// - Classic (`biasCorrected: false`): `S + F₁² / (2F₂)`; when `F₁` or `F₂` is
///   zero the classic form is undefined or degenerate and the bias-corrected
///   value is returned instead, as scikit-bio does.
///
/// Needs counts. vegan's `estimateR()` reports the bias-corrected form as
/// `S.chao1`.
///
/// Reference: Chao A. (1984) Nonparametric estimation of the number of classes
/// in a population. *Scand. J. Statist.* 11:265–270; Chao A. (1987)
/// *Biometrics* 43:783–791.
public func chao1(_ counts: ArraySlice<Double>, biasCorrected: Bool = true) -> Double {
    let summary = AbundanceSummary(counts)
    let s = Double(summary.observed), f1 = Double(summary.singletons), f2 = Double(summary.doubletons)
    if !biasCorrected && f1 > 0 && f2 > 0 {
        return s + f1 * f1 / (2 * f2)
    }
    return s + f1 * (f1 - 1) / (2 * (f2 + 1))
}

/// Abundance-based coverage estimator (ACE) of richness.
///
/// With rare taxa those of abundance ≤ `rareThreshold` (10 by default):
/// `S_ace = S_abund + S_rare / C_ace + (F₁ / C_ace) γ²`, where
/// `N_rare = Σ_{i≤k} i·Fᵢ`, `C_ace = 1 − F₁ / N_rare` and
/// `γ² = max(0, S_rare Σ_{i≤k} i(i − 1)Fᵢ / (C_ace N_rare (N_rare − 1)) − 1)`.
///
/// Edge cases (scikit-bio 0.7): with no rare taxa the estimate is `S_abund`;
/// when every rare taxon is a singleton `C_ace = 0` and ACE is undefined —
/// scikit-bio raises an error, here the value is NaN (written NA) and the
/// table driver reports the sample. Needs counts.
///
/// Reference: Chao A. & Lee S.-M. (1992) Estimating the number of classes via
/// sample coverage. *J. Amer. Statist. Assoc.* 87:210–217.
public func ace(_ counts: ArraySlice<Double>, rareThreshold: Int = 10) -> Double {
    let k = Double(rareThreshold)
    var sRare = 0.0, sAbundant = 0.0, nRare = 0.0, gammaSum = 0.0, f1 = 0.0
    for n in counts where n > 0 {
        if n <= k {
            sRare += 1
            nRare += n
            gammaSum += n * (n - 1)
            if n == 1 { f1 += 1 }
        } else {
            sAbundant += 1
        }
    }
    if f1 > 0 && f1 == sRare { return .nan }
    if sRare == 0 { return sAbundant }
    let coverage = 1 - f1 / nRare
    var gamma = sRare * gammaSum / (coverage * nRare * (nRare - 1)) - 1
    if gamma < 0 { gamma = 0 }
    return sAbundant + sRare / coverage + f1 / coverage * gamma
}

extension AlphaMetricDefinition {
    public static let singles = AlphaMetricDefinition(
        name: "singles", title: "Singletons", requiresCounts: true, summary: "number of singletons F1", reference: "scikit-bio singles",
        compute: { MoodbiomeCore.singles($0.present) })
    public static let doubles = AlphaMetricDefinition(
        name: "doubles", title: "Doubletons", requiresCounts: true, summary: "number of doubletons F2", reference: "scikit-bio doubles",
        compute: { MoodbiomeCore.doubles($0.present) })
    public static let goodsCoverage = AlphaMetricDefinition(
        name: "goods_coverage", title: "Good's coverage", requiresCounts: true, summary: "Good's coverage 1 − F1 / N",
        reference: "Good 1953, Biometrika 40:237", compute: { MoodbiomeCore.goodsCoverage($0.present) })
    public static let robbins = AlphaMetricDefinition(
        name: "robbins", title: "Robbins' estimator", requiresCounts: true, summary: "Robbins' probability of unobserved outcomes F1 / N",
        reference: "Robbins 1968, Ann. Math. Statist. 39:256", compute: { MoodbiomeCore.robbins($0.present) })
    public static let chao1 = AlphaMetricDefinition(
        name: "chao1", title: "Chao1 richness", requiresCounts: true, summary: "Chao1 richness estimator (bias-corrected by default)",
        reference: "Chao 1984, Scand. J. Statist. 11:265; Chao 1987, Biometrics 43:783", axisUnit: .fixed("estimated taxa"),
        compute: { MoodbiomeCore.chao1($0.present, biasCorrected: $0.options.chao1BiasCorrected) })
    public static let ace = AlphaMetricDefinition(
        name: "ace", title: "ACE richness", requiresCounts: true, summary: "abundance-based coverage estimator (rare threshold 10 by default)",
        reference: "Chao & Lee 1992, J. Amer. Statist. Assoc. 87:210", axisUnit: .fixed("estimated taxa"),
        undefinedWhen: "every rare taxon is a singleton, so coverage is 0 (use chao1 instead, as EstimateS suggests)",
        compute: { MoodbiomeCore.ace($0.present, rareThreshold: $0.options.aceRareThreshold) })
}
