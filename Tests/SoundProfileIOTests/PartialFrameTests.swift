import Foundation
import Testing
import SoundProfileDSP
@testable import SoundProfileIO

/// Every sample counts (docs/CONVENTIONS.md "Frames"): files shorter than one FFT frame and the
/// samples after the last full frame, checked against levels computed with numpy alone
/// (Fixtures/partial/make_partial.py wrote the files and reference.json).
@Suite struct PartialFrameTests {
    struct Reference: Decodable {
        struct BandReference: Decodable { var centerHz, leqDB, minDB, maxDB: Double }
        var samples: Int
        var fftSize: Int
        var overallLeqDB: Double
        var bands: [BandReference]
    }

    static let references: [String: Reference] = {
        let data = FileManager.default.contents(atPath: fixture("partial/reference.json")) ?? Data()
        return (try? JSONDecoder().decode([String: Reference].self, from: data)) ?? [:]
    }()

    @Test(arguments: ["tone-1-sample-48k.wav", "tone-100-samples-48k.wav", "tone-1000-samples-48k.wav", "tone-4095-samples-48k.wav",
                      "zeros-then-tone-48k.wav", "noise-with-tail-16k.wav"])
    func levelsMatchTheNumpyReference(name: String) throws {
        let reference = try #require(Self.references[name])
        let settings = AnalysisSettings(layout: try .octave(from: 125, to: 8000))
        let result = try FileAnalysis.analyze(path: fixture("partial/" + name), settings: settings)
        #expect(result.fftSize == reference.fftSize)
        #expect(abs(result.durationSeconds * Double(result.sampleRate) - Double(reference.samples)) < 0.5)
        let channel = result.channels[0]
        // The overall Leq is the exact mean square of every sample (the RMS `info` reports).
        #expect(abs(channel.overallLeqDB - reference.overallLeqDB) <= 0.01, "\(name): overall \(channel.overallLeqDB) vs \(reference.overallLeqDB)")
        #expect(channel.bands.count == reference.bands.count)
        // Bands more than 120 dB below the file's level hold only window leakage, which the
        // analysis's 32-bit float FFT cannot resolve (numpy computes in 64 bits).
        for expected in reference.bands where expected.leqDB > reference.overallLeqDB - 120 {
            let band = try #require(channel.bands.first { abs($0.centerHz - expected.centerHz) < 0.1 })
            #expect(abs(band.leqDB - expected.leqDB) <= 0.01, "\(name) \(band.label): Leq \(band.leqDB) vs \(expected.leqDB)")
            #expect(abs(band.maxDB - expected.maxDB) <= 0.01, "\(name) \(band.label): max \(band.maxDB) vs \(expected.maxDB)")
            #expect(abs(band.minDB - expected.minDB) <= 0.01, "\(name) \(band.label): min \(band.minDB) vs \(expected.minDB)")
        }
    }

    /// A short tone keeps its level in its band (closed form: 20·log10(0.5/√2) + 100 = 90.97 dB
    /// SPL for a 1 kHz tone of amplitude 0.5; 1000 samples are 20.8 ms, 21 periods, narrow enough
    /// in frequency to stay in the 1 kHz octave).
    @Test func aShortToneReadsItsLevelInItsBand() throws {
        let result = try FileAnalysis.analyze(path: fixture("partial/tone-1000-samples-48k.wav"),
                                              settings: AnalysisSettings(layout: try .octave(from: 125, to: 8000)))
        let band = try #require(result.channels[0].bands.first { $0.label == "1k" })
        let closedForm = 20 * log10(0.5 / 2.0.squareRoot()) + 100
        #expect(abs(band.leqDB - closedForm) < 0.1, "1 kHz octave \(band.leqDB) vs \(closedForm)")
    }

    /// `info`'s RMS in dB SPL is `analyze`'s overall Leq, whatever the length.
    @Test(arguments: ["partial/tone-1-sample-48k.wav", "partial/tone-100-samples-48k.wav", "partial/zeros-then-tone-48k.wav",
                      "partial/noise-with-tail-16k.wav", "audio/speech-espeak-16k.wav", "audio/stereo-48k.wav"])
    func overallLeqIsInfosRMS(path: String) throws {
        let info = try AudioFileInfo.measure(path: fixture(path), fullScaleDBSPL: 100)
        let result = try FileAnalysis.analyze(path: fixture(path), settings: AnalysisSettings())
        for (levels, channel) in zip(info.channels, result.channels) {
            #expect(abs(levels.rmsDBSPL - channel.overallLeqDB) <= 0.001, "\(path) channel \(channel.channel)")
        }
    }

    /// A file that ends exactly on a frame boundary has no partial frame: its bands are the plain
    /// frame statistics of the core, as before.
    @Test func fullLengthFilesKeepThePlainFrameStatistics() throws {
        let samples = try AudioFileReader(path: fixture("audio/white-noise-48k-float.wav")).readAll()[0]
        let n = 4096, hop = 2048, length = n + 20 * hop
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("partial-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("whole-frames.wav").path
        let writer = try AudioFileWriter(path: path, sampleRate: 48000, channelCount: 1)
        try Array(samples[0..<length]).withUnsafeBufferPointer { try writer.write($0) }
        try writer.finish()
        let layout = try BandLayout.octave(from: 125, to: 8000)
        let result = try FileAnalysis.analyze(path: path, settings: AnalysisSettings(layout: layout))
        let analyzer = try BandAnalyzer(layout: layout, sampleRate: 48000, fftSize: n, narrowBands: .merge)
        var stats = LevelStatistics(bandCount: analyzer.bandCount)
        for start in stride(from: 0, through: length - n, by: hop) {
            stats.add(levels: analyzer.bandLevels(of: Array(samples[start..<(start + n)])))
        }
        #expect(stats.frameCount == 21)
        for (b, band) in result.channels[0].bands.enumerated() {
            let s = try #require(stats.summary(band: b))
            #expect(abs(band.leqDB - s.leqDB) <= 0.002 && abs(band.l50DB - s.l50DB) <= 0.0005, "\(band.label)")
            #expect(abs(band.minDB - s.minDB) <= 0.0005 && abs(band.maxDB - s.maxDB) <= 0.0005, "\(band.label)")
        }
    }
}
