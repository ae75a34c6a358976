import CHDF5
import FoundationEssentials
import MoodbiomeNumerics
#if canImport(Glibc)
import Glibc
#endif

/// BIOM 2.1 tables read by HDF5 in a child process.
///
/// HDF5 1.10 can overflow a heap buffer or ask for absurd memory on a
/// damaged or hostile file, inside the library, before any check of
/// Moodbiome's can apply (Tests/Fuzz/corpus/biom2/hdf5-*). So the file is
/// read by `moodbiome-hdf5`, a small program installed beside `moodbiome`,
/// which sends back what HDF5 found (``BIOM2Layout``); if HDF5 crashes, only that
/// process dies, and the file is refused with a clear message. When the
/// helper is not there (a library embedding Moodbiome, a build without it),
/// HDF5 runs in this process as before.
///
/// The pipe carries, little-endian: "MBH5", a version byte, then a status
/// byte — 0 and the table (``TableWire``), 1 and an input error, 2 and the
/// reason HDF5 could not be loaded.
public enum HDF5Process {
    /// The helper's file name, beside the running program.
    public static let helperName = "moodbiome-hdf5"
    /// The environment variable that gives the helper its parent's process ID.
    static let parentVariable = "MOODBIOME_HDF5_PARENT"

    /// Seconds the helper may go without sending a byte before it is taken
    /// to hang in HDF5 and stopped (describing a 10⁷-non-zero table takes
    /// well under one). `MOODBIOME_HDF5_PATIENCE` (1–600) changes it, for the
    /// corpus replay and fuzzing campaigns, which meet files that loop HDF5
    /// 1.10 (Tests/Fuzz/corpus/biom2/hdf5-loop-*) and cannot wait a minute each.
    static let patience: Int = {
        if let text = getenv("MOODBIOME_HDF5_PATIENCE"), let seconds = Int(String(cString: text)), (1...600).contains(seconds) {
            return seconds
        }
        return 60
    }()

    /// The helper beside the running executable, if it is there.
    static let helper: String? = {
        if let forced = getenv("MOODBIOME_HDF5_HELPER") {
            let path = String(cString: forced)
            return path.isEmpty ? nil : path
        }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let exe = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let path = String(exe[..<(exe.lastIndex(of: "/") ?? exe.startIndex)]) + "/" + helperName
        return access(path, X_OK) == 0 ? path : nil
    }()

    /// Reads the BIOM 2.1 file at `path` in the helper; nil when there is no helper.
    static func read(path: String) throws -> CountTable? {
        guard let helper else { return nil }
        return try run(helper, arguments: ["read", path, path], source: path, descriptor: nil, decode: TableWire.decode).table(from: .file(path), source: path)
    }

    /// Describes the distance file at `path` in the helper (``DistanceFileLayout``); nil when there is no helper.
    static func describeDistances(path: String) throws -> DistanceFileLayout? {
        guard let helper else { return nil }
        return try run(helper, arguments: ["distances", path, path], source: path, descriptor: nil, decode: TableWire.decodeDistances)
    }

    /// Reads an HDF5 file image (a table inside a `.qza`) in the helper,
    /// handed over as an anonymous in-memory file; nil when there is no helper.
    static func read(image: [UInt8], source: String) throws -> CountTable? {
        guard let helper else { return nil }
        let fd = mb_memfd("moodbiome-biom")
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var file = TableWire.Writer(fd: fd, bulk: fd)
        file.raw(image)
        guard file.flush() else { return nil }
        return try run(helper, arguments: ["image", "/proc/self/fd/3", source], source: source, descriptor: fd, decode: TableWire.decode)
            .table(from: .image(image), source: source)
    }

    /// Starts the helper for a BIOM 2.1 table's layout.
    static func run(_ helper: String, arguments: [String], source: String, descriptor: Int32?,
                    patience: Int = patience) throws -> BIOM2Layout {
        try run(helper, arguments: arguments, source: source, descriptor: descriptor, patience: patience, decode: TableWire.decode)
    }

    /// Starts the helper, reads its answer, waits for it.
    static func run<Answer>(_ helper: String, arguments: [String], source: String, descriptor: Int32?,
                            patience: Int = patience,
                            decode: (PipeReader, Int32, String) throws -> Answer) throws -> Answer {
        func failure(_ code: Int32) -> InputError {
            InputError(file: source, problem: "cannot start \(helperName): \(String(cString: strerror(code)))")
        }
        var pipeEnds: [Int32] = [0, 0]
        guard mb_pipe_cloexec(&pipeEnds) == 0 else { throw failure(errno) }
        defer { close(pipeEnds[0]) }
        // The arrays come back through an in-memory file.
        let bulk = mb_memfd("moodbiome-table")
        guard bulk >= 0 else { close(pipeEnds[1]); throw failure(errno) }
        defer { close(bulk) }
        // The child's 1 (the pipe), 3 (the image, if any) and 4 (the arrays),
        // each from a copy above 9, so that no dup2 lands on its own number
        // (which would leave it close-on-exec) or on a later source.
        let wanted: [(Int32, Int32)] = [(pipeEnds[1], Int32(1)), (bulk, Int32(4))] + (descriptor.map { [($0, Int32(3))] } ?? [])
        let moved = wanted.map { (fcntl($0.0, F_DUPFD_CLOEXEC, 10), $0.1) }
        close(pipeEnds[1])   // only its copy is kept, until the child has it
        // The parent's copies of the child's ends are closed once each (a
        // number closed twice may by then be another thread's file), right
        // after the spawn: the pipe then ends when the child does.
        var movedOpen = true
        func closeMoved() {
            if movedOpen { for (fd, _) in moved where fd >= 0 { close(fd) } }
            movedOpen = false
        }
        defer { closeMoved() }
        guard moved.allSatisfy({ $0.0 >= 0 }) else { throw failure(errno) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (fd, target) in moved { posix_spawn_file_actions_adddup2(&actions, fd, target) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([helper] + arguments).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let environment = ([parentVariable + "=\(getpid())"] + Self.environment()).map { strdup($0) } + [nil]
        defer { for e in environment { free(e) } }
        let status = posix_spawn(&pid, helper, &actions, nil, argv, environment)
        closeMoved()
        guard status == 0 else { throw failure(status) }
        _ = mb_pipe_size(pipeEnds[0], 1 << 20)
        let answer = Result { try decode(PipeReader(fd: pipeEnds[0], patience: patience), bulk, source) }
        if case .failure(let error) = answer, error is PipeReader.Silent { kill(pid, SIGKILL) }
        var exit: Int32 = 0
        while waitpid(pid, &exit, 0) < 0 && errno == EINTR {}
        if case .success(let layout) = answer, exit == 0 { return layout }
        if case .failure(let error) = answer, error is PipeReader.Silent {
            throw InputError(file: source, problem: "HDF5 stopped answering while reading this file (nothing for \(patience) s): the file is damaged, or made to loop HDF5",
                             fix: "Export the table again (biom convert, or qiime tools export)")
        }
        if case .failure(let error) = answer, !(error is TableWire.Truncated) { throw error }
        let how = (exit & 0x7f) != 0 ? "signal \(exit & 0x7f)" : "exit status \((exit >> 8) & 0xff)"
        throw InputError(file: source, problem: "HDF5 failed while reading this file (\(helperName) ended with \(how)): the file is damaged, or made to break HDF5",
                         fix: "Export the table again (biom convert, or qiime tools export)")
    }

    /// This process' environment without a parent ID of its own.
    static func environment() -> [String] {
        var out = [String]()
        var p = environ
        while let entry = p.pointee {
            let text = String(cString: entry)
            if !text.hasPrefix(parentVariable + "=") { out.append(text) }
            p += 1
        }
        return out
    }

    /// The helper's work: reads `arguments` = ["read", path, source] (a
    /// BIOM 2.1 file) or ["image", path, source] (a file holding an HDF5
    /// image, read whole and opened in memory: HDF5 cannot open an
    /// anonymous file by its /proc path) with HDF5 in this process, and
    /// writes the answer to standard output. Returns the exit status.
    public static func helperMain(_ arguments: [String]) -> Int32 {
        guard arguments.count == 3, ["read", "image", "distances"].contains(arguments[0]) else {
            let usage = "usage: \(helperName) read|image|distances FILE SOURCE-NAME (started by moodbiome to read BIOM 2.1 tables and distance matrices)\n"
            _ = usage.withCString { Glibc.write(2, $0, strlen($0)) }
            return 64
        }
        // Never outlive moodbiome: a helper left looping in HDF5 by a parent
        // that was killed would spin on a core for ever.
        if let parent = getenv(parentVariable).flatMap({ Int32(String(cString: $0)) }), mb_end_with_parent(parent) != 0 {
            return 75
        }
        var out = TableWire.Writer(fd: 1, bulk: 4)
        do {
            switch arguments[0] {
            case "distances":
                TableWire.encode(try DistanceHDF5.layoutInProcess(path: arguments[1], source: arguments[2]), into: &out)
            case "read":
                TableWire.encode(try BIOM2.layoutInProcess(path: arguments[1], source: arguments[2]), into: &out)
            default:
                TableWire.encode(try BIOM2.layoutInProcess(image: FileBytes.contents(of: arguments[1]), source: arguments[2]), into: &out)
            }
        } catch let error as InputError {
            TableWire.encode(error, into: &out)
        } catch let error as SystemLibrary.Unavailable {
            TableWire.encode(unavailable: error.reason, into: &out)
        } catch {
            TableWire.encode(InputError(file: arguments[2], problem: "\(error)"), into: &out)
        }
        return out.flush() ? 0 : 74
    }
}

/// Reads exactly the bytes asked for from a descriptor: small reads from
/// a buffer (a table's IDs are many short strings), large ones straight
/// into their destination.
final class PipeReader {
    let fd: Int32
    /// Seconds to wait for the next bytes.
    let patience: Int
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var start = 0, end = 0

    /// Nothing came for `patience` seconds.
    struct Silent: Error {}

    init(fd: Int32, patience: Int) { self.fd = fd; self.patience = patience }

    func fill(_ target: UnsafeMutableRawBufferPointer) throws {
        guard let base = target.baseAddress else { return }
        var done = Swift.min(target.count, end - start)
        if done > 0 {
            buffer.withUnsafeBytes { base.copyMemory(from: $0.baseAddress! + start, byteCount: done) }
            start += done
        }
        if done == target.count { return }
        if target.count - done >= buffer.count / 2 {
            while done < target.count { done += try read(into: base + done, count: target.count - done) }
            return
        }
        start = 0
        end = try buffer.withUnsafeMutableBytes { try read(into: $0.baseAddress!, count: $0.count) }
        try fill(UnsafeMutableRawBufferPointer(rebasing: target[done...]))
    }

    /// One read(2), at least one byte.
    private func read(into target: UnsafeMutableRawPointer, count: Int) throws -> Int {
        while true {
            var wait = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&wait, 1, Int32(patience * 1000))
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { throw Silent() }
            let n = Glibc.read(fd, target, count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw TableWire.Truncated() }
            return n
        }
    }
}
