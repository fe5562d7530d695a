import Foundation
import Testing
@testable import SoundProfileDSP

@Suite struct ProfileHandoverTests {
    /// A control thread swaps profiles (0 dB ↔ +12 dB) while the audio loop runs. The output must
    /// stay free of clicks: with a 1 kHz tone of amplitude 0.1 the largest sample-to-sample step
    /// is 2π·1000/24000·0.1·4 (the tone's own slope at the highest gain) = 0.105; we bound it at
    /// 0.12, and the gain must have reached each new profile by the end.
    @Test func profilesSwitchFromAnotherThreadWithoutClicks() async throws {
        let quiet = try flatProfile(gainDB: 0), loud = try flatProfile(gainDB: 12)
        let processor = try ProfileProcessor(configuration: .pod24k, profile: quiet, ear: .right)
        let fs = 24000.0, hop = 32, blocks = 6000
        let x = sine(frequency: 1000, amplitude: 0.1, sampleRate: fs, count: blocks * hop)
        let control = Task.detached {
            for i in 0..<40 {
                try processor.update(profile: i % 2 == 0 ? loud : quiet)
                try await Task.sleep(for: .milliseconds(3))
            }
            try processor.update(profile: loud)
        }
        var y = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xin in
            y.withUnsafeMutableBufferPointer { yout in
                for b in 0..<blocks {
                    processor.process(input: UnsafeBufferPointer(rebasing: xin[(b * hop)..<((b + 1) * hop)]),
                                      output: UnsafeMutableBufferPointer(rebasing: yout[(b * hop)..<((b + 1) * hop)]))
                    if b % 8 == 0 { usleep(50) }  // let the control thread interleave
                }
            }
        }
        try await control.value
        var largestStep: Float = 0
        for i in 1..<y.count { largestStep = max(largestStep, abs(y[i] - y[i - 1])) }
        #expect(largestStep < 0.12, "largest sample-to-sample step \(largestStep)")
        // Wait for the last update to be adopted, then check the loud gain is in force.
        let tail = run(processor, Array(x[0..<(hop * 400)]))
        #expect(!processor.isUpdatePending)
        let gain = rmsDB(tail[(tail.count / 2)...]) - rmsDB(x[0..<(tail.count / 2)])
        #expect(abs(gain - 12) < 0.5, "gain after the last switch \(gain) dB")
    }
}
