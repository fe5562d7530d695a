#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Applies one ear's sound profile to a stream, block by block: the real-time path.
///
/// `init` prepares everything (FFT plans, windows, band map, buffers, fitted curves); then
/// ``process(input:output:)`` takes `hop` samples and returns `hop` samples, allocating nothing,
/// taking no lock, making no system call and never throwing. Per block: the newest `fftSize`
/// samples are windowed (√Hann), transformed (FFTW r2c), turned into band powers and levels in
/// dB SPL (edge-weighted, as ``BandAnalyzer``), each band's level is smoothed (attack/release,
/// ``AttackRelease``), its WDRC gain is read off the fitted curve, the gains are spread across
/// the bins, and the frame is transformed back, windowed (√Hann) and overlap-added. With all
/// gains 0 dB the output equals the input delayed by `fftSize − hop` samples.
///
/// **Gains across band edges.** Bin k gets the gains of the bands its interval
/// [(k−½)Δf, (k+½)Δf) overlaps, weighted by the overlap (the same weights that assign its power
/// to the bands), in linear amplitude. Inside a band the gain is flat; across an edge it moves
/// linearly over one bin. Because every frame is windowed and overlap-added, a gain change from
/// one block to the next is also cross-faded over the frame, so the gain moves without steps in
/// time or frequency. Bins below the lowest band or above the highest take that band's gain.
///
/// **Profile changes.** ``update(profile:ear:)`` prepares the new fitting off the audio thread
/// and publishes it through an atomic slot; ``process(input:output:)`` picks it up at the next
/// block boundary. The old fitting is handed back through a second slot and freed by the next
/// `update` (or `deinit`), never on the audio thread. At the switch each band's gain continues
/// from its old value and glides to the new curve with a 10 ms time constant, so there is no
/// click.
public final class ProfileProcessor: @unchecked Sendable {
    /// The configuration, validated.
    public let configuration: ProcessorConfiguration
    /// The bands actually used (the configuration's layout merged to the FFT's resolution).
    public let layout: BandLayout
    /// Which ear of the profile this processor applies.
    public let ear: Ear

    private let fft: RealFFT
    private let binCount: Int
    private let analysisWindow: UnsafeMutableBufferPointer<Float>
    private let synthesisWindow: UnsafeMutableBufferPointer<Float>  // includes the 1/N of FFTW's inverse and the WOLA gain
    private let history: UnsafeMutableBufferPointer<Float>  // the newest fftSize input samples
    private let accumulator: UnsafeMutableBufferPointer<Float>  // overlap-add output, fftSize samples
    // Bin → band map for powers (weights include the one-sided factor) and gains (fractions).
    private let entryStart: UnsafeMutableBufferPointer<Int32>
    private let entryBand: UnsafeMutableBufferPointer<Int32>
    private let entryFraction: UnsafeMutableBufferPointer<Float>  // a_k: the bin's share of the band
    private let binFactor: UnsafeMutableBufferPointer<Float>  // c_k: 1 at DC and Nyquist, else 2
    private let binPower: UnsafeMutableBufferPointer<Float>  // c_k·|X_k|² at [k + 1]; zero at both ends
    private let firstBin: Int
    private let endBin: Int
    private let bandBinStart: UnsafeMutableBufferPointer<Int32>  // bins k with low band b: bandBinStart[b]..<bandBinStart[b+1]
    private let binGain: UnsafeMutableBufferPointer<Float>  // linear gain per bin, this block
    private let binLowWeight: UnsafeMutableBufferPointer<Float>
    private let powerNormalisation: Float
    // Per-band state.
    private let bandPower: UnsafeMutableBufferPointer<Float>  // scratch, count + 1
    private let inputLevel: UnsafeMutableBufferPointer<Float>  // this block's band levels, dB SPL
    private let smoothedLevel: UnsafeMutableBufferPointer<Float>  // after attack/release, dB SPL
    private let gainDB: UnsafeMutableBufferPointer<Float>  // applied gains, dB
    private let gainOffset: UnsafeMutableBufferPointer<Float>  // glide after a profile switch, dB
    private let linearGain: UnsafeMutableBufferPointer<Float>  // count + 1 (the last repeats the top band)
    private let mpoPower: UnsafeMutableBufferPointer<Float>  // count + 1: band MPO as a power, in units of c·|X|²
    private let glideCoefficient: Float
    // The fitting in use (audio thread only), the next one, and the one to free.
    private let current: UnsafeMutablePointer<Unmanaged<PreparedBands>>
    private let pending = Atomic<UnsafeMutableRawPointer?>(nil)
    private let retired = Atomic<UnsafeMutableRawPointer?>(nil)

    /// Prepares a processor for one ear of `profile`.
    ///
    /// Not real-time safe: allocates, plans FFTs, fits the curves to the bands.
    /// - Parameters:
    ///   - configuration: Sample rate, hop, FFT size and bands (e.g. ``ProcessorConfiguration/pod24k``).
    ///   - profile: The fitted sound profile; its `fullScaleDBSPL` calibrates the levels.
    ///   - ear: Which ear of the profile to apply.
    ///   - planning: FFTW planning effort.
    /// - Throws: ``ProcessorConfigurationError``, ``BandLayoutError``, ``FFTError`` or ``FittingError``.
    public init(configuration: ProcessorConfiguration, profile: SoundProfile, ear: Ear, planning: FFTPlanning = .estimate) throws {
        try configuration.validate()
        guard let earProfile = profile[ear] else {
            throw ProcessorConfigurationError.missingEar(ear, available: Ear.allCases.filter { profile[$0] != nil })
        }
        let n = configuration.fftSize, hop = configuration.hop
        let layout = try configuration.layout.resolved(sampleRate: configuration.sampleRate, fftSize: n, policy: .merge)
        let prepared = try PreparedBands(ear: earProfile, fullScaleDBSPL: profile.fullScaleDBSPL, layout: layout,
                                         blockSeconds: configuration.blockSeconds, detectorLead: configuration.detectorLeadSeconds)
        fft = try RealFFT(size: n, planning: planning)
        self.configuration = configuration
        self.layout = layout
        self.ear = ear
        binCount = n / 2 + 1

        func floats(_ count: Int, _ value: Float = 0) -> UnsafeMutableBufferPointer<Float> {
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
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

        let map = BinBandMap(layout: layout, fftSize: n, sampleRate: configuration.sampleRate)
        func ints(_ values: [Int32]) -> UnsafeMutableBufferPointer<Int32> {
            let b = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(1, values.count))
            b.initialize(repeating: 0)
            _ = b.update(fromContentsOf: values)
            return b
        }
        entryStart = ints(map.entryStart)
        entryBand = ints(map.entryBand)
        entryFraction = floats(max(1, map.entryFraction.count))
        _ = entryFraction.update(fromContentsOf: map.entryFraction)
        binFactor = floats(binCount, 2)
        binFactor[0] = 1
        binFactor[binCount - 1] = 1
        binPower = floats(binCount + 2)
        firstBin = map.firstBin
        endBin = map.endBin
        powerNormalisation = Float(1 / (Double(n) * window.sumOfSquares))
        // Gains per bin from the overlap fractions: one band → weight 1; two neighbours → split.
        var lowBand = [Int32](repeating: 0, count: binCount)
        var lowWeight = [Float](repeating: 1, count: binCount)
        for k in 0..<binCount {
            if k < map.firstBin { lowBand[k] = 0; continue }
            if k >= map.endBin { lowBand[k] = Int32(layout.count - 1); continue }
            let row = k - map.firstBin
            let start = Int(map.entryStart[row]), end = Int(map.entryStart[row + 1])
            lowBand[k] = map.entryBand[start]
            if end - start >= 2 {
                let f0 = map.entryFraction[start], f1 = map.entryFraction[start + 1]
                lowWeight[k] = f0 / (f0 + f1)
            }
        }
        // Bins are sorted by their low band, so each band's bins form one range.
        var starts = [Int32](repeating: Int32(binCount), count: layout.count + 1)
        for k in stride(from: binCount - 1, through: 0, by: -1) { starts[Int(lowBand[k])] = Int32(k) }
        starts[0] = 0
        for b in stride(from: layout.count - 1, through: 0, by: -1) where starts[b] > starts[b + 1] { starts[b] = starts[b + 1] }
        bandBinStart = ints(starts)
        binGain = floats(binCount, 1)
        binLowWeight = floats(binCount)
        _ = binLowWeight.update(fromContentsOf: lowWeight)

        let bands = layout.count
        bandPower = floats(bands + 1)
        inputLevel = floats(bands)
        smoothedLevel = floats(bands)
        gainDB = floats(bands)
        gainOffset = floats(bands)
        linearGain = floats(bands + 1, 1)
        mpoPower = floats(bands + 1, 1)
        glideCoefficient = Float(exp(-configuration.blockSeconds / 0.010))
        current = .allocate(capacity: 1)
        current.initialize(to: Unmanaged.passRetained(prepared))
        // Start the level detector at the quiet end so the first blocks are not over-amplified.
        for b in 0..<bands {
            smoothedLevel[b] = 0
            gainDB[b] = prepared.gainDB(band: b, level: 0)
        }
    }

    deinit {
        current.pointee.release()
        current.deallocate()
        if let p = pending.exchange(nil, ordering: .acquiring) { Unmanaged<PreparedBands>.fromOpaque(p).release() }
        if let p = retired.exchange(nil, ordering: .acquiring) { Unmanaged<PreparedBands>.fromOpaque(p).release() }
        for b in [analysisWindow, synthesisWindow, history, accumulator, entryFraction, binFactor, binPower, binGain, binLowWeight,
                  bandPower, inputLevel, smoothedLevel, gainDB, gainOffset, linearGain, mpoPower] { b.deallocate() }
        entryStart.deallocate()
        entryBand.deallocate()
        bandBinStart.deallocate()
    }

    /// The number of bands in ``layout``.
    public var bandCount: Int { layout.count }
    /// Samples per block.
    public var hop: Int { configuration.hop }
    /// The algorithmic latency: `fftSize − hop` samples, and the same in milliseconds.
    public var algorithmicLatency: (samples: Int, milliseconds: Double) {
        (configuration.latencySamples, configuration.latencyMilliseconds)
    }

    /// Processes one block.
    ///
    /// Real-time safe: no allocation, no lock, no system call, no throw.
    /// - Parameters:
    ///   - input: Exactly `hop` samples (precondition).
    ///   - output: Room for exactly `hop` samples (precondition); may not alias `input`.
    public func process(input: UnsafeBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>) {
        precondition(input.count == configuration.hop && output.count == configuration.hop,
                     "ProfileProcessor.process: blocks must hold hop samples")
        adoptPendingProfile()
        let n = configuration.fftSize, hop = configuration.hop, bands = layout.count
        let prepared = current.pointee

        // 1. Slide the input history and window the newest frame.
        let h = history.baseAddress!
        h.update(from: h + hop, count: n - hop)
        (h + (n - hop)).update(from: input.baseAddress!, count: hop)
        let x = fft.input
        for i in 0..<n { x[i] = h[i] * analysisWindow[i] }
        fft.forward()

        // 2. Bin powers c_k·|X_k|², then band powers (one pass over the bins) and levels in dB SPL.
        let spectrum = fft.spectrum
        let power = binPower.baseAddress! + 1
        for k in 0..<binCount {
            let re = spectrum[2 * k], im = spectrum[2 * k + 1]
            power[k] = binFactor[k] * (re * re + im * im)
        }
        for b in 0...bands { bandPower[b] = 0 }
        for k in firstBin..<endBin {
            let p = power[k]
            let row = k - firstBin
            for e in Int(entryStart[row])..<Int(entryStart[row + 1]) {
                bandPower[Int(entryBand[e])] += entryFraction[e] * p
            }
        }
        prepared._withUnsafeGuaranteedRef { fitting in
            let calibration = fitting.fullScaleDBSPL
            // 10·log10(p) = (10·log10 2)·log2(p): log2f is much cheaper than log10f.
            let dBPerOctave: Float = 3.0102999566398120
            for b in 0..<bands {
                let level = dBPerOctave * log2f(max(bandPower[b] * powerNormalisation, powerFloor)) + calibration
                inputLevel[b] = level
                // 3. Attack when the level rises, release when it falls (one-pole in dB).
                let previous = smoothedLevel[b]
                let a = level > previous ? fitting.attackCoefficient[b] : fitting.releaseCoefficient[b]
                let smoothed = level + (previous - level) * a
                smoothedLevel[b] = smoothed
                // 4. The WDRC gain, plus what is left of the glide after a profile change.
                gainOffset[b] *= glideCoefficient
                let g = fitting.gainDB(band: b, level: smoothed) + gainOffset[b]
                gainDB[b] = g
                // 10^(g/20) = 2^(g·log2(10)/20)
                linearGain[b] = exp2f(g * 0.16609640474436813)
                // MPO as a power in the units of c·|X|².
                mpoPower[b] = fitting.mpoPower[b] / powerNormalisation
            }
        }
        linearGain[bands] = linearGain[bands - 1]
        mpoPower[bands] = mpoPower[bands - 1]

        // 5. Gains to bins, with the MPO enforced once more per bin on the power within the
        // analysis window's main lobe (the bin and its neighbours): a tone spreads over ±1.5 bins,
        // so where bands are narrower than that, band-wise limiting alone lets it through louder.
        // Band-major: the bins whose gain mixes bands b and b+1 are contiguous, so each inner loop
        // reads only contiguous arrays (no gathers) and vectorises; the limit is branch-free.
        let gains = binGain.baseAddress!
        for b in 0..<bands {
            let g0 = linearGain[b], g1 = linearGain[b + 1], m0 = mpoPower[b], m1 = mpoPower[b + 1]
            for k in Int(bandBinStart[b])..<Int(bandBinStart[b + 1]) {
                let w = binLowWeight[k]
                let g = w * g0 + (1 - w) * g1
                let limit = w * m0 + (1 - w) * m1
                let local = max(power[k - 1] + power[k] + power[k + 1], Float.leastNormalMagnitude)
                gains[k] = min(g, (limit / local).squareRoot())
            }
        }
        let pairs = UnsafeMutableRawPointer(spectrum.baseAddress!).assumingMemoryBound(to: SIMD2<Float>.self)
        for k in 0..<binCount { pairs[k] *= gains[k] }

        // 6. Back to time, synthesis window, overlap-add.
        fft.inverseUnnormalized()
        let acc = accumulator.baseAddress!
        for i in 0..<n { acc[i] += x[i] * synthesisWindow[i] }
        for i in 0..<hop { output[i] = acc[i] }
        acc.update(from: acc + hop, count: n - hop)
        (acc + (n - hop)).update(repeating: 0, count: hop)
    }

    /// Takes a pending profile at a block boundary, keeping gains continuous.
    @inline(__always)
    private func adoptPendingProfile() {
        guard pending.load(ordering: .relaxed) != nil, retired.load(ordering: .acquiring) == nil,
              let next = pending.exchange(nil, ordering: .acquiring) else { return }
        let old = current.pointee
        let new = Unmanaged<PreparedBands>.fromOpaque(next)
        new._withUnsafeGuaranteedRef { fitting in
            for b in 0..<layout.count {
                // The gain was gainDB[b]; continue from there and glide to the new curve.
                gainOffset[b] = gainDB[b] - fitting.gainDB(band: b, level: smoothedLevel[b])
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
        let prepared = try PreparedBands(ear: earProfile, fullScaleDBSPL: profile.fullScaleDBSPL, layout: layout,
                                         blockSeconds: configuration.blockSeconds, detectorLead: configuration.detectorLeadSeconds)
        reclaim()
        if let unused = pending.exchange(Unmanaged.passRetained(prepared).toOpaque(), ordering: .acquiringAndReleasing) {
            Unmanaged<PreparedBands>.fromOpaque(unused).release()  // never reached the audio thread
        }
    }

    /// Frees a fitting the audio thread has let go of. Called by ``update(profile:ear:)``; call it
    /// from a control thread now and then if profiles change often. Not real-time safe.
    public func reclaim() {
        if let old = retired.exchange(nil, ordering: .acquiring) { Unmanaged<PreparedBands>.fromOpaque(old).release() }
    }

    /// True once the audio thread has adopted the last profile given to ``update(profile:ear:)``.
    public var isUpdatePending: Bool { pending.load(ordering: .acquiring) != nil }

    // MARK: The live sound profile

    /// The band levels of the last block, in dB SPL (before smoothing). Real-time safe. Read on
    /// the audio thread after ``process(input:output:)``, or hand a copy to another thread.
    public var lastInputLevels: UnsafeBufferPointer<Float> { UnsafeBufferPointer(inputLevel) }
    /// The smoothed band levels the gains were computed from, in dB SPL. Real-time safe.
    public var smoothedLevels: UnsafeBufferPointer<Float> { UnsafeBufferPointer(smoothedLevel) }
    /// The gains applied in the last block, in dB. Real-time safe.
    public var appliedGains: UnsafeBufferPointer<Float> { UnsafeBufferPointer(gainDB) }

    /// Copies the live profile into caller storage. Real-time safe.
    /// - Parameters:
    ///   - levels: Room for ``bandCount`` levels, in dB SPL (smoothed).
    ///   - gains: Room for ``bandCount`` gains, in dB.
    public func copyLiveProfile(levels: UnsafeMutableBufferPointer<Float>, gains: UnsafeMutableBufferPointer<Float>) {
        precondition(levels.count >= bandCount && gains.count >= bandCount)
        for b in 0..<bandCount {
            levels[b] = smoothedLevel[b]
            gains[b] = gainDB[b]
        }
    }

    /// The static gain the current fitting gives band `band` at input level `level` (dB SPL), in dB.
    /// Not meant for the audio thread's hot loop, but allocation-free.
    public func staticGain(band: Int, inputDBSPL level: Float) -> Float {
        current.pointee._withUnsafeGuaranteedRef { $0.gainDB(band: band, level: level) }
    }

    /// Resets the signal state (history, overlap-add, detector) as if newly prepared. Real-time safe.
    public func reset() {
        history.update(repeating: 0)
        accumulator.update(repeating: 0)
        current.pointee._withUnsafeGuaranteedRef { fitting in
            for b in 0..<layout.count {
                smoothedLevel[b] = 0
                gainOffset[b] = 0
                gainDB[b] = fitting.gainDB(band: b, level: 0)
            }
        }
    }
}
