import Dispatch
import Testing
@testable import MoodbiomeIO
@testable import MoodbiomeNumerics

/// HDF5 used from several threads at once: Debian's serial build is not
/// thread-safe, so every call into it holds one lock (CHDF5). Without it,
/// tests that wrote and read distance matrices at the same time read
/// corrupted values now and then (the randomized PCoA's two tests, 5,936
/// mismatches in one run of the suite).
@Suite("HDF5 from several threads")
struct HDF5ThreadsTests {
    @Test func matricesWrittenAndReadAtOnceComeBackExact() throws {
        let n = 120
        let ids = (0..<n).map { "S\($0)" }
        let dir = temporaryDirectory()
        let mismatches = Tally()
        DispatchQueue.concurrentPerform(iterations: 4) { task in
            for round in 0..<12 {
                let condensed = (0..<PairRows.pairCount(n)).map { Double(($0 * 7 + task * 13 + round) % 1000) / 997 }
                let path = dir + "/m\(task)-\(round).h5"
                do {
                    try DistanceHDF5.writeMatrix(ids: ids, condensed: condensed, precision: .float64, metric: "braycurtis", to: path)
                    let back = try DistanceHDF5.readMatrix(path)
                    if back.ids != ids || back.condensed(.all(n)) != condensed { mismatches.add() }
                } catch {
                    mismatches.add()
                }
            }
        }
        #expect(mismatches.value == 0, "\(mismatches.value) of 48 matrices came back different or failed")
    }
}

/// A count shared by threads.
final class Tally: @unchecked Sendable {
    private var count = 0
    private let queue = DispatchQueue(label: "tally")
    func add() { queue.sync { count += 1 } }
    var value: Int { queue.sync { count } }
}
