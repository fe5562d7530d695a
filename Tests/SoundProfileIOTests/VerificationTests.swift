import Foundation
import Testing
import SoundProfileDSP
@testable import SoundProfileIO

/// The test box against independent measurements: the same signals through the same processor,
/// analysed here with their own FFT (rectangular window over whole periods for tones, one FFT of a
/// whole loop for the LTASS noise) instead of the test box's Hann DFT and Welch spectrum. Agreement
/// within 0.2 dB; the prescription recomputed from the profile's numbers.
@Suite struct VerificationTests {
    static func n3Profile(_ configuration: ProcessorConfiguration = .pod24k) throws -> SoundProfile {
        var options = FittingOptions(rule: .nalR)
        options.fitInChannels(of: configuration)
        return try SoundProfile.fit(audiogram: PictureTests.n3(), options: options)
    }

    private static let cached = Result { try TestBox(profile: n3Profile(), ear: .right, configuration: .pod24k).run() }
    /// N3 (NAL-R, pod24k channels), right ear, on pod24k; measured once per test run.
    static func report() async throws -> VerificationReport { try await offThePool { try cached.get() } }

    /// Runs `x` through a fresh processor with the test's own loop.
    static func process(_ profile: SoundProfile, _ x: [Float], configuration: ProcessorConfiguration = .pod24k) throws -> (y: [Float], latency: Int) {
        let processor = try ProfileProcessor(configuration: configuration, profile: profile, ear: .right)
        let hop = processor.hop
        var y = [Float](repeating: 0, count: x.count / hop * hop)
        var block = [Float](repeating: 0, count: hop)
        for start in stride(from: 0, to: y.count, by: hop) {
            block.withUnsafeMutableBufferPointer { out in
                x[start..<(start + hop)].withUnsafeBufferPointer { processor.process(input: $0, output: out) }
            }
            y.replaceSubrange(start..<(start + hop), with: block)
        }
        return (y, processor.algorithmicLatency.samples)
    }

    /// |X_k|² per bin of a rectangular-window FFT of exactly `x` (a whole number of periods), as
    /// mean square per bin (one-sided; the bins sum to the mean square).
    static func lineSpectrum(_ x: ArraySlice<Float>) throws -> [Double] {
        let n = x.count
        let fft = try RealFFT(size: n)
        for (i, v) in x.enumerated() { fft.input[i] = v }
        fft.forward()
        return (0...(n / 2)).map { k in
            let re = Double(fft.spectrum[2 * k]), im = Double(fft.spectrum[2 * k + 1])
            return (k == 0 || k == n / 2 ? 1 : 2) * (re * re + im * im) / Double(n * n)
        }
    }

    static func dB(_ meanSquare: Double) -> Double { 10 * log10(meanSquare) + 100 }

    @Test(arguments: [(1000.0, 60.0), (4000, 60), (1000, 90), (500, 80), (2000, 45)])
    func toneOutputAgreesWithAnIndependentFFT(frequency: Double, level: Double) async throws {
        let report = try await Self.report()
        let measured: Double
        if level == 90 {
            measured = try #require(report.ospl90.points.first { abs($0.frequencyHz - frequency) < 0.01 }).outputDBSPL
        } else if level == 60, let p = report.response60.points.first(where: { abs($0.frequencyHz - frequency) < 0.01 }) {
            measured = p.outputDBSPL
        } else {
            measured = try #require(report.ioCurves.first { $0.frequencyHz == frequency }?.points.first { $0.inputDBSPL == level }).outputDBSPL
        }
        let fs = 24000.0, period = 4800  // 0.2 s: a whole number of periods of every test frequency
        let amplitude = pow(10, (level - 100) / 20) * 2.0.squareRoot()
        let x = (0..<Int(fs * 0.6)).map { Float(amplitude * sin(2 * .pi * frequency * Double($0) / fs + 1.0)) }
        let (y, _) = try await offThePool { try Self.process(Self.n3Profile(), x) }
        let p = try Self.lineSpectrum(y[(y.count - period)...])
        let k = Int((frequency * Double(period) / fs).rounded())
        let independent = Self.dB(p[k])
        #expect(abs(measured - independent) <= 0.2, "\(Int(frequency)) Hz at \(Int(level)) dB SPL: test box \(measured), independent \(independent) dB SPL")
    }

    @Test(arguments: [(65.0, "1k"), (65, "2k"), (55, "500"), (80, "4k")])
    func ltassInsertionGainAgreesWithAnIndependentFFT(speech: Double, label: String) async throws {
        let report = try await Self.report()
        let band = try #require(report.insertionGain.first { $0.speechDBSPL == speech }?.bands.first { $0.label == label })
        // The same looping noise (the signal is shared; the analysis is not): one whole loop of the
        // steady output against the loop of the input it came from, each with one FFT.
        let count = 1 << 16
        let x = try TestBoxSignals.ltassNoise(sampleRate: 24000, speechDBSPL: speech, fullScaleDBSPL: 100, count: count, seed: UInt64(speech))
        let (y, d) = try await offThePool { try Self.process(Self.n3Profile(), x + x + x) }
        let py = try Self.lineSpectrum(y[(count + d)..<(2 * count + d)])
        let px = try Self.lineSpectrum(x[...])
        let binHz = 24000.0 / Double(count)
        let lo = band.centerHz * pow(10, -1.0 / 20), hi = band.centerHz * pow(10, 1.0 / 20)
        let bins = Int((lo / binHz).rounded(.up))...Int((hi / binHz).rounded(.down))
        let independent = 10 * log10(bins.reduce(0) { $0 + py[$1] } / bins.reduce(0) { $0 + px[$1] })
        #expect(abs(band.realisedDB - independent) <= 0.2, "LTASS \(Int(speech)) dB SPL, \(label) Hz: test box \(band.realisedDB), independent \(independent) dB")
    }

    @Test func distortionAgreesWithAnIndependentFFT() async throws {
        let report = try await Self.report()
        for point in report.distortion {
            let fs = 24000.0, period = 4800
            let amplitude = pow(10, (70 - 100) / 20) * 2.0.squareRoot()
            let x = (0..<Int(fs * 0.6)).map { Float(amplitude * sin(2 * .pi * point.frequencyHz * Double($0) / fs)) }
            let (y, _) = try await offThePool { try Self.process(Self.n3Profile(), x) }
            let p = try Self.lineSpectrum(y[(y.count - period)...])
            let k = Int(point.frequencyHz * Double(period) / fs)
            let harmonics = stride(from: 2 * k, to: period / 2 - 1, by: k).reduce(0.0) { $0 + p[$1] }
            let independent = 100 * (harmonics / p[k]).squareRoot()
            #expect(abs(point.thdPercent - independent) <= 0.1, "\(Int(point.frequencyHz)) Hz: THD \(point.thdPercent) %, independent \(independent) %")
        }
    }

    /// The processor's gains are real (zero phase) per bin, so its group delay is its latency.
    @Test func groupDelayIsTheStatedLatency() async throws {
        let report = try await Self.report()
        #expect(report.latency.samples == ProcessorConfiguration.pod24k.latencySamples)
        for point in report.groupDelay {
            #expect(abs(point.samples - Double(report.latency.samples)) <= 0.5, "\(Int(point.frequencyHz)) Hz: \(point.samples) samples")
            #expect(abs(point.milliseconds - point.samples / 24) <= 1e-9)
        }
    }

    /// The prescription next to every tone is the profile's own: T(f) + (1/CR − 1)·(L − (K + 25))
    /// above the kneepoint, held at the MPO (recomputed here from the profile's numbers).
    @Test func prescribedToneOutputIsTheProfiles() async throws {
        let report = try await Self.report()
        let ear = try Self.n3Profile()[.right]!
        for curve in report.ioCurves {
            let band = ear.bands[curve.channel]
            #expect(curve.frequencyHz >= band.lowerHz && curve.frequencyHz < band.upperHz)
            for p in curve.points where p.inputDBSPL >= band.kneepointDBSPL {
                let t = ear.targets.insertionGainDB(atHz: curve.frequencyHz)
                let expected = min(p.inputDBSPL + t + (1 / band.compressionRatio - 1) * (p.inputDBSPL - (band.kneepointDBSPL + 25)), band.mpoDBSPL)
                #expect(abs(p.prescribedOutputDBSPL - expected) <= 0.01, "\(Int(curve.frequencyHz)) Hz at \(p.inputDBSPL): \(p.prescribedOutputDBSPL) vs \(expected)")
            }
        }
    }

    /// The checks follow the tolerances: what passes at ±3 dB fails at ±0.1 dB, and a THD limit
    /// below the measured THD fails.
    @Test func checksFailWhenTheTolerancesAreTight() async throws {
        let report = try await Self.report()
        #expect(report.passes(kind: "fitting"), "\(report.checks.filter { !$0.pass })")
        var tight = VerificationTolerances()
        tight.responseDB = 0.1
        tight.maximumTHDPercent = 0.01
        let checks = try TestBox(profile: Self.n3Profile(), ear: .right, configuration: .pod24k, tolerances: tight).checks(report)
        #expect(checks.contains { $0.name.hasPrefix("insertion gain") && $0.kind == "fitting" && !$0.pass })
        #expect(checks.first { $0.name.hasPrefix("THD") }.map { $0.pass == (report.distortion.map(\.thdPercent).max()! <= 0.01) } == true)
        // Every curve is there, with the frequencies the issue names.
        #expect(report.ioCurves.map(\.frequencyHz) == [500, 1000, 2000, 4000])
        #expect(report.ioCurves.allSatisfy { $0.points.map(\.inputDBSPL) == Array(stride(from: 40.0, through: 100, by: 5)) })
        #expect(report.insertionGain.map(\.speechDBSPL) == [55, 65, 80])
        #expect(abs(report.ospl90.points.first!.frequencyHz - 199.53) < 0.01 && report.ospl90.points.last!.frequencyHz < 0.45 * 24000)
        #expect(report.distortion.map(\.frequencyHz) == [500, 800, 1600])
    }

    @Test func aToleranceOutOfRangeIsRejectedByName() async throws {
        var t = VerificationTolerances()
        t.responseDB = 0
        #expect(throws: TestBoxError.invalidTolerance(field: "responseDB", value: 0, allowed: "0.1…40.0")) {
            try TestBox(profile: Self.n3Profile(), ear: .right, configuration: .pod24k, tolerances: t)
        }
    }

    /// The JSON carries every curve, with units in the keys.
    @Test func jsonRoundTrips() async throws {
        let report = try await Self.report()
        let data = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(VerificationReport.self, from: data) == report)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"ospl90\"", "\"fullOnGain\"", "\"response60\"", "\"insertionGain\"", "\"ioCurves\"", "\"attackRelease\"", "\"distortion\"",
                    "\"groupDelay\"", "\"units\"", "\"thdPercent\"", "\"outputDBSPL\"", "\"attackMilliseconds\"", "\"frequencyHz\""] {
            #expect(text.contains(key), "\(key) missing")
        }
    }
}
