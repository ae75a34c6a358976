import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics

/// One LinDA run of the fixture (linda/generate_linda_r.R) and how
/// Moodbiome is asked the same.
struct LinDACase: Sendable, CustomTestStringConvertible {
    let name: String
    let counts: String
    let metadata: String
    let orientation: SampleOrientation
    let formula: String
    let random: String?
    let configure: @Sendable (inout LinDA.Options) -> Void
    /// Each count over its sample's total first (LinDA's proportion input).
    var proportions = false
    var testDescription: String { name }

    static let gut = datasetPath("simulated-gut-mood/counts.csv"), gutMeta = datasetPath("simulated-gut-mood/metadata.csv")
    static let twins = datasetPath("twins/Twins.csv"), twinsMeta = datasetPath("twins/metadata.tsv")
    static let gutFormula = "~ phq9_total + age + sex + antidepressant"
    static let all: [LinDACase] = [
        .init(name: "gutmood", counts: gut, metadata: gutMeta, orientation: .auto, formula: gutFormula, random: nil, configure: { _ in }),
        .init(name: "gutmood_filtered", counts: gut, metadata: gutMeta, orientation: .auto, formula: gutFormula, random: nil,
              configure: { $0.minimumPrevalence = 0.1; $0.minimumDepth = 20000; $0.winsorQuantile = 0.97 }),
        .init(name: "gutmood_imputation", counts: gut, metadata: gutMeta, orientation: .auto, formula: gutFormula, random: nil,
              configure: { $0.zeros = .imputation }),
        .init(name: "gutmood_pseudo", counts: gut, metadata: gutMeta, orientation: .auto, formula: "~ bmi + bristol_stool_type", random: nil,
              configure: { $0.zeros = .pseudocount; $0.pseudoCount = 1 }),
        .init(name: "gutmood_proportion", counts: gut, metadata: gutMeta, orientation: .auto, formula: gutFormula, random: nil,
              configure: { $0.zeros = .halfMinimum }, proportions: true),
        .init(name: "globalpatterns", counts: datasetPath("globalpatterns/feature-table.tsv"), metadata: datasetPath("globalpatterns/metadata.tsv"),
              orientation: .auto, formula: "~ SampleType", random: nil, configure: { $0.minimumPrevalence = 0.6 }),
        .init(name: "twins", counts: twins, metadata: twinsMeta, orientation: .columns, formula: "~ phenotype", random: nil,
              configure: { $0.minimumPrevalence = 0.1 }),
        .init(name: "twins_mixed", counts: twins, metadata: twinsMeta, orientation: .columns, formula: "~ phenotype", random: "(1 | subject)",
              configure: { $0.minimumPrevalence = 0.1 }),
        .init(name: "longitudinal_mixed", counts: datasetPath("simulated-longitudinal/counts.csv"),
              metadata: datasetPath("simulated-longitudinal/metadata.csv"), orientation: .auto, formula: "~ phq9_total + months",
              random: "(1 | participant_id)", configure: { $0.minimumPrevalence = 0.1 }),
    ]
    /// The mixed cases against LinDA with lme4 run to convergence.
    static let tight: [LinDACase] = all.filter { $0.random != nil }.map {
        LinDACase(name: $0.name + "_tight", counts: $0.counts, metadata: $0.metadata, orientation: $0.orientation, formula: $0.formula,
                  random: $0.random, configure: $0.configure, proportions: $0.proportions)
    }

    func run() throws -> TaxonAssociation {
        var table = try CountTable.read(counts, options: .init(orientation: orientation))
        if proportions {
            var dense = table.denseMatrix()
            let totals = table.sampleTotals
            for j in 0..<dense.columns { for t in 0..<dense.rows { dense[t, j] /= totals[j] } }
            table = try CountTable(sampleIDs: table.sampleIDs, taxonIDs: table.taxonIDs, counts: dense, source: counts)
        }
        let meta = try DataTable.read(metadata)
        let join = try SampleJoin(metadata: meta, sampleIDs: table.sampleIDs, samplesFile: counts)
        var options = LinDA.Options()
        configure(&options)
        return try TaxonAssociation(linda: table.selectingSamples(join.sampleIndices), metadata: meta.selectingRows(join.metadataRows),
                                    formula: Formula(rightHandSide: formula), options: options,
                                    random: try random.map(Formula.randomTerms) ?? [])
    }
}

@Suite("LinDA against the R package LinDA 0.2.0")
struct LinDATests {
    /// Zeros replaced and log₂ taken in one pass (with imputed logs kept per
    /// deepest sample) is replacing, then log2, bit for bit, for every
    /// treatment.
    @Test(arguments: [LinDA.ZeroTreatment.imputation, .pseudocount, .halfMinimum, .none])
    func zerosAndLog2InOnePassAreReplacingThenLog2(treatment: LinDA.ZeroTreatment) {
        var generator = Xoshiro256StarStar(seed: 5)
        let n = 41, m = 90
        var y = Matrix(rows: n, columns: m)
        for c in 0..<m { for i in 0..<n { y[i, c] = Double.random(in: 0...1, using: &generator) < 0.6 ? 0 : Double(Int.random(in: 1...9000, using: &generator)) } }
        for i in 0..<n { y[i, i % m] = 1 }   // no empty sample
        let depth = LinDA.depths(y)
        var expected = y
        for c in 0..<m {
            let zeros = (0..<n).filter { y[$0, c] == 0 }
            let deepest = zeros.map { depth[$0] }.max() ?? 0
            let smallest = (0..<n).filter { y[$0, c] != 0 }.map { y[$0, c] }.min() ?? .infinity
            for i in 0..<n {
                var v = y[i, c]
                switch treatment {
                case .imputation: if v == 0 { v = depth[i] / deepest }
                case .pseudocount: v += 0.5
                case .halfMinimum: if v == 0 { v = 0.5 * smallest }
                case .none: break
                }
                expected[i, c] = log2(v)
            }
        }
        LinDA.replaceZerosAndLog2(&y, treatment: treatment, pseudoCount: 0.5, depth: depth)
        let differing = zip(y.storage, expected.storage).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(differing) of \(n * m) values differ")
    }

    /// The centred log₂ values made straight from the non-zeros (zeros'
    /// values found before any dense block, each block of samples centred
    /// while in cache) are the dense path's — replacing, log₂, centring —
    /// bit for bit, for every treatment: a subset of the features, blocks
    /// of sixteen samples and a partial one, features in every sample or
    /// missing from one, imputed zeros sharing their deepest sample.
    @Test(arguments: [LinDA.ZeroTreatment.imputation, .pseudocount, .halfMinimum, .none])
    func centredLog2FromTheNonZerosIsTheDensePath(treatment: LinDA.ZeroTreatment) throws {
        var generator = Xoshiro256StarStar(seed: 11)
        let n = 41, taxa = 90
        var counts = Matrix(rows: taxa, columns: n)
        for t in 0..<taxa {
            let share = t < 10 ? 1.0 : t < 20 ? 0.97 : 0.5
            for j in 0..<n where treatment == .none || Double.random(in: 0...1, using: &generator) < share {
                counts[t, j] = Double(Int.random(in: 1...9000, using: &generator))
            }
        }
        if treatment != .none { counts[12, 7] = 0; counts[13, 7] = 0 }     // absent from one sample only
        let table = try CountTable(sampleIDs: (0..<n).map { "S\($0)" }, taxonIDs: (0..<taxa).map { "T\($0)" }, counts: counts)
        let features = (0..<taxa).filter { $0 % 7 != 3 }
        var y = table.denseBlock(features: features, absent: [Double](repeating: 0, count: features.count)) { v, _, _ in v }
        let depth = LinDA.depths(y)
        LinDA.replaceZerosAndLog2(&y, treatment: treatment, pseudoCount: 0.5, depth: depth)
        LinDA.centre(&y)
        let holders = features.map { table.samplesPerTaxon[$0] }
        let fused = LinDA.centredLog2(table, features: features, holders: holders, treatment: treatment, pseudoCount: 0.5, depth: depth)
        let differing = zip(fused.storage, y.storage).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(fused.rows == n && fused.columns == features.count)
        #expect(differing == 0, "\(differing) of \(y.storage.count) values differ")
    }

    /// The fit from blocks of samples made twice (never the whole matrix)
    /// is the fit of the whole matrix: the centred log₂ rows are the dense
    /// block's rows bit for bit, each sample's mean too, and the
    /// coefficients, standard errors and residual df agree to rounding.
    @Test(arguments: [LinDA.ZeroTreatment.imputation, .pseudocount, .halfMinimum])
    func fitFromBlocksOfSamplesIsTheFitOfTheWholeMatrix(treatment: LinDA.ZeroTreatment) throws {
        var generator = Xoshiro256StarStar(seed: 17)
        let n = 203, taxa = 60
        var counts = Matrix(rows: taxa, columns: n)
        for t in 0..<taxa { for j in 0..<n where t < 5 || Double.random(in: 0...1, using: &generator) < 0.7 {
            counts[t, j] = Double(Int.random(in: 1...5000, using: &generator))
        } }
        let table = try CountTable(sampleIDs: (0..<n).map { "S\($0)" }, taxonIDs: (0..<taxa).map { "T\($0)" }, counts: counts)
        let features = Array(1..<taxa)
        var x = Matrix(rows: n, columns: 3)
        for j in 0..<n { x[j, 0] = 1; x[j, 1] = Double.random(in: -2...2, using: &generator); x[j, 2] = Double(j % 2) }
        let dense0 = table.denseBlock(features: features, absent: [Double](repeating: 0, count: features.count)) { v, _, _ in v }
        let depth = LinDA.depths(dense0)
        let holders = features.map { table.samplesPerTaxon[$0] }
        let dense = LinDA.centredLog2(table, features: features, holders: holders, treatment: treatment, pseudoCount: 0.5, depth: depth)
        let zeros = ZeroLogs(table, features: features, holders: holders, treatment: treatment, pseudoCount: 0.5, depth: depth)
        let shift = treatment == .pseudocount ? 0.5 : 0, target = table.positions(of: features), m = features.count
        var row = [Double](repeating: 0, count: m), differing = 0
        for j in 0..<n {
            _ = row.withUnsafeMutableBufferPointer { LinDA.centredLog2Row($0.baseAddress!, sample: j, table: table, target: target, zeros: zeros, shift: shift, columns: m) }
            differing += (0..<m).filter { row[$0].bitPattern != dense[j, $0].bitPattern }.count
        }
        #expect(differing == 0, "\(differing) of \(n * m) values differ")
        let whole = try BatchLinearFit(x: x, y: dense, tests: true)
        let blocks = try BatchLinearFit(x: x, responses: m, tests: true) { block, range in
            for j in range { _ = LinDA.centredLog2Row(block + (j - range.lowerBound) * m, sample: j, table: table, target: target, zeros: zeros, shift: shift, columns: m) }
        }
        #expect(blocks.residualDF == whole.residualDF && blocks.rank == whole.rank)
        for (a, b) in [(blocks.estimates, whole.estimates), (blocks.standardErrors, whole.standardErrors), (blocks.pValues, whole.pValues)] {
            let worst = zip(a.storage, b.storage).map { abs($0 - $1) / Swift.max(abs($1), 1e-300) }.max() ?? 0
            #expect(worst < 1e-10, "worst relative difference \(worst)")
        }
    }

    /// The centred log₂ with its table of whole and half counts is `log2`
    /// then centring, bit for bit: counts plus 0.5, whole counts, imputed
    /// fractions, values past the table; and the depths are each sample's
    /// sum in feature order.
    @Test func centredLog2IsLog2ThenCentring() {
        var generator = Xoshiro256StarStar(seed: 3)
        let n = 37, m = 23
        var y = Matrix(rows: n, columns: m)
        for c in 0..<m {
            for i in 0..<n {
                let count = Double(Int.random(in: 0...5000, using: &generator))
                switch (i + c) % 4 {
                case 0: y[i, c] = count + 0.5
                case 1: y[i, c] = count + 1
                case 2: y[i, c] = Double.random(in: 0.001...1, using: &generator)
                default: y[i, c] = count * 3 + 0.5
                }
            }
        }
        var sums = [Double](repeating: 0, count: n)
        for c in 0..<m { for i in 0..<n { sums[i] += y[i, c] } }
        #expect(LinDA.depths(y) == sums)
        var expected = y
        for c in 0..<m { for i in 0..<n { expected[i, c] = log2(y[i, c]) } }
        var means = [Double](repeating: 0, count: n)
        for c in 0..<m { for i in 0..<n { means[i] += expected[i, c] } }
        for c in 0..<m { for i in 0..<n { expected[i, c] -= means[i] / Double(m) } }
        LinDA.log2Values(&y)
        LinDA.centre(&y)
        let differing = zip(y.storage, expected.storage).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(differing == 0, "\(differing) of \(n * m) values differ")
    }

    static let results = csvRows("linda/linda-results.csv")
    static let details = csvRows("linda/linda-details.csv")

    /// Fixed effects: the fits are OLS (R's QR against ours, ~1e-14), so
    /// what could limit the agreement is modeest's mean shift, which stops
    /// when successive iterates differ by less than √ε relative; it lands on
    /// the same iterate: fold changes agree to ~1e-14 of their SE.
    /// Mixed models against LinDA with lme4 run to convergence (`_tight`):
    /// the REML optima agree, to 1e-6 — but Satterthwaite's df, which both
    /// take from a numerical Hessian of the deviance in (θ, σ) (numDeriv's
    /// Richardson extrapolation in lmerTest), agree to ~2e-6 where θ is well
    /// inside its range; in 2 of the 330 longitudinal rows θ is near 0 and
    /// the df differ by up to 4e-4, so df are held to 1e-3. Compared: estimates within
    /// `tolerance` of their SE; SE, statistic, df, p, q and baseMean
    /// relative to `tolerance` (p, q, baseMean 10×); the bias of each
    /// column within `tolerance` of the coefficients' spread.
    @Test(arguments: LinDACase.all.filter { $0.random == nil } + LinDACase.tight)
    func matchesLinDA(_ c: LinDACase) throws {
        try compare(c, tolerance: c.random == nil ? 1e-9 : 1e-6, dfTolerance: c.random == nil ? nil : 1e-3)
    }

    /// Mixed models against LinDA as users run it: lme4's default optimiser
    /// stops ~1e-6 short of the REML optimum in θ (the `_tight` cases show
    /// where it lies), which moves estimates by up to ~2e-5 of their SE and
    /// Satterthwaite's df — flat in θ near a boundary — by up to 2%: checked
    /// at those tolerances, the p-values within 1e-3 relative.
    @Test(arguments: LinDACase.all.filter { $0.random != nil })
    func matchesLinDAWithLme4Defaults(_ c: LinDACase) throws {
        try compare(c, tolerance: 1e-4, dfTolerance: 0.02, pTolerance: 1e-3)
    }

    func compare(_ c: LinDACase, tolerance: Double, dfTolerance: Double? = nil, pTolerance: Double? = nil) throws {
        let result = try c.run()
        let pTolerance = pTolerance ?? 10 * tolerance
        let expected = Self.results.filter { $0["case"] == c.name }
        let facts = Dictionary(uniqueKeysWithValues: Self.details.filter { $0["case"] == c.name }.map { ($0["item"]!, $0["value"]!) })
        #expect(result.rows.count == expected.count)
        #expect(String(result.samples.count) == facts["n"] && String(result.features.count) == facts["features"])
        guard case .linda(let d) = result.method else { Issue.record("not a LinDA result"); return }
        #expect(d.zeroTreatment.rawValue == facts["zeros"])
        let spread = standardDeviation(result.rows.map(\.estimate))
        for (column, bias) in d.bias {
            let reference = try #require(Double(facts["bias:" + column] ?? ""), "bias of \(column)")
            #expect(abs(bias - reference) <= tolerance * Swift.max(spread, abs(reference)), "bias \(column): \(bias) vs \(reference)")
        }
        var ours = [String: TaxonAssociation.Row]()
        for r in result.rows { ours[r.feature + "|" + r.term] = r }
        var worst = 0.0
        for row in expected {
            guard let r = ours[row["feature"]! + "|" + row["term"]!] else {
                Issue.record("\(c.name): no row \(row["feature"]!) \(row["term"]!)")
                continue
            }
            let value = { (key: String) in Double(row[key]!)! }
            let e = abs(r.estimate - value("estimate")) / r.standardError
            worst = Swift.max(worst, e)
            #expect(e <= tolerance, "\(r.feature) \(r.term) estimate \(r.estimate) vs \(value("estimate"))")
            #expect(isClose(r.standardError, value("std_error"), relative: tolerance), "\(r.feature) \(r.term) SE")
            #expect(abs(r.statistic - value("statistic")) <= tolerance * Swift.max(1, abs(value("statistic"))), "\(r.feature) \(r.term) t")
            #expect(isClose(r.degreesOfFreedom ?? .nan, value("df"), relative: dfTolerance ?? tolerance), "\(r.feature) \(r.term) df")
            #expect(isClose(r.pValue, value("p_value"), relative: pTolerance), "\(r.feature) \(r.term) p \(r.pValue) vs \(value("p_value"))")
            #expect(isClose(r.qValue, value("q_value"), relative: pTolerance), "\(r.feature) \(r.term) q")
            #expect(isClose(r.baseMean ?? .nan, value("base_mean"), relative: pTolerance), "\(r.feature) \(r.term) baseMean")
        }
        print("LinDA \(c.name): \(expected.count) rows, worst |Δ estimate|/SE \(worst)")
    }

    /// modeest 2.4's shorth and mean shift and R's `bw.nrd0` on values R
    /// was given (R 4.2.2: `shorth(x)`, `bw.nrd0(x)`, `mlv(x, method =
    /// "meanshift", kernel = "gaussian")`), ties among the shortest halves
    /// included (their starts 1, 3, 5 average to 3).
    @Test func modeEstimatesMatchModeest() {
        let x: [Double] = [0.1, 0.3, 0.35, 0.4, 0.42, 0.5, 1.2, 2.5, -0.7, 0.38]
        #expect(isClose(ModeEstimation.shorth(x), 0.37, relative: 1e-15))
        #expect(isClose(ModeEstimation.bandwidthNRD0(x), 0.070982701254021729, relative: 1e-14))
        #expect(isClose(ModeEstimation.meanShiftMode(x), 0.38463553660225752, relative: 1e-12))
        let tied: [Double] = [1, 1, 2, 2, 3, 3, 4, 4]
        #expect(ModeEstimation.shorth(tied) == 2.5)
        #expect(ModeEstimation.meanShiftMode(tied) == 2.5)
    }
}
