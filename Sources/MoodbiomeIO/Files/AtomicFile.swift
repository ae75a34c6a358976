import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The identity of a file (device and inode), through symbolic links.
struct FileIdentity: Equatable {
    let device: UInt64
    let inode: UInt64
    let mode: UInt32

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        mode = UInt32(info.st_mode)
    }

    var isRegularFile: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFREG) }
    var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }
    /// A character device (`/dev/null`, a terminal) or a FIFO: written by
    /// streaming into it, never replaced.
    var isStream: Bool {
        let kind = mode & UInt32(S_IFMT)
        return kind == UInt32(S_IFCHR) || kind == UInt32(S_IFIFO)
    }
    func sameFile(as other: FileIdentity) -> Bool { device == other.device && inode == other.inode }
}

/// The size in bytes of the file at `path` (through symbolic links), from
/// `stat(2)`; nil when it cannot be read. Not Foundation's attribute
/// dictionary: its `.size` bridges to `Int` only where full Foundation is
/// loaded, and the release binary carries FoundationEssentials alone.
public func fileSize(_ path: String) -> Int? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return Int(info.st_size)
}

/// Checks, before any work is done, that every input is a regular file: a
/// run that records provenance fingerprints its inputs (SHA-256), and a
/// pipe (`/dev/stdin`, `<(…)`) or a device read once cannot be read again.
///
/// - Throws: `InputError` naming the input.
public func checkFingerprintable(_ inputs: [String]) throws {
    for path in inputs {
        guard let identity = FileIdentity(path: path) else { continue }   // a missing file is the reader's error
        if !identity.isRegularFile && !identity.isDirectory {
            throw InputError(file: path, problem: "is a pipe or a device, not a file; this command records a SHA-256 of every input in provenance.json, which needs a file it can read again",
                             fix: "Save the data to a file first and give its path")
        }
    }
}

/// Checks, before any work is done, that `path` can receive an output file.
///
/// - the directory it goes in exists;
/// - unless `overwrite`, nothing is there yet;
/// - it is not one of `inputs` (compared by device and inode, so a
///   symbolic link or another spelling of an input is caught too): inputs
///   are never replaced;
/// - an existing target that is a character device or a FIFO (`/dev/null`,
///   `/dev/stdout`) is written by streaming into it, never replaced; any
///   other non-regular target (a directory, a socket) is refused.
///
/// - Returns: the directory.
/// - Throws: `OutputError` saying which rule and how to fix it.
@discardableResult
public func checkOutputPath(_ path: String, overwrite: Bool, inputs: [String] = []) throws -> String {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    if let existing = FileIdentity(path: path) {
        for input in inputs {
            if let other = FileIdentity(path: input), other.sameFile(as: existing) {
                throw OutputError(path: path, problem: "the output is the input file '\(input)'",
                                  fix: "Write the output to another file: inputs are never replaced")
            }
        }
        if existing.isDirectory {
            throw OutputError(path: path, problem: "the output path is a directory", fix: "Give a file name")
        }
        if !existing.isRegularFile && !existing.isStream {
            throw OutputError(path: path, problem: "the output path exists and is not a regular file",
                              fix: "Give the path of a regular file")
        }
        if !overwrite && existing.isRegularFile {
            throw OutputError(path: path, problem: "the output file already exists", fix: "Pass \(Parameter.overwrite.mention) to replace it, or choose another name")
        }
    }
    guard let parent = FileIdentity(path: directory), parent.isDirectory else {
        throw OutputError(path: path, problem: "the output directory '\(directory)' does not exist", fix: "Create it first")
    }
    return directory
}

/// Checks that no two outputs of one command name the same file.
public func checkDistinctOutputs(_ paths: [String]) throws {
    var seen = [(String, String)]()
    for path in paths {
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        if let (first, _) = seen.first(where: { $0.1 == resolved }) {
            throw OutputError(path: path, problem: "two outputs name the same file ('\(first)' and '\(path)')",
                              fix: "Give each output its own file")
        }
        seen.append((path, resolved))
    }
}

/// Writes `contents` to `path` atomically: into a temporary file in the same
/// directory, flushed, then renamed over the destination. Readers never see a
/// half-written file, and a failure leaves no partial output behind. A
/// character device or FIFO target is streamed into instead (see
/// ``checkOutputPath(_:overwrite:inputs:)``).
///
/// - Parameter overwrite: replace an existing file; without it an existing
///   file is an error (the CLI's `--force`).
/// - Throws: `OutputError` when the file exists (and `overwrite` is false), the
///   directory is missing or not writable, or the write fails.
public func writeFileAtomically(_ contents: String, to path: String, overwrite: Bool, inputs: [String] = []) throws {
    try writeFileAtomically(Array(contents.utf8), to: path, overwrite: overwrite, inputs: inputs)
}

/// Writes `bytes` to `path` atomically; see ``writeFileAtomically(_:to:overwrite:inputs:)-(String,_,_,_)``.
public func writeFileAtomically(_ bytes: [UInt8], to path: String, overwrite: Bool, inputs: [String] = []) throws {
    let directory = try checkOutputPath(path, overwrite: overwrite, inputs: inputs)
    if let existing = FileIdentity(path: path), existing.isStream {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { throw OutputError(path: path, problem: "cannot open for writing: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if let failure = writeAll(fd, bytes) {
            throw OutputError(path: path, problem: "cannot write the output: \(failure)")
        }
        return
    }
    let temporary = try temporaryPath(in: directory, for: URL(fileURLWithPath: path).lastPathComponent, path: path)
    var failure = writeAll(temporary.fd, bytes)
    if failure == nil && fsync(temporary.fd) != 0 { failure = String(cString: strerror(errno)) }
    // mkstemp creates 0600; give the file the usual permissions (umask applies).
    let mask = umask(0); umask(mask)
    fchmod(temporary.fd, 0o666 & ~mask)
    close(temporary.fd)
    if failure == nil && rename(temporary.path, path) != 0 { failure = String(cString: strerror(errno)) }
    if let failure {
        unlink(temporary.path)
        throw OutputError(path: path, problem: "cannot write the output: \(failure)")
    }
}

/// Writes every byte to `fd`; the error text, or nil on success.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> String? {
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return String(cString: strerror(errno)) }
        written += n
    }
    return nil
}

/// A new, empty, exclusively created file `.<name>.tmp-XXXXXX` in `directory`.
func temporaryPath(in directory: String, for name: String, path: String) throws -> (path: String, fd: Int32) {
    var template = Array((directory + "/." + name + ".tmp-XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else {
        throw OutputError(path: path, problem: "cannot create a file in '\(directory)': \(String(cString: strerror(errno)))")
    }
    return (String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), fd)
}

/// Writes to standard output; the error text, or nil on success. A closed
/// pipe or a full device is reported, never a crash (SIGPIPE must be
/// ignored by the program for a closed pipe to be reported as EPIPE).
public func writeStandardOutput(_ bytes: [UInt8]) -> String? { writeAll(1, bytes) }

/// Writes to standard error, ignoring failures (there is nowhere left to report them).
public func writeStandardError(_ bytes: [UInt8]) { _ = writeAll(2, bytes) }

/// The system's folder for temporary files (`TMPDIR`, else /tmp), ending in "/".
public var temporaryFolder: String {
    let path = FileManager.default.temporaryDirectory.path
    return path.hasSuffix("/") ? path : path + "/"
}
