import Foundation
import Testing
import SoundProfileIO

@Suite struct AnalyzeMemoryTests {
    /// A 4-minute 48 kHz stereo file is 92 MB as Float samples; analysed in chunks the process
    /// stays far below that. Peak RSS of the child comes from getrusage(RUSAGE_CHILDREN), which
    /// reports the largest child so far — the CLI runs of other tests are much smaller.
    @Test func peakMemoryDoesNotGrowWithFileLength() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("long.wav").path
        let writer = try AudioFileWriter(path: path, sampleRate: 48000, channelCount: 2, encoding: .pcm16)
        var chunk = [Float](repeating: 0, count: 2 * 48000)
        var state: UInt32 = 1
        for _ in 0..<240 {  // 240 s
            for i in chunk.indices {
                state = state &* 1_664_525 &+ 1_013_904_223
                chunk[i] = Float(Int32(bitPattern: state)) / Float(Int32.max) * 0.1
            }
            try chunk.withUnsafeBufferPointer { try writer.write($0) }
        }
        try writer.finish()
        let r = try CLI.run(["analyze", path, "--format", "jsonl", "--quiet"])
        #expect(r.status == 0)
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        let peakMB = Double(usage.ru_maxrss) / 1024  // ru_maxrss is in KiB on Linux
        #expect(peakMB < 60, "peak RSS \(peakMB) MB while analysing a 92 MB (as Float) file")
    }
}
