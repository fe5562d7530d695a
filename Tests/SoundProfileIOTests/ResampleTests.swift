import Foundation
import Testing
import SoundProfileIO

/// `ResamplingReader` (libsamplerate, best sinc) measured with an FFT written here: a tone keeps
/// its frequency and level, and nothing else (aliases when going down, images when going up)
/// comes within 90 dB of it.
@Suite struct ResampleTests {
    struct Case: Sendable, CustomStringConvertible {
        var from: Int, to: Int, toneHz: Double
        var description: String { "\(toneHz) Hz tone, \(from) → \(to) Hz" }
    }

    static let cases: [Case] = [
        Case(from: 44100, to: 16000, toneHz: 1000),   // 44.1 kHz material into pod16k
        Case(from: 44100, to: 24000, toneHz: 3150),   // into pod24k
        Case(from: 44100, to: 16000, toneHz: 7000),   // near the new Nyquist (8 kHz), inside the pass band
        Case(from: 16000, to: 48000, toneHz: 1000),   // up: images at 15, 17, 31, 33 kHz must be gone
        Case(from: 22050, to: 48000, toneHz: 5000),
        Case(from: 8000, to: 16000, toneHz: 3760),    // 94 % of the lower Nyquist (4 kHz): the edge of the stated band
    ]

    /// Above 94 % of the lower Nyquist frequency libsamplerate's transition band takes tones down
    /// (README and docs/CONVENTIONS.md state the band): a 3900 Hz tone from 8 kHz into 16 kHz
    /// (97.5 %) loses more than 10 dB, which is why the claim is limited.
    @Test func toneInTheTransitionBandIsAttenuated() throws {
        let c = Case(from: 8000, to: 16000, toneHz: 3900)
        let out = try resampledTone(c, seconds: 2)
        let tone = Spectrum(Array(out.samples[(out.samples.count / 2 - 8192)..<(out.samples.count / 2 + 8192)]), rate: 16000).tone(near: 3900)
        #expect(tone.levelDB - 20 * log10(Self.amplitude / 2.squareRoot()) < -10)
    }

    static let amplitude = 0.5

    @Test(arguments: cases)
    func toneKeepsFrequencyAndLevelAndNothingElseAppears(c: Case) throws {
        let out = try resampledTone(c, seconds: 2)
        #expect(out.sampleRate == c.to)
        // Length: round(frames × ratio), exactly.
        #expect(out.samples.count == Int((Double(2 * c.from) * Double(c.to) / Double(c.from)).rounded()))
        let spectrum = Spectrum(Array(out.samples[(out.samples.count / 2 - 8192)..<(out.samples.count / 2 + 8192)]), rate: Double(c.to))
        let tone = spectrum.tone(near: c.toneHz)
        let expectedDB = 20 * log10(Self.amplitude / 2.squareRoot())
        #expect(abs(tone.levelDB - expectedDB) <= 0.05, "level \(tone.levelDB) dB, expected \(expectedDB) dB (±0.05)")
        #expect(abs(tone.frequencyHz - c.toneHz) <= 0.05, "frequency \(tone.frequencyHz) Hz, expected \(c.toneHz) Hz (±0.05)")
        let spur = spectrum.strongestBin(awayFrom: c.toneHz)
        print("ResampleTests: \(c): level \(String(format: "%+.4f", tone.levelDB - expectedDB)) dB, frequency \(String(format: "%+.4f", tone.frequencyHz - c.toneHz)) Hz, strongest other \(String(format: "%.1f", spur.levelDB - tone.levelDB)) dB re tone at \(String(format: "%.0f", spur.frequencyHz)) Hz")
        #expect(spur.levelDB - tone.levelDB < -90, "strongest other component \(spur.levelDB - tone.levelDB) dB re the tone at \(spur.frequencyHz) Hz (limit −90 dB)")
    }

    /// A tone above the new Nyquist frequency must be filtered out, not folded back (it would
    /// alias to 16000 − 10000 = 6000 Hz).
    @Test func toneAboveTheNewNyquistIsRemoved() throws {
        let c = Case(from: 44100, to: 16000, toneHz: 10000)
        let out = try resampledTone(c, seconds: 2)
        let spectrum = Spectrum(Array(out.samples[(out.samples.count / 2 - 8192)..<(out.samples.count / 2 + 8192)]), rate: 16000)
        let strongest = spectrum.strongestBin(awayFrom: -1000)
        let inputDB = 20 * log10(Self.amplitude / 2.squareRoot())
        print("ResampleTests: 10 kHz tone, 44100 → 16000 Hz: strongest component \(String(format: "%.1f", strongest.levelDB - inputDB)) dB re the input tone at \(String(format: "%.0f", strongest.frequencyHz)) Hz")
        #expect(strongest.levelDB - inputDB < -90, "alias at \(strongest.frequencyHz) Hz is \(strongest.levelDB - inputDB) dB re the input tone (limit −90 dB)")
    }

    @Test func nonFiniteInputIsZeroedAndCounted() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sp-resample-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("nan.wav").path
        var samples = [Float](repeating: 0.1, count: 44100)
        samples[1000] = .nan
        samples[2000] = .infinity
        try write(samples, rate: 44100, to: path)
        let reader = try ResamplingReader(AudioFileReader(path: path), to: 16000)
        var all: [Float] = []
        var chunk = [Float](repeating: 0, count: 1000)
        while true {
            let n = try chunk.withUnsafeMutableBufferPointer { try reader.read(into: $0) }
            if n == 0 { break }
            all += chunk[0..<n]
        }
        #expect(reader.nonFiniteSampleCount == 2)
        #expect(all.allSatisfy { $0.isFinite })
    }

    @Test func unreachableRatioIsRefusedNamingTheRates() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sp-resample-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("x.wav").path
        try write([Float](repeating: 0, count: 100), rate: 96000, to: path)
        #expect {
            _ = try ResamplingReader(AudioFileReader(path: path), to: 100)
        } throws: { error in
            String(describing: error).contains("96000 Hz") && String(describing: error).contains("100 Hz")
        }
    }

    // MARK: - Helpers

    private func write(_ samples: [Float], rate: Int, to path: String) throws {
        let writer = try AudioFileWriter(path: path, sampleRate: rate, channelCount: 1)
        try samples.withUnsafeBufferPointer { try writer.write($0) }
        try writer.finish()
    }

    private func resampledTone(_ c: Case, seconds: Int) throws -> (samples: [Float], sampleRate: Int) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sp-resample-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("tone.wav").path
        let tone = (0..<(seconds * c.from)).map { Float(Self.amplitude * sin(2 * Double.pi * c.toneHz * Double($0) / Double(c.from))) }
        try write(tone, rate: c.from, to: path)
        let reader = try ResamplingReader(AudioFileReader(path: path), to: c.to)
        var out: [Float] = []
        var chunk = [Float](repeating: 0, count: 3000)  // not a multiple of anything in the reader
        while true {
            let n = try chunk.withUnsafeMutableBufferPointer { try reader.read(into: $0) }
            if n == 0 { break }
            out += chunk[0..<n]
        }
        #expect(reader.format.sampleRate == c.to)
        #expect(Int64(out.count) == reader.format.frameCount)
        return (out, c.to)
    }
}

/// A Kaiser-windowed (β = 20: side lobes about −190 dB) power spectrum from a radix-2 FFT,
/// scaled so that a tone's power summed over its main lobe is its mean square.
struct Spectrum {
    var power: [Double]  // per bin, one-sided, in mean-square units
    var binHz: Double

    init(_ x: [Float], rate: Double) {
        let n = x.count
        precondition(n & (n - 1) == 0, "power of two")
        let beta = 20.0
        func i0(_ v: Double) -> Double {  // modified Bessel function of the first kind, order 0
            var sum = 1.0, term = 1.0, k = 1.0
            while term > 1e-17 * sum { term *= (v / (2 * k)) * (v / (2 * k)); sum += term; k += 1 }
            return sum
        }
        let w = (0..<n).map { i0(beta * (1 - pow(2 * Double($0) / Double(n - 1) - 1, 2)).squareRoot()) / i0(beta) }
        var re = zip(x, w).map { Double($0) * $1 }, im = [Double](repeating: 0, count: n)
        Self.fft(&re, &im)
        let windowPower = w.reduce(0) { $0 + $1 * $1 }
        power = (0...(n / 2)).map { k in (k == 0 || k == n / 2 ? 1 : 2) * (re[k] * re[k] + im[k] * im[k]) / (Double(n) * windowPower) }
        binHz = rate / Double(n)
    }

    /// Level (dB re mean square 1) and power-weighted mean frequency of the main lobe near `hz`.
    func tone(near hz: Double) -> (levelDB: Double, frequencyHz: Double) {
        let k = Int((hz / binHz).rounded())
        let lobe = max(1, k - 12)...min(power.count - 1, k + 12)
        let p = lobe.reduce(0) { $0 + power[$1] }
        let f = lobe.reduce(0) { $0 + power[$1] * Double($1) * binHz } / p
        return (10 * log10(p), f)
    }

    /// The strongest single bin outside ±16 bins of `hz` (and above DC's lobe).
    func strongestBin(awayFrom hz: Double) -> (levelDB: Double, frequencyHz: Double) {
        var best = (levelDB: -400.0, frequencyHz: 0.0)
        for k in 16..<power.count where abs(Double(k) * binHz - hz) > 16 * binHz {
            let db = 10 * log10(max(power[k], 1e-40))
            if db > best.levelDB { best = (db, Double(k) * binHz) }
        }
        return best
    }

    /// In-place iterative radix-2 FFT.
    static func fft(_ re: inout [Double], _ im: inout [Double]) {
        let n = re.count
        var j = 0
        for i in 1..<n {
            var bit = n >> 1
            while j & bit != 0 { j ^= bit; bit >>= 1 }
            j |= bit
            if i < j { re.swapAt(i, j); im.swapAt(i, j) }
        }
        var len = 2
        while len <= n {
            let angle = -2 * Double.pi / Double(len)
            for start in stride(from: 0, to: n, by: len) {
                for k in 0..<(len / 2) {
                    let wr = cos(angle * Double(k)), wi = sin(angle * Double(k))
                    let a = start + k, b = a + len / 2
                    let tr = re[b] * wr - im[b] * wi, ti = re[b] * wi + im[b] * wr
                    re[b] = re[a] - tr; im[b] = im[a] - ti
                    re[a] += tr; im[a] += ti
                }
            }
            len <<= 1
        }
    }
}
