import Foundation

/// The gain table pods load, per ear: gain in dB per band × input band level (dB SPL).
///
/// JSON: `{schemaVersion, fullScaleDBSPL, levelsDBSPL[], ears: {right|left: {centerHz[], gainsDB[band][level]}}}`,
/// with the gains rounded to 0.01 dB like every gain in a profile (finer digits are float noise
/// of the curve's interpolation, not precision). The binary table carries them as Float32 unrounded.
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

        /// JSON with the gains rounded to 0.01 dB (the values kept in memory, and the binary
        /// table, stay exact).
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(centerHz, forKey: .centerHz)
            try container.encode(gainsDB.map { $0.map(Self.hundredths) }, forKey: .gainsDB)
        }

        /// `x` rounded to 0.01 (half away from zero), never −0.
        static func hundredths(_ x: Double) -> Double { (x * 100).rounded() / 100 + 0 }
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

/// Why a gain-table blob could not be read: the byte offset and what was wrong there.
public struct GainTableBlobError: Error, Equatable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "gain table blob, byte \(offset): \(reason)" }
}

extension GainTableDocument {
    /// Reads the binary layout (see the type's table): the reader pods and tools use, so it
    /// checks everything against the blob's length before touching it — magic, version, ear
    /// count 1…2, band and level counts, the exact total size, the CRC-32, ear ids, and that
    /// every number is finite. A hostile blob gets an error naming the offset, never a trap.
    /// - Parameter bytes: The whole blob.
    /// - Throws: ``GainTableBlobError``.
    init(binary bytes: [UInt8]) throws {
        func fail(_ offset: Int, _ reason: String) -> GainTableBlobError { GainTableBlobError(offset: offset, reason: reason) }
        guard bytes.count >= 20 else { throw fail(0, "the blob holds \(bytes.count) bytes, fewer than the 20 of an empty table") }
        guard Array(bytes[0..<4]) == Self.magic else { throw fail(0, "the magic is not SPGT") }
        guard bytes[4] == Self.formatVersion else { throw fail(4, "format version \(bytes[4]) is not supported (only 1)") }
        let ears = Int(bytes[5])
        guard (1...2).contains(ears) else { throw fail(5, "ear count \(ears) is not allowed: it must be 1 or 2") }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func f32(_ at: Int) -> Double {
            Double(Float(bitPattern: UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24))
        }
        let bands = u16(6), levels = u16(8)
        guard bands >= 1 else { throw fail(6, "band count 0 is not allowed") }
        guard levels >= 1 else { throw fail(8, "level count 0 is not allowed") }
        guard bytes[10] == 0, bytes[11] == 0 else { throw fail(10, "the reserved bytes must be 0") }
        // Sizes from UInt16 counts: at most 2 × 4 × 65535 × 65536 bytes, no overflow in Int.
        let expected = 16 + 4 * levels + ears * (4 + 4 * bands + 4 * bands * levels) + 4
        guard bytes.count == expected else {
            throw fail(0, "the blob holds \(bytes.count) bytes; \(ears) ears × \(bands) bands × \(levels) levels need \(expected)")
        }
        let stored = UInt32(bytes[expected - 4]) | UInt32(bytes[expected - 3]) << 8 | UInt32(bytes[expected - 2]) << 16 | UInt32(bytes[expected - 1]) << 24
        guard CRC32.checksum(bytes[0..<(expected - 4)]) == stored else { throw fail(expected - 4, "the CRC-32 does not match the contents") }
        func finite(_ at: Int) throws -> Double {
            let v = f32(at)
            guard v.isFinite else { throw fail(at, "the number is not finite") }
            return v
        }
        let fullScale = try finite(12)
        var levelsDB: [Double] = []
        for i in 0..<levels { levelsDB.append(try finite(16 + 4 * i)) }
        var tables: [String: EarTable] = [:]
        var at = 16 + 4 * levels
        for _ in 0..<ears {
            let name: String
            switch bytes[at] {
            case 0: name = "right"
            case 1: name = "left"
            default: throw fail(at, "ear id \(bytes[at]) is not allowed: it must be 0 (right) or 1 (left)")
            }
            guard tables.isEmpty || (name == "left" && tables["right"] != nil) else {
                throw fail(at, "ear \(name) is out of place: ears come once each, right before left")
            }
            guard bytes[at + 1] == 0, bytes[at + 2] == 0, bytes[at + 3] == 0 else { throw fail(at + 1, "the bytes after the ear id must be 0") }
            at += 4
            var centres: [Double] = []
            for _ in 0..<bands { centres.append(try finite(at)); at += 4 }
            var gains: [[Double]] = []
            for _ in 0..<bands {
                var row: [Double] = []
                for _ in 0..<levels { row.append(try finite(at)); at += 4 }
                gains.append(row)
            }
            tables[name] = EarTable(centerHz: centres, gainsDB: gains)
        }
        self.init(fullScaleDBSPL: fullScale, levelsDBSPL: levelsDB, ears: tables)
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
