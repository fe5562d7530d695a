// swift-tools-version: 6.1
// libFuzzer targets for SoundProfile (issue 11), in their own package so the main build stays
// fast. Build one with
//   swift build -c debug -Xswiftc -sanitize=fuzzer,address --product FuzzAudioAnalysis
// and run `make fuzz` from the repository root (see fuzz.sh).
import PackageDescription

let package = Package(
    name: "SoundProfileFuzz",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "FuzzAudioAnalysis", targets: ["FuzzAudioAnalysis"]),
        .executable(name: "FuzzAudiogramFit", targets: ["FuzzAudiogramFit"]),
        .executable(name: "FuzzProfilePrepare", targets: ["FuzzProfilePrepare"]),
        .executable(name: "FuzzGainTableBlob", targets: ["FuzzGainTableBlob"]),
    ],
    dependencies: [.package(name: "SoundProfile", path: "..")],
    targets: [
        // Declares libFuzzer's LLVMFuzzerRunDriver for the targets' main.swift.
        .target(name: "CFuzzerDriver"),
        .executableTarget(name: "FuzzAudioAnalysis", dependencies: ["CFuzzerDriver", .product(name: "SoundProfileIO", package: "SoundProfile")]),
        .executableTarget(name: "FuzzAudiogramFit", dependencies: ["CFuzzerDriver", .product(name: "SoundProfileDSP", package: "SoundProfile")]),
        .executableTarget(name: "FuzzProfilePrepare", dependencies: ["CFuzzerDriver", .product(name: "SoundProfileDSP", package: "SoundProfile")]),
        // GainTableDocument.swift is a symlink to the service's file: the reader without the service stack.
        .executableTarget(name: "FuzzGainTableBlob", dependencies: ["CFuzzerDriver"]),
    ]
)
