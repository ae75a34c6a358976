import MoodbiomeIO

/// What a model or an analysis found wrong with the data, located in the
/// table it came from. Typed: the report layer puts it into words, the
/// front end decides how parameters are spelled.
public struct DataError: Error, Equatable, Sendable {
    /// Why a column was looked for.
    public enum ColumnPurpose: Equatable, Sendable {
        /// A formula (or a covariate) reads it.
        case formula
        /// The analysis' outcome or covariate, looked up in the metadata.
        case metadata
        /// The grouping column of a cohort table.
        case groupBy
        /// A variable to describe in a cohort table.
        case describe
        /// The grouping column of the figures.
        case figureGroups
        /// The blocks permutations stay within (`strata`).
        case strata
        /// The groups whose dispersions are compared.
        case dispersionGroups
        /// The variable whose distances a Mantel test compares.
        case mantelVariable
        /// The clusters of cluster-robust standard errors.
        case cluster
    }

    /// A value outside a transformation's domain.
    public enum DomainProblem: Equatable, Sendable {
        case divisionByZero(expression: String)
        case notFinite(expression: String)
        /// `scale(x)` of a constant.
        case constantScale(expression: String)
        /// `log`, `log2`, `log10` of a value ≤ 0.
        case needsPositive(function: String, argument: String, value: Double)
        case needsAboveMinusOne(argument: String, value: Double)
        case needsNonNegative(argument: String, value: Double)
        case overflows(argument: String, value: Double)
    }

    public enum Kind: Equatable, Sendable {
        case missingColumn(String, purpose: ColumnPurpose, available: [String])
        /// No row has every variable of the model.
        case noCompleteRows(variables: [String])
        /// A cell a numeric term reads is text.
        case notANumber(value: String, column: String, id: String)
        /// A column of numbers with a word in it (never silently a factor).
        case strayText(value: String, column: String, id: String)
        case domain(DomainProblem, id: String)
        /// A text outcome of a logistic model without exactly two levels.
        case binaryOutcomeLevels(column: String, levels: [String], rows: Int)
        /// A numeric outcome of a logistic model that is not 0 or 1.
        case binaryOutcomeValue(expression: String, value: Double, id: String)
        /// A 0/1 outcome with one of the two only.
        case binaryOutcomeOneLevel(expression: String, value: Double, rows: Int)
        case textOutcome(column: String, value: String, id: String)
        case constantOutcome(expression: String, value: Double, rows: Int)
        case missingReference(level: String, column: String, levels: [String])
        case constantFactor(column: String, level: String, rows: Int)
        case constantPredictor(label: String, value: Double, rows: Int)
        case noResidualDegreesOfFreedom(rank: Int, rows: Int)
        /// A metadata column has the name of a diversity metric.
        case metricNameClash(String)
        /// Two design columns would carry one coefficient name (a column
        /// named `Intercept`, or `x[T.a]` both as a column and a level).
        case coefficientNameClash(String)
        /// The column the dichotomised outcome would be written to exists.
        case derivedColumnClash(String)
        /// Cluster-robust errors need two clusters or more.
        case tooFewClusters(column: String, count: Int)
        /// A random-effects grouping with fewer than two groups among the rows used.
        case tooFewGroups(group: String, levels: Int)
        /// A random-effects term with as many effects (levels × coefficients)
        /// as rows, or more: its variance cannot be told from the residual's.
        case tooManyRandomEffects(term: String, effects: Int, rows: Int)
        /// More variance-covariance parameters (θ) than the optimiser is
        /// given: each is a dimension of the bounded search, and the
        /// Satterthwaite df and profile intervals cost ~θ² deviance
        /// evaluations each.
        case tooManyVarianceParameters(count: Int, limit: Int)
        /// A mixed model whose random effects beyond the largest grouping
        /// need a dense system larger than the limit.
        case mixedModelTooLarge(columns: Int, limit: Int)
        /// The mixed model's penalised least-squares system could not be
        /// factored at the optimiser's answer (a numerically singular design).
        case mixedModelNotPositiveDefinite
        /// A grouping column with more levels than a table can compare.
        case tooManyGroups(column: String, levels: Int, limit: Int)
        /// A design with as many columns as rows, or more (counted from the
        /// factors' levels before it is built).
        case tooManyColumns(columns: Int, rows: Int)
        /// No sample ID is in both the count table and the metadata.
        /// `matchingColumn`: another metadata column whose values are sample
        /// IDs (the ID column probably is that one).
        case noSharedIDs(sampleIDs: [String], samplesFile: String, metadataIDs: [String], idColumn: String, matchingColumn: String?)
        /// The outcome to dichotomise holds text.
        case cutoffNotANumber(value: String, column: String, id: String)
        /// Samples of a table that every sample of must have a metadata row.
        case samplesWithoutMetadata(sampleIDs: [String], count: Int, samplesFile: String)
    }

    public let location: SourceLocation
    public let kind: Kind

    public init(_ kind: Kind, at location: SourceLocation) {
        self.kind = kind
        self.location = location
    }
}

/// An error that arose while fitting the model of one diversity metric.
public struct MetricModelError: Error, Sendable {
    public let metric: String
    public let underlying: any Error

    public init(metric: String, underlying: any Error) {
        self.metric = metric
        self.underlying = underlying
    }
}

extension Parameter {
    public static let confLevel = Parameter("confLevel")
    public static let robust = Parameter("robust")
    public static let family = Parameter("family")
    public static let exponentiate = Parameter("exponentiate")
    public static let reference = Parameter("reference")
    public static let outcomeCutoff = Parameter("outcomeCutoff")
    public static let outcomeBand = Parameter("outcomeBand")
    public static let scale = Parameter("scale")
    public static let items = Parameter("items")
    public static let prefix = Parameter("prefix")
    public static let rarefy = Parameter("rarefy")
    public static let iterations = Parameter("iterations")
    public static let seed = Parameter("seed")
    /// `betadisper`: the groups' centre, centroid or spatial median.
    public static let type = Parameter("type")
    public static let aceThreshold = Parameter("aceThreshold")
    public static let metrics = Parameter("metrics")
    public static let participants = Parameter("participants")
    public static let visits = Parameter("visits")
    public static let taxa = Parameter("taxa")
    public static let minDepth = Parameter("minDepth")
    public static let maxDepth = Parameter("maxDepth")
    public static let diversityEffect = Parameter("diversityEffect")
    /// `simulate`: the diet's effect on diversity and its direct effect on severity.
    public static let dietEffect = Parameter("dietEffect")
    public static let dietDirectEffect = Parameter("dietDirectEffect")
    public static let depths = Parameter("depths")
    public static let steps = Parameter("steps")
    public static let maxMissing = Parameter("maxMissing")
    public static let reverse = Parameter("reverse")
    public static let invalid = Parameter("invalid")
    public static let name = Parameter("name")
    public static let dropEmpty = Parameter("dropEmpty")
    public static let covariates = Parameter("covariates")
    public static let outcome = Parameter("outcome")
    public static let groupBy = Parameter("groupBy")
    /// `moodbiome modules`: the functional profiles, the module database and the scoring.
    public static let profile = Parameter("profile")
    public static let db = Parameter("db")
    public static let coverage = Parameter("coverage")
    public static let perTaxon = Parameter("perTaxon")
    /// `mediate`: the module table (`module:ID` mediators).
    public static let modules = Parameter("modules")
    /// `analyze`: functional profiles, their module databases and cut-off.
    public static let functions = Parameter("functions")
    public static let moduleDb = Parameter("moduleDb")
    public static let moduleCoverage = Parameter("moduleCoverage")
    /// `analyze --module-method`: how the modules are tested (maaslin2 or linda).
    public static let moduleMethod = Parameter("moduleMethod")
    public static let adjust = Parameter("adjust")
    public static let base = Parameter("base")
    public static let chao1 = Parameter("chao1")
    public static let giniMethod = Parameter("giniMethod")
    public static let tree = Parameter("tree")
    public static let midpointRoot = Parameter("midpointRoot")
    public static let metric = Parameter("metric")
    public static let pseudocount = Parameter("pseudocount")
    public static let alpha = Parameter("alpha")
    public static let permutations = Parameter("permutations")
    public static let strata = Parameter("strata")
    public static let time = Parameter("time")
    public static let exposure = Parameter("exposure")
    public static let counts = Parameter("counts")
    public static let mediator = Parameter("mediator")
    public static let exposureValues = Parameter("exposureValues")
    public static let sims = Parameter("sims")
    /// `mediate --sensitivity`: Imai's sensitivity analysis of the ACME.
    public static let sensitivity = Parameter("sensitivity")
    /// `mediate --ci-type`: percentile or BCa intervals.
    public static let ciType = Parameter("ciType")
    public static let mediateBy = Parameter("mediateBy")
    public static let compositionParts = Parameter("compositionParts")
    public static let by = Parameter("by")
    public static let formula = Parameter("formula")
    public static let dimensions = Parameter("dimensions")
    public static let group = Parameter("group")
    public static let variable = Parameter("variable")
    public static let method = Parameter("method")
    public static let beta = Parameter("beta")
    public static let minPrevalence = Parameter("minPrevalence")
    /// `associate`: MaAsLin2's standardisation of numeric metadata (on by default).
    public static let standardize = Parameter("standardize")
    /// `associate --method linda`: each feature's proportions capped at a quantile.
    public static let winsorize = Parameter("winsorize")
    /// `associate --method linda`: adaptive, pseudocount or imputation.
    public static let zeros = Parameter("zeros")
    /// `associate --method ancombc|ancombc2`: the group checked for structural zeros.
    public static let strucZero = Parameter("strucZero")
    /// The structural-zero test's lower bound (scikit-bio's `neg_lb`).
    public static let negLb = Parameter("negLb")
    /// ANCOM-BC2's variance regularisation quantile (R's `s0_perc`).
    public static let varQuantile = Parameter("varQuantile")
    /// ANCOM-BC2's pseudo-count sensitivity analysis (R's `pseudo_sens`).
    public static let pseudoSens = Parameter("pseudoSens")
    public static let minAbundance = Parameter("minAbundance")
    public static let minVariance = Parameter("minVariance")
    public static let maxSignificance = Parameter("maxSignificance")
    public static let normalization = Parameter("normalization")
    public static let transform = Parameter("transform")
    /// Profile-likelihood intervals of a mixed model's standard deviations.
    public static let profileCI = Parameter("profileCi")
    /// The per-feature model of `associate` (MaAsLin2's `analysis_method`).
    public static let model = Parameter("model")
    public static let exclude = Parameter("exclude")
    public static let cluster = Parameter("cluster")
    public static let random = Parameter("random")
    public static let maximumLikelihood = Parameter("maximumLikelihood")
}
