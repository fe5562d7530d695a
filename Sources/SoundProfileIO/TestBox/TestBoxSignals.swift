public import SoundProfileDSP
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The test signals and measurements of the virtual test box: pure tones, LTASS-shaped noise, a
/// Welch spectrum, and single-frequency DFTs. Deterministic (seeded), so a verification sheet is
/// the same on every run. Everything here allocates: not for the audio thread.
public enum TestBoxSignals {
    /// The amplitude (peak, re full scale) of a sine at `dBSPL`, given the calibration.
    /// - Parameters:
    ///   - dBSPL: The tone's level, in dB SPL (its RMS).
    ///   - fullScaleDBSPL: The level of RMS 1.0, in dB SPL.
    public static func sineAmplitude(dBSPL: Double, fullScaleDBSPL: Double) -> Double {
        pow(10, (dBSPL - fullScaleDBSPL) / 20) * 2.0.squareRoot()
    }

    /// A sine: `amplitude·sin(2π·f·n/fs + phase)`, `count` samples.
    /// - Parameters:
    ///   - frequencyHz: In Hz.
    ///   - amplitude: Peak, re full scale.
    ///   - sampleRate: In Hz.
    ///   - count: Samples.
    ///   - phase: Starting phase, in radians.
    public static func sine(frequencyHz: Double, amplitude: Double, sampleRate: Double, count: Int, phase: Double = 0) -> [Float] {
        (0..<count).map { Float(amplitude * sin(2 * .pi * frequencyHz * Double($0) / sampleRate + phase)) }
    }

    /// The LTASS intensity (re the table's 70 dB SPL overall) in [lowerHz, upperHz), linear.
    static func ltassIntensity(lowerHz: Double, upperHz: Double) -> Double {
        pow(10, LTASS.bandLevelDBSPL(lowerHz: lowerHz, upperHz: upperHz, speechDBSPL: LTASS.tableOverallDBSPL) / 10)
    }

    /// Gaussian noise with the LTASS spectrum (Byrne et al. 1994, spread as DESIGN.md says), at
    /// `speechDBSPL` overall, shaped with one FFT of `count` samples, so it loops seamlessly.
    /// - Parameters:
    ///   - sampleRate: In Hz.
    ///   - speechDBSPL: The overall level (the RMS of the whole signal), in dB SPL.
    ///   - fullScaleDBSPL: The level of RMS 1.0, in dB SPL.
    ///   - count: Samples, a power of two from 16 to 65536.
    ///   - seed: The noise seed.
    /// - Throws: ``FFTError`` for a size the FFT does not support.
    public static func ltassNoise(sampleRate: Double, speechDBSPL: Double, fullScaleDBSPL: Double, count: Int, seed: UInt64) throws -> [Float] {
        let fft = try RealFFT(size: count)
        var generator = SplitMix64(seed: seed)
        for i in 0..<count { fft.input[i] = Float(generator.gaussian()) }
        fft.forward()
        let df = sampleRate / Double(count)
        for k in 0...(count / 2) {
            let lo = max(0, (Double(k) - 0.5) * df), hi = (Double(k) + 0.5) * df
            let a = Float((ltassIntensity(lowerHz: lo, upperHz: hi) / (hi - lo)).squareRoot())
            fft.spectrum[2 * k] *= a
            fft.spectrum[2 * k + 1] *= a
        }
        fft.inverse()
        var x = (0..<count).map { fft.input[$0] }
        let scale = Float(pow(10, (speechDBSPL - fullScaleDBSPL) / 20) / meanSquare(x[...]).squareRoot())
        for i in x.indices { x[i] *= scale }
        return x
    }

    /// The mean square of `x` (re full scale).
    public static func meanSquare(_ x: ArraySlice<Float>) -> Double {
        guard !x.isEmpty else { return 0 }
        return x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)
    }

    /// The level of `x`, in dB SPL: 10·log10(mean square) + `fullScaleDBSPL`.
    public static func levelDBSPL(_ x: ArraySlice<Float>, fullScaleDBSPL: Double) -> Double {
        10 * log10(max(meanSquare(x), 1e-30)) + fullScaleDBSPL
    }

    /// Averaged one-sided power spectrum (periodic Hann window, 50 % overlap), as mean square per
    /// bin: the bins of a frame sum to its mean square.
    /// - Parameters:
    ///   - x: The signal; at least `size` samples.
    ///   - size: The FFT size.
    /// - Returns: `size/2 + 1` powers, re full scale.
    /// - Throws: ``FFTError`` for an unsupported size.
    public static func welch(_ x: ArraySlice<Float>, size n: Int) throws -> [Double] {
        let fft = try RealFFT(size: n)
        let w = (0..<n).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n)) }
        let norm = Double(n) * w.reduce(0) { $0 + $1 * $1 }
        var p = [Double](repeating: 0, count: n / 2 + 1)
        var frames = 0
        var start = x.startIndex
        while start + n <= x.endIndex {
            for i in 0..<n { fft.input[i] = Float(Double(x[start + i]) * w[i]) }
            fft.forward()
            for k in 0...(n / 2) {
                let re = Double(fft.spectrum[2 * k]), im = Double(fft.spectrum[2 * k + 1])
                p[k] += (k == 0 || k == n / 2 ? 1 : 2) * (re * re + im * im) / norm
            }
            frames += 1
            start += n / 2
        }
        return p.map { $0 / Double(max(frames, 1)) }
    }

    /// The power of a Welch spectrum in [lowerHz, upperHz), with the edge bins weighted by the part
    /// of their interval [(k−½)Δf, (k+½)Δf) inside the band (DESIGN.md band power).
    public static func bandPower(_ p: [Double], lowerHz: Double, upperHz: Double, binHz: Double) -> Double {
        var s = 0.0
        for (k, v) in p.enumerated() {
            let lo = max(0, (Double(k) - 0.5) * binHz), hi = (Double(k) + 0.5) * binHz
            let overlap = min(hi, upperHz) - max(lo, lowerHz)
            if overlap > 0 { s += v * overlap / (hi - lo) }
        }
        return s
    }

    /// The complex amplitude of `x` at one frequency: a Hann-windowed DFT at exactly `frequencyHz`
    /// (no bin rounding), scaled so that a sine A·sin(…) gives |result| = A.
    /// - Returns: (re, im); the tone's mean square is |result|²/2, its phase atan2(im, re) (re the
    ///   cosine at sample `x.startIndex`).
    public static func tone(_ x: ArraySlice<Float>, frequencyHz: Double, sampleRate: Double) -> (re: Double, im: Double) {
        let n = x.count
        var re = 0.0, im = 0.0, wsum = 0.0
        let omega = 2 * Double.pi * frequencyHz / sampleRate
        for (i, v) in x.enumerated() {
            let w = 0.5 - 0.5 * cos(2 * Double.pi * (Double(i) + 0.5) / Double(n))
            re += w * Double(v) * cos(omega * Double(i))
            im -= w * Double(v) * sin(omega * Double(i))
            wsum += w
        }
        return (2 * re / wsum, 2 * im / wsum)
    }

    /// The level of the component of `x` at `frequencyHz`, in dB SPL (see ``tone(_:frequencyHz:sampleRate:)``).
    public static func toneLevelDBSPL(_ x: ArraySlice<Float>, frequencyHz: Double, sampleRate: Double, fullScaleDBSPL: Double) -> Double {
        let (re, im) = tone(x, frequencyHz: frequencyHz, sampleRate: sampleRate)
        return 10 * log10(max((re * re + im * im) / 2, 1e-30)) + fullScaleDBSPL
    }

    /// Runs `x` through `processor` block by block (whole hops; a partial last hop is dropped).
    /// - Returns: The output, `x.count / hop · hop` samples.
    public static func run(_ processor: ProfileProcessor, _ x: [Float]) -> [Float] {
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
}

/// SplitMix64: a small deterministic generator so test-box signals are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A standard normal deviate (Box–Muller).
    mutating func gaussian() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
