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

// The file layer and the command line import FoundationEssentials, not Foundation, so a
// `soundprofile` process does not load Foundation's locale and ICU libraries (about half of a
// short command's start-up: dynamic linking and protocol-conformance scans). These are the few
// conveniences they used from full Foundation, on the C library.

/// `format` filled in by the C library's `vsnprintf`, as `String(format:)` does for the
/// conversions this project uses (`%d`, `%g`, `%.1f`, `%+.2f`, `%02d`, …). Always the C locale.
package func cFormat(_ format: String, _ arguments: any CVarArg...) -> String {
    func render(into buffer: inout [CChar]) -> Int {
        Int(withVaList(arguments) { list in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, list) }
        })
    }
    var buffer = [CChar](repeating: 0, count: 128)
    var count = render(into: &buffer)
    if count >= buffer.count {  // too long for the first buffer: once more with room for all of it
        buffer = [CChar](repeating: 0, count: count + 1)
        count = render(into: &buffer)
    }
    guard count > 0 else { return "" }
    return String(decoding: buffer[..<min(count, buffer.count - 1)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Path helpers in place of `NSString`'s: `/`-separated, as POSIX paths are.
package enum PathText {
    /// The last path component ("b.wav" for "a/b.wav", "a" for "a/"); "/" for "/".
    package static func lastComponent(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        if p == "/" { return "/" }
        if let slash = p.lastIndex(of: "/") { return String(p[p.index(after: slash)...]) }
        return String(p)
    }

    /// Everything before the last component, without its trailing slash ("a" for "a/b.wav",
    /// "" for "b.wav", "/" for "/b.wav").
    package static func deletingLastComponent(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return "" }
        if slash == p.startIndex { return "/" }
        var head = p[..<slash]
        while head.count > 1, head.hasSuffix("/") { head = head.dropLast() }
        return String(head)
    }

    /// The extension of the last component without its dot ("wav" for "a/b.wav"); "" when the
    /// name has none or starts with its only dot (".hidden").
    package static func pathExtension(_ path: String) -> String {
        let name = lastComponent(path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }

    /// The last component without its extension ("b" for "a/b.wav").
    package static func stem(_ path: String) -> String {
        let name = lastComponent(path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// `path` with empty and `.` components removed and each `..` taking away the component
    /// before it (as NSString's `standardizingPath` does for an absolute path, without its
    /// tilde expansion): "/a/./b/../c//d" gives "/a/c/d".
    package static func standardized(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            if part == "..", absolute { continue }  // "/.." is "/"
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// `component` appended to `folder` with one slash between them.
    package static func appending(_ component: String, to folder: String) -> String {
        folder.hasSuffix("/") ? folder + component : folder + "/" + component
    }

    /// Whether `path` names an existing directory (following symbolic links).
    package static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether `path` names something that exists (following symbolic links).
    package static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }
}

extension Collection where Element == UInt8 {
    /// Whether `needle` occurs in these bytes (a plain search, for short texts).
    package func containsBytes(_ needle: some Collection<UInt8>) -> Bool {
        guard let first = needle.first else { return true }
        var start = startIndex
        while let hit = self[start...].firstIndex(of: first) {
            if self[hit...].starts(with: needle) { return true }
            start = index(after: hit)
        }
        return false
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (what Foundation's
    /// `trimmingCharacters(in: .whitespaces)` removes from the ASCII text this project reads).
    package var trimmedBlanks: String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }) else { return "" }
        let last = lastIndex(where: { !isBlank($0) })!
        return String(self[first...last])
    }
}

/// Standard output, standard error or a file opened for writing, written with `write(2)`
/// (Foundation's `FileHandle` is not in FoundationEssentials).
package struct FileOutput: Sendable {
    package let descriptor: Int32

    package static let standardOutput = FileOutput(descriptor: 1)
    package static let standardError = FileOutput(descriptor: 2)

    private init(descriptor: Int32) { self.descriptor = descriptor }

    /// Creates (or truncates) `path` for writing, mode 0644 before the umask; nil if the
    /// folder is missing or not writable.
    package init?(creatingAtPath path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        descriptor = fd
    }

    /// Writes all of `bytes`, retrying short writes and interruptions; false on an error
    /// (a closed pipe, a full disk), with `errno` set.
    @discardableResult
    package func write(_ bytes: some Collection<UInt8>) -> Bool {
        let whole = bytes.withContiguousStorageIfAvailable { writeAll($0) }
        return whole ?? Array(bytes).withUnsafeBufferPointer { writeAll($0) }
    }

    /// Writes `text` as UTF-8.
    @discardableResult
    package func write(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { writeAll($0) }
    }

    private func writeAll(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        guard var next = buffer.baseAddress else { return true }
        var left = buffer.count
        while left > 0 {
            let n = systemWrite(descriptor, next, left)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            next += n
            left -= n
        }
        return true
    }

    /// Closes a file opened by ``init(creatingAtPath:)``; false if the data could not be
    /// flushed (errno set).
    @discardableResult
    package func close() -> Bool { descriptor > 2 ? systemClose(descriptor) == 0 : true }
}

private func systemWrite(_ fd: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int { write(fd, bytes, count) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

/// A person-readable reason for a file-system error, never a type dump: the POSIX error (or the
/// one beneath a Foundation file error) in words, else the usual wording for Foundation's file
/// error codes.
package func fileErrorReason(_ error: any Error) -> String {
    var code: Int32?
    if let posix = error as? POSIXError { code = posix.code.rawValue }
    if let cocoa = error as? CocoaError, let underlying = cocoa.underlying as? POSIXError { code = underlying.code.rawValue }
    if let code {
        switch code {
        case ENOENT: return "not found (no such file or folder)"
        case EACCES, EPERM: return "permission denied"
        case EISDIR: return "is a folder, not a file"
        case ENOTDIR: return "a part of the path is not a folder"
        case ENOSPC: return "no space left on the device"
        case EROFS: return "the file system is read-only"
        default: return String(cString: strerror(code))
        }
    }
    if let cocoa = error as? CocoaError {
        switch cocoa.code {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "not found (no such file or folder)"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "the file system is read-only"
        case .fileWriteFileExists: return "exists already"
        case .fileReadCorruptFile: return "the file is damaged or not in the expected format"
        case .fileReadInapplicableStringEncoding: return "the file is not UTF-8 text"
        case .fileReadTooLarge: return "the file is too large"
        default: return "file error \(cocoa.code.rawValue)"
        }
    }
    return String(describing: error)
}
