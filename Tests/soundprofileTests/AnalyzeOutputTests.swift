import Foundation
import Testing
@testable import soundprofile

/// What `analyze` writes: band index and nominal label per row, provenance, failures kept out of
/// the CSV, progress and the closing summary in readable units.
@Suite struct AnalyzeOutputTests {
    /// IEC 61260-1 nominal third-octave mid frequencies from 125 Hz up (written out here, not
    /// taken from the code under test).
    static let nominalFrom125 = ["125", "160", "200", "250", "315", "400", "500", "630", "800", "1k", "1.25k", "1.6k", "2k", "2.5k",
                                 "3.15k", "4k", "5k", "6.3k", "8k", "10k", "12.5k", "16k", "20k"]

    /// A CSV parsed into rows of named fields (RFC 4180 quoting; the fixtures' names need none).
    private func csvRows(_ text: String) -> (header: [String], rows: [[String: String]]) {
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { return ([], []) }
        return (header, lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) })
    }

    /// A 16 kHz and a 48 kHz file: the same band has the same index and label in both, and the
    /// 16 kHz file simply stops at the bands below 8 kHz.
    @Test func rowsCarryBandIndexAndNominalLabelSoSampleRatesAlign() throws {
        let r = try CLI.run(["analyze", CLI.fixture("audio/speech-16k.flac"), CLI.fixture("audio/tone-1k-48k.wav"),
                             "--range", "125-20000", "--format", "csv", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let (header, rows) = csvRows(r.stdout)
        #expect(header.contains("bandIndex") && header.contains("bandLabel"))
        for (suffix, count) in [("speech-16k.flac", 18), ("tone-1k-48k.wav", 23)] {  // up to 6.3 kHz (edge 7.08 kHz < 8 kHz); up to 20 kHz
            let mine = rows.filter { $0["file"]!.hasSuffix(suffix) }
            #expect(mine.map { Int($0["bandIndex"]!) } == Array(0..<count), "\(suffix)")
            #expect(mine.map { $0["bandLabel"]! } == Array(Self.nominalFrom125.prefix(count)), "\(suffix)")
        }
        // JSON and JSONL carry the same per band.
        let j = try CLI.run(["analyze", CLI.fixture("audio/speech-16k.flac"), "--range", "125-20000", "--format", "jsonl", "--quiet"])
        let record = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as! [String: Any]
        let bands = ((record["channels"] as! [[String: Any]])[0]["bands"] as! [[String: Any]])
        #expect(bands.map { $0["index"] as? Int } == Array(0..<18))
        #expect(bands.map { $0["label"] as? String } == Array(Self.nominalFrom125.prefix(18)))
    }

    /// Merged narrow bands keep the index of their lowest member and say what they hold; ERB
    /// bands are labelled by their centre.
    @Test func mergedAndNonIECBandsHaveDocumentedLabels() throws {
        let r = try CLI.run(["analyze", CLI.fixture("audio/tone-1k-48k.wav"), "--range", "25-200", "--format", "jsonl", "--quiet"])
        let record = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let bands = ((record["channels"] as! [[String: Any]])[0]["bands"] as! [[String: Any]])
        // At 48 kHz and FFT 4096 a bin is 11.7 Hz wide: the 25 Hz (5.8 Hz wide) band is merged upwards.
        let first = try #require(bands.first)
        #expect(first["index"] as? Int == 0)
        #expect((first["label"] as? String)?.hasPrefix("25–") == true, "\(first)")
        #expect(bands.last?["label"] as? String == "200" && bands.last?["index"] as? Int == 9)  // 25 … 200 Hz: ten bands
        let erb = try CLI.run(["analyze", CLI.fixture("audio/tone-1k-48k.wav"), "--bands", "erb:4", "--range", "100-8000", "--format", "jsonl", "--quiet"])
        let e = try JSONSerialization.jsonObject(with: Data(erb.stdout.utf8)) as! [String: Any]
        let erbBands = ((e["channels"] as! [[String: Any]])[0]["bands"] as! [[String: Any]])
        for band in erbBands {
            let centre = band["centerHz"] as! Double
            let label = band["label"] as! String
            let value = label.hasSuffix("k") ? Double(label.dropLast())! * 1000 : Double(label)!
            #expect(abs(value - centre) <= (centre >= 1000 ? 5 : 0.05), "\(label) vs \(centre) Hz")
        }
    }

    /// JSON carries a provenance block, CSV the same as columns.
    @Test func provenanceInJSONAndCSV() throws {
        let args = ["analyze", CLI.fixture("audio/tone-1k-48k.wav"), "--bands", "octave", "--range", "125-8000", "--fft-size", "2048", "--hop", "512",
                    "--full-scale-db-spl", "94", "--quiet"]
        let json = try CLI.run(args + ["--format", "json"])
        #expect(json.status == 0)
        let array = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
        let p = try #require(array[0]["provenance"] as? [String: Any])
        #expect((p["tool"] as? String)?.hasPrefix("soundprofile ") == true)
        #expect(p["formatVersion"] as? Int == 3)
        #expect(p["bands"] as? String == "octave" && p["range"] as? String == "125-8000" && p["window"] as? String == "hann")
        #expect(p["fftSize"] as? Int == 2048 && p["hop"] as? Int == 512 && p["fullScaleDBSPL"] as? Double == 94)
        #expect(p["narrowBands"] as? String == "merge" && p["unusableSamples"] as? String == "reject" && p["maxChannels"] as? Int == 64)
        let csv = try CLI.run(args + ["--format", "csv"])
        let (_, rows) = csvRows(csv.stdout)
        #expect(rows.count == 7)
        for row in rows {
            #expect(row["bands"] == "octave" && row["range"] == "125-8000" && row["window"] == "hann" && row["fftSizeRequested"] == "2048")
            #expect(row["hopRequested"] == "512" && row["fullScaleDBSPL"] == "94.0" && row["tool"] == p["tool"] as? String)
        }
        // Defaults are recorded as absent (JSON) or empty (CSV): the per-file fftSize says what was used.
        let defaults = try CLI.run(["analyze", CLI.fixture("audio/tone-1k-48k.wav"), "--format", "csv", "--quiet"])
        #expect(csvRows(defaults.stdout).rows.allSatisfy { $0["fftSizeRequested"] == "" && $0["fftSize"] == "4096" })
    }

    /// Failed files have no CSV rows (every numeric column holds numbers), a line on stderr each,
    /// and a JSON record each in --errors FILE.
    @Test func failuresStayOutOfTheCSVAndGoToTheErrorsFile() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let errorsFile = tmp.appendingPathComponent("errors.jsonl").path
        let r = try CLI.run(["analyze", CLI.fixture("audio/bad"), CLI.fixture("audio/tone-1k-48k.wav"), "--bands", "octave", "--format", "csv",
                             "--errors", errorsFile, "--quiet"])
        #expect(r.status == 1)
        let (header, rows) = csvRows(r.stdout)
        #expect(!header.contains("error"))
        #expect(!rows.isEmpty && rows.allSatisfy { $0["file"]!.hasSuffix("tone-1k-48k.wav") })
        let integers = ["sampleRate", "channelCount", "fftSize", "hop", "channel", "bandIndex", "maxChannels", "formatVersion"]
        let reals = ["durationSeconds", "fullScaleDBSPL", "overallLeqDB", "centerHz", "lowerHz", "upperHz", "leqDB", "l10DB", "l50DB", "l90DB", "minDB", "maxDB"]
        for row in rows {
            #expect(row.count == header.count)
            for c in integers { #expect(Int(row[c] ?? "") != nil, "\(c) = \(row[c] ?? "nil")") }
            for c in reals { #expect(Double(row[c] ?? "")?.isFinite == true, "\(c) = \(row[c] ?? "nil")") }
        }
        let records = try String(contentsOfFile: errorsFile, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        let bad = try FileManager.default.contentsOfDirectory(atPath: CLI.fixture("audio/bad")).filter { !$0.hasPrefix(".") }.sorted()
        #expect(records.compactMap { ($0["file"] as? String).map { ($0 as NSString).lastPathComponent } } == bad)
        for record in records {
            #expect((record["error"] as? String)?.isEmpty == false)
            #expect(r.stderr.contains("soundprofile analyze: \(record["file"] as! String): \(record["error"] as! String)"))
        }
        // No failures: the errors file is there and empty.
        let ok = try CLI.run(["analyze", CLI.fixture("audio/tone-1k-48k.wav"), "--format", "csv", "--errors", errorsFile, "--quiet"])
        let written = try Data(contentsOf: URL(fileURLWithPath: errorsFile))
        #expect(ok.status == 0 && written.isEmpty)
    }

    /// An --errors file that cannot be written is refused naming it and why (exit 1: the command
    /// line is well formed, the file system says no), and nothing is left behind: no output
    /// file, no temporary file, no results folder.
    @Test func anUnwritableErrorsFileLeavesNothingBehind() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let r = try CLI.run(["analyze", CLI.fixture("audio/tone-1k-48k.wav"), "--output", tmp.appendingPathComponent("out.csv").path,
                             "--output-dir", tmp.appendingPathComponent("results").path, "--errors", tmp.appendingPathComponent("no/such/errors.jsonl").path])
        #expect(r.status == 1 && r.stderr.contains("soundprofile analyze: \(tmp.path)/no/such/errors.jsonl: cannot be written (--errors): its folder \(tmp.path)/no/such does not exist"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
    }

    /// A closing line sums up the batch in readable units; --quiet keeps stderr to the failures.
    @Test func closingSummaryInReadableUnitsUnlessQuiet() throws {
        let inputs = [CLI.fixture("audio/tone-1k-48k.wav"), CLI.fixture("audio/sweep-48k.wav"), CLI.fixture("audio/bad/empty.wav")]
        let r = try CLI.run(["analyze"] + inputs + ["--format", "jsonl"])
        #expect(r.status == 1)
        let seconds = try r.stdout.split(separator: "\n").compactMap { (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["durationSeconds"] as? Double }.reduce(0, +)
        let summary = try #require(r.stderr.split(separator: "\n").first { $0.contains(" of audio in ") }, "\(r.stderr)")
        let audio = seconds < 10 ? String(format: "%.1f s", seconds) : String(format: "%.0f s", seconds)
        #expect(summary.hasPrefix("soundprofile analyze: 3 files, \(audio) of audio in "), "\(summary)")
        #expect(summary.contains("× real time, ") && summary.hasSuffix(", 1 failed"), "\(summary)")
        let quiet = try CLI.run(["analyze"] + inputs + ["--format", "jsonl", "--quiet"])
        #expect(quiet.stdoutData == r.stdoutData)
        #expect(!quiet.stderr.contains(" of audio"))
        #expect(quiet.stderr.split(separator: "\n").allSatisfy { $0.contains("empty.wav") || $0.contains("1 of 3 files failed") }, "\(quiet.stderr)")
    }

    @Test func progressTextUsesReadableUnitsAndALabelledETA() {
        // 12 of 200 files, 744 s of audio in 0.9 s; 3 h of audio in all.
        let text = ProgressLine.text(filesDone: 12, totalFiles: 200, audioSeconds: 744, totalSeconds: 3 * 3600, elapsed: 0.93)
        // 744 s / 0.93 s = 800× real time; (10 800 − 744) s / 800 = 12.57 s to go.
        #expect(text == "12/200 files, 12.4 min of audio, 800× real time, ETA 0:13")
        #expect(ProgressLine.text(filesDone: 0, totalFiles: 3, audioSeconds: 0, totalSeconds: 10, elapsed: 0.1) == "0/3 files, 0.0 s of audio, 0.0× real time, ETA –")
        #expect(readableDuration(3.2 * 3600) == "3.2 h" && readableDuration(42.4) == "42 s" && readableDuration(4.24) == "4.2 s")
        #expect(etaClock(42) == "0:42" && etaClock(3725) == "1:02:05" && etaClock(.infinity) == "0:00" && etaClock(1e300) == "999:59:59")
        var s = BatchSummary()
        s.files = 200; s.failed = 2; s.audioSeconds = 3.2 * 3600
        #expect(s.line(elapsed: 14) == "200 files, 3.2 h of audio in 14 s, 823× real time, 2 failed")
    }
}
