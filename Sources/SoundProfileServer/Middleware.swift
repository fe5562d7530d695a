import Hummingbird
import Foundation
import Prometheus
import HTTPTypes

/// Verifies `Authorization: Bearer <jwt>` and sets the caller's identity; 401 when missing
/// or invalid. The token itself is never logged.
struct JWTAuthenticator: RouterMiddleware {
    typealias Context = AppRequestContext
    let signer: JWTSigner

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing bearer token")
        }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else {
            throw APIError.unauthorized("expected Authorization: Bearer <token>")
        }
        guard let identity = signer.verify(String(header.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)) else {
            throw APIError.unauthorized("invalid or expired token")
        }
        var context = context
        context.identity = identity
        context.logger[metadataKey: "user_id"] = "\(identity.userId.uuidString.lowercased())"
        return try await next(request, context)
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
        context.logger[metadataKey: "request_id"] = "\(id)"
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
    public static func openAPIPath(_ hummingbirdPath: String) -> String {
        "/" + hummingbirdPath.split(separator: "/").map { segment in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }.joined(separator: "/")
    }
}

/// One log line per request: method, the matched route pattern (`/v1/users/search`) and status
/// — never the raw path or query string, which can hold an email address or other personal data.
struct RouteLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        let route = context.endpointPath.map(OpenAPIPaths.openAPIPath) ?? "unmatched"
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue), "route": .string(route), "status": .stringConvertible(response.status.code),
        ])
        return response
    }
}
