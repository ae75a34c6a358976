import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport

/// PERMANOVA from stripes' shares: the same table as the single-process
/// test (vegan's numbers) for every number of stripes, bit for bit across
/// cuts, and to rounding (same p-values) against the Gower-matrix product.
@Suite("PERMANOVA by stripes")
struct PermanovaStripeTests {
    /// The test from `stripes` shares of `matrix` (in its own sample order),
    /// the design's rows being `designIDs`.
    static func striped(_ matrix: DistanceMatrix, design: DesignMatrix, designIDs: [String], split: Permanova.Split,
                        plan: PermutationPlan, termPlans: [String: PermutationPlan] = [:], stripes: Int) throws -> Permanova {
        let setup = try Permanova.Setup(design: design, split: split, plan: plan, termPlans: termPlans, source: "test")
        let row = Dictionary(uniqueKeysWithValues: designIDs.enumerated().map { ($1, $0) })
        let positions = matrix.ids.map { row[$0] ?? -1 }
        let plan = try StripePlan(n: matrix.count, stripes: stripes)
        var sums = [Double](repeating: 0, count: setup.shareWidth)
        for k in 1...stripes {
            let pairs = plan.stripe(k)
            let share = Permanova.share(setup, pairs: pairs, distances: matrix.condensed(pairs), positions: positions)
            Permanova.addShare(share, rows: pairs.rows.count, to: &sums)
        }
        return try Permanova(setup, summedShares: sums)
    }

    static func same(_ a: Permanova, _ b: Permanova) -> Bool {
        a.rows.map(\.term) == b.rows.map(\.term) && a.rows.map(\.df) == b.rows.map(\.df)
            && a.rows.map(\.sumOfSquares.bitPattern) == b.rows.map(\.sumOfSquares.bitPattern)
            && a.rows.map(\.f.bitPattern) == b.rows.map(\.f.bitPattern) && a.rows.map(\.pValue.bitPattern) == b.rows.map(\.pValue.bitPattern)
    }

    @Test(arguments: CompositionTests.permanovaCases.indices)
    func stripedPermanovaIsTheSingleProcessTest(_ k: Int) throws {
        let c = CompositionTests.permanovaCases[k]
        let data = c.matrix == "dune" ? duneEnv : bciEnv
        // The matrix in its file's order (the design in the metadata's): the shares follow the matrix.
        let matrix = c.matrix == "dune" ? duneBray : bciBray
        let design = try DesignMatrix(formula: Formula(rightHandSide: c.formula), data: data)
        let strata = c.strata.map { s in PermutationPlan.strata(data[s]!.cells) }
        // 199 permutations: the shares must give the single process's bits under any plan.
        let plan = PermutationPlan(count: 199, seed: 1, strata: strata)
        let single = try Permanova(distances: aligned(matrix, data), design: design, split: c.split, plan: plan)
        let one = try Self.striped(matrix, design: design, designIDs: data.ids, split: c.split, plan: plan, stripes: 1)
        for (a, b) in zip(one.rows, single.rows) {
            #expect(a.term == b.term && a.df == b.df)
            #expect(isClose(a.sumOfSquares, b.sumOfSquares, relative: 1e-12))
            if b.f.isNaN { #expect(a.f.isNaN && a.pValue.isNaN) } else {
                #expect(isClose(a.f, b.f, relative: 1e-12))
                #expect(a.pValue == b.pValue, "\(c.name) \(a.term): p \(a.pValue) vs \(b.pValue)")
            }
        }
        for stripes in [2, 3, 7] {
            let cut = try Self.striped(matrix, design: design, designIDs: data.ids, split: c.split, plan: plan, stripes: stripes)
            #expect(Self.same(cut, one), "\(c.name): \(stripes) stripes")
        }
        // Read block by block (blocks of one row, of a few rows, all rows): the same bits.
        let setup = try Permanova.Setup(design: design, split: c.split, plan: plan, source: "test")
        let row = Dictionary(uniqueKeysWithValues: data.ids.enumerated().map { ($1, $0) })
        for bytes in [1, 3 * 8 * (matrix.count + setup.shareWidth), 1 << 26] {
            let streamed = try Permanova(setup, rows: matrix, positions: matrix.ids.map { row[$0] ?? -1 }, blockBytes: bytes)
            #expect(Self.same(streamed, one), "\(c.name): blocks of \(bytes) bytes")
        }
    }

    /// Per-term restrictions (repeated measures), and samples of the matrix
    /// that the test leaves out (no metadata): their rows add nothing.
    @Test func restrictedTermsAndUntestedSamples() throws {
        let env = try DataTable.read(RestrictedPermutationTests.envFile)
        let file = try DistanceMatrix.read(RestrictedPermutationTests.matrixFile)
        let groups = PermutationPlan.strata(env["participant_id"]!.cells)
        let design = try DesignMatrix(formula: Formula(rightHandSide: "~ phq9_total + months + age + sex"), data: env)
        let plan = PermutationPlan(count: 499, seed: 12, restriction: .wholePlots(column: "participant_id", plots: groups))
        let within = PermutationPlan(count: 499, seed: 12, restriction: .withinBlocks(column: "participant_id", blocks: groups))
        let terms = ["phq9_total": within, "months": within]
        let single = try Permanova(distances: aligned(file, env), design: design, split: .margin, plan: plan, termPlans: terms)
        // Drop the design's last 5 samples: the matrix keeps them.
        let kept = env.selectingRows(Array(0..<(env.rowCount - 5)))
        let keptGroups = PermutationPlan.strata(kept["participant_id"]!.cells)
        let keptDesign = try DesignMatrix(formula: Formula(rightHandSide: "~ phq9_total + months + age + sex"), data: kept)
        let keptPlan = PermutationPlan(count: 499, seed: 12, restriction: .wholePlots(column: "participant_id", plots: keptGroups))
        let keptWithin = PermutationPlan(count: 499, seed: 12, restriction: .withinBlocks(column: "participant_id", blocks: keptGroups))
        let keptSingle = try Permanova(distances: aligned(file, kept), design: keptDesign, split: .margin, plan: keptPlan,
                                       termPlans: ["phq9_total": keptWithin, "months": keptWithin])
        for (reference, data, d, p, t) in [(single, env, design, plan, terms),
                                           (keptSingle, kept, keptDesign, keptPlan, ["phq9_total": keptWithin, "months": keptWithin])] {
            let one = try Self.striped(file, design: d, designIDs: data.ids, split: .margin, plan: p, termPlans: t, stripes: 1)
            for (a, b) in zip(one.rows, reference.rows) {
                #expect(isClose(a.sumOfSquares, b.sumOfSquares, relative: 1e-12))
                #expect(a.f.isNaN ? b.f.isNaN : isClose(a.f, b.f, relative: 1e-12))
                #expect(a.pValue.isNaN ? b.pValue.isNaN : a.pValue == b.pValue)
            }
            let four = try Self.striped(file, design: d, designIDs: data.ids, split: .margin, plan: p, termPlans: t, stripes: 4)
            #expect(Self.same(four, one))
        }
    }
}
