import Hummingbird
import Foundation
import SoundProfileStore
import Prometheus
import NIOCore
import Yams

/// Unauthenticated operational endpoints: health, readiness, metrics, the API contract.
struct OpsRoutes: Sendable {
    let repository: any SoundProfileRepository
    let registry: PrometheusCollectorRegistry
    /// host:port the server listens on; the document's `servers` URL when a request has no Host.
    var listeningAddress: String = "127.0.0.1:8080"

    struct Status: Encodable { var status: String }

    func add(to router: Router<AppRequestContext>) {
        router.getAndHead("/") { _, _ in
            Response(status: .found, headers: [.location: "/docs"])
        }
        router.getAndHead("healthz") { _, _ in
            try JSONCoding.response(Status(status: "ok"))
        }
        router.getAndHead("readyz") { _, _ in
            let ready = await repository.isReady()
            return try JSONCoding.response(Status(status: ready ? "ready" : "not ready"), status: ready ? .ok : .serviceUnavailable)
        }
        ProcessMetrics.registerBuildInfo(in: registry)
        router.getAndHead("metrics") { _, _ in
            ProcessMetrics.update(in: registry)
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
        router.getAndHead("openapi.yaml") { request, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: try OpenAPIDocument.text(serverAddress: Self.address(request) ?? listeningAddress)))
            )
        }
        router.getAndHead("docs") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: try OpenAPIDocument.html()))
            )
        }
    }
}

extension OpsRoutes {
    /// The Host the client used (host[:port], plain characters only), so `servers` names the
    /// address that reached this instance, whatever its port or proxy.
    static func address(_ request: Request) -> String? {
        guard let authority = request.head.authority, !authority.isEmpty, authority.count <= 255,
              authority.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) }) else { return nil }
        return authority
    }
}

/// The hand-written OpenAPI 3.1 document shipped as a resource (the contract), and a plain
/// HTML rendering of it for `/docs`.
public enum OpenAPIDocument {
    public struct Operation: Sendable, Hashable {
        public var method: String
        public var path: String
        public var summary: String
    }

    public static func text() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The document with its `servers` URL set to `http://<serverAddress>`.
    public static func text(serverAddress: String) throws -> String {
        try text().replacingOccurrences(of: "  - url: http://127.0.0.1:8080\n", with: "  - url: http://\(serverAddress)\n")
    }

    /// Every operation in the document (method upper-cased), sorted by path then method.
    public static func operations() throws -> [Operation] {
        guard let root = try Yams.load(yaml: try text()) as? [String: Any],
              let paths = root["paths"] as? [String: Any] else { return [] }
        var operations: [Operation] = []
        let methods: Set = ["get", "put", "post", "delete", "patch", "head", "options"]
        for (path, item) in paths {
            guard let item = item as? [String: Any] else { continue }
            for (method, operation) in item where methods.contains(method) {
                let summary = (operation as? [String: Any])?["summary"] as? String ?? ""
                operations.append(Operation(method: method.uppercased(), path: path, summary: summary))
            }
        }
        return operations.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }

    static func html() throws -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        let rows = try operations().map {
            "<tr><td><code>\($0.method)</code></td><td><code>\(escape($0.path))</code></td><td>\(escape($0.summary))</td></tr>"
        }.joined(separator: "\n")
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>SoundProfile API</title>
            <style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
            table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}</style>
            </head><body>
            <h1>SoundProfile API</h1>
            <p>The contract is the OpenAPI 3.1 document at <a href="/openapi.yaml">/openapi.yaml</a>.
            Routes under <code>/v1</code> need <code>Authorization: Bearer &lt;token&gt;</code>
            (<code>soundprofile token create --user ID</code>). Errors are JSON
            <code>{status, message, fields?: [{field, message}]}</code>.</p>
            <table><tr><th>Method</th><th>Path</th><th>Summary</th></tr>
            \(rows)
            </table></body></html>
            """
    }
}
