import Foundation
import Testing

/// `soundprofile merge DIR`: the shards of a split run joined in input order, or every input
/// without a result named.
@Suite struct MergeCommandTests {
    private let settings = ["--bands", "octave", "--range", "125-8000", "--quiet"]

    /// Runs shards `indices` of `count` over Fixtures/audio into `dir`.
    private func runShards(_ indices: [Int], of count: Int, into dir: String, extra: [String] = []) throws {
        for i in indices {
            let r = try CLI.run(["analyze", CLI.fixture("audio"), "--shard", "\(i)/\(count)", "--output-dir", dir, "--format", "jsonl"] + settings + extra)
            #expect(r.status == 0, "shard \(i): \(r.stderr)")
        }
    }

    /// The one settings folder of a results folder (where the manifests and results are).
    private func runFolder(_ dir: String) throws -> String {
        let folders = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("settings-") }
        #expect(folders.count == 1, "\(folders)")
        return dir + "/" + folders[0]
    }

    private func files(ofShard i: Int, of count: Int) throws -> [String] {
        let r = try CLI.run(["analyze", CLI.fixture("audio"), "--shard", "\(i)/\(count)", "--format", "jsonl"] + settings)
        return r.stdout.split(separator: "\n").map { String(decoding: Data($0.utf8), as: UTF8.self) }.map { line in
            (try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["file"] as! String
        }
    }

    @Test func completeShardsMergeToTheSingleMachineOutput() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dir = tmp.appendingPathComponent("results").path
        try runShards([0, 1, 2], of: 3, into: dir)
        let manifests = try FileManager.default.contentsOfDirectory(atPath: runFolder(dir) + "/manifest").sorted()
        #expect(manifests == ["shard-0-of-3.json", "shard-1-of-3.json", "shard-2-of-3.json"])
        for format in ["csv", "jsonl", "json", "table"] {
            let single = try CLI.run(["analyze", CLI.fixture("audio"), "--format", format] + settings)
            let merged = try CLI.run(["merge", dir, "--format", format])
            #expect(single.status == 0 && merged.status == 0, "\(merged.stderr)")
            #expect(merged.stdoutData == single.stdoutData, "\(format) differs")
        }
        // --output writes the same bytes to a file.
        let out = tmp.appendingPathComponent("all.csv").path
        let r = try CLI.run(["merge", dir, "--output", out])
        #expect(r.status == 0 && r.stdout.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == CLI.run(["analyze", CLI.fixture("audio"), "--format", "csv"] + settings).stdoutData)
    }

    @Test func aLostShardIsNamedInputByInputAndARerunFillsTheGap() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dir = tmp.appendingPathComponent("results").path
        try runShards([0, 2], of: 3, into: dir)
        let lost = try files(ofShard: 1, of: 3)
        #expect(!lost.isEmpty)
        let out = tmp.appendingPathComponent("merged.csv").path
        let r = try CLI.run(["merge", dir, "--output", out])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty && !FileManager.default.fileExists(atPath: out))  // no partial table
        let named = r.stderr.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "no result for ") else { return nil }
            return String(line[range.upperBound...].prefix { $0 != " " })
        }
        #expect(named == lost, "\(r.stderr)")
        #expect(r.stderr.contains("shard 1 of 3: the shard wrote no manifest"))
        #expect(r.stderr.contains("\(lost.count) of 11 inputs have no result") && r.stderr.contains("Re-run shard 1 of 3"))
        // Re-running only the lost shard (with --skip-existing) completes the merge.
        try runShards([1], of: 3, into: dir, extra: ["--skip-existing"])
        let again = try CLI.run(["merge", dir, "--output", out])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == CLI.run(["analyze", CLI.fixture("audio"), "--format", "csv"] + settings).stdoutData)
    }

    @Test func aResultThatVanishedOrAShardThatDidNotFinishIsMissing() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dir = tmp.appendingPathComponent("results").path
        try runShards([0, 1], of: 2, into: dir)
        // One stored result deleted.
        let folder = try runFolder(dir)
        let stored = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") && $0 != "settings.json" }.sorted()
        try FileManager.default.removeItem(atPath: folder + "/" + stored[0])
        let r = try CLI.run(["merge", dir])
        #expect(r.status == 1 && r.stderr.contains("is gone") && r.stderr.contains(stored[0]), "\(r.stderr)")
        #expect(r.stderr.contains("1 of 11 inputs have no result"))
        // A shard that started but was killed: its manifest still has complete = false.
        let manifestPath = folder + "/manifest/shard-0-of-2.json"
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestPath))) as! [String: Any]
        let count = (manifest["files"] as! [[String: Any]]).count
        manifest["files"] = (manifest["files"] as! [[String: Any]]).map { ["path": $0["path"]!] }
        manifest["complete"] = false
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: manifestPath))
        let killed = try CLI.run(["merge", dir])
        #expect(killed.status == 1)
        #expect(killed.stderr.components(separatedBy: "the shard started but did not finish").count - 1 == count, "\(killed.stderr)")
    }

    @Test func badFilesMergeAsErrorRecordsAndExit1LikeAnalyze() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dir = tmp.appendingPathComponent("results").path
        let inputs = [CLI.fixture("audio/bad"), CLI.fixture("audio/tone-1k-48k.wav")]
        for i in 0..<2 {
            let r = try CLI.run(["analyze"] + inputs + ["--shard", "\(i)/2", "--output-dir", dir] + settings)
            #expect(r.status == 0 || r.status == 1)
        }
        let single = try CLI.run(["analyze"] + inputs + ["--format", "jsonl"] + settings)
        let merged = try CLI.run(["merge", dir, "--format", "jsonl"])
        #expect(single.status == 1 && merged.status == 1)
        #expect(merged.stdoutData == single.stdoutData)
        #expect(merged.stderr.contains("5 of 6 files failed"), "\(merged.stderr)")
        // --errors: the same failure records as analyze writes; CSV has no rows for them in either.
        let a = tmp.appendingPathComponent("analyze-errors.jsonl").path, m = tmp.appendingPathComponent("merge-errors.jsonl").path
        let singleCSV = try CLI.run(["analyze"] + inputs + ["--format", "csv", "--errors", a] + settings)
        let mergedCSV = try CLI.run(["merge", dir, "--format", "csv", "--errors", m])
        #expect(mergedCSV.stdoutData == singleCSV.stdoutData && !mergedCSV.stdout.contains("/bad/"))
        let errorLines = try String(contentsOfFile: m, encoding: .utf8).split(separator: "\n")
        let fromMerge = try Data(contentsOf: URL(fileURLWithPath: m)), fromAnalyze = try Data(contentsOf: URL(fileURLWithPath: a))
        #expect(errorLines.count == 5 && fromMerge == fromAnalyze)
    }

    @Test func manifestsOfDifferentRunsAreRefused() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dir = tmp.appendingPathComponent("results").path
        try runShards([0, 1], of: 2, into: dir)
        let folder = try runFolder(dir)
        // Another set of settings gets a folder of its own, next to this one (see AnalyzeResultStoreTests).
        let other = try CLI.run(["analyze", CLI.fixture("audio"), "--shard", "1/2", "--output-dir", dir, "--skip-existing", "--bands", "third-octave", "--quiet"])
        #expect(other.status == 0, "\(other.stderr)")
        let folders = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("settings-") }
        #expect(folders.count == 2)
        for f in folders where dir + "/" + f != folder { try FileManager.default.removeItem(atPath: dir + "/" + f) }
        // A manifest edited (or copied in) with other settings: merge refuses, and so does analyze into that folder.
        let path = folder + "/manifest/shard-1-of-2.json"
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var settings = manifest["settings"] as! [String: Any]
        settings["bands"] = "third-octave"
        manifest["settings"] = settings
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: path))
        let again = try CLI.run(["analyze", CLI.fixture("audio"), "--shard", "0/2", "--output-dir", dir, "--skip-existing", "--format", "jsonl"] + self.settings)
        #expect(again.status == 1 && again.stderr.contains("shard-1-of-2.json: was written with other settings") && again.stderr.contains("edited or copied in") && !again.stderr.contains("Usage:"), "\(again.stderr)")
        let r = try CLI.run(["merge", dir])
        #expect(r.status == 1 && r.stderr.contains("different settings"), "\(r.stderr)")
        // The same settings split another way into the same folder: merge refuses the mix.
        try FileManager.default.removeItem(atPath: path)
        try runShards([0, 1, 2], of: 3, into: dir)
        let mixed = try CLI.run(["merge", dir])
        #expect(mixed.status == 1 && mixed.stderr.contains("split 2 ways") && mixed.stderr.contains("3 ways"), "\(mixed.stderr)")
    }

    @Test(arguments: [["merge"], ["merge", "x", "--format", "xml"]])
    func usageErrorsExit2(args: [String]) throws {
        let r = try CLI.run(args)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(!r.stderr.isEmpty && r.stdout.isEmpty)
    }

    /// A folder that is not there, or a file, is bad input (exit 1) named in the one style, not a usage error.
    @Test func aMissingFolderOrAFileIsBadInput() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        try Data("x".utf8).write(to: tmp.appendingPathComponent("afile"))
        let nope = try CLI.run(["merge", "nope"], in: tmp)
        #expect(nope.status == 1 && nope.stderr == "soundprofile merge: nope: not found (no such folder)\n", "\(nope.stderr)")
        let file = try CLI.run(["merge", "afile"], in: tmp)
        #expect(file.status == 1 && file.stderr.hasPrefix("soundprofile merge: afile: is not a folder") && file.stdout.isEmpty, "\(file.stderr)")
    }

    /// The shards of one corpus spelled `corpus`, `./corpus/`, by its absolute path, and at another
    /// path (another machine's mount point) merge into the one-machine output; each row keeps the
    /// spelling of the shard that analysed it. A corpus that really changed is still refused.
    @Test func shardsOfOneCorpusSpelledDifferentlyMerge() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let fm = FileManager.default
        for mount in ["corpus", "mnt/corpus"] {
            try fm.createDirectory(at: tmp.appendingPathComponent(mount), withIntermediateDirectories: true)
            for f in try fm.contentsOfDirectory(atPath: CLI.fixture("audio")) where f.hasSuffix(".wav") || f.hasSuffix(".flac") {
                try fm.copyItem(atPath: CLI.fixture("audio/" + f), toPath: tmp.appendingPathComponent(mount + "/" + f).path)
            }
        }
        let spellings = ["corpus", "./corpus/", tmp.appendingPathComponent("corpus").path, tmp.appendingPathComponent("mnt/corpus").path + "/"]
        for (i, input) in spellings.enumerated() {
            let r = try CLI.run(["analyze", input, "--shard", "\(i)/4", "--output-dir", "rs", "--format", "jsonl"] + settings, in: tmp)
            #expect(r.status == 0, "shard \(i): \(r.stderr)")
        }
        let merged = try CLI.run(["merge", "rs", "--format", "jsonl"], in: tmp)
        let single = try CLI.run(["analyze", "corpus", "--format", "jsonl"] + settings, in: tmp)
        #expect(merged.status == 0, "\(merged.stderr)")
        func records(_ text: String) -> [[String: Any]] {
            text.split(separator: "\n").map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:] }
        }
        let m = records(merged.stdout), s = records(single.stdout)
        #expect(m.count == 11 && m.count == s.count)
        // Every row names its file as shard 0 spelled the corpus ("corpus"), rows analysed on the
        // other mount included: byte for byte the one-machine run of `analyze corpus`.
        #expect(merged.stdout == single.stdout)
        for (a, b) in zip(m, s) {
            #expect((a["file"] as? String) == (b["file"] as? String) && (a["file"] as? String ?? "").hasPrefix("corpus/"), "\(a["file"] ?? "")")
        }
        // The other mount has lost a file: that is a different corpus.
        try fm.removeItem(atPath: tmp.appendingPathComponent("mnt/corpus/tone-1k-48k.wav").path)
        let changed = try CLI.run(["analyze", spellings[3], "--shard", "3/4", "--output-dir", "rs", "--format", "jsonl"] + settings, in: tmp)
        #expect(changed.status == 0)
        let refused = try CLI.run(["merge", "rs"], in: tmp)
        #expect(refused.status == 1 && refused.stderr.contains("saw different inputs") && refused.stderr.contains("tone-1k-48k.wav"), "\(refused.stderr)")
    }

    /// A stored result whose own provenance says other settings is a failure of that file,
    /// naming the setting, not trusted as this run's.
    @Test func aStoredResultWithOtherProvenanceFailsThatFile() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dir = tmp.appendingPathComponent("results").path
        let tone = CLI.fixture("audio/tone-1k-48k.wav")
        let r = try CLI.run(["analyze", tone, "--output-dir", dir, "--format", "csv"] + settings)
        #expect(r.status == 0)
        let folder = try runFolder(dir)
        let stored = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.count == 64 + 5 }
        #expect(stored.count == 1)
        let path = folder + "/" + stored[0]
        var result = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var provenance = result["provenance"] as! [String: Any]
        provenance["bands"] = "third-octave"
        result["provenance"] = provenance
        var channels = result["channels"] as! [[String: Any]]
        var bands = channels[0]["bands"] as! [[String: Any]]
        bands[0]["leqDB"] = 999.0
        channels[0]["bands"] = bands
        result["channels"] = channels
        try JSONSerialization.data(withJSONObject: result).write(to: URL(fileURLWithPath: path))
        let merged = try CLI.run(["merge", dir])
        #expect(merged.status == 1, "\(merged.stderr)")
        #expect(!merged.stdout.contains("999"))
        #expect(merged.stderr.contains("soundprofile merge: \(tone): its stored result \(path) was made with other settings (--bands third-octave, not --bands octave)"), "\(merged.stderr)")
        // An unedited result of the same run merges.
        let again = try CLI.run(["analyze", tone, "--output-dir", dir, "--skip-existing", "--format", "csv"] + settings)
        #expect(again.status == 0 && !again.stderr.contains("reused"))
        #expect(try CLI.run(["merge", dir]).stdoutData == r.stdoutData)
    }

    /// The list of settings folders tells each apart: every setting in which they differ is shown.
    @Test func theListOfSettingsFoldersShowsEverySettingThatDiffers() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let root = tmp.appendingPathComponent("cache").path
        let variants = [[], ["--max-channels", "2"], ["--zero-unusable-samples"], ["--narrow-bands", "reject"]]
        for v in variants {
            let r = try CLI.run(["analyze", CLI.fixture("audio/tone-1k-48k.wav"), "--output-dir", root, "--quiet"] + v)
            // --narrow-bands reject fails the file (25 Hz bands are narrower than a bin) but still records the run.
            #expect(r.status == (v.contains("reject") ? 1 : 0), "\(r.stderr)")
        }
        let r = try CLI.run(["merge", root])
        #expect(r.status == 2 && r.stderr.contains("4 sets of settings"), "\(r.stderr)")
        let lines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("  " + root + "/settings-") }
        let described = lines.map { $0.drop { $0 != "(" } }
        #expect(lines.count == 4 && Set(described).count == 4, "\(r.stderr)")
        for words in ["--max-channels 2", "--zero-unusable-samples", "--narrow-bands reject", "--bands third-octave"] {
            #expect(r.stderr.contains(words), "\(words): \(r.stderr)")
        }
    }

    /// merge of a run whose manifests list no file at all (written by an earlier version, which
    /// let an empty corpus through) fails.
    @Test func aRunWithNoFilesDoesNotMerge() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let dir = tmp.appendingPathComponent("results").path
        let r = try CLI.run(["analyze", CLI.fixture("audio/tone-1k-48k.wav"), "--output-dir", dir, "--format", "csv"] + settings)
        #expect(r.status == 0)
        let path = try runFolder(dir) + "/manifest/shard-0-of-1.json"
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        manifest["allFiles"] = [Any]()
        manifest["files"] = [Any]()
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: path))
        let merged = try CLI.run(["merge", dir])
        #expect(merged.status == 1 && merged.stdout.isEmpty && merged.stderr.contains("the run has no audio files"), "\(merged.stderr)")
    }
}
