import FoundationEssentials
import MoodbiomeNumerics

/// Repeated measures over time, as longitudinal papers draw them: each
/// participant's trajectory (a "spaghetti" line through their visits in
/// time order), the mean at each time point with its t confidence interval
/// (`mean ± t₍n−1₎·sd/√n`, as R's `t.test` per time point), and each
/// participant's change from their own first visit.
///
/// Descriptive only: the test of an association across visits is the mixed
/// model (models.csv); the figures show what it summarises.
public struct Trajectories: Sendable {
    public struct Path: Sendable {
        public let participant: String
        /// (time, value), in time order.
        public let points: [(time: Double, value: Double)]
    }

    public struct TimePoint: Sendable, Equatable {
        public let time: Double
        public let n: Int
        public let mean: Double
        /// NaN with fewer than two values.
        public let low: Double
        public let high: Double
    }

    /// A within-participant change from the first visit to a later one.
    public struct Change: Sendable, Equatable {
        public let participant: String
        public let time: Double
        public let x: Double
        public let y: Double
    }

    /// Participants in order of first appearance, each with two visits or more.
    public let paths: [Path]
    /// One row per distinct time, in time order — when the visits share a
    /// schedule (at most ``maximumTimePoints`` distinct times); else empty,
    /// and `trend` is drawn instead.
    public let timePoints: [TimePoint]
    /// The least-squares line of value on time with its band, when the
    /// times are too many to summarise one by one.
    public let trend: AlphaAssociation.FitLine?
    public let confidenceLevel: Double

    /// The most distinct times that are summarised one by one.
    public static let maximumTimePoints = 12

    /// - Parameters: per sample (one row each), the participant, the time
    ///   and the value; rows with a missing (non-finite) time or value are
    ///   left out.
    public init(participants: [String], times: [Double], values: [Double], level: Double) {
        let rows = participants.indices.filter { times[$0].isFinite && values[$0].isFinite }
        var order = [String](), byParticipant = [String: [(time: Double, value: Double)]]()
        for r in rows {
            if byParticipant[participants[r]] == nil { order.append(participants[r]) }
            byParticipant[participants[r], default: []].append((times[r], values[r]))
        }
        paths = order.compactMap { p in
            let points = byParticipant[p]!.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
            return points.count >= 2 ? Path(participant: p, points: points) : nil
        }
        confidenceLevel = level
        let distinct = Set(rows.map { times[$0] }).sorted()
        if distinct.count <= Self.maximumTimePoints {
            timePoints = distinct.map { t in
                let v = rows.filter { times[$0] == t }.map { values[$0] }
                let n = Double(v.count), mean = v.reduce(0, +) / n
                guard v.count >= 2 else { return TimePoint(time: t, n: v.count, mean: mean, low: .nan, high: .nan) }
                let sd = (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
                let half = StudentT(degreesOfFreedom: n - 1).quantile(1 - (1 - level) / 2) * sd / n.squareRoot()
                return TimePoint(time: t, n: v.count, mean: mean, low: mean - half, high: mean + half)
            }
            trend = nil
        } else {
            timePoints = []
            trend = AlphaAssociation.fitLine(x: rows.map { times[$0] }, y: rows.map { values[$0] }, level: level)
        }
    }

    /// Each participant's change in `x` and in `y` from their first visit
    /// (the earliest time with both values) to each later visit.
    public static func changes(participants: [String], times: [Double], x: [Double], y: [Double]) -> [Change] {
        let rows = participants.indices.filter { times[$0].isFinite && x[$0].isFinite && y[$0].isFinite }
        var order = [String](), byParticipant = [String: [Int]]()
        for r in rows {
            if byParticipant[participants[r]] == nil { order.append(participants[r]) }
            byParticipant[participants[r], default: []].append(r)
        }
        return order.flatMap { p -> [Change] in
            let visits = byParticipant[p]!.enumerated().sorted { (times[$0.element], $0.offset) < (times[$1.element], $1.offset) }.map(\.element)
            guard let first = visits.first else { return [] }
            return visits.dropFirst().map { r in Change(participant: p, time: times[r], x: x[r] - x[first], y: y[r] - y[first]) }
        }
    }
}

/// Repeated measures over time: the participant and the time of each row
/// of a study's merged table, and what its longitudinal figures draw.
public struct Visits: Sendable {
    public let participantColumn: String
    public let participants: [String]
    public let timeColumn: String
    public let times: [Double]

    public init(participantColumn: String, participants: [String], timeColumn: String, times: [Double]) {
        self.participantColumn = participantColumn
        self.participants = participants
        self.timeColumn = timeColumn
        self.times = times
    }

    /// The trajectories of `columns` (values per merged row) and, for each
    /// pair in `changes`, every participant's change in both from their
    /// first visit with the least-squares line of one on the other.
    public func summary(columns: [(name: String, values: [Double])], changes: [(x: String, xValues: [Double], y: String, yValues: [Double])],
                        level: Double) -> LongitudinalSummary {
        LongitudinalSummary(
            visits: self,
            trajectories: columns.map { (column: $0.name, trajectories: Trajectories(participants: participants, times: times, values: $0.values, level: level)) },
            changes: changes.map { pair in
                let c = Trajectories.changes(participants: participants, times: times, x: pair.xValues, y: pair.yValues)
                return (x: pair.x, y: pair.y, changes: c, line: AlphaAssociation.fitLine(x: c.map(\.x), y: c.map(\.y), level: level))
            },
            level: level)
    }
}

/// What the longitudinal figures draw (``Visits/summary(columns:changes:level:)``).
public struct LongitudinalSummary: Sendable {
    public let visits: Visits
    public let trajectories: [(column: String, trajectories: Trajectories)]
    public let changes: [(x: String, y: String, changes: [Trajectories.Change], line: AlphaAssociation.FitLine?)]
    public let level: Double
}
