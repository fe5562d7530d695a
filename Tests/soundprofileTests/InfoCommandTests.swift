import Foundation
import Testing

/// `soundprofile info`: format and levels, checked against signals whose levels are known in
/// closed form and against sums over the exact samples written (the WAV bytes are made here, not
/// by the project's writer).
@Suite struct InfoCommandTests {
    /// A RIFF/WAVE file: PCM 16-bit (`float == false`) or IEEE float 32-bit, interleaved frames.
    static func wav(_ channels: [[Double]], rate: Int, float: Bool) -> Data {
        let frames = channels[0].count, count = channels.count
        let bytesPerSample = float ? 4 : 2
        var body = Data()
        for f in 0..<frames {
            for c in 0..<count {
                if float {
                    withUnsafeBytes(of: Float(channels[c][f]).bitPattern.littleEndian) { body.append(contentsOf: $0) }
                } else {
                    withUnsafeBytes(of: Int16(channels[c][f]).littleEndian) { body.append(contentsOf: $0) }
                }
            }
        }
        func u32(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(v).littleEndian, Array.init) }
        func u16(_ v: Int) -> [UInt8] { withUnsafeBytes(of: UInt16(v).littleEndian, Array.init) }
        var d = Data("RIFF".utf8) + u32(36 + body.count) + Data("WAVEfmt ".utf8) + u32(16)
        d += u16(float ? 3 : 1) + u16(count) + u32(rate) + u32(rate * count * bytesPerSample)
        d += u16(count * bytesPerSample) + u16(8 * bytesPerSample) + Data("data".utf8) + u32(body.count)
        return d + body
    }

    struct Levels: Decodable { var channel: Int?; var peakDBFS, rmsDBFS, peakDBSPL, rmsDBSPL: Double }
    struct Info: Decodable {
        var file: String
        var container: String?, encoding: String?
        var sampleRate: Int?, channelCount: Int?
        var frameCount: Int?
        var durationSeconds: Double?, fullScaleDBSPL: Double?
        var overall: Levels?
        var channels: [Levels]?
        var error: String?
    }

    static func info(_ args: [String], stdin: Data? = nil) throws -> (CLI.Result, [Info]) {
        let r = try CLI.run(["info", "--format", "json"] + args, stdin: stdin)
        let infos = (try? JSONDecoder().decode([Info].self, from: r.stdoutData)) ?? []
        return (r, infos)
    }

    @Test func fullScaleSineReadsZeroDBFSPeakAndMinus3Point01RMS() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 1 kHz at 48 kHz: exactly 48 samples a period, and sample 12 of each period is sin(π/2) = 1.
        let sine = (0..<48000).map { sin(2 * Double.pi * 1000 * Double($0) / 48000) }
        let path = dir.appendingPathComponent("sine.wav").path
        try Self.wav([sine], rate: 48000, float: true).write(to: URL(fileURLWithPath: path))
        let (r, infos) = try Self.info([path, "--full-scale-db-spl", "94"])
        #expect(r.status == 0, "\(r.stderr)")
        let i = try #require(infos.first)
        #expect(i.sampleRate == 48000 && i.channelCount == 1 && i.frameCount == 48000)
        #expect(abs(i.durationSeconds! - 1.0) < 1e-9)
        #expect(i.container!.contains("WAV") && i.encoding!.contains("32 bit float"))
        let ch = try #require(i.channels?.first)
        let minus3 = 10 * log10(0.5)  // −3.0103 dB: the mean square of a sine of amplitude 1 is 1/2
        #expect(abs(ch.peakDBFS - 0) < 0.001)
        #expect(abs(ch.rmsDBFS - minus3) < 0.001)
        #expect(abs(ch.peakDBSPL - 94) < 0.001)
        #expect(abs(ch.rmsDBSPL - (94 + minus3)) < 0.001)  // 90.99 dB SPL, as analyze's overall Leq
    }

    @Test func pcm16StereoLevelsMatchSumsOverTheSamplesWritten() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Channel 0: a 440 Hz tone at 12000/32768; channel 1: a pseudo-random sequence (LCG).
        let left = (0..<22050).map { (12000 * sin(2 * Double.pi * 440 * Double($0) / 22050)).rounded() }
        var state: UInt32 = 12345
        let right = (0..<22050).map { _ -> Double in
            state = state &* 1_103_515_245 &+ 12345
            return Double(Int((state >> 16) & 0x7fff) - 16384)
        }
        let path = dir.appendingPathComponent("stereo.wav").path
        try Self.wav([left, right], rate: 22050, float: false).write(to: URL(fileURLWithPath: path))
        let (r, infos) = try Self.info([path])
        #expect(r.status == 0, "\(r.stderr)")
        let i = try #require(infos.first)
        #expect(i.encoding!.contains("16 bit"))
        func expected(_ x: [Double]) -> (peak: Double, rms: Double) {
            let s = x.map { $0 / 32768 }
            return (20 * log10(s.map(abs).max()!), 10 * log10(s.reduce(0) { $0 + $1 * $1 } / Double(s.count)))
        }
        for (c, x) in [left, right].enumerated() {
            let e = expected(x), got = i.channels![c]
            #expect(got.channel == c)
            #expect(abs(got.peakDBFS - e.peak) < 0.001 && abs(got.rmsDBFS - e.rms) < 0.001, "channel \(c): \(got) vs \(e)")
            #expect(abs(got.rmsDBSPL - (e.rms + 100)) < 0.001)
        }
        let both = expected(left + right)
        #expect(abs(i.overall!.peakDBFS - both.peak) < 0.001 && abs(i.overall!.rmsDBFS - both.rms) < 0.001)
    }

    @Test func badFilesGiveErrorRecordsAndTheBatchGoesOn() throws {
        let good = CLI.fixture("audio/tone-1k-48k.wav")
        let missing = CLI.fixture("audio/does-not-exist.wav")
        let text = CLI.fixture("audio/bad/text.wav")
        let (r, infos) = try Self.info([missing, good, text])
        #expect(r.status == 1)
        #expect(infos.map(\.file) == [missing, good, text])
        #expect(infos[0].error?.contains("not found") == true && infos[2].error?.contains("not an audio file") == true)
        #expect(infos[1].error == nil && infos[1].sampleRate == 48000)
        // tone-1k-48k.wav: amplitude 0.5, float (Fixtures/audio/make_audio.py): −6.02 dBFS peak, 90.97 dB SPL.
        #expect(abs(infos[1].channels![0].peakDBFS - 20 * log10(0.5)) < 0.01)
        #expect(abs(infos[1].channels![0].rmsDBSPL - (20 * log10(0.5 / 2.squareRoot()) + 100)) < 0.01)
        #expect(r.stderr.contains("soundprofile info: \(missing): not found"))
        #expect(r.stderr.contains("soundprofile info: \(text): not an audio file"))
        #expect(r.stderr.contains("2 of 3 files could not be read"))
    }

    @Test func tableNamesFormatRateChannelsAndLevels() throws {
        let r = try CLI.run(["info", CLI.fixture("audio/stereo-48k.wav")])
        #expect(r.status == 0, "\(r.stderr)")
        for word in ["WAV", "48000 Hz", "channels    2", "peak dBFS", "RMS SPL", "channel 0", "channel 1", "overall", "= 100.0 dB SPL"] {
            #expect(r.stdout.contains(word), "missing \(word) in\n\(r.stdout)")
        }
    }

    @Test func dashReadsStandardInput() throws {
        let path = CLI.fixture("audio/speech-16k.flac")
        let (fromFile, a) = try Self.info([path])
        let (fromStdin, b) = try Self.info(["-"], stdin: try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(fromFile.status == 0 && fromStdin.status == 0, "\(fromStdin.stderr)")
        #expect(b.first?.file == "-")
        #expect(b.first?.container == a.first?.container && b.first?.frameCount == a.first?.frameCount)
        #expect(b.first?.channels?.first?.rmsDBFS == a.first?.channels?.first?.rmsDBFS)
    }
}
