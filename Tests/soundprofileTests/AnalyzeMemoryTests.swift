import Foundation
import Testing
import SoundProfileIO

@Suite struct AnalyzeMemoryTests {
    /// A 4-minute 48 kHz stereo file is 92 MB as Float samples; analysed in chunks the process
    /// stays far below that. The child's own peak RSS comes from wait4(2).
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
        let exe = CLI.productsDirectory.appendingPathComponent("soundprofile").path
        let args = [exe, "analyze", path, "--format", "jsonl", "--quiet"]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        #expect(posix_spawn(&pid, exe, &actions, nil, &argv, environ) == 0)
        var status: Int32 = 0
        var usage = rusage()
        #expect(wait4(pid, &status, 0, &usage) == pid)
        #expect(status == 0, "exit status word \(status)")
        let peakMB = Double(usage.ru_maxrss) / 1024  // ru_maxrss is in KiB on Linux
        #expect(peakMB < 60, "peak RSS \(peakMB) MB while analysing a 92 MB (as Float) file")
    }
}
