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
            abstract: "Print a token for a user, signed with the service's secret ($SOUNDPROFILE_JWT_SECRET or <data-dir>/jwt-secret)."
        )

        @Option(help: "User id (UUID) the token acts for.")
        var user: String

        @Flag(help: "The token may see and change every user's data.")
        var admin = false

        @Option(help: "Hours until the token expires.")
        var expiresInHours: Double = 24 * 30

        @Option(help: "Data directory holding jwt-secret (created when missing).")
        var dataDir: String = "soundprofile-data"

        func validate() throws {
            guard UUID(uuidString: user) != nil else { throw ValidationError("--user must be a UUID, got \(user)") }
            guard expiresInHours > 0 else { throw ValidationError("--expires-in-hours must be positive") }
        }

        func run() async throws {
            let secret = try JWTSecret.load(dataDirectory: dataDir)
            let token = try await JWTSigner(secret: secret).token(
                userId: UUID(uuidString: user)!, admin: admin, lifetime: expiresInHours * 3600
            )
            print(token)
        }
    }
}
