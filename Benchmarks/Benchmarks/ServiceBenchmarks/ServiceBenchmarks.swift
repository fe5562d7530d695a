import Benchmark
import BenchmarkSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SoundProfileDSP
import SoundProfileServer
import SoundProfileStore

/// Requests through the whole router in-process (request id, metrics, logging, error and JWT
/// middleware, route, JSON, SQLite in memory), the way the server tests drive it
/// (Tests/SoundProfileServerTests/TestApp.swift), without sockets. Each request is timed on its
/// own; one harness sample is one fresh application serving `requests` requests after a warm-up.
///
/// POST /v1/profiles answers 501 on this branch (SoundProfileServer's ProfileComputation does not
/// call SoundProfileDSP's fitting yet), so it is not timed: a 501 is not the work a POST profile
/// does. The profile that GET returns is fitted with SoundProfileDSP and stored through the
/// repository, so GET serves a real document; the write path is timed on POST audiogram (decode,
/// validate, insert) until POST profile is wired, when "Service POST profile" belongs here.
let benchmarks: @Sendable () -> Void = {
    // 200 requests a sample keeps a sample under a second: package-benchmark's throughput (which
    // its JMH export needs) rounds to 0 requests/s for longer samples and the result is dropped.
    let requests = 200
    serviceBenchmark("Service GET profile", requests: requests, samples: 40) { client, ids, _ in
        let response = try await client.execute(uri: "/v1/profiles/\(ids.profile)", method: .get, headers: ids.headers, body: nil)
        guard response.status == .ok else { throw Unexpected(status: response.status) }
    }
    serviceBenchmark("Service POST profile", requests: requests, samples: 40) { client, ids, _ in
        let body = ByteBuffer(string: #"{"userId":"\#(ids.user)","audiogramId":"\#(ids.audiogram)","rule":"nal-r"}"#)
        let response = try await client.execute(uri: "/v1/profiles", method: .post, headers: ids.headers, body: body)
        guard response.status == .created else { throw Unexpected(status: response.status) }
    }
    serviceBenchmark("Service POST audiogram", requests: requests, samples: 40) { client, ids, _ in
        let body = ByteBuffer(string: audiogramJSON)
        let response = try await client.execute(uri: "/v1/users/\(ids.user)/audiograms", method: .post, headers: ids.headers, body: body)
        guard response.status == .created else { throw Unexpected(status: response.status) }
    }
}

let audiogramJSON = #"{"schemaVersion":1,"measuredAt":"2026-01-31T09:30:00Z","right":{"250":20,"500":25,"1000":30,"2000":40,"4000":55},"left":{"500":15,"1000":20,"2000":35}}"#

/// A fitted profile document as the service stores it (DESIGN.md "Fitted profile").
struct Unexpected: Error { var status: HTTPResponse.Status }

/// The records a request needs, created before the timed requests.
struct Fixture: Sendable {
    var user: String
    var audiogram: String
    var profile: String
    var headers: HTTPFields
}

let benchmarkSecret = Array("benchmark-secret-not-for-production".utf8)

func serviceBenchmark(
    _ name: String, requests: Int, samples: Int,
    request: @escaping @Sendable (any TestClientProtocol, Fixture, Int) async throws -> Void
) {
    let times = BurstTimes(capacity: requests)
    Benchmark(name, configuration: perOperationConfiguration(opsPerSample: requests, samples: samples, maxSeconds: 30)) { benchmark in
        let store = try await StoreFactory.open(url: ":memory:")
        let signer = await JWTSigner(secret: benchmarkSecret)
        let app = buildApplication(
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0, logLevel: .warning),
            store: store, signer: signer
        )
        // The harness object is used on one task at a time; the test client's closure is @Sendable.
        nonisolated(unsafe) let benchmark = benchmark
        try await app.test(.router) { client in
            let fixture = try await makeFixture(client, signer: signer)
            for i in 0..<50 { try await request(client, fixture, i) }  // warm-up
            benchmark.startMeasurement()
            for i in 0..<requests {
                let start = monotonicNanos()
                try await request(client, fixture, i)
                times.times[i] = monotonicNanos() &- start
            }
            benchmark.stopMeasurement()
        }
        times.flush(requests, to: benchmark)
    }
}

func makeFixture(_ client: any TestClientProtocol, signer: JWTSigner) async throws -> Fixture {
    var admin = HTTPFields()
    let adminToken = try await signer.token(userId: UUID(), admin: true)
    admin[.authorization] = "Bearer \(adminToken)"
    admin[.contentType] = "application/json"
    func post(_ uri: String, _ json: String, _ headers: HTTPFields) async throws -> String {
        let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
        guard response.status == .created else { throw Unexpected(status: response.status) }
        let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        guard let id = object?["id"] as? String else { throw Unexpected(status: response.status) }
        return id
    }
    let user = try await post("/v1/users", #"{"email":"bench@example.com","fullName":"Bench User"}"#, admin)
    var headers = HTTPFields()
    let userToken = try await signer.token(userId: UUID(uuidString: user)!, admin: false)
    headers[.authorization] = "Bearer \(userToken)"
    headers[.contentType] = "application/json"
    let audiogram = try await post("/v1/users/\(user)/audiograms", audiogramJSON, headers)
    // The profile GET returns, fitted and stored by the service itself.
    let profile = try await post("/v1/profiles", #"{"userId":"\#(user)","audiogramId":"\#(audiogram)","rule":"nal-r"}"#, headers)
    return Fixture(user: user, audiogram: audiogram, profile: profile, headers: headers)
}
