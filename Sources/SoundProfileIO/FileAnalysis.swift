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

/// One band's statistics in an analysis result (DESIGN.md "Formats": Analysis).
public struct BandAnalysisResult: Codable, Sendable, Equatable {
    /// The band's position in the requested layout (`--bands` over `--range`), 0 for the lowest:
    /// the same band has the same index in every file, whatever its sample rate (bands above
    /// fs/2 are dropped from the top). A merged band carries the index of its lowest member.
    public var index: Int
    /// The band's name: the IEC 61260-1 nominal frequency for octave and third-octave bands
    /// ("31.5", "1k", "12.5k"), the centre rounded to 0.1 Hz below 1 kHz and to 10 Hz above
    /// ("447.2", "1.23k") for ERB, log-spaced and custom bands, and "lowest–highest" for a band
    /// merged from narrow neighbours ("25–31.5").
    public var label: String
    /// Exact centre frequency, in Hz.
    public var centerHz: Double
    /// Lower edge, in Hz.
    public var lowerHz: Double
    /// Upper edge, in Hz.
    public var upperHz: Double
    /// Equivalent continuous level, in dB SPL.
    public var leqDB: Double
    /// Level exceeded in 10 % of frames, in dB SPL.
    public var l10DB: Double
    /// Level exceeded in 50 % of frames, in dB SPL.
    public var l50DB: Double
    /// Level exceeded in 90 % of frames, in dB SPL.
    public var l90DB: Double
    /// Lowest frame level, in dB SPL.
    public var minDB: Double
    /// Highest frame level, in dB SPL.
    public var maxDB: Double
}

/// One channel's analysis.
public struct ChannelAnalysisResult: Codable, Sendable, Equatable {
    /// Channel index (0 = left).
    public var channel: Int
    /// Overall equivalent level over all frequencies, in dB SPL.
    public var overallLeqDB: Double
    /// Per-band statistics, lowest band first.
    public var bands: [BandAnalysisResult]
}

/// The analysis of one audio file (DESIGN.md "Formats": Analysis).
public struct FileAnalysisResult: Codable, Sendable, Equatable {
    /// Always 1.
    public var schemaVersion: Int = 1
    /// The path as given.
    public var file: String
    /// In Hz.
    public var sampleRate: Int
    /// The number of channels.
    public var channelCount: Int
    /// In seconds.
    public var durationSeconds: Double
    /// FFT length in samples.
    public var fftSize: Int
    /// Frame advance in samples.
    public var hop: Int
    /// The level of a signal with RMS 1.0, in dB SPL.
    public var fullScaleDBSPL: Double
    /// One entry per channel.
    public var channels: [ChannelAnalysisResult]
    /// Samples that were NaN, ±∞ or beyond ±``AnalysisSettings/maxSampleMagnitude`` and were
    /// analysed as 0 (only with ``UnusableSamplePolicy/zero``; absent otherwise).
    public var zeroedSamples: Int?
    /// How the result was made (tool version and the options as given); set by the command
    /// line, absent where the caller does not record it.
    public var provenance: AnalysisProvenance?
    /// Something a reader must know to trust the numbers, such as ``noSamplesNote`` for a file
    /// that holds no samples (its levels are the silence floor); absent otherwise.
    public var note: String?

    /// The ``note`` of a file with no samples.
    public static let noSamplesNote = "holds no samples: every level is the silence floor, not a measurement"
}

/// A file that could not be analysed: `{"file": …, "error": …}`.
public struct FileAnalysisFailure: Codable, Sendable, Equatable, Error {
    /// Always 1.
    public var schemaVersion: Int = 1
    /// The path as given.
    public var file: String
    /// What went wrong, naming the reason.
    public var error: String
    /// The options of the run that tried the file (as in a result); absent where the caller
    /// does not record it.
    public var provenance: AnalysisProvenance?

    /// A failure record for `file` with the reason `error`.
    public init(file: String, error: String, provenance: AnalysisProvenance? = nil) {
        self.file = file
        self.error = error
        self.provenance = provenance
    }
}

/// How files are analysed.
public struct AnalysisSettings: Sendable, Equatable {
    /// The requested bands; bands above fs/2 are dropped per file.
    public var layout: BandLayout
    /// FFT length; `nil` picks ``defaultFFTSize(sampleRate:)`` per file.
    public var fftSize: Int?
    /// Frame advance; `nil` means half the FFT length.
    public var hop: Int?
    /// Calibration, in dB SPL for RMS 1.0.
    public var fullScaleDBSPL: Double
    /// The analysis window.
    public var window: WindowKind
    /// What to do with bands narrower than the bin spacing.
    public var narrowBands: NarrowBandPolicy
    /// The most channels a file may have (default 64); memory per file grows with it.
    public var maxChannels: Int
    /// What to do with NaN, ±∞ and samples beyond ±``maxSampleMagnitude``.
    public var unusableSamples: UnusableSamplePolicy

    /// The largest sample magnitude analysed: 1e9 (180 dB above full scale). Beyond it band
    /// powers can overflow the 32-bit float analysis, so such samples count as unusable.
    public static let maxSampleMagnitude: Float = 1e9
    /// The default channel limit.
    public static let defaultMaxChannels = 64

    /// The default analysis: third-octave bands 25 Hz–20 kHz, periodic Hann, 50 % overlap,
    /// FFT length scaled with the sample rate, narrow bands merged, 100 dB SPL full scale.
    public init(layout: BandLayout? = nil, fftSize: Int? = nil, hop: Int? = nil, fullScaleDBSPL: Double = 100,
                window: WindowKind = .hann, narrowBands: NarrowBandPolicy = .merge,
                maxChannels: Int = AnalysisSettings.defaultMaxChannels, unusableSamples: UnusableSamplePolicy = .reject) {
        // swiftlint:disable:next force_try
        self.layout = layout ?? (try! BandLayout.thirdOctave(from: 25, to: 20000))
        self.fftSize = fftSize
        self.hop = hop
        self.fullScaleDBSPL = fullScaleDBSPL
        self.window = window
        self.narrowBands = narrowBands
        self.maxChannels = maxChannels
        self.unusableSamples = unusableSamples
    }

    /// 4096 points at 48 kHz, scaled with the sample rate to the nearest power of two
    /// (so the bin spacing stays near 11.7 Hz): 1024 at 8–16 kHz … 4096 at 44.1/48 kHz, 8192 at 96 kHz.
    public static func defaultFFTSize(sampleRate: Int) -> Int {
        let ideal = 4096 * Double(sampleRate) / 48000
        let exponent = (log2(ideal)).rounded()
        return max(RealFFT.sizeRange.lowerBound, min(RealFFT.sizeRange.upperBound, 1 << Int(exponent)))
    }

    /// The bands kept for a sample rate: those whose upper edge lies at or below fs/2.
    func layout(forSampleRate fs: Int) throws -> BandLayout {
        let kept = layout.bands.filter { $0.upperHz <= Double(fs) / 2 }
        guard !kept.isEmpty else { throw BandLayoutError.noBandsBelowNyquist(nyquistHz: Double(fs) / 2) }
        return try BandLayout(bands: kept)
    }
}

/// Progress reported while a file is analysed.
public typealias AnalysisProgress = @Sendable (_ framesDone: Int64) -> Void

/// Analyses audio files in chunks: memory stays bounded whatever the file's length.
///
/// Each channel gets its own ``BandAnalyzer`` and ``LevelStatistics``; frames of `fftSize`
/// samples advance by `hop`. Every sample counts: the overall Leq is the exact mean square of
/// the channel (the RMS `soundprofile info` reports); when samples remain after the last full
/// frame, the file's last `fftSize` samples are one more frame, counting u/hop of a frame in the
/// band Leq for the u samples no full frame reached; a file shorter than one frame is one frame
/// of its samples centred in the window, zero-padded and scaled to the window energy they sit
/// under (docs/CONVENTIONS.md "Frames").
/// Not real-time safe (file I/O); one call per task.
public enum FileAnalysis {
    /// Analyses the file at `path`.
    /// - Parameters:
    ///   - path: An audio file libsndfile reads.
    ///   - settings: Bands, FFT, calibration.
    ///   - progress: Called now and then with the frames read so far (optional).
    ///   - isCancelled: Polled between chunks; when it returns true the analysis stops with
    ///     `CancellationError`.
    /// - Returns: The result in the DESIGN.md analysis format.
    /// - Throws: ``AudioFileError``, ``BandLayoutError``, ``FFTError`` or `CancellationError`.
    public static func analyze(path: String, settings: AnalysisSettings, progress: AnalysisProgress? = nil,
                               isCancelled: @Sendable () -> Bool = { false }) throws -> FileAnalysisResult {
        let reader = try AudioFileReader(path: path)
        return try analyze(reader: reader, settings: settings, progress: progress, isCancelled: isCancelled)
    }

    /// Analyses an open reader; see ``analyze(path:settings:progress:isCancelled:)``.
    ///
    /// Memory does not depend on what the header claims: the channel count is checked against
    /// ``AnalysisSettings/maxChannels`` before anything is allocated, the read buffer holds at
    /// most ``readBufferSamples`` samples whatever the channel count, and files with more than
    /// ``channelsPerPass`` channels are analysed in passes of that many channels (the file is
    /// reopened for each pass).
    /// - Throws: ``AudioFileError``, ``BandLayoutError``, ``FFTError``, ``AnalysisInputError``,
    ///   ``AnalysisSettingsError`` or `CancellationError`.
    public static func analyze(reader: AudioFileReader, settings: AnalysisSettings, progress: AnalysisProgress? = nil,
                               isCancelled: @Sendable () -> Bool = { false }) throws -> FileAnalysisResult {
        let format = reader.format
        guard supportedSampleRates.contains(Double(format.sampleRate)) else {
            throw BandLayoutError.invalidSampleRate(Double(format.sampleRate))
        }
        let channels = format.channelCount
        guard channels <= settings.maxChannels else {
            throw AnalysisInputError.tooManyChannels(channels, limit: settings.maxChannels)
        }
        let fftSize = settings.fftSize ?? AnalysisSettings.defaultFFTSize(sampleRate: format.sampleRate)
        let hop = settings.hop ?? fftSize / 2
        guard hop >= 1, hop <= fftSize else { throw AnalysisSettingsError.invalidHop(hop, fftSize: fftSize) }
        let layout = try settings.layout(forSampleRate: format.sampleRate)
        // Whole frames only, at most readBufferSamples samples (at least one frame).
        let chunkFrames = max(1, readBufferSamples / channels)
        let chunk = UnsafeMutableBufferPointer<Float>.allocate(capacity: chunkFrames * channels)
        defer { chunk.deallocate() }
        var results: [ChannelAnalysisResult] = []
        var total: Int64 = 0
        var unusable = UnusableSampleCount()
        var bands: [Band] = []
        for first in stride(from: 0, to: channels, by: channelsPerPass) {
            let group = first..<min(channels, first + channelsPerPass)
            // The first pass reads through the reader given; later passes reopen the file.
            let passReader = first == 0 ? reader : try AudioFileReader(path: reader.path)
            var analyzers: [ChannelState] = []
            for _ in group {
                analyzers.append(try ChannelState(layout: layout, sampleRate: Double(format.sampleRate), fftSize: fftSize, hop: hop, settings: settings))
            }
            var passFrames: Int64 = 0
            while true {
                if isCancelled() { throw CancellationError() }
                let n = try passReader.read(into: chunk)
                if n == 0 { break }
                if first == 0 {
                    // Unusable samples are counted once, over all channels, in the first pass.
                    unusable.scan(chunk, frames: n, channels: channels, firstFrame: passFrames,
                                  zero: settings.unusableSamples == .zero)
                } else if settings.unusableSamples == .zero {
                    var ignored = UnusableSampleCount()
                    ignored.scan(chunk, frames: n, channels: channels, firstFrame: passFrames, zero: true)
                }
                passFrames += Int64(n)
                // Rejected files are read to the end only to count the bad samples.
                if unusable.count == 0 || settings.unusableSamples == .zero {
                    for (i, c) in group.enumerated() { analyzers[i].push(chunk, frames: n, channel: c, stride: channels) }
                }
                if first == 0 { progress?(passFrames) }
            }
            if first == 0 {
                total = passFrames
                if unusable.count > 0, settings.unusableSamples == .reject {
                    throw AnalysisInputError.unusableSamples(count: unusable.count, firstFrame: unusable.firstFrame,
                                                             firstChannel: unusable.firstChannel, sampleRate: format.sampleRate)
                }
            }
            for a in analyzers { a.finish() }
            bands = analyzers[0].analyzer.layout.bands
            let indices = analyzers[0].analyzer.layout.sources.map(\.lowerBound)
            for (i, state) in analyzers.enumerated() {
                let summaries = state.statistics.summaries
                results.append(ChannelAnalysisResult(
                    channel: group.lowerBound + i,
                    overallLeqDB: roundedLevel(state.overallLeqDB),
                    bands: zip(zip(indices, bands), summaries).enumerated().map { b, entry in
                        let ((index, band), s) = entry
                        return BandAnalysisResult(index: index, label: band.label, centerHz: band.centerHz, lowerHz: band.lowerHz, upperHz: band.upperHz,
                                           leqDB: roundedLevel(state.leqDB(band: b)), l10DB: roundedLevel(s.l10DB), l50DB: roundedLevel(s.l50DB),
                                           l90DB: roundedLevel(s.l90DB), minDB: roundedLevel(s.minDB), maxDB: roundedLevel(s.maxDB))
                    }))
            }
        }
        return FileAnalysisResult(
            file: reader.path, sampleRate: format.sampleRate, channelCount: channels,
            durationSeconds: Double(total) / Double(format.sampleRate), fftSize: fftSize, hop: hop,
            fullScaleDBSPL: settings.fullScaleDBSPL, channels: results,
            zeroedSamples: settings.unusableSamples == .zero ? unusable.count : nil,
            note: total == 0 ? FileAnalysisResult.noSamplesNote : nil)
    }

    /// Channels analysed together in one pass over the file; more channels mean more passes.
    public static let channelsPerPass = 8
    /// The read buffer's size in samples (all channels together): 256 KiB of Float.
    public static let readBufferSamples = 65536
}

/// NaN, ±∞ and out-of-range samples seen so far, and where the first one was.
struct UnusableSampleCount {
    var count = 0
    var firstFrame: Int64 = 0
    var firstChannel = 0

    /// Counts (and, with `zero`, replaces by 0) the unusable samples of `frames` interleaved frames.
    mutating func scan(_ chunk: UnsafeMutableBufferPointer<Float>, frames: Int, channels: Int, firstFrame frame0: Int64, zero: Bool) {
        let limit = AnalysisSettings.maxSampleMagnitude
        let total = frames * channels
        var i = 0
        // Eight samples at a time while all are usable (NaN fails both comparisons): the scan
        // runs over every decoded sample, so it costs about one instruction per sample, not five.
        if let base = chunk.baseAddress {
            let high = SIMD8<Float>(repeating: limit), low = -high
            while i + 8 <= total {
                let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Float>.self)
                if !all((v .>= low) .& (v .<= high)) { for j in i..<(i + 8) { check(chunk, j, channels, frame0, zero, limit) } }
                i += 8
            }
        }
        while i < total { check(chunk, i, channels, frame0, zero, limit); i += 1 }
    }

    @inline(__always)
    private mutating func check(_ chunk: UnsafeMutableBufferPointer<Float>, _ i: Int, _ channels: Int, _ frame0: Int64,
                                _ zero: Bool, _ limit: Float) {
        // `!(|x| <= limit)` is true for NaN as well as for ±∞ and huge finite values.
        if !(abs(chunk[i]) <= limit) {
            if count == 0 {
                firstFrame = frame0 + Int64(i / channels)
                firstChannel = i % channels
            }
            count += 1
            if zero { chunk[i] = 0 }
        }
    }
}

/// Why a readable audio file cannot be analysed.
public enum AnalysisInputError: Error, Equatable, CustomStringConvertible {
    /// More channels than ``AnalysisSettings/maxChannels``.
    case tooManyChannels(Int, limit: Int)
    /// Samples that are NaN, ±∞ or beyond ±``AnalysisSettings/maxSampleMagnitude``: how many,
    /// and the first one's frame (0-based) and channel.
    case unusableSamples(count: Int, firstFrame: Int64, firstChannel: Int, sampleRate: Int)

    /// The reason in words, naming no option of any front end: the service shows it as it is.
    public var description: String {
        switch self {
        case let .tooManyChannels(n, limit):
            "channel count \(n) is not allowed: at most \(limit) channels are analysed"
        case let .unusableSamples(count, frame, channel, rate):
            "\(count) sample\(count == 1 ? " is" : "s are") NaN, infinite or beyond ±1e9 (the first at frame \(frame), "
                + "channel \(channel), \(cFormat("%.6f", Double(frame) / Double(rate))) s); "
                + "only finite samples up to ±1e9 can be analysed"
        }
    }

    /// The command-line option that lets such a file through, for front ends that have it.
    public var commandLineRemedy: String {
        switch self {
        case .tooManyChannels: "--max-channels raises the limit"
        case .unusableSamples: "--zero-unusable-samples analyses them as 0"
        }
    }
}

/// What ``FileAnalysis`` does with NaN, ±∞ and samples beyond ±``AnalysisSettings/maxSampleMagnitude``.
public enum UnusableSamplePolicy: String, Sendable, CaseIterable, Codable {
    /// The file fails with ``AnalysisInputError/unusableSamples(count:firstFrame:firstChannel:sampleRate:)``.
    case reject
    /// They are analysed as 0 and counted in ``FileAnalysisResult/zeroedSamples``.
    case zero
}

/// Levels are reported to 0.001 dB: finer digits are float noise, and rounding keeps the text
/// output short and identical across runs.
func roundedLevel(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

/// One channel's sliding frame, analyzer and statistics.
///
/// Frames of `fftSize` samples advance by `hop`. When samples remain after the last full frame,
/// one more frame is analysed: the file's last `fftSize` samples (a full frame off the hop grid),
/// counting u/hop of a frame in the band Leq, u being the samples no full frame reached. A file
/// shorter than one frame is one frame of its samples centred in the window and zero-padded,
/// with the band powers divided by the share of the window's energy those positions carry (so a
/// steady signal reads its true level). In L10/L50/L90, minimum and maximum the extra frame is
/// one frame. The overall Leq is the exact mean square of every sample.
final class ChannelState {
    let analyzer: BandAnalyzer
    var statistics: LevelStatistics
    let frame: UnsafeMutableBufferPointer<Float>
    /// The `hop` samples the last full frame dropped from its start when it moved on: with the
    /// samples still in `frame` they make up the end frame (the file's last `fftSize` samples).
    let dropped: UnsafeMutableBufferPointer<Float>
    let levels: UnsafeMutableBufferPointer<Float>
    let hop: Int
    var filled = 0
    /// Σ x² over every sample of the channel, and how many samples.
    var sumSquares = 0.0
    var samples: Int64 = 0
    /// Σ weight · band power over frames (floored as in the statistics), and Σ weight.
    var bandPowerSums: [Double]
    var frameWeight = 0.0
    var frames = 0

    init(layout: BandLayout, sampleRate: Double, fftSize: Int, hop: Int, settings: AnalysisSettings) throws {
        guard hop >= 1, hop <= fftSize else {
            throw AnalysisSettingsError.invalidHop(hop, fftSize: fftSize)
        }
        analyzer = try BandAnalyzer(layout: layout, sampleRate: sampleRate, fftSize: fftSize, window: settings.window,
                                    fullScaleDBSPL: settings.fullScaleDBSPL, narrowBands: settings.narrowBands)
        statistics = LevelStatistics(bandCount: analyzer.bandCount, powerReferenceDB: settings.fullScaleDBSPL)
        frame = .allocate(capacity: fftSize)
        frame.initialize(repeating: 0)
        dropped = .allocate(capacity: hop)
        dropped.initialize(repeating: 0)
        levels = .allocate(capacity: analyzer.bandCount)
        levels.initialize(repeating: 0)
        bandPowerSums = [Double](repeating: 0, count: analyzer.bandCount)
        self.hop = hop
    }

    deinit {
        frame.deallocate()
        dropped.deallocate()
        levels.deallocate()
    }

    /// Appends interleaved samples of one channel; analyses every frame that completes.
    func push(_ chunk: UnsafeMutableBufferPointer<Float>, frames count: Int, channel: Int, stride: Int) {
        let n = analyzer.fftSize
        let source = chunk.baseAddress! + channel, destination = frame.baseAddress!
        var squares = 0.0
        for j in 0..<count { let x = Double(source[j * stride]); squares += x * x }
        sumSquares += squares
        samples += Int64(count)
        var i = 0
        while i < count {
            let take = min(count - i, n - filled), at = filled
            if stride == 1 {
                (destination + at).update(from: source + i, count: take)
            } else {
                for j in 0..<take { destination[at + j] = source[(i + j) * stride] }
            }
            filled = at + take
            i += take
            if filled == n {
                analyseFrame(scale: 1, weight: 1)
                dropped.baseAddress!.update(from: frame.baseAddress!, count: hop)
                // Keep the last n − hop samples for the next frame.
                let keep = n - hop
                if keep > 0 { frame.baseAddress!.update(from: frame.baseAddress! + hop, count: keep) }
                filled = keep
            }
        }
    }

    /// Analyses the end frame, if samples remain that no full frame reached.
    func finish() {
        let n = analyzer.fftSize
        if samples == 0 {
            // No samples at all: one silent frame, so every statistic reads digital silence.
            for j in 0..<n { frame[j] = 0 }
            analyseFrame(scale: 1, weight: 1)
            return
        }
        let m = filled
        if frames > 0 {
            // `frame` holds the m = n − hop + u samples after the last full frame's first hop,
            // `dropped` that hop: the file's last n samples are dropped[u..<hop] and these m.
            let u = m - (n - hop)
            guard u > 0 else { return }
            let end = frame.baseAddress!
            memmove(end + (hop - u), end, m * MemoryLayout<Float>.stride)  // may overlap
            end.update(from: dropped.baseAddress! + u, count: hop - u)
            analyseFrame(scale: 1, weight: Double(u) / Double(hop))
            return
        }
        // Shorter than one frame: centre the m samples in the window (its middle carries most
        // weight), zero the rest, and scale to the window energy they sit under.
        let offset = (n - m) / 2
        if offset > 0 {
            memmove(frame.baseAddress! + offset, frame.baseAddress!, m * MemoryLayout<Float>.stride)  // overlapping
            for j in 0..<offset { frame[j] = 0 }
        }
        for j in (offset + m)..<n { frame[j] = 0 }
        let w = analyzer.window.values
        var all = 0.0, held = 0.0
        for j in 0..<n {
            let e = Double(w[j]) * Double(w[j])
            all += e
            if j >= offset, j < offset + m { held += e }
        }
        analyseFrame(scale: held > 0 ? Float(all / held) : 1, weight: 1)
    }

    private func analyseFrame(scale: Float, weight: Double) {
        // Powers straight into the statistics: one log2f per band, no pow (`levels` holds powers).
        _ = analyzer.bandPowers(frame: UnsafeBufferPointer(frame), into: levels)
        if scale != 1 { for b in 0..<levels.count { levels[b] *= scale } }
        statistics.add(powers: UnsafeBufferPointer(levels))
        for b in 0..<levels.count { bandPowerSums[b] += weight * Double(max(levels[b], powerFloor)) }
        frameWeight += weight
        frames += 1
    }

    /// Band `b`'s Leq in dB SPL: the weighted mean of its frame powers.
    func leqDB(band b: Int) -> Double {
        10 * log10(bandPowerSums[b] / max(frameWeight, .leastNormalMagnitude)) + analyzer.fullScaleDBSPL
    }

    /// The mean square of every sample, in dB SPL (digital silence and no samples: the power floor).
    var overallLeqDB: Double {
        let meanSquare = samples > 0 ? sumSquares / Double(samples) : 0
        return 10 * log10(max(meanSquare, Double(powerFloor))) + analyzer.fullScaleDBSPL
    }
}

/// Invalid analysis settings.
public enum AnalysisSettingsError: Error, Equatable, CustomStringConvertible {
    /// A hop outside 1…fftSize.
    case invalidHop(Int, fftSize: Int)

    public var description: String {
        switch self {
        case let .invalidHop(hop, n): "hop \(hop) is not allowed: it must be 1…\(n) (the FFT size)"
        }
    }
}
