extension AlphaMetricDefinition {
    /// Every alpha metric, one line each, in the order `moodbiome metrics`
    /// and `--metrics all` list them. The metrics that take an order come
    /// last.
    public static let registry: [AlphaMetricDefinition] = [
        .observedFeatures,
        .shannon,
        .simpson,
        .dominance,
        .inverseSimpson,
        .simpsonE,
        .pielouE,
        .heipE,
        .chao1,
        .ace,
        .goodsCoverage,
        .bergerParkerD,
        .fisherAlpha,
        .brillouinD,
        .margalef,
        .menhinick,
        .mcintoshD,
        .mcintoshE,
        .strong,
        .giniIndex,
        .robbins,
        .singles,
        .doubles,
        .faithPD,
        .hill,
        .renyi,
        .tsallis,
    ]
}
