#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One ear's fitting prepared for a processor's channels and bins, as flat Float arrays the audio
/// thread reads. Immutable once built; built off the audio thread and handed over atomically.
///
/// **Shaping.** The gain at the 65 dB speech level follows the profile's `targets` across
/// frequency: T(f) interpolated in log-frequency, flat beyond the first and last target. The
/// windows smooth any per-bin gain G_k: a tone at frequency f comes out with amplitude gain
/// H(f) = Σ_k G_k·s(k − f), s(d) being the share of a tone's power that the √Hann analysis puts d
/// bins away (it sums to 1). So G is pre-compensated: starting from G_k = T(f_k), a few rounds of
/// G_k ← G_k·T(f_k)/H(f_k) make H meet the targets at every bin centre (and so between them,
/// where H interpolates smoothly).
///
/// **Channels.** When the profile was fitted in this processor's channels (`fit --preset`), each
/// channel takes its band's curve unchanged. Otherwise (``refitted``) the processor refits: each
/// channel's kneepoint is the LTASS level inside the channel for 40 dB SPL speech (DESIGN.md),
/// its compression and expansion ratios, expansion depth and attack/release times are the means
/// of the profile bands that overlap it, weighted by the speech intensity in the overlap, its MPO
/// is the lowest MPO among them (never louder than any band allows), and its gain at 65 dB speech
/// is the targets' at the channel centre. A channel outside the profile's bands takes the nearest
/// band's parameters.
final class ChannelFitting: @unchecked Sendable {
    let count: Int
    let binCount: Int
    /// The level of a signal with RMS 1.0, in dB SPL.
    let fullScaleDBSPL: Float
    /// True when the profile's bands were not this processor's channels and were refitted.
    let refitted: Bool
    /// The static curves, one per channel (for inspection; the audio thread reads the Float copies).
    let curves: [WDRCCurve]
    /// Per channel, in dB or dB SPL: the curve as gainAtKnee + compressionSlope·max(L − K, 0)
    /// + expansionSlope·min(L − E, 0), capped at mpo − L; and its gain at the 65 dB speech level.
    let kneepoint: UnsafeMutableBufferPointer<Float>
    let gainAtKnee: UnsafeMutableBufferPointer<Float>
    let compressionSlope: UnsafeMutableBufferPointer<Float>
    let expansionThreshold: UnsafeMutableBufferPointer<Float>
    let expansionSlope: UnsafeMutableBufferPointer<Float>
    let mpo: UnsafeMutableBufferPointer<Float>
    let gainAt65: UnsafeMutableBufferPointer<Float>
    /// Each channel's MPO as a mean square re full scale: 10^((MPO − cal)/10).
    let mpoPower: UnsafeMutableBufferPointer<Float>
    /// The largest of ``mpoPower`` (the broadband ceiling).
    let highestMPOPower: Float
    /// The smallest of ``mpoPower``.
    let lowestMPOPower: Float
    /// Per-block smoothing coefficients of the channel power.
    let attackCoefficient: UnsafeMutableBufferPointer<Float>
    let releaseCoefficient: UnsafeMutableBufferPointer<Float>
    /// The pre-compensated shaping gain per bin, linear amplitude.
    let shaping: UnsafeMutableBufferPointer<Float>

    init(ear: EarProfile, fullScaleDBSPL: Double, configuration: ProcessorConfiguration) throws {
        let channels = configuration.channels.bands
        let sources = ear.bands
        guard !sources.isEmpty else { throw ProcessorConfigurationError.invalid(field: "bands", value: "[]", allowed: "at least one fitted band") }
        guard !ear.targets.isEmpty else { throw ProcessorConfigurationError.invalid(field: "targets", value: "[]", allowed: "at least one target") }
        count = channels.count
        binCount = configuration.binCount
        self.fullScaleDBSPL = Float(fullScaleDBSPL)
        let tolerance = 0.01  // Hz: JSON round trips keep edges to far better than this
        let matches = sources.count == channels.count
            && zip(sources, channels).allSatisfy { abs($0.lowerHz - $1.lowerHz) <= tolerance && abs($0.upperHz - $1.upperHz) <= tolerance }
        refitted = !matches
        var curves: [WDRCCurve] = [], attack: [Double] = [], release: [Double] = []
        for (c, channel) in channels.enumerated() {
            if matches {
                curves.append(try sources[c].curve())
                attack.append(sources[c].attackMilliseconds)
                release.append(sources[c].releaseMilliseconds)
                continue
            }
            let refit = try Self.refit(channel: channel, sources: sources, targets: ear.targets)
            curves.append(refit.curve)
            attack.append(refit.attack)
            release.append(refit.release)
        }
        self.curves = curves
        func buffer(_ values: [Double]) -> UnsafeMutableBufferPointer<Float> {
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, values.count))
            b.initialize(repeating: 0)
            for (i, v) in values.enumerated() { b[i] = Float(v) }
            return b
        }
        kneepoint = buffer(curves.map(\.kneepointDBSPL))
        gainAtKnee = buffer(curves.map(\.gainAtKneepointDB))
        compressionSlope = buffer(curves.map(\.compressionSlope))
        expansionThreshold = buffer(curves.map(\.expansionThresholdDBSPL))
        expansionSlope = buffer(curves.map(\.expansionSlope))
        mpo = buffer(curves.map(\.mpoDBSPL))
        gainAt65 = buffer(curves.map { $0.gainDB(atInputDBSPL: $0.level65DBSPL) })
        let mpoPowers = curves.map { pow(10, ($0.mpoDBSPL - fullScaleDBSPL) / 10) }
        mpoPower = buffer(mpoPowers)
        highestMPOPower = Float(mpoPowers.max() ?? 1)
        lowestMPOPower = Float(mpoPowers.min() ?? 1)
        let lead = configuration.detectorLeadSeconds, block = configuration.blockSeconds
        attackCoefficient = buffer(zip(curves, attack).map { curve, ms in
            Double(AttackRelease.coefficient(timeConstant: AttackRelease.attackTimeConstant(milliseconds: ms, curve: curve, detectorLead: lead), blockSeconds: block))
        })
        releaseCoefficient = buffer(zip(curves, release).map { curve, ms in
            Double(AttackRelease.coefficient(timeConstant: AttackRelease.releaseTimeConstant(milliseconds: ms, curve: curve, detectorLead: lead), blockSeconds: block))
        })
        shaping = buffer(Self.shapingGains(targets: ear.targets, configuration: configuration))
    }

    deinit {
        for b in [kneepoint, gainAtKnee, compressionSlope, expansionThreshold, expansionSlope, mpo, gainAt65, mpoPower,
                  attackCoefficient, releaseCoefficient, shaping] { b.deallocate() }
    }

    /// The static gain of channel `c` at smoothed input level `level` (dB SPL), in dB. Real-time safe.
    @inline(__always)
    func gainDB(channel c: Int, level: Float) -> Float {
        let g = gainAtKnee[c] + compressionSlope[c] * max(level - kneepoint[c], 0) + expansionSlope[c] * min(level - expansionThreshold[c], 0)
        return min(g, mpo[c] - level)
    }

    /// The compression offset of channel `c` at `level`: its gain there minus its gain at the
    /// 65 dB speech level, in dB. Real-time safe.
    @inline(__always)
    func offsetDB(channel c: Int, level: Float) -> Float { gainDB(channel: c, level: level) - gainAt65[c] }

    // MARK: Refitting

    static func refit(channel: Band, sources: [FittedBand], targets: [TargetGain]) throws -> (curve: WDRCCurve, attack: Double, release: Double) {
        // Speech intensity of each source band inside the channel.
        var weights = sources.map { s -> Double in
            let lo = max(s.lowerHz, channel.lowerHz), hi = min(s.upperHz, channel.upperHz)
            return hi > lo ? pow(10, LTASS.bandLevelDBSPL(lowerHz: lo, upperHz: hi, speechDBSPL: 65) / 10) : 0
        }
        if weights.allSatisfy({ $0 <= 0 }) {
            let centre = max(channel.centerHz, 1)
            let nearest = sources.indices.min { abs(log(sources[$0].centerHz / centre)) < abs(log(sources[$1].centerHz / centre)) }!
            weights[nearest] = 1
        }
        let total = weights.reduce(0, +)
        func mean(_ value: (FittedBand) -> Double) -> Double { zip(sources, weights).reduce(0) { $0 + value($1.0) * $1.1 } / total }
        let involved = zip(sources, weights).filter { $0.1 > 0 }.map(\.0)
        let knee = LTASS.bandLevelDBSPL(lowerHz: channel.lowerHz, upperHz: channel.upperHz, speechDBSPL: WDRCCurve.kneepointSpeechDBSPL)
        let depth = max(0, mean { $0.kneepointDBSPL - $0.expansionThresholdDBSPL })
        let gain = min(max(targets.insertionGainDB(atHz: max(channel.centerHz, 1)), FittedBand.allowedGainDB.lowerBound), FittedBand.allowedGainDB.upperBound)
        let curve = try WDRCCurve(gain65DB: gain, level65DBSPL: knee + WDRCCurve.prescriptionSpeechDBSPL - WDRCCurve.kneepointSpeechDBSPL,
                                  kneepointDBSPL: knee, compressionRatio: mean(\.compressionRatio),
                                  expansionThresholdDBSPL: knee - depth, expansionRatio: mean(\.expansionRatio),
                                  mpoDBSPL: involved.map(\.mpoDBSPL).min()!)
        return (curve, mean(\.attackMilliseconds), mean(\.releaseMilliseconds))
    }

    // MARK: Shaping

    /// s(δ): the share of a tone's power that the √Hann analysis window of `fftSize` points puts
    /// in a bin δ bins away from the tone (δ may be fractional). Over all integer δ it sums to 1.
    static func spread(_ delta: Double, fftSize n: Int) -> Double {
        spread(delta, window: (0..<n).map { sin(Double.pi * Double($0) / Double(n)) })
    }

    /// ``spread(_:fftSize:)`` with the √Hann window's values sin(π·i/N) given (computed once
    /// for all the δ of a kernel; the sums are the same, term for term).
    static func spread(_ delta: Double, window: [Double]) -> Double {
        let n = window.count
        let half = Double(n) / 2
        var re = 0.0
        for i in 0..<n {
            re += window[i] * cos(2 * Double.pi * delta * (Double(i) - half) / Double(n))
        }
        return re * re / (Double(n) * Double(n) / 2)  // N·Σw², Σ sin² = N/2
    }

    /// Per-bin linear gains whose smoothed response meets the targets at every quarter bin:
    /// H(x) = Σ_j G_j·s(j − x), and each round multiplies G_k by the weighted geometric mean of
    /// T/H over x within half a bin of k (weights 1 − |x − k|). Evaluating between the bins keeps
    /// narrow bands at low frequencies (a third-octave at 315 Hz is narrower than a 187.5 Hz bin)
    /// on the targets too.
    static func shapingGains(targets: [TargetGain], configuration: ProcessorConfiguration) -> [Double] {
        let bins = configuration.binCount, df = configuration.binSpacingHz, n = configuration.fftSize
        let phases = 4, reach = 4  // quarter bins; kernel over |j − x| < 4 bins
        func t(_ x: Double) -> Double { pow(10, targets.insertionGainDB(atHz: max(x, 0.25) * df) / 20) }
        // kernel[(j − x + reach)·phases] for j − x on the quarter-bin grid.
        let window = (0..<n).map { sin(Double.pi * Double($0) / Double(n)) }
        // s is even (cos is, and −δ·x rounds to exactly −(δ·x)), so the δ < 0 half is the mirror.
        let kernelCount = 2 * reach * phases + 1
        var kernel = [Double](repeating: 0, count: kernelCount)
        for k in 0...(reach * phases) {
            kernel[k] = spread(Double(k) / Double(phases) - Double(reach), window: window)
            kernel[kernelCount - 1 - k] = kernel[k]
        }
        // Per phase, the truncated kernel's sum, so a flat G gives H = G exactly.
        let norm = (0..<phases).map { phase in
            stride(from: phase == 0 ? 0 : phases - phase, through: 2 * reach * phases, by: phases).reduce(0.0) { $0 + kernel[$1] }
        }
        // The target on the quarter-bin grid, once (the rounds below read it 10 times).
        let points = (bins - 1) * phases + 1
        let targetAt = (0..<points).map { t(Double($0) / Double(phases)) }
        var g = (0..<bins).map { targetAt[$0 * phases] }
        // Per phase of x = m/phases, the kernel taps of j = first…last in order: kernel index
        // (j − first)·phases + first·phases − m + reach·phases, whose offset depends on the phase only.
        let phaseKernels: [[Double]] = (0..<phases).map { phase in
            let first = Int((Double(phase) / Double(phases) - Double(reach)).rounded(.up))
            let last = Int((Double(phase) / Double(phases) + Double(reach)).rounded(.down))
            let offset = first * phases - phase + reach * phases
            return (0...(last - first)).map { kernel[$0 * phases + offset] }
        }
        // g mirrored at DC and at Nyquist (the spectrum of a real signal), `reach` bins beyond
        // each end: padded[j + reach] = g[j] for j in −reach … bins − 1 + reach.
        var padded = [Double](repeating: 0, count: bins + 2 * reach)
        // log(T/H) at every quarter-bin point of a round (each is read by up to two bins).
        var logRatioAt = [Double](repeating: 0, count: points)
        for _ in 0..<10 {
            for j in -reach..<(bins + reach) {
                var m = j
                if m < 0 { m = -m }
                if m > bins - 1 { m = 2 * (bins - 1) - m }
                padded[j + reach] = g[m]
            }
            // H at x = m/phases: Σ_j kernel · G_j over the bins within `reach` of x, divided by
            // the phase's kernel sum (the same terms in the same order as ever).
            padded.withUnsafeBufferPointer { padded in
                for m in 0..<points {
                    let first = Int((Double(m) / Double(phases) - Double(reach)).rounded(.up))
                    let last = Int((Double(m) / Double(phases) + Double(reach)).rounded(.down))
                    let taps = phaseKernels[m % phases]
                    var h = 0.0
                    for t in 0...(last - first) { h += taps[t] * padded[first + reach + t] }
                    logRatioAt[m] = log(targetAt[m] / (h / norm[m % phases]))
                }
            }
            var next = g
            for k in 0..<bins {
                var logRatio = 0.0, weight = 0.0
                for p in (-phases / 2)...(phases / 2) {
                    let m = k * phases + p
                    guard m >= 0, m < points else { continue }
                    let w = 1 - abs(Double(p)) / Double(phases)
                    logRatio += w * logRatioAt[m]
                    weight += w
                }
                let target = targetAt[k * phases]
                next[k] = min(max(g[k] * exp(logRatio / weight), target / 4), target * 4)
            }
            g = next
        }
        return g
    }
}
