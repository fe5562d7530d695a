import Foundation
import Testing

/// `analyze --output-dir`: results keyed by the audio and every setting, reused only on an exact
/// match, several settings side by side in one folder, and `merge` of each.
@Suite struct AnalyzeResultStoreTests {
    private func jsonl(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    private func bands(_ record: [String: Any]) -> [[String: Any]] {
        ((record["channels"] as? [[String: Any]])?.first?["bands"] as? [[String: Any]]) ?? []
    }

    private func settingsFolders(_ root: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix("settings-") }.sorted()
    }

    /// The reproduction: a second run with other bands, range and FFT and --skip-existing
    /// must analyse again, not hand back the first run's third-octave rows at FFT 4096.
    @Test func skipExistingDoesNotReuseResultsOfOtherSettings() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let cache = tmp.appendingPathComponent("cache").path
        let tone = CLI.fixture("audio/tone-1k-48k.wav")
        let first = try CLI.run(["analyze", tone, "--output-dir", cache, "--skip-existing", "--format", "jsonl", "--quiet"])
        #expect(first.status == 0, "\(first.stderr)")
        let third = try jsonl(first.stdout)
        #expect(third.count == 1 && third[0]["fftSize"] as? Int == 4096)
        #expect(bands(third[0]).count > 20)  // third-octave 25 Hz–20 kHz (low bands merged)

        let second = try CLI.run(["analyze", tone, "--output-dir", cache, "--skip-existing", "--format", "jsonl", "--quiet",
                                  "--bands", "octave", "--range", "125-8000", "--fft-size", "1024"])
        #expect(second.status == 0, "\(second.stderr)")
        let octave = try jsonl(second.stdout)
        #expect(octave.count == 1)
        #expect(octave[0]["fftSize"] as? Int == 1024)
        // Octave bands 125 Hz … 8 kHz: seven, named by their IEC nominal frequencies.
        #expect(bands(octave[0]).map { $0["label"] as? String } == ["125", "250", "500", "1k", "2k", "4k", "8k"])
        // Both analyses are kept, side by side.
        #expect(try settingsFolders(cache).count == 2)

        // The first settings again: reused (no new folder, no new file), the same output.
        let again = try CLI.run(["analyze", tone, "--output-dir", cache, "--skip-existing", "--format", "jsonl"])
        #expect(again.status == 0)
        #expect(again.stdoutData == first.stdoutData)
        #expect(again.stderr.contains("1 file (1 reused from --output-dir)"), "\(again.stderr)")
        #expect(try settingsFolders(cache).count == 2)
    }

    /// Every option that changes the numbers (or which files fail) gets its own folder; the same
    /// options again reuse it.
    @Test(arguments: [["--full-scale-db-spl", "94"], ["--hop", "1024"], ["--fft-size", "2048"], ["--narrow-bands", "reject", "--range", "125-8000"],
                      ["--zero-unusable-samples"], ["--max-channels", "2"], ["--range", "100-10000"], ["--bands", "erb:12"]])
    func eachSettingHasItsOwnResults(change: [String]) throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let root = tmp.appendingPathComponent("results").path
        let tone = CLI.fixture("audio/tone-1k-48k.wav")
        let base = try CLI.run(["analyze", tone, "--output-dir", root, "--format", "jsonl", "--quiet"])
        let changed = try CLI.run(["analyze", tone, "--output-dir", root, "--skip-existing", "--format", "jsonl"] + change)
        #expect(base.status == 0 && changed.status == 0, "\(changed.stderr)")
        #expect(!changed.stderr.contains("reused"), "\(changed.stderr)")
        #expect(try settingsFolders(root).count == 2)
        let fresh = try CLI.run(["analyze", tone, "--format", "jsonl", "--quiet"] + change)
        #expect(changed.stdoutData == fresh.stdoutData)
        // Each folder says what its settings are.
        for folder in try settingsFolders(root) {
            let settings = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(root)/\(folder)/settings.json"))) as! [String: Any]
            #expect(settings["bands"] is String && settings["fullScaleDBSPL"] is Double && settings["window"] as? String == "hann")
        }
    }

    /// A stored result whose own provenance says other settings (edited or copied in) is analysed again.
    @Test func aStoredResultWithOtherProvenanceIsNotTrusted() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let root = tmp.appendingPathComponent("results").path
        let tone = CLI.fixture("audio/tone-1k-48k.wav")
        let first = try CLI.run(["analyze", tone, "--output-dir", root, "--format", "jsonl", "--quiet"])
        #expect(first.status == 0)
        let folder = root + "/" + (try settingsFolders(root))[0]
        let stored = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.count == 64 + 5 }
        #expect(stored.count == 1)
        let path = folder + "/" + stored[0]
        var result = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var provenance = result["provenance"] as! [String: Any]
        provenance["fullScaleDBSPL"] = 80.0
        result["provenance"] = provenance
        try JSONSerialization.data(withJSONObject: result).write(to: URL(fileURLWithPath: path))
        let again = try CLI.run(["analyze", tone, "--output-dir", root, "--skip-existing", "--format", "jsonl"])
        #expect(again.status == 0 && !again.stderr.contains("reused"), "\(again.stderr)")
        #expect(again.stdoutData == first.stdoutData)
    }

    /// Shards of two settings in one results folder: merge names both and merges each on request,
    /// equal to a one-machine run of its settings.
    @Test func runsWithSeveralSettingsCoexistAndMergeOneAtATime() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let root = tmp.appendingPathComponent("results").path
        let octave = ["--bands", "octave", "--range", "125-8000", "--quiet"]
        let other = ["--bands", "octave", "--range", "125-8000", "--fft-size", "2048", "--quiet"]
        for settings in [octave, other] {
            for i in 0..<2 {
                let r = try CLI.run(["analyze", CLI.fixture("audio"), "--shard", "\(i)/2", "--output-dir", root, "--format", "jsonl"] + settings)
                #expect(r.status == 0, "\(r.stderr)")
            }
        }
        let folders = try settingsFolders(root)
        #expect(folders.count == 2)
        let both = try CLI.run(["merge", root])
        #expect(both.status == 2 && both.stdout.isEmpty)
        #expect(folders.allSatisfy { both.stderr.contains($0) } && both.stderr.contains("2 sets of settings"), "\(both.stderr)")
        var merged: [Data] = []
        for folder in folders {
            let r = try CLI.run(["merge", root + "/" + folder, "--format", "csv"])
            #expect(r.status == 0, "\(r.stderr)")
            merged.append(r.stdoutData)
        }
        let singles = try [octave, other].map { try CLI.run(["analyze", CLI.fixture("audio"), "--format", "csv"] + $0).stdoutData }
        #expect(Set(merged) == Set(singles) && singles[0] != singles[1])
    }
}
