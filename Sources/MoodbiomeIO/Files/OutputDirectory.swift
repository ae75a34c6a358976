import Dispatch
import FoundationEssentials
import MoodbiomeNumerics
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory of outputs written as a whole: it only ever holds one
/// complete run.
///
/// The rules, checked by ``init(path:overwrite:inputs:expected:)`` before any
/// work is done:
/// - the path, if it exists, is a directory; the nearest existing ancestor
///   of a new one is a directory (not a file);
/// - an existing, non-empty directory is replaced only with `overwrite`, and
///   only when every entry in it is a file Moodbiome wrote — one listed in
///   its `provenance.json`, or one of the files this run writes — so a
///   user's own files are never deleted;
/// - no input lies inside it (inputs are never replaced);
/// - one run at a time: an exclusive lock (`flock`) on `.<name>.lock` beside
///   the directory is held from the check to the end of the write; a second
///   run into the same directory stops at once.
///
/// ``write(_:)`` builds the new directory as a temporary sibling, flushes
/// every file, and then swaps it in by renames, so readers see either the
/// old run or the new one, and a failure (a full disk) leaves the old run
/// untouched and no partial output.
public final class OutputDirectory {
    public let path: String
    private let parent: String
    private let name: String
    private let lockPath: String
    private var lockDescriptor: Int32 = -1

    /// The directory's marker of a Moodbiome run, listing its outputs.
    public static let provenanceFile = "provenance.json"

    /// Checks the rules and takes the lock.
    ///
    /// - Parameters:
    ///   - overwrite: replace an existing run (the CLI's `--force`).
    ///   - inputs: the run's input files, which must not be inside.
    ///   - expected: the files this run writes (relative paths).
    public init(path: String, overwrite: Bool, inputs: [String], expected: [String]) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        self.path = url.path
        self.parent = url.deletingLastPathComponent().path
        self.name = url.lastPathComponent
        // The lock is named after the directory's real place (symbolic links
        // resolved), so two spellings of one directory share one lock.
        let realParent = URL(fileURLWithPath: parent).resolvingSymlinksInPath().path
        self.lockPath = (realParent == "/" ? "" : realParent) + "/." + name + ".lock"
        if name.isEmpty || name == "/" {
            throw OutputError(path: path, problem: "the file system root cannot be an output directory", fix: "Name a new directory")
        }
        // The nearest existing ancestor must be a directory.
        var ancestor = URL(fileURLWithPath: parent)
        while FileIdentity(path: ancestor.path) == nil && ancestor.path != "/" { ancestor.deleteLastPathComponent() }
        if let a = FileIdentity(path: ancestor.path), !a.isDirectory {
            throw OutputError(path: path, problem: "'\(ancestor.path)' is a file, so the output directory cannot be created below it",
                              fix: "Choose an output directory whose parents are directories")
        }
        // The lock first, then the checks: what they see cannot change
        // under this run (a second run stops here, at once).
        try takeLock()
        if let existing = FileIdentity(path: self.path) {
            guard existing.isDirectory else {
                throw OutputError(path: path, problem: "exists and is not a directory", fix: "Name a directory for the outputs")
            }
            let entries = try Self.entries(of: self.path)
            for input in inputs {
                let resolved = URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path
                let inside = url.resolvingSymlinksInPath().path + "/"
                if resolved.hasPrefix(inside) {
                    throw OutputError(path: path, problem: "the output directory holds the input '\(input)'",
                                      fix: "Choose another output directory: inputs are never replaced")
                }
            }
            if !entries.isEmpty {
                // Files Moodbiome did not write are never replaced, with or
                // without overwrite: say so first, with the fix that works.
                let owned = Set(expected + Self.recordedOutputs(in: self.path) + [Self.provenanceFile])
                let foreign = entries.filter { !owned.contains($0) }
                if !foreign.isEmpty {
                    throw OutputError(path: path, problem: "the output directory holds files Moodbiome did not write (\(Self.list(foreign)))",
                                      fix: "The directory is replaced as a whole, so it must be new, empty or a previous run's; choose another output directory")
                }
                if !overwrite {
                    throw OutputError(path: path, problem: "the output directory already holds a previous run (\(Self.list(entries)))",
                                      fix: "Choose another output directory, or pass \(Parameter.overwrite.mention) to replace that run")
                }
            }
        }
    }

    deinit { releaseLock() }

    private func takeLock() throws {
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let fd = open(lockPath, O_CREAT | O_RDWR, 0o644)
        guard fd >= 0 else {
            throw OutputError(path: path, problem: "cannot create the lock file '\(lockPath)': \(String(cString: strerror(errno)))")
        }
        // A lock on a file another run has just unlinked is no lock: the
        // path must still name the locked file.
        var held = stat(), named = stat()
        if flock(fd, LOCK_EX | LOCK_NB) != 0 || fstat(fd, &held) != 0 || stat(lockPath, &named) != 0
            || held.st_ino != named.st_ino || held.st_dev != named.st_dev {
            close(fd)
            throw OutputError(path: path, problem: "another Moodbiome run is writing this output directory",
                              fix: "Wait for it to finish, or choose another output directory")
        }
        lockDescriptor = fd
    }

    private func releaseLock() {
        guard lockDescriptor >= 0 else { return }
        unlink(lockPath)
        flock(lockDescriptor, LOCK_UN)
        close(lockDescriptor)
        lockDescriptor = -1
    }

    /// Writes the run's files (relative paths; `figures/x.svg` makes the
    /// folder) and swaps the new directory in. Releases the lock.
    public func write(_ files: [OutputFile]) throws {
        defer { releaseLock() }
        var template = Array((parent + "/." + name + ".tmp-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw OutputError(path: path, problem: "cannot create a directory in '\(parent)': \(String(cString: strerror(errno)))")
        }
        let staging = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do {
            let mask = umask(0); umask(mask)
            chmod(staging, 0o777 & ~mask)
            for folder in Set(files.map { URL(fileURLWithPath: staging + "/" + $0.name).deletingLastPathComponent().path }).sorted()
            where folder != staging {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
            try Self.writeDurably(files, in: staging, reportedAs: path, mode: mode_t(0o666 & ~mask))
            // Swap: the old run (if any) moves aside, the new one takes its name.
            var old: String? = nil
            if FileIdentity(path: path) != nil {
                var oldTemplate = Array((parent + "/." + name + ".old-XXXXXX").utf8CString)
                guard oldTemplate.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
                    throw OutputError(path: path, problem: "cannot create a directory in '\(parent)': \(String(cString: strerror(errno)))")
                }
                let aside = String(decoding: oldTemplate.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                guard rename(path, aside) == 0 else {
                    let reason = String(cString: strerror(errno))
                    rmdir(aside)
                    throw OutputError(path: path, problem: "cannot replace the previous run: \(reason)")
                }
                old = aside
            }
            if rename(staging, path) != 0 {
                let reason = String(cString: strerror(errno))
                if let old { rename(old, path) }
                throw OutputError(path: path, problem: "cannot put the new run in place: \(reason)")
            }
            if let old { try? FileManager.default.removeItem(atPath: old) }
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// Writes `files` into `directory` (new names), each on disk before this
    /// returns: written on all cores, then every file's `fsync` at once, on
    /// a thread of its own, so that the waits on the disk overlap (the
    /// journal commits them together) instead of queueing two by two.
    static func writeDurably(_ files: [OutputFile], in directory: String, reportedAs path: String, mode: mode_t) throws {
        let written = parallelChunkMap(count: files.count) { range in
            files[range].map { output -> Result<Int32, OutputError> in
                let fd = open(directory + "/" + output.name, O_CREAT | O_EXCL | O_WRONLY, mode)
                guard fd >= 0 else { return .failure(OutputError(path: path + "/" + output.name, problem: "cannot create the file: \(String(cString: strerror(errno)))")) }
                if let failure = writeAll(fd, output.bytes) {
                    close(fd)
                    return .failure(OutputError(path: path + "/" + output.name, problem: "cannot write the output: \(failure)"))
                }
                return .success(fd)
            }
        }.flatMap { $0 }
        let opened = written.compactMap { try? $0.get() }
        if let failed = written.first(where: { (try? $0.get()) == nil }) {
            for fd in opened { close(fd) }
            _ = try failed.get()
        }
        let failures = SyncFailures(count: opened.count)
        let group = DispatchGroup(), queue = DispatchQueue(label: "moodbiome.fsync", attributes: .concurrent)
        for (k, fd) in opened.enumerated() {
            queue.async(group: group) { if fsync(fd) != 0 { failures.record(k, String(cString: strerror(errno))) } }
        }
        group.wait()
        for fd in opened { close(fd) }
        if let (k, failure) = failures.first {
            throw OutputError(path: path + "/" + files[k].name, problem: "cannot write the output: \(failure)")
        }
    }

    /// Every file below `directory`, as relative paths (folders are not
    /// listed, their files are).
    public static func files(in directory: String) throws -> [String] { try entries(of: directory) }

    static func entries(of directory: String) throws -> [String] {
        var out = [String]()
        guard let entries = try? FileManager.default.subpathsOfDirectory(atPath: directory) else { return [] }
        for entry in entries {
            var isDirectory = false
            if FileManager.default.fileExists(atPath: directory + "/" + entry, isDirectory: &isDirectory), isDirectory { continue }
            out.append(entry)
        }
        return out.sorted()
    }

    /// The output files a run's `provenance.json` lists (none when absent or unreadable).
    public static func recordedOutputs(in directory: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: directory + "/" + provenanceFile),
              let outputs = (try? JSONValue.parse([UInt8](data)))?["outputs"]?.array else { return [] }
        return outputs.compactMap { $0["file"]?.string }
    }

    static func list(_ names: [String]) -> String {
        names.count <= 8 ? names.joined(separator: ", ") : names.prefix(8).joined(separator: ", ") + ", … (\(names.count - 8) more)"
    }
}

/// The `fsync` failures of ``OutputDirectory/writeDurably(_:in:reportedAs:mode:)``,
/// one slot per file, each written by its own thread.
private final class SyncFailures: Sendable {
    private let failures: Mutex<[String?]>

    init(count: Int) { failures = Mutex(Array(repeating: nil, count: count)) }

    func record(_ k: Int, _ failure: String) { failures.withLock { $0[k] = failure } }

    /// The first file (in order) whose `fsync` failed.
    var first: (Int, String)? {
        failures.withLock { all in all.indices.first { all[$0] != nil }.map { ($0, all[$0]!) } }
    }
}
