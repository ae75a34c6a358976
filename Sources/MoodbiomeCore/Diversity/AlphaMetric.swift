import MoodbiomeIO

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

    /// One of the options above, which only some metrics read.
    public enum Setting: String, Sendable, CaseIterable {
        case base, chao1, aceThreshold, giniMethod

        /// Whether `metric` reads this option.
        public func isRead(by metric: AlphaMetricDefinition) -> Bool {
            switch self {
            case .base: metric.usesLogBase
            case .chao1: metric.name == "chao1"
            case .aceThreshold: metric.name == "ace"
            case .giniMethod: metric.name == "gini_index"
            }
        }

        /// The metrics that read it, by name.
        public var metrics: [String] { AlphaMetricDefinition.registry.filter(isRead).map(\.name) }
    }
}

/// What the driver hands a metric: one sample's non-zero abundances, in
/// table order and never empty, and how many taxa the table lists (zeros
/// included, for the one metric that counts them, the Gini index).
///
/// Empty samples and zeros are handled once, by the driver
/// (``AlphaMetric/value(_:options:)`` and the table driver), as scikit-bio's
/// `_validate_alpha` does: a metric function never sees an empty sample.
public struct AlphaSample {
    /// The non-zero abundances (counts or relative abundances), never empty.
    public let present: ArraySlice<Double>
    /// The table's number of taxa, zeros included.
    public let taxonCount: Int
    /// The order of a parameterised metric (Hill, Rényi, Tsallis); NaN otherwise.
    public let order: Double
    public let options: AlphaOptions
    /// The taxa (table rows) of `present`, for the phylogenetic metric.
    public let taxa: ArraySlice<Int32>
    /// The table's tree, when one was given.
    public let phylogeny: TablePhylogeny?
}

/// One alpha metric's definition: its name and aliases, what it needs, what
/// it measures, and how it is computed. A new metric is one file with its
/// function and definition, and one line in ``AlphaMetricDefinition/registry``.
public struct AlphaMetricDefinition: Sendable {
    /// How a figure's axis names the metric's values.
    public enum Unit: Sendable, Equatable {
        /// The entropy unit of the log base: nats, bits or dits.
        case logBase
        case fixed(String)
    }

    /// The scikit-bio name (`observed_features`), or the family's stem
    /// (`hill`) for a metric that takes an order.
    public let name: String
    /// The metric's proper name, for titles and prose ("Shannon diversity").
    public let title: String
    /// Other names accepted on the command line.
    public let aliases: [String]
    /// Takes an order after an underscore (`hill_1`, `renyi_0.5`); without
    /// one, order 2 (scikit-bio's default).
    public let takesOrder: Bool
    /// Defined only for integer counts: estimators built on singletons and
    /// doubletons or on the number of individuals.
    public let requiresCounts: Bool
    /// The value depends on the log base (`--base`).
    public let usesLogBase: Bool
    /// One line on what the metric measures (`moodbiome metrics`, methods text).
    public let summary: String
    /// The formula's source.
    public let reference: String
    /// The quantity an axis shows (`"Shannon entropy"`); nil: the metric's label.
    public let axisQuantity: String?
    /// The unit an axis shows, if any.
    public let axisUnit: Unit?
    /// Why the value can be undefined (NA) for a non-empty sample, if it can.
    public let undefinedWhen: String?
    /// Needs a phylogenetic tree of the table's features (`faith_pd`).
    public let needsTree: Bool
    let compute: @Sendable (AlphaSample) -> Double

    public init(name: String, title: String, aliases: [String] = [], takesOrder: Bool = false, requiresCounts: Bool = false,
                usesLogBase: Bool = false, needsTree: Bool = false, summary: String, reference: String, axisQuantity: String? = nil,
                axisUnit: Unit? = nil, undefinedWhen: String? = nil, compute: @escaping @Sendable (AlphaSample) -> Double) {
        self.name = name
        self.title = title
        self.aliases = aliases
        self.takesOrder = takesOrder
        self.requiresCounts = requiresCounts
        self.usesLogBase = usesLogBase
        self.summary = summary
        self.reference = reference
        self.axisQuantity = axisQuantity
        self.axisUnit = axisUnit
        self.undefinedWhen = undefinedWhen
        self.needsTree = needsTree
        self.compute = compute
    }
}

/// An alpha-diversity metric as requested: a definition and, for the
/// metrics that take one, an order (`hill_2`). Named as in scikit-bio 0.7.
public struct AlphaMetric: Hashable, Sendable {
    public let definition: AlphaMetricDefinition
    /// The order of a parameterised metric; nil otherwise.
    public let order: Double?

    public init(_ definition: AlphaMetricDefinition, order: Double? = nil) {
        self.definition = definition
        self.order = definition.takesOrder ? (order ?? 2) : nil
    }

    /// The scikit-bio name; parameterised metrics append their order
    /// (`hill_2`, `renyi_0.5`, `tsallis_inf`).
    public var name: String {
        order.map { definition.name + "_" + Self.format(order: $0) } ?? definition.name
    }

    public var aliases: [String] { definition.aliases }
    public var requiresCounts: Bool { definition.requiresCounts }
    public var needsTree: Bool { definition.needsTree }
    public var summary: String { definition.summary }
    /// The proper name, with the order of a parameterised metric ("Hill number of order 2").
    public var title: String { order.map { "\(definition.title) of order \(Self.format(order: $0))" } ?? definition.title }

    public static func == (a: AlphaMetric, b: AlphaMetric) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    static func format(order q: Double) -> String {
        if q == .infinity { return "inf" }
        if q == q.rounded(), abs(q) < 1e15 { return String(Int(q)) }
        return String(q)
    }

    /// The metrics without a parameter, in the order `--metrics all` lists them.
    ///
    /// The metrics that need a tree are among them: `--metrics all` computes
    /// them when a tree is given and skips them otherwise.
    public static var fixed: [AlphaMetric] {
        AlphaMetricDefinition.registry.filter { !$0.takesOrder }.map { AlphaMetric($0) }
    }

    /// Every metric `--metrics all` computes: the fixed ones, then Hill
    /// numbers of orders 0, 1, 2 and Rényi and Tsallis entropies of order 2
    /// (scikit-bio's default orders).
    public static var all: [AlphaMetric] {
        fixed + [AlphaMetric(.hill, order: 0), AlphaMetric(.hill, order: 1), AlphaMetric(.hill, order: 2),
                 AlphaMetric(.renyi, order: 2), AlphaMetric(.tsallis, order: 2)]
    }

    /// Parses a metric name or alias (case-insensitive). A metric that takes
    /// an order reads it after an underscore (`hill_1`, `renyi_0.5`,
    /// `tsallis_inf`), a non-negative decimal number or `inf`; without one
    /// it uses order 2, scikit-bio's default.
    public init?(name text: String) {
        let lower = text.lowercased()
        for definition in AlphaMetricDefinition.registry {
            if definition.takesOrder {
                if lower == definition.name { self.init(definition); return }
                guard lower.hasPrefix(definition.name + "_") else { continue }
                let orderText = String(lower.dropFirst(definition.name.count + 1))
                let order: Double?
                if orderText == "inf" {
                    order = .infinity
                } else if case .number(let q) = parseNumber(orderText) {
                    order = q
                } else {
                    order = nil
                }
                guard let order, order >= 0 else { return nil }
                self.init(definition, order: order)
                return
            } else if definition.name == lower || definition.aliases.contains(lower) {
                self.init(definition)
                return
            }
        }
        return nil
    }

    /// The metric's value for one sample's abundances (zeros allowed): NaN
    /// for an empty sample, otherwise the metric on the non-zero values.
    /// `phylogeny` is the tree of the abundances' taxa, for `faith_pd`.
    public func value(_ counts: ArraySlice<Double>, options: AlphaOptions = .init(), phylogeny: TablePhylogeny? = nil) -> Double {
        var present = [Double](), taxa = [Int32]()
        for (k, n) in zip(counts.indices, counts) where n > 0 {
            present.append(n)
            taxa.append(Int32(k - counts.startIndex))
        }
        if present.isEmpty { return .nan }
        return value(present: present[...], taxa: taxa[...], taxonCount: counts.count, options: options, phylogeny: phylogeny)
    }

    /// The driver's entry: the non-zero abundances of a non-empty sample and their taxa.
    package func value(present: ArraySlice<Double>, taxa: ArraySlice<Int32>, taxonCount: Int, options: AlphaOptions,
                       phylogeny: TablePhylogeny?) -> Double {
        definition.compute(AlphaSample(present: present, taxonCount: taxonCount, order: order ?? .nan, options: options,
                                       taxa: taxa, phylogeny: phylogeny))
    }
}
