import Foundation
import Testing
import SoundProfileDSP
@testable import SoundProfileIO

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
func fixture(_ relative: String) -> String { packageRoot.appendingPathComponent("Fixtures/\(relative)").path }

struct FormatEntry: Decodable, Sendable, CustomStringConvertible {
    var file: String
    var maxAbsError: Double
    var description: String { file }
}

func formatEntries() throws -> [FormatEntry] {
    struct Manifest: Decodable { var files: [FormatEntry] }
    let data = try Data(contentsOf: URL(fileURLWithPath: fixture("audio/formats/manifest.json")))
    return try JSONDecoder().decode(Manifest.self, from: data).files
}

@Suite struct AudioFileTests {
    /// The reference samples, written as raw float32 by the fixture script (Python soundfile made the files).
    static let reference: [Float] = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: fixture("audio/formats/reference.f32")))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }()

    @Test(arguments: try formatEntries())
    func eachFormatDecodesToTheReference(entry: FormatEntry) throws {
        let reader = try AudioFileReader(path: fixture("audio/formats/\(entry.file)"))
        let samples = try reader.readAll()
        #expect(samples.count == 1)
        #expect(samples[0].count == Self.reference.count)
        var worst = 0.0
        for (a, b) in zip(samples[0], Self.reference) { worst = max(worst, Double(abs(a - b))) }
        #expect(worst <= entry.maxAbsError, "\(entry.file): largest error \(worst), bound \(entry.maxAbsError) (full scale)")
    }

    @Test(arguments: [
        ("audio/bad/empty.wav", AudioFileError.Reason.truncated),
        ("audio/bad/truncated-header.wav", .notAudio),
        ("audio/bad/text.wav", .notAudio),
        ("audio/bad/not-audio.flac", .notAudio),
        ("audio/bad/short-data.wav", .truncated),
        ("audio/does-not-exist.wav", .notFound),
    ])
    func badFilesNameFileAndReason(path: String, reason: AudioFileError.Reason) {
        #expect {
            _ = try AudioFileReader(path: fixture(path))
        } throws: { error in
            guard let e = error as? AudioFileError else { return false }
            return e.reason == reason && e.path.hasSuffix(path) && String(describing: e).contains(path)
        }
    }

    @Test func writerIsAtomicAndRoundTrips() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sp-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("out.wav").path
        let x: [Float] = (0..<1000).map { Float(sin(Double($0) * 0.05)) * 0.5 }
        do {
            let writer = try AudioFileWriter(path: path, sampleRate: 16000, channelCount: 1)
            try x.withUnsafeBufferPointer { try writer.write($0) }
            // Not finished yet: nothing at the final path.
            #expect(!FileManager.default.fileExists(atPath: path))
            try writer.finish()
        }
        let back = try AudioFileReader(path: path).readAll()
        #expect(back[0] == x)
        do {
            let abandoned = try AudioFileWriter(path: dir.appendingPathComponent("abandoned.wav").path, sampleRate: 16000, channelCount: 1)
            try x.withUnsafeBufferPointer { try abandoned.write($0) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.wav"])
    }

    @Test func sha256KnownVectors() {
        var h = SHA256Hasher()
        h.update(Array("abc".utf8))
        #expect(h.finalizeHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var e = SHA256Hasher()
        #expect(e.finalizeHex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // 1,000,000 × "a" fed in uneven pieces crosses block boundaries.
        var m = SHA256Hasher()
        let piece = [UInt8](repeating: 0x61, count: 999)
        for _ in 0..<1001 { m.update(piece) }
        m.update([UInt8](repeating: 0x61, count: 1_000_000 - 999 * 1001))
        #expect(m.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// The content hash keys stored results (CLI --output-dir, the service's contentHash), so it
    /// must stay the standard SHA-256: the expected digest is `sha256sum`'s output for the file.
    @Test func sha256OfAFixtureMatchesSha256sum() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixture("audio/speech-in-babble-snr0-48k.wav"))))
        // sha256sum Fixtures/audio/speech-in-babble-snr0-48k.wav
        let expected = "bcc26758439d59015208614fbcb4670fd0554720679d2289204cfa0f0fae5b6c"
        #expect(bytes.withUnsafeBytes { SHA256Hasher.hex(of: $0) } == expected)
        // Fed in pieces that do not align with 64-byte blocks.
        var h = SHA256Hasher()
        var i = 0
        while i < bytes.count { let j = min(bytes.count, i + 4099); h.update(bytes[i..<j]); i = j }
        #expect(h.finalizeHex() == expected)
        #expect(try SHA256Hasher.hex(ofFileAt: fixture("audio/speech-in-babble-snr0-48k.wav")) == expected)
        #expect(throws: AudioFileError.self) { try SHA256Hasher.hex(ofFileAt: fixture("audio/no-such-file.wav")) }
    }
}
