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

    /// Issue 13: one rule for audiogram keys in the CLI and the service — a whole number of Hz
    /// written plainly — and no null ear.
    @Test(arguments: ["0500", "1e3", "500.0", "+500", " 500", "500 ", "0x1F4"])
    func aFrequencyKeyHasOneSpelling(key: String) throws {
        let error = try #require(audiogramError(#"{"right": {"\#(key)": 20, "500": 30, "1000": 40, "2000": 50}}"#) as? AudiogramError)
        #expect(error == .frequencyNotANumber(ear: .right, key: key))
        #expect(error.description.hasPrefix("right ear: frequency key \"\(key)\" is not allowed: keys must be whole numbers of Hz (125…8000 Hz)"))
    }

    @Test func aNullEarIsRefusedAndAnAbsentOneIsNot() throws {
        #expect(audiogramError(#"{"right": null, "left": \#(Self.ear)}"#) as? AudiogramError == .nullEar(.right))
        #expect(AudiogramError.nullEar(.left).description == "left is null: give the ear's thresholds as an object, or leave \"left\" out")
        #expect(audiogramError(#"{"left": \#(Self.ear)}"#) == nil)
    }

    /// A profile names a shipped rule and preset; anything else is refused when it is read,
    /// naming the key, the value and what is allowed. Every golden profile still reads.
    @Test func aProfileNamesAKnownRuleAndPreset() throws {
        let golden = try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/fitting/golden/N3-nal-r.json"))
        func read(_ change: (inout [String: Any]) -> Void) -> (any Error)? {
            do {
                var tree = try JSONSerialization.jsonObject(with: golden) as! [String: Any]
                change(&tree)
                _ = try SoundProfile(json: JSONSerialization.data(withJSONObject: tree))
                return nil
            } catch { return error }
        }
        let rules = ["nal-r", "nal-rp", "half-gain", "pogo"]
        for bad in ["NAL-R", "banana", "nal_r"] {
            #expect(read { $0["rule"] = bad } as? FittingError == .notOneOf(field: "rule", value: bad, allowed: rules))
        }
        #expect(FittingError.notOneOf(field: "rule", value: "NAL-R", allowed: rules).description == "rule 'NAL-R' is not known: it must be one of nal-r, nal-rp, half-gain, pogo")
        for bad in ["pod99k", "banana", "pod16K"] {
            #expect(read { $0["preset"] = bad } as? FittingError == .notOneOf(field: "preset", value: bad, allowed: ["pod16k", "pod24k", "studio48k"]))
        }
        for rule in rules { #expect(read { $0["rule"] = rule } == nil, "\(rule)") }
        for preset in ["pod16k", "pod24k", "studio48k"] { #expect(read { $0["preset"] = preset } == nil, "\(preset)") }
        #expect(read { $0["rule"] = "" } as? FittingError == .empty(field: "rule"))
    }

    @Test func anEarWithoutBandsOrTargetsSaysSo() throws {
        let golden = try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/fitting/golden/N3-nal-r.json"))
        for list in ["bands", "targets"] {
            var tree = try JSONSerialization.jsonObject(with: golden) as! [String: Any]
            var ears = tree["ears"] as! [String: Any]
            var right = ears["right"] as! [String: Any]
            right[list] = [Any]()
            ears["right"] = right
            tree["ears"] = ears
            let error = #expect(throws: FittingError.self) { try SoundProfile(json: JSONSerialization.data(withJSONObject: tree)) }
            #expect(error == .emptyList(field: "ears.right.\(list)", what: list))
            #expect(error?.description == "ears.right.\(list) is empty: the profile has no \(list) for this ear (it needs at least one)")
        }
    }

    /// Where and why a text is not JSON: line, column and what was found; numbers out of range
    /// by their key path. Well-formed documents have no problem.
    @Test func jsonSyntaxProblemsNameThePlace() {
        let cases: [(String, String?)] = [
            (#"{"right": {"500": 20}}"#, nil),
            ("\u{FEFF}[1, 2.5e3, -0, \"x\\u00e9\", true, false, null, {}, []]", nil),
            (#"{"a": 1} x"#, "not valid JSON at line 1, column 10: more text after the end of the document, found 'x'"),
            ("{\n\"a\": 1,\n}", "not valid JSON at line 3, column 1: expected a member name in double quotes, found '}'"),
            (#"{"a" 1}"#, "not valid JSON at line 1, column 6: expected ':' after the member name, found '1'"),
            (#"{"a": [1 2]}"#, "not valid JSON at line 1, column 10: expected ',' or ']' after an element, found '2'"),
            (#"{"a": 01}"#, "not valid JSON at line 1, column 8: a number with a leading zero, found '1'"),
            (#"{"a": 1.}"#, "not valid JSON at line 1, column 9: expected a digit after the decimal point, found '}'"),
            (#"{"a": tru}"#, "not valid JSON at line 1, column 7: expected a value, found 't'"),
            (#"{"é": "x", "b": NaN}"#, "not valid JSON at line 1, column 17: expected a value (an object, array, string, number, true, false or null), found 'N'"),
            (#"{"a": "never ends"#, "not valid JSON at line 1, column 7: a string that never ends or has a bad escape or control character, found '\"'"),
            (#"{"a": 1"#, "not valid JSON at line 1, column 8: expected ',' or '}', found the end of the text"),
            ("", "not valid JSON at line 1, column 1: expected a JSON document, found the end of the text"),
            (#"{"right": {"500": 1e999}}"#, "right.500: the number 1e999 is out of range (numbers must be within ±1.8e308)"),
            (#"{"ears": {"left": {"bands": [{}, {"gain65DB": -1e400}]}}}"#, "ears.left.bands[1].gain65DB: the number -1e400 is out of range (numbers must be within ±1.8e308)"),
            (#"1e999"#, "line 1, column 1: the number 1e999 is out of range (numbers must be within ±1.8e308)"),
            (String(repeating: "[", count: 600), "not valid JSON at line 1, column 513: nested more than 512 levels deep"),
        ]
        for (text, expected) in cases {
            #expect(JSONSyntax.problem(in: Data(text.utf8)) == expected, "\(text.prefix(60))")
        }
        // Any bytes: an answer, never a crash.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0..<40, using: &generator)).map { _ in Array(#"{}[]":,0123456789.eE+-"\tfnru "#.utf8).randomElement(using: &generator)! }
            _ = JSONSyntax.problem(in: bytes)
        }
    }
}
