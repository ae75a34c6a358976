// swift-tools-version: 6.0
//
// Moodbiome's layers, lowest first. Each target may import only the targets
// below it, so the compiler refuses an upward dependency:
//
//   CLAPACK, CHDF5,    C shims over system libraries found by pkg-config: OpenBLAS (CBLAS)
//   CZip, CCrypto,     and LAPACKE; HDF5 (BIOM 2.1) with libdeflate; libzip (QIIME 2 artifacts);
//   CNLopt, CRsvg      OpenSSL libcrypto (SHA-256 of provenance records); NLopt (BOBYQA, for mixed models);
//                      librsvg and cairo (SVG figures exported as PDF and PNG)
//   MoodbiomeNumerics  Matrix, BLAS/LAPACK wrappers, distributions, random generator, parallel loops
//   MoodbiomeIO        readers and writers: delimited text, count and metadata tables, atomic files
//   MoodbiomeCore      diversity, statistics, scales, simulation: results and typed diagnostics
//   MoodbiomeReport    words, numbers for people, tables, SVG figures (and their PDF/PNG exports),
//                      HTML, provenance: draws, never fits
//   MoodbiomeStudy     the jobs (validate → compute → render → write) and study manifests
//   MoodbiomeCLI       the `moodbiome` executable: argument parsing only
//
// SwiftPM prints "prohibited flag(s): -pthread" for CRsvg: GLib's pkg-config
// flags (which librsvg's bring in) ask for -pthread, which SwiftPM drops. It
// is harmless — glibc carries the threads — and the only warning of a build.
//
// Where a new piece goes: a metric or a model → Core; a file format → IO;
// a figure, table layout or sentence → Report; a new command's job → Study,
// its options → CLI.
import PackageDescription

let package = Package(
    name: "Moodbiome",
    products: [
        .library(name: "MoodbiomeStudy", targets: ["MoodbiomeStudy"]),
        .executable(name: "moodbiome", targets: ["MoodbiomeCLI"]),
        .executable(name: "moodbiome-fuzz", targets: ["MoodbiomeFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLAPACK",
            pkgConfig: "lapacke",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev", "libdeflate-dev"])]
        ),
        .systemLibrary(
            name: "CZip",
            pkgConfig: "libzip",
            providers: [.apt(["libzip-dev"])]
        ),
        .systemLibrary(
            name: "CNLopt",
            pkgConfig: "nlopt",
            providers: [.apt(["libnlopt-dev"])]
        ),
        .systemLibrary(
            name: "CRsvg",
            pkgConfig: "librsvg-2.0",
            providers: [.apt(["librsvg2-dev", "libfontconfig-dev", "zlib1g-dev", "fonts-liberation2"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "MoodbiomeNumerics", dependencies: ["CLAPACK", "CNLopt"]),
        .target(name: "MoodbiomeIO", dependencies: ["MoodbiomeNumerics", "CHDF5", "CZip", "CCrypto", "CRsvg"]),
        .target(name: "MoodbiomeCore", dependencies: ["MoodbiomeNumerics", "MoodbiomeIO"]),
        .target(name: "MoodbiomeReport", dependencies: ["MoodbiomeNumerics", "MoodbiomeIO", "MoodbiomeCore", "CLAPACK"]),
        .target(
            name: "MoodbiomeStudy",
            dependencies: [
                "MoodbiomeNumerics", "MoodbiomeIO", "MoodbiomeCore", "MoodbiomeReport",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]
        ),
        .executableTarget(
            name: "MoodbiomeCLI",
            dependencies: [
                "MoodbiomeCore", "MoodbiomeIO", "MoodbiomeStudy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The readers as fuzzing targets (`make fuzz`: libFuzzer with
        // AddressSanitizer); built plainly, a replayer of the corpus.
        .executableTarget(
            name: "MoodbiomeFuzz",
            dependencies: ["MoodbiomeCore", "MoodbiomeIO", "MoodbiomeStudy"],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .testTarget(
            name: "MoodbiomeTests",
            dependencies: ["MoodbiomeNumerics", "MoodbiomeIO", "MoodbiomeCore", "MoodbiomeReport", "MoodbiomeStudy", "CRsvg"],
            exclude: ["Fixtures"]
        ),
    ]
)
