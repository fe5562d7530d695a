import Foundation
import Testing
@testable import SoundProfileDSP

@Suite struct AttackReleaseTests {
    /// ANSI S3.22-style measurement on the processor's output: a 2 kHz tone steps 55 → 90 → 55 dB
    /// SPL; the attack time is how long the output takes to stay within 3 dB of its new steady
    /// level, the release time within 4 dB. The envelope is the RMS over whole periods (0.5 ms).
    static func measure(configuration: ProcessorConfiguration, attack: Double, release: Double) throws -> (attack: Double, release: Double) {
        let profile = try flatProfile(gainDB: 20, compressionRatio: 3, expansionRatio: 1, mpo: 150, kneepoint: 40, attack: attack, release: release)
        let processor = try ProfileProcessor(configuration: configuration, profile: profile, ear: .right)
        let fs = configuration.sampleRate
        let segment = Int(fs * (release / 1000 * 4 + 0.2)) / configuration.hop * configuration.hop
        var x = [Float]()
        for (i, level) in [55.0, 90.0, 55.0].enumerated() {
            let a = amplitude(dBSPL: level)
            x += (0..<segment).map { n in Float(a * sin(2 * .pi * 2000 * Double(n + i * segment) / fs)) }
        }
        let y = run(processor, x)
        let latency = processor.algorithmicLatency.samples
        let window = Int(fs / 2000)  // one period
        func envelope(_ start: Int, _ count: Int) -> [Double] {
            stride(from: start, to: start + count - window, by: window).map { rmsDB(y[$0..<($0 + window)]) }
        }
        func settle(stepAt step: Int, tolerance: Double) -> Double {
            let env = envelope(step + latency, segment - latency - window)
            let steady = env.suffix(env.count / 5).reduce(0, +) / Double(env.count / 5)
            var last = 0
            for (i, e) in env.enumerated() where abs(e - steady) > tolerance { last = i + 1 }
            return Double(last * window) / fs * 1000
        }
        return (settle(stepAt: segment, tolerance: 3), settle(stepAt: 2 * segment, tolerance: 4))
    }

    /// The ANSI defaults (5 ms / 50 ms) on every preset, and longer times.
    @Test(arguments: [(ProcessorConfiguration.pod16k, 5.0, 50.0), (.pod24k, 5, 50), (.studio48k, 5, 50), (.pod16k, 10, 100), (.pod24k, 20, 200), (.studio48k, 25, 100)])
    func attackAndReleaseMeasureBackWithin20Percent(configuration: ProcessorConfiguration, attack: Double, release: Double) throws {
        let measured = try Self.measure(configuration: configuration, attack: attack, release: release)
        #expect(abs(measured.attack / attack - 1) <= 0.2, "\(configuration.name!): attack \(measured.attack) ms, set \(attack) ms")
        #expect(abs(measured.release / release - 1) <= 0.2, "\(configuration.name!): release \(measured.release) ms, set \(release) ms")
    }
}
