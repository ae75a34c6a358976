import FoundationEssentials
import MoodbiomeCore
import MoodbiomeIO

/// The files of a simulated cohort: the count table (one row per sample),
/// the metadata (covariates, PHQ-9 items, and the PHQ-9 score as
/// `moodbiome score` computes it), the truth and a README.
public struct SimulationDocuments: Sendable {
    public let simulation: CohortSimulation

    public init(_ simulation: CohortSimulation) { self.simulation = simulation }

    /// The files `simulate` writes, in order.
    public static let outputFiles = ["counts.csv", "metadata.csv", "truth.json", "README.md"]

    /// Renders the cohort's files.
    public func files(for cohort: CohortSimulation.Cohort) throws -> [(name: String, contents: String)] {
        var counts = "sample_id," + cohort.taxa.joined(separator: ",") + "\n"
        for p in cohort.participants {
            counts += p.id + "," + p.counts.map(String.init).joined(separator: ",") + "\n"
        }
        let itemNames = (1...9).map { "phq9_\($0)" }
        let people = cohort.participants
        let longitudinal = simulation.visits > 1
        var columns = [DataTable.Column]()
        if longitudinal {
            columns.append(DataTable.Column(name: "participant_id", cells: people.map(\.participantID)))
            columns.append(DataTable.Column(name: "visit", cells: people.map { String($0.visit) }))
            columns.append(DataTable.Column(name: "months", cells: people.map { String($0.months) }))
        }
        columns.append(DataTable.Column(name: "age", cells: people.map { String($0.age) }))
        columns.append(DataTable.Column(name: "sex", cells: people.map { $0.female ? "female" : "male" }))
        columns.append(DataTable.Column(name: "bmi", cells: people.map { NumberStyle.roundTrip.format($0.bmi) }))
        columns.append(DataTable.Column(name: "antidepressant", cells: people.map { $0.antidepressant ? "yes" : "no" }))
        columns.append(DataTable.Column(name: "bristol_stool_type", cells: people.map { String($0.bristol) }))
        if simulation.hasDiet { columns.append(DataTable.Column(name: "diet", cells: people.map { String($0.diet ?? 0) })) }
        for (j, name) in itemNames.enumerated() {
            columns.append(DataTable.Column(name: name, cells: people.map { (p: CohortSimulation.Participant) -> String in p.items[j].map(String.init) ?? "NA" }))
        }
        let base = DataTable(source: "simulated metadata", idColumnName: longitudinal ? "sample_id" : "participant_id",
                             ids: people.map(\.id), columns: columns)
        let scoring = try ScaleScoring(scale: .phq9, items: itemNames, prefix: nil)
        let scored = try scoring.scored(base).table
        return [
            ("counts.csv", counts),
            ("metadata.csv", scored.textTable.csv()),
            ("truth.json", truthJSON(cohort)),
            ("README.md", readme(cohort)),
        ]
    }

    /// Every parameter and effect, and the true coefficients of the
    /// analysis model.
    func truthJSON(_ cohort: CohortSimulation.Cohort) -> String {
        func n(_ x: Double) -> String { NumberStyle.roundTrip.format(x) }
        let (m0, sd0) = simulation.expectedSeverityMoments
        let intercept = simulation.severityIntercept - simulation.diversityEffect * 3 - simulation.ageEffect * 45 - simulation.bmiEffect * 26
        let reads = cohort.participants.map { $0.counts.reduce(0, +) }
        var out = "{\n"
        out += "  \"simulated\": true,\n"
        out += "  \"generator\": \"moodbiome \(moodbiomeVersion) simulate\",\n"
        out += "  \"seed\": \(simulation.seed),\n"
        out += "  \"participants\": \(simulation.participants),\n"
        out += "  \"visits\": \(simulation.visits),\n"
        out += "  \"taxa\": \(simulation.taxa),\n"
        out += "  \"sequencing\": {\"depth\": \"log-uniform\", \"minimum_depth\": \(simulation.minimumDepth), \"maximum_depth\": \(simulation.maximumDepth), \"dirichlet_precision\": \(n(simulation.dirichletPrecision)), \"reads_min\": \(reads.min() ?? 0), \"reads_max\": \(reads.max() ?? 0)},\n"
        out += "  \"covariates\": {\"age\": \"uniform whole years 18-75\", \"sex\": \"female with probability 0.55\", \"bmi\": \"normal(26, 4.5) clipped to 16-50\", \"antidepressant\": \"yes with probability 0.18\", \"bristol_stool_type\": [" + CohortSimulation.bristolFrequencies.map(n).joined(separator: ", ") + "]},\n"
        out += "  \"community\": {\"named_genera\": {" + CohortSimulation.namedGenera.map { "\(jsonString($0.0)): \(n($0.1))" }.joined(separator: ", ") + "}, "
        out += "\"unnamed_genera_base\": \"lognormal(0, 2), scaled to the remaining mass\", \"presence_logit\": {\"intercept\": \(n(CohortSimulation.presenceIntercept)), \"diversity_propensity\": \(n(CohortSimulation.presenceDiversity)), \"per_bristol_unit_below_4\": \(n(CohortSimulation.presenceStool))}, "
        out += "\"evenness_exponent\": \"exp(-\(n(CohortSimulation.evennessDiversity)) z)\", \"prevotella_prevalence\": \(n(CohortSimulation.prevotellaPrevalence)), \"person_log_abundance_sd\": 1},\n"
        out += "  \"taxa_effects\": {\n"
        out += "    \"per_sd_of_gut_linked_mood_factor\": {" + simulation.moodTaxa.map { "\(jsonString($0.genus)): \(n($0.logFoldChange))" }.joined(separator: ", ") + "},\n"
        out += "    \"antidepressant\": {" + simulation.antidepressantTaxa.map { "\(jsonString($0.genus)): \(n($0.logFoldChange))" }.joined(separator: ", ") + "},\n"
        out += "    \"expected_severity_mean\": \(n(m0)), \"expected_severity_sd\": \(n(sd0)),\n"
        out += "    \"scale\": \"natural-log fold change of the genus' weight before sequencing\"\n  },\n"
        out += "  \"severity\": {\"intercept_at_age45_female0_bmi26_no_antidepressant_shannon3\": \(n(simulation.severityIntercept)), \"age_per_year\": \(n(simulation.ageEffect)), \"female\": \(n(simulation.femaleEffect)), \"bmi_per_unit\": \(n(simulation.bmiEffect)), \"antidepressant\": \(n(simulation.antidepressantEffect)), \"shannon_per_nat\": \(n(simulation.diversityEffect)), \"residual_sd\": \(n(simulation.residualSD)), \"gut_linked_factor_per_sd\": \(n(simulation.moodFactorEffect)), \"units\": \"PHQ-9 points\"},\n"
        out += "  \"phq9\": {\"total\": \"severity rounded and clipped to 0-27, split into items by propensity\", \"item_propensity\": [" + CohortSimulation.itemPropensity.map(n).joined(separator: ", ") + "], \"missing_items\": {\"1\": 0.05, \"2\": 0.02, \"3\": 0.01}},\n"
        if simulation.visits > 1 {
            out += "  \"longitudinal\": {\"visits\": \(simulation.visits), \"months_between_visits\": \(CohortSimulation.visitIntervalMonths), \"within_person_diversity_propensity_sd\": \(n(CohortSimulation.withinPersonDiversitySD)), \"community_mood_factor_and_items\": \"drawn anew at each visit\"},\n"
            out += "  \"mixed_model\": {\n"
            out += "    \"formula\": \"phq9_total ~ shannon + months + age + sex + bmi + antidepressant + (1 + months | participant_id)\",\n"
            out += "    \"true_fixed_effects\": {\"Intercept\": \(n(intercept + simulation.femaleEffect)), \"shannon\": \(n(simulation.diversityEffect)), \"months\": \(n(simulation.monthsEffect)), \"age\": \(n(simulation.ageEffect)), \"sex[T.male]\": \(n(-simulation.femaleEffect)), \"bmi\": \(n(simulation.bmiEffect)), \"antidepressant[T.yes]\": \(n(simulation.antidepressantEffect))},\n"
            out += "    \"random_effects\": {\"participant_id\": {\"Intercept_sd\": \(n(simulation.randomInterceptSD)), \"months_sd\": \(n(simulation.randomSlopeSD)), \"correlation\": 0}, \"residual_sd\": \(n(simulation.residualSD))},\n"
            out += "    \"caveats\": \"as for the analysis model; the residual SD is that of the severity before rounding and clipping\"\n"
            out += "  },\n"
        }
        if simulation.hasDiet {
            let differences = cohort.participants.compactMap { $0.potentialShannon.map { $0.1 - $0.0 } }
            let acme = simulation.diversityEffect * differences.reduce(0, +) / Double(Swift.max(differences.count, 1))
            out += "  \"mediation\": {\n"
            out += "    \"exposure\": \"diet (1 = high-fibre, probability 0.5)\", \"mediator\": \"shannon\", \"outcome\": \"phq9_total (severity before rounding and clipping)\",\n"
            out += "    \"diet_diversity_shift_sd\": \(n(simulation.dietEffect)), \"diet_direct_effect\": \(n(simulation.dietDirectEffect)),\n"
            out += "    \"true_effects\": {\"acme\": \(n(acme)), \"ade\": \(n(simulation.dietDirectEffect)), \"total_effect\": \(n(acme + simulation.dietDirectEffect))},\n"
            out += "    \"definition\": \"the sample's average causal mediation effect: the Shannon effect per nat times the mean over participants of H(1) - H(0), each participant's Shannon entropy under both diets drawn from the same random numbers; the direct effect is the diet's own\",\n"
            out += "    \"caveat\": \"diet is a common cause of Shannon and PHQ-9 here: adjust for it (a covariate) when estimating the Shannon coefficient of the analysis model\"\n"
            out += "  },\n"
        }
        out += "  \"analysis_model\": {\n"
        out += "    \"formula\": \"phq9_total ~ shannon + age + sex + bmi + antidepressant\",\n"
        out += "    \"shannon\": \"natural log, on the unrarefied counts\",\n"
        out += "    \"true_coefficients\": {\"Intercept\": \(n(intercept + simulation.femaleEffect)), \"shannon\": \(n(simulation.diversityEffect)), \"age\": \(n(simulation.ageEffect)), \"sex[T.male]\": \(n(-simulation.femaleEffect)), \"bmi\": \(n(simulation.bmiEffect)), \"antidepressant[T.yes]\": \(n(simulation.antidepressantEffect))},\n"
        out += "    \"caveats\": \"rounding, clipping at 0 and 27 and proration of missing items distort these slightly; rarefying before the analysis changes the Shannon values the truth refers to\"\n"
        out += "  }\n}\n"
        return out
    }

    /// The README's paragraph on visits, empty for a cross-sectional cohort.
    var longitudinalReadme: String {
        guard simulation.visits > 1 else { return "" }
        func n(_ x: Double) -> String { NumberStyle.roundTrip.format(x) }
        return """

        **Longitudinal.** Each participant was sampled at \(simulation.visits) visits, every \(CohortSimulation.visitIntervalMonths) months
        (`counts.csv` has one row per visit, `P0001_V1` …; `metadata.csv` has `sample_id`,
        `participant_id`, `visit` and `months`). Severity has a random intercept (SD \(n(simulation.randomInterceptSD)))
        and a random slope in months (SD \(n(simulation.randomSlopeSD)) per month, independent), around a fixed
        change of \(n(simulation.monthsEffect)) points per month; see `mixed_model` in `truth.json`, and fit it with

            moodbiome analyze --counts counts.csv --metadata metadata.csv --outcome phq9_total \\
                --covariates months,age,sex,bmi,antidepressant --random "(1 + months | participant_id)" \\
                --metrics shannon --out-dir results/

        """
    }

    func readme(_ cohort: CohortSimulation.Cohort) -> String {
        """
        # Simulated gut–mood cohort (not real data)

        **These data are simulated.** They were generated by `moodbiome simulate`
        (Moodbiome \(moodbiomeVersion)) with seed \(simulation.seed): \(simulation.participants) participants,
        \(simulation.taxa) genera. No person and no sample exists behind them. Use them to learn the
        tools and to see the pipeline recover a known truth, never as evidence about
        the gut microbiome and depression.

        Regenerate byte for byte:

            moodbiome simulate --participants \(simulation.participants) --taxa \(simulation.taxa) --seed \(simulation.seed)\(simulation.visits > 1 ? " --visits \(simulation.visits)" : "") --out-dir <dir>
        \(longitudinalReadme)
        ## Files

        - `counts.csv` — genus read counts, one row per participant's stool sample
          (`sample_id`, then one column per genus). Depths \(simulation.minimumDepth)–\(simulation.maximumDepth) reads.
        - `metadata.csv` — `participant_id`, age, sex, BMI, antidepressant use, Bristol
          stool type, the nine PHQ-9 item responses `phq9_1` … `phq9_9` (NA = not
          answered), and the PHQ-9 score as `moodbiome score` computes it
          (`phq9_total`, `phq9_band`, `phq9_answered`, `phq9_prorated`).
        - `truth.json` — every parameter of the generative model and the true
          coefficients of `phq9_total ~ shannon + age + sex + bmi + antidepressant`.

        ## The model

        Covariates are drawn first. Each genus' presence and abundance depend on a
        person-level diversity propensity and, for richness, on stool consistency
        (harder stools, more genera; Falony et al. 2016). A gut-linked mood factor
        depletes *Coprococcus*, *Dialister* and *Faecalibacterium* and enriches
        *Eggerthella* and *Bacteroides* (Valles-Colomer et al. 2019; Radjabzadeh et
        al. 2022) and raises PHQ-9, so these genera go with PHQ-9 after adjusting for
        the covariates (`moodbiome associate` finds them); antidepressant use shifts
        *Eggerthella* and *Ruminococcus* and raises PHQ-9, so it confounds diversity
        and mood. Reads are drawn from a Dirichlet-multinomial. Severity is then
        \(NumberStyle.roundTrip.format(simulation.severityIntercept)) + covariate effects + \(NumberStyle.roundTrip.format(simulation.diversityEffect)) × (Shannon − 3) + \(NumberStyle.roundTrip.format(simulation.moodFactorEffect)) × the mood factor + noise (residual SD \(NumberStyle.roundTrip.format(simulation.residualSD)) in all),
        in PHQ-9 points: a small diversity effect, as meta-analyses find little or no
        alpha-diversity difference in depression. The PHQ-9 total is split into item
        responses; a few participants skip items.

        ## Try it

            moodbiome analyze --counts counts.csv --metadata metadata.csv --outcome phq9_total \\
                --covariates age,sex,bmi,antidepressant,bristol_stool_type \\
                --metrics shannon,simpson,observed_features --out-dir results/

        and compare the `shannon` row of `results/models.csv` with `truth.json`; and

            moodbiome associate --counts counts.csv --metadata metadata.csv \\
                --formula "~ phq9_total + age + sex + bmi + antidepressant" --out-dir taxa/

        for the genera planted under `taxa_effects` in `truth.json`.

        """
    }
}

