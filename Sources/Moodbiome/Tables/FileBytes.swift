#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file into memory with one `read(2)` loop, no intermediate
/// copies. Missing, unreadable and directory paths become `InputError`s.
func readFileBytes(_ path: String) throws -> [UInt8] {
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
    var bytes = [UInt8]()
    var capacity = Swift.max(Int(info.st_size), 0) + 1
    bytes.reserveCapacity(capacity)
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    // Read straight into the array's spare capacity when the size is known;
    // fall back to chunked reads for pipes and special files.
    var total = 0
    bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
        while total < capacity {
            let n = read(fd, buffer.baseAddress! + total, capacity - total)
            if n <= 0 { break }
            total += n
        }
        initialized = total
    }
    if total == capacity {
        // The file grew or is not a regular file: keep reading in chunks.
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        capacity = bytes.count
    }
    return bytes
}
