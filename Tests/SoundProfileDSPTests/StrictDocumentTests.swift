import Foundation
import Testing
@testable import SoundProfileDSP

/// Audiogram and profile documents are closed: an unknown key or a key given twice is an error
/// naming it (issue 13, item 3). The duplicate scan must survive any bytes.
@Suite struct StrictDocumentTests {
    static let ear = #"{"500": 30, "1000": 40, "2000": 50}"#

    func audiogramError(_ text: String) -> (any Error)? {
        do {
            _ = try Audiogram(json: Data(text.utf8))
            return nil
        } catch { return error }
    }

    @Test func anUnknownEarIsNamedWithWhatIsAllowed() throws {
        let error = try #require(audiogramError(#"{"right": \#(Self.ear), "lft": \#(Self.ear)}"#) as? JSONKeyError)
        #expect(error == .unknown(key: "lft", object: "", kind: "ear", allowed: ["left", "right"]))
        #expect(error.description == "unknown ear 'lft' (expected left or right)")
        // Plain JSONDecoder is strict about unknown keys too.
        #expect(throws: JSONKeyError.self) {
            try JSONDecoder().decode(Audiogram.self, from: Data(#"{"left": \#(Self.ear), "schemaversion": 1}"#.utf8))
        }
        #expect((audiogramError(#"{"left": \#(Self.ear), "schemaversion": 1}"#) as? JSONKeyError)?.description
                == "unknown key 'schemaversion' (expected left, right or schemaVersion)")
    }

    @Test func aDuplicateKeyIsNamedWithItsObject() throws {
        let cases: [(String, JSONKeyError)] = [
            (#"{"right": \#(Self.ear), "right": {"500": 90, "1000": 90, "2000": 90}}"#, .duplicate(key: "right", object: "")),
            (#"{"right": {"500": 30, "1000": 40, "2000": 50, "500": 35}}"#, .duplicate(key: "500", object: "right")),
            (#"{"right": \#(Self.ear), "\u0072ight": \#(Self.ear)}"#, .duplicate(key: "right", object: "")),
            (#"{"schemaVersion": 1, "left": \#(Self.ear), "schemaVersion": 1}"#, .duplicate(key: "schemaVersion", object: "")),
        ]
        for (text, expected) in cases {
            #expect(audiogramError(text) as? JSONKeyError == expected, "\(text)")
        }
        #expect(JSONKeyError.duplicate(key: "right", object: "").description == "duplicate key 'right' (each key may appear only once)")
        // The same key in different objects is fine.
        #expect(audiogramError(#"{"right": \#(Self.ear), "left": \#(Self.ear)}"#) == nil)
    }

    @Test func theScanFindsDuplicatesAnywhereAndNamesThePath() {
        let cases: [(String, JSONKeyError?)] = [
            (#"{"a": {"x": 1}, "b": {"x": 1}}"#, nil),
            (#"{"a": [{"x": 1, "x": 2}]}"#, .duplicate(key: "x", object: "a[0]")),
            (#"[{"x": 1}, {"y": {"z": [0, {"q": 1, "q": 1}]}}]"#, .duplicate(key: "q", object: "[1].y.z[1]")),
            (#"{"a": "x\"y", "a\"": 1, "a": 2}"#, .duplicate(key: "a", object: "")),
            (#"{"k": "\"k\"", "s": "{\"k\": 1, \"k\": 2}"}"#, nil),  // keys inside strings are text
            (#"{"\ud83d\ude00": 1, "😀": 2}"#, .duplicate(key: "😀", object: "")),
            (#"{"a": 1, "a": 2"#, .duplicate(key: "a", object: "")),  // unterminated after the fact: still found
            (#"{"a": "never ends"#, nil),
            (#"{"\u00zz": 1}"#, nil),
            ("", nil),
        ]
        for (text, expected) in cases {
            #expect(JSONDuplicateKeys.first(in: Data(text.utf8)) == expected, "\(text)")
        }
    }

    @Test func hostileBytesNeverCrashTheScan() {
        // Deep nesting (no recursion, so no stack overflow), stray closers, and random bytes.
        #expect(JSONDuplicateKeys.first(in: Array(repeating: UInt8(ascii: "["), count: 1_000_000)) == nil)
        #expect(JSONDuplicateKeys.first(in: Array(String(repeating: #"{"a":"#, count: 100_000).utf8)) == nil)
        #expect(JSONDuplicateKeys.first(in: Array("]]]}}},,,\"\\".utf8)) == nil)
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]",:\u0041 x1"#.utf8)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in
                Bool.random(using: &generator) ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
            _ = JSONDuplicateKeys.first(in: bytes)
            _ = try? Audiogram(json: bytes)
            _ = try? SoundProfile(json: bytes)
        }
    }

    @Test func aProfileIsClosedAtEveryLevel() throws {
        let golden = try FittingFixtures.data("fitting/golden/N3-nal-r.json")
        #expect(try SoundProfile(json: golden) == FittingFixtures.goldenProfile("N3", .nalR), "the golden itself is fine")
        func error(_ edit: (inout [String: Any]) -> Void) throws -> JSONKeyError? {
            var tree = try FittingFixtures.jsonObject(golden)
            edit(&tree)
            do {
                _ = try SoundProfile(json: JSONSerialization.data(withJSONObject: tree))
                return nil
            } catch let e as JSONKeyError { return e }
        }
        func band(_ tree: inout [String: Any], _ key: String, _ value: Any) {
            var ears = tree["ears"] as! [String: Any]
            var right = ears["right"] as! [String: Any]
            var bands = right["bands"] as! [[String: Any]]
            bands[3][key] = value
            right["bands"] = bands
            ears["right"] = right
            tree["ears"] = ears
        }
        #expect(try error { $0["rules"] = "nal-r" }?.description == "unknown key 'rules' (expected schemaVersion, rule, preset, fullScaleDBSPL or ears)")
        #expect(try error { var ears = $0["ears"] as! [String: Any]; ears["both"] = ears["left"]; $0["ears"] = ears }?.description
                == "unknown ear 'both' in ears (expected left or right)")
        #expect(try error { band(&$0, "mpo", 100) }?.description
                == "unknown key 'mpo' in ears.right.bands[3] (expected centerHz, lowerHz, upperHz, gain65DB, kneepointDBSPL, compressionRatio, expansionThresholdDBSPL, expansionRatio, mpoDBSPL, attackMilliseconds or releaseMilliseconds)")
        #expect(try error { var ears = $0["ears"] as! [String: Any]; var left = ears["left"] as! [String: Any]; left["note"] = 1; ears["left"] = left; $0["ears"] = ears }?.description
                == "unknown key 'note' in ears.left (expected targets or bands)")
    }

    /// The scan also checks the keys against the profile format, so that decoding a clean
    /// document can skip JSONDecoder's per-object key listing. It may only say "clean" when the
    /// decoder would have found no unknown key.
    @Test func theSchemaScanPassesOnlyCleanProfiles() throws {
        let golden = try FittingFixtures.data("fitting/golden/N3-nal-r.json")
        let clean = JSONDuplicateKeys.scan(golden, schema: SoundProfile.keySchema)
        #expect(clean.duplicate == nil && clean.keysAllowed)
        // Decoded on the fast path, the profile is the one plain JSONDecoder (which lists every
        // object's keys) decodes.
        #expect(try SoundProfile(json: golden) == JSONDecoder().decode(SoundProfile.self, from: golden))

        let text = String(decoding: golden, as: UTF8.self)
        func keysAllowed(_ edited: String) -> Bool { JSONDuplicateKeys.scan(Array(edited.utf8), schema: SoundProfile.keySchema).keysAllowed }
        #expect(!keysAllowed(text.replacingOccurrences(of: "\"mpoDBSPL\"", with: "\"mpo\"")), "an unknown band key")
        #expect(!keysAllowed(text.replacingOccurrences(of: "\"right\"", with: "\"both\"")), "an unknown ear")
        #expect(!keysAllowed(text.replacingOccurrences(of: "\"rule\": \"nal-r\"", with: "\"rule\": {\"x\": 1}")), "an object where the format has none")
        #expect(!keysAllowed(String(text.dropLast(3))), "text that ends inside the document")
        #expect(!keysAllowed("[" + text + "]"), "a list of profiles")
        #expect(JSONDuplicateKeys.scan(golden, schema: nil).keysAllowed == false, "no schema, no check")
    }

    /// Objects with many keys (beyond the one-by-one comparison) still find every duplicate,
    /// and a key set of one object never leaks into the next object at the same depth.
    @Test func largeObjectsFindDuplicatesWithoutFalseAlarms() {
        func object(_ keys: [String]) -> String { "{" + keys.map { "\"\($0)\": 1" }.joined(separator: ", ") + "}" }
        let many = (0..<40).map { "k\($0)" }
        #expect(JSONDuplicateKeys.first(in: Array(object(many).utf8)) == nil)
        #expect(JSONDuplicateKeys.first(in: Array(object(many + ["k3"]).utf8)) == .duplicate(key: "k3", object: ""))
        #expect(JSONDuplicateKeys.first(in: Array(object(Array(many[0..<16]) + ["k15"]).utf8)) == .duplicate(key: "k15", object: ""))
        #expect(JSONDuplicateKeys.first(in: Array(("[" + object(many) + ", " + object(many) + "]").utf8)) == nil)
        #expect(JSONDuplicateKeys.first(in: Array(("{\"a\": [" + object(many) + ", " + object(many + ["k39"]) + "]}").utf8))
                == .duplicate(key: "k39", object: "a[1]"))
    }
}
