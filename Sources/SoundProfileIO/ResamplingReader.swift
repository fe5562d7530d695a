internal import CSampleRate
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads an audio file at another sample rate: an ``AudioFileReader`` followed by libsamplerate's
/// best band-limited sinc converter (`SRC_SINC_BEST_QUALITY`: pass band to 97 % of the lower
/// Nyquist frequency, stop band below −140 dB, measured in `ResampleTests`).
///
/// The output is aligned with the input in time (libsamplerate compensates its own filter
/// delay) and has exactly `round(frames × outRate / inRate)` frames (the input continues as
/// silence past its end, as the band-limited reconstruction assumes). NaN and infinite input samples
/// would smear over the filter's length, so they are replaced by 0 before resampling and
/// counted in ``nonFiniteSampleCount``. Memory does not grow with the file. Not real-time safe
/// (file I/O).
public final class ResamplingReader {
    /// The file being read, at its own rate.
    public let source: AudioFileReader
    /// The format of what ``read(into:)`` returns: the source's, at the new rate, with the
    /// resampled frame count.
    public let format: AudioFormat
    /// Output rate ÷ input rate.
    public let ratio: Double
    /// Non-finite input samples replaced by 0 so far.
    public private(set) var nonFiniteSampleCount = 0
    private let state: OpaquePointer
    private let channels: Int
    private let input: UnsafeMutableBufferPointer<Float>
    private var inputStart = 0, inputFrames = 0
    private var sourceEnded = false, inputEnded = false, finished = false
    private var zeroBlocks = 0
    private var produced: Int64 = 0

    /// Resamples `source` to `sampleRate`.
    /// - Parameters:
    ///   - source: An open reader (read only through this object from now on).
    ///   - sampleRate: The output rate in Hz; at most 256 times above or below the source's.
    /// - Throws: ``AudioFileError`` (invalid parameter) naming the rates when libsamplerate
    ///   cannot convert between them.
    public init(_ source: AudioFileReader, to sampleRate: Int) throws {
        self.source = source
        channels = source.format.channelCount
        ratio = Double(sampleRate) / Double(source.format.sampleRate)
        guard sampleRate > 0, src_is_valid_ratio(ratio) != 0 else {
            throw AudioFileError(path: source.path, reason: .invalidParameter,
                                 detail: "cannot resample \(source.format.sampleRate) Hz to \(sampleRate) Hz: the ratio must be within 1/256…256")
        }
        var error: Int32 = 0
        guard let state = src_new(Int32(SRC_SINC_BEST_QUALITY), Int32(channels), &error) else {
            throw AudioFileError(path: source.path, reason: .invalidParameter,
                                 detail: "libsamplerate: \(String(cString: src_strerror(error))) (\(channels) channels)")
        }
        self.state = state
        var format = source.format
        format.sampleRate = sampleRate
        format.frameCount = Int64((Double(source.format.frameCount) * ratio).rounded())
        self.format = format
        input = .allocate(capacity: 4096 * channels)
    }

    deinit {
        src_delete(state)
        input.deallocate()
    }

    /// Reads up to `buffer.count / channelCount` resampled frames, interleaved, into `buffer`.
    /// - Parameter buffer: Room for whole frames.
    /// - Returns: The number of frames written; 0 at the end.
    /// - Throws: ``AudioFileError`` from the source, or when libsamplerate fails.
    public func read(into buffer: UnsafeMutableBufferPointer<Float>) throws -> Int {
        let wanted = buffer.count / channels
        var done = 0
        while done < wanted, !finished {
            if inputFrames == 0, !sourceEnded {
                inputStart = 0
                inputFrames = try source.read(into: input)
                if inputFrames == 0 {
                    sourceEnded = true
                } else {
                    for i in 0..<(inputFrames * channels) where !input[i].isFinite {
                        input[i] = 0
                        nonFiniteSampleCount += 1
                    }
                }
            }
            if inputFrames == 0, sourceEnded, !inputEnded {
                // After the file: silence, as the sinc reconstruction assumes, until the last
                // promised frame is out (libsamplerate's own end-of-input flush can stop one
                // frame short); end of input after that.
                if zeroBlocks < 8 {
                    zeroBlocks += 1
                    inputStart = 0
                    inputFrames = input.count / channels
                    for i in input.indices { input[i] = 0 }
                } else {
                    inputEnded = true
                }
            }
            var data = SRC_DATA()
            data.data_in = UnsafePointer(input.baseAddress! + inputStart * channels)
            data.input_frames = inputFrames
            data.data_out = buffer.baseAddress! + done * channels
            // Never more than the promised total, so the length is exactly round(frames × ratio).
            data.output_frames = min(wanted - done, Int(max(0, format.frameCount - produced)))
            data.end_of_input = inputEnded ? 1 : 0
            data.src_ratio = ratio
            let error = src_process(state, &data)
            guard error == 0 else {
                throw AudioFileError(path: source.path, reason: .invalidParameter, detail: "libsamplerate: \(String(cString: src_strerror(error)))")
            }
            inputStart += data.input_frames_used
            inputFrames -= data.input_frames_used
            done += data.output_frames_gen
            produced += Int64(data.output_frames_gen)
            if produced >= format.frameCount || (inputEnded && data.output_frames_gen == 0) { finished = true }
        }
        return done
    }
}
