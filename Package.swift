// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Moodbiome",
    products: [
        .library(name: "Moodbiome", targets: ["Moodbiome"]),
        .executable(name: "moodbiome", targets: ["MoodbiomeCLI"]),
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
        .target(
            name: "Moodbiome",
            dependencies: ["CLAPACK", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        .executableTarget(
            name: "MoodbiomeCLI",
            dependencies: [
                "Moodbiome",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "MoodbiomeTests",
            dependencies: ["Moodbiome"],
            exclude: ["Fixtures"]
        ),
    ]
)
