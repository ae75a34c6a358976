import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport

/// One MaAsLin2 run of the fixture and how Moodbiome is asked the same.
struct AssociationCase: Sendable, CustomTestStringConvertible {
    let name: String
    let counts: String
    let metadata: String
    let orientation: SampleOrientation
    let formula: String?
    let outcome: String?
    let covariates: [String]
    let configure: @Sendable (inout TaxonAssociation.Options) -> Void
    var testDescription: String { name }

    static let study = datasetPath("simulated-gut-mood/counts.csv"), studyMeta = datasetPath("simulated-gut-mood/metadata.csv")
    static let all: [AssociationCase] = [
        .init(name: "study_default", counts: study, metadata: studyMeta, orientation: .auto,
              formula: "~ phq9_total + age + sex + bmi + antidepressant", outcome: nil, covariates: [], configure: { _ in }),
        .init(name: "study_prevalence", counts: study, metadata: studyMeta, orientation: .auto,
              formula: "~ phq9_total + age + sex + bmi + antidepressant", outcome: nil, covariates: [],
              configure: { $0.filter.minimumPrevalence = 0.3; $0.filter.minimumAbundance = 5 }),
        .init(name: "study_ast", counts: study, metadata: studyMeta, orientation: .auto, formula: "~ phq9_total + antidepressant",
              outcome: nil, covariates: [], configure: { $0.transform = .ast }),
        .init(name: "study_logit", counts: study, metadata: studyMeta, orientation: .auto, formula: "~ phq9_total + antidepressant",
              outcome: nil, covariates: [], configure: { $0.transform = .logit }),
        .init(name: "study_none_nostd", counts: study, metadata: studyMeta, orientation: .auto, formula: "~ phq9_total + sex",
              outcome: nil, covariates: [], configure: { $0.normalization = .none; $0.transform = .none; $0.standardize = false }),
        .init(name: "study_clr", counts: study, metadata: studyMeta, orientation: .auto, formula: "~ phq9_total + antidepressant",
              outcome: nil, covariates: [], configure: { $0.normalization = .clr; $0.transform = .none }),
        .init(name: "twins_phenotype", counts: datasetPath("twins/Twins.csv"), metadata: datasetPath("twins/metadata.tsv"),
              orientation: .columns, formula: "~ phenotype", outcome: nil, covariates: [], configure: { _ in }),
        .init(name: "study_css", counts: study, metadata: studyMeta, orientation: .auto, formula: "~ phq9_total + antidepressant",
              outcome: nil, covariates: [], configure: { $0.normalization = .css }),
        .init(name: "study_tmm", counts: study, metadata: studyMeta, orientation: .auto, formula: "~ phq9_total + antidepressant",
              outcome: nil, covariates: [], configure: { $0.normalization = .tmm }),
        .init(name: "twins_css", counts: datasetPath("twins/Twins.csv"), metadata: datasetPath("twins/metadata.tsv"),
              orientation: .columns, formula: "~ phenotype", outcome: nil, covariates: [], configure: { $0.normalization = .css }),
        .init(name: "twins_tmm", counts: datasetPath("twins/Twins.csv"), metadata: datasetPath("twins/metadata.tsv"),
              orientation: .columns, formula: "~ phenotype", outcome: nil, covariates: [], configure: { $0.normalization = .tmm }),
        .init(name: "study_outcome", counts: study, metadata: studyMeta, orientation: .auto, formula: nil,
              outcome: "phq9_total", covariates: ["age", "sex", "bmi", "antidepressant"], configure: { _ in }),
    ]

    func run() throws -> TaxonAssociation {
        let table = try CountTable.read(counts, options: .init(orientation: orientation))
        let meta = try DataTable.read(metadata)
        let join = try SampleJoin(metadata: meta, sampleIDs: table.sampleIDs, samplesFile: counts)
        let t = table.selectingSamples(join.sampleIndices), m = meta.selectingRows(join.metadataRows)
        var options = TaxonAssociation.Options()
        configure(&options)
        if let formula { return try TaxonAssociation(table: t, metadata: m, formula: Formula(rightHandSide: formula), options: options) }
        return try TaxonAssociation(table: t, metadata: m, outcome: outcome!, covariates: covariates, family: .gaussian, options: options)
    }
}

@Suite("Per-feature association against MaAsLin2's own code")
struct AssociationTests {
    static let reference = csvRows("association/association-maaslin2.csv")

    @Test(arguments: AssociationCase.all)
    func matchesMaAsLin2(_ c: AssociationCase) throws {
        let result = try c.run()
        let expected = Self.reference.filter { $0["case"] == c.name }
        #expect(result.rows.count == expected.count)
        var ours = [String: TaxonAssociation.Row]()
        for r in result.rows { ours[r.feature + "|" + r.term] = r }
        for row in expected {
            guard let r = ours[row["feature"]! + "|" + row["term"]!] else {
                Issue.record("\(c.name): no row \(row["feature"]!) \(row["term"]!)")
                continue
            }
            #expect(isClose(r.estimate, Double(row["estimate"]!)!, relative: 1e-10), "\(r.feature) \(r.term) estimate")
            #expect(isClose(r.standardError, Double(row["std_error"]!)!, relative: 1e-10), "\(r.feature) \(r.term) SE")
            #expect(isClose(r.pValue, Double(row["p_value"]!)!, relative: 1e-9), "\(r.feature) \(r.term) p")
            #expect(isClose(r.qValue, Double(row["q_value"]!)!, relative: 1e-9), "\(r.feature) \(r.term) q")
            #expect(r.n == Int(row["n"]!)! && r.nonZero == Int(row["n_nonzero"]!)!)
        }
        // Same order as MaAsLin2 (by q; ties keep feature order).
        #expect(result.rows.prefix(20).map { $0.feature + "|" + $0.term } == expected.prefix(20).map { $0["feature"]! + "|" + $0["term"]! })
    }

    /// MaAsLin2's NEGBIN (MASS::glm.nb per feature) with no, CSS and TMM
    /// normalisation (Fixtures/association/generate_negbin.R). Against
    /// MASS (glm.nb, then its glm.fit and theta.ml alternated to tight
    /// tolerances): estimates within 1e-7 of their SE, SEs and p-values 1e-6
    /// relative. Where glm.nb does not settle (strong overdispersion, 30–36
    /// of 328 rows; MaAsLin2 reports glm.nb's unsettled values there),
    /// against the joint maximum by optim's L-BFGS-B at 1e-4, its precision;
    /// rows where that also fails (16–20) have no reference.
    @Test(arguments: [FeatureNormalization.none, .css, .tmm])
    func negativeBinomialMatchesMASS(_ normalization: FeatureNormalization) throws {
        let c = AssociationCase(name: "negbin", counts: AssociationCase.study, metadata: AssociationCase.studyMeta, orientation: .auto,
                                formula: "~ phq9_total + antidepressant", outcome: nil, covariates: [], configure: {
                                    $0.model = .negbin; $0.normalization = normalization; $0.transform = .none
                                    $0.references = ["antidepressant": "no"]
                                })
        let result = try c.run()
        let expected = csvRows("association/negbin-reference.csv").filter { $0["case"] == "negbin_" + normalization.rawValue }
        #expect(result.failedFeatures.isEmpty)
        #expect(result.rows.count == expected.count && expected.count == 328)
        var ours = [String: TaxonAssociation.Row]()
        for r in result.rows { ours[r.feature + "|" + r.term] = r }
        for row in expected {
            let r = try #require(ours[row["feature"]! + "|" + row["term"]!])
            guard row["method"] != "none" else { continue }
            let tight = row["method"] == "glm.nb"
            let se = Double(row["std_error"]!)!
            #expect(abs(r.estimate - Double(row["estimate"]!)!) <= (tight ? 1e-7 : 1e-4) * se, "\(r.feature) \(r.term) estimate")
            #expect(isClose(r.standardError, se, relative: tight ? 1e-6 : 1e-4), "\(r.feature) \(r.term) SE")
            #expect(isClose(r.pValue, Double(row["p_value"]!)!, relative: tight ? 1e-6 : 1e-3), "\(r.feature) \(r.term) p")
        }
    }

    /// NEGBIN's combinations, refused as MaAsLin2 refuses them, word for word.
    @Test func negativeBinomialNeedsCountsAndNoTransform() throws {
        var options = TaxonAssociation.Options()
        options.model = .negbin
        #expect { try options.validate() } throws: {
            message($0) == "--model: negbin models counts, but the features would be log-transformed. Use --normalization css, tmm or none with --transform none, as MaAsLin2 requires for NEGBIN"
        }
        options.transform = .none
        #expect { try options.validate() } throws: {
            message($0) == "--model: negbin models counts, but the features would be tss-normalised (proportions). Use --normalization css, tmm or none with --transform none, as MaAsLin2 requires for NEGBIN"
        }
        options.normalization = .css
        try options.validate()
        let c = AssociationCase(name: "negbin-outcome", counts: AssociationCase.study, metadata: AssociationCase.studyMeta, orientation: .auto,
                                formula: nil, outcome: "phq9_total", covariates: ["age"], configure: { [options] in $0 = options })
        #expect { try c.run() } throws: {
            message($0) == "--model: negbin models each feature; in outcome mode the feature is a predictor. Use --formula for MaAsLin2's path, or --model lm"
        }
    }

    /// MaAsLin2 with `random_effects` (lmerTest::lmer per feature) on the
    /// longitudinal example: 165 features × 2 terms. MaAsLin2 runs lme4 with
    /// its default optimiser tolerances (1e-8 on θ), which move an estimate
    /// by up to ~1e-8 in absolute terms: estimates are compared within 1e-5
    /// of their standard error, SEs at 1e-5 and p- and q-values at 1e-4,
    /// relative.
    @Test func randomEffectsMatchMaAsLin2() throws {
        let counts = datasetPath("simulated-longitudinal/counts.csv")
        let table = try CountTable.read(counts)
        let meta = try DataTable.read(datasetPath("simulated-longitudinal/metadata.csv"))
        let join = try SampleJoin(metadata: meta, sampleIDs: table.sampleIDs, samplesFile: counts)
        let result = try TaxonAssociation(table: table.selectingSamples(join.sampleIndices), metadata: meta.selectingRows(join.metadataRows),
                                          formula: Formula(rightHandSide: "~ phq9_total + months"), options: .init(),
                                          random: Formula.randomTerms("(1 | participant_id)"))
        let expected = csvRows("association/association-random-maaslin2.csv")
        #expect(result.rows.count == expected.count && expected.count == 330)
        #expect(result.failedFeatures.isEmpty)
        var ours = [String: TaxonAssociation.Row]()
        for r in result.rows { ours[r.feature + "|" + r.term] = r }
        for row in expected {
            let r = try #require(ours[row["feature"]! + "|" + row["term"]!])
            #expect(abs(r.estimate - Double(row["estimate"]!)!) <= 1e-5 * r.standardError, "\(r.feature) \(r.term) estimate")
            #expect(isClose(r.standardError, Double(row["std_error"]!)!, relative: 1e-5), "\(r.feature) \(r.term) SE")
            #expect(isClose(r.pValue, Double(row["p_value"]!)!, relative: 1e-4), "\(r.feature) \(r.term) p")
            #expect(isClose(r.qValue, Double(row["q_value"]!)!, relative: 1e-4), "\(r.feature) \(r.term) q")
            #expect(r.n == Int(row["n"]!)! && r.nonZero == Int(row["n_nonzero"]!)!)
        }
        #expect(result.rows.prefix(20).map { $0.feature + "|" + $0.term } == expected.prefix(20).map { $0["feature"]! + "|" + $0["term"]! })
        #expect(result.model == "~ phq9_total + months + (1 | participant_id)")
    }

    /// The genera the example study plants (truth.json, taxa_effects) are
    /// found for PHQ-9 at q < 0.05, adjusted for the covariates.
    @Test func findsThePlantedGenera() throws {
        let result = try AssociationCase.all[0].run()
        let hits = Set(result.rows.filter { $0.term == "phq9_total" && $0.qValue < 0.05 }.map(\.feature))
        for genus in ["Coprococcus", "Dialister", "Faecalibacterium", "Eggerthella"] { #expect(hits.contains(genus), "\(genus)") }
        let directions = Dictionary(uniqueKeysWithValues: result.rows.filter { $0.term == "phq9_total" }.map { ($0.feature, $0.estimate) })
        #expect(directions["Coprococcus"]! < 0 && directions["Dialister"]! < 0 && directions["Faecalibacterium"]! < 0 && directions["Eggerthella"]! > 0)
    }

    @Test func batchFitEqualsOneModelAtATime() throws {
        // BatchLinearFit against LinearRegression (itself checked against statsmodels) on random responses.
        var rng = Xoshiro256StarStar(seed: 4)
        let data = DataTable(source: "m", idColumnName: "id", ids: (0..<40).map { "s\($0)" }, columns: [
            DataTable.Column(name: "x", numbers: (0..<40).map { _ in rng.nextNormal() }),
            DataTable.Column(name: "g", cells: (0..<40).map { ["a", "b", "c"][$0 % 3] }),
        ])
        let design = try DesignMatrix(formula: Formula(rightHandSide: "~ x * g"), data: data)
        var y = Matrix(rows: 40, columns: 3)
        for k in y.storage.indices { y.storage[k] = rng.nextNormal() }
        let fit = try BatchLinearFit(x: design.x, y: y)
        for c in 0..<3 {
            let one = try DesignMatrix(formula: Formula("y ~ x * g"),
                                       data: data.appendingColumns([DataTable.Column(name: "y", numbers: Array(y.column(c)))]))
            let model = try LinearRegression(design: one)
            for (j, coefficient) in model.coefficients.enumerated() {
                #expect(isClose(fit.estimates[j, c], coefficient.estimate!, relative: 1e-12, absolute: 1e-14))
                #expect(isClose(fit.standardErrors[j, c], coefficient.standardError!, relative: 1e-12))
                #expect(isClose(fit.pValues[j, c], coefficient.pValue!, relative: 1e-10))
            }
        }
    }

    @Test func badCombinationsAndEmptyFiltersAreRefused() throws {
        var options = TaxonAssociation.Options()
        options.normalization = .clr
        #expect { try options.validate() } throws: { message($0).hasPrefix("--transform: log cannot follow CLR normalisation") }
        let c = AssociationCase.all[0]
        let table = try CountTable.read(c.counts)
        let meta = try DataTable.read(c.metadata)
        var strict = TaxonAssociation.Options()
        strict.filter.minimumPrevalence = 1
        #expect {
            try TaxonAssociation(table: table, metadata: meta, formula: Formula(rightHandSide: "~ phq9_total"), options: strict)
        } throws: { message($0) == "every one of the 200 features was filtered out. Lower --min-prevalence (now: present in more than that share of samples) or --min-abundance" }
        // A variable constant among the samples used.
        let constant = meta.appendingColumns([DataTable.Column(name: "site", numbers: Array(repeating: 1, count: meta.rowCount))])
        #expect {
            try TaxonAssociation(table: table, metadata: constant, formula: Formula(rightHandSide: "~ phq9_total + site"), options: .init())
        } throws: { message($0).hasSuffix("metadata.csv: constant predictor: site is 1.0 in all 296 rows used (column 'site'). Drop it from the model: a constant cannot be separated from the intercept") }
    }
}
