#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Applies one ear's sound profile to a stream, block by block: the real-time path.
///
/// `init` prepares everything (FFT plans, windows, channel map, buffers, the fitting); then
/// ``process(input:output:)`` takes `hop` samples and returns `hop` samples, allocating nothing,
/// taking no lock, making no system call and never throwing. Per block:
///
/// 1. **Clean input.** NaN and ±∞ samples become 0 and are counted (``nonFiniteSampleCount``);
///    finite samples are clamped to ±65536 (+96 dB re full scale) so no power can overflow. No
///    non-finite value ever reaches the state.
/// 2. **Analysis.** The newest `fftSize` samples are windowed (√Hann) and transformed (FFTW r2c);
///    bin powers P_k = c_k·|X_k|²/(N·Σw²) are mean squares re full scale.
/// 3. **Level detector, per channel** (``ProcessorConfiguration`` channels, ≥ 3 bins each). The
///    channel's power is the larger of the sum of its bins and, for every bin k of the channel,
///    P_k plus its larger neighbour: a tone anywhere in the channel — even one whose main lobe
///    straddles the channel edge — reads its level within 0.5 dB, while noise reads the channel
///    sum. Its square root (the amplitude) is smoothed by a one-pole filter with the attack
///    coefficient when it rises and the release coefficient when it falls (``AttackRelease``:
///    smoothing amplitude keeps fluctuating noise at its mean level).
/// 4. **Gains.** Each channel's compression offset is its curve's gain at the smoothed level minus
///    its gain at the 65 dB speech level. Per bin the gain is the pre-compensated shaping (the
///    profile's targets, ``ChannelFitting``) times the channel's offset. The two bins either side
///    of a channel edge take the offset of the neighbour that holds the strongest of the four bins
///    around the edge: a tone near an edge gets its own channel's compression whole, while for
///    speech-shaped noise (whose offsets agree across channels) the edge is seamless.
/// 5. **Channel limit.** Each channel's output power in this frame, as its detector reads it, is
///    held at or below its MPO, at once (not through the smoother), by scaling its bins.
/// 6. **Synthesis.** Inverse FFT, √Hann synthesis window, overlap-add.
/// 7. **Output limiter** (the guarantee). The output is held back 1 ms (the look-ahead). For every
///    1-ms window of output, its mean square may not exceed a ceiling: the MPO of the channel that
///    holds most of the output (at most the highest MPO), and no more than lets each channel reach
///    its own MPO given how this frame's output power is shared among the channels (the smallest
///    ceiling over the frames that make up the output). Each
///    sample's gain is the smallest √(ceiling/mean square) over the 1-ms windows that hold it,
///    so no 1-ms window of output exceeds the ceiling, onsets included.
///
/// With a 0-dB linear profile (all targets 0 dB, compression ratio 1, MPO above the signal) the
/// output equals the input delayed by ``algorithmicLatency``: `fftSize − hop` samples plus 1 ms.
///
/// **Profile changes.** ``update(profile:ear:)`` prepares the new fitting off the audio thread and
/// publishes it through an atomic slot; ``process(input:output:)`` picks it up at the next block
/// boundary. The old fitting is handed back through a second slot and freed by the next `update`
/// (or `deinit`), never on the audio thread. Each channel's compression offset continues from its
/// old value and glides to the new curve with a 10 ms time constant, so there is no click.
public final class ProfileProcessor: @unchecked Sendable {
    /// The configuration, validated.
    public let configuration: ProcessorConfiguration
    /// The channels levels are detected and compressed in.
    public let channels: BandLayout
    /// Which ear of the profile this processor applies.
    public let ear: Ear
    /// True when the profile was not fitted in this processor's channels and was refitted into
    /// them (``ChannelFitting``); a tool should say so once.
    public var refittedProfile: Bool { current.pointee._withUnsafeGuaranteedRef { $0.refitted } }

    private let fft: RealFFT
    private let binCount: Int
    private let channelCount: Int
    private let analysisWindow: UnsafeMutableBufferPointer<Float>
    private let synthesisWindow: UnsafeMutableBufferPointer<Float>  // includes the 1/N of FFTW's inverse and the WOLA gain
    private let history: UnsafeMutableBufferPointer<Float>  // the newest fftSize input samples
    private let accumulator: UnsafeMutableBufferPointer<Float>  // overlap-add output, fftSize samples
    private let binFactor: UnsafeMutableBufferPointer<Float>  // c_k/(N·Σw²)
    private let binPower: UnsafeMutableBufferPointer<Float>  // P_k at [k + 2]; two zeros at both ends
    private let binGain: UnsafeMutableBufferPointer<Float>  // linear gain per bin, this block
    private let channelStart: UnsafeMutableBufferPointer<Int32>  // channel c: bins channelStart[c]..<channelStart[c+1]
    // Per-channel state.
    private let smoothedAmplitude: UnsafeMutableBufferPointer<Float>  // √(mean square) re full scale
    private let smoothedLevel: UnsafeMutableBufferPointer<Float>  // dB SPL
    private let gainDB: UnsafeMutableBufferPointer<Float>  // the channel's curve gain in force, dB
    private let glideDB: UnsafeMutableBufferPointer<Float>  // what is left of a profile switch, dB
    private let offsetGain: UnsafeMutableBufferPointer<Float>  // compression offset, linear
    private let glideCoefficient: Float
    // The output limiter.
    private let lookAhead: Int
    private let ceilings: UnsafeMutableBufferPointer<Float>  // the last few frames' ceilings (mean square)
    private var ceilingIndex = 0
    private let limiterSignal: UnsafeMutableBufferPointer<Float>  // [W−1 emitted | W pending | hop new]
    private let windowSum: UnsafeMutableBufferPointer<Float>  // Σ y² over each 1-ms window ending in the block
    private let nonFinite = Atomic<Int>(0)
    // The fitting in use (audio thread only), the next one, and the one to free.
    private let current: UnsafeMutablePointer<Unmanaged<ChannelFitting>>
    private let pending = Atomic<UnsafeMutableRawPointer?>(nil)
    private let retired = Atomic<UnsafeMutableRawPointer?>(nil)

    /// The smallest amplitude the detector reads (√``powerFloor``).
    private let amplitudeFloor: Float = 1e-10

    /// Finite input is clamped to ± this (+96 dB re full scale) so no power overflows.
    public static let inputClamp: Float = 65536

    /// Prepares a processor for one ear of `profile`.
    ///
    /// Not real-time safe: allocates, plans FFTs, fits the channels and the shaping.
    /// - Parameters:
    ///   - configuration: Sample rate, hop, FFT size and channels (e.g. ``ProcessorConfiguration/pod24k``).
    ///   - profile: The fitted sound profile; its `fullScaleDBSPL` calibrates the levels.
    ///   - ear: Which ear of the profile to apply.
    ///   - planning: FFTW planning effort.
    /// - Throws: ``ProcessorConfigurationError``, ``FFTError`` or ``FittingError``.
    public init(configuration: ProcessorConfiguration, profile: SoundProfile, ear: Ear, planning: FFTPlanning = .estimate) throws {
        try configuration.validate()
        guard let earProfile = profile[ear] else {
            throw ProcessorConfigurationError.missingEar(ear, available: Ear.allCases.filter { profile[$0] != nil })
        }
        let n = configuration.fftSize, hop = configuration.hop
        let fitting = try ChannelFitting(ear: earProfile, fullScaleDBSPL: profile.fullScaleDBSPL, configuration: configuration)
        fft = try RealFFT(size: n, planning: planning)
        self.configuration = configuration
        self.channels = configuration.channels
        self.ear = ear
        binCount = configuration.binCount
        channelCount = channels.count

        func floats(_ count: Int, _ value: Float = 0) -> UnsafeMutableBufferPointer<Float> {
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, count))
            b.initialize(repeating: value)  // touching every page now keeps faults off the audio thread
            return b
        }
        let window = Window(.sqrtHann, count: n)
        analysisWindow = floats(n)
        _ = analysisWindow.update(fromContentsOf: window.values)
        // Σ_m w_a·w_s over the frames covering a sample = Σ Hann = N/(2·hop); FFTW's inverse adds N.
        let synthesisScale = Float(2 * Double(hop) / Double(n)) / Float(n)
        synthesisWindow = floats(n)
        for i in 0..<n { synthesisWindow[i] = window.values[i] * synthesisScale }
        history = floats(n)
        accumulator = floats(n)
        let normalisation = Float(1 / (Double(n) * window.sumOfSquares))
        binFactor = floats(binCount, 2 * normalisation)
        binFactor[0] = normalisation
        binFactor[binCount - 1] = normalisation
        binPower = floats(binCount + 4)
        binGain = floats(binCount, 1)
        channelStart = .allocate(capacity: channelCount + 1)
        var start = 0
        for (c, width) in configuration.channelWidths.enumerated() {
            channelStart[c] = Int32(start)
            start += width
        }
        channelStart[channelCount] = Int32(start)

        smoothedAmplitude = floats(channelCount, amplitudeFloor)
        smoothedLevel = floats(channelCount)
        gainDB = floats(channelCount)
        glideDB = floats(channelCount)
        offsetGain = floats(channelCount, 1)
        glideCoefficient = Float(exp(-configuration.blockSeconds / 0.010))
        lookAhead = configuration.lookAheadSamples
        ceilings = floats(n / hop + 1, .greatestFiniteMagnitude)
        limiterSignal = floats(2 * lookAhead - 1 + hop)
        windowSum = floats(lookAhead + hop - 1)
        current = .allocate(capacity: 1)
        current.initialize(to: Unmanaged.passRetained(fitting))
        reset()
    }

    deinit {
        current.pointee.release()
        current.deallocate()
        if let p = pending.exchange(nil, ordering: .acquiring) { Unmanaged<ChannelFitting>.fromOpaque(p).release() }
        if let p = retired.exchange(nil, ordering: .acquiring) { Unmanaged<ChannelFitting>.fromOpaque(p).release() }
        for b in [analysisWindow, synthesisWindow, history, accumulator, binFactor, binPower, binGain, smoothedAmplitude, smoothedLevel,
                  gainDB, glideDB, offsetGain, ceilings, limiterSignal, windowSum] { b.deallocate() }
        channelStart.deallocate()
    }

    /// The number of channels.
    public var bandCount: Int { channelCount }
    /// Samples per block.
    public var hop: Int { configuration.hop }
    /// The algorithmic latency: `fftSize − hop` samples plus the limiter's 1-ms look-ahead, and
    /// the same in milliseconds.
    public var algorithmicLatency: (samples: Int, milliseconds: Double) {
        (configuration.latencySamples, configuration.latencyMilliseconds)
    }
    /// How many NaN or ±∞ input samples were replaced by 0 since the processor was made (or
    /// since ``resetNonFiniteSampleCount()``). Real-time safe; readable from any thread.
    public var nonFiniteSampleCount: Int { nonFinite.load(ordering: .relaxed) }
    /// Sets ``nonFiniteSampleCount`` back to 0. Real-time safe.
    public func resetNonFiniteSampleCount() { nonFinite.store(0, ordering: .relaxed) }

    /// Processes one block.
    ///
    /// Real-time safe: no allocation, no lock, no system call, no throw.
    /// - Parameters:
    ///   - input: Exactly `hop` samples (precondition). Non-finite samples are read as 0.
    ///   - output: Room for exactly `hop` samples (precondition); may not alias `input`.
    public func process(input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>) {
        precondition(input.count == configuration.hop && output.count == configuration.hop,
                     "ProfileProcessor.process: blocks must hold hop samples")
        adoptPendingProfile()
        let n = configuration.fftSize, hop = configuration.hop, channels = channelCount

        // 1. Slide the history in, cleaning the new samples.
        let h = history.baseAddress!
        h.update(from: h + hop, count: n - hop)
        let newest = h + (n - hop)
        var bad = 0
        let clamp = Self.inputClamp
        // Eight at a time: NaN fails both comparisons, ±∞ one of them.
        let src = UnsafeRawPointer(input.baseAddress!), dst = UnsafeMutableRawPointer(newest)
        let upper = SIMD8<Float>(repeating: .infinity), lower = -upper
        var i = 0
        while i &+ 8 <= hop {
            let v = src.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            let finite = (v .< upper) .& (v .> lower)
            var clean = v.replacing(with: 0, where: .!finite)
            clean.replace(with: clamp, where: clean .> clamp)  // (clamp() calls pointwiseMin/Max out of line)
            clean.replace(with: -clamp, where: clean .< -clamp)
            dst.storeBytes(of: clean, toByteOffset: i &* 4, as: SIMD8<Float>.self)
            if any(.!finite) { for lane in 0..<8 where !finite[lane] { bad &+= 1 } }
            i &+= 8
        }
        while i < hop {
            let v = input[i]
            let finite = v.isFinite
            bad &+= finite ? 0 : 1
            newest[i] = finite ? min(max(v, -clamp), clamp) : 0
            i &+= 1
        }
        if bad != 0 { nonFinite.add(bad, ordering: .relaxed) }

        // 2. Window, FFT, bin powers (mean squares). Base addresses are hoisted into locals so the
        // loops vectorise (a class's stored buffers would be reloaded on every iteration).
        let x = fft.input.baseAddress!
        let aw = analysisWindow.baseAddress!, bf = binFactor.baseAddress!, cs = channelStart.baseAddress!
        for i in 0..<n { x[i] = h[i] * aw[i] }
        fft.forward()
        let spectrum = fft.spectrum.baseAddress!
        let power = binPower.baseAddress! + 2
        let bins = binCount
        for k in 0..<bins {
            let re = spectrum[2 * k], im = spectrum[2 * k + 1]
            power[k] = bf[k] * (re * re + im * im)
        }

        let gains = binGain.baseAddress!
        let sa = smoothedAmplitude.baseAddress!, sl = smoothedLevel.baseAddress!, gdb = gainDB.baseAddress!
        let glide = glideDB.baseAddress!, og = offsetGain.baseAddress!
        let glideCoefficient = self.glideCoefficient
        var ceiling: Float = 0
        current.pointee._withUnsafeGuaranteedRef { fitting in
            let calibration = fitting.fullScaleDBSPL
            let attack = fitting.attackCoefficient.baseAddress!, release = fitting.releaseCoefficient.baseAddress!
            let knee = fitting.kneepoint.baseAddress!, gainAtKnee = fitting.gainAtKnee.baseAddress!
            let compression = fitting.compressionSlope.baseAddress!, expansionThreshold = fitting.expansionThreshold.baseAddress!
            let expansion = fitting.expansionSlope.baseAddress!, mpo = fitting.mpo.baseAddress!, gain65 = fitting.gainAt65.baseAddress!
            let mpoPower = fitting.mpoPower.baseAddress!, shaping = fitting.shaping.baseAddress!
            // log2f and exp2f (10^(g/20) = 2^(g·log2(10)/20)) are cheaper than log10f and powf.
            let dBPerOctave: Float = 6.0205999132796240  // 20·log10(a) = (20·log10 2)·log2(a)
            let octavesPerDB: Float = 0.16609640474436813
            // 3–4. Detect, smooth, and read each channel's compression offset (the curve of
            // ChannelFitting.gainDB, inlined on hoisted pointers).
            for c in 0..<channels {
                let detected = detect(power, Int(cs[c]), Int(cs[c + 1])).squareRoot()  // amplitude
                let previous = sa[c]
                let a = detected > previous ? attack[c] : release[c]
                let smoothed = detected + (previous - detected) * a
                sa[c] = smoothed
                let level = dBPerOctave * log2f(max(smoothed, amplitudeFloor)) + calibration
                sl[c] = level
                let curve = min(gainAtKnee[c] + compression[c] * max(level - knee[c], 0) + expansion[c] * min(level - expansionThreshold[c], 0),
                                mpo[c] - level)
                let g = glide[c] * glideCoefficient
                glide[c] = g
                let offset = curve - gain65[c] + g
                gdb[c] = offset + gain65[c]
                og[c] = exp2f(offset * octavesPerDB)
            }
            // Per-bin gains: shaping × the channel's offset. The two bins either side of a channel
            // edge take the offset of the channel holding the strongest of the four bins around
            // the edge, so a tone near an edge gets its own channel's compression whole.
            for c in 0..<channels {
                let o = og[c]
                for k in Int(cs[c])..<Int(cs[c + 1]) { gains[k] = shaping[k] * o }
            }
            for c in 1..<max(1, channels) {
                let e = Int(cs[c])
                let o = max(power[e - 2], power[e - 1]) > max(power[e], power[e + 1]) ? og[c - 1] : og[c]
                gains[e - 1] = shaping[e - 1] * o
                gains[e] = shaping[e] * o
            }
            // 5. Output bin powers; hold each channel's output (as its detector reads it) at or
            // below its MPO in this frame, then the broadband ceiling that lets each channel
            // reach just its own MPO.
            var total: Float = 0
            for k in 0..<bins {
                let q = power[k] * gains[k] * gains[k]
                power[k] = q
                total += q
            }
            if total <= fitting.lowestMPOPower {
                // No channel can be over its MPO (a detector never reads more than the total), and
                // the broadband ceiling is the highest MPO: the common case, without reading channels.
                ceiling = fitting.highestMPOPower
                return
            }
            var headroom = Float.greatestFiniteMagnitude, strongest: Float = 0, dominantMPO = fitting.highestMPOPower
            var limited = false
            for c in 0..<channels {
                let k0 = Int(cs[c]), k1 = Int(cs[c + 1])
                let out = detect(power, k0, k1, strict: false), limit = mpoPower[c]
                if out > limit {
                    let scale = limit / out
                    for k in k0..<k1 {
                        gains[k] *= scale.squareRoot()
                        power[k] *= scale
                    }
                    limited = true
                }
                headroom = min(headroom, limit / max(out, powerFloor))
                if out > strongest { strongest = out; dominantMPO = limit }
            }
            if limited {
                // Scaling changed the output: read every channel again (a neighbour's scaling
                // changes what a channel's detector sees across its edges).
                total = 0
                for k in 0..<bins { total += power[k] }
                headroom = .greatestFiniteMagnitude
                for c in 0..<channels {
                    headroom = min(headroom, mpoPower[c] / max(detect(power, Int(cs[c]), Int(cs[c + 1]), strict: false), powerFloor))
                }
            }
            // Broadband: no more than the MPO of the channel holding most of the output (itself at
            // most the highest MPO), so energy splattered into neighbours at an onset cannot lift
            // the ceiling above what the sound's own channel allows.
            ceiling = min(dominantMPO, total * headroom)
        }
        let ceilingRing = ceilings.baseAddress!, ringCount = ceilings.count
        ceilingRing[ceilingIndex] = ceiling
        ceilingIndex = ceilingIndex + 1 == ringCount ? 0 : ceilingIndex + 1
        var emitCeiling = Float.greatestFiniteMagnitude
        for i in 0..<ringCount { emitCeiling = min(emitCeiling, ceilingRing[i]) }

        let pairs = UnsafeMutableRawPointer(spectrum).assumingMemoryBound(to: SIMD2<Float>.self)
        for k in 0..<bins { pairs[k] *= gains[k] }

        // 6. Back to time, synthesis window, overlap-add.
        fft.inverseUnnormalized()
        let acc = accumulator.baseAddress!
        let sw = synthesisWindow.baseAddress!
        for i in 0..<n { acc[i] += x[i] * sw[i] }

        // 7. The output limiter, 1 ms ahead.
        let w = lookAhead
        let signal = limiterSignal.baseAddress!
        (signal + (2 * w - 1)).update(from: acc, count: hop)
        acc.update(from: acc + hop, count: n - hop)
        (acc + (n - hop)).update(repeating: 0, count: hop)
        // Fast path: the energy of everything the block's windows can see bounds every window's
        // sum, so when it is under the ceiling nothing needs limiting (almost always).
        let span = 2 * w - 1 + hop
        let allowed = emitCeiling * Float(w)
        if Self.energy(signal, span) <= allowed {
            output.baseAddress!.update(from: signal + (w - 1), count: hop)
        } else {
            let windowSum = self.windowSum.baseAddress!
            let windows = w + hop - 1
            var s: Float = 0
            for j in 0..<w { s += signal[j] * signal[j] }
            windowSum[0] = min(1, allowed / max(s, powerFloor))
            for e in 1..<windows {
                let enter = signal[e &+ w &- 1], leave = signal[e &- 1]
                s = max(0, s + enter * enter - leave * leave)
                windowSum[e] = min(1, allowed / max(s, powerFloor))
            }
            for i in 0..<hop {
                var r: Float = 1
                for e in i..<(i + w) { r = min(r, windowSum[e]) }
                output[i] = signal[w - 1 + i] * r.squareRoot()
            }
        }
        signal.update(from: signal + hop, count: 2 * w - 1)
    }

    /// Σ x² over `count` samples, eight lanes at a time.
    @inline(__always)
    private static func energy(_ x: UnsafeMutablePointer<Float>, _ count: Int) -> Float {
        var lanes = SIMD8<Float>()
        var i = 0
        let raw = UnsafeRawPointer(x)
        while i &+ 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
            lanes += v * v  // not addingProduct: without an FMA target it calls fmaf per lane
            i &+= 8
        }
        var sum = lanes.sum()
        while i < count {
            sum += x[i] * x[i]
            i &+= 1
        }
        return sum
    }

    /// A channel's power as the detector reads it: the larger of the sum of bins k0..<k1 and, for
    /// each of them, its power plus its larger neighbour's, so a tone reads whole even where its
    /// main lobe straddles the channel edge. A neighbour outside the channel counts only when the
    /// channel's own edge bin is at least as strong: a tone inside the channel near its edge puts
    /// more power in the inside bin, while a spectrum falling across the edge from a stronger
    /// neighbouring channel (speech at low frequencies) does not, so it cannot lift the level.
    /// With `strict` false every outside neighbour counts (the output side, where reading high
    /// only makes the ceiling safer).
    @inline(__always)
    private func detect(_ power: UnsafeMutablePointer<Float>, _ k0: Int, _ k1: Int, strict: Bool = true) -> Float {
        let below = !strict || power[k0] >= power[k0 &- 1] ? power[k0 &- 1] : 0
        let above = !strict || power[k1 &- 1] >= power[k1] ? power[k1] : 0
        var sum = power[k0] + power[k1 &- 1]
        var peak = max(power[k0] + max(below, power[k0 &+ 1]), power[k1 &- 1] + max(power[k1 &- 2], above))
        var k = k0 &+ 1
        while k < k1 &- 1 {
            let p = power[k]
            sum += p
            peak = max(peak, p + max(power[k &- 1], power[k &+ 1]))
            k &+= 1
        }
        return max(sum, peak)
    }

    /// Takes a pending profile at a block boundary, keeping gains continuous.
    @inline(__always)
    private func adoptPendingProfile() {
        guard pending.load(ordering: .relaxed) != nil, retired.load(ordering: .acquiring) == nil,
              let next = pending.exchange(nil, ordering: .acquiring) else { return }
        let old = current.pointee
        let new = Unmanaged<ChannelFitting>.fromOpaque(next)
        old._withUnsafeGuaranteedRef { before in
            new._withUnsafeGuaranteedRef { after in
                for c in 0..<channelCount {
                    // The offset was (old curve + glide); continue from there and glide to the new curve.
                    let was = before.offsetDB(channel: c, level: smoothedLevel[c]) + glideDB[c]
                    glideDB[c] = was - after.offsetDB(channel: c, level: smoothedLevel[c])
                }
            }
        }
        current.pointee = new
        retired.store(old.toOpaque(), ordering: .releasing)
    }

    /// Hands a new profile to the running processor, from any thread but the audio thread.
    ///
    /// Not real-time safe (allocates and fits); lock-free towards the audio thread, which adopts
    /// it at its next block. Frees the fitting that the previous update replaced.
    /// - Parameters:
    ///   - profile: The new fitting.
    ///   - ear: The ear to take from it (default: this processor's ear).
    /// - Throws: ``ProcessorConfigurationError`` or ``FittingError``; the running profile is then kept.
    public func update(profile: SoundProfile, ear: Ear? = nil) throws {
        let ear = ear ?? self.ear
        guard let earProfile = profile[ear] else {
            throw ProcessorConfigurationError.missingEar(ear, available: Ear.allCases.filter { profile[$0] != nil })
        }
        let prepared = try ChannelFitting(ear: earProfile, fullScaleDBSPL: profile.fullScaleDBSPL, configuration: configuration)
        reclaim()
        if let unused = pending.exchange(Unmanaged.passRetained(prepared).toOpaque(), ordering: .acquiringAndReleasing) {
            Unmanaged<ChannelFitting>.fromOpaque(unused).release()  // never reached the audio thread
        }
    }

    /// Frees a fitting the audio thread has let go of. Called by ``update(profile:ear:)``; call it
    /// from a control thread now and then if profiles change often. Not real-time safe.
    public func reclaim() {
        if let old = retired.exchange(nil, ordering: .acquiring) { Unmanaged<ChannelFitting>.fromOpaque(old).release() }
    }

    /// True once the audio thread has adopted the last profile given to ``update(profile:ear:)``.
    public var isUpdatePending: Bool { pending.load(ordering: .acquiring) != nil }

    // MARK: The live sound profile

    /// The smoothed channel levels the gains were computed from, in dB SPL. Real-time safe. Read
    /// on the audio thread after ``process(input:output:)``, or hand a copy to another thread.
    public var smoothedLevels: UnsafeBufferPointer<Float> { UnsafeBufferPointer(smoothedLevel) }
    /// Each channel's curve gain in force in the last block (its gain at the 65 dB speech level
    /// plus its compression offset), in dB. Real-time safe.
    public var appliedGains: UnsafeBufferPointer<Float> { UnsafeBufferPointer(gainDB) }

    /// Copies the live profile into caller storage. Real-time safe.
    /// - Parameters:
    ///   - levels: Room for ``bandCount`` levels, in dB SPL (smoothed).
    ///   - gains: Room for ``bandCount`` gains, in dB.
    public func copyLiveProfile(levels: UnsafeMutableBufferPointer<Float>, gains: UnsafeMutableBufferPointer<Float>) {
        precondition(levels.count >= bandCount && gains.count >= bandCount)
        for c in 0..<bandCount {
            levels[c] = smoothedLevel[c]
            gains[c] = gainDB[c]
        }
    }

    /// The static curve of channel `channel` in the current fitting (inspection; not for the audio thread).
    public func curve(channel: Int) -> WDRCCurve { current.pointee._withUnsafeGuaranteedRef { $0.curves[channel] } }

    /// The static gain channel `channel` gets at input level `level` (dB SPL): its curve's gain, in dB.
    /// Not meant for the audio thread's hot loop, but allocation-free.
    public func staticGain(channel: Int, inputDBSPL level: Float) -> Float {
        current.pointee._withUnsafeGuaranteedRef { $0.gainDB(channel: channel, level: level) }
    }

    /// Resets the signal state (history, overlap-add, detector, limiter) as if newly prepared.
    /// Real-time safe.
    public func reset() {
        history.update(repeating: 0)
        accumulator.update(repeating: 0)
        limiterSignal.update(repeating: 0)
        ceilings.update(repeating: .greatestFiniteMagnitude)
        current.pointee._withUnsafeGuaranteedRef { fitting in
            for c in 0..<channelCount {
                // Start the detector at the quiet end so the first blocks are not over-amplified.
                smoothedAmplitude[c] = amplitudeFloor
                smoothedLevel[c] = fitting.fullScaleDBSPL - 200
                glideDB[c] = 0
                gainDB[c] = fitting.gainDB(channel: c, level: smoothedLevel[c])
            }
        }
    }
}
