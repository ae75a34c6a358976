#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of an input file, memory-mapped read-only.
///
/// Mapping avoids copying the file and lets the parser hand pages back as it
/// goes (``release(_:)``), so a table's bytes and its matrix are never both
/// fully resident. Inputs are never modified: the mapping is private and
/// read-only. Pipes and empty files are read into memory instead.
package final class FileBytes: @unchecked Sendable {
    /// The bytes; valid while this object lives.
    let buffer: UnsafeBufferPointer<UInt8>
    private let mapping: UnsafeMutableRawPointer?
    private let owned: UnsafeMutableBufferPointer<UInt8>?

    var count: Int { buffer.count }

    /// Maps the file at `path`.
    ///
    /// - Throws: `InputError` for a missing, unreadable or directory path.
    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw InputError(file: path, problem: "cannot open the file: \(reason)",
                             fix: "Check the path (it is relative to the current directory)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw InputError(file: path, problem: "cannot read the file: \(String(cString: strerror(errno)))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw InputError(file: path, problem: "is a directory, not a table file", fix: "Give the path of a CSV or TSV file")
        }
        let size = Int(info.st_size)
        let kind = info.st_mode & S_IFMT
        if kind == S_IFCHR || kind == S_IFBLK {
            throw InputError(file: path, problem: "is a device, not a file (a device such as /dev/zero never ends)",
                             fix: "Give the path of a table file, or pipe the table in (cat table.csv | moodbiome … /dev/stdin)")
        }
        if kind != S_IFREG || size == 0 {
            // Pipes and empty files: read what there is, up to half the
            // machine's memory (an endless stream is refused, not followed).
            let limit = MemoryBudget.bytes / 2
            var bytes = [UInt8]()
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                if n <= 0 { break }
                bytes.append(contentsOf: chunk[0..<n])
                if bytes.count > limit {
                    throw InputError(file: path, problem: "the stream has gone on for more than \(MemoryBudget.describe(limit)), half this machine's memory, without ending",
                                     fix: "Write the table to a file first; a stream is held in memory whole")
                }
            }
            let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
            _ = copy.initialize(from: bytes)
            owned = copy
            mapping = nil
            buffer = UnsafeBufferPointer(copy)
            return
        }
        // A file up to 256 MiB has its pages mapped in one call (MAP_POPULATE)
        // instead of one fault per 4 KiB page; a larger one is faulted in as
        // the parser reaches it and handed back behind it.
        #if os(Linux)
        let populate = size <= 256 << 20 ? MAP_POPULATE : 0
        #else
        let populate: Int32 = 0
        #endif
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE | populate, fd, 0), address != MAP_FAILED else {
            throw InputError(file: path, problem: "cannot map the file into memory: \(String(cString: strerror(errno)))")
        }
        madvise(address, size, MADV_SEQUENTIAL)
        mapping = address
        owned = nil
        buffer = UnsafeBufferPointer(start: address.assumingMemoryBound(to: UInt8.self), count: size)
    }

    /// A whole input file's bytes, by the rules of ``init(path:)``: a
    /// directory or device refused, a stream bounded by memory.
    package static func contents(of path: String) throws -> [UInt8] {
        let file = try FileBytes(path: path)
        // The mapping lives as long as `file`: copy before it is released.
        return withExtendedLifetime(file) { Array(file.buffer) }
    }

    /// The first `count` bytes of a file (fewer if it is shorter), for
    /// recognising its format.
    ///
    /// - Throws: `InputError` for a missing, unreadable or directory path.
    static func prefix(of path: String, count: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw InputError(file: path, problem: "cannot open the file: \(reason)",
                             fix: "Check the path (it is relative to the current directory)")
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw InputError(file: path, problem: "is a directory, not a table file", fix: "Give the path of a table file")
        }
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
            // A pipe cannot be read twice: its format is told by its name.
            return []
        }
        var buffer = [UInt8](repeating: 0, count: count)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, count) }
        return Array(buffer.prefix(Swift.max(0, n)))
    }

    deinit {
        if let mapping { munmap(mapping, buffer.count) }
        owned?.deallocate()
    }

    /// Tells the kernel the whole pages inside `range` are no longer needed,
    /// so they leave the resident set (they would be read again from the file
    /// if touched). A no-op for in-memory bytes.
    func release(_ range: Range<Int>) {
        guard let mapping else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (range.lowerBound + page - 1) / page * page
        let end = range.upperBound / page * page
        if end > start { madvise(mapping + start, end - start, MADV_DONTNEED) }
    }

    /// Bytes `range` copied into an array (for short pieces: header, comments).
    subscript(range: Range<Int>) -> ArraySlice<UInt8> { Array(buffer[range])[...] }

    subscript(index: Int) -> UInt8 { buffer[index] }
}
