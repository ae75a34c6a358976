import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// What a reader may allocate on a file's word.
///
/// A file declares sizes (an HDF5 dataset's dimensions, a ZIP entry's
/// uncompressed size, a BIOM shape, a mothur `numOtus`) before its data.
/// Every reader compares a declared size with two things before it
/// allocates: what the file can hold (its bytes, or its compressed bytes
/// times deflate's largest ratio) and this budget, the machine's physical
/// memory. A size beyond either is refused with the size named, instead of
/// an allocation of gigabytes that aborts or swaps.
package enum MemoryBudget {
    /// The machine's physical memory, in bytes.
    package static let bytes: Int = Int(clamping: ProcessInfo.processInfo.physicalMemory)

    /// How far deflate can expand: 1,032 output bytes per input byte at most
    /// (RFC 1951: a 258-byte match costs at least two bits), plus a little for
    /// headers.
    package static func inflatedLimit(compressed: Int) -> Int {
        compressed.multipliedReportingOverflow(by: 1032).overflow ? .max : compressed * 1032 + (1 << 16)
    }

    /// `count` elements of `size` bytes, or `nil` when the product overflows.
    package static func byteCount(_ count: Int, of size: Int) -> Int? {
        let (product, overflow) = count.multipliedReportingOverflow(by: size)
        return overflow || count < 0 || size < 0 ? nil : product
    }

    /// Refuses `bytes` (nil: beyond any integer) needed for `what` when they
    /// exceed the machine's memory.
    package static func check(_ bytes: Int?, for what: String, file: String) throws {
        guard let bytes, bytes <= Self.bytes else {
            let size = bytes.map { "\(Self.describe($0))" } ?? "more bytes than a 64-bit integer counts"
            throw InputError(file: file, problem: "\(what) would need \(size) of memory, more than this machine's \(Self.describe(Self.bytes))",
                             fix: "Check the file is complete and undamaged; a table this large needs a machine with more memory")
        }
    }

    /// Memory free for new allocations now: the kernel's estimate
    /// (`MemAvailable` in /proc/meminfo: free memory plus the page cache and
    /// buffers it can reclaim), else the physical memory.
    package static func available() -> Int {
        #if os(Linux)
        let fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 8192)
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if got > 0 {
                let text = String(decoding: buffer.prefix(got), as: UTF8.self)
                for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
                    let digits = line.dropFirst("MemAvailable:".count).filter(\.isNumber)
                    if let kB = Int(digits), kB > 0 { return Swift.min(kB * 1024, bytes) }
                }
            }
        }
        #endif
        return bytes
    }

    /// Refuses `bytes` needed for `what` when they exceed the memory free
    /// now, naming both (and `fix`, what to do instead).
    package static func checkAvailable(_ bytes: Int?, for what: String, file: String, fix: String) throws {
        let free = available()
        guard let bytes, bytes <= free else {
            let size = bytes.map { Self.describe($0) } ?? "more bytes than a 64-bit integer counts"
            throw InputError(file: file, problem: "\(what) would need \(size) of memory, but \(Self.describe(free)) is free (of this machine's \(Self.describe(Self.bytes)))",
                             fix: fix)
        }
    }

    /// A byte count for a person: "512 bytes", "3.4 MB", "12.0 GB" (decimal units).
    package static func describe(_ bytes: Int) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        if unit == 0 { return "\(bytes) bytes" }
        let tenths = (value * 10).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10) \(units[unit])"
    }
}
