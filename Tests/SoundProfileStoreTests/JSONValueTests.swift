import Foundation
import Testing
@testable import SoundProfileStore

@Suite struct JSONValueTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func parsesWhatTheDecoderParses() throws {
        // Every golden profile: the hand parser and Foundation's decoder agree value for value.
        let dir = Self.root.appendingPathComponent("Fixtures/fitting/golden")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 80)
        for name in files {
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            let fast = try JSONValue(jsonText: text)
            let reference = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            #expect(fast == reference, "\(name)")
        }
    }

    @Test func stringsEscapesAndLiterals() throws {
        let text = #"{"a": "x\"y\\z\/\n\t\u00e9\ud83d\ude00", "b": [true, false, null, -1.5e3, 0], "c": {}}"#
        let v = try JSONValue(jsonText: text)
        #expect(v["a"] == .string("x\"y\\z/\n\té😀"))
        #expect(v["b"] == .array([.bool(true), .bool(false), .null, .number(-1500), .number(0)]))
        #expect(v["c"] == .object([:]))
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "1 2", "{\"a\":\"\\ud800\"}", "[1}"])
    func invalidTextIsAnErrorWithItsOffset(text: String) {
        #expect(throws: JSONValue.ParseError.self) { _ = try JSONValue(jsonText: text) }
    }
}
