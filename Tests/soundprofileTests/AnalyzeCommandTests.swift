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

    @Test func jobsDoNotChangeTheOutput() throws {
        let one = try CLI.run(["analyze", CLI.fixture("audio"), "--jobs", "1", "--format", "jsonl", "--quiet"])
        let two = try CLI.run(["analyze", CLI.fixture("audio"), "--jobs", "2", "--format", "jsonl", "--quiet"])
        #expect(one.status == 0 && two.status == 0)
        #expect(one.stdoutData == two.stdoutData)
        #expect(one.stdout.split(separator: "\n").count == 11)
    }

    @Test func shardsAreDisjointAndCoverEverything() throws {
        let all = try CLI.run(["analyze", CLI.fixture("audio"), "--recursive", "--format", "csv", "--bands", "octave"])
        func files(_ csv: String) -> Set<String> {
            Set(csv.split(separator: "\n").dropFirst().map { String($0.split(separator: ",", omittingEmptySubsequences: false)[0]) })
        }
        let everything = files(all.stdout)
        #expect(everything.count == 11 + 10 + 5)  // top level, the 10 files of formats/ (not reference.f32 or manifest.json), bad/
        var union = Set<String>()
        for i in 0..<3 {
            let part = try CLI.run(["analyze", CLI.fixture("audio"), "--recursive", "--format", "csv", "--bands", "octave", "--shard", "\(i)/3"])
            let set = files(part.stdout)
            #expect(union.isDisjoint(with: set))
            union.formUnion(set)
            // The same shard twice gives the same subset.
            let again = try CLI.run(["analyze", CLI.fixture("audio"), "--recursive", "--format", "csv", "--bands", "octave", "--shard", "\(i)/3"])
            #expect(files(again.stdout) == set)
        }
        #expect(union == everything)
    }

    @Test func outputDirIsKeyedByContentAndSkipExistingReusesIt() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = dir.appendingPathComponent("results").path
        let first = try CLI.run(["analyze", CLI.fixture("audio/tone-1k-48k.wav"), CLI.fixture("audio/sweep-48k.wav"), "--output-dir", store, "--format", "jsonl"])
        #expect(first.status == 0)
        let stored = try FileManager.default.contentsOfDirectory(atPath: store).filter { $0 != "manifest" }.sorted()
        #expect(stored.count == 2 && stored.allSatisfy { $0.count == 64 + 5 })
        // A copy of the tone under another name has the same content hash: no new entry.
        let copy = dir.appendingPathComponent("copy.wav").path
        try FileManager.default.copyItem(atPath: CLI.fixture("audio/tone-1k-48k.wav"), toPath: copy)
        let second = try CLI.run(["analyze", copy, "--output-dir", store, "--skip-existing", "--format", "jsonl"])
        #expect(second.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store).filter { $0 != "manifest" }.sorted() == stored)
        #expect(second.stdout.contains(copy))
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
}
