import ArgumentParser
import Foundation
import Logging
import SoundProfileServer
import SoundProfileStore
import Hummingbird

/// `soundprofile serve`: the HTTP service.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP service (SQLite file in the data directory by default, or PostgreSQL)."
    )

    @OptionGroup var options: ServiceOptions

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port: Int = 8080

    @Option(name: .customLong("max-upload-mib"), help: "Largest accepted audio upload, in MiB (1…1024).")
    var maxUploadMiB: Int = 32

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port \(port) is not allowed: it must be 1…65535") }
        guard (1...1024).contains(maxUploadMiB) else {
            throw ValidationError("--max-upload-mib \(maxUploadMiB) is not allowed: it must be 1…1024")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level \(logLevel) is not allowed: it must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        try options.prepareDataDirectory()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        var logger = Logger(label: "soundprofile")
        logger.logLevel = level
        let secret = try JWTSecret.load(dataDirectory: options.dataDir)
        let url = options.databaseURL
        logger.info("starting", metadata: ["database": "\(StoreFactory.redacted(url))", "address": "\(host):\(port)"])
        let store = try await StoreFactory.open(url: url, logger: logger)
        let app = buildApplication(
            configuration: ServerConfiguration(host: host, port: port, maxAudioBytes: maxUploadMiB << 20, logLevel: level),
            store: store,
            signer: JWTSigner(secret: secret)
        )
        try await app.runService()
    }
}
