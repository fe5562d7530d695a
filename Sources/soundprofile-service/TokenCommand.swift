import ArgumentParser
import Foundation
import SoundProfileServer

/// `soundprofile token create --user ID [--admin]`: prints a bearer token, alone, on stdout.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Bearer tokens for the HTTP service.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a token for a user, signed with the service's secret ($SOUNDPROFILE_JWT_SECRET or <data-dir>/jwt-secret).",
            discussion: "Refuses (exit 1) when neither exists, unless --create-secret: a new secret signs tokens the running server does not accept."
        )

        @Option(help: "User id (UUID) the token acts for.")
        var user: String

        @Flag(help: "The token may see and change every user's data.")
        var admin = false

        /// The longest lifetime a token may have, in hours (one year): a token lives until its
        /// `exp`, so an unbounded one (`1e300`) would be an admin key that never expires.
        static let maximumHours = 8760.0

        // Read as text (and `-5` taken as a value, not an option) so every bad value gets the
        // same "is not allowed" line.
        @Option(parsing: .unconditional, help: "Hours until the token expires: more than 0, at most 8760 (one year). Default 720 (30 days).")
        var expiresInHours: String = "720"

        @Option(help: "Data directory holding jwt-secret: the server's --data-dir (default soundprofile-data in the directory serve runs in).")
        var dataDir: String = "soundprofile-data"

        @Flag(help: "Create a new secret in --data-dir when there is none (a server accepts the token only if it uses that secret).")
        var createSecret = false

        func validate() throws {
            guard UUID(uuidString: user) != nil else { throw ValidationError("--user must be a UUID, got \(user)") }
            _ = try hours()
        }

        /// --expires-in-hours as a number of hours.
        /// - Throws: `ValidationError` (exit 2) unless it is a number > 0 and ≤ ``maximumHours``.
        func hours() throws -> Double {
            guard let value = Double(expiresInHours), value.isFinite, value > 0, value <= Self.maximumHours else {
                throw ValidationError("--expires-in-hours \(expiresInHours) is not allowed: it must be a number of hours more than 0 and at most \(Int(Self.maximumHours)) (one year)")
            }
            return value
        }

        func run() async throws {
            // JWTSecret.load creates a secret when none exists. A new secret signs tokens that no
            // running server accepts, so only with --create-secret.
            let environment = ProcessInfo.processInfo.environment
            let variable = JWTSecret.environmentVariable
            let file = (dataDir as NSString).appendingPathComponent(JWTSecret.fileName)
            if environment[variable].map({ $0.isEmpty }) ?? true, !createSecret, !FileManager.default.fileExists(atPath: file) {
                // appendingPathComponent would glue an absolute --data-dir onto the working directory.
                let absolute = (file.hasPrefix("/") ? file : ((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(file) as NSString).standardizingPath)
                printError("""
                    soundprofile token create: \(file): no signing secret (looked for \(absolute); \(variable) is not set)
                      The server signs tokens with $\(variable) when it is set, else with <data-dir>/\(JWTSecret.fileName), which \
                    `soundprofile serve` creates at its first start (--data-dir, default soundprofile-data in the directory it runs in).
                      Run `token create` in the directory `serve` runs in, or give it the server's --data-dir, or set the server's \(variable);
                      --create-secret makes a new secret here instead (a running server will not accept tokens signed with it).
                    """)
                throw ExitCode(1)
            }
            let secret = try JWTSecret.load(dataDirectory: dataDir)
            let token = try await JWTSigner(secret: secret).token(
                userId: UUID(uuidString: user)!, admin: admin, lifetime: try hours() * 3600
            )
            print(token)
        }
    }
}
