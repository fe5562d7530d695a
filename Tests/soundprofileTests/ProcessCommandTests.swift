import Foundation
import Testing
import SoundProfileIO

@Suite struct ProcessCommandTests {
    @Test func processesAFileKeepingRateChannelsAndLength() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["process", CLI.fixture("audio/stereo-48k.wav"), "--profile", CLI.fixture("fitting/golden/N3-nal-r.json"),
                             "--output-dir", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("latency 240 samples = 5.00 ms"))  // 256 − 64 + 48 (the limiter's 1 ms look-ahead)
        #expect(r.stdout.contains("channel 0 (left ear)") && r.stdout.contains("channel 1 (right ear)"))
        let input = try AudioFileReader(path: CLI.fixture("audio/stereo-48k.wav")).format
        let output = try AudioFileReader(path: dir.appendingPathComponent("stereo-48k.wav").path).format
        #expect(output.sampleRate == input.sampleRate && output.channelCount == input.channelCount && output.frameCount == input.frameCount)
        #expect(output.encoding.contains("32 bit float"))
    }

    @Test func aRateThePresetDoesNotAcceptIsAnErrorNamingTheRates() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["process", CLI.fixture("audio/tone-1k-48k.wav"), "--profile", CLI.fixture("fitting/golden/N3-nal-r.json"),
                             "--preset", "pod24k", "--output-dir", dir.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("48000 Hz does not match preset pod24k, which accepts only 24000 Hz"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    /// Writes a mono float WAV.
    static func writeFloatWAV(_ samples: [Float], rate: Int, to path: String) throws {
        let w = try AudioFileWriter(path: path, sampleRate: rate, channelCount: 1, encoding: .float32)
        try samples.withUnsafeBufferPointer { try w.write($0) }
        try w.finish()
    }

    static func readAll(_ path: String) throws -> [Float] {
        let r = try AudioFileReader(path: path)
        var out: [Float] = []
        var buffer = [Float](repeating: 0, count: 4096 * r.format.channelCount)
        while true {
            let n = try buffer.withUnsafeMutableBufferPointer { try r.read(into: $0) }
            if n == 0 { break }
            out += buffer[0..<(n * r.format.channelCount)]
        }
        return out
    }

    @Test func nonFiniteSamplesAreCountedReportedAndGiveExit1WithFiniteOutput() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var x = (0..<24000).map { Float(0.05 * sin(2 * Double.pi * 1000 * Double($0) / 24000)) }
        x[100] = .nan
        x[12000] = .infinity
        x[12001] = -.infinity
        let input = dir.appendingPathComponent("nan.wav").path
        try Self.writeFloatWAV(x, rate: 24000, to: input)
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run(["process", input, "--profile", CLI.fixture("fitting/golden/N3-nal-r.json"), "--output-dir", out.path])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("nan.wav: 3 non-finite input samples (NaN or infinite) were replaced by 0; output written"), "\(r.stderr)")
        #expect(r.stdout.contains("3 non-finite input samples replaced by 0"))
        #expect(!r.stdout.contains("nan dB") && !r.stdout.contains("-inf dB"), "\(r.stdout)")
        let y = try Self.readAll(out.appendingPathComponent("nan.wav").path)
        #expect(y.count == x.count && y.allSatisfy { $0.isFinite })
        // The tone still comes through after the bad samples (the stream is not poisoned).
        #expect(y[20000..<24000].map { $0 * $0 }.reduce(0, +) > 1)
    }

    @Test(arguments: ["pcm16", "pcm24", "flac16"])
    func integerOutputIsTheFloatOutputClipped(format: String) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A 24 kHz tone at 1.6 × full scale (102.1 dB SPL) through a fitting for normal hearing:
        // the float output stays over full scale, so every integer format must clip it, not wrap.
        let x = (0..<24000).map { Float(1.6 * sin(2 * Double.pi * 440 * Double($0) / 24000)) }
        let input = dir.appendingPathComponent("loud.wav").path
        try Self.writeFloatWAV(x, rate: 24000, to: input)
        let audiogram = dir.appendingPathComponent("normal.json").path
        try Data(#"{"right": {"250": 0, "500": 0, "1000": 0, "2000": 0, "4000": 0, "8000": 0}}"#.utf8).write(to: URL(fileURLWithPath: audiogram))
        let profile = dir.appendingPathComponent("p.json").path
        #expect(try CLI.run(["fit", "--audiogram", audiogram, "--preset", "pod24k", "--compression-ratio", "1", "--output", profile]).status == 0)
        let floatDir = dir.appendingPathComponent("float"), intDir = dir.appendingPathComponent(format)
        let f = try CLI.run(["process", input, "--profile", profile, "--output-dir", floatDir.path])
        #expect(f.status == 0, "\(f.stderr)")
        let r = try CLI.run(["process", input, "--profile", profile, "--output-dir", intDir.path, "--format", format])
        #expect(r.status == 0, "\(r.stderr)")
        let reference = try Self.readAll(floatDir.appendingPathComponent("loud.wav").path)
        let written = try Self.readAll(intDir.appendingPathComponent(format == "flac16" ? "loud.flac" : "loud.wav").path)
        let over = reference.filter { abs($0) > 1 }.count
        #expect(over > 1000, "the float output should be over full scale")
        #expect(r.stdout.contains("clipped \(over) samples"), "\(r.stdout)")
        let step: Float = format == "pcm24" ? 1.0 / 8_388_608 : 1.0 / 32768
        var worst: Float = 0
        for (a, b) in zip(reference, written) { worst = max(worst, abs(min(max(a, -1), 1) - b)) }
        #expect(written.count == reference.count)
        #expect(worst <= step * 1.01, "largest difference from the clipped float output \(worst)")
    }

    @Test func aPresetFittedProfileIsUsedAsIsAndAThirdOctaveOneIsRefittedOnce() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = dir.appendingPathComponent("p.json").path
        let fit = try CLI.run(["fit", "--audiogram", CLI.fixture("audiograms/N3.json"), "--preset", "studio48k", "--output", profile])
        #expect(fit.status == 0, "\(fit.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: profile))) as! [String: Any]
        #expect(json["preset"] as? String == "studio48k")
        let ears = json["ears"] as! [String: Any]
        #expect(((ears["right"] as! [String: Any])["bands"] as! [Any]).count == 16)
        let direct = try CLI.run(["process", CLI.fixture("audio/tone-1k-48k.wav"), CLI.fixture("audio/sweep-48k.wav"), "--profile", profile,
                                  "--output-dir", dir.appendingPathComponent("a").path])
        #expect(direct.status == 0 && !direct.stderr.contains("refitted"), "\(direct.stderr)")
        let refit = try CLI.run(["process", CLI.fixture("audio/tone-1k-48k.wav"), CLI.fixture("audio/sweep-48k.wav"),
                                 "--profile", CLI.fixture("fitting/golden/N3-nal-r.json"), "--output-dir", dir.appendingPathComponent("b").path])
        #expect(refit.status == 0)
        #expect(refit.stderr.components(separatedBy: "refitted into them").count == 2, "said once: \(refit.stderr)")
    }
}
