import FoundationEssentials
import MoodbiomeIO
import MoodbiomeNumerics
import Synchronization

/// A progress bar on standard error for long work — drawn only when
/// standard error is a terminal, so logs and pipes stay clean.
public final class ProgressBar: Sendable {
    private let label: String
    private let total: Int
    private let enabled: Bool
    private let lastPercent = Mutex(-1)

    /// - Parameters:
    ///   - enabled: draw at all (default: standard error is a terminal).
    public init(label: String, total: Int, enabled: Bool = isatty(STDERR_FILENO) != 0) {
        self.label = label
        self.total = Swift.max(total, 1)
        self.enabled = enabled && total > 1
    }

    /// Reports that `done` of `total` steps are finished.
    public func update(_ done: Int) {
        guard enabled else { return }
        let percent = Swift.min(100, done * 100 / total)
        lastPercent.withLock { last in
            guard percent != last else { return }
            last = percent
            let width = 30, filled = percent * width / 100
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            writeStandardError(Array("\r\(label) [\(bar)] \(percent)%".utf8))
            if done >= total { writeStandardError(Array("\n".utf8)) }
        }
    }

    /// Clears the line (when the work ends early).
    public func finish() {
        guard enabled, lastPercent.withLock({ $0 }) < 100 else { return }
        writeStandardError(Array("\n".utf8))
    }
}
