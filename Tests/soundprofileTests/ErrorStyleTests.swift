import Foundation
import Testing

/// Strict documents (issue 13, item 3) and the one error style (item 5), as a user meets them:
/// every failure is `soundprofile <command>: <file>: <reason>`, named once, in words.
@Suite struct ErrorStyleTests {
    static let profile = CLI.fixture("fitting/golden/N3-nal-r.json")
    static let audiogram = CLI.fixture("audiograms/N3.json")
    static let ear = #"{"500": 30, "1000": 40, "2000": 50}"#

    func write(_ text: String, _ name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// The N3 golden profile's JSON text with `member` (e.g. `"gain65":1`) added to the object
    /// that `path` leads to (keys and array indices).
    func profileText(adding member: String, at path: [Any]) throws -> String {
        var tree = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.profile)))
        func insert(_ node: Any, _ rest: ArraySlice<Any>) -> Any {
            if let key = rest.first as? String, var object = node as? [String: Any] {
                object[key] = insert(object[key]!, rest.dropFirst())
                return object
            }
            if let index = rest.first as? Int, var array = node as? [Any] {
                array[index] = insert(array[index], rest.dropFirst())
                return array
            }
            var object = node as! [String: Any]
            object["PLACEHOLDER"] = 1
            return object
        }
        tree = insert(tree, path[...])
        let text = String(decoding: try JSONSerialization.data(withJSONObject: tree, options: [.sortedKeys]), as: UTF8.self)
        return text.replacingOccurrences(of: #""PLACEHOLDER":1"#, with: member)
    }

    @Test func unknownAndDuplicateKeysInAnAudiogramAreErrorsNamingThem() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, String)] = [
            (#"{"right": \#(Self.ear), "lft": \#(Self.ear)}"#, "unknown ear 'lft' (expected left or right)"),
            (#"{"right": \#(Self.ear), "measuredOn": "2026-01-01"}"#, "unknown key 'measuredOn' (expected left, right or schemaVersion)"),
            (#"{"right": \#(Self.ear), "right": {"500": 90, "1000": 90, "2000": 90}}"#, "duplicate key 'right' (each key may appear only once)"),
            (#"{"left": {"500": 30, "1000": 40, "1000": 45, "2000": 50}}"#, "duplicate key '1000' in left (each key may appear only once)"),
            (#"{"right": \#(Self.ear), "\u0072ight": \#(Self.ear)}"#, "duplicate key 'right'"),
        ]
        for (text, reason) in cases {
            let file = try write(text, "audiogram.json", in: dir)
            for command in [["fit", "--audiogram", file], ["plot", "audiogram", file]] {
                let r = try CLI.run(command)
                #expect(r.status == 1, "\(command) \(text)")
                #expect(r.stdout.isEmpty)
                let prefix = command[0] == "fit" ? "soundprofile fit" : "soundprofile plot audiogram"
                #expect(r.stderr.hasPrefix("\(prefix): \(file): \(reason)"), "\(r.stderr)")
            }
        }
    }

    @Test func unknownAndDuplicateKeysInAProfileAreErrorsNamingThem() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bands = "centerHz, lowerHz, upperHz, gain65DB, kneepointDBSPL, compressionRatio, expansionThresholdDBSPL, expansionRatio, mpoDBSPL, attackMilliseconds or releaseMilliseconds"
        let cases: [(String, String)] = [
            (try profileText(adding: #""gain65":1"#, at: ["ears", "right", "bands", 3]), "unknown key 'gain65' in ears.right.bands[3] (expected \(bands))"),
            (try profileText(adding: #""lft":{}"#, at: ["ears"]), "unknown ear 'lft' in ears (expected left or right)"),
            (try profileText(adding: #""note":"x""#, at: []), "unknown key 'note' (expected schemaVersion, rule, preset, fullScaleDBSPL or ears)"),
            (try profileText(adding: #""gain":1"#, at: ["ears", "left", "targets", 0]), "unknown key 'gain' in ears.left.targets[0] (expected frequencyHz or insertionGainDB)"),
            (try profileText(adding: #""mpoDBSPL":150"#, at: ["ears", "right", "bands", 3]), "duplicate key 'mpoDBSPL' in ears.right.bands[3] (each key may appear only once)"),
            (try profileText(adding: #""rule":"pogo""#, at: []), "duplicate key 'rule' (each key may appear only once)"),
        ]
        for (text, reason) in cases {
            let file = try write(text, "profile.json", in: dir)
            for command in [["process", CLI.fixture("audio/tone-1k-48k.wav"), "--output-dir", dir.appendingPathComponent("out").path, "--profile", file],
                            ["verify", "--profile", file], ["plot", "profile", file, "--no-realised"]] {
                let r = try await offThePool { try CLI.run(command) }
                #expect(r.status == 1, "\(command[0]) \(reason)")
                let prefix = command[0] == "plot" ? "soundprofile plot profile" : "soundprofile \(command[0])"
                #expect(r.stderr == "\(prefix): \(file): \(reason)\n", "\(r.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path), "process wrote nothing")
    }

    @Test func aDocumentOfTheWrongKindIsNamed() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        for command in [["process", CLI.fixture("audio/tone-1k-48k.wav"), "--output-dir", out, "--profile", Self.audiogram],
                        ["verify", "--profile", Self.audiogram], ["plot", "profile", Self.audiogram]] {
            let r = try await offThePool { try CLI.run(command) }
            #expect(r.status == 1)
            let prefix = command[0] == "plot" ? "soundprofile plot profile" : "soundprofile \(command[0])"
            #expect(r.stderr.hasPrefix("\(prefix): \(Self.audiogram): this is an audiogram; run `soundprofile fit` first"), "\(r.stderr)")
            #expect(!r.stderr.contains("CodingKeys") && !r.stderr.contains("Error Domain"))
        }
        let fit = try CLI.run(["fit", "--audiogram", Self.profile])
        #expect(fit.status == 1)
        #expect(fit.stderr == "soundprofile fit: \(Self.profile): this is a fitted profile, not an audiogram; give the audiogram it was fitted from\n", "\(fit.stderr)")
        let plot = try CLI.run(["plot", "audiogram", Self.profile])
        #expect(plot.stderr == "soundprofile plot audiogram: \(Self.profile): this is a fitted profile, not an audiogram; draw it with `soundprofile plot profile`\n", "\(plot.stderr)")
    }

    @Test func missingAndUnreadableFilesAreNamedOnceInWords() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let nope = dir.appendingPathComponent("nope.json").path
        let missing: [([String], String)] = [
            (["process", "x.wav", "--profile", nope, "--output-dir", dir.path], "soundprofile process: \(nope): not found (no such file or folder)\n"),
            (["verify", "--profile", nope], "soundprofile verify: \(nope): not found (no such file or folder)\n"),
            (["fit", "--audiogram", nope], "soundprofile fit: \(nope): not found (no such file or folder)\n"),
            (["plot", "audiogram", nope], "soundprofile plot audiogram: \(nope): not found (no such file or folder)\n"),
            (["plot", "analysis", nope], "soundprofile plot analysis: \(nope): not found (no such file or folder)\n"),
            (["fit", "--audiogram", dir.path], "soundprofile fit: \(dir.path): is a folder, not a file\n"),
            (["fit", "--audiogram", Self.audiogram, "--output", dir.path + "/no/such/profile.json"],
             "soundprofile fit: \(dir.path)/no/such/profile.json: cannot write: not found (no such file or folder)\n"),
        ]
        for (command, expected) in missing {
            let r = try await offThePool { try CLI.run(command) }
            #expect(r.status == 1, "\(command)")
            #expect(r.stderr == expected, "\(command): \(r.stderr)")
        }
        // An audio file that is not there: named once, not "nope.wav: nope.wav: not found".
        let wav = dir.appendingPathComponent("nope.wav").path
        let r = try CLI.run(["process", wav, "--profile", Self.profile, "--output-dir", dir.appendingPathComponent("out").path])
        #expect(r.status == 1)
        #expect(r.stderr == "soundprofile process: \(wav): not found (no such file)\nsoundprofile process: 1 of 1 files failed\n", "\(r.stderr)")
        // Not JSON at all.
        let text = try write("not json", "text.json", in: dir)
        let notJSON = try CLI.run(["verify", "--profile", text])
        #expect(notJSON.stderr.hasPrefix("soundprofile verify: \(text): not a fitted profile: not valid JSON"), "\(notJSON.stderr)")
        let notAudiogram = try CLI.run(["fit", "--audiogram", text])
        #expect(notAudiogram.stderr.hasPrefix("soundprofile fit: \(text): not an audiogram file: not valid JSON"), "\(notAudiogram.stderr)")
        // Hostile nesting: an error, not a crash.
        let deep = try write(String(repeating: #"{"right":["#, count: 100_000), "deep.json", in: dir)
        for command in [["fit", "--audiogram", deep], ["verify", "--profile", deep]] {
            let r = try CLI.run(command)
            #expect(r.status == 1 && r.stderr.contains("not valid JSON"), "\(command[0]): \(r.stderr)")
        }
        // A value of the wrong type: the path in the document, not a Codable dump.
        let typed = try write(#"{"right": {"500": "loud", "1000": 40, "2000": 50}}"#, "typed.json", in: dir)
        let wrongType = try CLI.run(["fit", "--audiogram", typed])
        #expect(wrongType.stderr.hasPrefix("soundprofile fit: \(typed): not an audiogram file: right.500 must be a number"), "\(wrongType.stderr)")
        #expect(!wrongType.stderr.contains("CodingKeys"))
    }

    /// Every message of every command, good or bad input, starts with `soundprofile <command>: `.
    @Test func everyCommandUsesOnePrefixAndTheDocumentedExitStatus() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = try write(#"{"right": {"500": 20, "1000": 130, "2000": 40}}"#, "bad.json", in: dir)
        let runs: [([String], Int32, String)] = [
            (["fit", "--audiogram", bad], 1, "fit"),
            (["fit", "--audiogram", Self.audiogram, "--rule", "nal-x"], 2, "fit"),
            (["fit"], 2, "fit"),
            (["process", "--profile", Self.profile], 2, "process"),
            (["process", CLI.fixture("audio/tone-1k-48k.wav"), "--profile", Self.profile, "--preset", "pod24k", "--output-dir", dir.path + "/o"], 1, "process"),
            (["verify", "--profile", Self.profile, "--tolerance", "0"], 2, "verify"),
            (["plot", "audiogram", bad], 1, "plot audiogram"),
            (["plot", "profile", Self.profile, "--preset", "pod8k"], 2, "plot profile"),
            (["analyze", dir.appendingPathComponent("nope.wav").path], 1, "analyze"),
            (["merge", dir.path], 2, "merge"),
            (["no-such-command"], 2, ""),
            (["token", "create", "--user", "nope"], 2, "token create"),
            (["serve", "--port", "0"], 2, "serve"),
        ]
        for (command, status, name) in runs {
            let r = try await offThePool { try CLI.run(command) }
            #expect(r.status == status, "\(command): \(r.stderr)")
            let prefix = name.isEmpty ? "soundprofile: " : "soundprofile \(name): "
            let first = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
            #expect(first.hasPrefix(prefix), "\(command): \(r.stderr)")
            for line in r.stderr.split(separator: "\n") where line.hasPrefix("soundprofile") || line.hasPrefix("error") || line.hasPrefix("Error") {
                #expect(line.hasPrefix(prefix), "\(command): \(line)")
            }
            #expect(!r.stderr.contains("Error Domain") && !r.stderr.contains("CodingKeys("), "\(command): \(r.stderr)")
        }
    }
}
