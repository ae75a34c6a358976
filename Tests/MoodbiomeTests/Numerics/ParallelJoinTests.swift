import Testing
@testable import MoodbiomeNumerics

/// ``parallelJoined(_:prefix:)`` is `prefix + chunks.flatMap { $0 }`,
/// element for element, whatever the chunks' sizes (empty ones among them)
/// and for elements that are references (strings) as well as plain values.
@Suite("Joining chunks on all cores")
struct ParallelJoinTests {
    @Test func joinedAsFlatMap() {
        var state: UInt64 = 20261208
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % n
        }
        for trial in 0..<200 {
            let chunks = (0..<next(12)).map { c in (0..<(next(4) == 0 ? 0 : next(3_000))).map { c * 10_000 + $0 } }
            let prefix = trial % 3 == 0 ? [] : (0..<next(5)).map { -1 - $0 }
            #expect(parallelJoined(chunks, prefix: prefix) == prefix + chunks.flatMap { $0 }, "trial \(trial)")
        }
        // Large enough for huge pages (8 MiB), and strings, retained as they are copied.
        let large = (0..<5).map { c in [Double](repeating: Double(c), count: 300_000 + c) }
        #expect(parallelJoined(large) == large.flatMap { $0 })
        let words = (0..<9).map { c in (0..<c * 50).map { "taxon \(c).\($0) with a name longer than fifteen bytes" } }
        #expect(parallelJoined(words, prefix: ["header"]) == ["header"] + words.flatMap { $0 })
        #expect(parallelJoined([[Int]]()) == [] && parallelJoined([[], []], prefix: [Int]()) == [])
    }
}
