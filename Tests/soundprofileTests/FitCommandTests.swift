import Foundation
import Testing

@Suite struct FitCommandTests {
    /// Tolerance for every number compared with a golden (dB, dB SPL, Hz, ms).
    static let tolerance = 0.01

    /// Compares two JSON trees: same keys, same lengths, equal strings, numbers within `tolerance`.
    func expectJSONClose(_ actual: Any, _ expected: Any, path: String = "$", sourceLocation: SourceLocation = #_sourceLocation) {
        switch (actual, expected) {
        case let (a as [String: Any], e as [String: Any]):
            #expect(Set(a.keys) == Set(e.keys), "keys at \(path)", sourceLocation: sourceLocation)
            for (k, v) in e { if let av = a[k] { expectJSONClose(av, v, path: "\(path).\(k)", sourceLocation: sourceLocation) } }
        case let (a as [Any], e as [Any]):
            #expect(a.count == e.count, "length at \(path)", sourceLocation: sourceLocation)
            for (i, (av, ev)) in zip(a, e).enumerated() { expectJSONClose(av, ev, path: "\(path)[\(i)]", sourceLocation: sourceLocation) }
        case let (a as String, e as String):
            #expect(a == e, "at \(path)", sourceLocation: sourceLocation)
        case let (a as NSNumber, e as NSNumber):
            #expect(abs(a.doubleValue - e.doubleValue) < Self.tolerance, "at \(path): \(a) vs \(e)", sourceLocation: sourceLocation)
        default:
            Issue.record("different JSON types at \(path): \(actual) vs \(expected)", sourceLocation: sourceLocation)
        }
    }

    func golden(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: CLI.fixture("fitting/golden/\(name).json"))))
    }

    func writeTemporary(_ text: String, in dir: URL, name: String = "audiogram.json") throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test(arguments: ["nal-r", "nal-rp", "half-gain", "pogo"])
    func jsonOnStdoutMatchesTheGolden(_ rule: String) throws {
        for name in ["N3", "N7", "S2"] {
            let r = try CLI.run(["fit", "--audiogram", CLI.fixture("audiograms/\(name).json"), "--rule", rule])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.isEmpty)
            expectJSONClose(try JSONSerialization.jsonObject(with: r.stdoutData), try golden("\(name)-\(rule)"))
        }
    }

    @Test func nalRIsTheDefaultAndOptionsReachTheProfile() throws {
        let r = try CLI.run(["fit", "--audiogram", CLI.fixture("audiograms/N3.json"), "--bands", "octave", "--range", "250-4000",
                             "--compression-ratio", "3", "--full-scale-db-spl", "110"])
        #expect(r.status == 0, "\(r.stderr)")
        let tree = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        #expect(tree["rule"] as? String == "nal-r" && tree["fullScaleDBSPL"] as? Double == 110 && tree["schemaVersion"] as? Int == 1)
        let bands = try #require(((tree["ears"] as? [String: Any])?["right"] as? [String: Any])?["bands"] as? [[String: Any]])
        #expect(bands.count == 5)  // 250, 500, 1k, 2k, 4k
        #expect(bands.allSatisfy { $0["compressionRatio"] as? Double == 3 })
        for spec in ["erb:8", "log:6"] {
            let s = try CLI.run(["fit", "--audiogram", CLI.fixture("audiograms/N3.json"), "--bands", spec])
            #expect(s.status == 0, "\(spec): \(s.stderr)")
        }
    }

    @Test func outputFileIsWrittenAndStdoutStaysEmpty() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("N7.json").path
        let r = try CLI.run(["fit", "--audiogram", CLI.fixture("audiograms/N7.json"), "--rule", "nal-rp", "--output", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        expectJSONClose(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))), try golden("N7-nal-rp"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["N7.json"])  // no temporary left
    }

    /// Gains and levels are written to 0.01 dB: `12.7`, never `12.700000000000003`.
    @Test(arguments: [[], ["--preset", "pod16k"], ["--bands", "erb:12", "--compression-ratio", "3.3"]])
    func writtenGainsAndLevelsHaveAtMostTwoDecimals(_ extra: [String]) throws {
        let r = try CLI.run(["fit", "--audiogram", CLI.fixture("audiograms/S2.json")] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        let keys: Set = ["insertionGainDB", "gain65DB", "kneepointDBSPL", "expansionThresholdDBSPL", "mpoDBSPL"]
        let numbers = r.stdout.matches(of: #/"(\w+)" : (-?[0-9][0-9.eE+-]*)/#).filter { keys.contains(String($0.output.1)) }
        #expect(numbers.count > 50, "\(numbers.count) numbers")
        for match in numbers {
            #expect(String(match.output.2).wholeMatch(of: #/-?[0-9]+(\.[0-9]{1,2})?/#) != nil, "\(extra): \(match.output.1) \(match.output.2)")
        }
    }

    /// A preset fits in its own channels, so `--bands`/`--range` given with it are refused (exit
    /// 2, naming both options) instead of being ignored; either alone still fits.
    @Test(arguments: [(["--bands", "octave"], "--bands octave"), (["--range", "250-4000"], "--range 250-4000"),
                      (["--bands", "erb:12", "--range", "100-6000"], "--bands erb:12 and --range 100-6000")])
    func presetRefusesBandsAndRange(_ extra: [String], _ named: String) throws {
        let r = try CLI.run(["fit", "--audiogram", CLI.fixture("audiograms/S2.json"), "--preset", "pod16k"] + extra)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("\(named) cannot be used with --preset pod16k"), "\(r.stderr)")
        let alone = try CLI.run(["fit", "--audiogram", CLI.fixture("audiograms/S2.json")] + extra)
        #expect(alone.status == 0, "\(alone.stderr)")
    }

    @Test func noFileOnFailureAndAnExistingFileIsKept() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = try writeTemporary(#"{"right": {"500": 20, "1000": 130, "2000": 40}}"#, in: dir)
        let out = dir.appendingPathComponent("profile.json").path
        let r = try CLI.run(["fit", "--audiogram", bad, "--output", out])
        #expect(r.status == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
        try Data("previous".utf8).write(to: URL(fileURLWithPath: out))
        let again = try CLI.run(["fit", "--audiogram", bad, "--output", out, "--format", "table"])
        #expect(again.status == 1)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "previous")
        // An output folder that does not exist: exit 1, nothing created.
        let missing = try CLI.run(["fit", "--audiogram", CLI.fixture("audiograms/N3.json"), "--output", dir.appendingPathComponent("no/such.json").path])
        #expect(missing.status == 1 && missing.stderr.contains("no/such.json"))
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)) == ["audiogram.json", "profile.json"])
    }

    @Test func invalidAudiogramExits1NamingEarFrequencyAndValue() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, [String])] = [
            (#"{"right": {"500": 20, "1000": 130, "2000": 40}}"#, ["right ear", "1000 Hz", "130 dB HL", "-10…120 dB HL"]),
            (#"{"left": {"500": 20, "1000": 30}}"#, ["left ear", "2000 Hz"]),
            (#"{"left": {"500": 20, "1000": 30, "2000": 40, "12000": 50}}"#, ["left ear", "12000 Hz", "125…8000 Hz"]),
            (#"{"schemaVersion": 1}"#, ["no ear"]),
            ("not json", ["not an audiogram file"]),
        ]
        for (text, words) in cases {
            let r = try CLI.run(["fit", "--audiogram", try writeTemporary(text, in: dir)])
            #expect(r.status == 1, "\(text)")
            #expect(r.stdout.isEmpty)
            for w in words { #expect(r.stderr.contains(w), "\(text): \(r.stderr)") }
        }
        let missing = try CLI.run(["fit", "--audiogram", dir.appendingPathComponent("absent.json").path])
        #expect(missing.status == 1 && missing.stderr.contains("absent.json"))
    }

    @Test(arguments: [
        (["--rule", "nal-x"], "--rule nal-x is not known"),
        (["--compression-ratio", "12"], "--compression-ratio 12 is not allowed: it must be 1…10"),
        (["--compression-ratio", "0.5"], "--compression-ratio 0.5 is not allowed"),
        (["--compression-ratio", "abc"], "--compression-ratio"),
        (["--full-scale-db-spl", "300"], "--full-scale-db-spl 300 is not allowed: it must be 0…200 dB SPL"),
        (["--bands", "erb:0"], "band count 0"),
        (["--bands", "bark"], "--bands bark is not allowed"),
        (["--range", "8000-125"], "--range 8000-125 is not allowed"),
        (["--format", "xml"], "--format"),
    ])
    func usageErrorsExit2WithTheMessage(_ extra: [String], _ message: String) throws {
        let r = try CLI.run(["fit", "--audiogram", CLI.fixture("audiograms/N3.json")] + extra)
        #expect(r.status == 2, "\(extra): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func missingAudiogramOptionExits2() throws {
        let r = try CLI.run(["fit"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--audiogram"))
    }

    @Test func tableShowsTargetsAndBandRowsWithUnits() throws {
        let r = try CLI.run(["fit", "--audiogram", CLI.fixture("audiograms/N3.json"), "--format", "table"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(r.stdout.contains("rule nal-r") && r.stdout.contains("dB SPL"))
        // Targets (dB): N3 NAL-R 0.1, 9.1, 14.1, 19.65 → 19.7, 21.2, 20.75 → 20.8, 21.3, 22.85 → 22.9, 24.4.
        #expect(rows.contains(["right", "0.1", "9.1", "14.1", "19.7", "21.2", "20.8", "21.3", "22.9", "24.4"]))
        // 1 kHz band: gain at 50/65/80 dB speech = 19.65 ± 7.5 (CR 2: half of 15 dB), knee 23.7, CR 2,
        // expansion threshold 8.7, ER 0.5, MPO 108, attack 5 ms, release 50 ms.
        #expect(rows.contains(["right", "1k", "27.2", "19.7", "12.2", "23.7", "2.0", "8.7", "0.50", "108.0", "5", "50"]))
        #expect(rows.contains(["left", "8k", "31.9", "24.4", "16.9", "13.7", "2.0", "-1.3", "0.50", "113.0", "5", "50"]))
        #expect(rows.filter { $0.first == "right" }.count == 20 && rows.filter { $0.first == "left" }.count == 20)
        #expect(r.stdout.contains("Hz") && r.stdout.contains("ms"))
    }
}
