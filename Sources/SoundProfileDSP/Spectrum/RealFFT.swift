internal import CFFTW

/// Why an FFT could not be set up.
public enum FFTError: Error, Equatable, CustomStringConvertible {
    /// The size is odd or outside the supported range.
    case invalidSize(Int)
    /// FFTW could not make a plan (out of memory).
    case planningFailed(size: Int)
    /// FFTW rejected the wisdom text.
    case invalidWisdom

    public var description: String {
        switch self {
        case .invalidSize(let n):
            "fftSize \(n) is not allowed: it must be an even number from \(RealFFT.sizeRange.lowerBound) to \(RealFFT.sizeRange.upperBound)"
        case .planningFailed(let n):
            "FFTW could not plan a real FFT of size \(n)"
        case .invalidWisdom:
            "FFTW rejected the wisdom text (not FFTW wisdom, or from another FFTW version)"
        }
    }
}

/// Two FFTW plans made together under the planner lock (plans are plain pointers, usable from
/// any thread once made).
private struct PlanPair: @unchecked Sendable {
    var forward: fftwf_plan?
    var inverse: fftwf_plan?
}

/// How long FFTW may spend choosing a plan.
public enum FFTPlanning: Sendable {
    /// A reasonable plan at once (`FFTW_ESTIMATE`).
    case estimate
    /// Time several algorithms and keep the fastest (`FFTW_MEASURE`); slower to plan.
    case measure

    var flags: UInt32 {
        switch self {
        case .estimate: UInt32(FFTW_ESTIMATE)
        case .measure: UInt32(FFTW_MEASURE)
        }
    }
}

/// A real-input FFT of one even size: forward (real → half spectrum) and inverse (half spectrum → real).
///
/// Plans and SIMD-aligned buffers are made once in `init` and released in `deinit`. The
/// transforms work in place on the owned buffers ``input`` (`size` samples) and ``spectrum``
/// (`size/2 + 1` complex bins, interleaved real/imaginary), so one instance is used by one thread
/// at a time; separate instances run concurrently on many threads.
///
/// The forward transform is unnormalised: a DC input of value 1 gives bin 0 = `size`.
/// ``inverse()`` divides by `size`, so forward followed by inverse reproduces the input;
/// ``inverseUnnormalized()`` skips that division for callers that fold it into a window.
public struct RealFFT: ~Copyable, @unchecked Sendable {
    /// The sizes this type accepts (even sizes only).
    public static let sizeRange = 16...65536

    /// Number of real samples per transform.
    public let size: Int
    /// Number of complex bins in the one-sided spectrum, `size/2 + 1`.
    public let binCount: Int
    /// The time-domain buffer: `size` samples. Forward reads it; inverse writes it.
    public let input: UnsafeMutableBufferPointer<Float>
    /// The one-sided spectrum, `binCount` complex values as interleaved (re, im) pairs:
    /// `2 * binCount` floats. Forward writes it; inverse reads it (and FFTW may overwrite it).
    public let spectrum: UnsafeMutableBufferPointer<Float>

    private let forwardPlan: fftwf_plan
    /// Nil when made with `inverse: false`.
    private let inversePlan: fftwf_plan?

    /// Plans both transforms of `size` points (or only the forward one) and allocates their buffers.
    ///
    /// Not real-time safe (allocates, plans under the global FFTW planner lock).
    /// - Parameters:
    ///   - size: Number of real samples; even, from 16 to 65536.
    ///   - planning: ``FFTPlanning/estimate`` (default) or ``FFTPlanning/measure``.
    ///   - inverse: Whether to plan the inverse transform too (default true). Analysis needs
    ///     only the forward one, and planning even with `FFTW_ESTIMATE` costs about as much as
    ///     tens of thousands of transforms' worth of instructions at start-up; ``inverse()`` and
    ///     ``inverseUnnormalized()`` trap on an FFT made with `false`.
    /// - Throws: ``FFTError/invalidSize(_:)`` or ``FFTError/planningFailed(size:)``.
    public init(size: Int, planning: FFTPlanning = .estimate, inverse planInverse: Bool = true) throws(FFTError) {
        guard Self.sizeRange.contains(size), size % 2 == 0 else { throw .invalidSize(size) }
        let binCount = size / 2 + 1
        let realPointer = fftwf_alloc_real(size)
        let complexPointer = fftwf_alloc_complex(binCount)
        guard let realPointer, let complexPointer else {
            fftwf_free(realPointer)
            fftwf_free(complexPointer)
            throw .planningFailed(size: size)
        }
        let flags = planning.flags | UInt32(FFTW_DESTROY_INPUT)
        let n = Int32(size)
        // Each plan from wisdom when FFTW has it (a failed wisdom-only attempt costs ~20 k
        // instructions), else planned anew and counted, so a wisdom cache knows to save.
        let plans = FFTWPlanner.withLock {
            PlanPair(
                forward: FFTWisdom.planned(
                    { fftwf_plan_dft_r2c_1d(n, realPointer, complexPointer, flags | UInt32(FFTW_WISDOM_ONLY)) },
                    else: { fftwf_plan_dft_r2c_1d(n, realPointer, complexPointer, flags) }),
                inverse: planInverse
                    ? FFTWisdom.planned(
                        { fftwf_plan_dft_c2r_1d(n, complexPointer, realPointer, flags | UInt32(FFTW_WISDOM_ONLY)) },
                        else: { fftwf_plan_dft_c2r_1d(n, complexPointer, realPointer, flags) })
                    : nil)
        }
        let forward = plans.forward, inverse = plans.inverse
        guard let forward, inverse != nil || !planInverse else {
            FFTWPlanner.withLock {
                if let forward { fftwf_destroy_plan(forward) }
                if let inverse { fftwf_destroy_plan(inverse) }
            }
            fftwf_free(realPointer)
            fftwf_free(complexPointer)
            throw .planningFailed(size: size)
        }
        self.size = size
        self.binCount = binCount
        forwardPlan = forward
        inversePlan = inverse
        input = UnsafeMutableBufferPointer(start: realPointer, count: size)
        let floats = UnsafeMutableRawPointer(complexPointer).bindMemory(to: Float.self, capacity: 2 * binCount)
        spectrum = UnsafeMutableBufferPointer(start: floats, count: 2 * binCount)
        // Planning may scribble on the buffers, and first touches fault pages in: zero them now.
        input.update(repeating: 0)
        spectrum.update(repeating: 0)
    }

    deinit {
        FFTWPlanner.withLock {
            fftwf_destroy_plan(forwardPlan)
            if let inversePlan { fftwf_destroy_plan(inversePlan) }
        }
        fftwf_free(input.baseAddress)
        fftwf_free(spectrum.baseAddress)
    }

    /// Transforms ``input`` into ``spectrum``. ``input`` is left undefined afterwards.
    ///
    /// Real-time safe: no allocation, lock or system call.
    public func forward() {
        fftwf_execute(forwardPlan)
    }

    /// Transforms ``spectrum`` back into ``input`` without the 1/`size` scaling.
    /// ``spectrum`` is left undefined afterwards.
    ///
    /// Real-time safe: no allocation, lock or system call.
    public func inverseUnnormalized() {
        fftwf_execute(inversePlan!)
    }

    /// Transforms ``spectrum`` back into ``input`` and divides by `size`, so that
    /// ``forward()`` then ``inverse()`` reproduces the original samples.
    ///
    /// Real-time safe: no allocation, lock or system call.
    public func inverse() {
        fftwf_execute(inversePlan!)
        let scale = 1 / Float(size)
        // Through a local copy of the buffer pointer: `input[i] *= scale` on the stored property
        // of this noncopyable type crashes the Swift 6.3.1 compiler under -sanitize=thread.
        let samples = input
        for i in 0..<samples.count { samples[i] = samples[i] * scale }
    }

    /// Copies `samples` into ``input`` and runs the forward transform.
    ///
    /// Real-time safe.
    /// - Parameter samples: Exactly `size` samples (precondition).
    public func forward(_ samples: UnsafeBufferPointer<Float>) {
        precondition(samples.count == size, "RealFFT.forward: expected \(size) samples, got \(samples.count)")
        _ = input.update(fromContentsOf: samples)
        fftwf_execute(forwardPlan)
    }

    /// Squared magnitude of bin `k`, |X_k|².
    /// - Parameter k: Bin index in `0..<binCount`.
    @inline(__always)
    public func powerOfBin(_ k: Int) -> Float {
        let re = spectrum[2 * k], im = spectrum[2 * k + 1]
        return re * re + im * im
    }
}
