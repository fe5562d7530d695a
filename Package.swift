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
        .library(name: "SoundProfileStore", targets: ["SoundProfileStore"]),
        .library(name: "SoundProfileServer", targets: ["SoundProfileServer"]),
        .executable(name: "soundprofile", targets: ["soundprofile"]),
        .executable(name: "soundprofile-service", targets: ["soundprofile-service"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        // Service stack (SoundProfileStore, SoundProfileServer).
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        // NIO directly: the store's statement deadlines are event-loop timers.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Content hashes (SoundProfileIO) and JWT signing (SoundProfileServer).
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        // Bearer tokens: HS256 for the embedded issuer, RS256/ES256 from an OpenID Connect JWKS.
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
    ],
    targets: [
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"]), .brew(["fftw"])]),
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"]), .brew(["libsndfile"])]),
        // Resampling for `process --resample` (libsamplerate's best sinc converter).
        .systemLibrary(name: "CSampleRate", pkgConfig: "samplerate", providers: [.apt(["libsamplerate0-dev"]), .brew(["libsamplerate"])]),
        .target(name: "SoundProfileDSP", dependencies: ["CFFTW"], swiftSettings: strict),
        .target(
            name: "SoundProfileIO",
            dependencies: ["SoundProfileDSP", "CSndFile", "CSampleRate", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "SoundProfileStore",
            dependencies: [
                "SoundProfileDSP", "SoundProfileIO",
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SoundProfileServer",
            dependencies: [
                "SoundProfileDSP", "SoundProfileIO", "SoundProfileStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Resources/openapi.yaml")],
            swiftSettings: strict
        ),
        // The batch command line (analyze, fit, process): DSP and file layers only, so it starts
        // without loading the service stack. `soundprofile serve|migrate|token|seed-demo` execs
        // the `soundprofile-service` executable built next to it.
        .executableTarget(
            name: "soundprofile",
            dependencies: [
                "SoundProfileDSP", "SoundProfileIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .executableTarget(
            name: "soundprofile-service",
            dependencies: [
                "SoundProfileDSP", "SoundProfileIO", "SoundProfileStore", "SoundProfileServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .testTarget(name: "SoundProfileDSPTests", dependencies: ["SoundProfileDSP"], swiftSettings: strict),
        .testTarget(name: "SoundProfileIOTests", dependencies: ["SoundProfileIO"], swiftSettings: strict),
        .testTarget(
            name: "soundprofileTests",
            dependencies: ["soundprofile", "soundprofile-service", "SoundProfileDSP", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SoundProfileStoreTests",
            dependencies: ["SoundProfileStore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SoundProfileServerTests",
            dependencies: [
                "SoundProfileServer", "SoundProfileStore", "SoundProfileDSP", "SoundProfileIO",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: strict
        ),
    ]
)
