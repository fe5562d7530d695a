import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import SoundProfileServer
import SoundProfileStore
import Testing
import HTTPTypes

/// An application on an in-memory SQLite store with a fixed signing secret, and helpers
/// to make users, tokens and JSON requests.
struct TestApp {
    static let signer = JWTSigner(secret: Array("test-secret-not-for-production".utf8))
    static let adminID = UUID()
    static var adminToken: String { try! signer.token(userId: adminID, admin: true) }

    static func make(maxAudioBytes: Int = 1 << 20, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), port: Int = 0) async throws -> some ApplicationProtocol {
        let store = try await StoreFactory.open(url: ":memory:")
        return buildApplication(
            configuration: ServerConfiguration(host: "127.0.0.1", port: port, maxAudioBytes: maxAudioBytes, logLevel: .warning),
            store: store, signer: signer, registry: registry
        )
    }

    static func run(
        maxAudioBytes: Int = 1 << 20, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        _ body: @Sendable (Client) async throws -> Void
    ) async throws {
        let app = try await make(maxAudioBytes: maxAudioBytes, registry: registry)
        try await app.test(.router) { client in
            try await body(Client(client: client))
        }
    }

    struct Client {
        let client: any TestClientProtocol

        @discardableResult
        func send(
            _ method: HTTPRequest.Method, _ uri: String, token: String? = TestApp.adminToken,
            json: String? = nil, body: ByteBuffer? = nil, headers extra: HTTPFields = [:]
        ) async throws -> TestResponse {
            var headers = extra
            if let token { headers[.authorization] = "Bearer \(token)" }
            var payload = body
            if let json {
                if headers[.contentType] == nil { headers[.contentType] = "application/json" }
                payload = ByteBuffer(string: json)
            }
            return try await client.execute(uri: uri, method: method, headers: headers, body: payload)
        }

        /// Creates a user (as admin) and returns it with a token of its own.
        func user(_ email: String = "u-\(UUID().uuidString.prefix(8))@example.com") async throws -> (id: String, token: String) {
            let response = try await send(.post, "/v1/users", json: #"{"email":"\#(email)","fullName":"Test User"}"#)
            #expect(response.status == .created)
            let id = try #require(try json(response)["id"] as? String)
            return (id, try TestApp.signer.token(userId: UUID(uuidString: id)!, admin: false))
        }

        func audiogram(for user: (id: String, token: String)) async throws -> String {
            let response = try await send(.post, "/v1/users/\(user.id)/audiograms", token: user.token, json: TestApp.audiogramJSON)
            #expect(response.status == .created)
            return try #require(try json(response)["id"] as? String)
        }
    }

    static let audiogramJSON = #"{"schemaVersion":1,"measuredAt":"2026-01-31T09:30:00Z","right":{"250":20,"500":25,"1000":30,"2000":40,"4000":55},"left":{"500":15,"1000":20,"2000":35}}"#
}

func json(_ response: TestResponse) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
}

/// The field paths of a 422 response.
func fields(_ response: TestResponse) throws -> [String] {
    #expect(response.status == .unprocessableContent, "expected 422, got \(response.status): \(String(buffer: response.body))")
    let list = try json(response)["fields"] as? [[String: Any]] ?? []
    return list.compactMap { $0["field"] as? String }
}
