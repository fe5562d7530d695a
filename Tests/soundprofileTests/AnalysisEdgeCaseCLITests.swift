import Foundation
import Testing

/// What the analysis output says about files at the edges: streaming headers through `-`, files
/// with no samples or one, records that failed, the table's band columns, and the closing line
/// after reused results.
@Suite struct AnalysisEdgeCaseCLITests {
    struct StreamReference: Decodable { var frames: Int; var sampleRate: Int; var rmsDBSPL: Double }

    static func streamReference() throws -> StreamReference {
        try JSONDecoder().decode(StreamReference.self, from: Data(contentsOf: URL(fileURLWithPath: CLI.fixture("streams/reference.json"))))
    }

    static func jsonObject(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    /// Headers as ffmpeg and SoX write them to a pipe (sizes 0xFFFFFFFF, ~0x7F000000): read to the
    /// end of the data, through `-` and as a file, with the frames and RMS numpy computed
    /// (Fixtures/streams/make_streams.py).
    @Test(arguments: ["streams/ffmpeg-pipe.wav", "streams/sox-pipe.aiff"])
    func streamingHeadersAreReadToTheEnd(path: String) throws {
        let reference = try Self.streamReference()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: CLI.fixture(path)))
        for (argument, stdin) in [("-", Optional(bytes)), (CLI.fixture(path), nil)] {
            let info = try CLI.run(["info", argument, "--format", "json"], stdin: stdin)
            #expect(info.status == 0, "\(argument): \(info.stderr)")
            let record = try #require((try Self.jsonObject(info.stdout) as? [[String: Any]])?.first)
            #expect(record["frameCount"] as? Int == reference.frames)
            let rms = try #require((record["overall"] as? [String: Any])?["rmsDBSPL"] as? Double)
            #expect(abs(rms - reference.rmsDBSPL) <= 0.01, "info RMS \(rms) vs numpy \(reference.rmsDBSPL)")

            let analysis = try CLI.run(["analyze", argument, "--format", "jsonl", "--quiet"], stdin: stdin)
            #expect(analysis.status == 0, "\(argument): \(analysis.stderr)")
            let result = try #require(try Self.jsonObject(analysis.stdout) as? [String: Any])
            let overall = try #require((result["channels"] as? [[String: Any]])?.first?["overallLeqDB"] as? Double)
            #expect(abs(overall - reference.rmsDBSPL) <= 0.01, "analyze overall \(overall) vs numpy \(reference.rmsDBSPL)")
        }
        let processed = try CLI.run(["process", "-", "--profile", CLI.fixture("fitting/golden/N3-nal-r.json"), "-o", "-"], stdin: bytes)
        #expect(processed.status == 0, "\(processed.stderr)")
        #expect(processed.stdoutData.prefix(4) == Data("RIFF".utf8))
        // Float32 WAV of the same length: 16000 frames of 4 bytes after the header.
        #expect(processed.stdoutData.count >= 4 * reference.frames + 44)
    }

    /// An ordinary header that promises more than the file holds is still refused, through `-` too.
    @Test func aLyingHeaderIsStillTruncated() throws {
        let path = CLI.fixture("streams/truncated.wav")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for (argument, stdin) in [("-", Optional(bytes)), (path, nil)] {
            let info = try CLI.run(["info", argument], stdin: stdin)
            #expect(info.status == 1)
            #expect(info.stderr.contains("truncated"), "\(info.stderr)")
        }
    }

    /// The table carries each band's index and nominal label, the same as the JSON's.
    @Test func tableRowsCarryIndexAndLabel() throws {
        let file = CLI.fixture("audio/tone-1k-48k.wav")
        let table = try CLI.run(["analyze", file, "--format", "table", "--quiet"])
        let json = try CLI.run(["analyze", file, "--format", "jsonl", "--quiet"])
        #expect(table.status == 0 && json.status == 0)
        let record = try #require(try Self.jsonObject(json.stdout) as? [String: Any])
        let bands = try #require((record["channels"] as? [[String: Any]])?.first?["bands"] as? [[String: Any]])
        let rows = table.stdout.split(separator: "\n").filter { $0.hasPrefix("    ") && !$0.contains("Leq") }
        #expect(rows.count == bands.count)
        for (row, band) in zip(rows, bands) {
            let fields = row.split(separator: " ")
            #expect(fields.count >= 9, "\(row)")
            #expect(String(fields[0]) == "\(band["index"] as? Int ?? -1)" && String(fields[1]) == band["label"] as? String, "\(row)")
        }
        // IEC 61260-1 nominal third-octave labels (closed form: the standard's table).
        let labels = rows.map { String($0.split(separator: " ")[1]) }
        for nominal in ["63", "125", "1k", "1.25k", "3.15k", "12.5k", "20k"] { #expect(labels.contains(nominal), "\(nominal) in \(labels)") }
        // The 1 kHz tone of amplitude 0.5: 20·log10(0.5/√2) + 100 = 90.97 dB SPL in the "1k" row.
        let oneK = try #require(rows.first { $0.split(separator: " ")[1] == "1k" })
        #expect(oneK.split(separator: " ")[3] == "91.0", "\(oneK)")
    }

    /// README's excerpt of `make demo` is what `make demo`'s command prints, line for line.
    @Test func readmeTableExcerptIsWhatMakeDemoPrints() throws {
        let readme = try String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "its octave-band levels. An excerpt:\n\n```\n"))
        let end = try #require(readme[start.upperBound...].range(of: "\n```"))
        let excerpt = readme[start.upperBound..<end.lowerBound].split(separator: "\n").filter { $0 != "..." }
        // The Makefile's demo target, run from the package root.
        let demo = try CLI.run(["analyze", "Fixtures/audio", "--bands", "octave", "--range", "125-8000", "--format", "table", "--quiet"],
                               in: CLI.packageRoot)
        #expect(demo.status == 0)
        let printed = Set(demo.stdout.split(separator: "\n"))
        #expect(excerpt.count >= 8)
        for line in excerpt { #expect(printed.contains(line), "README excerpt line not printed by make demo: \(line)") }
    }

    /// Error records carry the run's provenance in JSON, JSONL and the --errors file.
    @Test func errorRecordsCarryProvenance() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let errors = directory.appendingPathComponent("errors.jsonl").path
        let bad = CLI.fixture("audio/bad/text.wav")
        let jsonl = try CLI.run(["analyze", bad, "--format", "jsonl", "--quiet", "--errors", errors, "--fft-size", "2048"])
        #expect(jsonl.status == 1)
        let json = try CLI.run(["analyze", bad, "--format", "json", "--quiet"])
        let fromJSON = try #require((try Self.jsonObject(json.stdout) as? [[String: Any]])?.first)
        let fromErrors = try Self.jsonObject(String(decoding: try Data(contentsOf: URL(fileURLWithPath: errors)), as: UTF8.self))
        for (name, record) in [("jsonl", try Self.jsonObject(jsonl.stdout)), ("json", fromJSON as Any), ("--errors", fromErrors)] {
            let object = try #require(record as? [String: Any], "\(name)")
            #expect(object["error"] is String, "\(name)")
            let provenance = try #require(object["provenance"] as? [String: Any], "\(name) record has no provenance: \(object)")
            #expect((provenance["tool"] as? String)?.hasPrefix("soundprofile ") == true)
            #expect(provenance["formatVersion"] is Int && provenance["bands"] as? String == "third-octave")
            if name != "json" { #expect(provenance["fftSize"] as? Int == 2048, "\(name)") }
        }
    }

    /// A file with no samples says so (record, table, stderr); `info` shows a 1-frame file's length.
    @Test func aFileWithNoSamplesSaysSo() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty.wav"), one = directory.appendingPathComponent("one.wav")
        try InfoCommandTests.wav([[]], rate: 48000, float: false).write(to: empty)
        try InfoCommandTests.wav([[16384]], rate: 48000, float: false).write(to: one)
        let json = try CLI.run(["analyze", empty.path, "--format", "jsonl"])
        #expect(json.status == 0)
        let record = try #require(try Self.jsonObject(json.stdout) as? [String: Any])
        #expect((record["note"] as? String)?.hasPrefix("holds no samples") == true, "\(record)")
        #expect(json.stderr.contains("soundprofile analyze: \(empty.path): holds no samples"), "\(json.stderr)")
        let table = try CLI.run(["analyze", empty.path, "--format", "table", "--quiet"])
        #expect(table.stdout.contains("NOTE: holds no samples"), "\(table.stdout)")
        let withSamples = try CLI.run(["analyze", one.path, "--format", "jsonl", "--quiet"])
        #expect((try Self.jsonObject(withSamples.stdout) as? [String: Any])?["note"] == nil)
        // One frame at 48 kHz lasts 1/48000 s = 0.0208 ms.
        let info = try CLI.run(["info", one.path])
        #expect(info.stdout.contains("1 (0.021 ms)"), "\(info.stdout)")
        let emptyInfo = try CLI.run(["info", empty.path])
        #expect(emptyInfo.stdout.contains("0 (holds no samples"), "\(emptyInfo.stdout)")
    }

    /// Reused results count as audio but not towards the speed.
    @Test func reusedResultsDoNotInflateTheSpeed() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("results").path
        let first = CLI.fixture("audio/tone-1k-48k.wav"), second = CLI.fixture("audio/speech-espeak-16k.wav")
        let run1 = try CLI.run(["analyze", first, "--output-dir", store, "--format", "csv"])
        #expect(run1.status == 0 && run1.stderr.contains("× real time"), "\(run1.stderr)")
        // Only reused: nothing was analysed, so there is no speed to state.
        let run2 = try CLI.run(["analyze", first, "--output-dir", store, "--skip-existing", "--format", "csv"])
        #expect(run2.status == 0)
        #expect(run2.stderr.contains("1 file (1 reused from --output-dir)") && run2.stderr.contains("nothing analysed"), "\(run2.stderr)")
        #expect(!run2.stderr.contains("real time"), "\(run2.stderr)")
        // One reused (2 s), one analysed (4.04 s): the speed is stated over the analysed 4.0 s.
        let run3 = try CLI.run(["analyze", first, second, "--output-dir", store, "--skip-existing", "--format", "csv"])
        #expect(run3.status == 0)
        #expect(run3.stderr.contains("2 files (1 reused from --output-dir), 6.0 s of audio") && run3.stderr.contains("4.0 s analysed at "),
                "\(run3.stderr)")
    }
}
