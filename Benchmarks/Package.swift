// swift-tools-version: 6.1
// Benchmarks for SoundProfile (package-benchmark). From the repository root:
//   make bench        every benchmark, full length, table on the terminal
//   make bench-check  short runs, then every budget in budgets.json checked (exit 1 names each one exceeded)
//   make bench-ci     the same gate with the shortest runs, for .ci/run
//   make bench-instructions  instructions per pod block and analysis frame (valgrind), checked
//                     against budgets.json "instructions" by check_instructions.py
// Two targets so that the DSP benchmarks build without the service stack:
//   SoundProfileBenchmarks  FFT floor, band analysis, per-block processor, fitting, batch analysis
//   ServiceBenchmarks       GET and POST profile through the router in-process
import PackageDescription

let package = Package(
    name: "SoundProfileBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "SoundProfile", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        // Same version floor as the root package; only for HummingbirdTesting's in-process client.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
    ],
    targets: [
        // The deterministic instruction gate's workload: plain synchronous Swift, no Dispatch and
        // no package-benchmark, so valgrind runs it cleanly (see check_instructions.py).
        .executableTarget(
            name: "instruction-counts",
            dependencies: [.product(name: "SoundProfileDSP", package: "SoundProfile")],
            path: "InstructionCounts"
        ),
        // Per-operation timing shared by both benchmark targets (not benchmarks themselves).
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "Benchmark", package: "benchmark")],
            path: "Support/BenchmarkSupport"
        ),
        .executableTarget(
            name: "SoundProfileBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SoundProfileDSP", package: "SoundProfile"),
            ],
            path: "Benchmarks/SoundProfileBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ServiceBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SoundProfileDSP", package: "SoundProfile"),
                .product(name: "SoundProfileServer", package: "SoundProfile"),
                .product(name: "SoundProfileStore", package: "SoundProfile"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Benchmarks/ServiceBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
