import Foundation
import Testing

/// `soundprofile verify` and `soundprofile plot` as a user runs them.
@Suite struct VerifyCommandTests {
    /// `soundprofile args…`, run off the cooperative pool (verify takes seconds in a debug build).
    func sp(_ args: [String]) async throws -> CLI.Result { try await offThePool { try CLI.run(args) } }

    func fitN3(preset: String, in dir: URL) async throws -> String {
        let path = dir.appendingPathComponent("n3-\(preset).json").path
        let r = try await sp(["fit", "--audiogram", CLI.fixture("audiograms/N3.json"), "--preset", preset, "--output", path])
        #expect(r.status == 0, "\(r.stderr)")
        return path
    }

    @Test(arguments: ["pod16k", "pod24k", "studio48k"])
    func verifyPrintsTheSheetAndWritesThePicture(preset: String) async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = try await fitN3(preset: preset, in: dir)
        let svg = dir.appendingPathComponent("sheet.svg").path
        let r = try await sp(["verify", "--profile", profile, "--plot", svg])
        #expect(r.status == 0, "\(r.stderr)\n\(r.stdout)")
        for heading in ["Test box: \(preset)", "Tone sweeps", "Insertion gain for LTASS noise", "Input/output", "Attack/release", "THD at 70 dB SPL", "Checks",
                        "Fitting checks: PASS"] {
            #expect(r.stdout.contains(heading), "missing \(heading)")
        }
        let picture = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(picture.hasPrefix("<?xml") && picture.contains("<svg") && picture.hasSuffix("</svg>\n"))
    }

    @Test func jsonCarriesTheSameNumbersAsTheTable() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = try await fitN3(preset: "pod16k", in: dir)
        let table = try await sp(["verify", "--profile", profile, "--ear", "left"])
        let json = try await sp(["verify", "--profile", profile, "--ear", "left", "--format", "json"])
        #expect(table.status == 0 && json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: json.stdoutData) as? [String: Any])
        #expect(object["ear"] as? String == "left" && object["preset"] as? String == "pod16k" && object["schemaVersion"] as? Int == 1)
        let ar = try #require(object["attackRelease"] as? [String: Any])
        let attack = try #require(ar["attackMilliseconds"] as? Double)
        #expect(table.stdout.contains("attack \(String(format: "%.1f", attack)) ms"))
        let ospl = try #require((object["ospl90"] as? [String: Any])?["points"] as? [[String: Any]])
        #expect(ospl.count == 16)  // 200 Hz … 6.3 kHz (0.45 · 16 kHz = 7.2 kHz)
    }

    @Test func badInputIsNamed() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = try await fitN3(preset: "pod16k", in: dir)
        let tolerance = try await sp(["verify", "--profile", profile, "--tolerance", "0"])
        #expect(tolerance.status == 2 && tolerance.stderr.contains("--tolerance 0.0 is not allowed: it must be 0.1…40"), "\(tolerance.stderr)")
        let preset = try await sp(["verify", "--profile", profile, "--preset", "pod8k"])
        #expect(preset.status == 2 && preset.stderr.contains("--preset pod8k is not allowed: it must be one of pod16k, pod24k, studio48k"))
        let ear = try await sp(["verify", "--profile", profile, "--ear", "both"])
        #expect(ear.status == 2)
        let missing = try await sp(["verify", "--profile", dir.appendingPathComponent("nope.json").path])
        #expect(missing.status == 1 && missing.stderr.contains("nope.json: not found"), "\(missing.stderr)")
        let notProfile = try await sp(["verify", "--profile", CLI.fixture("audiograms/N3.json")])
        #expect(notProfile.status == 1 && notProfile.stderr.contains("this is an audiogram; run `soundprofile fit` first"), "\(notProfile.stderr)")
        let oneEar = dir.appendingPathComponent("right.json").path
        try Data(#"{"right": {"500": 30, "1000": 40, "2000": 50}}"#.utf8).write(to: URL(fileURLWithPath: dir.appendingPathComponent("a.json").path))
        #expect(try await sp(["fit", "--audiogram", dir.appendingPathComponent("a.json").path, "--preset", "pod16k", "--output", oneEar]).status == 0)
        let noLeft = try await sp(["verify", "--profile", oneEar, "--ear", "left"])
        #expect(noLeft.status == 1 && noLeft.stderr.contains("has no left ear (it has: right)"), "\(noLeft.stderr)")
        // Without --ear, a left-only profile is measured on its left ear.
        let leftOnly = dir.appendingPathComponent("left.json").path
        try Data(#"{"left": {"500": 30, "1000": 40, "2000": 50}}"#.utf8).write(to: URL(fileURLWithPath: dir.appendingPathComponent("b.json").path))
        #expect(try await sp(["fit", "--audiogram", dir.appendingPathComponent("b.json").path, "--preset", "pod16k", "--output", leftOnly]).status == 0)
        let left = try await sp(["verify", "--profile", leftOnly])
        #expect(left.status == 0 && left.stdout.contains("left ear"), "\(left.stderr)")
    }

    @Test func anotherPresetRefitsAndSaysSo() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = try await fitN3(preset: "pod16k", in: dir)
        let r = try await sp(["verify", "--profile", profile, "--preset", "pod24k", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("not pod24k's channels, so it was refitted"))
        let object = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        #expect(object["preset"] as? String == "pod24k" && object["refitted"] as? Bool == true && object["sampleRate"] as? Double == 24000)
    }

    @Test func tightTolerancesFailWithExitOne() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = try await fitN3(preset: "pod16k", in: dir)
        let r = try await sp(["verify", "--profile", profile, "--tolerance", "0.1"])
        #expect(r.status == 1 && r.stdout.contains("FAIL") && r.stdout.contains("Fitting checks: FAIL"))
    }

    @Test func plotDrawsEachKind() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let audiogram = try await sp(["plot", "audiogram", CLI.fixture("audiograms/N3.json")])
        #expect(audiogram.status == 0 && audiogram.stdout.contains(#"width="600" height="620""#))
        let profile = try await fitN3(preset: "pod16k", in: dir)
        let out = dir.appendingPathComponent("profile.svg").path
        let p = try await sp(["plot", "profile", profile, "--output", out])
        #expect(p.status == 0, "\(p.stderr)")
        let svg = try String(contentsOfFile: out, encoding: .utf8)
        #expect(svg.contains("realised-right-65") && svg.contains("io-left-0-line"))
        let analysis = dir.appendingPathComponent("analysis.json").path
        let a = try await sp(["analyze", CLI.fixture("audio/speech-16k.flac"), "--format", "json"])
        #expect(a.status == 0, "\(a.stderr)")
        try a.stdoutData.write(to: URL(fileURLWithPath: analysis))
        let plotted = try await sp(["plot", "analysis", analysis])
        #expect(plotted.status == 0 && plotted.stdout.contains("l10-l90"), "\(plotted.stderr)")
        let bad = try await sp(["plot", "analysis", CLI.fixture("audiograms/N3.json")])
        #expect(bad.status == 1 && bad.stderr.contains("not an analysis result"), "\(bad.stderr)")
        let badAudiogram = try await sp(["plot", "audiogram", analysis])
        #expect(badAudiogram.status == 1 && badAudiogram.stderr.contains("this is an analysis result (soundprofile analyze), not an audiogram"), "\(badAudiogram.stderr)")
    }
}
