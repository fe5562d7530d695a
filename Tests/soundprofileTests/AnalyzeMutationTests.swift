import Foundation
import Testing

/// Issue 11's mutation run, small and deterministic: mutated copies of the fixtures (bit flips,
/// extreme header fields, NaN/∞/huge samples, truncation, appended garbage) sit between good
/// files in one directory; `analyze` must exit normally (0 or 1, no signal), write one record per
/// file, and every good file's result must be there.
@Suite struct AnalyzeMutationTests {
    /// splitmix64: the same mutations on every machine.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let sources = ["audio/formats/pcm16.wav", "audio/formats/pcm24.wav", "audio/formats/float32.wav", "audio/formats/float64.wav",
                          "audio/formats/wavex-pcm24.wav", "audio/formats/flac16.flac", "audio/formats/aiff16.aiff",
                          "audio/formats/pcm-u8.wav", "audio/formats/vorbis.ogg", "audio/stereo-48k.wav"]

    static func mutate(_ original: [UInt8], using g: inout Generator) -> [UInt8] {
        var bytes = original
        let extremes: [UInt32] = [0, 1, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x8000_0000, 1024, 65535]
        let specials: [Float] = [.nan, .infinity, -.infinity, 3e38, -3e38, .leastNonzeroMagnitude]
        for _ in 0..<Int.random(in: 1...3, using: &g) {
            switch Int.random(in: 0..<6, using: &g) {
            case 0:  // flip bits in the first 64 bytes (the header)
                for _ in 0..<Int.random(in: 1...6, using: &g) {
                    let i = Int.random(in: 0..<min(64, bytes.count), using: &g)
                    bytes[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &g))
                }
            case 1:  // an extreme 16- or 32-bit value at a header offset (channels, rate, sizes, …)
                let i = Int.random(in: 0..<min(60, bytes.count - 4), using: &g)
                let v = extremes.randomElement(using: &g)!
                let width = Bool.random(using: &g) ? 2 : 4
                for k in 0..<width { bytes[i + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
            case 2:  // special float samples in the body
                for _ in 0..<Int.random(in: 1...20, using: &g) {
                    let i = Int.random(in: 44..<(bytes.count - 4), using: &g) & ~3
                    let bits = specials.randomElement(using: &g)!.bitPattern
                    for k in 0..<4 { bytes[i + k] = UInt8(truncatingIfNeeded: bits >> (8 * k)) }
                }
            case 3:  // truncate
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &g)))
                if bytes.count < 8 { return bytes }
            case 4:  // append garbage
                bytes += (0..<Int.random(in: 1...4096, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            default:  // random bytes anywhere
                for _ in 0..<Int.random(in: 1...32, using: &g) {
                    bytes[Int.random(in: 0..<bytes.count, using: &g)] = UInt8.random(in: 0...255, using: &g)
                }
            }
        }
        return bytes
    }

    @Test func badFilesBetweenGoodOnesLoseNoResult() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let originals = try Self.sources.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: CLI.fixture($0)))) }
        var g = Generator(state: 11)
        var good: Set<String> = []
        let total = 240
        for i in 0..<total {
            let k = i % originals.count
            let ext = (Self.sources[k] as NSString).pathExtension
            let name = String(format: "%04d-", i) + (i % 4 == 0 ? "good" : "mutant") + "." + ext
            let path = dir.appendingPathComponent(name).path
            if i % 4 == 0 {
                good.insert(path)
                try Data(originals[k]).write(to: URL(fileURLWithPath: path))
            } else {
                try Data(Self.mutate(originals[k], using: &g)).write(to: URL(fileURLWithPath: path))
            }
        }
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("soundprofile")
        process.arguments = ["analyze", dir.path, "--format", "jsonl", "--bands", "octave", "--jobs", "2", "--quiet"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "killed by signal \(process.terminationStatus)")
        #expect([0, 1].contains(process.terminationStatus))
        let records = try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(records.count == total)
        for record in records {
            let file = try #require(record["file"] as? String)
            if good.contains(file) {
                #expect(record["error"] == nil, "good file \(file): \(record["error"] ?? "")")
                #expect((record["channels"] as? [Any])?.isEmpty == false)
            }
        }
        #expect(Set(records.compactMap { $0["file"] as? String }).isSuperset(of: good))
    }
}
