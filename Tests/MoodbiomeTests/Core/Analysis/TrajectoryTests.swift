import Foundation
import Testing
@testable import MoodbiomeCore
@testable import MoodbiomeIO

/// The numbers behind the longitudinal figures, against pandas and SciPy
/// (Fixtures/longitudinal/generate_trajectories_scipy.py).
@Suite struct TrajectoryTests {
    let metadata = try! DataTable.read(datasetPath("simulated-longitudinal/metadata.csv"))

    @Test func meanAndIntervalAtEachTimeMatchSciPy() throws {
        let t = Trajectories(participants: metadata["participant_id"]!.cells, times: metadata["months"]!.numbers,
                             values: metadata["phq9_total"]!.numbers, level: 0.95)
        let reference = csvRows("longitudinal/trajectories-scipy.csv")
        #expect(t.timePoints.count == reference.count && t.trend == nil)
        for (ours, row) in zip(t.timePoints, reference) {
            #expect(ours.time == Double(row["time"]!)! && ours.n == Int(row["n"]!)!)
            for (value, key) in [(ours.mean, "mean"), (ours.low, "low"), (ours.high, "high")] {
                #expect(isClose(value, Double(row[key]!)!, relative: 1e-12), "\(key) at \(ours.time)")
            }
        }
        // Every participant has two visits or more; each path is in time order.
        #expect(t.paths.count == 150 && t.paths.allSatisfy { $0.points.map(\.time) == $0.points.map(\.time).sorted() })
    }

    @Test func changesFromTheFirstVisitMatchPandas() throws {
        // Visits shuffled: the first visit is the earliest time, not the first row.
        let rows = Array((0..<metadata.rowCount).reversed())
        func column(_ name: String) -> [Double] { rows.map { metadata[name]!.numbers[$0] } }
        let changes = Trajectories.changes(participants: rows.map { metadata["participant_id"]!.cells[$0] }, times: column("months"),
                                           x: column("phq9_2"), y: column("phq9_total"))
        let reference = csvRows("longitudinal/changes-pandas.csv")
        let ours = changes.sorted { ($0.participant, $0.time) < ($1.participant, $1.time) }
        #expect(ours.count == reference.count)
        for (c, row) in zip(ours, reference) {
            #expect(c.participant == row["participant_id"]! && c.time == Double(row["months"]!)!)
            #expect(c.x == Double(row["dx"]!)! && c.y == Double(row["dy"]!)!)
        }
    }

    /// Many distinct times: a least-squares trend instead of a mean per time.
    @Test func manyTimesGiveATrend() {
        let n = 60
        let t = Trajectories(participants: (0..<n).map { "p\($0 % 10)" }, times: (0..<n).map { Double($0) }, values: (0..<n).map { 2 * Double($0) + 1 }, level: 0.95)
        #expect(t.timePoints.isEmpty)
        let trend = try! #require(t.trend)
        #expect(isClose(trend.fit[0], 1, relative: 1e-12) && isClose(trend.fit.last!, 2 * 59 + 1, relative: 1e-12))
    }
}
