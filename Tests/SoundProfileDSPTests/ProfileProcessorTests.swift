import Foundation
import Testing
@testable import SoundProfileDSP

/// A profile with the same curve in every third-octave band 125 Hz–8 kHz.
func flatProfile(gainDB: Double = 0, compressionRatio: Double = 1, expansionRatio: Double = 1, mpo: Double = 150,
                 kneepoint: Double = 0, attack: Double = 5, release: Double = 50, ears: [Ear] = [.left, .right]) throws -> SoundProfile {
    let layout = try BandLayout.thirdOctave(from: 125, to: 8000)
    let bands = layout.bands.map {
        FittedBand(centerHz: $0.centerHz, lowerHz: $0.lowerHz, upperHz: $0.upperHz, gain65DB: gainDB, kneepointDBSPL: kneepoint,
                   compressionRatio: compressionRatio, expansionThresholdDBSPL: kneepoint - 15, expansionRatio: expansionRatio,
                   mpoDBSPL: mpo, attackMilliseconds: attack, releaseMilliseconds: release)
    }
    let targets = [250.0, 500, 1000, 2000, 4000].map { TargetGain(frequencyHz: $0, insertionGainDB: max(0, gainDB)) }
    return try SoundProfile(rule: "test", fullScaleDBSPL: 100, ears: Dictionary(uniqueKeysWithValues: ears.map { ($0, EarProfile(targets: targets, bands: bands)) }))
}

/// Runs a whole signal through a processor block by block.
func run(_ processor: ProfileProcessor, _ x: [Float]) -> [Float] {
    let hop = processor.hop
    var y = [Float](repeating: 0, count: x.count / hop * hop)
    x.withUnsafeBufferPointer { xin in
        y.withUnsafeMutableBufferPointer { yout in
            var start = 0
            while start + hop <= x.count {
                processor.process(input: UnsafeBufferPointer(rebasing: xin[start..<(start + hop)]),
                                  output: UnsafeMutableBufferPointer(rebasing: yout[start..<(start + hop)]))
                start += hop
            }
        }
    }
    return y
}

func rmsDB(_ x: ArraySlice<Float>) -> Double { 10 * log10(x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)) }

/// Amplitude of a sine whose level is `dBSPL` at 100 dB SPL full scale: √2·10^((L−100)/20).
func amplitude(dBSPL: Double) -> Double { 2.0.squareRoot() * pow(10, (dBSPL - 100) / 20) }

@Suite struct ProfileProcessorTests {
    @Test(arguments: ProcessorConfiguration.presets)
    func zeroDBProfileReconstructsTheInputDelayedByTheLatency(configuration: ProcessorConfiguration) throws {
        let processor = try ProfileProcessor(configuration: configuration, profile: flatProfile(), ear: .right)
        #expect(processor.algorithmicLatency.samples == configuration.fftSize - configuration.hop + Int(configuration.sampleRate / 1000))
        let x = whiteNoise(sigma: 0.1, count: Int(configuration.sampleRate / 2), seed: 3)
        let y = run(processor, x)
        let d = processor.algorithmicLatency.samples
        var err = 0.0
        for i in configuration.fftSize..<y.count { err += Double(y[i] - x[i - d]) * Double(y[i] - x[i - d]) }
        let errorDB = 10 * log10(err / Double(y.count - configuration.fftSize))
        #expect(errorDB < -100, "RMS error \(errorDB) dB re full scale for \(configuration)")
    }

    @Test func outputNeverExceedsMPO() throws {
        // MPO 95 dB SPL in every band, 20 dB gain: a 110 dB SPL tone must come out at ≤ 96 dB SPL.
        let profile = try flatProfile(gainDB: 20, compressionRatio: 2, expansionRatio: 1, mpo: 95, kneepoint: 40)
        for configuration in ProcessorConfiguration.presets {
            let processor = try ProfileProcessor(configuration: configuration, profile: profile, ear: .left)
            for f in [500.0, 1000, 2000, 4000] {
                processor.reset()
                let x = sine(frequency: f, amplitude: amplitude(dBSPL: 110), sampleRate: configuration.sampleRate, count: Int(configuration.sampleRate * 0.3))
                let y = run(processor, x)
                let out = rmsDB(y[(y.count / 2)...]) + 100
                #expect(out <= 96, "\(configuration.name!) \(f) Hz: output \(out) dB SPL, MPO 95")
            }
        }
    }

    @Test func stereoEarsGetTheirOwnProfiles() throws {
        let loud = try flatProfile(gainDB: 20, ears: [.left])
        let flat = try flatProfile(gainDB: 0, ears: [.right])
        let stereo = try BinauralProcessor(configuration: .pod24k, leftProfile: loud, rightProfile: flat)
        let n = 24000
        let l = whiteNoise(sigma: 0.01, count: n, seed: 1), r = whiteNoise(sigma: 0.01, count: n, seed: 2)
        var interleaved = [Float](repeating: 0, count: 2 * n)
        for i in 0..<n { interleaved[2 * i] = l[i]; interleaved[2 * i + 1] = r[i] }
        var out = [Float](repeating: 0, count: 2 * n)
        let hop = 32
        interleaved.withUnsafeBufferPointer { xin in
            out.withUnsafeMutableBufferPointer { yout in
                for start in stride(from: 0, to: 2 * n, by: 2 * hop) {
                    stereo.process(interleaved: UnsafeBufferPointer(rebasing: xin[start..<(start + 2 * hop)]),
                                   output: UnsafeMutableBufferPointer(rebasing: yout[start..<(start + 2 * hop)]))
                }
            }
        }
        let outL = stride(from: 0, to: 2 * n, by: 2).map { out[$0] }, outR = stride(from: 1, to: 2 * n, by: 2).map { out[$0] }
        // Compare output with input delayed by the latency; noise energy outside 112 Hz–8.9 kHz gets edge-band gains too.
        let d = stereo.left.algorithmicLatency.samples
        let gainL = rmsDB(outL[(n / 2)...]) - rmsDB(l[(n / 2 - d)..<(n - d)])
        let gainR = rmsDB(outR[(n / 2)...]) - rmsDB(r[(n / 2 - d)..<(n - d)])
        #expect(abs(gainL - 20) < 0.5, "left gain \(gainL) dB")
        #expect(abs(gainR) < 0.5, "right gain \(gainR) dB")
    }

    @Test func missingEarAndBadConfigurationAreNamed() throws {
        #expect(throws: ProcessorConfigurationError.missingEar(.left, available: [.right])) {
            _ = try ProfileProcessor(configuration: .pod16k, profile: flatProfile(ears: [.right]), ear: .left)
        }
        let bad = ProcessorConfiguration(sampleRate: 16000, hop: 24, fftSize: 64)
        #expect(throws: ProcessorConfigurationError.invalid(field: "hop", value: "24", allowed: "a divisor of fftSize (64) that is at most fftSize/2, e.g. 16")) {
            _ = try ProfileProcessor(configuration: bad, profile: flatProfile(), ear: .right)
        }
    }

    @Test func wrongBlockSizeTraps() async throws {
        await #expect(processExitsWith: .failure) {
            let processor = try ProfileProcessor(configuration: .pod16k, profile: flatProfile(), ear: .right)
            let input = [Float](repeating: 0, count: 15)
            var output = [Float](repeating: 0, count: 15)
            input.withUnsafeBufferPointer { i in output.withUnsafeMutableBufferPointer { o in processor.process(input: i, output: o) } }
        }
    }
}
