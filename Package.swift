// swift-tools-version: 6.1
// SoundProfile: sound profiles (FFT band levels and prescribed WDRC gains) for hearing pods.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "SoundProfile",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SoundProfileDSP", targets: ["SoundProfileDSP"]),
        .library(name: "SoundProfileIO", targets: ["SoundProfileIO"]),
        .executable(name: "soundprofile", targets: ["soundprofile"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .target(name: "SoundProfileDSP", dependencies: ["CFFTW"], swiftSettings: strict),
        .target(name: "SoundProfileIO", dependencies: ["SoundProfileDSP", "CSndFile"], swiftSettings: strict),
        .executableTarget(
            name: "soundprofile",
            dependencies: [
                "SoundProfileDSP", "SoundProfileIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .testTarget(name: "SoundProfileDSPTests", dependencies: ["SoundProfileDSP"], swiftSettings: strict),
        .testTarget(name: "SoundProfileIOTests", dependencies: ["SoundProfileIO"], swiftSettings: strict),
        .testTarget(name: "soundprofileTests", dependencies: ["soundprofile"], swiftSettings: strict),
    ]
)
