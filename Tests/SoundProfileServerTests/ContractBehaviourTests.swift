import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import SoundProfileServer
import Testing

/// What the contract promises beyond single routes: HEAD, 405 with Allow, `/`, `servers`,
/// closed request bodies, and deletes with what they take along.
@Suite("Contract behaviour")
struct ContractBehaviourTests {
    @Test func headAnswersLikeGetWithoutBody() async throws {
        try await TestApp.run { client in
            let user = try await client.user()
            let get = try await client.send(.get, "/v1/users/\(user.id)", token: user.token)
            let head = try await client.send(.head, "/v1/users/\(user.id)", token: user.token)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            #expect(head.headers[.contentLength] == String(get.body.readableBytes))
            #expect(try await client.send(.head, "/healthz", token: nil).status == .ok)
            let missing = try await client.send(.head, "/v1/users/\(UUID())")
            #expect(missing.status == .notFound)
            #expect(missing.body.readableBytes == 0, "errors to HEAD have no body either")
        }
    }

    @Test(arguments: [
        (HTTPRequest.Method.put, "/v1/users", "GET, HEAD, POST"), (.delete, "/v1/users", "GET, HEAD, POST"),
        (.post, "/v1/users/\(UUID())", "DELETE, GET, HEAD, PATCH"), (.post, "/v1/users/search", "GET, HEAD"),
        (.put, "/v1/profiles/\(UUID())", "DELETE, GET, HEAD"), (.post, "/healthz", "GET, HEAD"),
        (.options, "/v1/analyses", "POST"), (.patch, "/v1/devices/\(UUID())", "DELETE"),
    ])
    func wrongMethodIs405WithAllow(method: HTTPRequest.Method, path: String, allow: String) async throws {
        try await TestApp.run { client in
            let response = try await client.send(method, path)
            #expect(response.status == .methodNotAllowed, "\(method) \(path)")
            #expect(response.headers[.allow] == allow)
            #expect(try json(response)["status"] as? Int == 405)
            #expect(try await client.send(method, "/v1/no-such-thing").status == .notFound, "unknown paths stay 404")
        }
    }

    @Test func rootRedirectsToDocs() async throws {
        try await TestApp.run { client in
            let response = try await client.send(.get, "/", token: nil)
            #expect(response.status == .found)
            #expect(response.headers[.location] == "/docs")
        }
    }

    @Test func serversNamesTheAddressUsed() async throws {
        try await TestApp.run { client in
            // The in-process test client always says `localhost`; the document says 127.0.0.1:8080.
            let response = try await client.send(.get, "/openapi.yaml", token: nil)
            #expect(String(buffer: response.body).contains("servers:\n  - url: http://localhost\n"))
        }
    }

    @Test func requestBodiesAreClosed() async throws {
        try await TestApp.run { client in
            let user = try await client.user()
            #expect(try fields(try await client.send(.post, "/v1/users", json: #"{"email":"x@example.com","fullName":"X","admin":true}"#)) == ["admin"])
            #expect(try fields(try await client.send(.patch, "/v1/users/\(user.id)", json: #"{"fullName":null}"#)) == ["fullName"],
                    "null is refused, not ignored")
            #expect(try fields(try await client.send(.patch, "/v1/users/\(user.id)", json: #"{"nickname":"x"}"#)) == ["nickname"])
            #expect(try fields(try await client.send(.post, "/v1/users/\(user.id)/audiograms",
                                                     json: #"{"right":{"500":10,"1000":10,"2000":10},"note":"x"}"#)) == ["note"])
            #expect(try fields(try await client.send(.post, "/v1/profiles",
                                                     json: #"{"userId":"\#(user.id)","rule":"nal-r","audiogram":{"right":{"500":10,"1000":10,"2000":10},"both":{}}}"#)) == ["audiogram.both"])
            #expect(try fields(try await client.send(.post, "/v1/users/\(user.id)/devices",
                                                     json: #"{"serial":"A1","model":"M","sampleRate":16000,"preset":"pod16k","color":"red"}"#)) == ["color"])
            let renamed = try await client.send(.patch, "/v1/users/\(user.id)", json: #"{"fullName":"Renamed"}"#)
            #expect(try json(renamed)["fullName"] as? String == "Renamed")
        }
    }

    /// Foundation's ISO 8601 parser reads "12:99:00" as 13:39:00; the contract says RFC 3339
    /// date-time, so out-of-range fields are refused (schemathesis found this one).
    @Test func dateTimesWithOutOfRangeFieldsAreRefused() async throws {
        for bad in ["2024-01-01T12:99:00Z", "2024-01-01T24:00:00Z", "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z",
                    "2024-13-01T00:00:00Z", "2024-01-01T00:00:61Z", "2024-01-01T00:00:00+25:00", "2024-01-01T00:00:00",
                    "2024-01-01T00:00:00.Z", "2024-1-01T00:00:00Z", "2024-01-01T00:00:00Zjunk"] {
            #expect(JSONCoding.parseDate(bad) == nil, "\(bad) was accepted")
        }
        for good in ["2024-02-29T23:59:59Z", "2024-01-01T00:00:00.123Z", "2024-06-30T12:00:00+02:00", "2024-06-30T12:00:00-05:30"] {
            #expect(JSONCoding.parseDate(good) != nil, "\(good) was refused")
        }
        #expect(JSONCoding.parseDate("2024-06-30T12:00:00+02:00") == JSONCoding.parseDate("2024-06-30T10:00:00Z"))
        try await TestApp.run { client in
            let user = try await client.user()
            let response = try await client.send(.post, "/v1/users/\(user.id)/audiograms",
                                                 json: #"{"right":{"500":10,"1000":10,"2000":10},"measuredAt":"2024-01-01T12:99:00Z"}"#)
            #expect(response.status == .badRequest || response.status == .unprocessableContent, "\(response.status)")
        }
    }

    /// A member given twice would otherwise be decided by Foundation (one of them silently wins).
    @Test func duplicateMembersAreRefusedNamingThem() async throws {
        try await TestApp.run { client in
            let user = try await client.user()
            let ear = #"{"500":10,"1000":10,"2000":10}"#
            let audiograms = "/v1/users/\(user.id)/audiograms"
            let twoRights = try await client.send(.post, audiograms, json: #"{"right":\#(ear),"right":{"500":90,"1000":90,"2000":90}}"#)
            #expect(try fields(twoRights) == ["right"])
            let list = try json(twoRights)["fields"] as? [[String: Any]]
            #expect(list?.first?["message"] as? String == "is given more than once (duplicate key 'right'); each member may appear only once")
            #expect(try fields(try await client.send(.post, audiograms, json: #"{"left":{"500":10,"1000":10,"1000":60,"2000":10}}"#)) == ["left.1000"])
            #expect(try fields(try await client.send(.post, "/v1/users", json: #"{"email":"a@example.com","fullName":"A","email":"b@example.com"}"#)) == ["email"])
            #expect(try fields(try await client.send(.post, "/v1/profiles",
                                                     json: #"{"userId":"\#(user.id)","rule":"nal-r","audiogram":{"right":\#(ear),"right":\#(ear)}}"#)) == ["audiogram.right"])
            // The typo of the issue: an unknown ear is refused too.
            #expect(try fields(try await client.send(.post, audiograms, json: #"{"right":\#(ear),"lft":\#(ear)}"#)) == ["lft"])
            // Without duplicates the same bodies are fine.
            #expect(try await client.send(.post, audiograms, json: #"{"right":\#(ear),"left":\#(ear)}"#).status == .created)
        }
    }

    @Test func unreadableUploadNamesNoServerPath() async throws {
        try await TestApp.run { client in
            let user = try await client.user()
            let response = try await client.send(.post, "/v1/analyses?name=mine.wav", token: user.token,
                                                 body: ByteBuffer(string: "RIFF not really audio"), headers: [.contentType: "audio/wav"])
            #expect(response.status == .unprocessableContent)
            let text = String(buffer: response.body)
            #expect(!text.contains("soundprofile-upload"), "\(text)")
            #expect(!text.contains(FileManager.default.temporaryDirectory.path), "\(text)")
        }
    }

    /// Owner or admin may delete; others get 404; each delete takes what the contract says.
    @Test(arguments: TestStore.available)
    func deletesAndWhatTheyTake(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            let user = try await client.user()
            let other = try await client.user()
            let audiogram = try await client.audiogram(for: user)
            let fitted = try await client.send(.post, "/v1/profiles", token: user.token,
                                               json: #"{"userId":"\#(user.id)","audiogramId":"\#(audiogram)","rule":"nal-r"}"#)
            #expect(fitted.status == .created)
            let profile = try #require(try json(fitted)["id"] as? String)
            let device = try await client.send(.post, "/v1/users/\(user.id)/devices", token: user.token,
                                               json: #"{"serial":"D-\#(UUID().uuidString.prefix(8))","model":"M","sampleRate":16000,"preset":"pod16k"}"#)
            let deviceID = try #require(try json(device)["id"] as? String)

            // Someone else's: 404, and nothing happens.
            for path in ["/v1/audiograms/\(audiogram)", "/v1/profiles/\(profile)", "/v1/devices/\(deviceID)"] {
                #expect(try await client.send(.delete, path, token: other.token).status == .notFound, "\(path)")
            }
            // The audiogram goes; the profile stays, without audiogramId.
            #expect(try await client.send(.delete, "/v1/audiograms/\(audiogram)", token: user.token).status == .noContent)
            #expect(try await client.send(.get, "/v1/audiograms/\(audiogram)", token: user.token).status == .notFound)
            let kept = try await client.send(.get, "/v1/profiles/\(profile)", token: user.token)
            #expect(kept.status == .ok)
            #expect(try json(kept)["audiogramId"] == nil)
            #expect((try json(kept)["profile"] as? [String: Any])?["ears"] != nil, "the fitted document is kept")
            // The profile and its gain table go.
            #expect(try await client.send(.delete, "/v1/profiles/\(profile)", token: user.token).status == .noContent)
            #expect(try await client.send(.get, "/v1/profiles/\(profile)", token: user.token).status == .notFound)
            #expect(try await client.send(.get, "/v1/profiles/\(profile)/gain-table", token: user.token).status == .notFound)
            #expect(try await client.send(.delete, "/v1/profiles/\(profile)", token: user.token).status == .notFound, "only once")
            // An admin may delete anyone's device.
            #expect(try await client.send(.delete, "/v1/devices/\(deviceID)").status == .noContent)
            let devices = try json(try await client.send(.get, "/v1/users/\(user.id)/devices", token: user.token))
            #expect((devices["items"] as? [Any])?.isEmpty == true)
            #expect(try await client.send(.delete, "/v1/devices/not-a-uuid").status == .notFound)
        }
    }

    @Test(arguments: TestStore.available)
    func deletingAnAnalysisLetsTheAudioBeAnalysedAgain(store: TestStore) async throws {
        let bytes = try Data(contentsOf: RouteTests.fixtures.appendingPathComponent("tone-1k-48k.wav"))
        try await TestApp.run(on: store) { client in
            let user = try await client.user()
            let first = try await client.send(.post, "/v1/analyses", token: user.token, body: ByteBuffer(bytes: bytes), headers: [.contentType: "audio/wav"])
            #expect(first.status == .created)
            let id = try #require(try json(first)["id"] as? String)
            #expect(try await client.send(.delete, "/v1/analyses/\(id)", token: user.token).status == .noContent)
            #expect(try await client.send(.get, "/v1/analyses/\(id)", token: user.token).status == .notFound)
            let again = try await client.send(.post, "/v1/analyses", token: user.token, body: ByteBuffer(bytes: bytes), headers: [.contentType: "audio/wav"])
            #expect(again.status == .created)
            #expect(try json(again)["id"] as? String != id)
        }
    }
}
