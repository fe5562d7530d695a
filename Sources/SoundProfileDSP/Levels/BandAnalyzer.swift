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

/// One FFT frame in, band powers and band levels out, as DESIGN.md defines them.
///
/// The frame is windowed, transformed with FFTW, and each bin's c_k·|X_k|² is shared among the
/// bands its interval overlaps in proportion to the overlap (edge weighting). Dividing by
/// N·Σw² makes the powers sum to the frame's (windowed) mean square when the bands cover
/// [0, fs/2] (Parseval). Levels are 10·log10(power) + `fullScaleDBSPL`, in dB SPL.
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
        let fft = try RealFFT(size: fftSize, planning: planning)
        self.fft = fft
        self.layout = resolved
        self.fftSize = fftSize
        self.sampleRate = sampleRate
        self.fullScaleDBSPL = fullScaleDBSPL
        let w = Window(window, count: fftSize)
        self.window = w
        self.map = BinBandMap(layout: resolved, fftSize: fftSize, sampleRate: sampleRate)
        self.normalisation = Float(1 / (Double(fftSize) * w.sumOfSquares))
        windowValues = .allocate(capacity: fftSize)
        _ = windowValues.initialize(from: w.values)
    }

    deinit {
        windowValues.deallocate()
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
        let input = fft.input
        for i in 0..<fftSize { input[i] = frame[i] * windowValues[i] }
        fft.forward()
        for b in 0..<bandCount { powers[b] = 0 }
        var total: Float = 0
        let spectrum = fft.spectrum
        let last = fftSize / 2
        for k in 0...last {
            let re = spectrum[2 * k], im = spectrum[2 * k + 1]
            total += (k == 0 || k == last ? 1 : 2) * (re * re + im * im)
        }
        map.entryStart.withUnsafeBufferPointer { starts in
            map.entryBand.withUnsafeBufferPointer { bandOf in
                map.entryWeight.withUnsafeBufferPointer { weight in
                    for k in map.firstBin..<map.endBin {
                        let re = spectrum[2 * k], im = spectrum[2 * k + 1]
                        let p = re * re + im * im
                        let row = k - map.firstBin
                        for e in Int(starts[row])..<Int(starts[row + 1]) {
                            powers[Int(bandOf[e])] += weight[e] * p
                        }
                    }
                }
            }
        }
        for b in 0..<bandCount { powers[b] *= normalisation }
        return total * normalisation
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
        for b in 0..<bandCount { levels[b] = 10 * log10f(max(levels[b], powerFloor)) + cal }
        return 10 * log10f(max(total, powerFloor)) + cal
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
