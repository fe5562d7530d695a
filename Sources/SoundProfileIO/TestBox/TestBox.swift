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

/// A virtual hearing-aid test box (after ANSI S3.22 / IEC 60118-0): it runs the real
/// ``ProfileProcessor`` on pure tones and LTASS-shaped noise and measures the output, so what it
/// reports is what the pod does.
///
/// Measured: OSPL90 (90 dB SPL tones, third-octaves 200 Hz–min(8 kHz, 0.45·fs)); full-on gain
/// (50 dB SPL) and the frequency response (60 dB SPL) on the same frequencies; insertion gain for
/// LTASS noise at 55/65/80 dB SPL per third-octave next to the prescription; input/output curves at
/// 500/1000/2000/4000 Hz, 40–100 dB SPL; ANSI S3.22 attack and release at 2 kHz (55 ↔ 90 dB SPL);
/// THD at 500/800/1600 Hz, 70 dB SPL; the latency and the group delay at 500/1000/4000 Hz.
///
/// **The prescription** a measurement is compared with is the profile's: for a tone of level L
/// at f in channel c, T(f) + G_c(L) − G_c(L65_c), the output held at the channel's MPO (T the
/// targets interpolated in log-frequency, G_c the channel's WDRC curve, L65_c its level for 65 dB
/// SPL speech); for noise, the same with L the channel's measured input level. Tone levels are read
/// with a Hann-weighted DFT at the tone's exact frequency over the steady part of the output;
/// noise with a Welch spectrum (FFT 2048, Hann, 50 %).
///
/// Runs in about a second per preset in a release build; allocates freely (not for the audio thread).
public struct TestBox: Sendable {
    /// The profile measured.
    public let profile: SoundProfile
    /// The ear measured.
    public let ear: Ear
    /// The processor configuration.
    public let configuration: ProcessorConfiguration
    /// The tolerances of the checks.
    public let tolerances: VerificationTolerances

    /// The I/O-curve frequencies, in Hz.
    public static let ioFrequenciesHz: [Double] = [500, 1000, 2000, 4000]
    /// The I/O-curve input levels, 40…100 dB SPL in 5 dB steps.
    public static let ioLevelsDBSPL: [Double] = Array(stride(from: 40.0, through: 100, by: 5))
    /// The THD frequencies, in Hz.
    public static let distortionFrequenciesHz: [Double] = [500, 800, 1600]
    /// The group-delay frequencies, in Hz.
    public static let groupDelayFrequenciesHz: [Double] = [500, 1000, 4000]
    /// The LTASS noise levels, in dB SPL overall.
    public static let speechLevelsDBSPL: [Double] = [55, 65, 80]

    /// Prepares a test box.
    /// - Parameters:
    ///   - profile: The fitted profile.
    ///   - ear: The ear to measure.
    ///   - configuration: The processor configuration (a preset).
    ///   - tolerances: The tolerances of the checks.
    /// - Throws: ``TestBoxError`` for a tolerance out of range, or the processor's errors
    ///   (``ProcessorConfigurationError``, ``FittingError``).
    public init(profile: SoundProfile, ear: Ear, configuration: ProcessorConfiguration, tolerances: VerificationTolerances = .init()) throws {
        for (field, value, range) in [("responseDB", tolerances.responseDB, 0.1...40), ("maximumTHDPercent", tolerances.maximumTHDPercent, 0.01...100),
                                      ("timePercent", tolerances.timePercent, 1...1000)] {
            guard value.isFinite, range.contains(value) else {
                throw TestBoxError.invalidTolerance(field: field, value: value, allowed: "\(range.lowerBound)…\(range.upperBound)")
            }
        }
        self.profile = profile
        self.ear = ear
        self.configuration = configuration
        self.tolerances = tolerances
        _ = try ProfileProcessor(configuration: configuration, profile: profile, ear: ear)  // fail early
    }

    /// The third-octave frequencies of the tone sweeps: 200 Hz … min(8 kHz, 0.45·fs), exact IEC values.
    public var sweepFrequenciesHz: [Double] {
        let top = min(8000 * 1.01, 0.45 * configuration.sampleRate)
        return (-7...9).map(BandLayout.thirdOctaveMidHz).filter { $0 <= top }
    }

    /// The upper end of the checked range: min(6 kHz, 0.4·fs) (in Hz); the lower end is 315 Hz.
    public var checkedRangeHz: ClosedRange<Double> { 300...min(6000, 0.4 * configuration.sampleRate) }

    // MARK: Measuring

    /// Runs every measurement and the checks.
    /// - Returns: The report.
    /// - Throws: The processor's errors (``ProcessorConfigurationError``, ``FittingError``, ``FFTError``).
    public func run() throws -> VerificationReport {
        let processor = try ProfileProcessor(configuration: configuration, profile: profile, ear: ear)
        let channels = processor.channels.bands
        let sweep = sweepFrequenciesHz
        let ospl = ToneSweepResult(inputDBSPL: 90, points: sweep.map { measureTone(processor, frequencyHz: $0, inputDBSPL: 90) })
        let fullOn = ToneSweepResult(inputDBSPL: 50, points: sweep.map { measureTone(processor, frequencyHz: $0, inputDBSPL: 50) })
        let response = ToneSweepResult(inputDBSPL: 60, points: sweep.map { measureTone(processor, frequencyHz: $0, inputDBSPL: 60) })
        let io = Self.ioFrequenciesHz.filter { $0 < 0.45 * configuration.sampleRate }.map { f in
            VerificationReport.IOCurve(frequencyHz: f, channel: channel(of: f, in: channels), points: Self.ioLevelsDBSPL.map { level in
                let p = measureTone(processor, frequencyHz: f, inputDBSPL: level)
                return .init(inputDBSPL: level, outputDBSPL: p.outputDBSPL, prescribedOutputDBSPL: level + p.prescribedGainDB)
            })
        }
        let insertion = try Self.speechLevelsDBSPL.map { try measureInsertionGain(speechDBSPL: $0) }
        let distortion = Self.distortionFrequenciesHz.map { measureDistortion(processor, frequencyHz: $0, inputDBSPL: 70) }
        let delays = Self.groupDelayFrequenciesHz.map { measureGroupDelay(processor, frequencyHz: $0) }
        let timing = try measureAttackRelease(frequencyHz: 2000)
        let latency = processor.algorithmicLatency
        var report = VerificationReport(
            ear: ear, preset: configuration.name ?? "custom", sampleRate: configuration.sampleRate, rule: profile.rule,
            fullScaleDBSPL: profile.fullScaleDBSPL, refitted: processor.refittedProfile, channels: channels,
            targets: profile[ear]!.targets, latency: .init(samples: latency.samples, milliseconds: latency.milliseconds),
            groupDelay: delays, ospl90: ospl.sweep, fullOnGain: fullOn.sweep, response60: response.sweep,
            insertionGain: insertion, ioCurves: io, attackRelease: timing, distortion: distortion,
            tolerances: tolerances, checks: [])
        report.checks = checks(report)
        return report
    }

    private struct ToneSweepResult {
        var sweep: VerificationReport.ToneSweep
        init(inputDBSPL: Double, points: [VerificationReport.TonePoint]) { sweep = .init(inputDBSPL: inputDBSPL, points: points) }
    }

    /// The index of the channel holding `f`.
    func channel(of f: Double, in channels: [Band]) -> Int {
        channels.firstIndex { f >= $0.lowerHz && f < $0.upperHz } ?? (channels.count - 1)
    }

    /// The prescribed gain of a tone (or band) at `f` whose channel input level is `channelLevel`:
    /// T(f) + G_c(L) − G_c(L65), the output held at the channel's MPO (dB).
    func prescribedGainDB(_ processor: ProfileProcessor, frequencyHz f: Double, channelLevelDBSPL level: Double, inputDBSPL: Double) -> (gainDB: Double, mpoDBSPL: Double) {
        let c = channel(of: f, in: processor.channels.bands)
        let curve = processor.curve(channel: c)
        let gain = profile[ear]!.targets.insertionGainDB(atHz: f) + curve.gainDB(atInputDBSPL: level) - curve.gainDB(atInputDBSPL: curve.level65DBSPL)
        return (min(gain, curve.mpoDBSPL - inputDBSPL), curve.mpoDBSPL)
    }

    /// The settling time before a steady measurement: long enough for attack, release and the WOLA, in s.
    var settleSeconds: Double {
        let times = profile[ear]!.bands.map { max($0.attackMilliseconds, $0.releaseMilliseconds / 4) }
        return max(0.12, 5 * (times.max() ?? 50) / 1000 + configuration.latencyMilliseconds / 1000)
    }

    /// A steady tone through a reset processor; the steady output (a whole number of periods,
    /// at least 0.1 s) and the matching input.
    func steadyTone(_ processor: ProfileProcessor, frequencyHz f: Double, inputDBSPL level: Double) -> (input: ArraySlice<Float>, output: ArraySlice<Float>) {
        let fs = configuration.sampleRate
        let periods = (0.1 * f).rounded(.up)
        let measure = Int((periods * fs / f).rounded())
        let settle = Int(settleSeconds * fs)
        let d = processor.algorithmicLatency.samples
        let total = (settle + measure + d) / processor.hop * processor.hop + processor.hop
        processor.reset()
        let x = TestBoxSignals.sine(frequencyHz: f, amplitude: TestBoxSignals.sineAmplitude(dBSPL: level, fullScaleDBSPL: profile.fullScaleDBSPL),
                                    sampleRate: fs, count: total, phase: 0.3)
        let y = TestBoxSignals.run(processor, x)
        return (x[settle..<(settle + measure)], y[(settle + d)..<(settle + d + measure)])
    }

    func measureTone(_ processor: ProfileProcessor, frequencyHz f: Double, inputDBSPL level: Double) -> VerificationReport.TonePoint {
        let fs = configuration.sampleRate, calibration = profile.fullScaleDBSPL
        let (_, y) = steadyTone(processor, frequencyHz: f, inputDBSPL: level)
        let out = TestBoxSignals.toneLevelDBSPL(y, frequencyHz: f, sampleRate: fs, fullScaleDBSPL: calibration)
        let total = TestBoxSignals.levelDBSPL(y, fullScaleDBSPL: calibration)
        let prescribed = prescribedGainDB(processor, frequencyHz: f, channelLevelDBSPL: level, inputDBSPL: level)
        return .init(frequencyHz: f, outputDBSPL: out, totalOutputDBSPL: total, gainDB: out - level,
                     prescribedGainDB: prescribed.gainDB, mpoDBSPL: prescribed.mpoDBSPL)
    }

    func measureDistortion(_ processor: ProfileProcessor, frequencyHz f: Double, inputDBSPL level: Double) -> VerificationReport.DistortionPoint {
        let fs = configuration.sampleRate
        let (_, y) = steadyTone(processor, frequencyHz: f, inputDBSPL: level)
        func power(_ h: Double) -> Double {
            let (re, im) = TestBoxSignals.tone(y, frequencyHz: h * f, sampleRate: fs)
            return (re * re + im * im) / 2
        }
        var harmonics = 0.0
        var h = 2.0
        while h * f < fs / 2 - 2 * fs / Double(y.count) { harmonics += power(h); h += 1 }
        return .init(frequencyHz: f, inputDBSPL: level, thdPercent: 100 * (harmonics / max(power(1), 1e-30)).squareRoot())
    }

    /// Group delay from the output/input phase at f ± 10 Hz (60 dB SPL tones).
    func measureGroupDelay(_ processor: ProfileProcessor, frequencyHz f: Double) -> VerificationReport.GroupDelayPoint {
        let fs = configuration.sampleRate, delta = 10.0
        func phase(_ g: Double) -> Double {
            let (x, y) = steadyTone(processor, frequencyHz: g, inputDBSPL: 60)
            let a = TestBoxSignals.tone(x, frequencyHz: g, sampleRate: fs), b = TestBoxSignals.tone(y, frequencyHz: g, sampleRate: fs)
            // the output segment starts `latency` samples after the input's: a pure delay of the
            // stated latency shows as no phase difference
            return atan2(b.im, b.re) - atan2(a.im, a.re)
        }
        var dphi = phase(f + delta) - phase(f - delta)
        while dphi > .pi { dphi -= 2 * .pi }
        while dphi < -.pi { dphi += 2 * .pi }
        let samples = -dphi / (2 * .pi * 2 * delta) * fs + Double(processor.algorithmicLatency.samples)
        return .init(frequencyHz: f, milliseconds: samples / fs * 1000, samples: samples)
    }

    /// Insertion gain for LTASS-shaped noise at one level (65 536 samples looped three times; the
    /// last two passes measured with a Welch spectrum), per third-octave 250 Hz … 8 kHz below 0.45·fs.
    /// - Parameter speech: The overall level of the noise, in dB SPL.
    /// - Returns: The realised and prescribed insertion gain per band, in dB.
    /// - Throws: The processor's errors.
    public func measureInsertionGain(speechDBSPL speech: Double) throws -> VerificationReport.InsertionGainCurve {
        let processor = try ProfileProcessor(configuration: configuration, profile: profile, ear: ear)
        let fs = configuration.sampleRate, calibration = profile.fullScaleDBSPL
        let count = 1 << 16
        let x = try TestBoxSignals.ltassNoise(sampleRate: fs, speechDBSPL: speech, fullScaleDBSPL: calibration, count: count, seed: UInt64(speech))
        let y = TestBoxSignals.run(processor, x + x + x)
        let d = processor.algorithmicLatency.samples
        let n = 2048, binHz = fs / Double(n)
        let px = try TestBoxSignals.welch(x[...], size: n)
        let py = try TestBoxSignals.welch(y[(count + d)..<(3 * count - n)], size: n)
        let pxAligned = try TestBoxSignals.welch((x + x)[0..<(2 * count - d - n)], size: n)
        let channels = processor.channels.bands
        var bands: [VerificationReport.InsertionGainBand] = []
        for xBand in -6...9 {  // 250 Hz … 8 kHz nominal
            let fc = BandLayout.thirdOctaveMidHz(xBand)
            let lo = fc * pow(10, -1.0 / 20), hi = fc * pow(10, 1.0 / 20)
            guard hi <= 0.45 * fs else { continue }
            let realised = 10 * log10(TestBoxSignals.bandPower(py, lowerHz: lo, upperHz: hi, binHz: binHz)
                                      / TestBoxSignals.bandPower(pxAligned, lowerHz: lo, upperHz: hi, binHz: binHz))
            let ch = channels[channel(of: fc, in: channels)]
            let lch = 10 * log10(TestBoxSignals.bandPower(px, lowerHz: ch.lowerHz, upperHz: ch.upperHz, binHz: binHz)) + calibration
            let c = channel(of: fc, in: channels)
            let curve = processor.curve(channel: c)
            let prescribed = profile[ear]!.targets.insertionGainDB(atHz: fc) + curve.gainDB(atInputDBSPL: lch) - curve.gainDB(atInputDBSPL: curve.level65DBSPL)
            bands.append(.init(centerHz: fc, label: BandLayout.nominalLabel(thirdOctave: xBand), realisedDB: realised, prescribedDB: prescribed,
                               differenceDB: realised - prescribed, channelLevelDBSPL: lch, checked: checkedRangeHz.contains(fc)))
        }
        return .init(speechDBSPL: speech, bands: bands)
    }

    /// ANSI S3.22 attack/release: a tone steps 55 → 90 → 55 dB SPL; the output envelope (RMS over
    /// whole periods) must stay within 3 dB (attack) / 4 dB (release) of its new steady level.
    func measureAttackRelease(frequencyHz f: Double) throws -> VerificationReport.AttackReleaseResult {
        let processor = try ProfileProcessor(configuration: configuration, profile: profile, ear: ear)
        let fs = configuration.sampleRate
        // The fitted times of the band the tone falls in: the channel's own band when the profile
        // was fitted in the preset's channels, else the fitted band whose centre is nearest.
        let bands = profile[ear]!.bands
        let c = channel(of: f, in: processor.channels.bands)
        let band = !processor.refittedProfile && c < bands.count ? bands[c] : bands.min { abs(log($0.centerHz / f)) < abs(log($1.centerHz / f)) }!
        let fittedAttack = band.attackMilliseconds, fittedRelease = band.releaseMilliseconds
        let hop = processor.hop
        let segment = Int(fs * (fittedRelease / 1000 * 4 + 0.2)) / hop * hop
        var x = [Float]()
        for (i, level) in [AttackRelease.lowLevelDBSPL, AttackRelease.highLevelDBSPL, AttackRelease.lowLevelDBSPL].enumerated() {
            let a = TestBoxSignals.sineAmplitude(dBSPL: level, fullScaleDBSPL: profile.fullScaleDBSPL)
            x += (0..<segment).map { n in Float(a * sin(2 * .pi * f * Double(n + i * segment) / fs)) }
        }
        let y = TestBoxSignals.run(processor, x)
        let latency = processor.algorithmicLatency.samples
        let window = max(1, Int((fs / f).rounded()))
        func settle(stepAt step: Int, tolerance: Double) -> Double {
            let env = stride(from: step + latency, to: step + segment - window, by: window).map {
                10 * log10(max(TestBoxSignals.meanSquare(y[$0..<($0 + window)]), 1e-30))
            }
            let tail = max(1, env.count / 5)
            let steady = env.suffix(tail).reduce(0, +) / Double(tail)
            var last = 0
            for (i, e) in env.enumerated() where abs(e - steady) > tolerance { last = i + 1 }
            return Double(last * window) / fs * 1000
        }
        return .init(frequencyHz: f, lowDBSPL: AttackRelease.lowLevelDBSPL, highDBSPL: AttackRelease.highLevelDBSPL,
                     attackMilliseconds: settle(stepAt: segment, tolerance: 3), releaseMilliseconds: settle(stepAt: 2 * segment, tolerance: 4),
                     fittedAttackMilliseconds: fittedAttack, fittedReleaseMilliseconds: fittedRelease)
    }
}
