import Foundation
import Hummingbird
import HummingbirdTesting
import SoundProfileServer
import Testing
import HTTPTypes

/// The SVG pictures of stored objects: served as image/svg+xml, well-formed, with the ownership
/// rules of their JSON (someone else's object is 404).
@Suite("Picture routes (in-process)")
struct PictureRouteTests {
    static func expectSVG(_ response: TestResponse, width: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == .ok, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
        #expect(response.headers[.contentType]?.hasPrefix("image/svg+xml") == true, sourceLocation: sourceLocation)
        let svg = String(buffer: response.body)
        #expect(svg.hasPrefix("<?xml") && svg.contains(#"<svg xmlns="http://www.w3.org/2000/svg""#) && svg.contains(#"width="\#(width)""#),
                sourceLocation: sourceLocation)
        #expect(!svg.contains("<script") && !svg.contains("href"), sourceLocation: sourceLocation)
    }

    @Test(arguments: TestStore.available)
    func picturesOfAudiogramsProfilesAndAnalyses(store: TestStore) async throws {
        try await TestApp.run(on: store) { client in
            let user = try await client.user()
            let other = try await client.user()
            let audiogram = try await client.audiogram(for: user)
            Self.expectSVG(try await client.send(.get, "/v1/audiograms/\(audiogram).svg", token: user.token), width: "600")
            #expect(try await client.send(.get, "/v1/audiograms/\(audiogram).svg", token: other.token).status == .notFound)
            #expect(try await client.send(.get, "/v1/audiograms/\(UUID()).svg", token: user.token).status == .notFound)
            // The JSON route is still the JSON route.
            #expect(try await client.send(.get, "/v1/audiograms/\(audiogram)", token: user.token).headers[.contentType]?.hasPrefix("application/json") == true)

            let created = try await client.send(.post, "/v1/profiles", token: user.token,
                                                json: #"{"userId":"\#(user.id)","audiogramId":"\#(audiogram)","rule":"nal-r"}"#)
            let profile = try #require(try JSONSerialization.jsonObject(with: Data(buffer: created.body)) as? [String: Any])["id"] as! String
            let sheet = try await client.send(.get, "/v1/profiles/\(profile)/report.svg?ear=left&preset=pod16k", token: user.token)
            Self.expectSVG(sheet, width: "1320")
            #expect(String(buffer: sheet.body).contains("Test box: pod16k (16000 Hz), left ear"))
            #expect(try await client.send(.get, "/v1/profiles/\(profile)/report.svg", token: other.token).status == .notFound)
            let bad = try await client.send(.get, "/v1/profiles/\(profile)/report.svg?preset=pod8k", token: user.token)
            #expect(bad.status.code == 422 && String(buffer: bad.body).contains("preset"))

            let bytes = try Data(contentsOf: RouteTests.fixtures.appendingPathComponent("speech-16k.flac"))
            let analysis = try await client.send(.post, "/v1/analyses?name=speech.flac", token: user.token,
                                                 body: ByteBuffer(bytes: bytes), headers: [.contentType: "audio/flac"])
            let id = try #require(try JSONSerialization.jsonObject(with: Data(buffer: analysis.body)) as? [String: Any])["id"] as! String
            Self.expectSVG(try await client.send(.get, "/v1/analyses/\(id).svg", token: user.token), width: "900")
            #expect(try await client.send(.get, "/v1/analyses/\(id).svg", token: other.token).status == .notFound)
        }
    }
}
