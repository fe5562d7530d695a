import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import SoundProfileServer
import SoundProfileStore
import Testing
import HTTPTypes
import Crypto

/// The stores the route suite runs on: in-memory SQLite always; PostgreSQL when
/// SOUNDPROFILE_TEST_POSTGRES_URL is set (CI sets it via .ci/postgres.sh), each test in a schema
/// of its own that is dropped afterwards. Without the URL, `RouteTests.postgresRouteCases`
/// shows as skipped with the reason.
enum TestStore: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    /// The stores this run can use.
    static let available: [TestStore] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]

    var testDescription: String { self == .sqlite ? "SQLite" : "PostgreSQL" }

    static let postgresURL = ProcessInfo.processInfo.environment["SOUNDPROFILE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let postgresSkipReason: Comment = "SOUNDPROFILE_TEST_POSTGRES_URL is not set: PostgreSQL route cases skipped (run `source .ci/postgres.sh` first)"

    /// Runs `body` with the URL of an empty database of this kind.
    func withDatabase(_ body: @Sendable (String) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            try await body(":memory:")
        case .postgres:
            let base = try #require(Self.postgresURL, Self.postgresSkipReason)
            let schema = "r_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            let admin = try await StoreFactory.open(url: base, queryTimeout: .seconds(60))
            try await admin.withRunning { admin in
                try await admin.driver.query("CREATE SCHEMA \(schema)", [])
                do {
                    try await body(base + (base.contains("?") ? "&" : "?") + "search_path=" + schema)
                } catch {
                    _ = try? await admin.driver.query("DROP SCHEMA \(schema) CASCADE", [])
                    throw error
                }
                try await admin.driver.query("DROP SCHEMA \(schema) CASCADE", [])
            }
        }
    }
}

/// HS256 tokens in the format `soundprofile-service token create` has always written
/// (`{"alg":"HS256","typ":"JWT"}`; `sub`, `admin`, `iat`, `exp`), made here with Swift Crypto's
/// HMAC alone: an independent signer, so the tests also check that the service (jwt-kit) keeps
/// accepting such tokens.
struct ReferenceHS256Signer: Sendable {
    let secret: [UInt8]
    init(secret: [UInt8]) { self.secret = secret }

    func token(userId: UUID, admin: Bool, lifetime: TimeInterval = 30 * 24 * 3600, now: Date = Date()) throws -> String {
        let issued = Int(now.timeIntervalSince1970)
        return try sign(["sub": userId.uuidString.lowercased(), "admin": admin, "iat": issued, "exp": issued + Int(lifetime)])
    }

    /// Signs any claims object (so tests can leave claims out or add others).
    func sign(_ claims: [String: Any], header: String = #"{"alg":"HS256","typ":"JWT"}"#) throws -> String {
        let input = "\(base64url(Data(header.utf8))).\(base64url(try JSONSerialization.data(withJSONObject: claims, options: .sortedKeys)))"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: secret))
        return "\(input).\(base64url(Data(mac)))"
    }
}

func base64url(_ data: Data) -> String {
    data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

/// An application on a test store (in-memory SQLite unless told) with a fixed signing secret,
/// and helpers to make users, tokens and JSON requests.
struct TestApp {
    static let secret = Array("test-secret-not-for-production-32-bytes".utf8)  // ≥ 32 bytes, as JWTSecret requires
    static let signer = ReferenceHS256Signer(secret: secret)
    static let adminID = UUID()
    static var adminToken: String { try! signer.token(userId: adminID, admin: true) }

    static func make(url: String = ":memory:", maxAudioBytes: Int = 1 << 20, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), port: Int = 0,
                     externalIdentity: ExternalIdentityVerifier? = nil) async throws -> some ApplicationProtocol {
        // Behaviour tests, not timing: a full parallel run on 2 cores can starve the 5 s statement
        // default and the 0.8 s readiness default (seen: /readyz 503 90 s into a full run).
        let store = try await StoreFactory.open(url: url, queryTimeout: .seconds(60), readinessTimeout: .seconds(60))
        return buildApplication(
            configuration: ServerConfiguration(host: "127.0.0.1", port: port, maxAudioBytes: maxAudioBytes, logLevel: .warning),
            store: store, signer: await JWTSigner(secret: secret), externalIdentity: externalIdentity, registry: registry
        )
    }

    /// Runs `body` against the router in-process, on a fresh, migrated database of kind `store`.
    static func run(
        on store: TestStore = .sqlite, maxAudioBytes: Int = 1 << 20, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        externalIdentity: ExternalIdentityVerifier? = nil,
        _ body: @Sendable (Client) async throws -> Void
    ) async throws {
        try await store.withDatabase { url in
            let app = try await make(url: url, maxAudioBytes: maxAudioBytes, registry: registry, externalIdentity: externalIdentity)
            try await app.test(.router) { client in
                try await body(Client(client: client))
            }
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
