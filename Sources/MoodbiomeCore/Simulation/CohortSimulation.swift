import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics

/// `moodbiome simulate`: a gut-microbiome and mood cohort whose truth is known.
///
/// The generative model, per participant (every number is a parameter
/// below and is written to `truth.json`):
/// 1. **Covariates.** Age ~ Uniform(18, 75) (whole years); sex female with
///    probability 0.55; BMI ~ N(26, 4.5) clipped to 16–50 (one decimal);
///    antidepressant use with probability 0.18; Bristol stool type 1–7 with
///    population frequencies (0.05, 0.12, 0.23, 0.35, 0.15, 0.07, 0.03).
/// 2. **Expected severity** from the covariates,
///    `S₀ = b₀ + b_age(age − 45) + b_female·female + b_bmi(BMI − 26) + b_ad·antidepressant`,
///    in PHQ-9 points, and its standardised value z₀.
/// 3. **Community.** Taxa are genera: 20 named ones with base abundances
///    typical of adult stool, then `Genus_021…` with log-normal base
///    abundances. Each participant has a diversity propensity z ~ N(0, 1);
///    an unnamed genus is present with probability
///    `logistic(c₀ + c_z·z + c_stool·(4 − Bristol))` — harder stools carry
///    more genera (Falony et al. 2016, *Science* 352:560); log-abundances get
///    person-level noise (SD 1) and are multiplied by `exp(−e_z·z)`
///    (evenness). A gut-linked mood factor d ~ N(0, 1) depletes
///    *Coprococcus*, *Dialister* and *Faecalibacterium* and enriches
///    *Eggerthella* and, slightly, *Bacteroides* (log-fold changes per SD of
///    d; Valles-Colomer et al. 2019, *Nat Microbiol* 4:623 — including the
///    Bacteroides-rich enterotype; Radjabzadeh et al. 2022, *Nat Commun*
///    13:7128), and raises severity by τ per SD (step 5), so these genera go
///    with PHQ-9 *given* the covariates, as the literature reports them;
///    antidepressants raise *Eggerthella* and lower *Ruminococcus*
///    (illustrative). The shifts are balanced so that d leaves the Shannon
///    entropy unchanged on average (depleting a mid-abundance genus raises
///    evenness, enriching the dominant one lowers it): over 12 seeds of
///    1,500 participants the Shannon coefficient of the analysis model
///    averages −0.9996 for a true −1, so the diversity effect stays
///    identifiable.
/// 4. **Sequencing.** Proportions are drawn from a Dirichlet with precision
///    θ around the participant's composition, and `depth` reads, log-uniform
///    between the minimum and maximum depth, are drawn from them
///    (a Dirichlet-multinomial).
/// 5. **Severity.** `S = S₀ + δ·(H − 3) + τ·d + ε`, ε ~ N(0, σ² − τ²) (so
///    the residual SD is σ in all), where H is the
///    Shannon entropy (natural log) of the participant's observed counts —
///    exactly what `analyze` computes without rarefaction — and δ is the
///    small diversity effect (`--diversity-effect`, default −1 PHQ-9 point
///    per nat; meta-analyses find little or no alpha-diversity difference).
///    So in `phq9_total ~ shannon + age + sex + bmi + antidepressant` the
///    true coefficients are δ, b_age, −b_female (male vs female), b_bmi and
///    b_ad, up to the small distortions of step 6.
/// 6. **PHQ-9 items.** The total T = S rounded and clipped to 0–27 is split
///    into the 9 items (each 0–3), point by point, with item propensities
///    (anhedonia and depressed mood most endorsed, item 9 least). Then 5% of
///    participants miss 1 item, 2% miss 2 (both prorated by the scorer) and
///    1% miss 3 (not scored).
/// 7. **Visits** (`visits` K > 1: a longitudinal cohort). Each participant
///    gives a stool sample and a PHQ-9 at months 0, 3, …, 3(K − 1). The
///    covariates are the participant's; the diversity propensity of visit v
///    is `zᵢ + w·ηᵢᵥ` (w = 0.5, η ~ N(0, 1): diversity varies within a
///    person), and the community, reads, mood factor and items are drawn
///    anew at each visit. Severity gains a random intercept and a random
///    slope in time, `aᵢ + (b_months + cᵢ)·months`, with aᵢ ~ N(0, σ_a²) and
///    cᵢ ~ N(0, σ_c²) independent. So in the linear mixed model
///    `phq9_total ~ shannon + months + age + sex + bmi + antidepressant +
///    (1 + months | participant_id)` the true fixed effects are δ, b_months
///    and the covariates' as above, the random-effect SDs σ_a and σ_c with
///    correlation 0, and the residual SD σ. With K = 1 nothing of this
///    step is drawn and the cohort is the cross-sectional one.
/// 8. **An exposure acting through the microbiome** (`dietEffect` or
///    `dietDirectEffect` not 0): a high-fibre diet, drawn with probability
///    0.5 for each participant (after the covariates), shifts the diversity
///    propensity by `dietEffect` SDs (z + γ·diet) and severity by
///    `dietDirectEffect` points. The community is drawn for both diets from
///    the same random numbers, so each participant has both potential
///    Shannon entropies H(0) and H(1), and the sample's true average causal
///    mediation effect on severity is δ·mean(H(1) − H(0)) (ACME, through
///    Shannon), the direct effect the `dietDirectEffect` (written to
///    `truth.json`; rounding and clipping the PHQ-9 distort them slightly).
///    Without it nothing of this step is drawn.
public struct CohortSimulation: Sendable {
    public var participants = 300
    public var taxa = 200
    public var seed: UInt64 = 7
    public var minimumDepth = 5_000
    public var maximumDepth = 100_000
    /// δ: PHQ-9 points per nat of Shannon entropy.
    public var diversityEffect = -1.0
    /// b₀: expected PHQ-9 at age 45, female = 0, BMI 26, no antidepressant, H = 3.
    public var severityIntercept = 8.0
    /// b_age per year.
    public var ageEffect = -0.04
    public var femaleEffect = 1.5
    /// b_bmi per kg/m².
    public var bmiEffect = 0.25
    public var antidepressantEffect = 2.0
    /// σ, the residual SD of severity in PHQ-9 points (the gut-linked
    /// factor's share τ included).
    public var residualSD = 4.0
    /// τ: PHQ-9 points per SD of the gut-linked mood factor d.
    public var moodFactorEffect = 2.5
    /// θ, the Dirichlet precision (larger: less sampling overdispersion).
    public var dirichletPrecision = 400.0
    /// Visits per participant (1: cross-sectional).
    public var visits = 1
    /// Months between visits.
    public static let visitIntervalMonths = 3
    /// Change in severity per month (fixed), PHQ-9 points.
    public var monthsEffect = -0.1
    /// SD of the participants' random intercepts and random slopes (per month).
    public var randomInterceptSD = 3.0
    public var randomSlopeSD = 0.3
    /// The diet's shift of the diversity propensity, in SDs (step 8).
    public var dietEffect = 0.0
    /// The diet's direct effect on severity, in PHQ-9 points (step 8).
    public var dietDirectEffect = 0.0
    /// Whether the cohort has the diet exposure (step 8).
    public var hasDiet: Bool { dietEffect != 0 || dietDirectEffect != 0 }
    /// SD of a visit's diversity propensity around the participant's.
    public static let withinPersonDiversitySD = 0.5
    /// The most visits `simulate` draws.
    public static let maximumVisits = 100
    /// Log-fold change per SD of the gut-linked mood factor d.
    public var moodTaxa: [(genus: String, logFoldChange: Double)] = [
        ("Coprococcus", -1.0), ("Dialister", -1.0), ("Faecalibacterium", -0.5), ("Eggerthella", 1.2), ("Bacteroides", 0.17),
    ]
    /// Log-fold change with antidepressant use.
    public var antidepressantTaxa: [(genus: String, logFoldChange: Double)] = [("Eggerthella", 0.4), ("Ruminococcus", -0.4)]

    /// The named genera and their base relative abundances.
    public static let namedGenera: [(String, Double)] = [
        ("Bacteroides", 0.18), ("Faecalibacterium", 0.07), ("Prevotella", 0.05), ("Blautia", 0.04),
        ("Roseburia", 0.03), ("Ruminococcus", 0.03), ("Alistipes", 0.03), ("Bifidobacterium", 0.02),
        ("Parabacteroides", 0.02), ("Subdoligranulum", 0.02), ("Eubacterium", 0.02), ("Coprococcus", 0.015),
        ("Dialister", 0.012), ("Akkermansia", 0.01), ("Oscillibacter", 0.01), ("Dorea", 0.01),
        ("Lachnospira", 0.01), ("Streptococcus", 0.005), ("Escherichia", 0.005), ("Eggerthella", 0.001),
    ]
    public static let bristolFrequencies = [0.05, 0.12, 0.23, 0.35, 0.15, 0.07, 0.03]
    public static let itemPropensity = [1.3, 1.3, 1.2, 1.4, 1.0, 0.9, 0.9, 0.6, 0.3]
    /// Presence model of unnamed genera: c₀, c_z, c_stool; evenness e_z.
    public static let presenceIntercept = 0.0, presenceDiversity = 0.8, presenceStool = 0.3, evennessDiversity = 0.2
    public static let prevotellaPrevalence = 0.35

    public init() {}

    /// One simulated participant.
    public struct Participant: Sendable {
        /// The sample's ID: the participant's (`P0001`) in a cross-sectional
        /// cohort, with the visit (`P0001_V2`) in a longitudinal one.
        public let id: String
        public let participantID: String
        /// Visit number, from 1.
        public let visit: Int
        public let months: Int
        public let age: Int
        public let female: Bool
        public let bmi: Double
        public let antidepressant: Bool
        public let bristol: Int
        public let counts: [Int]
        public let shannon: Double
        public let severity: Double
        public let items: [Int?]
        /// Step 8: the diet (1 high-fibre), and the Shannon entropy the
        /// sample would have had under each diet (H(0), H(1)).
        public var diet: Int? = nil
        public var potentialShannon: (Double, Double)? = nil
    }

    /// The cohort: taxon names and participants.
    public struct Cohort: Sendable {
        public let taxa: [String]
        public let participants: [Participant]
    }

    /// The largest cohort `simulate` draws: sizes beyond these are refused
    /// rather than left to exhaust memory or time.
    public static let maximumParticipants = 1_000_000
    public static let maximumTaxa = 100_000
    public static let maximumDepth = 10_000_000

    /// Checks every parameter before any draw.
    ///
    /// - Throws: `ParameterError` naming the parameter.
    public func validate() throws {
        guard participants >= 10 else { throw ParameterError(.participants, .outOfRange(value: String(participants), allowed: .atLeast("10"))) }
        guard participants <= Self.maximumParticipants else {
            throw ParameterError(.participants, .exceedsLimit(value: String(participants), limit: String(Self.maximumParticipants)))
        }
        guard visits >= 1 else { throw ParameterError(.visits, .outOfRange(value: String(visits), allowed: .atLeast("1"))) }
        guard visits <= Self.maximumVisits else {
            throw ParameterError(.visits, .exceedsLimit(value: String(visits), limit: String(Self.maximumVisits)))
        }
        guard participants * visits <= Self.maximumParticipants else {
            throw ParameterError(.participants, .exceedsLimit(value: "\(participants) × \(visits) visits", limit: "\(Self.maximumParticipants) samples"))
        }
        guard taxa >= Self.namedGenera.count + 1 else {
            throw ParameterError(.taxa, .outOfRange(value: String(taxa), allowed: .atLeast(String(Self.namedGenera.count + 1))))
        }
        guard taxa <= Self.maximumTaxa else { throw ParameterError(.taxa, .exceedsLimit(value: String(taxa), limit: String(Self.maximumTaxa))) }
        guard minimumDepth >= 100 else { throw ParameterError(.minDepth, .outOfRange(value: String(minimumDepth), allowed: .atLeast("100"))) }
        guard maximumDepth >= minimumDepth else {
            throw ParameterError(.maxDepth, .outOfRange(value: String(maximumDepth), allowed: .atLeast(String(minimumDepth))))
        }
        guard maximumDepth <= Self.maximumDepth else {
            throw ParameterError(.maxDepth, .exceedsLimit(value: String(maximumDepth), limit: String(Self.maximumDepth)))
        }
        guard diversityEffect.isFinite else {
            throw ParameterError(.diversityEffect, .outOfRange(value: String(diversityEffect), allowed: .between("-1e6", "1e6")))
        }
        for (value, parameter) in [(dietEffect, Parameter.dietEffect), (dietDirectEffect, Parameter.dietDirectEffect)] where !(value.isFinite && abs(value) <= 100) {
            throw ParameterError(parameter, .outOfRange(value: NumberStyle.roundTrip.format(value), allowed: .between("-100", "100")))
        }
        guard abs(diversityEffect) <= 1e6 else {
            throw ParameterError(.diversityEffect, .outOfRange(value: String(diversityEffect), allowed: .between("-1e6", "1e6")))
        }
        precondition(residualSD > 0 && dirichletPrecision > 0, "the model's fixed SD and precision are positive")
    }

    /// The taxa names and base abundances (from the seed's taxa stream).
    func taxaBase() -> (names: [String], logBase: [Double]) {
        var rng = Xoshiro256StarStar(seed: seed, stream: [0x7461_7861])  // "taxa"
        var names = Self.namedGenera.map(\.0)
        let namedMass = Self.namedGenera.reduce(0) { $0 + $1.1 }
        var rest = [Double]()
        for k in Self.namedGenera.count..<taxa {
            names.append(String(cFormat: "Genus_%03d", k + 1))
            rest.append(exp(2 * rng.nextNormal()))
        }
        let restTotal = rest.reduce(0, +)
        let base = Self.namedGenera.map(\.1) + rest.map { $0 / restTotal * (1 - namedMass) }
        return (names, base.map { log($0) })
    }

    /// Mean and SD of the covariate-predicted severity over the population
    /// (exact, from the covariate distributions), to standardise it.
    public var expectedSeverityMoments: (mean: Double, sd: Double) {
        let ageMean = 46.5, ageVariance = 57.0 * 57.0 / 12
        let mean = severityIntercept + ageEffect * (ageMean - 45) + femaleEffect * 0.55 + antidepressantEffect * 0.18
        let variance = ageEffect * ageEffect * ageVariance + femaleEffect * femaleEffect * 0.55 * 0.45
            + bmiEffect * bmiEffect * 4.5 * 4.5 + antidepressantEffect * antidepressantEffect * 0.18 * 0.82
        return (mean, variance.squareRoot())
    }

    /// Steps 3–4 for one sample: the composition from the diversity
    /// propensity z (and the gut-linked mood factor d, drawn here), then the
    /// reads; the observed counts, their Shannon entropy and d.
    func community(z: Double, bristol: Int, antidepressant: Bool, names: [String], logBase: [Double], index: [String: Int],
                   rng: inout Xoshiro256StarStar) -> (counts: [Int], shannon: Double, d: Double) {
        let named = Self.namedGenera.count
        let evenness = exp(-Self.evennessDiversity * z)
        var logWeight = [Double](repeating: -.infinity, count: taxa)
        for k in 0..<taxa {
            let present: Bool
            if k >= named {
                let logit = Self.presenceIntercept + Self.presenceDiversity * z + Self.presenceStool * Double(4 - bristol)
                present = rng.nextBernoulli(1 / (1 + exp(-logit)))
            } else if names[k] == "Prevotella" {
                present = rng.nextBernoulli(Self.prevotellaPrevalence)
            } else {
                present = true
            }
            let noise = rng.nextNormal()
            if present { logWeight[k] = evenness * (logBase[k] + noise) }
        }
        let d = rng.nextNormal()
        for (genus, lfc) in moodTaxa { if let k = index[genus] { logWeight[k] += lfc * d } }
        if antidepressant { for (genus, lfc) in antidepressantTaxa { if let k = index[genus] { logWeight[k] += lfc } } }
        let top = logWeight.max() ?? 0
        let composition = logWeight.map { $0.isFinite ? exp($0 - top) : 0 }
        let total = composition.reduce(0, +)
        // 4. Sequencing: Dirichlet-multinomial.
        let proportions = rng.nextDirichlet(composition.map { dirichletPrecision * $0 / total })
        let depth = Int((Double(minimumDepth) * pow(Double(maximumDepth) / Double(minimumDepth), rng.nextUniform())).rounded())
        let table = AliasTable(weights: proportions)
        var counts = [Int](repeating: 0, count: taxa)
        for _ in 0..<depth { counts[table.draw(&rng)] += 1 }
        var shannon = 0.0
        for c in counts where c > 0 {
            let p = Double(c) / Double(depth)
            shannon -= p * log(p)
        }
        return (counts, shannon, d)
    }

    /// Simulates the cohort. Participant i's draws come from its own stream
    /// of the generator, so they do not depend on the cohort's size.
    public func simulate() throws -> Cohort {
        try validate()
        let (names, logBase) = taxaBase()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        var people = [Participant]()
        people.reserveCapacity(participants * visits)
        for i in 0..<participants {
            var rng = Xoshiro256StarStar(seed: seed, stream: [UInt64(i)])
            // 1. Covariates.
            let age = 18 + Int(rng.nextUniform() * 58)
            let female = rng.nextBernoulli(0.55)
            let bmi = (Swift.min(50, Swift.max(16, 26 + 4.5 * rng.nextNormal())) * 10).rounded() / 10
            let antidepressant = rng.nextBernoulli(0.18)
            let bristol = rng.nextCategorical(Self.bristolFrequencies) + 1
            let diet = hasDiet ? (rng.nextBernoulli(0.5) ? 1 : 0) : 0
            // 2. Expected severity.
            let s0 = severityIntercept + ageEffect * Double(age - 45) + (female ? femaleEffect : 0)
                + bmiEffect * (bmi - 26) + (antidepressant ? antidepressantEffect : 0)
            let zPerson = rng.nextNormal()
            // 7. Random intercept and slope (longitudinal cohorts only).
            let longitudinal = visits > 1
            let randomIntercept = longitudinal ? randomInterceptSD * rng.nextNormal() : 0
            let randomSlope = longitudinal ? randomSlopeSD * rng.nextNormal() : 0
            for visit in 0..<visits {
            let months = visit * Self.visitIntervalMonths
            // 3–4. Community and sequencing (step 8: under both diets, from the same random numbers).
            let zVisit = longitudinal ? zPerson + Self.withinPersonDiversitySD * rng.nextNormal() : zPerson
            let start = rng
            let drawn = community(z: zVisit + (diet == 1 ? dietEffect : 0), bristol: bristol, antidepressant: antidepressant,
                                  names: names, logBase: logBase, index: index, rng: &rng)
            var potential: (Double, Double)? = nil
            if hasDiet {
                var other = start
                let counterfactual = community(z: zVisit + (diet == 1 ? 0 : dietEffect), bristol: bristol, antidepressant: antidepressant,
                                               names: names, logBase: logBase, index: index, rng: &other)
                potential = diet == 1 ? (counterfactual.shannon, drawn.shannon) : (drawn.shannon, counterfactual.shannon)
            }
            let (counts, shannon, d) = (drawn.counts, drawn.shannon, drawn.d)
            // 5. Severity from the observed Shannon entropy.
            let noiseSD = (residualSD * residualSD - moodFactorEffect * moodFactorEffect).squareRoot()
            let trajectory = randomIntercept + (monthsEffect + randomSlope) * Double(months)
            let severity = s0 + diversityEffect * (shannon - 3) + moodFactorEffect * d + noiseSD * rng.nextNormal()
                + (longitudinal ? trajectory : 0) + dietDirectEffect * Double(diet)
            // 6. Items.
            let target = Int(Swift.min(27, Swift.max(0, severity.rounded())))
            var items = [Int](repeating: 0, count: 9)
            for _ in 0..<target {
                let weights = (0..<9).map { items[$0] < 3 ? Self.itemPropensity[$0] : 0 }
                items[rng.nextCategorical(weights)] += 1
            }
            var answers: [Int?] = items
            let u = rng.nextUniform()
            let missing = u < 0.01 ? 3 : u < 0.03 ? 2 : u < 0.08 ? 1 : 0
            var order = Array(0..<9)
            for j in 0..<missing {
                let pick = j + Int(rng.nextUniform() * Double(9 - j))
                order.swapAt(j, pick)
                answers[order[j]] = nil
            }
            let participantID = String(cFormat: "P%04d", i + 1)
            var person = Participant(id: longitudinal ? participantID + "_V\(visit + 1)" : participantID,
                                     participantID: participantID, visit: visit + 1, months: months,
                                     age: age, female: female, bmi: bmi,
                                     antidepressant: antidepressant, bristol: bristol, counts: counts,
                                     shannon: shannon, severity: severity, items: answers)
            if hasDiet {
                person.diet = diet
                person.potentialShannon = potential
            }
            people.append(person)
            }
        }
        return Cohort(taxa: names, participants: people)
    }

}
