import Foundation
import Testing
@testable import SoundProfileDSP

@Suite struct BandAnalyzerTests {
    /// Bands that cover [0, fs/2] exactly: log-spaced inner edges plus a band from 0 Hz.
    static func coveringLayout(sampleRate: Double, fftSize: Int) throws -> BandLayout {
        let spacing = sampleRate / Double(fftSize)
        let inner = try BandLayout.logSpaced(count: 6, from: 2 * spacing, to: sampleRate / 2).bands
        return try BandLayout(bands: [Band(lowerHz: 0, upperHz: 2 * spacing)] + inner)
    }

    @Test(arguments: WindowKind.allCases, [64, 256, 1000, 4096])
    func bandPowersSumToWindowedMeanSquare(window: WindowKind, fftSize: Int) throws {
        let fs = 48000.0
        let analyzer = try BandAnalyzer(layout: Self.coveringLayout(sampleRate: fs, fftSize: fftSize),
                                        sampleRate: fs, fftSize: fftSize, window: window)
        let w = Window(window, count: fftSize).values
        for seed in 1...5 {
            let x = whiteNoise(sigma: 0.2, count: fftSize, seed: UInt64(seed * 1000 + fftSize))
            // The frame's mean square as the window weights it: Σ(w·x)² / Σw²; equal to the plain
            // mean square for the rectangular window.
            var num = 0.0, den = 0.0
            for i in 0..<fftSize { num += Double(w[i] * x[i]) * Double(w[i] * x[i]); den += Double(w[i]) * Double(w[i]) }
            let expected = num / den
            let powers = analyzer.bandPowers(of: x)
            let sum = powers.reduce(0.0) { $0 + Double($1) }
            #expect(abs(sum / expected - 1) < 1e-4, "sum \(sum) vs \(expected), \(window) N=\(fftSize)")
            if window == .rectangular { #expect(abs(sum / meanSquare(x) - 1) < 1e-4) }
        }
    }

    @Test(arguments: [(16000.0, 1024), (48000.0, 1024), (48000.0, 4096), (44100.0, 8192)])
    func sineCentredInBandReadsItsRMSLevel(sampleRate: Double, fftSize: Int) throws {
        let layout = try BandLayout.thirdOctave(from: 25, to: 20000)
        let analyzer = try BandAnalyzer(layout: layout, sampleRate: sampleRate, fftSize: fftSize,
                                        fullScaleDBSPL: 100, narrowBands: .merge)
        var checked = 0
        for (b, band) in analyzer.layout.bands.enumerated() where analyzer.map.binsPerBand[b] >= 4 {
            for amplitude in [1.0, 0.1, 0.001] {
                let x = sine(frequency: band.centerHz, amplitude: amplitude, sampleRate: sampleRate, count: fftSize, phase: 0.3)
                let levels = analyzer.bandLevels(of: x)
                let expected = 20 * log10(amplitude / 2.0.squareRoot()) + 100
                #expect(abs(Double(levels[b]) - expected) < 0.05,
                        "band \(band.label): \(levels[b]) dB SPL, expected \(expected) (fs \(sampleRate), N \(fftSize))")
            }
            checked += 1
        }
        #expect(checked >= 8)
    }

    @Test func fullScaleSineReadsCalibrationMinus3dB() throws {
        let analyzer = try BandAnalyzer(layout: .thirdOctave(from: 1000, to: 1000), sampleRate: 48000, fftSize: 4096, fullScaleDBSPL: 94)
        let levels = analyzer.bandLevels(of: sine(frequency: 1000, amplitude: 1, sampleRate: 48000, count: 4096))
        #expect(abs(Double(levels[0]) - (94 - 3.0103)) < 0.05)
    }

    @Test func whiteNoiseThirdOctaveLevelsFollowBandwidth() throws {
        let fs = 48000.0, n = 4096, frames = 300, sigma = 0.05
        let analyzer = try BandAnalyzer(layout: .thirdOctave(from: 25, to: 20000), sampleRate: fs, fftSize: n, narrowBands: .merge)
        let noise = whiteNoise(sigma: sigma, count: n * frames, seed: 42)
        var mean = [Double](repeating: 0, count: analyzer.bandCount)
        for f in 0..<frames {
            let p = analyzer.bandPowers(of: Array(noise[(f * n)..<((f + 1) * n)]))
            for b in mean.indices { mean[b] += Double(p[b]) / Double(frames) }
        }
        var checked = 0
        for (b, band) in analyzer.layout.bands.enumerated() where analyzer.map.binsPerBand[b] >= 8 {
            let expected = 10 * log10(sigma * sigma * band.widthHz / (fs / 2)) + 100
            let measured = 10 * log10(mean[b]) + 100
            #expect(abs(measured - expected) < 0.5, "band \(band.label): \(measured) vs \(expected) dB SPL")
            checked += 1
        }
        #expect(checked >= 15)
    }

    @Test func silenceReadsThePowerFloor() throws {
        let analyzer = try BandAnalyzer(layout: .octave(from: 125, to: 8000), sampleRate: 48000, fftSize: 1024)
        let levels = analyzer.bandLevels(of: [Float](repeating: 0, count: 1024))
        for l in levels { #expect(abs(Double(l) - (100 - 200)) < 1e-3) }
    }

    /// The band-major edge weights against DESIGN.md's rule computed here from scratch: bin k
    /// stands for [(k−½)Δf, (k+½)Δf) clipped to [0, fs/2], its weight in a band is the fraction
    /// of that interval inside the band. Bands with edges mid-bin, a band inside one bin, a band
    /// from 0 Hz (DC bin) and one up to fs/2 (Nyquist bin).
    @Test func bandMajorWeightsFollowTheOverlapRule() throws {
        let fs = 16000.0, n = 64
        let df = fs / Double(n)  // 250 Hz
        let layout = try BandLayout(bands: [
            Band(lowerHz: 0, upperHz: 300), Band(lowerHz: 300, upperHz: 360), Band(lowerHz: 360, upperHz: 1130),
            Band(lowerHz: 1130, upperHz: 3000), Band(lowerHz: 3000, upperHz: 7900), Band(lowerHz: 7900, upperHz: 8000),
        ])
        let map = BinBandMap(layout: layout, fftSize: n, sampleRate: fs)
        for (b, band) in layout.bands.enumerated() {
            var expected: [Int: Double] = [:]
            for k in 0...(n / 2) {
                let lo = max(0, (Double(k) - 0.5) * df), hi = min(fs / 2, (Double(k) + 0.5) * df)
                let overlap = min(hi, band.upperHz) - max(lo, band.lowerHz)
                if overlap > 0 { expected[k] = overlap / (hi - lo) }
            }
            let first = Int(map.bandFirstBin[b]), last = Int(map.bandLastBin[b])
            #expect(first == expected.keys.min()! && last == expected.keys.max()!, "band \(b): bins \(first)…\(last)")
            for k in first...last {
                let weight = k == first ? Double(map.bandFirstWeight[b]) : k == last ? Double(map.bandLastWeight[b]) : 1
                #expect(abs(weight - expected[k]!) < 1e-6, "band \(b) bin \(k): \(weight) vs \(expected[k]!)")
            }
            if first == last { #expect(map.bandLastWeight[b] == 0) }
        }
        #expect(map.bandFirstBin[1] == 1 && map.bandLastBin[1] == 1, "300–360 Hz lies inside bin 1 (125–375 Hz)")
        #expect(map.bandFirstBin[5] == 32 && map.bandLastBin[5] == 32, "7900–8000 Hz lies inside the Nyquist bin")
    }

    /// Band levels against an independent computation: a direct DFT in double precision, the
    /// one-sided factor and edge weights computed from their definitions, 10·log10 in double.
    @Test(arguments: [(16000.0, 64), (48000.0, 512), (44100.0, 1000)])
    func bandLevelsMatchADirectDFT(sampleRate fs: Double, fftSize n: Int) throws {
        let requested = try BandLayout.thirdOctave(from: 25, to: 20000)
        let analyzer = try BandAnalyzer(layout: BandLayout(bands: requested.bands.filter { $0.upperHz <= fs / 2 }),
                                        sampleRate: fs, fftSize: n, fullScaleDBSPL: 94, narrowBands: .merge)
        let x = whiteNoise(sigma: 0.1, count: n, seed: 9)
        let w = Window(.hann, count: n).values
        let df = fs / Double(n)
        var binPower = [Double](repeating: 0, count: n / 2 + 1)
        for k in 0...(n / 2) {
            var re = 0.0, im = 0.0
            for i in 0..<n {
                let v = Double(x[i]) * Double(w[i]), phase = -2 * Double.pi * Double(k * i % n) / Double(n)
                re += v * cos(phase); im += v * sin(phase)
            }
            binPower[k] = (k == 0 || k == n / 2 ? 1 : 2) * (re * re + im * im)
        }
        let sumW2 = w.reduce(0.0) { $0 + Double($1) * Double($1) }
        let levels = analyzer.bandLevels(of: x)
        for (b, band) in analyzer.layout.bands.enumerated() {
            var p = 0.0
            for k in 0...(n / 2) {
                let lo = max(0, (Double(k) - 0.5) * df), hi = min(fs / 2, (Double(k) + 0.5) * df)
                let overlap = min(hi, band.upperHz) - max(lo, band.lowerHz)
                if overlap > 0 { p += overlap / (hi - lo) * binPower[k] }
            }
            let expected = 10 * log10(max(p / (Double(n) * sumW2), 1e-20)) + 94
            #expect(abs(Double(levels[b]) - expected) < 0.01, "band \(band.label): \(levels[b]) vs \(expected) dB SPL (fs \(fs), N \(n))")
        }
    }

    /// Non-finite samples give non-finite powers, never a trap.
    @Test func nonFiniteSamplesDoNotTrap() throws {
        let analyzer = try BandAnalyzer(layout: .octave(from: 125, to: 8000), sampleRate: 48000, fftSize: 256, narrowBands: .merge)
        for bad in [Float.nan, .infinity, -.infinity, .greatestFiniteMagnitude] {
            var x = [Float](repeating: 0.1, count: 256)
            x[100] = bad
            let levels = analyzer.bandLevels(of: x)
            #expect(levels.count == analyzer.bandCount)
        }
    }

    @Test func invalidCalibrationIsNamed() {
        #expect {
            _ = try BandAnalyzer(layout: .octave(from: 125, to: 8000), sampleRate: 48000, fftSize: 1024, fullScaleDBSPL: 250)
        } throws: { error in
            String(describing: error) == "fullScaleDBSPL 250.0 is not allowed: it must be a finite number from 0 to 200 dB SPL"
        }
    }
}

