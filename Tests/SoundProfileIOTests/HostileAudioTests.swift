import Foundation
import Testing
import SoundProfileDSP
@testable import SoundProfileIO

/// Issue 11: audio anyone can make (Fixtures/crash, made by make_crash.py) gets a clear error or
/// a result, never a trap, and memory does not follow the header's claims.
@Suite struct HostileAudioTests {
    static let settings = AnalysisSettings(layout: try! .octave(from: 125, to: 8000))

    /// (file, how many unusable samples, first frame, first channel)
    @Test(arguments: [
        ("crash/nan-48k-float.wav", 1, Int64(1000), 0),
        ("crash/inf-48k-float.wav", 2, Int64(2000), 0),
        ("crash/huge-48k-float.wav", 100, Int64(5000), 0),
        ("crash/nan-stereo-48k-float.wav", 1, Int64(4321), 1),
    ])
    func unusableSamplesFailTheFileNamingCountAndFirstPosition(file: String, count: Int, frame: Int64, channel: Int) throws {
        #expect(throws: AnalysisInputError.unusableSamples(count: count, firstFrame: frame, firstChannel: channel, sampleRate: 48000)) {
            try FileAnalysis.analyze(path: fixture(file), settings: Self.settings)
        }
        let message = String(describing: AnalysisInputError.unusableSamples(count: count, firstFrame: frame, firstChannel: channel, sampleRate: 48000))
        #expect(message.contains("\(count) sample") && message.contains("frame \(frame)") && message.contains("channel \(channel)"))
    }

    @Test(arguments: ["crash/nan-48k-float.wav", "crash/inf-48k-float.wav", "crash/huge-48k-float.wav", "crash/nan-stereo-48k-float.wav"])
    func zeroPolicyAnalysesThemAsSilenceAndCountsThem(file: String) throws {
        var settings = Self.settings
        settings.unusableSamples = .zero
        let result = try FileAnalysis.analyze(path: fixture(file), settings: settings)
        #expect((result.zeroedSamples ?? 0) > 0)
        for channel in result.channels {
            #expect(channel.overallLeqDB.isFinite)
            for band in channel.bands {
                let levels = [band.leqDB, band.l10DB, band.l50DB, band.l90DB, band.minDB, band.maxDB]
                #expect(levels.allSatisfy { $0.isFinite })
            }
        }
        // The 1 kHz tone of amplitude 0.1 still reads about 20·log10(0.1/√2) + 100 = 77 dB SPL in its band.
        let band = try #require(result.channels[0].bands.first { abs($0.centerHz - 1000) < 1 })
        #expect(abs(band.l50DB - 77) < 1)
        // Without the option the field is absent from the JSON.
        let plain = try FileAnalysis.analyze(path: fixture("audio/tone-1k-48k.wav"), settings: Self.settings)
        #expect(plain.zeroedSamples == nil)
        #expect(!String(decoding: try JSONEncoder().encode(plain), as: UTF8.self).contains("zeroedSamples"))
    }

    @Test func aHeaderClaimingTooManyChannelsIsRefusedBeforeAllocating() throws {
        #expect(throws: AnalysisInputError.tooManyChannels(1024, limit: 64)) {
            try FileAnalysis.analyze(path: fixture("crash/channels-1024.wav"), settings: Self.settings)
        }
        #expect(throws: AnalysisInputError.tooManyChannels(65, limit: 64)) {
            try FileAnalysis.analyze(path: fixture("crash/channels-65.wav"), settings: Self.settings)
        }
        #expect(String(describing: AnalysisInputError.tooManyChannels(1024, limit: 64)).contains("channel count 1024 is not allowed"))
    }

    /// Above the per-pass channel count the file is read in passes; every channel is analysed once.
    @Test func manyChannelsAreAnalysedInPasses() throws {
        var settings = Self.settings
        settings.maxChannels = 1024
        let wide = try FileAnalysis.analyze(path: fixture("crash/channels-65.wav"), settings: settings)
        #expect(wide.channelCount == 65 && wide.channels.map(\.channel) == Array(0..<65))
        #expect(Set(wide.channels.map(\.overallLeqDB)).count == 1, "every channel is silent")
        let huge = try FileAnalysis.analyze(path: fixture("crash/channels-1024.wav"), settings: settings)
        #expect(huge.channels.count == 1024)
    }

    /// A many-channel file written with distinct content per channel: passes keep channels apart.
    @Test func passesKeepChannelsApart() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sp-passes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("12ch.wav").path
        let channels = 12, frames = 48000
        let writer = try AudioFileWriter(path: path, sampleRate: 48000, channelCount: channels)
        var samples = [Float](repeating: 0, count: channels * frames)
        for f in 0..<frames { for c in 0..<channels { samples[f * channels + c] = Float(c + 1) * 0.01 * sinf(2 * .pi * 1000 * Float(f) / 48000) } }
        try samples.withUnsafeBufferPointer { try writer.write($0) }
        try writer.finish()
        var settings = Self.settings
        settings.maxChannels = channels
        let result = try FileAnalysis.analyze(path: path, settings: settings)
        for c in 0..<channels {
            // Amplitude (c+1)·0.01: each channel 20·log10(c+1) dB above channel 0.
            let expected = result.channels[0].overallLeqDB + 20 * log10(Double(c + 1))
            #expect(abs(result.channels[c].overallLeqDB - expected) < 0.05, "channel \(c)")
        }
    }
}
