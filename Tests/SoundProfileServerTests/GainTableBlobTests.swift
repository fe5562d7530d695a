import Foundation
import Testing
@testable import SoundProfileServer

/// The gain-table blob reader (issue 11: a reader for the binary layout that never traps, fuzzed
/// by Fuzz/FuzzGainTableBlob): blobs of Fixtures/gaintable round-trip, hostile ones get an
/// error naming the offset.
@Suite struct GainTableBlobTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func blob(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: root.appendingPathComponent("Fixtures/gaintable/\(name)"))) }

    @Test(arguments: ["both-ears-octave.bin", "right-ear-small.bin"])
    func fixtureBlobsRoundTrip(name: String) throws {
        let bytes = try Self.blob(name)
        let table = try GainTableDocument(binary: bytes)
        #expect(table.binary() == bytes)
        #expect(!table.ears.isEmpty && table.levelsDBSPL.count >= 3)
    }

    @Test func writtenTablesReadBack() throws {
        let table = GainTableDocument(fullScaleDBSPL: 100, levelsDBSPL: [30, 65, 100],
                                      ears: ["left": .init(centerHz: [500, 1000], gainsDB: [[1, 2, 3], [4, 5, 6]])])
        #expect(try GainTableDocument(binary: table.binary()) == table)
    }

    /// The JSON table rounds gains to 0.01 dB as profiles do; the binary keeps them exact.
    @Test func jsonGainsAreRoundedToHundredths() throws {
        let exact = [[7.3582608695652185, 13.010434782608696, -0.0012], [12.445217391304348, 0.004999, -2.346]]
        let table = GainTableDocument(fullScaleDBSPL: 100, levelsDBSPL: [30, 65, 100],
                                      ears: ["right": .init(centerHz: [500, 1000], gainsDB: exact)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(table), as: UTF8.self)
        #expect(text.contains(#""gainsDB":[[7.36,13.01,0],[12.45,0,-2.35]]"#), "\(text)")
        #expect(!text.contains("-0,") && !text.contains("-0]"))
        let read = try GainTableDocument(binary: table.binary())
        #expect(read.ears["right"]?.gainsDB == exact.map { $0.map { Double(Float($0)) } })
    }

    /// Each mutation of a good blob, and the offset the error must name.
    @Test func hostileBlobsNameTheOffset() throws {
        let good = try Self.blob("right-ear-small.bin")
        func crcFixed(_ b: [UInt8]) -> [UInt8] {
            var body = Array(b.dropLast(4))
            withUnsafeBytes(of: CRC32.checksum(body).littleEndian) { body += $0 }
            return body
        }
        var cases: [([UInt8], Int)] = [([], 0), (Array(good.prefix(19)), 0), (Array("XPGT".utf8) + good.dropFirst(4), 0)]
        var b = good; b[4] = 2; cases.append((b, 4))
        b = good; b[5] = 0; cases.append((b, 5))
        b = good; b[5] = 255; cases.append((b, 5))
        b = good; b[6] = 0xFF; b[7] = 0xFF; cases.append((crcFixed(b), 0))  // 65535 bands: size mismatch, no allocation
        b = good; b[8] = 0; b[9] = 0; cases.append((b, 8))
        b = good; b[10] = 1; cases.append((b, 10))
        b = good; b[good.count - 1] ^= 1; cases.append((b, good.count - 4))
        b = good; withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { for (i, x) in $0.enumerated() { b[12 + i] = x } }; cases.append((crcFixed(b), 12))
        b = good; b[28] = 7; cases.append((crcFixed(b), 28))  // ear id 7
        b = good; b[28] = 1; cases.append((try GainTableDocument(binary: crcFixed(b)).binary(), -1))  // a left ear alone is fine
        for (bytes, offset) in cases where offset >= 0 {
            #expect(throws: GainTableBlobError.self, "offset \(offset)") { try GainTableDocument(binary: bytes) }
            do { _ = try GainTableDocument(binary: bytes) } catch let error as GainTableBlobError { #expect(error.offset == offset, "\(error)") }
        }
    }
}
