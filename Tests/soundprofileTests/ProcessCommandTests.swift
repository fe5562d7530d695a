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
        #expect(r.stdout.contains("latency 192 samples = 4.00 ms"))
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
}
