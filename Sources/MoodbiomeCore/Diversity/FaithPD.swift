extension AlphaMetricDefinition {
    /// Faith's phylogenetic diversity: the total branch length of the tree
    /// spanned by the sample's taxa and the root, `PD = Σ L_b` over the
    /// branches b with at least one of the sample's taxa below them —
    /// presence only, so counts and proportions give the same value. The
    /// root's own length counts when the tree gives one, as in scikit-bio
    /// `faith_pd` (and picante `pd(include.root = TRUE)`). Needs a rooted
    /// tree whose tips are the table's features.
    /// Faith D. P. (1992) *Biol. Conserv.* 61:1–10.
    public static let faithPD = AlphaMetricDefinition(
        name: "faith_pd", title: "Faith's phylogenetic diversity", needsTree: true,
        summary: "Faith's phylogenetic diversity: total branch length spanned (needs a tree)",
        reference: "Faith 1992, Biol. Conserv. 61:1", axisQuantity: "Faith's PD", axisUnit: .fixed("branch length")
    ) { sample in
        sample.phylogeny?.faithPD(taxa: sample.taxa) ?? .nan
    }
}
