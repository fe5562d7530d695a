import Foundation
import Testing

@Suite struct AnalyzeCommandTests {
    @Test func badFilesGiveErrorRecordsAndTheRestStillRun() throws {
        let r = try CLI.run(["analyze", CLI.fixture("audio/bad"), CLI.fixture("audio/tone-1k-48k.wav"), "--format", "jsonl", "--bands", "octave"])
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 6)  // 5 bad files, then the tone
        var errors = 0
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            if let error = object["error"] as? String {
                errors += 1
                #expect(!error.isEmpty)
                #expect(object["file"] as? String != nil)
                #expect(r.stderr.contains(object["file"] as! String))
            } else {
                #expect((object["file"] as? String)?.hasSuffix("tone-1k-48k.wav") == true)
            }
        }
        #expect(errors == 5)
        #expect(r.stderr.contains("5 of 6 files failed"))
    }

    /// libsndfile keeps a failed open's reason in one global slot: with several jobs, another
    /// thread's failure must not replace a file's reason (it did, under load, before the opens
    /// were serialised).
    @Test func jobsDoNotChangeTheReasonsOfBadFiles() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = try FileManager.default.contentsOfDirectory(atPath: CLI.fixture("audio/bad")).sorted()
        for copy in 0..<12 {
            for name in bad {
                try FileManager.default.copyItem(atPath: CLI.fixture("audio/bad/\(name)"), toPath: dir.appendingPathComponent("\(copy)-\(name)").path)
            }
        }
        let one = try CLI.run(["analyze", dir.path, "--jobs", "1", "--format", "jsonl", "--quiet"])
        #expect(one.status == 1)
        for _ in 0..<3 {
            let two = try CLI.run(["analyze", dir.path, "--jobs", "2", "--format", "jsonl", "--quiet"])
            #expect(two.status == 1)
            #expect(two.stdout == one.stdout)
        }
    }

    @Test func jobsDoNotChangeTheOutput() throws {
        let one = try CLI.run(["analyze", CLI.fixture("audio"), "--jobs", "1", "--format", "jsonl", "--quiet"])
        let two = try CLI.run(["analyze", CLI.fixture("audio"), "--jobs", "2", "--format", "jsonl", "--quiet"])
        #expect(one.status == 0 && two.status == 0)
        #expect(one.stdoutData == two.stdoutData)
        #expect(one.stdout.split(separator: "\n").count == 11)
    }

    @Test func shardsAreDisjointAndCoverEverything() throws {
        let all = try CLI.run(["analyze", CLI.fixture("audio"), "--recursive", "--format", "jsonl", "--bands", "octave"])
        func files(_ jsonl: String) -> Set<String> {
            Set(jsonl.split(separator: "\n").map { (try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["file"] as! String })
        }
        let everything = files(all.stdout)
        #expect(everything.count == 11 + 10 + 5)  // top level, the 10 files of formats/ (not reference.f32 or manifest.json), bad/
        var union = Set<String>()
        for i in 0..<3 {
            let part = try CLI.run(["analyze", CLI.fixture("audio"), "--recursive", "--format", "jsonl", "--bands", "octave", "--shard", "\(i)/3"])
            let set = files(part.stdout)
            #expect(union.isDisjoint(with: set))
            union.formUnion(set)
            // The same shard twice gives the same subset.
            let again = try CLI.run(["analyze", CLI.fixture("audio"), "--recursive", "--format", "jsonl", "--bands", "octave", "--shard", "\(i)/3"])
            #expect(files(again.stdout) == set)
        }
        #expect(union == everything)
    }

    /// A missing input (a corpus folder not mounted, a typo) fails every shard alike, exit 1, before
    /// anything is analysed: no shard may report success over a corpus it could not see.
    @Test func aMissingInputFailsEveryShard() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let corpus = tmp.appendingPathComponent("corpus").path  // never created
        for i in 0..<4 {
            let r = try CLI.run(["analyze", corpus, "--recursive", "--shard", "\(i)/4", "--output-dir", tmp.appendingPathComponent("results").path,
                                 "--format", "jsonl", "--quiet"])
            #expect(r.status == 1, "shard \(i): \(r.stderr)")
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.contains("soundprofile analyze: \(corpus): not found (no such file or folder)"), "\(r.stderr)")
            #expect(r.stderr.contains("nothing analysed"))
        }
        #expect(!FileManager.default.fileExists(atPath: tmp.appendingPathComponent("results").path))
        // Next to an input that exists, too (and without --shard).
        let r = try CLI.run(["analyze", CLI.fixture("audio/tone-1k-48k.wav"), corpus, "--format", "jsonl", "--quiet"])
        #expect(r.status == 1 && r.stdout.isEmpty && r.stderr.contains("1 of 2 inputs does not exist"), "\(r.stderr)")
    }

    @Test func outputDirIsKeyedByContentAndSkipExistingReusesIt() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("results").path
        let first = try CLI.run(["analyze", CLI.fixture("audio/tone-1k-48k.wav"), CLI.fixture("audio/sweep-48k.wav"), "--output-dir", store, "--format", "jsonl"])
        #expect(first.status == 0)
        let folders = try FileManager.default.contentsOfDirectory(atPath: store)
        #expect(folders.count == 1 && folders[0].hasPrefix("settings-"))
        let folder = store + "/" + folders[0]
        func results() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0 != "manifest" && $0 != "settings.json" }.sorted() }
        let stored = try results()
        #expect(stored.count == 2 && stored.allSatisfy { $0.count == 64 + 5 })
        // A copy of the tone under another name has the same content hash: no new entry.
        let copy = dir.appendingPathComponent("copy.wav").path
        try FileManager.default.copyItem(atPath: CLI.fixture("audio/tone-1k-48k.wav"), toPath: copy)
        let second = try CLI.run(["analyze", copy, "--output-dir", store, "--skip-existing", "--format", "jsonl"])
        #expect(second.status == 0)
        #expect(try results() == stored)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store) == folders)
        #expect(second.stdout.contains(copy))
        #expect(second.stderr.contains("(1 reused from --output-dir)"), "\(second.stderr)")
    }

    @Test func outputFileIsWrittenWholeAndIsValidJSON() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("analysis.json").path
        let r = try CLI.run(["analyze", CLI.fixture("audio/tone-1k-48k.wav"), CLI.fixture("audio/speech-16k.flac"), "--format", "json", "--output", out])
        #expect(r.status == 0 && r.stdout.isEmpty)
        let array = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [[String: Any]]
        #expect(array.count == 2)
        #expect(array[1]["sampleRate"] as? Int == 16000 && array[1]["fftSize"] as? Int == 1024)
        #expect(array[0]["schemaVersion"] as? Int == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["analysis.json"])
    }

    @Test(arguments: [
        (["analyze", "x.wav", "--jobs", "0"], "--jobs 0"),
        (["analyze", "x.wav", "--fft-size", "1023"], "--fft-size 1023"),
        (["analyze", "x.wav", "--bands", "fifth-octave"], "--bands fifth-octave is not allowed"),
        (["analyze", "x.wav", "--shard", "3/3"], "--shard '3/3'"),
        (["analyze", "x.wav", "--format", "xml"], "xml"),
        (["analyze", "x.wav", "--skip-existing"], "--output-dir"),
    ])
    func usageErrorsExit2NamingTheOption(args: [String], mention: String) throws {
        let r = try CLI.run(args)
        #expect(r.status == 2)
        #expect(r.stderr.contains(mention), "stderr: \(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func interruptLeavesCompleteValidOutput() throws {
        // Many copies of a file, one job: SIGINT mid-run must leave a valid JSON array.
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for i in 0..<200 {
            try FileManager.default.copyItem(atPath: CLI.fixture("audio/white-noise-48k-float.wav"), toPath: dir.appendingPathComponent(String(format: "n%03d.wav", i)).path)
        }
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("soundprofile")
        process.arguments = ["analyze", dir.path, "--jobs", "1", "--format", "json", "--quiet"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(700_000)
        kill(process.processIdentifier, SIGINT)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let array = try JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        #expect(array != nil)
        if process.terminationStatus == 130 {
            #expect((array?.count ?? 0) < 200)
        } else {
            #expect(process.terminationStatus == 0 && array?.count == 200)  // finished before the signal
        }
    }

    /// Ctrl-C while files are being analysed: the output and the results folder hold only files
    /// that finished, none recorded as failed, and the exit status is 130.
    @Test func interruptRecordsNoFileAsFailed() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = dir.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        // One short file first, then long ones: when the short one is printed, long ones are being analysed.
        try writeNoiseWAV(to: corpus.appendingPathComponent("a-short.wav").path, seconds: 0.5, seed: 1)
        for i in 0..<6 { try writeNoiseWAV(to: corpus.appendingPathComponent("long-\(i).wav").path, seconds: 60, seed: UInt64(i + 2)) }
        let results = dir.appendingPathComponent("results").path
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("soundprofile")
        process.arguments = ["analyze", corpus.path, "--jobs", "2", "--format", "jsonl", "--output-dir", results, "--bands", "octave"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Wait for the first record (the short file), then interrupt.
        var data = Data()
        while !data.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            data += chunk
        }
        kill(process.processIdentifier, SIGINT)
        data += out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(stderr)")
        let records = try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(!records.isEmpty && records.count < 7)
        for r in records { #expect(r["error"] == nil && r["channels"] != nil, "\(r)") }
        #expect(!stderr.contains("Cancellation") && stderr.contains("interrupted after \(records.count) of 7 files"), "\(stderr)")
        // The manifest: finished files have their result, the others neither a result nor an error.
        let folder = try #require(try FileManager.default.contentsOfDirectory(atPath: results).first { $0.hasPrefix("settings-") })
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(results)/\(folder)/manifest/shard-0-of-1.json"))) as! [String: Any]
        #expect(manifest["complete"] as? Bool == false)
        let entries = manifest["files"] as! [[String: Any]]
        #expect(entries.allSatisfy { $0["error"] == nil }, "\(entries)")
        for entry in entries {
            if let key = entry["key"] as? String {  // a finished file: its result is there, whole
                let stored = try Data(contentsOf: URL(fileURLWithPath: "\(results)/\(folder)/\(key).json"))
                #expect((try JSONSerialization.jsonObject(with: stored) as? [String: Any])?["channels"] != nil)
            }
        }
        // merge names the unfinished files as missing, not failed.
        let merged = try CLI.run(["merge", results])
        #expect(merged.status == 1 && merged.stderr.contains("the shard started but did not finish") && !merged.stderr.contains("Cancellation"), "\(merged.stderr)")
    }
}

/// Writes a mono 16-bit 48 kHz WAV of uniform noise (a fixed-seed generator) to `path`.
func writeNoiseWAV(to path: String, seconds: Double, seed: UInt64) throws {
    let frames = Int(seconds * 48000)
    var bytes = Data()
    func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    bytes.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + frames * 2)); bytes.append(contentsOf: Array("WAVE".utf8))
    bytes.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(48000); u32(96000); u16(2); u16(16)
    bytes.append(contentsOf: Array("data".utf8)); u32(UInt32(frames * 2))
    var samples = [Int16](repeating: 0, count: frames)
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    for i in 0..<frames {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17  // xorshift64
        samples[i] = Int16(truncatingIfNeeded: state >> 48) / 4
    }
    samples.withUnsafeBytes { bytes.append(contentsOf: $0) }
    try bytes.write(to: URL(fileURLWithPath: path))
}
