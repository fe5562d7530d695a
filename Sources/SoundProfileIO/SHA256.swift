internal import Crypto
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

/// SHA-256 (FIPS 180-4), incremental. Used to key batch results by audio content so re-runs
/// never duplicate work; not used for anything secret.
///
/// A thin wrapper over swift-crypto's `SHA256` (BoringSSL's assembly on Linux, CryptoKit on
/// Apple platforms): the digests are the standard ones, so the keys the CLI and the service
/// stored with the earlier hand-written implementation stay valid.
public struct SHA256Hasher: Sendable {
    private var hasher = Crypto.SHA256()

    /// A new hasher.
    public init() {}

    /// Feeds bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
    }

    /// Feeds bytes from an array.
    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        Array(bytes).withUnsafeBytes { update($0) }
    }

    /// The SHA-256 of `bytes` as 64 lowercase hex digits.
    public static func hex(of bytes: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalizeHex()
    }

    /// The digest of the bytes fed so far, as 64 lowercase hex digits.
    public mutating func finalizeHex() -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in hasher.finalize() {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The SHA-256 of a file's bytes as 64 lowercase hex digits: the content hash that keys
    /// stored analyses (CLI `--output-dir`, the service's `contentHash`).
    ///
    /// Reads 1 MiB at a time into one buffer with `read(2)`, so hashing runs at the speed of
    /// swift-crypto's SHA-256 rather than of per-chunk allocations. Not real-time safe (file I/O).
    /// - Parameter path: Any readable file, or `-` for standard input.
    /// - Returns: The digest as 64 lowercase hex digits.
    /// - Throws: ``AudioFileError`` (not found, permission denied, is a folder, or cannot read)
    ///   when the file cannot be opened or read.
    public static func hex(ofFileAt path: String) throws -> String {
        let fd = open(try StandardInput.resolve(path), O_RDONLY)
        guard fd >= 0 else {
            throw AudioFileError.system(path: path, code: errno, fallback: .unreadable, doing: "opening it for hashing")
        }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        var hasher = SHA256Hasher()
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw AudioFileError.system(path: path, code: errno, fallback: .unreadable, doing: "reading it for hashing")
            }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return hasher.finalizeHex()
    }
}
