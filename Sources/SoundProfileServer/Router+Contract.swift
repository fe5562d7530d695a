import Hummingbird
import HTTPTypes

extension RouterMethods {
    /// GET and HEAD for the same handler (RFC 9110: HEAD is GET without the body; the body is
    /// dropped by ``HeadMiddleware``).
    @discardableResult
    func getAndHead(
        _ path: RouterPath = "", use handler: @Sendable @escaping (Request, Context) async throws -> some ResponseGenerator
    ) -> Self {
        get(path, use: handler)
        return head(path, use: handler)
    }
}

/// Answers HEAD with the headers GET would send (Content-Length included) and no body — for
/// errors too, so a HEAD client never reads a body it did not ask for.
struct HeadMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard request.method == .head else { return response }
        let length = response.headers[.contentLength]
        response.body = .init()
        response.headers[.contentLength] = length
        return response
    }
}

/// The router's "no route" case split in two: a path that exists with another method gets
/// 405 with `Allow` (RFC 9110 §15.5.6); only an unknown path stays 404. Added to the router
/// after every route, so it wraps the not-found responder only.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Route patterns split into segments (`{id}` or `:id` matches any one segment) and their methods.
    let patterns: [(segments: [Substring], methods: [String])]

    init(routes: [(path: String, method: String)]) {
        var table: [String: Set<String>] = [:]
        for route in routes { table[route.path, default: []].insert(route.method) }
        patterns = table.map { (path, methods) in
            (path.split(separator: "/"), methods.sorted())
        }
    }

    /// The methods of the most specific pattern matching `path` (most literal segments), or nil.
    func allowed(for path: String) -> [String]? {
        let parts = path.split(separator: "/")
        var best: (literals: Int, methods: [String])?
        for pattern in patterns where pattern.segments.count == parts.count {
            var literals = 0
            var matches = true
            for (segment, part) in zip(pattern.segments, parts) {
                if segment.hasPrefix(":") || (segment.hasPrefix("{") && segment.hasSuffix("}")) { continue }
                if segment.hasPrefix("{"), let close = segment.firstIndex(of: "}") {
                    // A capture with a literal suffix (`{id}.svg`): more specific than a bare capture.
                    let suffix = segment[segment.index(after: close)...]
                    guard part.hasSuffix(suffix), part.count > suffix.count else { matches = false; break }
                    literals += 1
                    continue
                }
                guard segment == part else { matches = false; break }
                literals += 1
            }
            if matches, literals > (best?.literals ?? -1) { best = (literals, pattern.methods) }
        }
        return best?.methods
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let methods = allowed(for: request.uri.path) else { throw APIError(.notFound, "no such path") }
            var converted = APIError(.methodNotAllowed, "\(request.method.rawValue) is not allowed here; allowed: \(methods.joined(separator: ", "))")
            converted.headers[.allow] = methods.joined(separator: ", ")
            throw converted
        }
    }
}
