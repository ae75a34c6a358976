import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport

/// A CSV fixture as rows of named fields.
func csvRows(_ file: String) -> [[String: String]] { csvRows(fromFile: fixturePath(file)) }

/// A CSV file (any path) as rows of named fields (no quoted commas).
func csvRows(fromFile path: String) -> [[String: String]] {
    let text = try! String(contentsOfFile: path, encoding: .utf8)
    let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
}

/// Whether a permutation p-value agrees with another tool's, both from
/// `n` permutations: within four standard errors of their difference
/// (√2 · √(p(1−p)/n)), plus one permutation's step.
func withinMonteCarloError(_ ours: Double, _ theirs: Double, permutations n: Int) -> Bool {
    let p = Swift.max((ours + theirs) / 2, 1.0 / Double(n))
    return abs(ours - theirs) <= 4 * (2 * p * (1 - p) / Double(n)).squareRoot() + 1.0 / Double(n + 1)
}

let duneBray = try! DistanceMatrix.read(fixturePath("beta/dune-bray.tsv"))
let bciBray = try! DistanceMatrix.read(fixturePath("beta/bci-bray.tsv"))
let duneHellinger = try! DistanceMatrix.read(fixturePath("beta/dune-hellinger.tsv"))
let duneEnv = try! DataTable.read(fixturePath("beta/dune-env.csv"))
let bciEnv = try! DataTable.read(datasetPath("vegan-bci/BCI_env.csv"))

/// The matrix's rows in the metadata's order.
func aligned(_ m: DistanceMatrix, _ data: DataTable) -> DistanceMatrix {
    m.selecting(data.ids.map { m.ids.firstIndex(of: $0)! })
}

@Suite("Ordination and tests on distances against scikit-bio and vegan")
struct CompositionTests {
    @Test(arguments: [("dune", 0), ("bci", 5)])
    func pcoaMatchesScikitBio(dataset: String, dimensions: Int) throws {
        let m = try DistanceMatrix(ids: betaTables[dataset]!.sampleIDs, values: distances(dataset, "braycurtis").values)
        let pcoa = try PrincipalCoordinates(m, dimensions: dimensions == 0 ? nil : dimensions)
        let eig = csvRows("beta/pcoa-skbio.csv").filter { $0["dataset"] == dataset }
        #expect(pcoa.eigenvalues.count == eig.count)
        for (k, row) in eig.enumerated() {
            let expected = Double(row["eigenvalue"]!)!
            // scikit-bio writes negative eigenvalues as 0; Moodbiome keeps them.
            if expected > 0 { #expect(isClose(pcoa.eigenvalues[k], expected, relative: 1e-12)) } else { #expect(pcoa.eigenvalues[k] <= 0) }
            #expect(isClose(pcoa.proportionExplained[k], Double(row["proportion_explained"]!)!, relative: 1e-12, absolute: 1e-15))
        }
        if dataset == "dune" {
            #expect(pcoa.negativeCount == 5)
            #expect(isClose(pcoa.mostNegative, -0.09678567106733887, relative: 1e-12))
        } else {
            // Five axes computed, yet the shares and the negative eigenvalues
            // are those of the whole spectrum (scikit-bio's warning names
            // the most negative one).
            let all = try PrincipalCoordinates(m)
            #expect(pcoa.negativeCount == all.negativeCount && pcoa.negativeCount > 0)
            #expect(isClose(pcoa.mostNegative, -0.021738172020618274, relative: 1e-10))
            for k in 0..<dimensions { #expect(isClose(pcoa.proportionExplained[k], all.proportionExplained[k], relative: 1e-12)) }
        }
        // Coordinates agree up to each axis' sign.
        let coordinates = csvRows("beta/pcoa-coordinates-skbio.csv").filter { $0["dataset"] == dataset }
        let index = Dictionary(uniqueKeysWithValues: pcoa.ids.enumerated().map { ($1, $0) })
        for axis in 0..<pcoa.coordinates.columns {
            let rows = coordinates.filter { $0["axis"] == "PC\(axis + 1)" }
            let reference = rows.map { Double($0["coordinate"]!)! }
            let ours = rows.map { pcoa.coordinates[index[$0["sample_id"]!]!, axis] }
            let sign: Double = zip(ours, reference).reduce(0) { $0 + $1.0 * $1.1 } < 0 ? -1 : 1
            let scale = reference.map(abs).max() ?? 0
            for (a, b) in zip(ours, reference) { #expect(isClose(sign * a, b, relative: 0, absolute: Swift.max(scale, 1e-300) * 1e-11)) }
        }
    }

    @Test func pcoaIsDeterministicInSign() throws {
        let pcoa = try PrincipalCoordinates(duneBray, dimensions: 3)
        for axis in 0..<3 {
            let column = (0..<pcoa.ids.count).map { pcoa.coordinates[$0, axis] }
            let pivot = column.indices.max { abs(column[$0]) < abs(column[$1]) }!
            #expect(column[pivot] > 0)
        }
    }

    /// Points at −1, −0.5, 0.5, 1 on a line: the first axis' largest
    /// entries are tied in size and opposite in sign. Whichever of the two
    /// rounding makes larger (here a 1e-12 nudge either way), the first
    /// sample decides: it is on the positive side in both.
    @Test func aTieBrokenByRoundingDoesNotFlipAnAxis() throws {
        let ids = ["a", "b", "c", "d"]
        for nudge in [1e-12, -1e-12] {
            let x = [-1, -0.5, 0.5, 1 + nudge]
            var values = Matrix(rows: 4, columns: 4)
            for i in 0..<4 { for j in 0..<4 { values[i, j] = abs(x[i] - x[j]) } }
            let pcoa = try PrincipalCoordinates(DistanceMatrix(ids: ids, values: values), dimensions: 1)
            #expect(pcoa.coordinates[0, 0] > 0 && pcoa.coordinates[3, 0] < 0, "nudge \(nudge)")
        }
    }

    /// PCoA groups that are severity bands come in their scale's order (the
    /// order of Table 1 and the box plots, so a level keeps its colour).
    @Test func bandsColourInSeverityOrder() throws {
        let ids = ["a", "b", "c", "d", "e"]
        var values = Matrix(rows: 5, columns: 5)
        for i in 0..<5 { for j in 0..<5 { values[i, j] = abs(Double(i - j)) } }
        let pcoa = try PrincipalCoordinates(DistanceMatrix(ids: ids, values: values))
        let metadata = try DataTable.read(temporaryFile("m.csv", "id,band\na,severe\nb,mild\nc,minimal\nd,moderately severe\ne,moderate\n"))
        let colouring = try OrdinationColouring(column: "band", metadata: metadata, ordination: pcoa, ellipses: false)
        guard case .groups(let levels, _) = colouring.scheme else { Issue.record("not grouped"); return }
        #expect(levels == ["minimal", "mild", "moderate", "moderately severe", "severe"])
        // One sample per band: no ellipse can be estimated, and each is listed.
        let withEllipses = try OrdinationColouring(column: "band", metadata: metadata, ordination: pcoa, ellipses: true)
        #expect(withEllipses.ellipses.isEmpty && withEllipses.withoutEllipse.map(\.level) == levels)
        #expect(Figures.ordination(pcoa, colouring: withEllipses, title: "t").caption.contains("No ellipse for minimal (1 sample), mild (1 sample)"))
        // --levels puts its levels first (the others after, in severity order),
        // names them, and the legend is titled by the column's display name.
        var names = DisplayNames()
        let added = names.addLevels("band=severe:Severe (20–27),mild")
        #expect(added)
        let reordered = colouring.ordered(first: ["severe", "mild", "absent"])
        guard case .groups(let order, let group) = reordered.scheme else { Issue.record("not grouped"); return }
        #expect(order == ["severe", "mild", "minimal", "moderate", "moderately severe"])
        #expect(group.map { $0.map { order[$0] } } == ["severe", "mild", "minimal", "moderately severe", "moderate"])
        let svg = Figures.ordination(pcoa, colouring: colouring, title: "t", names: names).svg
        let legend = ["Severe (20–27)", ">mild<", ">minimal<", ">moderate<", ">moderately severe<"].map { svg.range(of: $0)!.lowerBound }
        #expect(legend == legend.sorted())
        #expect(svg.contains(">band<"))
        var bandNames = DisplayNames()
        let labelled = bandNames.addLabel("band=PHQ-9 band")
        #expect(labelled)
        #expect(Figures.ordination(pcoa, colouring: colouring, title: "t", names: bandNames).svg.contains(">PHQ-9 band<"))
    }

    static let permanovaCases: [(name: String, matrix: String, formula: String, split: Permanova.Split, strata: String?)] = [
        ("dune_terms", "dune", "~ A1 + Management*Use", .terms, nil),
        ("dune_margin", "dune", "~ A1 + Management*Use", .margin, nil),
        ("dune_margin_main", "dune", "~ A1 + Management + Use", .margin, nil),
        ("dune_none", "dune", "~ A1 + Management", .none, nil),
        ("dune_moisture_strata", "dune", "~ A1", .terms, "Management"),
        ("bci_terms", "bci", "~ Habitat + Stream + EnvHet", .terms, nil),
    ]

    @Test(arguments: permanovaCases.indices)
    func permanovaMatchesAdonis2(_ k: Int) throws {
        let c = Self.permanovaCases[k]
        let data = c.matrix == "dune" ? duneEnv : bciEnv
        let matrix = aligned(c.matrix == "dune" ? duneBray : bciBray, data)
        let design = try DesignMatrix(formula: Formula(rightHandSide: c.formula), data: data)
        let strata = c.strata.map { s in PermutationPlan.strata(data[s]!.cells) }
        let result = try Permanova(distances: matrix, design: design, split: c.split, plan: PermutationPlan(count: 9999, seed: 1, strata: strata))
        let reference = csvRows("beta/permanova-vegan.csv").filter { $0["case"] == c.name }
        #expect(result.rows.map(\.term) == reference.map { $0["term"]! })
        for (row, ref) in zip(result.rows, reference) {
            #expect(row.df == Int(ref["df"]!)!)
            #expect(isClose(row.sumOfSquares, Double(ref["sum_of_squares"]!)!, relative: 1e-12))
            #expect(isClose(row.rSquared, Double(ref["r_squared"]!)!, relative: 1e-12))
            if ref["f_statistic"] == "NA" {
                #expect(row.f.isNaN && row.pValue.isNaN)
            } else {
                #expect(isClose(row.f, Double(ref["f_statistic"]!)!, relative: 1e-12))
                #expect(withinMonteCarloError(row.pValue, Double(ref["p_value"]!)!, permutations: 9999),
                        "\(row.term): p \(row.pValue) vs vegan \(ref["p_value"]!)")
            }
        }
    }

    @Test func permanovaIsReproducibleAndStrataStayWithinBlocks() throws {
        let design = try DesignMatrix(formula: Formula(rightHandSide: "~ A1 + Management"), data: duneEnv)
        let m = aligned(duneBray, duneEnv)
        let a = try Permanova(distances: m, design: design, split: .terms, plan: PermutationPlan(count: 499, seed: 42))
        let b = try Permanova(distances: m, design: design, split: .terms, plan: PermutationPlan(count: 499, seed: 42))
        #expect(a.table.csv() == b.table.csv())
        let blocks = PermutationPlan.strata(duneEnv["Management"]!.cells)
        let plan = PermutationPlan(count: 50, seed: 3, strata: blocks)
        let block = Dictionary(uniqueKeysWithValues: blocks.enumerated().flatMap { b, members in members.map { ($0, b) } })
        var seen = 0
        plan.forEachBatch(n: 20, batch: 7) { batch in
            for p in batch {
                #expect(p.sorted() == Array(0..<20))
                for i in 0..<20 { #expect(block[p[i]] == block[i]) }
                seen += 1
            }
        }
        #expect(seen == 50)
        // Batches do not change the draws.
        var one = [[Int]](), many = [[Int]]()
        plan.forEachBatch(n: 20, batch: 50) { one += $0 }
        plan.forEachBatch(n: 20, batch: 3) { many += $0 }
        #expect(one == many)
    }

    static let dispersionCases: [(name: String, matrix: String, group: String, centre: Dispersion.Centre)] = [
        ("dune_management_median", "dune", "Management", .median),
        ("dune_management_centroid", "dune", "Management", .centroid),
        ("dune_use_median", "dune", "Use", .median),
        ("bci_habitat_median", "bci", "Habitat", .median),
        ("dune_hellinger_moisture_median", "hellinger", "Moisture", .median),
    ]

    /// Distances to centroids agree to rounding. Spatial medians are where
    /// R's BFGS stops: Moodbiome takes the same steps (same iteration
    /// counts), but a flat objective near the median turns eigenvector
    /// differences of 1e-15 into ~1e-9 in the median's position, so those
    /// distances and F are compared at 1e-7.
    @Test(arguments: dispersionCases.indices)
    func betadisperMatchesVegan(_ k: Int) throws {
        let c = Self.dispersionCases[k]
        let data = c.matrix == "bci" ? bciEnv : duneEnv
        let matrix = aligned(c.matrix == "bci" ? bciBray : c.matrix == "dune" ? duneBray : duneHellinger, data)
        let result = try Dispersion(distances: matrix, groups: data[c.group]!.cells, column: c.group, centre: c.centre,
                                    plan: PermutationPlan(count: 9999, seed: 5))
        let tolerance = c.centre == .centroid ? 1e-12 : 1e-7
        let ref = csvRows("beta/betadisper-vegan.csv").first { $0["case"] == c.name }!
        #expect(isClose(result.f, Double(ref["f_statistic"]!)!, relative: tolerance))
        #expect(result.df1 == Int(ref["df1"]!)! && result.df2 == Int(ref["df2"]!)!)
        #expect(isClose(result.pValue, Double(ref["p_value"]!)!, relative: tolerance))
        #expect(withinMonteCarloError(result.permutationPValue, Double(ref["p_permutation"]!)!, permutations: 9999))
        let distances = csvRows("beta/betadisper-distances-vegan.csv").filter { $0["case"] == c.name }
        #expect(distances.count == result.ids.count)
        for row in distances {
            let i = result.ids.firstIndex(of: row["sample_id"]!)!
            #expect(isClose(result.distances[i], Double(row["distance"]!)!, relative: tolerance, absolute: 1e-15))
        }
    }

    static let mantelCases: [(name: String, method: MantelTest.Method)] = [
        ("dune_a1_pearson", .pearson), ("dune_a1_spearman", .spearman), ("bci_envhet_pearson", .pearson),
        ("dune_bray_hellinger_spearman", .spearman),
    ]

    @Test(arguments: mantelCases.indices)
    func mantelMatchesVegan(_ k: Int) throws {
        let c = Self.mantelCases[k]
        let x: DistanceMatrix, y: DistanceMatrix
        switch c.name {
        case "bci_envhet_pearson":
            x = aligned(bciBray, bciEnv)
            y = MantelTest.variableDistances(bciEnv["EnvHet"]!.numbers, ids: x.ids, source: "EnvHet")
        case "dune_bray_hellinger_spearman":
            x = duneBray
            y = aligned(duneHellinger, DataTable(source: "", idColumnName: "id", ids: duneBray.ids, columns: []))
        default:
            x = aligned(duneBray, duneEnv)
            y = MantelTest.variableDistances(duneEnv["A1"]!.numbers, ids: x.ids, source: "A1")
        }
        let result = try MantelTest(x, y, method: c.method, plan: PermutationPlan(count: 9999, seed: 9))
        let ref = csvRows("beta/mantel-vegan.csv").first { $0["case"] == c.name }!
        #expect(isClose(result.statistic, Double(ref["statistic"]!)!, relative: 1e-12))
        #expect(withinMonteCarloError(result.pValue, Double(ref["p_value"]!)!, permutations: 9999))
    }

    @Test func testsRefuseDegenerateInput() throws {
        let constant = MantelTest.variableDistances([1, 1, 1, 1], ids: ["a", "b", "c", "d"], source: "v")
        let other = MantelTest.variableDistances([1, 2, 3, 5], ids: ["a", "b", "c", "d"], source: "w")
        #expect { try MantelTest(other, constant, method: .pearson, plan: PermutationPlan(count: 9, seed: 1)) } throws: {
            message($0) == "v: every distance is the same, so no correlation is defined"
        }
        #expect {
            try Dispersion(distances: other, groups: ["g", "g", "g", "g"], column: "arm", centre: .median, plan: PermutationPlan(count: 9, seed: 1))
        } throws: { message($0) == "column 'arm' has one group only ('g') among the samples; comparing dispersions needs two or more" }
        let data = DataTable(source: "m.csv", idColumnName: "id", ids: ["a", "b", "c", "d"],
                             columns: [DataTable.Column(name: "x", numbers: [1, 2, 3, 4])])
        let design = try DesignMatrix(formula: Formula(rightHandSide: "~ x"), data: data)
        let square = DistanceMatrix(ids: ["a", "b"], values: Matrix([[0, 1], [1, 0]]))
        #expect(throws: DataError.self) {
            try Permanova(distances: square, design: try DesignMatrix(formula: Formula(rightHandSide: "~ x"),
                                                                       data: data.selectingRows([0, 1])),
                          split: .terms, plan: PermutationPlan(count: 9, seed: 1))
        }
        _ = design
        #expect { try Formula(rightHandSide: "y ~ x") } throws: { message($0).contains("the distance matrix is the response") }
    }
}
