/// McIntosh's dominance index, `D = (N − U) / (N − √N)` with `U = √(Σ nᵢ²)`.
///
/// Needs counts. NaN for `N = 1` (scikit-bio).
///
/// Reference: McIntosh R. P. (1967) An index of diversity and the relation of
/// certain concepts to diversity. *Ecology* 48:392–404.
public func mcintoshD(_ counts: ArraySlice<Double>) -> Double {
    var total = 0.0, squares = 0.0
    for n in counts where n > 0 { total += n; squares += n * n }
    if total == 1 { return .nan }
    return (total - squares.squareRoot()) / (total - total.squareRoot())
}

/// McIntosh's evenness, `E = U / √((N − S + 1)² + S − 1)` with `U = √(Σ nᵢ²)`.
///
/// This is the form scikit-bio 0.7 implements (Heip 1974's statement of
/// McIntosh's evenness); some texts use `(N − U) / (N − N/√S)` instead.
/// Needs counts.
///
/// Reference: Heip C. (1974) *J. Mar. Biol. Assoc. UK* 54:555–557.
public func mcintoshE(_ counts: ArraySlice<Double>) -> Double {
    var total = 0.0, squares = 0.0, observed = 0.0
    for n in counts where n > 0 { total += n; squares += n * n; observed += 1 }
    let spread = total - observed + 1
    return squares.squareRoot() / (spread * spread + observed - 1).squareRoot()
}

extension AlphaMetricDefinition {
    public static let mcintoshD = AlphaMetricDefinition(
        name: "mcintosh_d", title: "McIntosh dominance", requiresCounts: true, summary: "McIntosh dominance (N − U) / (N − √N), U = √Σ n²",
        reference: "McIntosh 1967, Ecology 48:392", undefinedWhen: "the sample has a single read (N = 1)",
        compute: { MoodbiomeCore.mcintoshD($0.present) })
    public static let mcintoshE = AlphaMetricDefinition(
        name: "mcintosh_e", title: "McIntosh evenness", requiresCounts: true, summary: "McIntosh evenness U / √((N − S + 1)² + S − 1)",
        reference: "Heip 1974, J. Mar. Biol. Assoc. UK 54:555", compute: { MoodbiomeCore.mcintoshE($0.present) })
}
