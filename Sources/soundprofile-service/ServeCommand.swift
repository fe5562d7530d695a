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

    @Option(help: "Log lines as text (default) or json (one object per line, for log collectors).")
    var logFormat: String = "text"

    @Option(help: "Uploads analysed at once (1…1024); more get 503 with Retry-After. Default: the number of cores, at least 2.")
    var maxAnalyses: Int = ServerConfiguration.defaultMaxConcurrentAnalyses

    @Option(help: "Seconds a database statement may take (0.1…300) before the request gets 503 with Retry-After.")
    var queryTimeout: Double = 5

    @Option(help: ArgumentHelp("JSON Web Key Set of an OpenID Connect provider (file path or http(s) URL): its RS256/ES256 tokens are accepted too.",
                                valueName: "file-or-url"))
    var jwks: String?

    @Option(help: "The provider's issuer (the tokens' iss claim must equal it). Needed with --jwks.")
    var issuer: String?

    @Option(help: "This service's audience (the tokens' aud claim must include it). Needed with --jwks.")
    var audience: String?

    @Option(help: "The token claim that names the user: email (the user's email) or sub (the user's id).")
    var userClaim: String = "email"

    @Option(help: "Seconds to wait for a JWKS URL (0.1…60).")
    var jwksTimeout: Double = 5

    func validate() throws {
        let identity = [("--jwks", jwks), ("--issuer", issuer), ("--audience", audience)]
        if identity.contains(where: { $0.1 != nil }) {
            let missing = identity.filter { ($0.1 ?? "").isEmpty }.map(\.0)
            guard missing.isEmpty else {
                throw ValidationError("\(missing.joined(separator: ", ")) missing: --jwks, --issuer and --audience are given together (or none)")
            }
        }
        guard ExternalIdentityConfiguration.UserClaim(rawValue: userClaim) != nil else {
            throw ValidationError("--user-claim \(userClaim) is not allowed: it must be email or sub")
        }
        guard jwksTimeout.isFinite, (0.1...60).contains(jwksTimeout) else {
            throw ValidationError("--jwks-timeout \(jwksTimeout) is not allowed: it must be 0.1…60 seconds")
        }
        if let jwks {
            do { _ = try ExternalIdentityConfiguration.Source(jwks) } catch { throw ValidationError(error.description) }
        }
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
        guard ["text", "json"].contains(logFormat) else {
            throw ValidationError("--log-format \(logFormat) is not allowed: it must be text or json")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level \(logLevel) is not allowed: it must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        if logFormat == "json" { LoggingSystem.bootstrap { JSONLogHandler(label: $0) } } else { LoggingSystem.bootstrap { TextLogHandler(label: $0) } }
        try options.prepareDataDirectory()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        var logger = Logger(label: "soundprofile")
        logger.logLevel = level
        let secret = try JWTSecret.load(dataDirectory: options.dataDir)
        var externalIdentity: ExternalIdentityVerifier?
        if let jwks, let issuer, let audience, let claim = ExternalIdentityConfiguration.UserClaim(rawValue: userClaim) {
            let keySet = JWKSKeySet(configuration: ExternalIdentityConfiguration(
                source: try ExternalIdentityConfiguration.Source(jwks), issuer: issuer, audience: audience, userClaim: claim,
                fetchTimeout: .milliseconds(Int(jwksTimeout * 1000))), logger: logger)
            do {
                try await keySet.reload()
            } catch {
                printError("soundprofile serve: cannot start: --jwks: \(error)")
                throw ExitCode(1)
            }
            externalIdentity = ExternalIdentityVerifier(keySet: keySet)
        }
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
            signer: await JWTSigner(secret: secret),
            externalIdentity: externalIdentity
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
