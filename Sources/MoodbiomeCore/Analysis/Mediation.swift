import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// Causal mediation analysis of one mediator (Imai, Keele & Tingley 2010,
/// *Psychological Methods* 15:309), as statsmodels' `Mediation`
/// (statsmodels 0.15, `statsmodels.stats.mediation`) computes it:
///
/// - mediator model `M ~ X + covariates` (least squares) and outcome model
///   `Y ~ X + M [+ X:M] + covariates` (least squares, or logistic for a 0/1
///   outcome), both fitted on the rows complete in every variable;
/// - each of `simulations` replications draws the two models' coefficients
///   (quasi-Bayesian: from N(β̂, V̂), V̂ the classical covariance; bootstrap:
///   refits to rows resampled with replacement, independently for the two
///   models, as statsmodels does), then for t ∈ {control, treated} draws
///   every participant's potential mediator `M(t) = X_m(t)·θ_m + σ̂_m·ε`
///   (σ̂²_m the mediator model's residual variance), and predicts the
///   outcome `Y(t_x, M(t_m))` (the mean: η, or 1/(1 + e^−η));
/// - ACME(t) = mean over participants of `Y(t, M(treated)) − Y(t, M(control))`,
///   ADE(t) = mean of `Y(treated, M(t)) − Y(control, M(t))`, total effect
///   = (ACME(c) + ACME(t) + ADE(c) + ADE(t)) / 2, proportions mediated =
///   ACME / total, and the averages over the two conditions;
/// - each effect's estimate is the mean over replications (the median for
///   the proportions), its interval the percentiles α/2 and 1 − α/2 (linear
///   interpolation, NumPy's default) and its p-value
///   `2·min(#{> 0}, #{< 0}) / replications`.
///
/// Replication `r` draws from its own stream of the seed
/// (``Xoshiro256StarStar/init(seed:stream:)``), so the result is the same
/// whatever the thread count. The paths (a, b, c′, c, Sobel) are exact.
public struct Mediation: Sendable {
    public enum Method: String, Sendable, CaseIterable {
        case quasiBayes = "quasi-bayes"
        case bootstrap
    }

    /// The intervals from the replications: percentile (statsmodels), or
    /// bias-corrected and accelerated (bootstrap only), as the R package
    /// mediation's `boot.ci.type = "bca"` computes them.
    public enum Interval: String, Sendable, CaseIterable {
        case percentile
        case bca
    }

    public struct Settings: Sendable {
        public var method = Method.quasiBayes
        public var simulations = 5000
        public var seed: UInt64 = 1
        public var confidenceLevel = 0.95
        public var interaction = false
        /// The outcome model: least squares or logistic (a 0/1 outcome).
        public var family = ModelFamily.gaussian
        public var interval = Interval.percentile
        public init() {}
    }

    /// One row of statsmodels' summary.
    public struct Effect: Sendable, Equatable {
        public let name: String
        public let estimate: Double
        public let low: Double
        public let high: Double
        public let pValue: Double
    }

    /// The product-of-coefficients decomposition (Baron & Kenny 1986;
    /// Sobel 1982): exposure → mediator (a), mediator → outcome given the
    /// exposure (b), the direct path (c′) and the total (c, the model
    /// without the mediator); `a·b·Δx` with its delta-method SE
    /// `|Δx|·√(a²·SE_b² + b²·SE_a²)` and two-sided normal p.
    public struct Paths: Sendable, Equatable {
        public let a, aStandardError, b, bStandardError, cPrime, cTotal, indirect, sobelStandardError, sobelPValue: Double
    }

    public let mediator: String
    public let effects: [Effect]
    public let paths: Paths
    public let mediatorModel: FittedModel
    public let outcomeModel: FittedModel
    public let totalModel: FittedModel
    /// The exposure values contrasted (control, treated).
    public let control: Double
    public let treated: Double
    public let settings: Settings
    /// Each replication's ACME (average), for figures.
    public var acmeDraws: [Double] { draws[7] }
    /// Every effect's replications, in ``effectNames`` order.
    public let draws: [[Double]]
    /// Bootstrap resamples that could not be fitted (left out).
    public let unusableDraws: Int

    /// The effect names of `mediation.csv`, in statsmodels' summary order.
    public static let effectNames = ["acme_control", "acme_treated", "ade_control", "ade_treated", "total_effect",
                                     "prop_mediated_control", "prop_mediated_treated", "acme_average", "ade_average",
                                     "prop_mediated_average"]

    /// - Parameters:
    ///   - data: holds the numeric exposure, mediator and outcome columns and
    ///     the covariates' variables; rows missing any are left out.
    ///   - covariates: formula terms (`age`, `C(sex)`).
    public init(data: DataTable, exposure: String, mediator: String, outcome: String, covariates: [Formula.Covariate],
                control: Double, treated: Double, settings: Settings) throws {
        let variables = [exposure, mediator, outcome] + covariates.flatMap(\.variables)
        // The three models on the same rows: those with every variable.
        let columns = variables.compactMap { data[$0] }
        let complete = (0..<data.rowCount).filter { r in
            columns.allSatisfy { !$0.isMissing(r) && ($0.kind == .categorical || $0.numbers[r].isFinite) }
        }
        let rows = data.selectingRows(complete)
        let terms = covariates
        let mediatorFormula = Formula.main(response: mediator, predictors: [exposure], covariates: terms)
        let product = try Formula.Covariate(Formula.quotedIfNeeded(exposure) + ":" + Formula.quotedIfNeeded(mediator), columns: [])
        let outcomeFormula = Formula.main(response: outcome, predictors: [exposure, mediator],
                                          covariates: (settings.interaction ? [product] : []) + terms)
        let totalFormula = Formula.main(response: outcome, predictors: [exposure], covariates: terms)
        let mediatorDesign = try DesignMatrix(formula: mediatorFormula, data: rows)
        let outcomeDesign = try DesignMatrix(formula: outcomeFormula, data: rows, binaryResponse: settings.family == .binomial)
        let level = settings.confidenceLevel
        let mediatorFit = try LinearRegression(design: mediatorDesign, confidenceLevel: level)
        let outcomeFit: FittedModel.Fit = settings.family == .binomial
            ? .logistic(try LogisticRegression(design: outcomeDesign, confidenceLevel: level))
            : .linear(try LinearRegression(design: outcomeDesign, confidenceLevel: level))
        let totalFit = try FittedModel.fit(formula: totalFormula, data: rows, family: settings.family, confidenceLevel: level)
        self.mediatorModel = FittedModel(fit: .linear(mediatorFit), notes: [])
        self.outcomeModel = FittedModel(fit: outcomeFit, notes: [])
        self.totalModel = totalFit
        for model in [mediatorModel, outcomeModel, totalModel] where model.coefficients.contains(where: \.isAliased) {
            throw MediationError.aliased(model: model.design.formula.text, terms: model.coefficients.filter(\.isAliased).map(\.name))
        }
        self.mediator = mediator
        self.control = control
        self.treated = treated
        self.settings = settings

        let m = try Layout(design: mediatorDesign, exposure: exposure, mediator: nil, interaction: nil)
        let o = try Layout(design: outcomeDesign, exposure: exposure, mediator: mediator,
                           interaction: settings.interaction ? product.terms[0].label : nil)
        let draws = try Self.replicate(m: m, o: o, mediatorFit: mediatorFit, outcome: outcomeFit, mediatorData: mediatorDesign,
                                       outcomeData: outcomeDesign, control: control, treated: treated, settings: settings)
        // A bootstrap resample whose design lost a column (a covariate level
        // absent from it) gives no effects: left out, and counted.
        let usable = draws.filter { [$0.acme.0, $0.acme.1, $0.ade.0, $0.ade.1].allSatisfy(\.isFinite) }
        self.unusableDraws = draws.count - usable.count
        guard !usable.isEmpty else { throw MediationError.noUsableDraws(mediator) }
        self.draws = Self.vectors(usable)
        self.effects = Self.summarise(self.draws, level: level, interval: settings.interval)

        func coefficient(_ model: FittedModel, _ name: String) -> Coefficient {
            model.coefficients.first { $0.name == name }!
        }
        let a = coefficient(mediatorModel, exposure), b = coefficient(outcomeModel, mediator)
        let cPrime = coefficient(outcomeModel, exposure), c = coefficient(totalModel, exposure)
        let dx = treated - control
        let indirect = a.estimate! * b.estimate! * dx
        let se = abs(dx) * (pow(a.estimate!, 2) * pow(b.standardError!, 2) + pow(b.estimate!, 2) * pow(a.standardError!, 2)).squareRoot()
        self.paths = Paths(a: a.estimate!, aStandardError: a.standardError!, b: b.estimate!, bStandardError: b.standardError!,
                           cPrime: cPrime.estimate!, cTotal: c.estimate!, indirect: indirect, sobelStandardError: se,
                           sobelPValue: se > 0 ? 2 * Normal().sf(abs(indirect) / se) : .nan)
    }

    /// Where the exposure, the mediator and their product sit in a design;
    /// the other columns make each row's fixed part of the linear predictor.
    struct Layout {
        let exposure: Int
        let mediator: Int?
        let interaction: Int?
        /// Columns other than those three.
        let others: [Int]

        init(design: DesignMatrix, exposure: String, mediator: String?, interaction: String?) throws {
            func column(_ name: String) throws -> Int {
                // The term's one column (a numeric variable enters as itself).
                guard let t = design.termLabels.firstIndex(of: name),
                      let j = design.columnTerms.firstIndex(of: t), design.columnTerms.filter({ $0 == t }).count == 1 else {
                    throw MediationError.notNumeric(name)
                }
                return j
            }
            self.exposure = try column(exposure)
            self.mediator = try mediator.map(column)
            self.interaction = try interaction.map(column)
            let special = Set([self.exposure] + [self.mediator, self.interaction].compactMap { $0 })
            self.others = (0..<design.x.columns).filter { !special.contains($0) }
        }

        /// Each row's `Σ x_ij θ_j` over the other columns.
        func fixedPart(_ x: Matrix, _ theta: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: x.rows)
            for j in others where theta[j] != 0 {
                let t = theta[j]
                for i in 0..<x.rows { out[i] += x[i, j] * t }
            }
            return out
        }
    }

    /// One replication's four effects.
    struct Draw {
        var acme: (Double, Double)
        var ade: (Double, Double)
    }

    static func replicate(m: Layout, o: Layout, mediatorFit: LinearRegression, outcome: FittedModel.Fit,
                          mediatorData: DesignMatrix, outcomeData: DesignMatrix,
                          control: Double, treated: Double, settings: Settings) throws -> [Draw] {
        let n = mediatorData.x.rows
        let logistic = settings.family == .binomial
        let (outcomeEstimate, outcomeCovariance): ([Double], Matrix) = switch outcome {
        case .linear(let f): (f.coefficients.map { $0.estimate! }, f.covariance)
        case .logistic(let f): (f.coefficients.map { $0.estimate! }, f.covariance)
        case .mixed: ([], Matrix(rows: 0, columns: 0))
        }
        let mediatorEstimate = mediatorFit.coefficients.map { $0.estimate! }
        let mediatorFactor = try Cholesky(mediatorFit.covariance).upper
        let outcomeFactor = try Cholesky(outcomeCovariance).upper
        let xs = [control, treated]

        /// The effects of one draw of both models' coefficients and σ_m.
        @Sendable func effects(_ thetaM: [Double], _ sigma: Double, _ thetaO: [Double], _ rng: inout Xoshiro256StarStar) -> Draw {
            let mBase = m.fixedPart(mediatorData.x, thetaM)
            let oBase = o.fixedPart(outcomeData.x, thetaO)
            // potential[t][i]: the mediator with the exposure at xs[t] (control drawn first, as statsmodels).
            var potential = [[Double]](repeating: [], count: 2)
            for t in 0..<2 {
                potential[t] = (0..<n).map { i in mBase[i] + thetaM[m.exposure] * xs[t] + sigma * rng.nextNormal() }
            }
            let bM = thetaO[o.mediator!], bX = thetaO[o.exposure], bXM = o.interaction.map { thetaO[$0] } ?? 0
            func predict(_ i: Int, _ x: Double, _ mediator: Double) -> Double {
                let eta = oBase[i] + bX * x + bM * mediator + bXM * x * mediator
                return logistic ? 1 / (1 + exp(-eta)) : eta
            }
            var acme = [0.0, 0.0], ade = [0.0, 0.0]
            for i in 0..<n {
                for t in 0..<2 {
                    acme[t] += predict(i, xs[t], potential[1][i]) - predict(i, xs[t], potential[0][i])
                    ade[t] += predict(i, xs[1], potential[t][i]) - predict(i, xs[0], potential[t][i])
                }
            }
            let nd = Double(n)
            return Draw(acme: (acme[0] / nd, acme[1] / nd), ade: (ade[0] / nd, ade[1] / nd))
        }

        /// β̂ + Uᵀz, z standard normal: a draw from N(β̂, UᵀU).
        @Sendable func normalDraw(_ mean: [Double], _ u: Matrix, _ rng: inout Xoshiro256StarStar) -> [Double] {
            let z = mean.map { _ in rng.nextNormal() }
            var out = mean
            for j in 0..<mean.count { for k in 0...j { out[j] += u[k, j] * z[k] } }
            return out
        }

        let seed = settings.seed, method = settings.method
        let chunks = try parallelChunkMap(count: settings.simulations, minimumPerChunk: 16) { (range: Range<Int>) throws -> [Draw] in
            try range.map { r in
                var rng = Xoshiro256StarStar(seed: seed, stream: [UInt64(r)])
                switch method {
                case .quasiBayes:
                    let thetaO = normalDraw(outcomeEstimate, outcomeFactor, &rng)
                    let thetaM = normalDraw(mediatorEstimate, mediatorFactor, &rng)
                    return effects(thetaM, mediatorFit.sigma, thetaO, &rng)
                case .bootstrap:
                    let outcomeRows = (0..<n).map { _ in Int(rng.next() % UInt64(n)) }
                    let mediatorRows = (0..<n).map { _ in Int(rng.next() % UInt64(n)) }
                    let thetaO = try refit(outcomeData, rows: outcomeRows, logistic: logistic).coefficients
                    let refitM = try refit(mediatorData, rows: mediatorRows, logistic: false)
                    return effects(refitM.coefficients, refitM.sigma, thetaO, &rng)
                }
            }
        }
        return chunks.flatMap { $0 }
    }

    /// A bootstrap refit on `rows` of the design.
    static func refit(_ design: DesignMatrix, rows: [Int], logistic: Bool) throws -> (coefficients: [Double], sigma: Double) {
        let resampled = design.resampled(rows)
        if logistic {
            let fit = try LogisticRegression(design: resampled)
            return (fit.coefficients.map { $0.estimate ?? .nan }, .nan)
        }
        let fit = try LinearRegression(design: resampled)
        return (fit.coefficients.map { $0.estimate ?? .nan }, fit.sigma)
    }

    /// q-values across mediators: each effect's p-values adjusted over the
    /// analyses (Benjamini–Hochberg), per analysis in ``effectNames``
    /// order; NaN with one mediator (nothing to adjust over).
    public static func qValues(_ results: [Mediation]) -> [[Double]] {
        let byEffect = effectNames.indices.map { k in
            results.count > 1 ? PValueAdjustment.benjaminiHochberg.adjust(results.map { $0.effects[k].pValue }) : results.map { _ in Double.nan }
        }
        return results.indices.map { i in byEffect.map { $0[i] } }
    }

    /// Each effect's replications, in ``effectNames`` order.
    static func vectors(_ draws: [Draw]) -> [[Double]] {
        let acmeC = draws.map(\.acme.0), acmeT = draws.map(\.acme.1), adeC = draws.map(\.ade.0), adeT = draws.map(\.ade.1)
        let total = draws.indices.map { (acmeC[$0] + acmeT[$0] + adeC[$0] + adeT[$0]) / 2 }
        let propC = draws.indices.map { acmeC[$0] / total[$0] }, propT = draws.indices.map { acmeT[$0] / total[$0] }
        let propAvg = draws.indices.map { (propC[$0] + propT[$0]) / 2 }
        let acmeAvg = draws.indices.map { (acmeC[$0] + acmeT[$0]) / 2 }, adeAvg = draws.indices.map { (adeC[$0] + adeT[$0]) / 2 }
        return [acmeC, acmeT, adeC, adeT, total, propC, propT, acmeAvg, adeAvg, propAvg]
    }

    /// statsmodels' summary of the replications.
    static func summarise(_ vectors: [[Double]], level: Double, interval: Interval = .percentile) -> [Effect] {
        let alpha = 1 - level
        return zip(effectNames, vectors).map { name, v in
            let sorted = v.sorted()
            let estimate = name.hasPrefix("prop_") ? percentile(sorted, 0.5) : v.reduce(0, +) / Double(v.count)
            let positive = v.filter { $0 > 0 }.count, negative = v.filter { $0 < 0 }.count
            let (low, high) = interval == .bca ? biasCorrected(v, sorted: sorted, level: level)
                                               : (percentile(sorted, alpha / 2), percentile(sorted, 1 - alpha / 2))
            return Effect(name: name, estimate: estimate, low: low, high: high,
                          pValue: 2 * Double(Swift.min(positive, negative)) / Double(v.count))
        }
    }

    /// The bias-corrected and accelerated interval of replications θ, as the
    /// R package mediation computes it (`boot.ci.type = "bca"`; Efron 1987):
    /// bias z₀ = Φ⁻¹(#{θ < θ̄}/B), acceleration a = Σu³ / (6(Σu²)^{3/2}) with
    /// u = (B − 1)(θ̄ − θ), and the ends the type-7 quantiles of θ at
    /// Φ(z₀ + (z₀ + z_α)/(1 − a(z₀ + z_α))) for α = (1 − level)/2 and 1 − α.
    /// NaN when a replication is (a proportion of a zero total effect).
    static func biasCorrected(_ theta: [Double], sorted: [Double], level: Double) -> (Double, Double) {
        guard !theta.contains(where: \.isNaN), theta.count > 1 else { return (.nan, .nan) }
        let b = Double(theta.count), mean = theta.reduce(0, +) / b
        let z0 = Normal().quantile(Double(theta.filter { $0 < mean }.count) / b)
        let u = theta.map { (b - 1) * (mean - $0) }
        let a = u.reduce(0.0) { $0 + $1 * $1 * $1 } / (6 * pow(u.reduce(0.0) { $0 + $1 * $1 }, 1.5))
        func end(_ p: Double) -> Double {
            let z = Normal().quantile(p)
            let q = Normal().cdf(z0 + (z0 + z) / (1 - a * (z0 + z)))
            return q.isFinite ? percentile(sorted, Swift.min(Swift.max(q, 0), 1)) : .nan
        }
        let alpha = (1 - level) / 2
        return (end(alpha), end(1 - alpha))
    }

    /// The type-7 percentile (NumPy's default, R's `quantile`) of sorted
    /// draws; NaN when a draw is NaN (a proportion of a zero total effect).
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty, !sorted.contains(where: \.isNaN) else { return .nan }
        return quantile(sorted: sorted, q)
    }
}

/// What a mediation analysis cannot do with the data, typed; the report
/// layer words it (file and column are in the error's context).
public enum MediationError: Error, Equatable, Sendable {
    /// A model has columns that are linear combinations of the others.
    case aliased(model: String, terms: [String])
    /// The exposure or mediator did not enter the model as one numeric column.
    case notNumeric(String)
    /// The exposure takes one value only.
    case constantExposure(String)
    /// A numeric exposure with more than two values and no `--exposure-values`.
    case exposureNotBinary(String, values: Int)
    /// A text exposure with other than two levels.
    case exposureLevels(String, levels: [String])
    /// An `--exposure-values` entry that is not a number (numeric exposure)
    /// or not a level (text exposure).
    case exposureValue(String, column: String, levels: [String])
    /// The mediator's values do not vary over the rows used.
    case constantMediator(String)
    /// The mediator is also a covariate (or a covariate reads it).
    case mediatorIsCovariate(String)
    /// The exposure or outcome is named as a mediator.
    case mediatorIsModelled(String)
    /// A binary outcome with one level among the rows used.
    case outcomeOneLevel(String)
    /// A mediator that is no metric, metadata column or `taxon:` of the table.
    case unknownMediator(String, suggestion: String?)
    /// `taxon:NAME` with a name the table does not have.
    case unknownTaxon(String, suggestion: String?)
    /// The sensitivity analysis needs linear mediator and outcome models.
    case sensitivityNeedsLinear
    /// The sensitivity analysis needs an exposure coded 0/1 (two levels).
    case sensitivityNeedsTwoLevels
    /// `module:ID` with an ID the module table does not have.
    case unknownModule(String, suggestion: String?)
    /// A `module:` mediator without the module table.
    case moduleTableMissing(String)
    /// Mediation asked of a study with random effects (repeated measures).
    case repeatedMeasures
    /// Not one bootstrap resample could be fitted.
    case noUsableDraws(String)
}
