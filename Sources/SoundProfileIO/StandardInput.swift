#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `-` as a file name: standard input for readers, standard output for writers, as SoX, ffmpeg
/// and most Unix tools spell it.
///
/// Audio containers need seeking (a WAV header holds sizes, FLAC seeks for its metadata), and a
/// pipe cannot seek, so standard input is copied once, on the first use of `-`, into a private
/// temporary file that every later open of `-` in the process reads (memory does not grow with
/// the stream; the file is removed when the process exits). Not real-time safe (file I/O).
public enum StandardInput {
    /// The name that stands for standard input or output.
    public static let name = "-"

    private static let spool = Mutex<Result<String, AudioFileError>?>(nil)

    /// The path to open for `path`: `path` itself, or for `-` the file holding standard input
    /// (copied on the first call).
    /// - Parameter path: A path as the user gave it.
    /// - Returns: A path that can be opened and sought.
    /// - Throws: ``AudioFileError`` when standard input cannot be read (is a folder, permission
    ///   denied, cannot read) or the temporary file cannot be written.
    public static func resolve(_ path: String) throws -> String {
        guard path == name else { return path }
        let result = spool.withLock { cached -> Result<String, AudioFileError> in
            if let cached { return cached }
            let made: Result<String, AudioFileError>
            do throws(AudioFileError) { made = .success(try copyStandardInput()) } catch { made = .failure(error) }
            cached = made
            return made
        }
        return try result.get()
    }

    /// All of standard input as bytes (for small documents such as an audiogram or a profile).
    /// Reads the same copy as ``resolve(_:)``, so `-` may be opened more than once.
    /// - Throws: ``AudioFileError`` when standard input cannot be read.
    public static func contents() throws -> Data {
        let path = try resolve(name)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AudioFileError(path: name, reason: .notFound, detail: "cannot read the copy of standard input")
        }
        return data
    }

    private static func copyStandardInput() throws(AudioFileError) -> String {
        let directory = FileManager.default.temporaryDirectory.path
        var template = Array((directory + "/soundprofile-stdin-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw AudioFileError(path: name, reason: .notFound, detail: "cannot create a temporary file in \(directory) for standard input: \(String(cString: strerror(errno)))")
        }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        StandardInputCleanup.register(path)
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(STDIN_FILENO, buffer.baseAddress, buffer.count)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw AudioFileError.system(path: name, code: errno, fallback: .unreadable, doing: "reading standard input")
            }
            var written = 0
            while written < n {
                let w = systemWrite(fd, buffer.baseAddress! + written, n - written)
                if w < 0 {
                    if errno == EINTR { continue }
                    throw AudioFileError(path: name, reason: .writeFailed, detail: "cannot copy standard input to \(path): \(String(cString: strerror(errno)))")
                }
                written += w
            }
        }
        return path
    }
}

/// Removes the copy of standard input when the process exits normally.
private enum StandardInputCleanup {
    nonisolated(unsafe) static var path: [CChar]?

    static func register(_ path: String) {
        self.path = Array(path.utf8CString)
        atexit {
            if let p = StandardInputCleanup.path { p.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) } }
        }
    }
}

/// write(2), named so that a type with its own `write` method can call it.
func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}
