import Dispatch
import Foundation

/// How many threads the parallel loops use: the machine's active cores, or
/// `MOODBIOME_THREADS` when set. Results never depend on it: work is split
/// into chunks whose outputs are combined in chunk order.
var parallelWidth: Int {
    if let text = ProcessInfo.processInfo.environment["MOODBIOME_THREADS"], let n = Int(text), n > 0 {
        return n
    }
    return Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
}

/// Maps contiguous chunks of `0..<count` to results, in parallel when there
/// is more than one chunk, and returns the results in chunk order.
///
/// Chunks are disjoint and cover the range, so `body` may also write
/// per-index results into disjoint storage. If chunks throw, the error of
/// the lowest chunk is rethrown, so the error reported for bad input is the
/// first one in the file whatever the thread timing.
func parallelChunkMap<T: Sendable>(
    count: Int, minimumPerChunk: Int = 1,
    _ body: @Sendable (Range<Int>) throws -> T
) throws -> [T] {
    if count == 0 { return [] }
    let width = parallelWidth
    let chunks = Swift.max(1, Swift.min(width * 4, count / Swift.max(minimumPerChunk, 1)))
    if chunks == 1 || width == 1 {
        return try (0..<chunks).map { c in try body((count * c / chunks)..<(count * (c + 1) / chunks)) }
    }
    let slots = ResultSlots<T>(count: chunks)
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let range = (count * c / chunks)..<(count * (c + 1) / chunks)
        slots.store(Result { try body(range) }, at: c)
    }
    return try slots.results()
}

/// Per-chunk results shared across threads.
private final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private var slots: [Result<T, any Error>?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ result: Result<T, any Error>, at index: Int) {
        lock.lock(); defer { lock.unlock() }
        slots[index] = result
    }

    func results() throws -> [T] {
        lock.lock(); defer { lock.unlock() }
        return try slots.map { try $0!.get() }
    }
}
