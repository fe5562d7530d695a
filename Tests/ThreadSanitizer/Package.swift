// swift-tools-version: 6.1
// Runs the processor's cross-thread tests under the thread sanitizer:
//   cd Tests/ThreadSanitizer && swift test --sanitize=thread
// A package of its own so that only SoundProfileDSP is built with TSan (the Swift 6.3.1 compiler
// crashes building swift-argument-parser with -sanitize=thread, which the root package's
// `swift test --sanitize=thread` would do). The test files are the root package's, linked.
import PackageDescription

let package = Package(
    name: "ThreadSanitizer",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "SoundProfile", path: "../../")],
    targets: [
        .testTarget(
            name: "HandoverTSanTests",
            dependencies: [.product(name: "SoundProfileDSP", package: "SoundProfile")]
        ),
    ]
)
