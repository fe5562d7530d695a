import Foundation

/// The gain table pods load, per ear: gain in dB per band × input band level (dB SPL).
///
/// JSON: `{schemaVersion, fullScaleDBSPL, levelsDBSPL[], ears: {right|left: {centerHz[], gainsDB[band][level]}}}`.
///
/// Binary (`Accept: application/octet-stream`), all numbers little-endian:
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 4 | magic `SPGT` |
/// | 4 | 1 | format version, 1 |
/// | 5 | 1 | ear count E (1 or 2) |
/// | 6 | 2 | band count B (UInt16) |
/// | 8 | 2 | level count L (UInt16) |
/// | 10 | 2 | reserved, 0 |
/// | 12 | 4 | fullScaleDBSPL (Float32) |
/// | 16 | 4·L | input levels in dB SPL (Float32) |
/// | … | E × (4 + 4·B + 4·B·L) | per ear: ear id (UInt8: 0 right, 1 left) + 3 zero bytes, band centres in Hz (Float32 × B), gains in dB (Float32, band-major: B rows of L) |
/// | end−4 | 4 | CRC-32 (IEEE 802.3, as zlib's `crc32`) of every byte before it (UInt32) |
struct GainTableDocument: Codable, Sendable, Equatable {
    struct EarTable: Codable, Sendable, Equatable {
        var centerHz: [Double]
        var gainsDB: [[Double]]
    }

    var schemaVersion = 1
    var fullScaleDBSPL: Double
    var levelsDBSPL: [Double]
    var ears: [String: EarTable]

    static let magic = Array("SPGT".utf8)
    static let formatVersion: UInt8 = 1

    /// The binary layout above. Ears in the order right, left.
    func binary() -> [UInt8] {
        var out: [UInt8] = []
        func u16(_ v: Int) { out += [UInt8(v & 0xff), UInt8((v >> 8) & 0xff)] }
        func f32(_ v: Double) { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { out += $0 } }
        let order = ["right", "left"].filter { ears[$0] != nil }
        let bands = order.first.flatMap { ears[$0]?.centerHz.count } ?? 0
        out += Self.magic
        out.append(Self.formatVersion)
        out.append(UInt8(order.count))
        u16(bands)
        u16(levelsDBSPL.count)
        u16(0)
        f32(fullScaleDBSPL)
        levelsDBSPL.forEach(f32)
        for name in order {
            guard let ear = ears[name] else { continue }
            out += [name == "right" ? 0 : 1, 0, 0, 0]
            ear.centerHz.forEach(f32)
            for row in ear.gainsDB { row.forEach(f32) }
        }
        let crc = CRC32.checksum(out)
        withUnsafeBytes(of: crc.littleEndian) { out += $0 }
        return out
    }
}

/// CRC-32 (IEEE 802.3 polynomial, reflected, init and final XOR 0xFFFFFFFF): zlib's `crc32`.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
