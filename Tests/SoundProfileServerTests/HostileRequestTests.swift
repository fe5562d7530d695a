import Foundation
import Hummingbird
import HummingbirdTesting
import SoundProfileServer
import Testing
import HTTPTypes
import NIOCore
import Crypto

/// Issue 11, in-process on both stores: hostile requests get 4xx naming the field, never a 500
/// or a crash.
@Suite("Hostile requests (in-process)")
struct HostileRequestTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func fixture(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: packageRoot.appendingPathComponent("Fixtures/\(relative)")))
    }

    /// A token signed with the test secret carrying any claims.
    static func token(_ claims: [String: Any]) throws -> String {
        try TestApp.signer.sign(claims)
    }

    @Test(arguments: TestStore.available)
    func controlCharactersInTextAre422(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            for (field, body) in [("email", #"{"email":"a\u0000@example.com","fullName":"A"}"#),
                                  ("email", #"{"email":"a\u001b@example.com","fullName":"A"}"#),
                                  ("fullName", #"{"email":"nul@example.com","fullName":"A\u0000B"}"#)] {
                let response = try await client.send(.post, "/v1/users", json: body)
                #expect(try fields(response) == [field], "\(body)")
                #expect(String(buffer: response.body).contains("control characters"))
            }
            // Nothing was stored, so the clean address is still free.
            #expect(try await client.send(.post, "/v1/users", json: #"{"email":"a@example.com","fullName":"A"}"#).status == .created)
            let user = try await client.user()
            #expect(try fields(try await client.send(.patch, "/v1/users/\(user.id)", json: #"{"fullName":"x\u0000"}"#)) == ["fullName"])
            #expect(try fields(try await client.send(.post, "/v1/users/\(user.id)/devices",
                                                     json: #"{"serial":"SP-1","model":"Pod\u0000","sampleRate":24000,"preset":"pod24k"}"#)) == ["model"])
            #expect(try fields(try await client.send(.get, "/v1/users/search?email=a%00@example.com")) == ["email"])
            #expect(try fields(try await client.send(.post, "/v1/analyses?name=a%00b", token: user.token,
                                                     body: ByteBuffer(bytes: try Self.fixture("audio/tone-1k-48k.wav")),
                                                     headers: [.contentType: "audio/wav"])) == ["name"])
        }
    }

    @Test(arguments: ["9223372036854775808", "24000.5", "1e400", "-9223372036854775809", "1e19"])
    func outOfRangeNumbersAre422NamingTheField(sampleRate: String) async throws {
        try await TestApp.run { client in
            let user = try await client.user()
            let response = try await client.send(.post, "/v1/users/\(user.id)/devices",
                                                 json: #"{"serial":"SP-1","model":"Pod","sampleRate":\#(sampleRate),"preset":"pod24k"}"#)
            #expect(try fields(response) == ["sampleRate"], "\(sampleRate): \(String(buffer: response.body))")
        }
    }

    /// Foundation calls these bodies invalid JSON without a path; the member is found and named.
    @Test(arguments: [("schemaVersion", "9223372036854775808"), ("schemaVersion", "1.5"), ("schemaVersion", "1e400")])
    func numbersThatDoNotFitTheirIntegerFieldAre422(field: String, value: String) async throws {
        try await TestApp.run { client in
            let user = try await client.user()
            let body = #"{"schemaVersion":\#(value),"right":{"500":20,"1000":30,"2000":40}}"#
            let response = try await client.send(.post, "/v1/users/\(user.id)/audiograms", token: user.token, json: body)
            #expect(try fields(response) == [field], "\(String(buffer: response.body))")
            // A body that is not JSON at all is still 400.
            #expect(try await client.send(.post, "/v1/users/\(user.id)/audiograms", token: user.token, json: "{nope").status == .badRequest)
        }
    }

    @Test func tokensNotYetValidAreRefused() async throws {
        try await TestApp.run { client in
            let now = Int(Date().timeIntervalSince1970)
            let sub = TestApp.adminID.uuidString.lowercased()
            let future = try Self.token(["sub": sub, "admin": true, "iat": now, "exp": now + 3600, "nbf": now + 600])
            #expect(try await client.send(.get, "/v1/users", token: future).status == .unauthorized)
            let issuedLater = try Self.token(["sub": sub, "admin": true, "iat": now + 600, "exp": now + 3600])
            #expect(try await client.send(.get, "/v1/users", token: issuedLater).status == .unauthorized)
            // Within the leeway (clock skew of a few seconds) they are accepted.
            let skewed = try Self.token(["sub": sub, "admin": true, "iat": now + 5, "exp": now + 3600, "nbf": now + 5])
            #expect(try await client.send(.get, "/v1/users", token: skewed).status == .ok)
            let noIat = try Self.token(["sub": sub, "admin": true, "exp": now + 3600])
            #expect(try await client.send(.get, "/v1/users", token: noIat).status == .unauthorized)
        }
    }

    @Test(arguments: TestStore.available, ["crash/nan-48k-float.wav", "crash/inf-48k-float.wav", "crash/huge-48k-float.wav", "crash/channels-1024.wav"])
    func hostileAudioIs422AndTheServerLives(store: TestStore, file: String) async throws {
        try await TestApp.run(on: store) { client in
            let user = try await client.user()
            let response = try await client.send(.post, "/v1/analyses", token: user.token, body: ByteBuffer(bytes: try Self.fixture(file)),
                                                 headers: [.contentType: "audio/wav"])
            #expect(try fields(response) == ["body"])
            let message = String(buffer: response.body)
            #expect(message.contains("NaN, infinite or beyond") || message.contains("channel count 1024"), "\(message)")
            // The command line's options are no remedy for an API client: none is suggested.
            #expect(!message.contains("--zero-unusable-samples") && !message.contains("--max-channels"), "\(message)")
            #expect(try await client.send(.get, "/healthz", token: nil).status == .ok)
        }
    }
}
