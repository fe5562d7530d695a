// swift-tools-version: 6.1
// Benchmarks for SoundProfile (package-benchmark). Run from this folder:
//   swift package benchmark
// or from the root: make bench / make bench-check.
import PackageDescription

let package = Package(
    name: "SoundProfileBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "SoundProfile", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "SoundProfileBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SoundProfileDSP", package: "SoundProfile"),
            ],
            path: "Benchmarks/SoundProfileBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
