import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics
@testable import MoodbiomeStudy

/// PERMDISP to centroids from the distances alone, the matrix read block by
/// block: vegan's `betadisper(type = "centroid")` numbers
/// (`Fixtures/beta/generate_betadisper_centroid_vegan.R`), as the in-memory
/// test (principal coordinates) gives them.
@Suite("PERMDISP to centroids, streamed")
struct DispersionStreamedTests {
    static let cases: [(name: String, matrix: DistanceMatrix, data: DataTable, group: String)] = [
        ("bci_habitat_centroid", bciBray, bciEnv, "Habitat"),
        ("dune_use_centroid", duneBray, duneEnv, "Use"),
        ("dune_hellinger_moisture_centroid", duneHellinger, duneEnv, "Moisture"),
    ]

    /// The streamed test with the matrix in its file's order and the groups
    /// in the metadata's (`tested` of its rows).
    static func streamed(_ matrix: DistanceMatrix, _ data: DataTable, group: String, tested: [Int], plan: PermutationPlan,
                         blockBytes: Int) throws -> Dispersion {
        var position = [String: Int]()
        for (a, r) in tested.enumerated() { position[data.ids[r]] = a }
        return try Dispersion(rows: matrix, positions: matrix.ids.map { position[$0] ?? -1 }, ids: tested.map { data.ids[$0] },
                              groups: tested.map { data[group]!.cells[$0] }, column: group, plan: plan, blockBytes: blockBytes)
    }

    @Test(arguments: cases.indices)
    func centroidDistancesFromTheDistancesAreVegans(_ k: Int) throws {
        let c = Self.cases[k]
        let rows = csvRows("beta/betadisper-centroid-vegan.csv").filter { $0["case"] == c.name }
        let test = rows.first { $0["sample_id"] == "(test)" }!
        let plan = PermutationPlan(count: 999, seed: 3)
        let inMemory = try Dispersion(distances: aligned(c.matrix, c.data), groups: c.data[c.group]!.cells, column: c.group,
                                      centre: .centroid, plan: plan)
        let all = Array(0..<c.data.rowCount)
        var blocks = [Dispersion]()
        for bytes in [1, 8 * 5 * c.matrix.count, 1 << 26] {
            blocks.append(try Self.streamed(c.matrix, c.data, group: c.group, tested: all, plan: plan, blockBytes: bytes))
        }
        for result in [inMemory] + blocks {
            #expect(result.ids == c.data.ids)
            #expect(isClose(result.f, Double(test["f_statistic"]!)!, relative: 1e-10))
            #expect(result.df1 == Int(test["df1"]!)! && result.df2 == Int(test["df2"]!)!)
            #expect(isClose(result.pValue, Double(test["p_value"]!)!, relative: 1e-10))
            for row in rows where row["sample_id"] != "(test)" {
                let i = result.ids.firstIndex(of: row["sample_id"]!)!
                #expect(isClose(result.distances[i], Double(row["distance"]!)!, relative: 1e-10))
            }
        }
        // Blocks do not change a bit; the permutation p-value is the in-memory one.
        #expect(blocks.allSatisfy { $0.distances.map(\.bitPattern) == blocks[0].distances.map(\.bitPattern) })
        #expect(blocks[0].permutationPValue == inMemory.permutationPValue)
    }

    /// Samples of the matrix without a group add nothing: the test of the
    /// matrix with them equals the test of the matrix without them.
    @Test func untestedSamplesAreLeftOut() throws {
        let kept = Array(0..<(bciEnv.rowCount - 7))
        let plan = PermutationPlan(count: 199, seed: 8)
        let streamed = try Self.streamed(bciBray, bciEnv, group: "Habitat", tested: kept, plan: plan, blockBytes: 1 << 16)
        let subset = bciEnv.selectingRows(kept)
        let inMemory = try Dispersion(distances: aligned(bciBray, subset), groups: subset["Habitat"]!.cells, column: "Habitat",
                                      centre: .centroid, plan: plan)
        #expect(streamed.ids == inMemory.ids)
        for (a, b) in zip(streamed.distances, inMemory.distances) { #expect(isClose(a, b, relative: 1e-10)) }
        #expect(isClose(streamed.f, inMemory.f, relative: 1e-10) && streamed.permutationPValue == inMemory.permutationPValue)
    }

    /// Through the job: an .h5 matrix read from disk, the same tables as
    /// in memory; the spatial median cannot be streamed.
    @Test func betadisperStreamedJob() throws {
        let dir = temporaryDirectory()
        var beta = BetaRun(tablePath: datasetPath("vegan-dune/dune_cover.csv"))
        beta.outputPath = dir + "/dune.h5"
        _ = try beta.run { _ in }
        func job(streamed: Bool, output: String) -> DispersionRun {
            var job = DispersionRun(input: DistanceMetadataInput(matrixPath: dir + "/dune.h5", metadataPath: datasetPath("vegan-dune/dune_env.csv")),
                                    group: "Management")
            job.centre = .centroid
            job.permutation.seed = 4
            job.streamed = streamed
            job.output.path = dir + "/" + output
            job.distancesPath = dir + "/distances-" + output
            return job
        }
        _ = try job(streamed: false, output: "memory.csv").run { _ in }
        _ = try job(streamed: true, output: "streamed.csv").run { _ in }
        func numbers(_ file: String) throws -> [Double] {
            try String(contentsOfFile: dir + "/" + file, encoding: .utf8).split(separator: "\n").dropFirst()
                .flatMap { $0.split(separator: ",").compactMap { Double($0) } }
        }
        let memory = try numbers("memory.csv") + numbers("distances-memory.csv")
        let streamed = try numbers("streamed.csv") + numbers("distances-streamed.csv")
        #expect(memory.count == streamed.count && memory.count > 20)
        for (a, b) in zip(memory, streamed) { #expect(isClose(a, b, relative: 1e-12, absolute: 1e-15)) }
        var median = job(streamed: true, output: "median.csv")
        median.centre = .median
        #expect { try median.run { _ in } } throws: {
            message($0) == "--streamed: reads the matrix block by block and measures distances to the groups' centroids, which need only the distances; the spatial median (--type median, the default) needs every principal coordinate in memory. Add --type centroid, or drop --streamed"
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/median.csv"))
    }
}
