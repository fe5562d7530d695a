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

    /// `process`, `verify` and `plot profile` each refuse the profile `text` with exit 1 and the
    /// one line `soundprofile <command>: <file>: <reason>`.
    func expectEveryProfileReaderRefuses(_ text: String, _ reason: String, in dir: URL) async throws {
        let file = try write(text, "profile.json", in: dir)
        for command in [["process", CLI.fixture("audio/tone-1k-48k.wav"), "--output-dir", dir.appendingPathComponent("out").path, "--profile", file],
                        ["verify", "--profile", file], ["plot", "profile", file, "--no-realised"]] {
            let r = try await offThePool { try CLI.run(command) }
            #expect(r.status == 1, "\(command[0]) \(reason): \(r.stderr)")
            let prefix = command[0] == "plot" ? "soundprofile plot profile" : "soundprofile \(command[0])"
            #expect(r.stderr == "\(prefix): \(file): \(reason)\n", "\(r.stderr)")
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
            try await expectEveryProfileReaderRefuses(text, reason, in: dir)
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
             "soundprofile fit: \(dir.path)/no/such/profile.json: cannot write: the folder \(dir.path)/no/such does not exist\n"),
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
        #expect(r.stderr == "soundprofile process: \(wav): not found (no such file or folder)\nsoundprofile process: 1 of 1 files failed\n", "\(r.stderr)")
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

    /// A file only root could read, and not even root: `/proc/sys/vm/drop_caches` is write-only
    /// for everyone; as another user, a copy with mode 000.
    func unreadableAudioFile(in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("locked.wav").path
        if geteuid() == 0 {
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/proc/sys/vm/drop_caches")
        } else {
            try FileManager.default.copyItem(atPath: CLI.fixture("audio/tone-1k-48k.wav"), toPath: path)
            try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: path)
        }
        return path
    }

    /// Runs `soundprofile args…` with standard input opened on `path` (a folder, say).
    func run(_ args: [String], standardInputFrom path: String) throws -> CLI.Result {
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("soundprofile")
        process.arguments = args
        let input = try #require(FileHandle(forReadingAtPath: path))
        process.standardInput = input
        let err = Pipe(), out = Pipe()
        process.standardError = err
        process.standardOutput = out
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLI.Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                          stderr: String(decoding: errData, as: UTF8.self), stdoutData: outData)
    }

    /// Issue 13: one failure reads the same in every command (a missing file, a file libsndfile
    /// refuses, a folder, a file that may not be read), in words, and names one file once.
    @Test func oneFailureReadsTheSameInEveryCommand() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        func reasons(for file: String, profile: String = Self.profile) async throws -> [String: String] {
            var found: [String: String] = [:]
            for command in [["analyze", file, "--quiet"], ["info", file], ["process", file, "--profile", profile, "--output-dir", out]] {
                let r = try await offThePool { try CLI.run(command) }
                #expect(r.status == 1, "\(command): \(r.stderr)")
                let line = r.stderr.split(separator: "\n").map(String.init).first { $0.hasPrefix("soundprofile \(command[0]): \(file): ") } ?? r.stderr
                found[command[0]] = String(line.dropFirst("soundprofile \(command[0]): \(file): ".count))
            }
            return found
        }
        let missing = dir.appendingPathComponent("nope.wav").path
        #expect(Set(try await reasons(for: missing).values) == ["not found (no such file or folder)"])
        let text = CLI.fixture("audio/bad/text.wav")
        let notAudio = try await reasons(for: text)
        #expect(Set(notAudio.values).count == 1 && notAudio["info"]!.hasPrefix("not an audio file (libsndfile: "), "\(notAudio)")
        let locked = try unreadableAudioFile(in: dir)
        #expect(Set(try await reasons(for: locked).values) == ["permission denied"])
        // The analyze error record in JSON carries the same words.
        let json = try CLI.run(["analyze", text, "--format", "json", "--quiet"])
        #expect(json.stdout.contains("not an audio file (libsndfile: "), "\(json.stdout)")
        // A folder given as an audio file.
        for command in [["info", dir.path], ["process", dir.path + "/", "--profile", Self.profile, "-o", out + ".wav"]] {
            let r = try CLI.run(command)
            #expect(r.stderr.contains(": is a folder, not a file") && !r.stderr.contains("directory"), "\(command): \(r.stderr)")
        }
        // Documents: the same words for a missing file, in every command that reads one.
        for command in [["fit", "--audiogram", missing], ["verify", "--profile", missing], ["plot", "profile", missing]] {
            let r = try await offThePool { try CLI.run(command) }
            #expect(r.stderr.hasSuffix(": \(missing): not found (no such file or folder)\n"), "\(command): \(r.stderr)")
        }
        // Standard input that is a folder: said so, with standard input named once.
        for command in [["fit", "--audiogram", "-"], ["plot", "analysis", "-"], ["info", "-"]] {
            let r = try run(command, standardInputFrom: dir.path)
            #expect(r.status == 1)
            let name = command[0] == "plot" ? "plot analysis" : command[0]
            #expect(r.stderr.hasPrefix("soundprofile \(name): standard input: is a folder, not a file\n") || r.stderr.hasPrefix("soundprofile \(name): -: is a folder, not a file\n"),
                    "\(command): \(r.stderr)")
            #expect(!r.stderr.contains("not found") && !r.stderr.contains("standard input: -:"), "\(command): \(r.stderr)")
        }
        // A folder that takes no new files is not "not found".
        let proc = try CLI.run(["fit", "--audiogram", Self.audiogram, "--output", "/proc/p.json"])
        #expect(proc.status == 1)
        #expect(proc.stderr == "soundprofile fit: /proc/p.json: cannot write: the folder /proc does not allow new files (it is not an ordinary file system)\n", "\(proc.stderr)")
    }

    /// Only a list of analysis records is called an analysis result; any other array is named
    /// as an array with what was expected.
    @Test func anArrayIsNotCalledAnAnalysisResult() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for text in ["[1,2]", "[]", #"[{"right":{}}]"#] {
            let file = try write(text, "doc.json", in: dir)
            let fit = try CLI.run(["fit", "--audiogram", file])
            #expect(fit.status == 1)
            #expect(fit.stderr.hasPrefix("soundprofile fit: \(file): this is a JSON array, not an audiogram: it must be an object like {\"right\""), "\(text): \(fit.stderr)")
            let verify = try await offThePool { try CLI.run(["verify", "--profile", file]) }
            #expect(verify.stderr == "soundprofile verify: \(file): this is a JSON array, not a fitted profile: it must be the JSON object that `soundprofile fit` writes\n", "\(text): \(verify.stderr)")
        }
        // A real analysis result is still named as one.
        let result = try write(#"[{"file":"x.wav","error":"not found"}]"#, "result.json", in: dir)
        #expect(try CLI.run(["fit", "--audiogram", result]).stderr.contains("this is an analysis result (soundprofile analyze), not an audiogram"))
    }

    /// A profile's `rule` and `preset` are names the format knows: any other is refused by
    /// every command, naming the key, the value and the allowed values.
    @Test func aProfileWithAnUnknownRuleOrPresetIsRefusedByEveryCommand() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let golden = try String(contentsOfFile: Self.profile, encoding: .utf8)
        let cases: [(String, String)] = [
            (golden.replacingOccurrences(of: #""rule": "nal-r""#, with: #""rule": "NAL-R""#), "rule 'NAL-R' is not known: it must be one of nal-r, nal-rp, half-gain, pogo"),
            (golden.replacingOccurrences(of: #""rule": "nal-r""#, with: #""rule": "banana""#), "rule 'banana' is not known: it must be one of nal-r, nal-rp, half-gain, pogo"),
            (golden.replacingOccurrences(of: #""rule": "nal-r""#, with: #""preset": "pod99k", "rule": "nal-r""#), "preset 'pod99k' is not known: it must be one of pod16k, pod24k, studio48k"),
        ]
        for (text, reason) in cases {
            #expect(text != golden)
            try await expectEveryProfileReaderRefuses(text, reason, in: dir)
        }
        // Every profile `fit` writes (each rule, each preset) still reads.
        for (rule, preset) in [("nal-r", "pod16k"), ("nal-rp", "pod24k"), ("half-gain", "studio48k"), ("pogo", nil)] as [(String, String?)] {
            let file = dir.appendingPathComponent("\(rule).json").path
            let fit = try CLI.run(["fit", "--audiogram", Self.audiogram, "--rule", rule, "-o", file] + (preset.map { ["--preset", $0] } ?? []))
            #expect(fit.status == 0, "\(fit.stderr)")
            let plot = try CLI.run(["plot", "profile", file, "--no-realised", "-o", file + ".svg"])
            #expect(plot.status == 0 && FileManager.default.fileExists(atPath: file + ".svg"), "\(rule): \(plot.stderr)")
        }
    }

    /// The CLI reads audiogram keys by the service's rule: one spelling per frequency, no null ear.
    @Test func audiogramKeysAreReadByTheServicesRule() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for key in ["0500", "1e3", "500.0", "+500", " 500"] {
            let file = try write(#"{"right":{"\#(key)":30,"500":30,"1000":40,"2000":50}}"#, "a.json", in: dir)
            let r = try CLI.run(["fit", "--audiogram", file])
            #expect(r.status == 1)
            #expect(r.stderr.hasPrefix("soundprofile fit: \(file): right ear: frequency key \"\(key)\" is not allowed: keys must be whole numbers of Hz (125…8000 Hz)"), "\(key): \(r.stderr)")
        }
        let null = try write(#"{"right":null,"left":\#(Self.ear)}"#, "n.json", in: dir)
        let r = try CLI.run(["fit", "--audiogram", null])
        #expect(r.status == 1)
        #expect(r.stderr == "soundprofile fit: \(null): right is null: give the ear's thresholds as an object, or leave \"right\" out\n", "\(r.stderr)")
    }

    /// Text that is not JSON is named with the line and column and what was found there; a
    /// number out of range with its key path; an empty list of bands as such.
    @Test func jsonProblemsSayWhereAndWhat() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, String)] = [
            ("{\"right\": \(Self.ear)}\n x", "not an audiogram file: not valid JSON at line 2, column 2: more text after the end of the document, found 'x'"),
            ("{\"right\": {\"500\": 1e999, \"1000\": 40, \"2000\": 50}}", "not an audiogram file: right.500: the number 1e999 is out of range (numbers must be within ±1.8e308)"),
            ("{\n  \"right\": {\"500\": NaN}\n}", "not an audiogram file: not valid JSON at line 2, column 20: expected a value (an object, array, string, number, true, false or null), found 'N'"),
            ("// note\n{}", "not an audiogram file: not valid JSON at line 1, column 1: expected a value (an object, array, string, number, true, false or null), found '/'"),
            ("{\"right\": {\"500\": 20 \"1000\": 30}}", "not an audiogram file: not valid JSON at line 1, column 22: expected ',' or '}' after a member, found '\"'"),
        ]
        for (text, reason) in cases {
            let file = try write(text, "a.json", in: dir)
            let r = try CLI.run(["fit", "--audiogram", file])
            #expect(r.status == 1)
            #expect(r.stderr == "soundprofile fit: \(file): \(reason)\n", "\(text): \(r.stderr)")
        }
        var tree = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.profile))) as? [String: Any])
        var ears = try #require(tree["ears"] as? [String: Any])
        var right = try #require(ears["right"] as? [String: Any])
        right["bands"] = [Any]()
        ears["right"] = right
        tree["ears"] = ears
        let file = dir.appendingPathComponent("p.json")
        try JSONSerialization.data(withJSONObject: tree).write(to: file)
        let verify = try await offThePool { try CLI.run(["verify", "--profile", file.path]) }
        #expect(verify.stderr == "soundprofile verify: \(file.path): ears.right.bands is empty: the profile has no bands for this ear (it needs at least one)\n", "\(verify.stderr)")
    }
}
