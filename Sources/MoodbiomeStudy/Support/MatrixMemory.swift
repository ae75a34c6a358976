import FoundationEssentials
import MoodbiomeIO

/// The memory a job on an n × n distance matrix needs, stated before any
/// work starts and checked against what is free then — no fixed sample
/// limit, what this machine holds.
enum MatrixMemory {
    /// Jobs needing this much or more say so before they start.
    static let statedFrom = 1 << 30

    /// The check `DistanceMatrix.read` calls with n: `copies` n × n
    /// matrices of doubles for `what`, said when large, refused (with `fix`)
    /// when more than is free.
    static func plan(copies: Int, what: String, fix: String, file: String, report: @escaping (String) -> Void) -> (Int) throws -> Void {
        { n in
            let bytes = MemoryBudget.byteCount(n, of: n).flatMap { MemoryBudget.byteCount($0, of: 8 * copies) }
            let free = MemoryBudget.available()
            if let bytes, bytes >= statedFrom && bytes <= free {
                report("note: \(n) samples: about \(MemoryBudget.describe(bytes)) of memory for \(what) (\(copies) n × n matrices of doubles); "
                       + "\(MemoryBudget.describe(free)) free of \(MemoryBudget.describe(MemoryBudget.bytes))")
            }
            try MemoryBudget.checkAvailable(bytes, for: "\(what) for \(n) samples", file: file, fix: fix)
        }
    }
}
