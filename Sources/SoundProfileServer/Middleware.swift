import Hummingbird
import Synchronization
import Foundation
import Prometheus
import HTTPTypes
import SoundProfileStore

/// Verifies `Authorization: Bearer <jwt>` and sets the caller's identity; 401 with the reason
/// when missing or refused. The token itself is never logged.
struct JWTAuthenticator: RouterMiddleware {
    typealias Context = AppRequestContext
    let authenticator: BearerAuthenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing bearer token")
        }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else {
            throw APIError.unauthorized("expected Authorization: Bearer <token>")
        }
        let identity: Identity
        do {
            identity = try await authenticator.identity(String(header.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces))
        } catch let refused as TokenRefused {
            throw APIError.unauthorized(refused.reason)
        }
        var context = context
        context.identity = identity
        context.logger[metadataKey: "user_id"] = "\(identity.userId.uuidString.lowercased())"
        return try await next(request, context)
    }
}

/// Chooses the verifier by the token's `alg`: HS256 is the service's own token
/// (``JWTSigner``); RS256 and ES256 come from the identity provider configured with `--jwks`
/// (``ExternalIdentityVerifier``), and need a `kid`.
struct BearerAuthenticator: Sendable {
    let signer: JWTSigner
    let external: ExternalIdentityVerifier?
    let repository: any SoundProfileRepository

    init(signer: JWTSigner, external: ExternalIdentityVerifier?, repository: any SoundProfileRepository) {
        self.signer = signer
        self.external = external
        self.repository = repository
    }

    struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    func identity(_ token: String) async throws -> Identity {
        // A token verified before (the same bytes) needs no header parse: most requests.
        if let identity = signer.remembered(token) { return identity }
        guard let dot = token.utf8.firstIndex(of: UInt8(ascii: ".")),
              let headerBytes = Base64URL.decode(token.utf8[..<dot]),
              let header = try? JSONDecoder().decode(Header.self, from: headerBytes)
        else { throw TokenRefused("malformed token (expected three base64url parts: header.payload.signature)") }
        switch header.alg {
        case "HS256"?:
            return try await signer.verify(token)
        case let alg? where JWKSKeySet.algorithms.contains(alg):
            guard let external else {
                throw TokenRefused("token algorithm \(alg) needs an identity provider, and this service has none configured (serve --jwks)")
            }
            guard let kid = header.kid, !kid.isEmpty else { throw TokenRefused("token has no kid (key id) header") }
            return try await external.verify(token, kid: kid, alg: alg, repository: repository)
        case let alg:
            let allowed = external == nil ? "HS256" : "HS256, RS256 or ES256"
            throw TokenRefused("token algorithm \(alg.map { "\"\($0)\"" } ?? "(none)") is not accepted: it must be \(allowed)")
        }
    }
}

/// base64url without padding (RFC 4648 §5), as JWTs use it.
enum Base64URL {
    static func decode(_ text: some Collection<UInt8>) -> Data? {
        guard text.count <= 4096 else { return nil }
        var base64 = Array(text).map { $0 == UInt8(ascii: "-") ? UInt8(ascii: "+") : $0 == UInt8(ascii: "_") ? UInt8(ascii: "/") : $0 }
        while base64.count % 4 != 0 { base64.append(UInt8(ascii: "=")) }
        return Data(base64Encoded: Data(base64))
    }
}

/// Takes the request id from `X-Request-Id` (when it looks like one) or makes one, puts it in
/// every log line of the request and echoes it in the response.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let header = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let incoming = request.headers[Self.header].flatMap { value in
            value.count <= 128 && value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) && !value.isEmpty ? value : nil
        }
        let id = incoming ?? UUID().uuidString.lowercased()
        context.requestID = id
        // One id per line: ours (echoed in X-Request-Id) replaces the value of Hummingbird's own
        // `hb.request.id` key, which `RequestContext.id` reads.
        context.logger[metadataKey: "hb.request.id"] = "\(id)"
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }
}

/// Per-route request latency histograms and counts, into a Prometheus registry:
/// `http_request_duration_seconds{method,route,status}` and `http_requests_total{…}`.
/// The route is the matched pattern (`/v1/users/{id}`), never the raw path, so ids do not
/// multiply time series; unmatched requests count under `route="unmatched"`.
struct PrometheusMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry
    static var buckets: [Duration] {
        [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
         .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5)]
    }

    /// `http_request_duration_seconds`: request latency per method, route pattern and status.
    static var durationMetric: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "http_request_duration", unitName: "seconds",
                             helpText: "Time to produce the response, per method, route and status")
    }
    /// `http_requests_total`: requests per method, route pattern and status.
    static var requestsMetric: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "http_requests", unitName: "total", helpText: "Requests answered, per method, route and status")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath.map(OpenAPIPaths.openAPIPath) ?? "unmatched"
        let labels = [("method", request.method.rawValue), ("route", route), ("status", String(response.status.code))]
        registry.makeDurationHistogram(descriptor: Self.durationMetric, labels: labels, buckets: Self.buckets)
            .record(ContinuousClock.now - start)
        registry.makeCounter(descriptor: Self.requestsMetric, labels: labels).increment()
        return response
    }
}

/// Converts between Hummingbird's route patterns (`/v1/users/:id`) and OpenAPI's (`/v1/users/{id}`).
public enum OpenAPIPaths {
    /// Converted patterns: the router's patterns are a fixed few, and two middlewares ask for
    /// every request's.
    private static let converted = Mutex<[String: String]>([:])

    public static func openAPIPath(_ hummingbirdPath: String) -> String {
        if let known = converted.withLock({ $0[hummingbirdPath] }) { return known }
        let path = "/" + hummingbirdPath.split(separator: "/").map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }.joined(separator: "/")
        converted.withLock { if $0.count < 1024 { $0[hummingbirdPath] = path } }
        return path
    }
}

/// One completion line per request: method, the matched route pattern (`/v1/users/search`),
/// status and duration in milliseconds — never the raw path or query string, which can hold an
/// email address or other personal data.
struct RouteLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        let route = context.endpointPath.map(OpenAPIPaths.openAPIPath) ?? "unmatched"
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue), "route": .string(route), "status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.3f", milliseconds)),
        ])
        return response
    }
}
