// swift-tools-version: 6.0
//
// Moodbiome's layers, lowest first. Each target may import only the targets
// below it, so the compiler refuses an upward dependency:
//
//   CLAPACK, CHDF5,    C shims over system libraries, each opened at first use (dlopen) with its
//   CZip, CCrypto,     functions typed by the library's own header: OpenBLAS (CBLAS) and LAPACKE;
//   CNLopt, CRsvg      HDF5 (BIOM 2.1) with libdeflate; libzip (QIIME 2 artifacts); OpenSSL libcrypto
//   (CDynamicLibrary)  (SHA-256 of provenance records); NLopt (BOBYQA, for mixed models); librsvg and
//                      cairo (SVG figures exported as PDF and PNG). The binary links none of them, so a
//                      job loads only what it uses (`moodbiome --version` loads none).
//   CProcess           glibc's allocator settings, made once by the executable at start
//   CBytes             bytes classified 64 at a time (SSE2, NEON) for the delimited-text parser, inline
//   MoodbiomeNumerics  Matrix, BLAS/LAPACK wrappers, distributions, random generator, parallel loops
//   MoodbiomeIO        readers and writers: delimited text, count and metadata tables, atomic files
//   MoodbiomeCore      diversity, statistics, scales, simulation: results and typed diagnostics
//   MoodbiomeReport    words, numbers for people, tables, SVG figures (and their PDF/PNG exports),
//                      HTML, provenance: draws, never fits
//   MoodbiomeStudy     the jobs (validate → compute → render → write) and study manifests
//   MoodbiomeCommands  the commands: argument parsing, validation and wording (a library, so that
//                      tests parse real command lines)
//   MoodbiomeCLI       the `moodbiome` executable: tunes the allocator, starts the commands, nothing else
//
// SwiftPM prints "prohibited flag(s): -pthread" for the test-only
// CRsvgHeaders: GLib's pkg-config flags ask for -pthread, which SwiftPM
// drops. It is harmless — glibc carries the threads.
//
// Where a new piece goes: a metric or a model → Core; a file format → IO;
// a figure, table layout or sentence → Report; a new command's job → Study,
// its options → Commands.
import PackageDescription

// The numeric layers are compiled optimised in debug builds too, which the
// test suite, the smoke runs of the notebooks, the fuzz replays and the
// AddressSanitizer campaign all use: their loops run 10–50 times faster
// there (on 2 cores the suite went from 220 s to 76 s for 65 s more build),
// and -O keeps what these layers check (preconditions, typed errors,
// overflow traps; they use no `assert`) and the same IEEE arithmetic.
// `MOODBIOME_ONONE=1 swift build` builds them unoptimised, for a debugger.
let numericLayer: [SwiftSetting] = Context.environment["MOODBIOME_ONONE"] == "1" ? [] : [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Moodbiome",
    products: [
        .library(name: "MoodbiomeStudy", targets: ["MoodbiomeStudy"]),
        .executable(name: "moodbiome", targets: ["MoodbiomeCLI"]),
        .executable(name: "moodbiome-hdf5", targets: ["MoodbiomeHDF5"]),
        .executable(name: "moodbiome-fuzz", targets: ["MoodbiomeFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // The C shims: each opens its system library at first use (dlopen)
        // and takes its functions' types from the library's own header, so
        // the binary links none of them (see CDynamicLibrary).
        .target(name: "CDynamicLibrary"),
        .target(name: "CLAPACK", dependencies: ["CDynamicLibrary"]),
        .target(name: "CNLopt", dependencies: ["CDynamicLibrary"]),
        .target(name: "CHDF5", dependencies: ["CDynamicLibrary"]),
        .target(name: "CZip", dependencies: ["CDynamicLibrary"]),
        .target(name: "CCrypto", dependencies: ["CDynamicLibrary"]),
        .target(name: "CRsvg", dependencies: ["CDynamicLibrary"]),
        .target(name: "CProcess"),
        .target(name: "CBytes"),
        .target(name: "MoodbiomeNumerics", dependencies: ["CLAPACK", "CNLopt"], swiftSettings: numericLayer),
        .target(name: "MoodbiomeIO", dependencies: ["MoodbiomeNumerics", "CBytes", "CHDF5", "CZip", "CCrypto"], swiftSettings: numericLayer),
        .target(name: "MoodbiomeCore", dependencies: ["MoodbiomeNumerics", "MoodbiomeIO"], swiftSettings: numericLayer),
        .target(name: "MoodbiomeReport", dependencies: ["MoodbiomeNumerics", "MoodbiomeIO", "MoodbiomeCore", "CRsvg"]),
        .target(
            name: "MoodbiomeStudy",
            dependencies: [
                "MoodbiomeNumerics", "MoodbiomeIO", "MoodbiomeCore", "MoodbiomeReport",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        // The commands: parsing, validation and wording of the command
        // line, as a library so that tests parse real command lines.
        .target(
            name: "MoodbiomeCommands",
            dependencies: [
                "MoodbiomeNumerics", "MoodbiomeCore", "MoodbiomeIO", "MoodbiomeReport", "MoodbiomeStudy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "MoodbiomeCLI", dependencies: ["MoodbiomeCommands", "CProcess"]),
        // BIOM 2.1 read by HDF5 in a process of its own (HDF5Process.swift).
        .executableTarget(name: "MoodbiomeHDF5", dependencies: ["MoodbiomeIO"]),
        // The readers as fuzzing targets (`make fuzz`: libFuzzer with
        // AddressSanitizer); built plainly, a replayer of the corpus.
        .executableTarget(
            name: "MoodbiomeFuzz",
            dependencies: ["MoodbiomeCore", "MoodbiomeIO", "MoodbiomeStudy"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        // Test only: librsvg's real headers (through pkg-config) to check
        // CRsvg's hand-written declarations against them at compile time.
        .systemLibrary(name: "CRsvgHeaders", path: "Tests/CRsvgHeaders", pkgConfig: "librsvg-2.0",
                       providers: [.apt(["librsvg2-dev"])]),
        .target(name: "RsvgDeclarations", dependencies: ["CRsvg", "CRsvgHeaders"], path: "Tests/RsvgDeclarations"),
        .testTarget(
            name: "MoodbiomeTests",
            dependencies: ["MoodbiomeNumerics", "MoodbiomeIO", "MoodbiomeCore", "MoodbiomeReport", "MoodbiomeStudy", "MoodbiomeCommands",
                           "CRsvg", "RsvgDeclarations", "CProcess"],
            exclude: ["Fixtures"]
        ),
    ]
)
