import Foundation
import Testing
import SoundProfileIO

@Suite struct AnalyzeMemoryTests {
    /// A 4-minute 48 kHz stereo file is 92 MB as Float samples; analysed in chunks the process
    /// stays far below that. The child's peak RSS is read from /proc/PID/status (VmHWM) while it
    /// runs: wait4's ru_maxrss would also count the test runner's memory, which the spawned
    /// child shares until it execs.
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
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("soundprofile")
        process.arguments = ["analyze", path, "--format", "jsonl", "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var peakKiB = 0
        while process.isRunning {
            if let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) {
                peakKiB = max(peakKiB, kib)
            }
            usleep(2000)
        }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(peakKiB > 0, "no reading of the child's memory")
        let peakMB = Double(peakKiB) / 1024
        #expect(peakMB < 60, "peak RSS \(peakMB) MB while analysing a 92 MB (as Float) file")
    }
}
