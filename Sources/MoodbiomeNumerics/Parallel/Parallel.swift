import Dispatch
import Synchronization
import FoundationEssentials

/// How many threads the parallel loops use: the machine's active cores, or
/// `MOODBIOME_THREADS` when set. Results never depend on it: work is split
/// into chunks whose outputs are combined in chunk order. Read once per
/// process (the core count reads two cgroup files each time it is asked).
package let parallelWidth: Int = {
    if let text = ProcessInfo.processInfo.environment["MOODBIOME_THREADS"], let n = Int(text), n > 0 {
        return n
    }
    return Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
}()

/// Maps contiguous chunks of `0..<count` to results, in parallel when there
/// is more than one chunk, and returns the results in chunk order.
///
/// Chunks are disjoint and cover the range, so `body` may also write
/// per-index results into disjoint storage. If chunks throw, the error of
/// the lowest chunk is rethrown, so the error reported for bad input is the
/// first one in the file whatever the thread timing. The loop throws only
/// what `body` throws (typed throws: a body that cannot throw makes a call
/// that cannot throw).
package func parallelChunkMap<T: Sendable, Failure: Error>(
    count: Int, minimumPerChunk: Int = 1,
    _ body: @Sendable (Range<Int>) throws(Failure) -> T
) throws(Failure) -> [T] {
    if count == 0 { return [] }
    let width = parallelWidth
    let chunks = Swift.max(1, Swift.min(width * 4, count / Swift.max(minimumPerChunk, 1)))
    @Sendable func range(_ c: Int) -> Range<Int> { (count * c / chunks)..<(count * (c + 1) / chunks) }
    if chunks == 1 || width == 1 {
        var out = [T]()
        out.reserveCapacity(chunks)
        for c in 0..<chunks { out.append(try body(range(c))) }
        return out
    }
    let slots = ResultSlots<T, Failure>(count: chunks)
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
        slots.store(Result { () throws(Failure) -> T in try body(range(c)) }, at: c)
    }
    var out = [T]()
    out.reserveCapacity(chunks)
    for result in slots.all() { out.append(try result.get()) }
    return out
}

/// Per-chunk results shared across threads.
private final class ResultSlots<T: Sendable, Failure: Error>: Sendable {
    private let slots: Mutex<[Result<T, Failure>?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func store(_ result: Result<T, Failure>, at index: Int) {
        slots.withLock { $0[index] = result }
    }

    /// Every slot, in order; each was stored by `concurrentPerform` before it returned.
    func all() -> [Result<T, Failure>] {
        slots.withLock { $0.compactMap { $0 } }
    }
}

/// `prefix` then each chunk's elements, in order, as one array: each chunk
/// copied to its place on all cores, so that the fresh pages of a large
/// result (the per-taxon scores of a whole stratified table, their CSV text:
/// a hundred megabytes each) are faulted in on every core, in huge pages,
/// instead of on one as `flatMap` or appending does. The same array as
/// `prefix + chunks.flatMap { $0 }`.
package func parallelJoined<T: Sendable>(_ chunks: [[T]], prefix: [T] = []) -> [T] {
    let offsets = chunks.reduce(into: [prefix.count]) { $0.append($0[$0.count - 1] + $1.count) }
    let total = offsets[offsets.count - 1]
    guard total > 0 else { return [] }
    return [T](unsafeUninitializedCapacity: total) { buffer, count in
        let base = buffer.baseAddress!
        adviseHugePages(UnsafeMutableRawPointer(base), byteCount: total * MemoryLayout<T>.stride)
        prefix.withUnsafeBufferPointer { if let from = $0.baseAddress { base.initialize(from: from, count: $0.count) } }
        let target = JoinTarget(base: base)
        _ = parallelChunkMap(count: chunks.count) { range in
            for k in range {
                chunks[k].withUnsafeBufferPointer { chunk in
                    if let from = chunk.baseAddress { (target.base + offsets[k]).initialize(from: from, count: chunk.count) }
                }
            }
        }
        count = total
    }
}

/// Where ``parallelJoined(_:prefix:)``'s chunks are copied: each to its own positions.
private struct JoinTarget<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

/// A value computed on a background thread while the caller goes on —
/// the next block of a file read while the current one is worked on.
/// `value()` waits for it; wait for every one started before returning,
/// so that no work is left running (a library call under way at exit).
package final class Prefetched<T: Sendable>: @unchecked Sendable {
    private var result: Result<T, any Error>?
    private let finished = DispatchSemaphore(value: 0)

    package init(_ work: @escaping @Sendable () throws -> T) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            result = Result { try work() }
            finished.signal()
        }
    }

    /// The value, or the error computing it threw (waits until then).
    package func value() throws -> T {
        finished.wait()
        defer { finished.signal() }
        return try result!.get()
    }
}
