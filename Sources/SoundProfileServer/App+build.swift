public import Hummingbird
public import Logging
public import SoundProfileStore
public import Prometheus
import Foundation
import ServiceLifecycle

/// Everything `soundprofile serve` needs to start.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Largest accepted audio upload, in bytes.
    public var maxAudioBytes: Int
    public var logLevel: Logger.Level
    /// Uploads analysed at once; more get 503 with Retry-After.
    public var maxConcurrentAnalyses: Int

    /// The default analysis limit: one per core, at least 2.
    public static var defaultMaxConcurrentAnalyses: Int { max(2, ProcessInfo.processInfo.activeProcessorCount) }

    public init(host: String = "127.0.0.1", port: Int = 8080, maxAudioBytes: Int = 32 << 20, logLevel: Logger.Level = .info,
                maxConcurrentAnalyses: Int = ServerConfiguration.defaultMaxConcurrentAnalyses) {
        self.host = host
        self.port = port
        self.maxAudioBytes = maxAudioBytes
        self.logLevel = logLevel
        self.maxConcurrentAnalyses = maxConcurrentAnalyses
    }
}

/// Builds the application: the store runs as a service (opened before, closed after the HTTP
/// server), migrations run before the server accepts connections, and SIGTERM/SIGINT drain
/// in-flight requests before shutting down.
public func buildApplication(
    configuration: ServerConfiguration,
    store: SQLStore,
    signer: JWTSigner,
    externalIdentity: ExternalIdentityVerifier? = nil,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
) -> some ApplicationProtocol {
    var logger = Logger(label: "soundprofile.server")
    logger.logLevel = configuration.logLevel
    let router = buildRouter(repository: store, signer: signer, externalIdentity: externalIdentity, registry: registry, maxAudioBytes: configuration.maxAudioBytes,
                             maxConcurrentAnalyses: configuration.maxConcurrentAnalyses,
                             listeningAddress: "\(configuration.host):\(configuration.port)")
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "soundprofile"),
        services: [store],
        logger: logger
    )
    app.beforeServerStarts {
        // SIGTERM during start-up (e.g. waiting for the database) stops the migration at once.
        try await cancelWhenGracefulShutdown { try await store.migrate() }
    }
    return app
}

/// The router: ops endpoints open, `/v1` behind bearer JWTs (the service's own HS256 tokens and,
/// when `externalIdentity` is given, RS256/ES256 tokens from that OpenID Connect provider).
public func buildRouter(
    repository: any SoundProfileRepository,
    signer: JWTSigner,
    externalIdentity: ExternalIdentityVerifier? = nil,
    registry: PrometheusCollectorRegistry,
    maxAudioBytes: Int = 32 << 20,
    maxConcurrentAnalyses: Int = ServerConfiguration.defaultMaxConcurrentAnalyses,
    listeningAddress: String = "127.0.0.1:8080"
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: HeadMiddleware())
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: PrometheusMetricsMiddleware(registry: registry))
    router.add(middleware: RouteLogMiddleware())
    router.add(middleware: ErrorMiddleware())

    OpsRoutes(repository: repository, registry: registry, listeningAddress: listeningAddress).add(to: router)
    let v1 = router.group("v1").add(middleware: JWTAuthenticator(
        authenticator: BearerAuthenticator(signer: signer, external: externalIdentity, repository: repository)))
    APIRoutes(repository: repository, maxAudioBytes: maxAudioBytes, analyses: AnalysisLimiter(limit: maxConcurrentAnalyses)).add(to: v1)
    // Last, so it wraps only the not-found responder: known path, other method → 405 + Allow.
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes.map { ($0.path.description, $0.method.rawValue) }))
    return router
}
