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

/// Metrics that carry the same information about a sample up to a strictly
/// monotone transform (so they rank samples identically): `hill_0` is S;
/// `hill_1 = e^H` and `renyi_1 = H`; `inv_simpson = hill_2 = 1/D`,
/// `simpson = tsallis_2 = 1 − D`, `renyi_2 = −ln D` for the dominance D;
/// `goods_coverage = 1 − robbins`. Models of several of one group are not
/// independent analyses — the report says so when they are adjusted together.
public enum MetricRedundancy {
    public static let groups: [Set<String>] = [
        ["observed_features", "hill_0"],
        ["shannon", "hill_1", "renyi_1"],
        ["dominance", "simpson", "inv_simpson", "hill_2", "renyi_2", "tsallis_2"],
        ["goods_coverage", "robbins"],
    ]

    /// The groups with two or more of `labels`, each in `labels`' order.
    public static func redundant(among labels: [String]) -> [[String]] {
        groups.compactMap { group in
            let present = labels.filter { group.contains($0) }
            return present.count >= 2 ? present : nil
        }
    }
}
