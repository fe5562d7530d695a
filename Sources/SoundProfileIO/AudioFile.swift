internal import CSndFile
import Synchronization
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

/// Why an audio file could not be read or written.
public struct AudioFileError: Error, Equatable, CustomStringConvertible {
    /// The kinds of failure, for callers that branch on them.
    public enum Reason: String, Sendable, Equatable {
        /// No file at the path.
        case notFound = "not found"
        /// The file is not in a format libsndfile reads.
        case notAudio = "not an audio file"
        /// The file ends before its header says it should (or is empty).
        case truncated = "truncated"
        /// A known container with an encoding libsndfile cannot decode.
        case unsupported = "unsupported encoding"
        /// A sample rate, channel count or encoding that cannot be written.
        case invalidParameter = "invalid parameter"
        /// Writing, closing or renaming the file failed.
        case writeFailed = "write failed"
        /// The path is a folder.
        case isFolder = "is a folder, not a file"
        /// The file exists but may not be read.
        case permissionDenied = "permission denied"
        /// Reading failed for another reason (the detail says which).
        case unreadable = "cannot read"
    }
    /// The file's path as given.
    public var path: String
    /// What went wrong.
    public var reason: Reason
    /// libsndfile's own message, or more detail.
    public var detail: String

    /// Makes an error for `path`.
    /// - Parameters:
    ///   - path: The file's path as given.
    ///   - reason: What kind of failure.
    ///   - detail: libsndfile's message or more detail.
    public init(path: String, reason: Reason, detail: String) {
        self.path = path
        self.reason = reason
        self.detail = detail
    }

    /// The reason in the one wording every command uses: `not found (no such file or folder)`,
    /// `not an audio file (libsndfile: …)`, `is a folder, not a file`, `permission denied`.
    public var message: String { detail.isEmpty ? reason.rawValue : "\(reason.rawValue) (\(detail))" }

    public var description: String { "\(path): \(message)" }

    /// The error for a failed system call on `path` with `code` (an errno value): not found,
    /// permission denied, is a folder, or `fallback` with the system's words.
    package static func system(path: String, code: Int32, fallback: Reason, doing: String) -> AudioFileError {
        switch code {
        case ENOENT: AudioFileError(path: path, reason: .notFound, detail: "no such file or folder")
        case EACCES, EPERM: AudioFileError(path: path, reason: .permissionDenied, detail: "")
        case EISDIR: AudioFileError(path: path, reason: .isFolder, detail: "")
        default: AudioFileError(path: path, reason: fallback, detail: "\(doing): \(String(cString: strerror(code)))")
        }
    }
}

/// The format of an open audio file.
public struct AudioFormat: Sendable, Equatable {
    /// Samples per second per channel, in Hz.
    public var sampleRate: Int
    /// The number of channels.
    public var channelCount: Int
    /// Frames (samples per channel) in the file.
    public var frameCount: Int64
    /// libsndfile's major format name, e.g. "WAV (Microsoft)".
    public var container: String
    /// libsndfile's subtype name, e.g. "Signed 16 bit PCM".
    public var encoding: String

    /// The duration in seconds.
    public var durationSeconds: Double { sampleRate > 0 ? Double(frameCount) / Double(sampleRate) : 0 }
}

/// Reads an audio file through libsndfile in chunks: memory does not grow with the file.
///
/// Integer formats come back as Float scaled to [-1, 1]. Not real-time safe (file I/O).
public final class AudioFileReader {
    /// The path as given.
    public let path: String
    /// The file's format.
    public let format: AudioFormat
    private let handle: OpaquePointer
    private var framesRead: Int64 = 0

    /// Opens `path` for reading.
    /// - Parameter path: A file libsndfile can read (WAV, FLAC, AIFF, OGG, …), or `-` for
    ///   standard input (see ``StandardInput``).
    /// - Throws: ``AudioFileError`` with reason not found, not audio, truncated or unsupported.
    public init(path given: String) throws {
        self.path = given
        let path = try StandardInput.resolve(given)
        guard PathText.exists(path) else {
            throw AudioFileError(path: given, reason: .notFound, detail: "no such file or folder")
        }
        guard !PathText.isDirectory(path) else {
            throw AudioFileError(path: given, reason: .isFolder, detail: "")
        }
        var info = SF_INFO()
        // A failed sf_open leaves its reason in libsndfile's one global error slot, which a
        // failing open on another thread (analyze --jobs) could overwrite before it is read:
        // open and read the reason under one lock.
        let (opened, failure) = sndfileOpenLock.withLock { _ -> (OpaquePointer?, String) in
            let h = sf_open(path, Int32(SFM_READ), &info)
            return (h, h == nil ? String(cString: sf_strerror(nil)) : "")
        }
        guard let h = opened else {
            // libsndfile words a file it may not open as "System error : Permission denied.":
            // ask the system why, so an unreadable file is not called "not an audio file".
            let probe = open(path, O_RDONLY)
            if probe < 0 { throw AudioFileError.system(path: given, code: errno, fallback: .notAudio, doing: "cannot open") }
            close(probe)
            let message = failure
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            let reason: AudioFileError.Reason
            if size == 0 || message.lowercased().contains("too short") || message.lowercased().contains("truncat") {
                reason = .truncated
            } else if message.lowercased().contains("unsupported") || message.lowercased().contains("not supported") {
                reason = .unsupported
            } else {
                reason = .notAudio
            }
            throw AudioFileError(path: given, reason: reason, detail: size == 0 ? "the file is empty (0 bytes); libsndfile: \(message)" : "libsndfile: \(message)")
        }
        handle = h
        format = AudioFormat(sampleRate: Int(info.samplerate), channelCount: Int(info.channels), frameCount: info.frames,
                             container: Self.formatName(info.format & Int32(SF_FORMAT_TYPEMASK)),
                             encoding: Self.formatName(info.format & Int32(SF_FORMAT_SUBMASK)))
        guard format.channelCount >= 1, format.sampleRate > 0 else {
            sf_close(h)
            throw AudioFileError(path: given, reason: .notAudio, detail: "libsndfile reports \(format.channelCount) channels at \(format.sampleRate) Hz")
        }
        // libsndfile opens a WAV whose header promises more data than the file holds and quietly
        // reports fewer frames; its log says "(should be …)". Treat that as truncated, except
        // for the sizes streaming writers put in a header sent down a pipe.
        if let note = Self.truncationNote(h) {
            sf_close(h)
            throw AudioFileError(path: given, reason: .truncated, detail: "the header promises more audio data than the file holds (libsndfile: \(note))")
        }
    }

    deinit { sf_close(handle) }

    /// Reads up to `buffer.count / channelCount` frames, interleaved, into `buffer`.
    /// - Parameter buffer: Room for whole frames.
    /// - Returns: The number of frames read; 0 at the end of the file.
    /// - Throws: ``AudioFileError`` with reason truncated when the file ends before the frame
    ///   count its header states.
    public func read(into buffer: UnsafeMutableBufferPointer<Float>) throws -> Int {
        let frames = buffer.count / format.channelCount
        guard frames > 0 else { return 0 }
        let got = sf_readf_float(handle, buffer.baseAddress, sf_count_t(frames))
        if got < 0 { throw AudioFileError(path: path, reason: .truncated, detail: "libsndfile: \(String(cString: sf_strerror(handle)))") }
        framesRead += got
        if got == 0, framesRead < format.frameCount {
            throw AudioFileError(path: path, reason: .truncated,
                                 detail: "the header promises \(format.frameCount) frames, the data ends after \(framesRead)")
        }
        return Int(got)
    }

    /// Reads the whole file, de-interleaved: one array per channel.
    ///
    /// Convenience for short files; memory grows with the file.
    /// - Throws: ``AudioFileError``.
    public func readAll() throws -> [[Float]] {
        var channels = [[Float]](repeating: [], count: format.channelCount)
        // The header's frame count is a claim, not a fact: reserve at most 1 Mi frames up front.
        for c in channels.indices { channels[c].reserveCapacity(Int(min(max(0, format.frameCount), 1 << 20))) }
        var chunk = [Float](repeating: 0, count: 4096 * format.channelCount)
        while true {
            let n = try chunk.withUnsafeMutableBufferPointer { try read(into: $0) }
            if n == 0 { break }
            for f in 0..<n { for c in 0..<format.channelCount { channels[c].append(chunk[f * format.channelCount + c]) } }
        }
        return channels
    }

    /// The size a writer puts in a header when it cannot know the length (a pipe cannot seek
    /// back to fix it): 0xFFFFFFFF from ffmpeg, about 0x7FFFFFFF from arecord, 0x7FFFF000 (WAV)
    /// and 0x7F000000 (AIFF) from SoX. A declared size from this value up that the file does not
    /// hold means "to the end of the data", as libsndfile (and soundfile, SoX) read it.
    static let streamingSizeMarker: UInt64 = 0x7E00_0000

    /// The log line of a header size that promises more data than the file holds, unless every
    /// such size is a streaming marker (``streamingSizeMarker``). libsndfile logs each checked
    /// size as `NAME : DECLARED (should be ACTUAL)` and reads only the data that is there, so a
    /// streaming header yields the real length and a lying one cannot inflate memory or length.
    private static func truncationNote(_ h: OpaquePointer) -> String? {
        var log = [CChar](repeating: 0, count: 4096)
        let n = log.withUnsafeMutableBufferPointer { sf_command(h, Int32(SFC_GET_LOG_INFO), $0.baseAddress, Int32($0.count)) }
        guard n > 0 else { return nil }
        let text = String(decoding: log.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // A plain byte search: `StringProtocol.contains(_:)` goes through the regex library,
        // whose first use costs half a million instructions of dynamic casts.
        for line in text.split(separator: "\n") where line.utf8.containsBytes("should be".utf8) {
            guard let sizes = declaredAndActual(line) else { continue }  // e.g. "*** 'data' chunk should be an even number …"
            if sizes.declared > sizes.actual, sizes.declared < streamingSizeMarker { return line.trimmedBlanks }
        }
        return nil
    }

    /// The two numbers of a libsndfile log line `NAME : DECLARED (should be ACTUAL)`.
    static func declaredAndActual(_ line: Substring) -> (declared: UInt64, actual: UInt64)? {
        let bytes = Array(line.utf8)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), let open = bytes.firstIndex(of: UInt8(ascii: "(")),
              colon < open else { return nil }
        func number(_ slice: ArraySlice<UInt8>) -> UInt64? {
            let digits = slice.drop { $0 == 32 || $0 == 9 }.prefix { $0 >= 48 && $0 <= 57 }
            guard !digits.isEmpty, digits.count < 20 else { return nil }
            return digits.reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 48) }
        }
        let prefix = Array("should be".utf8)
        var rest = bytes[(open + 1)...]
        guard rest.starts(with: prefix) else { return nil }
        rest = rest.dropFirst(prefix.count)
        guard let declared = number(bytes[(colon + 1)..<open]), let actual = number(rest) else { return nil }
        return (declared, actual)
    }

    private static func formatName(_ code: Int32) -> String {
        var fmt = SF_FORMAT_INFO()
        fmt.format = code
        guard sf_command(nil, Int32(SFC_GET_FORMAT_INFO), &fmt, Int32(MemoryLayout<SF_FORMAT_INFO>.size)) == 0,
              let name = fmt.name else { return "unknown (0x\(String(code, radix: 16)))" }
        return String(cString: name)
    }
}

/// The sample encodings ``AudioFileWriter`` writes.
public enum AudioFileEncoding: String, Sendable, CaseIterable {
    /// 32-bit float WAV (the default: no quantisation).
    case float32 = "float32"
    /// 16-bit PCM WAV.
    case pcm16 = "pcm16"
    /// 24-bit PCM WAV.
    case pcm24 = "pcm24"
    /// 16-bit FLAC.
    case flac16 = "flac16"

    var sfFormat: Int32 {
        switch self {
        case .float32: Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_FLOAT)
        case .pcm16: Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_PCM_16)
        case .pcm24: Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_PCM_24)
        case .flac16: Int32(SF_FORMAT_FLAC) | Int32(SF_FORMAT_PCM_16)
        }
    }

    /// The file name extension that goes with the encoding.
    public var fileExtension: String { self == .flac16 ? "flac" : "wav" }
}

/// Writes an audio file through libsndfile, atomically: samples go to a temporary file in the
/// same directory, which ``finish()`` renames into place. A writer dropped without `finish`
/// removes its temporary file, so no half-written file is ever left at `path`.
public final class AudioFileWriter {
    /// The final path.
    public let path: String
    private let temporaryPath: String
    private var handle: OpaquePointer?
    /// Channels per frame.
    public let channelCount: Int
    /// The encoding written.
    public let encoding: AudioFileEncoding
    /// How many samples lay outside [−1, 1] and were clipped to it (integer encodings only;
    /// NaN counts too and is written as 0). Float32 output keeps every value.
    public private(set) var clippedSampleCount = 0
    private var scratch: [Float] = []
    /// Whether ``path`` is a stream rather than a file to replace: `-` (standard output), or an
    /// existing device or FIFO such as `/dev/null`. A stream gets the finished file copied in.
    private let isStream: Bool

    /// Whether `path` names something that exists and is neither a regular file nor a folder
    /// (a character device such as `/dev/null`, a FIFO, a socket).
    public static func isStreamTarget(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let type = info.st_mode & S_IFMT
        return type != S_IFREG && type != S_IFDIR
    }

    /// Creates the temporary file for `path`.
    /// - Parameters:
    ///   - path: Where the finished file goes; `-` writes it to standard output at ``finish()``,
    ///     and an existing device or FIFO (``isStreamTarget(_:)``) gets it written into it.
    ///   - sampleRate: In Hz.
    ///   - channelCount: At least 1.
    ///   - encoding: The sample encoding (default float32 WAV).
    /// - Throws: ``AudioFileError``.
    public init(path: String, sampleRate: Int, channelCount: Int, encoding: AudioFileEncoding = .float32) throws {
        self.path = path
        self.channelCount = channelCount
        self.encoding = encoding
        isStream = path == StandardInput.name || Self.isStreamTarget(path)
        if isStream {
            // Standard output or a device: the header needs the final sizes, so the file is made
            // aside and copied out by `finish`.
            temporaryPath = FileManager.default.temporaryDirectory.path + "/.soundprofile-stdout.partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        } else {
            let dir = PathText.deletingLastComponent(path)
            let name = PathText.lastComponent(path)
            temporaryPath = (dir.isEmpty ? "." : dir) + "/.\(name).partial-\(getpid())"
        }
        var info = SF_INFO()
        info.samplerate = Int32(sampleRate)
        info.channels = Int32(channelCount)
        info.format = encoding.sfFormat
        guard sf_format_check(&info) != 0 else {
            throw AudioFileError(path: path, reason: .invalidParameter, detail: "libsndfile cannot write \(encoding.rawValue) at \(sampleRate) Hz with \(channelCount) channels")
        }
        let temporary = temporaryPath
        let (opened, failure) = sndfileOpenLock.withLock { _ -> (OpaquePointer?, String) in
            let h = sf_open(temporary, Int32(SFM_WRITE), &info)
            return (h, h == nil ? String(cString: sf_strerror(nil)) : "")
        }
        guard let h = opened else {
            throw AudioFileError(path: path, reason: .writeFailed, detail: "libsndfile: \(failure)")
        }
        handle = h
        // Integer encodings: over-range samples saturate instead of wrapping (we also clip and
        // count them ourselves in `write`, so this is belt and braces).
        if encoding != .float32 { sf_command(h, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE)) }
    }

    deinit {
        if let handle {
            sf_close(handle)
            unlink(temporaryPath)
        }
    }

    /// Appends interleaved frames.
    /// - Parameter samples: `frames × channelCount` samples.
    /// - Throws: ``AudioFileError`` when libsndfile writes fewer frames.
    public func write(_ samples: UnsafeBufferPointer<Float>) throws {
        guard let handle else { return }
        let frames = samples.count / channelCount
        var n: sf_count_t
        if encoding == .float32 {
            n = sf_writef_float(handle, samples.baseAddress, sf_count_t(frames))
        } else {
            // Clip to full scale and count, as SoX does: integer formats cannot hold more.
            if scratch.count < samples.count { scratch = [Float](repeating: 0, count: samples.count) }
            var clipped = 0
            for i in 0..<samples.count {
                let v = samples[i]
                if v > 1 { scratch[i] = 1; clipped += 1 } else if v < -1 { scratch[i] = -1; clipped += 1 } else if v.isNaN { scratch[i] = 0; clipped += 1 } else { scratch[i] = v }
            }
            clippedSampleCount += clipped
            n = scratch.withUnsafeBufferPointer { sf_writef_float(handle, $0.baseAddress, sf_count_t(frames)) }
        }
        if n != frames {
            throw AudioFileError(path: path, reason: .writeFailed, detail: "libsndfile: \(String(cString: sf_strerror(handle)))")
        }
    }

    /// Copies a finished file to an open descriptor (standard output for the path `-`).
    private static func copy(_ source: String, toDescriptor out: Int32, path: String) throws {
        let fd = open(source, O_RDONLY)
        guard fd >= 0 else { throw AudioFileError(path: path, reason: .writeFailed, detail: String(cString: strerror(errno))) }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n == 0 { return }
            if n < 0 {
                if errno == EINTR { continue }
                throw AudioFileError(path: path, reason: .writeFailed, detail: String(cString: strerror(errno)))
            }
            var written = 0
            while written < n {
                let w = systemWrite(out, buffer.baseAddress! + written, n - written)
                if w < 0 {
                    if errno == EINTR { continue }
                    throw AudioFileError(path: path, reason: .writeFailed, detail: (path == StandardInput.name ? "standard output: " : "") + String(cString: strerror(errno)))
                }
                written += w
            }
        }
    }

    /// Closes the file and moves it to ``path`` (for `-`: copies it to standard output).
    /// - Parameter replacing: Whether a file that exists at ``path`` may be replaced (default
    ///   true). When false, the finished file is linked into place, which fails atomically when
    ///   something is there already (the temporary file is removed and nothing is replaced).
    /// - Throws: ``AudioFileError`` when closing or renaming fails, or (`replacing: false`) with
    ///   reason write failed and detail "exists already" when a file is at ``path``.
    public func finish(replacing: Bool = true) throws {
        guard let h = handle else { return }
        handle = nil
        guard sf_close(h) == 0 else {
            unlink(temporaryPath)
            throw AudioFileError(path: path, reason: .writeFailed, detail: "libsndfile could not close the file")
        }
        if path == StandardInput.name {
            defer { unlink(temporaryPath) }
            try Self.copy(temporaryPath, toDescriptor: STDOUT_FILENO, path: path)
            return
        }
        if isStream {
            defer { unlink(temporaryPath) }
            let out = open(path, O_WRONLY | O_CLOEXEC)
            guard out >= 0 else { throw AudioFileError(path: path, reason: .writeFailed, detail: String(cString: strerror(errno))) }
            defer { close(out) }
            try Self.copy(temporaryPath, toDescriptor: out, path: path)
            return
        }
        if !replacing {
            if link(temporaryPath, path) == 0 {
                unlink(temporaryPath)
                return
            }
            let code = errno
            // A file system without hard links: check, then rename (a window, but no other way).
            if code == EEXIST || PathText.exists(path) {
                unlink(temporaryPath)
                throw AudioFileError(path: path, reason: .writeFailed, detail: "exists already; nothing was replaced")
            }
        }
        guard rename(temporaryPath, path) == 0 else {
            let err = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw AudioFileError(path: path, reason: .writeFailed, detail: err)
        }
    }
}

/// Serialises libsndfile's opens with the reading of its global error message.
private let sndfileOpenLock = Mutex<Void>(())
