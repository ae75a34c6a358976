/// An alpha-diversity metric, named as in scikit-bio 0.7.
public enum AlphaMetric: Hashable, Sendable {
    case observedFeatures
    case shannon
    case simpson
    case dominance
    case inverseSimpson
    case simpsonE
    case pielouE
    case heipE
    case chao1
    case ace
    case goodsCoverage
    case bergerParkerD
    case fisherAlpha
    case brillouinD
    case margalef
    case menhinick
    case mcintoshD
    case mcintoshE
    case strong
    case giniIndex
    case robbins
    case singles
    case doubles
    /// Hill number of the given order.
    case hill(order: Double)
    /// Rényi entropy of the given order.
    case renyi(order: Double)
    /// Tsallis entropy of the given order.
    case tsallis(order: Double)

    /// The metrics without a parameter, in the order `--metrics all` lists them.
    public static let fixed: [AlphaMetric] = [
        .observedFeatures, .shannon, .simpson, .dominance, .inverseSimpson, .simpsonE,
        .pielouE, .heipE, .chao1, .ace, .goodsCoverage, .bergerParkerD, .fisherAlpha,
        .brillouinD, .margalef, .menhinick, .mcintoshD, .mcintoshE, .strong, .giniIndex,
        .robbins, .singles, .doubles,
    ]

    /// Every metric `--metrics all` computes: the fixed ones, then Hill
    /// numbers of orders 0, 1, 2 and Rényi and Tsallis entropies of order 2
    /// (scikit-bio's default orders).
    public static let all: [AlphaMetric] = fixed + [
        .hill(order: 0), .hill(order: 1), .hill(order: 2), .renyi(order: 2), .tsallis(order: 2),
    ]

    /// The scikit-bio name; parameterised metrics append their order
    /// (`hill_2`, `renyi_0.5`, `tsallis_inf`).
    public var name: String {
        switch self {
        case .observedFeatures: return "observed_features"
        case .shannon: return "shannon"
        case .simpson: return "simpson"
        case .dominance: return "dominance"
        case .inverseSimpson: return "inv_simpson"
        case .simpsonE: return "simpson_e"
        case .pielouE: return "pielou_e"
        case .heipE: return "heip_e"
        case .chao1: return "chao1"
        case .ace: return "ace"
        case .goodsCoverage: return "goods_coverage"
        case .bergerParkerD: return "berger_parker_d"
        case .fisherAlpha: return "fisher_alpha"
        case .brillouinD: return "brillouin_d"
        case .margalef: return "margalef"
        case .menhinick: return "menhinick"
        case .mcintoshD: return "mcintosh_d"
        case .mcintoshE: return "mcintosh_e"
        case .strong: return "strong"
        case .giniIndex: return "gini_index"
        case .robbins: return "robbins"
        case .singles: return "singles"
        case .doubles: return "doubles"
        case .hill(let q): return "hill_" + Self.format(order: q)
        case .renyi(let q): return "renyi_" + Self.format(order: q)
        case .tsallis(let q): return "tsallis_" + Self.format(order: q)
        }
    }

    /// Other names accepted on the command line.
    public var aliases: [String] {
        switch self {
        case .observedFeatures: return ["sobs", "observed_otus", "richness"]
        case .dominance: return ["simpson_d"]
        case .inverseSimpson: return ["enspie", "invsimpson"]
        default: return []
        }
    }

    /// Whether the metric is defined only for integer counts: estimators
    /// built on singletons and doubletons or on the number of individuals.
    /// Frequency-based metrics also accept relative abundances.
    public var requiresCounts: Bool {
        switch self {
        case .chao1, .ace, .goodsCoverage, .fisherAlpha, .brillouinD, .margalef, .menhinick,
             .mcintoshD, .mcintoshE, .robbins, .singles, .doubles:
            return true
        default:
            return false
        }
    }

    /// One line on what the metric measures, for `moodbiome metrics`.
    public var summary: String {
        switch self {
        case .observedFeatures: return "richness S: number of taxa present"
        case .shannon: return "Shannon entropy −Σ p ln p (base set by --base)"
        case .simpson: return "Gini–Simpson index 1 − Σ p²"
        case .dominance: return "Simpson's dominance Σ p²"
        case .inverseSimpson: return "inverse Simpson 1 / Σ p² (Hill number of order 2)"
        case .simpsonE: return "Simpson's evenness (1 / Σ p²) / S"
        case .pielouE: return "Pielou's evenness H / ln S"
        case .heipE: return "Heip's evenness (e^H − 1) / (S − 1)"
        case .chao1: return "Chao1 richness estimator (bias-corrected by default)"
        case .ace: return "abundance-based coverage estimator (rare threshold 10 by default)"
        case .goodsCoverage: return "Good's coverage 1 − F1 / N"
        case .bergerParkerD: return "Berger–Parker dominance max n / N"
        case .fisherAlpha: return "Fisher's log-series alpha"
        case .brillouinD: return "Brillouin index (ln N! − Σ ln n!) / N"
        case .margalef: return "Margalef richness (S − 1) / ln N"
        case .menhinick: return "Menhinick richness S / √N"
        case .mcintoshD: return "McIntosh dominance (N − U) / (N − √N), U = √Σ n²"
        case .mcintoshE: return "McIntosh evenness U / √((N − S + 1)² + S − 1)"
        case .strong: return "Strong's dominance max(b_i / N − i / S)"
        case .giniIndex: return "Gini index of the Lorenz curve (zeros included)"
        case .robbins: return "Robbins' probability of unobserved outcomes F1 / N"
        case .singles: return "number of singletons F1"
        case .doubles: return "number of doubletons F2"
        case .hill: return "Hill number (Σ p^q)^(1/(1−q)); name hill_Q picks the order"
        case .renyi: return "Rényi entropy ln(Σ p^q) / (1 − q); renyi_Q picks the order"
        case .tsallis: return "Tsallis entropy (1 − Σ p^q) / (q − 1); tsallis_Q picks the order"
        }
    }

    static func format(order q: Double) -> String {
        if q == .infinity { return "inf" }
        if q == q.rounded(), abs(q) < 1e15 { return String(Int(q)) }
        return String(q)
    }

    /// Parses a metric name or alias (case-insensitive). `hill`, `renyi` and
    /// `tsallis` take an order after an underscore (`hill_1`, `renyi_0.5`,
    /// `tsallis_inf`); without one they use order 2, scikit-bio's default.
    public init?(name text: String) {
        let lower = text.lowercased()
        for metric in Self.fixed where metric.name == lower || metric.aliases.contains(lower) {
            self = metric
            return
        }
        let families: [(String, (Double) -> AlphaMetric)] = [
            ("hill", { .hill(order: $0) }), ("renyi", { .renyi(order: $0) }), ("tsallis", { .tsallis(order: $0) }),
        ]
        for (family, make) in families {
            if lower == family { self = make(2); return }
            if lower.hasPrefix(family + "_") {
                let orderText = lower.dropFirst(family.count + 1)
                let order: Double? = orderText == "inf" ? .infinity : Double(orderText)
                guard let order, order >= 0, !order.isNaN else { return nil }
                self = make(order)
                return
            }
        }
        return nil
    }
}

/// Settings shared by the metrics that have them.
public struct AlphaOptions: Sendable, Equatable {
    /// Log base of `shannon` and the Rényi entropies.
    public var base: LogBase = .e
    /// Chao1 form: bias-corrected (default) or classic.
    public var chao1BiasCorrected = true
    /// ACE's rare-taxon threshold.
    public var aceRareThreshold = 10
    /// Lorenz-curve integration of the Gini index.
    public var giniMethod: LorenzIntegration = .rectangles

    public init() {}
}

extension AlphaMetric {
    /// The metric's value for one sample's abundances.
    public func value(_ counts: ArraySlice<Double>, options: AlphaOptions = .init()) -> Double {
        switch self {
        case .observedFeatures: return Moodbiome.observedFeatures(counts)
        case .shannon: return Moodbiome.shannon(counts, base: options.base)
        case .simpson: return Moodbiome.simpson(counts)
        case .dominance: return Moodbiome.dominance(counts)
        case .inverseSimpson: return Moodbiome.inverseSimpson(counts)
        case .simpsonE: return Moodbiome.simpsonE(counts)
        case .pielouE: return Moodbiome.pielouE(counts)
        case .heipE: return Moodbiome.heipE(counts)
        case .chao1: return Moodbiome.chao1(counts, biasCorrected: options.chao1BiasCorrected)
        case .ace: return Moodbiome.ace(counts, rareThreshold: options.aceRareThreshold)
        case .goodsCoverage: return Moodbiome.goodsCoverage(counts)
        case .bergerParkerD: return Moodbiome.bergerParkerD(counts)
        case .fisherAlpha: return Moodbiome.fisherAlpha(counts)
        case .brillouinD: return Moodbiome.brillouinD(counts)
        case .margalef: return Moodbiome.margalef(counts)
        case .menhinick: return Moodbiome.menhinick(counts)
        case .mcintoshD: return Moodbiome.mcintoshD(counts)
        case .mcintoshE: return Moodbiome.mcintoshE(counts)
        case .strong: return Moodbiome.strong(counts)
        case .giniIndex: return Moodbiome.giniIndex(counts, method: options.giniMethod)
        case .robbins: return Moodbiome.robbins(counts)
        case .singles: return Moodbiome.singles(counts)
        case .doubles: return Moodbiome.doubles(counts)
        case .hill(let q): return Moodbiome.hill(counts, order: q)
        case .renyi(let q): return Moodbiome.renyi(counts, order: q, base: options.base)
        case .tsallis(let q): return Moodbiome.tsallis(counts, order: q)
        }
    }
}
