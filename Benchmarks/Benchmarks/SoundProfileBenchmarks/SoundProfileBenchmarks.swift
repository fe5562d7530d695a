import Benchmark
import SoundProfileDSP

/// Per-frame costs of the analysis core. Wall clock per call and the number of mallocs per call
/// (which must be 0 on the per-frame path).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 100,
        maxDuration: .seconds(2),
        maxIterations: 200_000
    )

    for size in [64, 128, 256, 512, 4096] {
        Benchmark("RealFFT forward+inverse N=\(size)") { benchmark in
            let fft = try RealFFT(size: size, planning: .measure)
            for i in 0..<size { fft.input[i] = Float(i % 7) * 0.1 }
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                fft.forward()
                fft.inverseUnnormalized()
            }
        }
    }

    for (rate, size) in [(48000.0, 4096), (24000.0, 128)] {
        Benchmark("BandAnalyzer frame third-octave fs=\(Int(rate)) N=\(size)") { benchmark in
            let analyzer = try BandAnalyzer(layout: .thirdOctave(from: 25, to: 20000), sampleRate: rate, fftSize: size,
                                            narrowBands: .merge, planning: .measure)
            let frame = UnsafeMutableBufferPointer<Float>.allocate(capacity: size)
            defer { frame.deallocate() }
            for i in 0..<size { frame[i] = Float((i * 7919) % 1000) / 1000 - 0.5 }
            let levels = UnsafeMutableBufferPointer<Float>.allocate(capacity: analyzer.bandCount)
            defer { levels.deallocate() }
            levels.initialize(repeating: 0)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(analyzer.bandLevels(frame: UnsafeBufferPointer(frame), into: levels))
            }
        }
    }

    // The real-time path: one block per iteration, per preset, mono and stereo.
    let audiogram = try! Audiogram(right: [250: 35, 500: 35, 1000: 40, 2000: 50, 4000: 60, 6000: 65],
                                   left: [250: 35, 500: 35, 1000: 40, 2000: 50, 4000: 60, 6000: 65])
    let profile = try! SoundProfile.fit(audiogram: audiogram)
    for configuration in ProcessorConfiguration.presets {
        let name = configuration.name!
        Benchmark("ProfileProcessor block mono \(name)") { benchmark in
            let processor = try ProfileProcessor(configuration: configuration, profile: profile, ear: .right, planning: .measure)
            let hop = configuration.hop
            let input = UnsafeMutableBufferPointer<Float>.allocate(capacity: hop)
            let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: hop)
            defer { input.deallocate(); output.deallocate() }
            for i in 0..<hop { input[i] = Float((i * 7919) % 1000) / 10000 - 0.05 }
            output.initialize(repeating: 0)
            for _ in 0..<64 { processor.process(input: UnsafeBufferPointer(input), output: output) }
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                processor.process(input: UnsafeBufferPointer(input), output: output)
            }
            blackHole(output[0])
        }
        Benchmark("ProfileProcessor block stereo \(name)") { benchmark in
            let processor = try BinauralProcessor(configuration: configuration, profile: profile, planning: .measure)
            let hop = configuration.hop
            let input = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2 * hop)
            let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2 * hop)
            defer { input.deallocate(); output.deallocate() }
            for i in 0..<(2 * hop) { input[i] = Float((i * 7919) % 1000) / 10000 - 0.05 }
            output.initialize(repeating: 0)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                processor.process(interleaved: UnsafeBufferPointer(input), output: output)
            }
            blackHole(output[0])
        }
    }

    Benchmark("SoundProfile.fit N3 NAL-R third-octave", configuration: .init(metrics: [.wallClock], maxIterations: 2000)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try SoundProfile.fit(audiogram: audiogram))
        }
    }
}
