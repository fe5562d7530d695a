import Foundation

// Gain-table blob → reader (GainTableDocument.swift of SoundProfileServer, linked in here so
// the fuzz build skips the service stack); whatever it accepts must write back to the same
// bytes. Each input is read as it is and once more with its CRC-32 made right, so mutations get
// past the checksum to the parsing behind it. Must never trap.
func check(_ bytes: [UInt8]) {
    if let table = try? GainTableDocument(binary: bytes) {
        precondition(table.binary() == bytes, "a blob the reader accepts does not write back to the same bytes")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = [UInt8](UnsafeBufferPointer(start: data, count: size))
    check(bytes)
    if bytes.count >= 8 {
        let crc = CRC32.checksum(bytes.dropLast(4))
        withUnsafeBytes(of: crc.littleEndian) { for (i, b) in $0.enumerated() { bytes[bytes.count - 4 + i] = b } }
        check(bytes)
    }
    return 0
}
