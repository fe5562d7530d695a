import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import SoundProfileServer
import SoundProfileStore
import Testing
import Yams

@Suite("OpenAPI contract")
struct ContractTests {
    @Test func documentIsOpenAPI31WithResponses() throws {
        let root = try #require(try Yams.load(yaml: try OpenAPIDocument.text()) as? [String: Any])
        #expect(root["openapi"] as? String == "3.1.0")
        #expect((root["info"] as? [String: Any])?["title"] != nil)
        let operations = try OpenAPIDocument.operations()
        #expect(!operations.isEmpty)
        let paths = try #require(root["paths"] as? [String: Any])
        for operation in operations {
            let item = try #require(paths[operation.path] as? [String: Any])
            let op = try #require(item[operation.method.lowercased()] as? [String: Any])
            #expect((op["responses"] as? [String: Any])?.isEmpty == false, "\(operation.method) \(operation.path) has responses")
            #expect(!operation.summary.isEmpty, "\(operation.method) \(operation.path) has a summary")
        }
        // Every $ref points at something that exists.
        let text = try OpenAPIDocument.text()
        let components = try #require(root["components"] as? [String: Any])
        let refs = text.matches(of: /\$ref: "#\/components\/(\w+)\/(\w+)"/)
        for ref in refs {
            let section = components[String(ref.output.1)] as? [String: Any]
            #expect(section?[String(ref.output.2)] != nil, "dangling \(ref.output.0)")
        }
    }

    /// Fails when a route is added, removed or renamed without changing the document (or back).
    @Test func documentMatchesTheRouter() async throws {
        let router = buildRouter(
            repository: try NeverCalledRepository(), signer: await JWTSigner(secret: TestApp.secret), registry: PrometheusCollectorRegistry()
        )
        // HEAD is implied by GET (the document's description says so) rather than listed.
        let all = Set(router.routes.map { "\($0.method.rawValue) \(OpenAPIPaths.openAPIPath($0.path.description))" })
        let registered = all.filter { !$0.hasPrefix("HEAD ") }
        let gets = registered.filter { $0.hasPrefix("GET ") }.map { $0.dropFirst(4) }
        let heads = all.filter { $0.hasPrefix("HEAD ") }.map { $0.dropFirst(5) }
        #expect(Set(gets) == Set(heads), "every GET answers HEAD, and only those")
        let documented = Set(try OpenAPIDocument.operations().map { "\($0.method) \($0.path)" })
        #expect(registered.subtracting(documented).sorted() == [], "routes missing from openapi.yaml")
        #expect(documented.subtracting(registered).sorted() == [], "documented operations with no route")
    }
}

/// A repository the drift test hands the router; building routes never touches it.
struct NeverCalledRepository: SoundProfileRepository {
    init() throws {}
    struct Unused: Error {}
    func migrate() async throws { throw Unused() }
    func isReady() async -> Bool { false }
    func createUser(email: String, fullName: String) async throws -> User { throw Unused() }
    func user(id: UUID) async throws -> User? { throw Unused() }
    func user(email: String) async throws -> User? { throw Unused() }
    func users(limit: Int, after cursor: Cursor?) async throws -> Page<User> { throw Unused() }
    func updateUser(id: UUID, email: String?, fullName: String?) async throws -> User? { throw Unused() }
    func deleteUser(id: UUID) async throws -> Bool { throw Unused() }
    func createDevice(userId: UUID, _ device: NewDevice) async throws -> Device { throw Unused() }
    func devices(userId: UUID, limit: Int, after cursor: Cursor?) async throws -> Page<Device> { throw Unused() }
    func createAudiogram(userId: UUID, measuredAt: Date, right: EarThresholds?, left: EarThresholds?) async throws -> AudiogramRecord { throw Unused() }
    func audiogram(id: UUID) async throws -> AudiogramRecord? { throw Unused() }
    func audiograms(userId: UUID, limit: Int, after cursor: Cursor?) async throws -> Page<AudiogramRecord> { throw Unused() }
    func createProfile(userId: UUID, audiogramId: UUID?, rule: String, inputs: JSONText, profile: JSONText) async throws -> ProfileRecord { throw Unused() }
    func profile(id: UUID) async throws -> ProfileRecord? { throw Unused() }
    func profiles(userId: UUID, limit: Int, after cursor: Cursor?) async throws -> Page<ProfileRecord> { throw Unused() }
    func createAnalysis(userId: UUID, contentHash: String, analysis: JSONText) async throws -> AnalysisRecord { throw Unused() }
    func analysis(id: UUID) async throws -> AnalysisRecord? { throw Unused() }
    func analysis(userId: UUID, contentHash: String) async throws -> AnalysisRecord? { throw Unused() }
    func replaceAnalysis(id: UUID, analysis: JSONText) async throws -> AnalysisRecord? { throw Unused() }
    func storedProfile(id: UUID) async throws -> StoredDocument? { throw Unused() }
    func storedAnalysis(id: UUID) async throws -> StoredDocument? { throw Unused() }
    func analyses(userId: UUID, limit: Int, after cursor: Cursor?) async throws -> Page<AnalysisRecord> { throw Unused() }
    func deleteDevice(id: UUID, owner: UUID?) async throws -> Bool { throw Unused() }
    func deleteAudiogram(id: UUID, owner: UUID?) async throws -> Bool { throw Unused() }
    func deleteProfile(id: UUID, owner: UUID?) async throws -> Bool { throw Unused() }
    func deleteAnalysis(id: UUID, owner: UUID?) async throws -> Bool { throw Unused() }
}

@Suite("Live server")
struct LiveServerTests {
    /// The real socket on 127.0.0.1 (an ephemeral port); the server stops when the test ends.
    @Test func liveLoopback() async throws {
        let app = try await TestApp.make()
        try await app.test(.live) { client in
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            let created = try await client.execute(
                uri: "/v1/users", method: .post,
                headers: [.authorization: "Bearer \(TestApp.adminToken)", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"email":"live@example.com","fullName":"Live"}"#)
            )
            #expect(created.status == .created)
            let unauthorized = try await client.execute(uri: "/v1/users", method: .get)
            #expect(unauthorized.status == .unauthorized)
        }
    }
}
