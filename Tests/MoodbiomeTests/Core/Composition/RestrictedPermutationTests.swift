import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport
@testable import MoodbiomeStudy

/// Permutation tests with repeated measures: whole participants permuted for
/// terms constant within a participant, samples permuted within participants
/// for the others, against vegan/permute's `how(plots = …)` and
/// `how(blocks = …)` (generate_restricted_vegan.R, 9999 permutations each).
@Suite("Permutations restricted by participant against vegan and permute")
struct RestrictedPermutationTests {
    static let matrixFile = fixturePath("beta/longitudinal-bray.tsv")
    static let envFile = fixturePath("beta/longitudinal-env.csv")
    static let reference = csvRows("beta/restricted-vegan.csv")

    static func expected(_ scheme: String, _ term: String) -> (f: Double, p: Double) {
        let row = reference.first { $0["case"] == scheme && $0["term"] == term }!
        return (Double(row["f_statistic"]!)!, Double(row["p_value"]!)!)
    }

    static func data() throws -> (DistanceMatrix, DataTable) {
        let env = try DataTable.read(envFile)
        return (aligned(try DistanceMatrix.read(matrixFile), env), env)
    }

    /// One restriction for every term, as vegan applies one `how()` to a call.
    @Test(arguments: ["plots", "blocks"])
    func permanovaMatchesAdonis2UnderOneRestriction(scheme: String) throws {
        let (matrix, env) = try Self.data()
        let groups = PermutationPlan.strata(env["participant_id"]!.cells)
        let restriction: PermutationPlan.Restriction = scheme == "plots" ? .wholePlots(column: "participant_id", plots: groups)
                                                                         : .withinBlocks(column: "participant_id", blocks: groups)
        let design = try DesignMatrix(formula: Formula(rightHandSide: "~ phq9_total + months + age + sex"), data: env)
        let result = try Permanova(distances: matrix, design: design, split: .margin,
                                   plan: PermutationPlan(count: 9999, seed: 11, restriction: restriction))
        for term in ["phq9_total", "months", "age", "sex"] {
            let row = result.rows.first { $0.term == term }!
            let ref = Self.expected("permanova_" + scheme, term)
            #expect(isClose(row.f, ref.f, relative: 1e-12))
            #expect(withinMonteCarloError(row.pValue, ref.p, permutations: 9999), "\(scheme) \(term): p \(row.pValue) vs vegan \(ref.p)")
        }
    }

    /// `permanova --strata participant_id`: age and sex (constant within a
    /// participant) by whole participants, PHQ-9 and months within them.
    @Test func strataChoosesTheRestrictionOfEachTerm() throws {
        var run = PermanovaRun(input: DistanceMetadataInput(matrixPath: Self.matrixFile, metadataPath: Self.envFile),
                               formula: "~ phq9_total + months + age + sex")
        run.split = .margin
        run.permutation.permutations = 9999
        run.permutation.seed = 12
        run.permutation.strata = "participant_id"
        var notes = [String]()
        let result = try run.compute(report: { notes.append($0) })
        for (term, scheme) in [("phq9_total", "blocks"), ("months", "blocks"), ("age", "plots"), ("sex", "plots")] {
            let row = result.rows.first { $0.term == term }!
            let ref = Self.expected("permanova_" + scheme, term)
            #expect(withinMonteCarloError(row.pValue, ref.p, permutations: 9999), "\(term): p \(row.pValue) vs vegan (\(scheme)) \(ref.p)")
            switch result.plan(for: term).restriction {
            case .wholePlots: #expect(scheme == "plots", "\(term)")
            case .withinBlocks: #expect(scheme == "blocks", "\(term)")
            case .free: Issue.record("\(term) permuted freely")
            }
        }
        // Within-participant permutation cannot test sex: vegan's blocks p (0.83) is not the answer.
        #expect(result.rows.first { $0.term == "sex" }!.pValue < 0.01)
        #expect(notes.contains("note: permutations restricted by participant_id: whole participant_id groups permuted (their samples moving together) for age, sex; samples permuted within participant_id for phq9_total, months"))
    }

    @Test func dispersionAndMantelPermuteWholeParticipantsForParticipantVariables() throws {
        var permutation = PermutationSettings()
        permutation.permutations = 9999
        permutation.seed = 13
        permutation.strata = "participant_id"
        var dispersion = DispersionRun(input: DistanceMetadataInput(matrixPath: Self.matrixFile, metadataPath: Self.envFile), group: "sex")
        dispersion.permutation = permutation
        let (matrix, env) = try dispersion.input.load(copies: 5, what: "PERMDISP", report: { _ in })
        let d = try DispersionRun.test(matrix: matrix, metadata: env, group: "sex", centre: .median, permutation: permutation, report: { _ in })
        let refD = Self.expected("betadisper_plots", "sex")
        #expect(isClose(d.f, refD.f, relative: 1e-9))
        #expect(withinMonteCarloError(d.permutationPValue, refD.p, permutations: 9999), "betadisper p \(d.permutationPValue) vs \(refD.p)")
        if case .wholePlots = d.plan.restriction {} else { Issue.record("betadisper by sex not by whole participants") }

        var mantel = MantelRun(matrixPath: Self.matrixFile)
        mantel.metadataPath = Self.envFile
        mantel.variable = "age"
        mantel.permutation = permutation
        mantel.output.format = .csv
        let text = try #require(try mantel.run(report: { _ in }))
        let cells = text.split(separator: "\n")[1].split(separator: ",")
        let refM = Self.expected("mantel_plots", "age")
        #expect(isClose(Double(cells[0])!, refM.f, relative: 1e-12))
        #expect(withinMonteCarloError(Double(cells[1])!, refM.p, permutations: 9999), "mantel p \(cells[1]) vs \(refM.p)")
    }

    /// Whole plots move as units onto plots of the same size, keeping their
    /// samples' order; unequal sizes never mix; every size class is used.
    @Test func wholePlotsMoveOnlyOntoPlotsOfTheirSize() {
        let labels = ["a", "a", "b", "c", "c", "d", "d", "d", "e", "f", "f", "g", "g", "g", "h"]
        let plots = PermutationPlan.strata(labels)
        let plan = PermutationPlan(count: 200, seed: 5, restriction: .wholePlots(column: "id", plots: plots))
        let plotOf = Dictionary(uniqueKeysWithValues: plots.enumerated().flatMap { k, members in members.map { ($0, k) } })
        var moved = Set<Int>()
        plan.forEachBatch(n: labels.count, batch: 17) { batch in
            for p in batch {
                #expect(p.sorted() == Array(labels.indices))
                for plot in plots {
                    let target = plots[plotOf[p[plot[0]]]!]
                    #expect(plot.map { p[$0] } == target, "plot \(plot) onto \(target) in order")
                    if target != plot { moved.insert(plot.count) }
                }
            }
        }
        #expect(moved == [1, 2, 3])
        #expect(PermutationPlan.Restriction.wholePlots(column: "id", plots: [[0], [1, 2], [3, 4, 5]]).movesSamples == false)
    }

    @Test func wholePlotsThatCannotMoveAreRefusedInWords() throws {
        var settings = PermutationSettings()
        settings.strata = "participant_id"
        #expect { try settings.plan(seed: 1, strata: ["p1", "p2", "p2", "p3", "p3", "p3"], constant: true) } throws: { error in
            message(error) == "a tested variable is constant within each participant_id, so whole participant_id groups are permuted, and only among groups with the same number of samples; no two groups of --strata participant_id have the same number of samples, so no permutation can move one. Give a coarser --strata grouping, or leave --strata out"
        }
    }
}
