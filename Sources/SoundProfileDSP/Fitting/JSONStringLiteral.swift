/// JSON string literals, read the one way both scans of a document (``JSONDuplicateKeys`` and
/// ``JSONSyntax``) need: escapes decoded, surrogate pairs joined, in linear time.
enum JSONStringLiteral {
    /// Reads the string whose opening quote is at `i`; on return `i` is past the closing quote.
    /// - Parameters:
    ///   - bytes: The document.
    ///   - i: The opening quote's index.
    ///   - utf8: Scratch space for a string with escapes (kept between calls).
    /// - Returns: The text, or nil when the string never ends, holds a raw control character or
    ///   has a bad escape.
    static func read<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at i: inout Int, scratch utf8: inout [UInt8]) -> String?
    where Bytes.Index == Int {
        i += 1
        // Without escapes (the usual key) the string is the bytes themselves.
        let start = i
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
        guard i < bytes.count, bytes[i] >= 0x20 else { return nil }
        if bytes[i] == UInt8(ascii: "\"") {
            i += 1
            return String(decoding: bytes[start..<(i - 1)], as: UTF8.self)
        }
        utf8.removeAll(keepingCapacity: true)
        utf8.append(contentsOf: bytes[start..<i])
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: utf8, as: UTF8.self)
            }
            if c < 0x20 { return nil }
            guard c == UInt8(ascii: "\\") else {
                utf8.append(c)
                i += 1
                continue
            }
            guard i + 1 < bytes.count else { return nil }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(e)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                guard var unit = hex4(bytes, at: &i) else { return nil }
                var scalar = Unicode.Scalar(unit)
                if (0xD800..<0xDC00).contains(unit), i + 1 < bytes.count,
                   bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                    let mark = i
                    i += 2
                    if let low = hex4(bytes, at: &i), (0xDC00..<0xE000).contains(low) {
                        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        scalar = Unicode.Scalar(unit)
                    } else {
                        i = mark  // a lone high surrogate; the next escape stands on its own
                    }
                }
                utf8.append(contentsOf: Array(String(Character(scalar ?? "\u{FFFD}")).utf8))
            default:
                return nil
            }
        }
        return nil
    }

    /// Four hex digits at `i` as a number (and `i` past them); nil when they are not there.
    static func hex4<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at i: inout Int) -> UInt32? where Bytes.Index == Int {
        guard i + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for k in 0..<4 {
            let c = bytes[i + k]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        i += 4
        return value
    }
}
