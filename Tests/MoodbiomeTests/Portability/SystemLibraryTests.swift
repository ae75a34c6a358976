import Foundation
import Testing
@testable import MoodbiomeNumerics
@testable import MoodbiomeReport

/// The system libraries are loaded at first use: the executable links none
/// of them, a job loads only those it uses, and a missing one is an error
/// that names the packages, before any output.
@Suite("System libraries loaded at first use")
struct SystemLibraryTests {
    /// The libraries a run of `moodbiome` initialised, by their file names (`LD_DEBUG=libs`).
    static func librariesLoaded(_ arguments: [String]) throws -> (status: Int32, libraries: Set<String>) {
        let log = temporaryDirectory() + "/ld"
        var environment = ProcessInfo.processInfo.environment
        environment["LD_DEBUG"] = "libs"
        environment["LD_DEBUG_OUTPUT"] = log
        let result = try runMoodbiome(arguments, environment: environment)
        let folder = (log as NSString).deletingLastPathComponent
        var libraries = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasPrefix("ld.") {
            let text = try readWhole(folder + "/" + file)
            for line in text.split(separator: "\n") where line.contains("calling init:") {
                libraries.insert(String(line.split(separator: "/").last ?? ""))
            }
        }
        return (result.status, libraries)
    }

    static let heavy = ["libopenblas", "liblapacke", "libhdf5", "libdeflate", "librsvg", "libcairo", "libzip", "libcrypto", "libnlopt", "libfontconfig"]

    static func loaded(_ libraries: Set<String>, _ prefix: String) -> Bool { libraries.contains { $0.hasPrefix(prefix) } }

    @Test func eachJobLoadsOnlyTheLibrariesItUses() throws {
        let out = temporaryDirectory()
        let version = try Self.librariesLoaded(["--version"])
        #expect(version.status == 0)
        #expect(Self.heavy.allSatisfy { !Self.loaded(version.libraries, $0) }, "\(version.libraries.sorted())")
        // Alpha diversity of a CSV: no linear algebra, no HDF5.
        let alpha = try Self.librariesLoaded(["diversity", datasetPath("vegan-bci/BCI_counts.csv"), "--metrics", "shannon", "-o", out + "/a.csv"])
        #expect(alpha.status == 0)
        #expect(Self.heavy.allSatisfy { !Self.loaded(alpha.libraries, $0) }, "\(alpha.libraries.sorted())")
        // A model: OpenBLAS, not HDF5 or cairo.
        let model = try Self.librariesLoaded(["regress", fixturePath("regression-data.csv"), "--formula", "phq9 ~ shannon + age", "-o", out + "/m.csv"])
        #expect(model.status == 0)
        #expect(Self.loaded(model.libraries, "libopenblas") && !Self.loaded(model.libraries, "libhdf5") && !Self.loaded(model.libraries, "libcairo"))
        // A BIOM 2.1 table: HDF5.
        let biom = try Self.librariesLoaded(["diversity", fixturePath("formats/moodbiome-written.biom"), "--metrics", "shannon", "-o", out + "/b.csv"])
        #expect(biom.status == 0)
        #expect(Self.loaded(biom.libraries, "libhdf5") && !Self.loaded(biom.libraries, "libopenblas"))
    }

    /// Whether this machine lets a test hide a file from one process (a
    /// private mount namespace): root, or unprivileged user namespaces.
    static let canHideFiles: Bool = (try? runProcess("/usr/bin/unshare", ["--mount", "--map-root-user", "true"]).status == 0) ?? false

    /// The file the dynamic loader opens for `soname`: loaded into this
    /// process, then found in its memory map.
    static func file(of soname: String, symbol: String) throws -> String {
        guard let handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL), dlsym(handle, symbol) != nil else { throw Failure("\(soname) is not installed") }
        let stem = String(soname.prefix { $0 != "." })
        let maps = try readWhole("/proc/self/maps")
        guard let line = maps.split(separator: "\n").first(where: { $0.split(separator: "/").last?.hasPrefix(stem) == true }),
              let slash = line.firstIndex(of: "/") else { throw Failure("no file for \(soname) in /proc/self/maps") }
        return URL(fileURLWithPath: String(line[slash...])).resolvingSymlinksInPath().path
    }

    /// Runs `moodbiome` in a private mount namespace where `soname`'s file
    /// is empty, so that loading it fails as if it were not installed.
    static func withoutLibrary(_ soname: String, symbol: String, _ arguments: [String]) throws -> (status: Int32, standardOutput: String, standardError: String) {
        let resolved = try file(of: soname, symbol: symbol)
        let quoted = ([try moodbiomeExecutable()] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return try runProcess("/usr/bin/unshare", ["--mount", "--map-root-user", "sh", "-c", "mount --bind /dev/null '\(resolved)' && exec \(quoted)"])
    }

    @Test(.enabled(if: canHideFiles, "needs a private mount namespace (root, or user namespaces)"))
    func aMissingLibraryIsAnErrorNamingThePackagesBeforeAnyOutput() throws {
        let out = temporaryDirectory()
        let model = try Self.withoutLibrary("libopenblas.so.0", symbol: "cblas_ddot",
                                            ["regress", fixturePath("regression-data.csv"), "--formula", "phq9 ~ shannon", "-o", out + "/m.csv"])
        #expect(model.status != 0)
        #expect(model.standardError.hasPrefix("Error: this needs OpenBLAS and LAPACKE (linear algebra), which cannot be loaded: "))
        #expect(model.standardError.contains(". Install it: sudo apt install libopenblas0 liblapacke (Debian and Ubuntu), or run scripts/setup.sh"))
        #expect(!FileManager.default.fileExists(atPath: out + "/m.csv"))
        let biom = try Self.withoutLibrary("libhdf5_serial.so.103", symbol: "H5open",
                                           ["diversity", fixturePath("formats/moodbiome-written.biom"), "-o", out + "/b.csv"])
        #expect(biom.status != 0)
        #expect(biom.standardError.contains("BIOM 2.1 tables need HDF5 and libdeflate, which cannot be loaded: "))
        #expect(biom.standardError.contains("sudo apt install libhdf5-103-1 libdeflate0"))
        #expect(!FileManager.default.fileExists(atPath: out + "/b.csv"))
        // Without librsvg, SVG figures are still written; PDF is refused.
        let pdf = try Self.withoutLibrary("librsvg-2.so.2", symbol: "rsvg_handle_new_from_data",
                                          ["ordinate", fixturePath("beta/dune-bray.tsv"), "-o", out + "/p.csv", "--figure", out + "/p.pdf"])
        #expect(pdf.status != 0)
        #expect(pdf.standardError.contains("PDF and PNG figures need librsvg, cairo and fontconfig, which cannot be loaded: "))
        #expect(!FileManager.default.fileExists(atPath: out + "/p.pdf"))
    }
}

/// Runs an executable; its exit status and output.
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, standardOutput: String, standardError: String) {
    try spawn(executable, arguments, environment: environment)
}
