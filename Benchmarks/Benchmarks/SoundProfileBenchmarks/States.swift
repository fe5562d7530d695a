import Benchmark
import BenchmarkSupport
import Foundation
import SoundProfileDSP

// The states the benchmarks build once in `setup`. Everything a measured operation touches is
// allocated and touched here, so the burst measures the operation and nothing else.

/// FFTW wisdom shared by every benchmark process of a run, so that the processor and the bare
/// FFT pair of the same size execute the same plan (FFTW_MEASURE alone picks different plans in
/// different processes, ±20 %). The first process plans every size and writes the file; the
/// others import it. Delete the file to plan afresh (`make bench-check` does at the start).
enum SharedWisdom {
    static let sizes = [64, 128, 256, 512, 4096]

    static let path: String = {
        if let p = ProcessInfo.processInfo.environment["SOUNDPROFILE_FFTW_WISDOM"], !p.isEmpty { return p }
        // <repo>/Benchmarks/Benchmarks/SoundProfileBenchmarks/States.swift → <repo>/Benchmarks/.fftw-wisdom
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".fftw-wisdom").path
    }()

    static let loaded: Void = {
        if let text = try? String(contentsOfFile: path, encoding: .utf8), (try? FFTWisdom.import(text)) != nil {
            return
        }
        for size in sizes { _ = try? RealFFT(size: size, planning: .measure) }
        try? FFTWisdom.export().write(toFile: path, atomically: true, encoding: .utf8)
    }()
}

/// A test signal: noise and a 1 kHz tone under a slow 4 Hz envelope (so attack and release
/// work), about 70 dB SPL at the default calibration (RMS ≈ 0.03 of full scale).
func testSignal(count: Int, sampleRate: Double, seed: UInt64 = 1) -> [Float] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    var out = [Float](repeating: 0, count: count)
    for i in 0..<count {
        // xorshift64*: uniform in [-1, 1)
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        let u = Double((state &* 0x2545_F491_4F6C_DD1D) >> 11) / Double(1 << 53) * 2 - 1
        let t = Double(i) / sampleRate
        let envelope = 0.55 + 0.45 * sin(2 * Double.pi * 4 * t)
        out[i] = Float(envelope * (0.04 * u + 0.03 * sin(2 * Double.pi * 1000 * t)))
    }
    return out
}

/// The analysis layout `soundprofile analyze` uses by default: third-octave 25 Hz–20 kHz,
/// bands whose upper edge lies at or below fs/2.
func analysisLayout(sampleRate: Double) throws -> BandLayout {
    let all = try BandLayout.thirdOctave(from: 25, to: 20000)
    return try BandLayout(bands: all.bands.filter { $0.upperHz <= sampleRate / 2 })
}

/// The bare FFT pair the processor runs once per block: `fftwf_execute` r2c, then c2r, on the
/// same plans and buffers. The data stay zero: FFTW's arithmetic takes the same path whatever the
/// values (x86 SSE/AVX has no slow path but denormals, which zeros are not), and c2r without the
/// 1/N scaling would otherwise multiply them by N every pair until they overflow.
final class FFTPair {
    var fft: RealFFT

    init(size: Int) throws {
        _ = SharedWisdom.loaded
        fft = try RealFFT(size: size, planning: .measure)
        fft.input.update(repeating: 0)
        fft.spectrum.update(repeating: 0)
    }

    @inline(__always) func run() {
        fft.forward()
        fft.inverseUnnormalized()
    }
}

final class AnalyzerFrame {
    let analyzer: BandAnalyzer
    let signal: [Float]
    let frame: UnsafeMutableBufferPointer<Float>
    let levels: UnsafeMutableBufferPointer<Float>
    var position = 0
    let hop: Int

    init(sampleRate: Double, fftSize: Int, layout: BandLayout) throws {
        _ = SharedWisdom.loaded
        analyzer = try BandAnalyzer(layout: layout, sampleRate: sampleRate, fftSize: fftSize, narrowBands: .merge, planning: .measure)
        signal = testSignal(count: Int(sampleRate) + fftSize, sampleRate: sampleRate)
        frame = .allocate(capacity: fftSize)
        frame.initialize(repeating: 0)
        levels = .allocate(capacity: analyzer.bandCount)
        levels.initialize(repeating: 0)
        hop = fftSize / 2
    }

    deinit { frame.deallocate(); levels.deallocate() }

    /// One frame, taken from successive positions of the signal (the copy is part of the frame's
    /// cost in the batch path too).
    @inline(__always) func run() {
        let n = analyzer.fftSize
        signal.withUnsafeBufferPointer { s in
            _ = frame.initialize(from: s[position..<(position + n)])
        }
        position += hop
        if position + n > signal.count { position = 0 }
        blackHole(analyzer.bandLevels(frame: UnsafeBufferPointer(frame), into: levels))
    }
}

/// The fitted profile every processor benchmark uses: a sloping moderate loss, NAL-R.
let benchmarkProfile: SoundProfile = {
    let ear: [Double: Double] = [250: 35, 500: 35, 1000: 40, 2000: 50, 4000: 60, 6000: 65]
    // swiftlint:disable:next force_try
    return try! SoundProfile.fit(audiogram: try! Audiogram(right: ear, left: ear))
}()

/// Blocks of one ear, fed from one second of the test signal in order.
final class MonoBlocks {
    let processor: ProfileProcessor
    let signal: UnsafeMutableBufferPointer<Float>
    let output: UnsafeMutableBufferPointer<Float>
    let hop: Int
    var position = 0

    init(configuration: ProcessorConfiguration) throws {
        _ = SharedWisdom.loaded
        processor = try ProfileProcessor(configuration: configuration, profile: benchmarkProfile, ear: .right, planning: .measure)
        hop = configuration.hop
        let samples = testSignal(count: (Int(configuration.sampleRate) / hop) * hop, sampleRate: configuration.sampleRate)
        signal = .allocate(capacity: samples.count)
        _ = signal.initialize(from: samples)
        output = .allocate(capacity: hop)
        output.initialize(repeating: 0)
        for _ in 0..<(signal.count / hop) { run() }  // one second: state settled, every page touched
    }

    deinit { signal.deallocate(); output.deallocate() }

    @inline(__always) func run() {
        processor.process(input: UnsafeBufferPointer(rebasing: signal[position..<(position + hop)]), output: output)
        position += hop
        if position == signal.count { position = 0 }
    }
}

/// Blocks of both ears (interleaved), as BinauralProcessor takes them.
final class StereoBlocks {
    let processor: BinauralProcessor
    let signal: UnsafeMutableBufferPointer<Float>
    let output: UnsafeMutableBufferPointer<Float>
    let block: Int
    var position = 0

    init(configuration: ProcessorConfiguration) throws {
        _ = SharedWisdom.loaded
        processor = try BinauralProcessor(configuration: configuration, profile: benchmarkProfile, planning: .measure)
        let hop = configuration.hop
        block = 2 * hop
        let frames = (Int(configuration.sampleRate) / hop) * hop
        let left = testSignal(count: frames, sampleRate: configuration.sampleRate, seed: 1)
        let right = testSignal(count: frames, sampleRate: configuration.sampleRate, seed: 2)
        signal = .allocate(capacity: 2 * frames)
        for i in 0..<frames { (signal.baseAddress! + 2 * i).initialize(to: left[i]); (signal.baseAddress! + 2 * i + 1).initialize(to: right[i]) }
        output = .allocate(capacity: block)
        output.initialize(repeating: 0)
        for _ in 0..<(signal.count / block) { run() }
    }

    deinit { signal.deallocate(); output.deallocate() }

    @inline(__always) func run() {
        processor.process(interleaved: UnsafeBufferPointer(rebasing: signal[position..<(position + block)]), output: output)
        position += block
        if position == signal.count { position = 0 }
    }
}

final class Fitting {
    let audiogram: Audiogram

    init() throws {
        audiogram = try Audiogram(right: [250: 35, 500: 35, 1000: 40, 2000: 50, 4000: 60, 6000: 65],
                                  left: [250: 20, 500: 25, 1000: 30, 2000: 45, 4000: 55, 8000: 70])
        blackHole(try SoundProfile.fit(audiogram: audiogram))
    }

    @inline(__always) func run() {
        // swiftlint:disable:next force_try
        blackHole(try! SoundProfile.fit(audiogram: audiogram))
    }
}

/// What `soundprofile analyze` does per channel (SoundProfileIO.FileAnalysis: 4096-point frames,
/// hop 2048, periodic Hann, third-octave 25 Hz–20 kHz below Nyquist, narrow bands merged,
/// LevelStatistics for Leq/L10/L50/L90/min/max), on samples already in memory. The analyzer is
/// made per run as the CLI makes one per file (FFTW_ESTIMATE, as FileAnalysis plans). Left out:
/// the libsndfile reader and FileAnalysis's copy of each frame out of the interleaved chunk
/// (frames are read in place here). FileAnalysis only takes a libsndfile reader, so this is the
/// same loop over BandAnalyzer and LevelStatistics, kept in the benchmark rather than added to
/// the library's API.
final class BatchAnalysis {
    let signal: [Float]
    let sampleRate: Double
    let layout: BandLayout

    init(seconds: Int, sampleRate: Double) {
        self.sampleRate = sampleRate
        signal = testSignal(count: seconds * Int(sampleRate), sampleRate: sampleRate)
        // swiftlint:disable:next force_try
        layout = try! analysisLayout(sampleRate: sampleRate)
    }

    func run() {
        // swiftlint:disable:next force_try
        blackHole(try! analyze())
    }

    func analyze() throws -> (overallLeqDB: Double, bands: [LevelSummary]) {
        let n = 4096, hop = 2048
        let analyzer = try BandAnalyzer(layout: layout, sampleRate: sampleRate, fftSize: n, narrowBands: .merge)
        var statistics = LevelStatistics(bandCount: analyzer.bandCount, powerReferenceDB: analyzer.fullScaleDBSPL)
        let powers = UnsafeMutableBufferPointer<Float>.allocate(capacity: analyzer.bandCount)
        defer { powers.deallocate() }
        powers.initialize(repeating: 0)
        var overallPower = 0.0
        var frames = 0
        signal.withUnsafeBufferPointer { s in
            var start = 0
            while start + n <= s.count {
                let total = analyzer.bandPowers(frame: UnsafeBufferPointer(rebasing: s[start..<(start + n)]), into: powers)
                statistics.add(powers: UnsafeBufferPointer(powers))
                overallPower += Double(max(total, powerFloor))
                frames += 1
                start += hop
            }
        }
        let leq = 10 * log10(overallPower / Double(max(frames, 1))) + analyzer.fullScaleDBSPL
        return (leq, statistics.summaries)
    }
}
