import ArgumentParser
import Foundation
import Logging
import SoundProfileServer
import SoundProfileStore
import Hummingbird
import ServiceLifecycle

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

    @Option(help: "Uploads analysed at once (1…1024); more get 503 with Retry-After. Default: the number of cores, at least 2.")
    var maxAnalyses: Int = ServerConfiguration.defaultMaxConcurrentAnalyses

    @Option(help: "Seconds a database statement may take (0.1…300) before the request gets 503 with Retry-After.")
    var queryTimeout: Double = 5

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port \(port) is not allowed: it must be 1…65535") }
        guard (1...1024).contains(maxUploadMiB) else {
            throw ValidationError("--max-upload-mib \(maxUploadMiB) is not allowed: it must be 1…1024")
        }
        guard (1...1024).contains(maxAnalyses) else {
            throw ValidationError("--max-analyses \(maxAnalyses) is not allowed: it must be 1…1024")
        }
        guard queryTimeout.isFinite, (0.1...300).contains(queryTimeout) else {
            throw ValidationError("--query-timeout \(queryTimeout) is not allowed: it must be 0.1…300 seconds")
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
        let store = try await StoreFactory.open(url: url, logger: logger, queryTimeout: .milliseconds(Int(queryTimeout * 1000)))
        do {
            // Fail fast, in one line, when the database cannot be reached at all.
            try await store.checkReachable(timeout: .seconds(5))
        } catch StoreError.unavailable(let reason) {
            printError("soundprofile serve: cannot start: \(reason)")
            throw ExitCode(1)
        }
        let app = buildApplication(
            configuration: ServerConfiguration(host: host, port: port, maxAudioBytes: maxUploadMiB << 20, logLevel: level,
                                               maxConcurrentAnalyses: maxAnalyses),
            store: store,
            signer: JWTSigner(secret: secret)
        )
        // SIGTERM/SIGINT: drain for at most 3 s, then cancel; the process ends within 5 s of
        // the signal whatever a client or the database is doing.
        var group = ServiceGroupConfiguration(services: [.init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(3)
        group.maximumCancellationDuration = .seconds(1)
        do {
            try await ServiceGroup(configuration: group).run()
        } catch StoreError.unavailable(let reason) {
            printError("soundprofile serve: stopped: \(reason)")
            throw ExitCode(1)
        }
    }
}
