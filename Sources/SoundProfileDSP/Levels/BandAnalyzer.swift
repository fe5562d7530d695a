#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a band analyzer could not be built.
public enum BandAnalyzerError: Error, Equatable, CustomStringConvertible {
    /// A calibration value that is not finite or outside 0…200 dB SPL.
    case invalidFullScale(Double)

    public var description: String {
        switch self {
        case .invalidFullScale(let v):
            "fullScaleDBSPL \(v) is not allowed: it must be a finite number from 0 to 200 dB SPL"
        }
    }
}

/// The power floor under every level: 1e-20 of full scale (−200 dB re full scale), so digital
/// silence reads fullScaleDBSPL − 200 instead of −∞.
public let powerFloor: Float = 1e-20

/// 10·log10(2): turns log2 into decibels (10·log10 x = 10·log10(2)·log2 x). `log2f` costs a
/// fraction of `log10f` in glibc.
@usableFromInline let decibelsPerOctave: Float = 3.0102999566398120

/// One FFT frame in, band powers and band levels out, as DESIGN.md defines them.
///
/// The frame is windowed, transformed with FFTW, and each bin's c_k·|X_k|² is shared among the
/// bands its interval overlaps in proportion to the overlap (edge weighting). Dividing by
/// N·Σw² makes the powers sum to the frame's (windowed) mean square when the bands cover
/// [0, fs/2] (Parseval). Levels are 10·log10(power) + `fullScaleDBSPL`, in dB SPL.
///
/// One pass over the spectrum writes the one-sided bin powers c_k·|X_k|² and sums them (the
/// total); each band is then a contiguous sum over its bins with the edge weights applied only
/// to its first and last bin (``BinBandMap``'s band-major form).
///
/// Construction allocates and plans; the per-frame methods are real-time safe (no allocation,
/// no lock, no system call) and write into storage the caller provides. One analyzer serves one
/// thread at a time; make one per task.
public struct BandAnalyzer: ~Copyable, @unchecked Sendable {
    /// The bands actually used (after dropping bands above Nyquist and merging/rejecting narrow ones).
    public let layout: BandLayout
    /// The FFT length in samples.
    public let fftSize: Int
    /// The sample rate in Hz.
    public let sampleRate: Double
    /// The window applied to each frame.
    public let window: Window
    /// The level of a signal whose RMS is 1.0, in dB SPL.
    public let fullScaleDBSPL: Double
    /// The precomputed bin → band weights.
    public let map: BinBandMap

    private let fft: RealFFT
    private let windowValues: UnsafeMutableBufferPointer<Float>
    private let normalisation: Float
    /// c_k·|X_k|² of the last frame, `fftSize/2 + 1` values (padded to a multiple of 8).
    private let binPower: UnsafeMutableBufferPointer<Float>
    private let bandFirst: UnsafeMutableBufferPointer<Int32>
    private let bandLast: UnsafeMutableBufferPointer<Int32>
    private let bandFirstWeight: UnsafeMutableBufferPointer<Float>
    private let bandLastWeight: UnsafeMutableBufferPointer<Float>

    /// Builds an analyzer.
    ///
    /// Not real-time safe.
    /// - Parameters:
    ///   - layout: The requested bands; resolved against the FFT with `narrowBands`.
    ///   - sampleRate: In Hz, 8000…96000.
    ///   - fftSize: Even, 16…65536.
    ///   - window: The analysis window (default periodic Hann).
    ///   - fullScaleDBSPL: Calibration: the level in dB SPL of a signal with RMS 1.0 (default 100).
    ///   - narrowBands: What to do with bands narrower than the bin spacing (default reject).
    ///   - planning: FFTW planning effort.
    /// - Throws: ``FFTError``, ``BandLayoutError`` or ``BandAnalyzerError``.
    public init(layout: BandLayout, sampleRate: Double, fftSize: Int, window: WindowKind = .hann,
                fullScaleDBSPL: Double = 100, narrowBands: NarrowBandPolicy = .reject,
                planning: FFTPlanning = .estimate) throws {
        guard fullScaleDBSPL.isFinite, (0...200).contains(fullScaleDBSPL) else {
            throw BandAnalyzerError.invalidFullScale(fullScaleDBSPL)
        }
        guard RealFFT.sizeRange.contains(fftSize), fftSize % 2 == 0 else { throw FFTError.invalidSize(fftSize) }
        let resolved = try layout.resolved(sampleRate: sampleRate, fftSize: fftSize, policy: narrowBands)
        let fft = try RealFFT(size: fftSize, planning: planning, inverse: false)  // analysis: forward only
        self.fft = fft
        self.layout = resolved
        self.fftSize = fftSize
        self.sampleRate = sampleRate
        self.fullScaleDBSPL = fullScaleDBSPL
        let w = Window(window, count: fftSize)
        self.window = w
        let map = BinBandMap(layout: resolved, fftSize: fftSize, sampleRate: sampleRate)
        self.map = map
        self.normalisation = Float(1 / (Double(fftSize) * w.sumOfSquares))
        windowValues = .allocate(capacity: fftSize)
        _ = windowValues.initialize(from: w.values)
        let bins = fftSize / 2 + 1
        binPower = .allocate(capacity: (bins + 7) / 8 * 8)
        binPower.initialize(repeating: 0)
        bandFirst = .allocate(capacity: map.bandCount)
        _ = bandFirst.initialize(from: map.bandFirstBin)
        bandLast = .allocate(capacity: map.bandCount)
        _ = bandLast.initialize(from: map.bandLastBin)
        bandFirstWeight = .allocate(capacity: map.bandCount)
        _ = bandFirstWeight.initialize(from: map.bandFirstWeight)
        bandLastWeight = .allocate(capacity: map.bandCount)
        _ = bandLastWeight.initialize(from: map.bandLastWeight)
    }

    deinit {
        windowValues.deallocate()
        binPower.deallocate()
        bandFirst.deallocate()
        bandLast.deallocate()
        bandFirstWeight.deallocate()
        bandLastWeight.deallocate()
    }

    /// The number of bands in ``layout``.
    public var bandCount: Int { layout.count }

    /// Band powers of one frame, as fractions of full-scale mean square (1.0 = RMS 1.0).
    ///
    /// Real-time safe.
    /// - Parameters:
    ///   - frame: `fftSize` samples (precondition).
    ///   - powers: Storage for `bandCount` powers (precondition: at least that many).
    /// - Returns: The frame's total windowed mean square over all bins (for the overall level).
    @discardableResult
    public func bandPowers(frame: UnsafeBufferPointer<Float>, into powers: UnsafeMutableBufferPointer<Float>) -> Float {
        precondition(frame.count == fftSize, "BandAnalyzer: frame has \(frame.count) samples, fftSize is \(fftSize)")
        precondition(powers.count >= bandCount, "BandAnalyzer: room for \(powers.count) powers, \(bandCount) bands")
        let n = fftSize
        let input = fft.input.baseAddress!, x = frame.baseAddress!, w = UnsafePointer(windowValues.baseAddress!)
        var i = 0
        while i + 8 <= n {
            let product = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(w + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(input + i).storeBytes(of: product, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n { input[i] = x[i] * w[i]; i += 1 }
        fft.forward()

        // One pass: P[k] = 2·|X_k|² (c_k = 2), summed as it goes; DC and Nyquist (c_k = 1) fixed after.
        let spectrum = UnsafePointer(fft.spectrum.baseAddress!)
        let p = binPower.baseAddress!
        let bins = n / 2 + 1
        var acc = SIMD8<Float>()
        var k = 0
        while k + 8 <= bins {
            let v = UnsafeRawPointer(spectrum + 2 * k).loadUnaligned(as: SIMD16<Float>.self)
            let sq = v * v
            let pk = 2 * (sq.evenHalf + sq.oddHalf)
            UnsafeMutableRawPointer(p + k).storeBytes(of: pk, as: SIMD8<Float>.self)
            acc += pk
            k += 8
        }
        var total = acc.sum()
        while k < bins {
            let re = spectrum[2 * k], im = spectrum[2 * k + 1]
            p[k] = 2 * (re * re + im * im)
            total += p[k]
            k += 1
        }
        p[0] *= 0.5
        p[bins - 1] *= 0.5
        total -= p[0] + p[bins - 1]

        let norm = normalisation
        for b in 0..<bandCount {
            let first = Int(bandFirst[b]), last = Int(bandLast[b])
            let interior = Self.sum(p + first + 1, count: last - first - 1)
            powers[b] = (bandFirstWeight[b] * p[first] + interior + bandLastWeight[b] * p[last]) * norm
        }
        return total * norm
    }

    /// Σ of `count` floats from `start` (0 when `count` ≤ 0), eight lanes at a time.
    @inline(__always)
    private static func sum(_ start: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>()
        var j = 0
        while j + 8 <= count {
            lanes += UnsafeRawPointer(start + j).loadUnaligned(as: SIMD8<Float>.self)
            j += 8
        }
        var s = lanes.sum()
        while j < count { s += start[j]; j += 1 }
        return s
    }

    /// Band levels of one frame in dB SPL: 10·log10(max(power, ``powerFloor``)) + `fullScaleDBSPL`.
    ///
    /// Real-time safe.
    /// - Parameters:
    ///   - frame: `fftSize` samples (precondition).
    ///   - levels: Storage for `bandCount` levels, in dB SPL.
    /// - Returns: The frame's overall level in dB SPL (all bins, not only the bands).
    @discardableResult
    public func bandLevels(frame: UnsafeBufferPointer<Float>, into levels: UnsafeMutableBufferPointer<Float>) -> Float {
        let total = bandPowers(frame: frame, into: levels)
        let cal = Float(fullScaleDBSPL)
        for b in 0..<bandCount { levels[b] = decibelsPerOctave * log2f(max(levels[b], powerFloor)) + cal }
        return decibelsPerOctave * log2f(max(total, powerFloor)) + cal
    }

    /// Allocating convenience: band levels of one frame in dB SPL.
    ///
    /// Not real-time safe (allocates the result).
    /// - Parameter frame: `fftSize` samples.
    /// - Returns: `bandCount` levels in dB SPL.
    public func bandLevels(of frame: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: bandCount)
        frame.withUnsafeBufferPointer { f in
            out.withUnsafeMutableBufferPointer { o in _ = bandLevels(frame: f, into: o) }
        }
        return out
    }

    /// Allocating convenience: band powers of one frame (fractions of full-scale mean square).
    ///
    /// Not real-time safe (allocates the result).
    /// - Parameter frame: `fftSize` samples.
    /// - Returns: `bandCount` powers.
    public func bandPowers(of frame: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: bandCount)
        frame.withUnsafeBufferPointer { f in
            out.withUnsafeMutableBufferPointer { o in _ = bandPowers(frame: f, into: o) }
        }
        return out
    }
}
