/// Finds a key given twice in one JSON object.
///
/// RFC 8259 leaves duplicate names undefined, and Foundation's `JSONDecoder` silently keeps one
/// of them, so `{"right": {…}, "right": {…}}` would fit one of two audiograms without a word.
/// This scan runs over the text before decoding. It keeps no values, only the keys of the
/// objects still open, and uses no recursion (a stack on the heap), so any input, however deep
/// or malformed, costs linear time and cannot crash. Malformed text ends the scan without a
/// finding: the decoder that runs next reports it. Not for the audio thread.
public enum JSONDuplicateKeys {
    /// The first duplicate key in `json`, in document order.
    /// - Parameter json: JSON text, UTF-8.
    /// - Returns: ``JSONKeyError/duplicate(key:object:)`` naming the key (escapes decoded, so
    ///   `"right"` and `"\u0072ight"` are the same key) and the path of its object
    ///   (`ears.right.bands[3]`, empty at the top level); nil when every object's keys are unique
    ///   or the text is not JSON.
    public static func first(in json: some Collection<UInt8>) -> JSONKeyError? {
        let bytes = Array(json)
        var scanner = Scanner(bytes: bytes)
        return scanner.run()
    }

    private struct Scanner {
        enum Frame {
            case object(keys: Set<String>, current: String?, expectingKey: Bool)
            case array(index: Int)
        }

        let bytes: [UInt8]
        var i = 0
        var stack: [Frame] = []

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func run() -> JSONKeyError? {
            while i < bytes.count {
                let c = bytes[i]
                switch c {
                case UInt8(ascii: "{"):
                    stack.append(.object(keys: [], current: nil, expectingKey: true))
                    i += 1
                case UInt8(ascii: "["):
                    stack.append(.array(index: 0))
                    i += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    guard !stack.isEmpty else { return nil }
                    stack.removeLast()
                    i += 1
                case UInt8(ascii: ","):
                    switch stack.last {
                    case .array(let index): stack[stack.count - 1] = .array(index: index + 1)
                    case .object(let keys, let current, _): stack[stack.count - 1] = .object(keys: keys, current: current, expectingKey: true)
                    case nil: return nil
                    }
                    i += 1
                case UInt8(ascii: "\""):
                    if case .object(var keys, _, true) = stack.last {
                        // Drop the stack's reference first, so the insert below mutates the set in
                        // place instead of copying it for every key (copy-on-write).
                        stack[stack.count - 1] = .array(index: 0)
                        guard let key = readString() else { return nil }
                        if keys.contains(key) {
                            return .duplicate(key: key, object: path())
                        }
                        keys.insert(key)
                        stack[stack.count - 1] = .object(keys: keys, current: key, expectingKey: false)
                    } else {
                        guard skipString() else { return nil }
                    }
                default:
                    i += 1  // whitespace, ':', numbers, true/false/null
                }
            }
            return nil
        }

        /// The path of the innermost open object, from the keys and indices of the frames around it.
        func path() -> String {
            var path = ""
            for frame in stack.dropLast() {
                switch frame {
                case .object(_, let current, _): path += (path.isEmpty ? "" : ".") + (current ?? "")
                case .array(let index): path += "[\(index)]"
                }
            }
            return path
        }

        /// Skips a string starting at the opening quote; false when it never ends.
        mutating func skipString() -> Bool {
            i += 1
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""): i += 1; return true
                case UInt8(ascii: "\\"): i += 2
                default: i += 1
                }
            }
            return false
        }

        /// Reads a string starting at the opening quote, escapes decoded; nil when malformed.
        mutating func readString() -> String? {
            i += 1
            var utf8: [UInt8] = []
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") {
                    i += 1
                    return String(decoding: utf8, as: UTF8.self)
                }
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
                    guard var unit = hex4() else { return nil }
                    var scalar = Unicode.Scalar(unit)
                    if (0xD800..<0xDC00).contains(unit), i + 1 < bytes.count,
                       bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        let mark = i
                        i += 2
                        if let low = hex4(), (0xDC00..<0xE000).contains(low) {
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

        /// Four hex digits at `i` as a number; nil when they are not there.
        mutating func hex4() -> UInt32? {
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
}
