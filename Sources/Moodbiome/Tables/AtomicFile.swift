import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks, before any work is done, that `path` can receive an output:
/// its directory exists and, unless `overwrite`, no file is there yet.
/// Returns the directory.
///
/// - Throws: `InputError` saying which and how to fix it.
@discardableResult
public func checkOutputPath(_ path: String, overwrite: Bool) throws -> String {
    if !overwrite && FileManager.default.fileExists(atPath: path) {
        throw InputError(file: path, problem: "the output file already exists", fix: "Pass --force to replace it, or choose another name")
    }
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw InputError(file: path, problem: "the output directory '\(directory)' does not exist", fix: "Create it first")
    }
    return directory
}

/// Writes `contents` to `path` atomically: into a temporary file in the same
/// directory, flushed, then renamed over the destination. Readers never see a
/// half-written file, and a failure leaves no partial output behind.
///
/// - Parameter overwrite: replace an existing file; without it an existing
///   file is an error (the CLI's `--force`).
/// - Throws: `InputError` when the file exists (and `overwrite` is false), the
///   directory is missing or not writable, or the write fails.
public func writeFileAtomically(_ contents: String, to path: String, overwrite: Bool) throws {
    let directory = try checkOutputPath(path, overwrite: overwrite)
    var template = Array((directory + "/." + URL(fileURLWithPath: path).lastPathComponent + ".tmp-XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else {
        throw InputError(file: path, problem: "cannot create a file in '\(directory)': \(String(cString: strerror(errno)))")
    }
    let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let bytes = Array(contents.utf8)
    var written = 0
    var failure: String? = nil
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
        if n <= 0 { failure = String(cString: strerror(errno)); break }
        written += n
    }
    if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
    // mkstemp creates 0600; give the file the usual permissions (umask applies).
    let mask = umask(0); umask(mask)
    fchmod(fd, 0o666 & ~mask)
    close(fd)
    if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
    if let failure {
        unlink(temporary)
        throw InputError(file: path, problem: "cannot write the output: \(failure)")
    }
}
