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

/// What `soundprofile info` reports about one audio file: its container and encoding, and its
/// peak and RMS levels, in dBFS and in dB SPL (DESIGN.md "Level calibration").
///
/// dBFS is relative to a sample value of 1.0, for the peak and for the RMS alike (as SoX's
/// `stats` and ffmpeg's `astats` do): a full-scale sine has its peak at 0 dBFS and its RMS at
/// −3.01 dBFS. dB SPL adds the calibration `fullScaleDBSPL` (the level of a signal whose RMS is
/// 1.0), so RMS dB SPL is the level `analyze` reports as the overall Leq, and peak dB SPL is the
/// peak sound pressure level 20·log10(|x|max) + fullScaleDBSPL. Digital silence reads −200 dBFS
/// (the project's floor: a power of 10⁻²⁰ instead of −∞).
public struct AudioFileInfo: Codable, Sendable, Equatable {
    /// Levels of one channel, or of all channels together.
    public struct Levels: Codable, Sendable, Equatable {
        /// The channel index from 0; absent for the whole file.
        public var channel: Int?
        /// Largest |sample|, in dBFS.
        public var peakDBFS: Double
        /// Root mean square of the samples, in dBFS.
        public var rmsDBFS: Double
        /// The peak as a sound pressure level, in dB SPL.
        public var peakDBSPL: Double
        /// The RMS as a sound pressure level (the Leq over the file), in dB SPL.
        public var rmsDBSPL: Double
    }

    /// The file as given.
    public var file: String
    /// The container, as libsndfile names it (e.g. "WAV (Microsoft)").
    public var container: String
    /// The sample encoding, as libsndfile names it (e.g. "Signed 16 bit PCM").
    public var encoding: String
    /// In Hz.
    public var sampleRate: Int
    /// Channels per frame.
    public var channelCount: Int
    /// Frames (samples per channel).
    public var frameCount: Int64
    /// frameCount ÷ sampleRate, in seconds.
    public var durationSeconds: Double
    /// The calibration: the level of a signal whose RMS is 1.0, in dB SPL.
    public var fullScaleDBSPL: Double
    /// NaN and infinite samples, left out of the levels.
    public var nonFiniteSamples: Int
    /// Every channel together.
    public var overall: Levels
    /// Each channel.
    public var channels: [Levels]

    /// The floor of every level in dBFS (digital silence).
    public static let floorDBFS = -200.0

    /// Reads `path` to the end and measures it, a chunk at a time (memory does not grow with
    /// the file). Not real-time safe (file I/O).
    /// - Parameters:
    ///   - path: A file libsndfile reads, or `-` for standard input.
    ///   - fullScaleDBSPL: The calibration in dB SPL (the level of RMS 1.0).
    /// - Returns: The file's format and levels.
    /// - Throws: ``AudioFileError`` when the file cannot be read.
    public static func measure(path: String, fullScaleDBSPL: Double) throws -> AudioFileInfo {
        let reader = try AudioFileReader(path: path)
        let format = reader.format
        let channelCount = format.channelCount
        var peak = [Double](repeating: 0, count: channelCount)
        var sumSquares = [Double](repeating: 0, count: channelCount)
        var counts = [Int](repeating: 0, count: channelCount)
        var nonFinite = 0
        var frames: Int64 = 0
        var chunk = [Float](repeating: 0, count: 4096 * channelCount)
        while true {
            let n = try chunk.withUnsafeMutableBufferPointer { try reader.read(into: $0) }
            if n == 0 { break }
            frames += Int64(n)
            for c in 0..<channelCount {
                var p = peak[c], s = 0.0, k = 0
                for f in 0..<n {
                    let x = Double(chunk[f * channelCount + c])
                    guard x.isFinite else { nonFinite += 1; continue }
                    p = max(p, abs(x))
                    s += x * x
                    k += 1
                }
                peak[c] = p
                sumSquares[c] += s
                counts[c] += k
            }
        }
        func levels(channel: Int?, peak: Double, meanSquare: Double) -> Levels {
            let peakDB = 20 * log10(max(peak, 1e-10)), rmsDB = 10 * log10(max(meanSquare, 1e-20))
            return Levels(channel: channel, peakDBFS: peakDB, rmsDBFS: rmsDB,
                          peakDBSPL: peakDB + fullScaleDBSPL, rmsDBSPL: rmsDB + fullScaleDBSPL)
        }
        let perChannel = (0..<channelCount).map {
            levels(channel: $0, peak: peak[$0], meanSquare: counts[$0] > 0 ? sumSquares[$0] / Double(counts[$0]) : 0)
        }
        let total = counts.reduce(0, +)
        let overall = levels(channel: nil, peak: peak.max() ?? 0,
                             meanSquare: total > 0 ? sumSquares.reduce(0, +) / Double(total) : 0)
        return AudioFileInfo(file: path, container: format.container, encoding: format.encoding, sampleRate: format.sampleRate,
                             channelCount: channelCount, frameCount: frames,
                             durationSeconds: Double(frames) / Double(format.sampleRate), fullScaleDBSPL: fullScaleDBSPL,
                             nonFiniteSamples: nonFinite, overall: overall, channels: perChannel)
    }
}
