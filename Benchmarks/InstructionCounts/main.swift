// instruction-counts: runs a fixed number of pod blocks or analysis frames of one case, for
// valgrind's callgrind to count (Benchmarks/check_instructions.py, `make bench-instructions`).
//
//   instruction-counts list               the case names, one a line, with their period
//   instruction-counts run CASE COUNT     COUNT operations of CASE after the same setup
//
// Synchronous, no Dispatch and no Swift concurrency, so valgrind runs it cleanly. Every case
// cycles over a signal that repeats after `period` operations; the gate runs a short and a long
// run whose counts differ by whole periods, so the difference is the exact cost of those
// operations (setup, planning and process start-up cancel out).
import SoundProfileDSP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Noise and a 1 kHz tone under a slow 4 Hz envelope, about 70 dB SPL at 100 dB full scale
/// (the benchmark package's test signal): deterministic, so every run counts the same.
func testSignal(count: Int, sampleRate: Double, seed: UInt64 = 1) -> [Float] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var out = [Float](repeating: 0, count: count)
    for i in 0..<count {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        let u = Double((state &* 0x2545_F491_4F6C_DD1D) >> 11) / Double(1 << 53) * 2 - 1
        let t = Double(i) / sampleRate
        let envelope = 0.55 + 0.45 * sin(2 * Double.pi * 4 * t)
        out[i] = Float(envelope * (0.04 * u + 0.03 * sin(2 * Double.pi * 1000 * t)))
    }
    return out
}

/// One thing the gate counts: `setup` builds the state once and returns the operation.
struct Case {
    var name: String
    /// Operations after which the signal repeats.
    var period: Int
    var setup: () throws -> (Int) -> Void
}

/// A pod block through the public processor API: `process(input:output:)` on `hop` samples.
func podBlock(_ configuration: ProcessorConfiguration) -> Case {
    let name = configuration.name ?? "custom"
    let period = Int(configuration.sampleRate) / configuration.hop  // one second of blocks
    return Case(name: "pod block \(name) mono", period: period) {
        let ear: [Double: Double] = [250: 35, 500: 35, 1000: 40, 2000: 50, 4000: 60, 6000: 65]
        let profile = try SoundProfile.fit(audiogram: try Audiogram(right: ear, left: ear))
        let processor = try ProfileProcessor(configuration: configuration, profile: profile, ear: .right)
        let hop = configuration.hop
        let signal = UnsafeMutableBufferPointer<Float>.allocate(capacity: period * hop)
        _ = signal.initialize(from: testSignal(count: period * hop, sampleRate: configuration.sampleRate))
        let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: hop)
        output.initialize(repeating: 0)
        return { count in
            var position = 0
            for _ in 0..<count {
                processor.process(input: UnsafeBufferPointer(rebasing: signal[position..<(position + hop)]), output: output)
                position += hop
                if position == signal.count { position = 0 }
            }
            if output[0].isNaN { print("NaN") }  // keeps the work observable
        }
    }
}

/// One analysis frame as `soundprofile analyze` does it per channel (FileAnalysis): copy the
/// frame out of the signal, window + FFT + band powers (BandAnalyzer, FFTW_ESTIMATE), band
/// statistics (LevelStatistics.add(powers:)) and the overall power.
func analysisFrame(name: String, sampleRate: Double, fftSize: Int, hop: Int, layout: BandLayout, period: Int) -> Case {
    Case(name: name, period: period) {
        let analyzer = try BandAnalyzer(layout: layout, sampleRate: sampleRate, fftSize: fftSize, narrowBands: .merge)
        var statistics = LevelStatistics(bandCount: analyzer.bandCount, powerReferenceDB: analyzer.fullScaleDBSPL)
        let signal = testSignal(count: period * hop + fftSize, sampleRate: sampleRate)
        let frame = UnsafeMutableBufferPointer<Float>.allocate(capacity: fftSize)
        frame.initialize(repeating: 0)
        let powers = UnsafeMutableBufferPointer<Float>.allocate(capacity: analyzer.bandCount)
        powers.initialize(repeating: 0)
        return { count in
            var overall = 0.0
            signal.withUnsafeBufferPointer { s in
                var start = 0
                for _ in 0..<count {
                    _ = frame.update(fromContentsOf: s[start..<(start + fftSize)])
                    let total = analyzer.bandPowers(frame: UnsafeBufferPointer(frame), into: powers)
                    statistics.add(powers: UnsafeBufferPointer(powers))
                    overall += Double(max(total, powerFloor))
                    start += hop
                    if start == period * hop { start = 0 }
                }
            }
            if overall.isNaN || statistics.frameCount < 0 { print("NaN") }
        }
    }
}

func thirdOctave(_ low: Double, _ high: Double, sampleRate: Double) throws -> BandLayout {
    try BandLayout(bands: BandLayout.thirdOctave(from: low, to: high).bands.filter { $0.upperHz <= sampleRate / 2 })
}

let cases: [Case] = {
    var all = ProcessorConfiguration.presets.map(podBlock)
    // swiftlint:disable force_try
    all.append(analysisFrame(name: "analysis frame 48k N=512 hop=128 third-octave", sampleRate: 48000, fftSize: 512, hop: 128,
                             layout: try! thirdOctave(25, 20000, sampleRate: 48000), period: 1000))
    all.append(analysisFrame(name: "analysis frame 48k N=4096 hop=2048 third-octave", sampleRate: 48000, fftSize: 4096, hop: 2048,
                             layout: try! thirdOctave(25, 20000, sampleRate: 48000), period: 100))
    all.append(analysisFrame(name: "analysis frame 16k N=1024 hop=512 octave", sampleRate: 16000, fftSize: 1024, hop: 512,
                             layout: try! BandLayout.octave(from: 125, to: 4000), period: 100))
    // swiftlint:enable force_try
    return all
}()

/// Writes `message` and a newline to standard error.
func printError(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

let arguments = CommandLine.arguments
switch (arguments.count, arguments.count > 1 ? arguments[1] : "") {
case (2, "list"):
    for c in cases { print("\(c.name)\t\(c.period)") }
case (4, "run"):
    guard let c = cases.first(where: { $0.name == arguments[2] }), let count = Int(arguments[3]), count >= 0 else {
        printError("instruction-counts: unknown case '\(arguments[2])' or bad count '\(arguments[3])' (see: instruction-counts list)")
        exit(2)
    }
    do {
        let operation = try c.setup()
        operation(count)
    } catch {
        printError("instruction-counts: \(c.name): \(error)")
        exit(1)
    }
default:
    printError("usage: instruction-counts list | instruction-counts run CASE COUNT")
    exit(2)
}
