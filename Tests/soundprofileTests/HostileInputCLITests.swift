import Foundation
import Testing

/// Issue 11 through the CLI as a user runs it: inputs from Fixtures/crash never crash `analyze`
/// or `fit`, a bad file never costs its neighbours their results, and memory does not follow a
/// header's claims.
@Suite struct HostileInputCLITests {
    static let crashAudio = ["nan-48k-float.wav", "inf-48k-float.wav", "huge-48k-float.wav", "nan-stereo-48k-float.wav",
                             "channels-1024.wav", "channels-65.wav"]

    func records(_ stdout: String) throws -> [[String: Any]] {
        try stdout.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test func crashFilesGiveErrorRecordsBetweenGoodOnes() throws {
        var args = ["analyze", "--format", "jsonl", "--bands", "octave", "--jobs", "2"]
        // A good file after each bad one: six copies, as a file named twice is analysed once.
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        for (i, name) in Self.crashAudio.enumerated() {
            let good = tmp.appendingPathComponent("tone-\(i).wav").path
            try FileManager.default.copyItem(atPath: CLI.fixture("audio/tone-1k-48k.wav"), toPath: good)
            args += [CLI.fixture("crash/\(name)"), good]
        }
        let r = try CLI.run(args)
        #expect(r.status == 1, "\(r.stderr)")
        let lines = try records(r.stdout)
        #expect(lines.count == 12)
        for (i, record) in lines.enumerated() {
            if i % 2 == 0 {
                let error = try #require(record["error"] as? String, "\(record)")
                #expect(error.contains("NaN, infinite or beyond ±1e9") || error.contains("channel count"), "\(error)")
            } else {
                #expect(record["error"] == nil && (record["channels"] as? [Any])?.count == 1)
            }
        }
        #expect(r.stderr.contains("6 of 12 files failed"))
        // The first position is named: frame and channel.
        #expect(r.stderr.contains("1 sample is NaN, infinite or beyond ±1e9 (the first at frame 1000, channel 0"))
        #expect(r.stderr.contains("channel count 1024 is not allowed: at most 64 channels"))
        // The command line names the option that lets each file through.
        #expect(r.stderr.contains("(--zero-unusable-samples analyses them as 0)") && r.stderr.contains("(--max-channels raises the limit)"))
    }

    @Test func optionsAnalyseThemInstead() throws {
        let r = try CLI.run(["analyze", "--format", "jsonl", "--bands", "octave", "--zero-unusable-samples", "--max-channels", "1024"]
                            + Self.crashAudio.map { CLI.fixture("crash/\($0)") })
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try records(r.stdout)
        #expect(lines.map { $0["zeroedSamples"] as? Int } == [1, 2, 100, 1, 0, 0])
        #expect((lines[4]["channels"] as? [Any])?.count == 1024)
        let bad = try CLI.run(["analyze", "--max-channels", "0", CLI.fixture("audio/tone-1k-48k.wav")])
        #expect(bad.status == 2 && bad.stderr.contains("--max-channels 0 is not allowed: it must be 1…1024"))
    }

    /// The child's peak RSS (VmHWM) while it runs `args`.
    func peakMegabytes(_ args: [String]) throws -> (Double, Int32) {
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("soundprofile")
        process.arguments = args
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var peakKiB = 0
        while process.isRunning {
            if let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) {
                peakKiB = max(peakKiB, kib)
            }
            usleep(1000)
        }
        process.waitUntilExit()
        return (Double(peakKiB) / 1024, process.terminationStatus)
    }

    /// Issue 11: a 16 KB WAV claiming 1024 channels took 617 MB. Refused by default, and even
    /// when allowed it is analysed 8 channels per pass, so memory stays near a mono file's.
    @Test func aThousandChannelHeaderDoesNotAmplifyMemory() throws {
        let file = CLI.fixture("crash/channels-1024.wav")
        let (refused, status) = try peakMegabytes(["analyze", file, "--format", "jsonl", "--quiet"])
        #expect(status == 1)
        let (allowed, okStatus) = try peakMegabytes(["analyze", file, "--format", "jsonl", "--quiet", "--max-channels", "1024"])
        #expect(okStatus == 0)
        let (mono, _) = try peakMegabytes(["analyze", CLI.fixture("audio/tone-1k-48k.wav"), "--format", "jsonl", "--quiet"])
        // Generous bounds: a mono file takes ≈ 30 MB here (the runtime and libraries).
        #expect(refused < mono + 20, "refused: \(refused) MB, mono: \(mono) MB")
        // The result itself (1024 channels × bands as JSON) takes some room; before the fix this was 617 MB.
        #expect(allowed < mono + 120, "1024 channels allowed: \(allowed) MB, mono: \(mono) MB")
    }

    @Test(arguments: ["audiogram-huge-threshold.json", "audiogram-huge-frequency.json"])
    func fitRefusesHugeNumbersWithAMessage(file: String) throws {
        let r = try CLI.run(["fit", "--audiogram", CLI.fixture("crash/\(file)")])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("not allowed") || r.stderr.contains("must"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }
}
