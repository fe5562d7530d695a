import Foundation
import Testing
import SoundProfileDSP
@testable import SoundProfileIO

@Suite struct FileAnalysisTests {
    @Test(arguments: ["audio/tone-1k-48k.wav", "audio/white-noise-48k-float.wav", "audio/speech-espeak-16k.wav"])
    func fileAnalysisEqualsTheCoreOnTheSameSamples(path: String) throws {
        let settings = AnalysisSettings(layout: try .octave(from: 125, to: 8000))
        let result = try FileAnalysis.analyze(path: fixture(path), settings: settings)
        // The same frames through BandAnalyzer directly.
        let samples = try AudioFileReader(path: fixture(path)).readAll()[0]
        let n = result.fftSize, hop = result.hop
        let analyzer = try BandAnalyzer(layout: .octave(from: 125, to: 8000), sampleRate: Double(result.sampleRate), fftSize: n, narrowBands: .merge)
        var stats = LevelStatistics(bandCount: analyzer.bandCount, powerReferenceDB: 100)
        var sums = [Double](repeating: 0, count: analyzer.bandCount), weights = 0.0
        var start = 0
        while start + n <= samples.count {
            let powers = analyzer.bandPowers(of: Array(samples[start..<(start + n)]))
            stats.add(powers: powers)
            for b in sums.indices { sums[b] += Double(max(powers[b], powerFloor)) }
            weights += 1
            start += hop
        }
        // The samples after the last full frame (docs/CONVENTIONS.md "Frames"): one more frame of
        // the file's last n samples, weighted u/hop for the u samples no full frame reached.
        let u = samples.count - (start - hop + n)
        if u > 0 {
            let powers = analyzer.bandPowers(of: Array(samples[(samples.count - n)...]))
            stats.add(powers: powers)
            for b in sums.indices { sums[b] += Double(u) / Double(hop) * Double(max(powers[b], powerFloor)) }
            weights += Double(u) / Double(hop)
        }
        #expect(result.channels[0].bands.count == analyzer.bandCount)
        for (b, band) in result.channels[0].bands.enumerated() {
            let s = stats.summary(band: b)!
            // Identical computation; the file result is rounded to 0.001 dB.
            let leq = 10 * log10(sums[b] / weights) + 100
            #expect(abs(band.leqDB - leq) <= 0.0005)
            #expect(abs(band.l10DB - s.l10DB) <= 0.0005 && abs(band.l90DB - s.l90DB) <= 0.0005)
            #expect(abs(band.minDB - s.minDB) <= 0.0005 && abs(band.maxDB - s.maxDB) <= 0.0005)
        }
    }

    @Test func stationaryNoiseLeqEqualsMeanSquarePlusCalibration() throws {
        let path = fixture("audio/white-noise-48k-float.wav")
        let samples = try AudioFileReader(path: path).readAll()[0]
        let ms = samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)
        for cal in [94.0, 100.0, 120.0] {
            let result = try FileAnalysis.analyze(path: path, settings: AnalysisSettings(fullScaleDBSPL: cal))
            let expected = 10 * log10(ms) + cal
            #expect(abs(result.channels[0].overallLeqDB - expected) < 0.1, "overall Leq \(result.channels[0].overallLeqDB) vs \(expected)")
        }
    }

    @Test func stereoChannelsAreAnalysedSeparately() throws {
        let result = try FileAnalysis.analyze(path: fixture("audio/stereo-48k.wav"), settings: AnalysisSettings(layout: try .octave(from: 125, to: 8000)))
        #expect(result.channelCount == 2 && result.channels.map(\.channel) == [0, 1])
        // Left holds a 500 Hz tone of amplitude 0.3: 20·log10(0.3/√2) + 100 = 86.47 dB SPL in the 500 Hz band.
        let left = result.channels[0].bands.first { abs($0.centerHz - 501.19) < 0.1 }!
        #expect(abs(left.leqDB - 86.47) < 0.1)
        // Right holds noise and no tone: its 500 Hz band is far from 86 dB.
        let right = result.channels[1].bands.first { abs($0.centerHz - 501.19) < 0.1 }!
        #expect(abs(right.leqDB - 86.47) > 10)
    }

    @Test func defaultFFTSizeScalesWithRate() {
        #expect(AnalysisSettings.defaultFFTSize(sampleRate: 48000) == 4096)
        #expect(AnalysisSettings.defaultFFTSize(sampleRate: 44100) == 4096)
        #expect(AnalysisSettings.defaultFFTSize(sampleRate: 16000) == 1024)
        #expect(AnalysisSettings.defaultFFTSize(sampleRate: 96000) == 8192)
    }

    @Test func bandSpecParsing() throws {
        #expect(try BandLayout.parse(spec: "erb:24", range: "100-8000").count == 24)
        #expect(try BandLayout.parse(spec: "octave", range: "125-8000").count == 7)
        #expect(try BandLayout.parse(spec: "custom:100,1000,4000", range: "").count == 2)
        #expect(throws: BandSpecError(field: "--bands", value: "fifth-octave", allowed: BandLayout.specHelp)) {
            try BandLayout.parse(spec: "fifth-octave", range: "125-8000")
        }
        #expect(throws: BandSpecError.self) { try BandLayout.parse(spec: "octave", range: "8000-125") }
    }
}
