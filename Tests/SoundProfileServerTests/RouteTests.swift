import Foundation
import Hummingbird
import HummingbirdTesting
import SoundProfileServer
import SoundProfileDSP
import SoundProfileIO
import SoundProfileStore
import Testing
import HTTPTypes
import Crypto

/// CRC-32 as zlib computes it, bit by bit (independent of the server's table-driven one).
enum BitwiseCRC32 {
    static func of(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

enum SHA256Hex {
    static func of(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }
}

/// Every route in-process. Tests that reach the store take a `TestStore` and run on SQLite and
/// (with SOUNDPROFILE_TEST_POSTGRES_URL) PostgreSQL; those decided before the store is touched
/// (auth, request ids, unknown routes, malformed JSON) run on SQLite only.
@Suite("Routes (in-process)")
struct RouteTests {
    /// Shows in the output whether the route cases ran on PostgreSQL too (skipped, with the
    /// reason, when SOUNDPROFILE_TEST_POSTGRES_URL is unset), and that the database answers.
    @Test(.enabled(if: TestStore.postgresURL != nil, TestStore.postgresSkipReason))
    func postgresRouteCases() async throws {
        try await TestApp.run(on: .postgres) { client in
            let ready = try await client.send(.get, "/readyz", token: nil)
            #expect(ready.status == .ok)
        }
    }

    // MARK: Ops

    @Test(arguments: TestStore.available)
    func opsEndpointsAreOpen(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            #expect(try await client.send(.get, "/healthz", token: nil).status == .ok)
            let ready = try await client.send(.get, "/readyz", token: nil)
            #expect(ready.status == .ok)
            #expect(try json(ready)["status"] as? String == "ready")
            let yaml = try await client.send(.get, "/openapi.yaml", token: nil)
            #expect(yaml.status == .ok)
            #expect(String(buffer: yaml.body).hasPrefix("openapi: 3.1"))
            let docs = try await client.send(.get, "/docs", token: nil)
            #expect(docs.status == .ok)
            #expect(String(buffer: docs.body).contains("/v1/profiles/{id}/gain-table"))
        }
    }

    @Test(arguments: TestStore.available)
    func metricsHavePerRouteLatencyHistograms(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            let user = try await client.user()
            try await client.send(.get, "/v1/users/\(user.id)", token: user.token)
            let text = String(buffer: try await client.send(.get, "/metrics", token: nil).body)
            #expect(text.contains(#"http_request_duration_seconds_bucket{method="GET",route="/v1/users/{id}",status="200""#))
            #expect(text.contains(#"http_requests_total{method="POST",route="/v1/users",status="201"}"#))
        }
    }

    @Test func requestIDIsEchoed() async throws {
        try await TestApp.run { client in
            let given = try await client.send(.get, "/healthz", token: nil, headers: [HTTPField.Name("X-Request-Id")!: "abc-123"])
            #expect(given.headers[HTTPField.Name("X-Request-Id")!] == "abc-123")
            let made = try await client.send(.get, "/healthz", token: nil)
            #expect((made.headers[HTTPField.Name("X-Request-Id")!] ?? "").count == 36)
        }
    }

    @Test func unknownRouteIs404JSON() async throws {
        try await TestApp.run { client in
            let response = try await client.send(.get, "/v1/nothing-here")
            #expect(response.status == .notFound)
        }
    }

    // MARK: Auth

    @Test(arguments: [
        (HTTPRequest.Method.post, "/v1/users"), (.get, "/v1/users"), (.get, "/v1/users/search?email=a@b.co"),
        (.get, "/v1/users/\(UUID())"), (.patch, "/v1/users/\(UUID())"), (.delete, "/v1/users/\(UUID())"),
        (.post, "/v1/users/\(UUID())/devices"), (.get, "/v1/users/\(UUID())/devices"),
        (.post, "/v1/users/\(UUID())/audiograms"), (.get, "/v1/users/\(UUID())/audiograms"), (.get, "/v1/audiograms/\(UUID())"),
        (.post, "/v1/profiles"), (.get, "/v1/profiles/\(UUID())"), (.get, "/v1/profiles/\(UUID())/gain-table"),
        (.get, "/v1/users/\(UUID())/profiles"), (.post, "/v1/analyses"), (.get, "/v1/analyses/\(UUID())"),
        (.get, "/v1/users/\(UUID())/analyses"), (.delete, "/v1/devices/\(UUID())"), (.delete, "/v1/audiograms/\(UUID())"),
        (.delete, "/v1/profiles/\(UUID())"), (.delete, "/v1/analyses/\(UUID())"), (.head, "/v1/users/\(UUID())"),
    ])
    func everyV1RouteNeedsAToken(method: HTTPRequest.Method, path: String) async throws {
        try await TestApp.run { client in
            let none = try await client.send(method, path, token: nil)
            #expect(none.status == .unauthorized)
            #expect(none.headers[.wwwAuthenticate] == "Bearer")
            let forged = try ReferenceHS256Signer(secret: Array("another-secret".utf8)).token(userId: TestApp.adminID, admin: true)
            #expect(try await client.send(method, path, token: forged).status == .unauthorized)
            let expired = try TestApp.signer.token(userId: TestApp.adminID, admin: true, lifetime: 10, now: Date(timeIntervalSinceNow: -3600))
            #expect(try await client.send(method, path, token: expired).status == .unauthorized)
            #expect(try await client.send(method, path, token: "not.a.jwt").status == .unauthorized)
        }
    }

    @Test(arguments: TestStore.available)
    func usersSeeOnlyTheirOwnData(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            let alice = try await client.user()
            let bob = try await client.user()
            let audiogram = try await client.audiogram(for: alice)
            // User-scoped paths of someone else: 403.
            for (method, path) in [(HTTPRequest.Method.get, "/v1/users/\(alice.id)"), (.delete, "/v1/users/\(alice.id)"),
                                   (.get, "/v1/users/\(alice.id)/audiograms"), (.get, "/v1/users/\(alice.id)/devices"),
                                   (.get, "/v1/users/\(alice.id)/profiles")] {
                #expect(try await client.send(method, path, token: bob.token).status == .forbidden, "\(method) \(path)")
            }
            #expect(try await client.send(.patch, "/v1/users/\(alice.id)", token: bob.token, json: #"{"fullName":"x"}"#).status == .forbidden)
            #expect(try await client.send(.post, "/v1/users/\(alice.id)/devices", token: bob.token,
                                          json: #"{"serial":"SP-9","model":"Pod","sampleRate":24000,"preset":"pod24k"}"#).status == .forbidden)
            #expect(try await client.send(.post, "/v1/users/\(alice.id)/audiograms", token: bob.token, json: TestApp.audiogramJSON).status == .forbidden)
            #expect(try await client.send(.post, "/v1/profiles", token: bob.token, json: #"{"userId":"\#(alice.id)","audiogramId":"\#(audiogram)","rule":"nal-r"}"#).status == .forbidden)
            // Objects by id that belong to someone else: 404.
            #expect(try await client.send(.get, "/v1/audiograms/\(audiogram)", token: bob.token).status == .notFound)
            #expect(try await client.send(.get, "/v1/audiograms/\(audiogram)", token: alice.token).status == .ok)
            #expect(try await client.send(.get, "/v1/audiograms/\(audiogram)").status == .ok, "admin sees all")
            // Admin-only routes.
            #expect(try await client.send(.get, "/v1/users", token: bob.token).status == .forbidden)
            #expect(try await client.send(.post, "/v1/users", token: bob.token, json: #"{"email":"x@example.com","fullName":"X"}"#).status == .forbidden)
            // Search finds only oneself for a non-admin.
            let aliceEmail = try json(try await client.send(.get, "/v1/users/\(alice.id)"))["email"] as! String
            #expect(try await client.send(.get, "/v1/users/search?email=\(aliceEmail)", token: bob.token).status == .notFound)
            #expect(try await client.send(.get, "/v1/users/search?email=\(aliceEmail)", token: alice.token).status == .ok)
        }
    }

    // MARK: Users

    @Test(arguments: TestStore.available)
    func userLifecycle(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            let created = try await client.send(.post, "/v1/users", json: #"{"email":"Ada@Example.com","fullName":"Ada Lovelace"}"#)
            #expect(created.status == .created)
            let user = try json(created)
            let id = try #require(user["id"] as? String)
            #expect(user["email"] as? String == "Ada@Example.com")
            #expect(user["fullName"] as? String == "Ada Lovelace")
            #expect(created.headers[.location] == "/v1/users/\(id)")

            let duplicate = try await client.send(.post, "/v1/users", json: #"{"email":"ada@EXAMPLE.com","fullName":"Ada Again"}"#)
            #expect(duplicate.status == .conflict)

            let found = try await client.send(.get, "/v1/users/search?email=ADA@example.com")
            #expect(found.status == .ok)
            #expect(try json(found)["id"] as? String == id)
            #expect(found.headers[.cacheControl] != nil)
            #expect(try await client.send(.get, "/v1/users/search?email=nobody@example.com").status == .notFound)

            let patched = try await client.send(.patch, "/v1/users/\(id)", json: #"{"fullName":"Ada King"}"#)
            #expect(patched.status == .ok)
            #expect(try json(patched)["fullName"] as? String == "Ada King")
            let other = try await client.user()
            #expect(try await client.send(.patch, "/v1/users/\(other.id)", json: #"{"email":"ADA@example.com"}"#).status == .conflict)

            #expect(try await client.send(.delete, "/v1/users/\(id)").status == .noContent)
            #expect(try await client.send(.get, "/v1/users/\(id)").status == .notFound)
            #expect(try await client.send(.delete, "/v1/users/\(id)").status == .notFound)
            #expect(try await client.send(.get, "/v1/users/not-a-uuid").status == .notFound)
        }
    }

    @Test(arguments: TestStore.available)
    func usersArePaginated(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            for _ in 0..<5 { _ = try await client.user() }
            var ids: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let response = try await client.send(.get, "/v1/users?limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""))
                #expect(response.status == .ok)
                let page = try json(response)
                ids += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                cursor = page["nextCursor"] as? String
                pages += 1
            } while cursor != nil && pages < 10
            #expect(pages == 3)
            #expect(Set(ids).count == 5)
        }
    }

    // MARK: Devices, audiograms

    @Test(arguments: TestStore.available)
    func devices(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            let user = try await client.user()
            let body = #"{"serial":"SP-0001","model":"Pod One","sampleRate":24000,"preset":"pod24k"}"#
            let created = try await client.send(.post, "/v1/users/\(user.id)/devices", token: user.token, json: body)
            #expect(created.status == .created)
            #expect(try json(created)["serial"] as? String == "SP-0001")
            #expect(try await client.send(.post, "/v1/users/\(user.id)/devices", token: user.token, json: body).status == .conflict)
            let list = try json(try await client.send(.get, "/v1/users/\(user.id)/devices", token: user.token))
            #expect((list["items"] as? [Any])?.count == 1)
            #expect(try await client.send(.get, "/v1/users/\(UUID())/devices").status == .notFound)
        }
    }

    @Test(arguments: TestStore.available)
    func audiograms(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            let user = try await client.user()
            let created = try await client.send(.post, "/v1/users/\(user.id)/audiograms", token: user.token, json: TestApp.audiogramJSON)
            #expect(created.status == .created)
            let record = try json(created)
            #expect(record["schemaVersion"] as? Int == 1)
            #expect(record["measuredAt"] as? String == "2026-01-31T09:30:00.000Z")
            #expect((record["right"] as? [String: Any])?["1000"] as? Double == 30)
            let id = try #require(record["id"] as? String)
            let read = try await client.send(.get, "/v1/audiograms/\(id)", token: user.token)
            #expect(read.status == .ok)
            #expect((try json(read)["left"] as? [String: Any])?["2000"] as? Double == 35)
            let list = try json(try await client.send(.get, "/v1/users/\(user.id)/audiograms", token: user.token))
            #expect((list["items"] as? [Any])?.count == 1)
            #expect(try await client.send(.get, "/v1/audiograms/\(UUID())").status == .notFound)
            // One ear is enough.
            #expect(try await client.send(.post, "/v1/users/\(user.id)/audiograms", token: user.token,
                                          json: #"{"left":{"500":10,"1000":10,"2000":10}}"#).status == .created)
        }
    }

    // MARK: Profiles and analyses

    @Test(arguments: TestStore.available)
    func profiles(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            let user = try await client.user()
            let audiogram = try await client.audiogram(for: user)
            let response = try await client.send(.post, "/v1/profiles", token: user.token,
                                                 json: #"{"userId":"\#(user.id)","audiogramId":"\#(audiogram)","rule":"nal-r"}"#)
            #expect(response.status == .created, "\(String(buffer: response.body))")
            let record = try json(response)
            let id = try #require(record["id"] as? String)
            #expect(response.headers[.location] == "/v1/profiles/\(id)")
            #expect(record["rule"] as? String == "nal-r")
            #expect(record["audiogramId"] as? String == audiogram)
            let profile = try #require(record["profile"] as? [String: Any])
            #expect(profile["rule"] as? String == "nal-r")
            #expect(profile["fullScaleDBSPL"] as? Double == 100)
            let ears = try #require(profile["ears"] as? [String: Any])
            #expect(Set(ears.keys) == ["right", "left"])
            let right = try #require(ears["right"] as? [String: Any])
            let targets = try #require(right["targets"] as? [[String: Any]])
            #expect(targets.map { $0["frequencyHz"] as? Double } == [250, 500, 750, 1000, 1500, 2000, 3000, 4000, 6000])
            // NAL-R at 1000 Hz for the right ear (HTL 25@500, 30@1000, 40@2000):
            // 0.31·30 + 0.05·(25+30+40) + 1 = 15.05 dB.
            let at1k = try #require(targets.first { $0["frequencyHz"] as? Double == 1000 }?["insertionGainDB"] as? Double)
            #expect(abs(at1k - 15.05) < 0.01)
            #expect((right["bands"] as? [Any])?.count == 19, "third-octave 125 Hz–8 kHz")

            let read = try await client.send(.get, "/v1/profiles/\(id)", token: user.token)
            #expect(read.status == .ok)
            #expect(try json(read)["id"] as? String == id)
            // The document read back is the fitted profile that was created, value for value.
            func fitted(_ object: Any?) throws -> SoundProfile {
                try JSONDecoder().decode(SoundProfile.self, from: JSONSerialization.data(withJSONObject: try #require(object)))
            }
            #expect(try fitted(try json(read)["profile"]) == fitted(record["profile"]))
            let list = try json(try await client.send(.get, "/v1/users/\(user.id)/profiles", token: user.token))
            #expect((list["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])

            // Inline audiogram, octave bands, a fixed compression ratio; no audiogramId stored.
            let inline = try await client.send(.post, "/v1/profiles", token: user.token, json:
                #"{"userId":"\#(user.id)","rule":"half-gain","bands":"octave","compressionRatio":3,"audiogram":{"left":{"500":20,"1000":40,"2000":60}}}"#)
            #expect(inline.status == .created, "\(String(buffer: inline.body))")
            let inlineRecord = try json(inline)
            #expect(inlineRecord["audiogramId"] == nil)
            let inlineEars = try #require((inlineRecord["profile"] as? [String: Any])?["ears"] as? [String: Any])
            #expect(Set(inlineEars.keys) == ["left"])
            let octaveBands = try #require((inlineEars["left"] as? [String: Any])?["bands"] as? [[String: Any]])
            #expect(octaveBands.count == 7)
            #expect(octaveBands.allSatisfy { $0["compressionRatio"] as? Double == 3 })

            #expect(try await client.send(.get, "/v1/profiles/\(UUID())", token: user.token).status == .notFound)
            #expect(try await client.send(.get, "/v1/profiles/\(UUID())/gain-table", token: user.token).status == .notFound)
            let other = try await client.user()
            #expect(try await client.send(.get, "/v1/profiles/\(id)", token: other.token).status == .notFound)
            #expect(try await client.send(.get, "/v1/profiles/\(id)/gain-table", token: other.token).status == .notFound)
        }
    }

    @Test(arguments: TestStore.available)
    func gainTableAsJSONAndBinary(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            let user = try await client.user()
            let audiogram = try await client.audiogram(for: user)
            let created = try await client.send(.post, "/v1/profiles", token: user.token,
                                                json: #"{"userId":"\#(user.id)","audiogramId":"\#(audiogram)","rule":"nal-r"}"#)
            let id = try #require(try json(created)["id"] as? String)
            let profile = try #require(try json(created)["profile"] as? [String: Any])
            let rightBands = try #require(((profile["ears"] as? [String: Any])?["right"] as? [String: Any])?["bands"] as? [[String: Any]])

            let table = try await client.send(.get, "/v1/profiles/\(id)/gain-table", token: user.token)
            #expect(table.status == .ok)
            #expect(table.headers[.contentType]?.hasPrefix("application/json") == true)
            let document = try json(table)
            let levels = try #require(document["levelsDBSPL"] as? [Double])
            #expect(levels == (30...100).map(Double.init))
            let right = try #require((document["ears"] as? [String: Any])?["right"] as? [String: Any])
            let gains = try #require(right["gainsDB"] as? [[Double]])
            #expect(gains.count == rightBands.count)
            #expect(gains.allSatisfy { $0.count == levels.count })
            // Rounded to 0.01 dB like the profile's own gains: no float noise such as 7.3582608695652185.
            let noisy = gains.joined().filter { abs($0 * 100 - ($0 * 100).rounded()) > 1e-6 }
            #expect(noisy.isEmpty, "gains with more than 2 decimals: \(noisy.prefix(3))")
            // At each band's level for 65 dB SPL speech (its 40 dB SPL kneepoint + 25 dB) the table
            // gives the prescribed gain65: the curve is straight there, so the 1 dB grid
            // interpolates it exactly, and both sides are rounded to 0.01 dB (0.005 each).
            for (band, row) in zip(rightBands, gains) {
                let knee = try #require(band["kneepointDBSPL"] as? Double)
                let gain65 = try #require(band["gain65DB"] as? Double)
                let level = knee + 25
                guard level >= 30, level < 100 else { continue }
                let i = Int(level - 30), t = level - 30 - Double(i)
                let interpolated = row[i] + t * (row[i + 1] - row[i])
                #expect(abs(interpolated - gain65) <= 0.01 + 1e-9, "band \(band["centerHz"] ?? "?") Hz: \(interpolated) vs \(gain65) dB")
            }

            let binary = try await client.send(.get, "/v1/profiles/\(id)/gain-table", token: user.token,
                                               headers: [.accept: "application/octet-stream"])
            #expect(binary.status == .ok)
            #expect(binary.headers[.contentType] == "application/octet-stream")
            let bytes = Array(binary.body.readableBytesView)
            let bands = rightBands.count, count = levels.count
            #expect(bytes.count == 16 + 4 * count + 2 * (4 + 4 * bands + 4 * bands * count) + 4)
            #expect(Array(bytes[0..<4]) == Array("SPGT".utf8))
            #expect(bytes[4] == 1, "format version")
            #expect(bytes[5] == 2, "two ears")
            #expect(Int(bytes[6]) | Int(bytes[7]) << 8 == bands)
            #expect(Int(bytes[8]) | Int(bytes[9]) << 8 == count)
            func float(at offset: Int) -> Float {
                Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) })
            }
            #expect(float(at: 12) == 100, "fullScaleDBSPL")
            #expect(float(at: 16) == 30 && float(at: 16 + 4 * (count - 1)) == 100, "levels")
            let rightStart = 16 + 4 * count
            #expect(bytes[rightStart] == 0, "right ear first")
            let firstGain = rightStart + 4 + 4 * bands
            // The binary table is exact (Float32); the JSON is rounded to 0.01 dB.
            #expect(abs(Double(float(at: firstGain)) - gains[0][0]) <= 0.005 + 1e-4, "band 0 at 30 dB SPL, in dB")
            let stored = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[bytes.count - 4 + $1]) << (8 * $1) }
            #expect(stored == BitwiseCRC32.of(bytes.dropLast(4)))
            #expect(BitwiseCRC32.of(Array("123456789".utf8)) == 0xCBF4_3926, "the check value of CRC-32/ISO-HDLC")

            let preferJSON = try await client.send(.get, "/v1/profiles/\(id)/gain-table", token: user.token,
                                                   headers: [.accept: "application/json, application/octet-stream;q=0.5"])
            #expect(preferJSON.headers[.contentType]?.hasPrefix("application/json") == true)
        }
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/audio")

    @Test(arguments: TestStore.available, [
        ("tone-1k-48k.wav", "audio/wav", 48000), ("speech-16k.flac", "audio/flac", 16000),
        ("formats/aiff16.aiff", "audio/aiff", 48000), ("formats/vorbis.ogg", "audio/ogg", 48000),
        ("formats/flac16.flac", "application/octet-stream", 48000),
    ])
    func analyses(store: TestStore, upload: (file: String, contentType: String, sampleRate: Int)) async throws {
        let (file, contentType, sampleRate) = upload
        let bytes = try Data(contentsOf: Self.fixtures.appendingPathComponent(file))
        try await TestApp.run(on: store) { client in
            let user = try await client.user()
            let name = file.split(separator: "/").last.map(String.init) ?? file
            let created = try await client.send(.post, "/v1/analyses?name=\(name)", token: user.token,
                                                body: ByteBuffer(bytes: bytes), headers: [.contentType: contentType])
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let record = try json(created)
            let id = try #require(record["id"] as? String)
            let analysis = try #require(record["analysis"] as? [String: Any])
            #expect(analysis["file"] as? String == name)
            #expect(analysis["sampleRate"] as? Int == sampleRate)
            #expect(analysis["schemaVersion"] as? Int == 1)
            #expect((analysis["channels"] as? [Any])?.isEmpty == false)
            #expect(record["contentHash"] as? String == SHA256Hex.of(bytes))

            let again = try await client.send(.post, "/v1/analyses", token: user.token, body: ByteBuffer(bytes: bytes), headers: [.contentType: contentType])
            #expect(again.status == .ok, "the same audio again is the stored analysis, not a new one")
            #expect(try json(again)["id"] as? String == id, "the same upload is stored once")
            #expect(again.headers[.location] == "/v1/analyses/\(id.uppercased())" || again.headers[.location] == "/v1/analyses/\(id)")
            let list = try json(try await client.send(.get, "/v1/users/\(user.id)/analyses", token: user.token))
            #expect((list["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            #expect(try await client.send(.get, "/v1/analyses/\(id)", token: user.token).status == .ok)
            let other = try await client.user()
            #expect(try await client.send(.get, "/v1/analyses/\(id)", token: other.token).status == .notFound)
            #expect(try await client.send(.get, "/v1/analyses/\(UUID())", token: user.token).status == .notFound)
            #expect(try await client.send(.post, "/v1/analyses?userId=\(user.id)", token: other.token, body: ByteBuffer(bytes: bytes), headers: [.contentType: contentType]).status == .forbidden)
        }
    }

    /// An analysis stored by an earlier release (no provenance block, or an older result
    /// format) is not handed back for the same audio: it is analysed again and replaces the
    /// stored document under the same id, keeping the name it was uploaded under. One made with
    /// today's settings and format is returned as stored, and so is one a newer release made
    /// (an older replica in a rolling deploy must not undo it). Each case plants a document in
    /// the database with an impossible overall level, -1 dB SPL, to tell stored from new.
    @Test(arguments: TestStore.available)
    func storedAnalysisFromAnOlderFormatIsAnalysedAgain(store: TestStore) async throws {
        let bytes = try Data(contentsOf: Self.fixtures.appendingPathComponent("tone-1k-48k.wav"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sp-stale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let current = AnalysisProvenance.currentFormatVersion
        let check: @Sendable (String) async throws -> Void = { url in
            // A second connection to the same database, as an earlier release left it.
            let side = try await StoreFactory.open(url: url, queryTimeout: .seconds(60))
            let app = try await TestApp.make(url: url)
            try await side.withRunning { side in
                try await app.test(.router) { raw in
                    let client = TestApp.Client(client: raw)
                    let user = try await client.user()
                    func upload() async throws -> (status: HTTPResponse.Status, record: [String: Any], body: String) {
                        let r = try await client.send(.post, "/v1/analyses?name=again.wav", token: user.token,
                                                      body: ByteBuffer(bytes: bytes), headers: [.contentType: "audio/wav"])
                        return (r.status, try json(r), String(buffer: r.body))
                    }
                    func leq(_ record: [String: Any]) -> Double? {
                        ((record["analysis"] as? [String: Any])?["channels"] as? [[String: Any]])?.first?["overallLeqDB"] as? Double
                    }
                    let first = try await upload()
                    #expect(first.status == .created)
                    let id = try #require(first.record["id"] as? String)
                    let fresh = try #require(first.record["analysis"] as? [String: Any])
                    let provenance = try #require(fresh["provenance"] as? [String: Any], "the service's analysis records its provenance")
                    #expect(provenance["formatVersion"] as? Int == current)
                    #expect(provenance["bands"] as? String == "third-octave" && provenance["range"] as? String == "25-20000")
                    let freshLeq = try #require(leq(first.record))
                    #expect(freshLeq > 50, "the 1 kHz tone reads \(freshLeq) dB SPL")

                    // (planted document, analysed again?)
                    let cases: [(String, ([String: Any]) -> [String: Any], Bool)] = [
                        ("no provenance (format 1)", { var d = $0; d["provenance"] = nil; return d }, true),
                        ("format \(current - 1)", { var d = $0; var p = provenance; p["formatVersion"] = current - 1; d["provenance"] = p; return d }, true),
                        ("other settings", { var d = $0; var p = provenance; p["fullScaleDBSPL"] = 94; d["provenance"] = p; return d }, true),
                        ("today's format", { $0 }, false),
                        ("a newer format \(current + 1)", { var d = $0; var p = provenance; p["formatVersion"] = current + 1; d["provenance"] = p; return d }, false),
                    ]
                    for (label, edit, analysedAgain) in cases {
                        var planted = edit(fresh)
                        planted["file"] = "uploaded-first.wav"
                        var channels = try #require(planted["channels"] as? [[String: Any]])
                        channels[0]["overallLeqDB"] = -1.0
                        planted["channels"] = channels
                        let text = String(decoding: try JSONSerialization.data(withJSONObject: planted, options: .sortedKeys), as: UTF8.self)
                        try await side.driver.query("UPDATE analyses SET analysis = $1", [.text(text)])

                        let again = try await upload()
                        #expect(again.status == .ok, "\(label): \(again.body)")
                        #expect(again.record["id"] as? String == id, "\(label): the same audio keeps its id")
                        let analysis = try #require(again.record["analysis"] as? [String: Any])
                        #expect(analysis["file"] as? String == "uploaded-first.wav", "\(label): the stored name is kept")
                        let level = try #require(leq(again.record))
                        if analysedAgain {
                            #expect(abs(level - freshLeq) < 0.01, "\(label): \(level) dB SPL, not analysed again")
                            #expect((analysis["provenance"] as? [String: Any])?["formatVersion"] as? Int == current, "\(label)")
                            let stored = try await client.send(.get, "/v1/analyses/\(id)", token: user.token)
                            #expect(String(buffer: stored.body) == again.body, "\(label): the new document is the stored one")
                        } else {
                            #expect(level == -1, "\(label): \(level) dB SPL; the stored document should have been returned")
                        }
                    }
                    let list = try json(try await client.send(.get, "/v1/users/\(user.id)/analyses", token: user.token))
                    #expect((list["items"] as? [[String: Any]])?.count == 1)
                }
            }
        }
        if store == .sqlite {
            try await check(dir.appendingPathComponent("store.sqlite").path)
        } else {
            try await store.withDatabase(check)
        }
    }

    @Test(arguments: TestStore.available)
    func unreadableAudioIs422(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            let user = try await client.user()
            for bad in ["text.wav", "truncated-header.wav", "not-audio.flac"] {
                let bytes = try Data(contentsOf: Self.fixtures.appendingPathComponent("bad/\(bad)"))
                let response = try await client.send(.post, "/v1/analyses", token: user.token, body: ByteBuffer(bytes: bytes), headers: [.contentType: "audio/wav"])
                #expect(try fields(response) == ["body"], "\(bad)")
            }
            #expect(try fields(try await client.send(.post, "/v1/analyses", token: user.token, body: ByteBuffer(), headers: [.contentType: "audio/wav"])) == ["body"])
        }
    }

    // MARK: 4xx

    @Test(arguments: TestStore.available)
    func invalidFieldsAre422WithEveryField(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            let user = try await client.user()
            let users = "/v1/users"
            #expect(try fields(try await client.send(.post, users, json: #"{"fullName":"No Email"}"#)) == ["email"], "missing field")
            #expect(try fields(try await client.send(.post, users, json: #"{"email":42,"fullName":"X"}"#)) == ["email"], "wrong type")
            #expect(try fields(try await client.send(.post, users, json: #"{"email":null,"fullName":"X"}"#)) == ["email"], "null")
            #expect(Set(try fields(try await client.send(.post, users, json: #"{"email":"not-an-email","fullName":"  "}"#))) == ["email", "fullName"], "format and empty")
            #expect(try fields(try await client.send(.post, users, json: #"{"email":"a@example.com","fullName":"\#(String(repeating: "x", count: 201))"}"#)) == ["fullName"], "too long")

            let devices = "/v1/users/\(user.id)/devices"
            #expect(Set(try fields(try await client.send(.post, devices, token: user.token, json: #"{"serial":"has space","model":"","sampleRate":4000,"preset":"loud"}"#)))
                    == ["serial", "model", "sampleRate", "preset"], "ranges and enums")
            #expect(try fields(try await client.send(.post, devices, token: user.token, json: #"{"serial":"A1","model":"M","sampleRate":48000,"preset":"pod16k"}"#)) == ["sampleRate"], "inconsistent")

            let audiograms = "/v1/users/\(user.id)/audiograms"
            #expect(try fields(try await client.send(.post, audiograms, token: user.token, json: #"{}"#)) == ["right"], "no ear")
            #expect(Set(try fields(try await client.send(.post, audiograms, token: user.token,
                json: #"{"right":{"500":130,"1000":20,"2000":-20,"9000":10,"abc":5}}"#))) == ["right.500", "right.2000", "right.9000", "right.abc"], "thresholds and frequencies")
            #expect(try fields(try await client.send(.post, audiograms, token: user.token, json: #"{"left":{"500":10,"1000":10}}"#)) == ["left"], "missing 2000 Hz")
            #expect(try fields(try await client.send(.post, audiograms, token: user.token, json: #"{"right":{"500":"loud","1000":1,"2000":1}}"#)) == ["right.500"], "threshold type")
            #expect(try fields(try await client.send(.post, audiograms, token: user.token, json: #"{"measuredAt":"yesterday","right":{"500":1,"1000":1,"2000":1}}"#)) == ["measuredAt"], "date")
            #expect(try fields(try await client.send(.post, audiograms, token: user.token, json: #"{"schemaVersion":2,"right":{"500":1,"1000":1,"2000":1}}"#)) == ["schemaVersion"], "version")

            let profiles = "/v1/profiles"
            #expect(Set(try fields(try await client.send(.post, profiles, token: user.token, json: #"{"userId":"\#(user.id)","rule":"loudest","compressionRatio":40,"bands":"ERB9"}"#)))
                    == ["rule", "compressionRatio", "bands", "audiogramId"], "profile options")
            #expect(try fields(try await client.send(.post, profiles, token: user.token, json: #"{"userId":"\#(user.id)","rule":"nal-r","audiogramId":"\#(UUID())"}"#)) == ["audiogramId"], "unknown audiogram")
            #expect(try fields(try await client.send(.post, profiles, token: user.token, json: #"{"userId":"nope","rule":"nal-r"}"#)) == ["userId"], "malformed uuid")
            // A user that does not exist is named as such, with or without an audiogram id (the
            // audiogram lookup stands in for the user lookup only when it finds one of theirs).
            let ghost = UUID().uuidString
            let someoneElses = try await client.audiogram(for: try await client.user())
            #expect(try fields(try await client.send(.post, profiles, json: #"{"userId":"\#(ghost)","rule":"nal-r","audiogramId":"\#(someoneElses)"}"#)) == ["userId"], "no such user, an audiogram id")
            #expect(try fields(try await client.send(.post, profiles, json: #"{"userId":"\#(ghost)","rule":"nal-r","audiogram":{"right":{"500":20,"1000":20,"2000":20}}}"#)) == ["userId"], "no such user, inline")
            #expect(try fields(try await client.send(.post, profiles, token: user.token, json: #"{"userId":"\#(user.id)","rule":"nal-r","audiogramId":"\#(someoneElses)"}"#)) == ["audiogramId"], "another user's audiogram")
            #expect(try fields(try await client.send(.post, profiles, token: user.token, json: #"{"userId":"\#(user.id)","rule":"nal-r","audiogram":{"right":{"500":200,"1000":1,"2000":1}}}"#)) == ["audiogram.right.500"], "inline audiogram")

            let patch = "/v1/users/\(user.id)"
            #expect(Set(try fields(try await client.send(.patch, patch, token: user.token, json: #"{"email":"nobody","fullName":""}"#))) == ["email", "fullName"], "patch")
            #expect(try fields(try await client.send(.patch, patch, token: user.token, json: #"{"fullName":7}"#)) == ["fullName"], "patch type")
            #expect(try fields(try await client.send(.post, "/v1/analyses?userId=nope", token: user.token, body: ByteBuffer(string: "RIFF"),
                                                     headers: [.contentType: "audio/wav"])) == ["userId"], "analysis owner")

            #expect(try fields(try await client.send(.get, "/v1/users?limit=0")) == ["limit"])
            #expect(try fields(try await client.send(.get, "/v1/users?limit=ten")) == ["limit"])
            #expect(try fields(try await client.send(.get, "/v1/users?cursor=bogus")) == ["cursor"])
            #expect(try fields(try await client.send(.get, "/v1/users/search")) == ["email"])
        }
    }

    /// Issue 13: one 422 lists every bad field, the unknown members together with the missing,
    /// mistyped or out-of-range ones (before, checking stopped at the first stage that failed).
    @Test(arguments: TestStore.available)
    func unknownMembersAreListedWithEveryOtherBadField(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            let user = try await client.user()
            #expect(Set(try fields(try await client.send(.post, "/v1/users", json: #"{"email":5,"fullName":"x","extra":1}"#))) == ["email", "extra"], "wrong type and unknown")
            #expect(Set(try fields(try await client.send(.post, "/v1/users", json: #"{"Email":"b@example.com","fullName":"B"}"#))) == ["email", "Email"], "missing and unknown")
            #expect(Set(try fields(try await client.send(.post, "/v1/users/\(user.id)/audiograms", token: user.token,
                                                         json: #"{"right":{"500":300,"1000":40,"2000":50},"lft":1}"#))) == ["right.500", "lft"], "out of range and unknown")
            #expect(Set(try fields(try await client.send(.post, "/v1/users/\(user.id)/devices", token: user.token,
                                                         json: #"{"serial":"s","name":"x","preset":"pod16k","sampleRate":16000,"extra":1}"#))) == ["model", "name", "extra"], "missing and two unknown")
            #expect(Set(try fields(try await client.send(.patch, "/v1/users/\(user.id)", token: user.token, json: #"{"fullName":"","nick":"x"}"#))) == ["fullName", "nick"], "patch")
            // A null member is named once, not twice.
            #expect(try fields(try await client.send(.post, "/v1/users", json: #"{"email":null,"fullName":"X"}"#)) == ["email"])
        }
    }

    /// A number too large for a Double is named by its whole path, as the 2^63 case is.
    @Test func aNumberOutOfRangeIsNamedByItsPath() async throws {
        try await TestApp.run { client in
            let user = try await client.user()
            let response = try await client.send(.post, "/v1/users/\(user.id)/audiograms", token: user.token, json: #"{"right":{"500":1e999,"1000":40,"2000":50}}"#)
            #expect(try fields(response) == ["right.500"], "\(String(buffer: response.body))")
            let inline = try await client.send(.post, "/v1/profiles", token: user.token,
                                               json: #"{"userId":"\#(user.id)","rule":"nal-r","audiogram":{"left":{"500":20,"1000":1e999,"2000":50}}}"#)
            #expect(try fields(inline) == ["audiogram.left.1000"], "\(String(buffer: inline.body))")
        }
    }

    /// `-0` is the threshold 0: stored and echoed as 0, not `-0`.
    @Test(arguments: TestStore.available)
    func negativeZeroThresholdsAreStoredAsZero(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            let user = try await client.user()
            let created = try await client.send(.post, "/v1/users/\(user.id)/audiograms", token: user.token, json: #"{"right":{"500":-0,"1000":-0.0,"2000":50}}"#)
            #expect(created.status == .created)
            let body = String(buffer: created.body)
            #expect(!body.contains(#""500":-0"#) && !body.contains(#""1000":-0"#) && body.contains(#""500":0"#), "\(body)")
            let id = try #require(try json(created)["id"] as? String)
            let fetched = String(buffer: try await client.send(.get, "/v1/audiograms/\(id)", token: user.token).body)
            #expect(!fetched.contains(#""500":-0"#) && !fetched.contains(#""1000":-0"#) && fetched.contains(#""1000":0"#), "\(fetched)")
        }
    }

    @Test func malformedJSONIs400() async throws {
        try await TestApp.run { client in
            let response = try await client.send(.post, "/v1/users", json: #"{"email": "#)
            #expect(response.status == .badRequest)
        }
    }

    @Test(arguments: TestStore.available)
    func unsupportedMediaTypeIs415(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            let user = try await client.user()
            #expect(try await client.send(.post, "/v1/users", body: ByteBuffer(string: "email=a@b.co"), headers: [.contentType: "application/x-www-form-urlencoded"]).status == .unsupportedMediaType)
            #expect(try await client.send(.post, "/v1/users", body: ByteBuffer(string: "{}")).status == .unsupportedMediaType, "no content type")
            #expect(try await client.send(.post, "/v1/analyses", token: user.token, json: "{}").status == .unsupportedMediaType)
            #expect(try await client.send(.post, "/v1/analyses", token: user.token, body: ByteBuffer(string: "ID3"), headers: [.contentType: "video/mp4"]).status == .unsupportedMediaType)
        }
    }

    @Test(arguments: TestStore.available)
    func tooLargeIs413(store: TestStore) async throws {
        try await TestApp.run(on: store, maxAudioBytes: 1000) { client in
            let user = try await client.user()
            let big = #"{"email":"a@example.com","fullName":"\#(String(repeating: "x", count: 2 << 20))"}"#
            #expect(try await client.send(.post, "/v1/users", json: big).status == .contentTooLarge)
            var audio = ByteBuffer(string: "RIFF")
            audio.writeRepeatingByte(0, count: 5000)
            #expect(try await client.send(.post, "/v1/analyses", token: user.token, body: audio, headers: [.contentType: "audio/wav"]).status == .contentTooLarge)
        }
    }
}
