import ArgumentParser
import Foundation

/// Where the service keeps its state: `--data-dir` (JWT secret, default SQLite file) and
/// `--database` (a `postgres://` URL, or a SQLite path / `sqlite:PATH`).
struct ServiceOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory: holds jwt-secret (mode 0600) and the default SQLite database.")
    var dataDir: String = "soundprofile-data"

    @Option(name: .long, help: "Database URL: postgres://user:pass@host:port/db, or sqlite:PATH. Default: $SOUNDPROFILE_DATABASE_URL, else sqlite:<data-dir>/soundprofile.sqlite.")
    var database: String?

    var databaseURL: String {
        if let database { return database }
        if let fromEnvironment = ProcessInfo.processInfo.environment["SOUNDPROFILE_DATABASE_URL"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "sqlite:" + (dataDir as NSString).appendingPathComponent("soundprofile.sqlite")
    }

    /// Creates the data directory (mode 0700) when the database is a SQLite file inside it.
    func prepareDataDirectory() throws {
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}
