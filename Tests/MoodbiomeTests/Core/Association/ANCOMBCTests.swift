import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics

/// One scikit-bio ANCOM-BC run of the fixture (ancombc/generate_ancombc_skbio.py).
struct ANCOMBCCase: Sendable, CustomTestStringConvertible {
    let name: String
    let counts: String
    let metadata: String
    let orientation: SampleOrientation
    let formula: String
    let configure: @Sendable (inout ANCOMBC.Options) -> Void
    var testDescription: String { name }

    static let gut = datasetPath("simulated-gut-mood/counts.csv"), gutMeta = datasetPath("simulated-gut-mood/metadata.csv")
    static let all: [ANCOMBCCase] = [
        .init(name: "gutmood", counts: gut, metadata: gutMeta, orientation: .auto, formula: "~ phq9_total + age + sex + antidepressant",
              configure: { _ in }),
        .init(name: "gutmood_numeric", counts: gut, metadata: gutMeta, orientation: .auto, formula: "~ bmi + bristol_stool_type",
              configure: { $0.pseudoCount = 0.5 }),
        .init(name: "globalpatterns", counts: datasetPath("globalpatterns/feature-table.tsv"), metadata: datasetPath("globalpatterns/metadata.tsv"),
              orientation: .auto, formula: "~ SampleType", configure: { $0.minimumPrevalence = 0.6 }),
        .init(name: "twins", counts: datasetPath("twins/Twins.csv"), metadata: datasetPath("twins/metadata.tsv"), orientation: .columns,
              formula: "~ phenotype", configure: { $0.minimumPrevalence = 0.1 }),
    ]

    func run() throws -> TaxonAssociation {
        let table = try CountTable.read(counts, options: .init(orientation: orientation))
        let meta = try DataTable.read(metadata)
        let join = try SampleJoin(metadata: meta, sampleIDs: table.sampleIDs, samplesFile: counts)
        var options = ANCOMBC.Options()
        configure(&options)
        return try TaxonAssociation(ancombc: table.selectingSamples(join.sampleIndices), metadata: meta.selectingRows(join.metadataRows),
                                    formula: Formula(rightHandSide: formula), options: options)
    }
}

@Suite("ANCOM-BC against scikit-bio 0.7.4")
struct ANCOMBCTests {
    static let results = csvRows("ancombc/ancombc-results.csv")
    static let biases = csvRows("ancombc/ancombc-bias.csv")

    /// The least-squares fit and variances agree with NumPy's to rounding
    /// (SEs to 1e-9). The bias comes from an E–M whose M steps run SciPy's
    /// Nelder–Mead, taken step for step; but near its minimum the objective
    /// is flat, its values there differ in the last bits with the order of
    /// NumPy's sums and BLAS dot products, and which simplex point is "best"
    /// then differs: each κ is determined only to SciPy's stopping rule
    /// (xatol = fatol = 1e-8). What limits the agreement is that rule: the
    /// biases agree within 1e-6 of the coefficients' spread, the fold
    /// changes and W within 1e-6 of their SE (observed ≤ 1e-7, GlobalPatterns;
    /// 2e-13 on the example study, where the paths stay identical),
    /// p- and q-values to 1e-6·max(1, |W|) relative.
    @Test(arguments: ANCOMBCCase.all)
    func matchesScikitBio(_ c: ANCOMBCCase) throws {
        let tolerance = 1e-6
        let result = try c.run()
        let expected = Self.results.filter { $0["case"] == c.name }
        #expect(result.rows.count == expected.count)
        guard case .ancombc(let d) = result.method else { Issue.record("not an ANCOM-BC result"); return }
        let spread = standardDeviation(result.rows.map(\.estimate))
        for row in Self.biases where row["case"] == c.name {
            let ours = try #require(d.bias.first { $0.column == row["term"]! }, "bias of \(row["term"]!)")
            let reference = Double(row["bias"]!)!
            #expect(abs(ours.bias - reference) <= 1e-6 * Swift.max(spread, abs(reference)), "bias \(ours.column): \(ours.bias) vs \(reference)")
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
            #expect(isClose(r.standardError, value("std_error"), relative: 1e-9), "\(r.feature) \(r.term) SE")
            #expect(abs(r.statistic - value("statistic")) <= tolerance * Swift.max(1, abs(value("statistic"))), "\(r.feature) \(r.term) W")
            // A far-tail p moves by a factor e^(|W|·ΔW): relative to |W|.
            let pTolerance = 1e-6 * Swift.max(1, abs(value("statistic")))
            #expect(isClose(r.pValue, value("p_value"), relative: pTolerance, absolute: 1e-300), "\(r.feature) \(r.term) p \(r.pValue) vs \(value("p_value"))")
            #expect(isClose(r.qValue, value("q_value"), relative: pTolerance, absolute: 1e-300), "\(r.feature) \(r.term) q")
        }
        print("ANCOM-BC \(c.name): \(expected.count) rows, worst |Δ estimate|/SE \(worst)")
    }

    /// SciPy's bounded Nelder–Mead on one variable (values from SciPy 1.17.1:
    /// `minimize(f, x0, method="Nelder-Mead", bounds=[(0, None)],
    /// options={"xatol": 1e-8, "fatol": 1e-8}).x[0]`): the same point where
    /// the path never compares values equal to the last bits; within the
    /// tolerance where it does (the third, flat near 2, where SciPy's
    /// `log` and ours pick a different best point).
    @Test func nelderMeadMatchesSciPy() {
        let cases: [((Double) -> Double, Double, Double)] = [
            ({ ($0 - 2) * ($0 - 2) }, 1, 2.000000000000002),
            ({ ($0 + 1) * ($0 + 1) }, 0.5, 0),                        // the bound
            ({ log(1 + $0) + 3 / (1 + $0) }, 0, .nan),                // from 0: the 0.00025 step; SciPy 2.0000000305175805
            ({ pow($0 - 0.3, 4) }, 5, 0),                             // flat: the f tolerance stops it early
        ]
        for (f, start, scipy) in cases where !scipy.isNaN { #expect(NelderMead.minimize(f, from: start) == scipy, "from \(start)") }
        #expect(abs(NelderMead.minimize(cases[2].0, from: 0) - 2.0000000305175805) < 1e-7)
    }

    /// The M step's objective near its centre (the power series) against the
    /// direct sum, at points across the series' reach, on weights and
    /// variances spread over six orders of magnitude: the same value to
    /// rounding (1e-14 of the sum's scale). Beyond the reach it is the direct
    /// sum itself; at κ = 0 with a tiny variance the reach shrinks with it.
    @Test(arguments: [0.0, 1e-6, 0.003, 0.4, 25])
    func varianceObjectiveSeriesMatchesTheSum(centre: Double) {
        var generator = Xoshiro256StarStar(seed: 11)
        let n = 700
        let w = (0..<n).map { _ in Double.random(in: 0...1, using: &generator) }
        let s = (0..<n).map { _ in pow(10, Double.random(in: -5...1, using: &generator)) }
        let v = (0..<n).map { _ in pow(10, Double.random(in: -6...0, using: &generator)) }
        w.withUnsafeBufferPointer { w in s.withUnsafeBufferPointer { s in v.withUnsafeBufferPointer { v in
            var objective = ANCOMBC.VarianceObjective(weights: w.baseAddress!, squared: s.baseAddress!, variance: v.baseAddress!,
                                                      count: n, centre: centre)
            let scale = (0..<n).reduce(0.0) { $0 + w[$1] * (s[$1] / (v[$1] + centre) + abs(log(v[$1] + centre))) }
            #expect(objective.limit == ANCOMBC.VarianceObjective.reach * (v.min()! + centre))
            for fraction in [-1.0, -0.5, -1e-3, -1e-9, 1e-12, 1e-6, 0.01, 0.3, 0.99, 1, 1.5, 4] {
                let x = centre + fraction * objective.limit
                guard x >= 0 else { continue }
                let direct = objective.direct(x)
                let series = objective(x)
                #expect(abs(series - direct) <= 1e-14 * scale, "centre \(centre), x \(x): \(series) vs \(direct)")
                if abs(fraction) > 1 { #expect(series == direct) }
            }
            #expect(objective(centre) == objective.direct(centre))
        }}}
    }

    /// The fit's row-major sums are the plain sums, each in sample order, bit for
    /// bit (any number of columns: one, eight, past eight).
    @Test(arguments: [1, 5, 8, 11])
    func rowMajorSumsAreThePlainSums(columns: Int) {
        var generator = Xoshiro256StarStar(seed: UInt64(columns))
        let rows = 301
        var h = Matrix(rows: rows, columns: columns)
        for j in 0..<columns { for i in 0..<rows { h[i, j] = Double.random(in: -3...3, using: &generator) } }
        let w = (0..<rows).map { _ in Double.random(in: -1...1, using: &generator) * pow(10, Double.random(in: -8...8, using: &generator)) }
        for squared in [false, true] {
            let lanes = ANCOMBC.RowMajorSums(h, squared: squared)
            var out = [Double](repeating: .nan, count: columns)
            w.withUnsafeBufferPointer { w in out.withUnsafeMutableBufferPointer { lanes.sums(weights: w.baseAddress!, into: $0) } }
            for j in 0..<columns {
                var sum = 0.0
                for i in 0..<rows { sum += (squared ? h[i, j] * h[i, j] : h[i, j]) * w[i] }
                #expect(out[j].bitPattern == sum.bitPattern, "column \(j) of \(columns)")
            }
        }
    }

    /// The tabulated logarithms are `log`'s own, bit for bit, and counts
    /// outside the table (fractions, large, negative zero) take `log`.
    @Test(arguments: [1.0, 0.5, 1e-3])
    func logTableIsLog(pseudoCount: Double) {
        let values: [Double] = [0, -0.0, 1, 2, 7, 4095, 4096, 4097, 1e6, 0.25, 3.5, 123456.5, 2.0000000000000004]
        let table = ANCOMBC.logTable(pseudoCount: pseudoCount)
        for v in values {
            #expect(ANCOMBC.logarithm(of: v, pseudoCount: pseudoCount, table: table).bitPattern == log(v + pseudoCount).bitPattern, "\(v)")
        }
    }

    /// A block's columns, held sparse or dense, are the dense computation's, bit for bit:
    /// `ln(count + pseudo-count)` everywhere (zeros included), centred per
    /// feature by the mean over all samples in order, less a shift per
    /// sample — whole columns, any run of samples, and the per-sample sums
    /// in feature order. The masked route's logs are centred over the
    /// observed cells only.
    @Test(arguments: [1.0, 0.5])
    func sparseBlockIsTheDenseBlock(pseudoCount: Double) throws {
        var generator = Xoshiro256StarStar(seed: 11)
        let n = 157, taxa = 23
        var counts = Matrix(rows: taxa, columns: n)
        for j in 0..<n { for t in 0..<taxa where Double.random(in: 0..<1, using: &generator) < 0.3 {
            counts[t, j] = Double(Int.random(in: 1...9000, using: &generator))
        } }
        let table = try CountTable(sampleIDs: (0..<n).map { "S\($0)" }, taxonIDs: (0..<taxa).map { "T\($0)" }, counts: counts)
        let kept = [0, 2, 3, 5, 8, 13, 21, 22]
        let shifts = (0..<n).map { _ in Double.random(in: -2...2, using: &generator) }
        var raw = Matrix(rows: n, columns: kept.count)
        for (c, t) in kept.enumerated() { for i in 0..<n { raw[i, c] = counts[t, i] } }
        for held in [CellBlock(sparse: FeatureColumns(table, features: kept), absent: 0), CellBlock(dense: raw)] {
            var block = ANCOMBC.logs(held, pseudoCount: pseudoCount, centring: true)
            block.sampleShifts = shifts
            sameCells(block, counts: counts, kept: kept, shifts: shifts, pseudoCount: pseudoCount)
        }
        let observed = ANCOMBC.observedLogs(FeatureColumns(table, features: kept))
        for (c, t) in kept.enumerated() {
            let seen = (0..<n).filter { counts[t, $0] > 0 }
            #expect(observed.range(c).map { Int(observed.rows[$0]) } == seen)
            let logs = seen.map { log(counts[t, $0]) }
            let mean = logs.reduce(0, +) / Double(seen.count)
            #expect(observed.range(c).map { observed.values[$0].bitPattern } == logs.map { ($0 - mean).bitPattern })
        }
    }

    func sameCells(_ block: CellBlock, counts: Matrix, kept: [Int], shifts: [Double], pseudoCount: Double) {
        let n = counts.columns
        var dense = Matrix(rows: n, columns: kept.count)
        for (c, t) in kept.enumerated() {
            var sum = 0.0
            for i in 0..<n { dense[i, c] = log(counts[t, i] + pseudoCount); sum += dense[i, c] }
            for i in 0..<n { dense[i, c] -= sum / Double(n) }
            for i in 0..<n { dense[i, c] -= shifts[i] }
        }
        for c in 0..<kept.count {
            #expect(block.column(c).map(\.bitPattern) == Array(dense.column(c)).map(\.bitPattern), "feature \(kept[c])")
            var part = [Double](repeating: .nan, count: 40)
            part.withUnsafeMutableBufferPointer { block.column(c, samples: 60..<100, into: $0.baseAddress!) }
            #expect(part.map(\.bitPattern) == (60..<100).map { dense[$0, c].bitPattern }, "feature \(kept[c]), samples 60..<100")
        }
        let sums = (0..<n).map { i in (0..<kept.count).reduce(0.0) { $0 + dense[i, $1] } }
        #expect(block.sampleSums().map(\.bitPattern) == sums.map(\.bitPattern))
    }
}
