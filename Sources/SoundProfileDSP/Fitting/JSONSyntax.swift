/// Where and why a text is not the JSON a strict reader takes, in words a person can act on.
///
/// Foundation's `JSONDecoder` on Linux reports most failures as "not valid JSON" with no
/// position, and also refuses valid JSON whose numbers do not fit a Double (`1e999`). This
/// check runs only after decoding failed: one pass over the text, no recursion (a stack on the
/// heap), so any input costs linear time and cannot crash. Not for the audio thread.
public enum JSONSyntax {
    /// The deepest nesting the readers take (Foundation's parser refuses deeper documents).
    public static let maximumDepth = 512

    /// The first problem in `json`, or nil when the text is well-formed JSON with numbers that fit.
    /// - Parameter json: The document's bytes (UTF-8; a leading byte-order mark is skipped).
    /// - Returns: e.g. `not valid JSON at line 3, column 7: expected ',' or '}' after a member,
    ///   found 'x'`, or `right.500: the number 1e999 is out of range (…)`.
    public static func problem(in json: some Collection<UInt8>) -> String? {
        var checker = Checker(bytes: Array(json))
        return checker.run()
    }

    private struct Checker {
        struct Frame {
            var isObject: Bool
            var key = ""
            var index = 0
        }

        enum Expect { case value, keyOrEnd, key, colon, commaOrEnd, end }

        let bytes: [UInt8]
        var i = 0
        var stack: [Frame] = []
        var expect = Expect.value
        var scratch: [UInt8] = []

        init(bytes: [UInt8]) {
            self.bytes = bytes
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        }

        /// `line L, column C` of byte `at` (columns count characters, from 1).
        func position(_ at: Int) -> String {
            var line = 1, start = 0
            for k in 0..<min(at, bytes.count) where bytes[k] == 0x0A {
                line += 1
                start = k + 1
            }
            let column = String(decoding: bytes[start..<min(at, bytes.count)], as: UTF8.self).count + 1
            return "line \(line), column \(column)"
        }

        /// What is at byte `at`, for "found …".
        func found(_ at: Int) -> String {
            guard at < bytes.count else { return "the end of the text" }
            let c = bytes[at]
            if c < 0x20 || c == 0x7F { return "the control character U+\(String(c, radix: 16, uppercase: true).leftPadded(4))" }
            var end = at + 1
            while end < bytes.count, end - at < 4, bytes[end] & 0xC0 == 0x80 { end += 1 }
            let text = String(decoding: bytes[at..<end], as: UTF8.self)
            return "'\(text)'"
        }

        func failure(_ at: Int, _ what: String) -> String { "not valid JSON at \(position(at)): \(what), found \(found(at))" }

        /// The path of the value being read: `right.500`, `ears.left.bands[2].gain65DB`.
        func path() -> String {
            var text = ""
            for frame in stack {
                if frame.isObject { text += (text.isEmpty ? "" : ".") + frame.key } else { text += "[\(frame.index)]" }
            }
            return text
        }

        mutating func run() -> String? {
            while true {
                while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
                switch expect {
                case .end:
                    return i < bytes.count ? failure(i, "more text after the end of the document") : nil
                case .value:
                    if let problem = value() { return problem }
                case .keyOrEnd, .key:
                    if expect == .keyOrEnd, i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                        i += 1
                        close()
                        continue
                    }
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                        return failure(i, expect == .keyOrEnd ? "expected a member name in double quotes or '}'" : "expected a member name in double quotes")
                    }
                    let start = i
                    guard let key = string() else { return failure(start, "a member name that never ends or has a bad escape") }
                    stack[stack.count - 1].key = key
                    expect = .colon
                case .colon:
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return failure(i, "expected ':' after the member name") }
                    i += 1
                    expect = .value
                case .commaOrEnd:
                    let isObject = stack[stack.count - 1].isObject
                    guard i < bytes.count else { return failure(i, isObject ? "expected ',' or '}'" : "expected ',' or ']'") }
                    let c = bytes[i]
                    if c == UInt8(ascii: ",") {
                        i += 1
                        if isObject { expect = .key } else {
                            stack[stack.count - 1].index += 1
                            expect = .value
                        }
                    } else if c == UInt8(ascii: isObject ? "}" : "]") {
                        i += 1
                        close()
                    } else {
                        return failure(i, isObject ? "expected ',' or '}' after a member" : "expected ',' or ']' after an element")
                    }
                }
            }
        }

        /// Ends the innermost object or array.
        mutating func close() {
            stack.removeLast()
            expect = stack.isEmpty ? .end : .commaOrEnd
        }

        /// Reads one value at `i` (opening a container pushes it); the problem, or nil.
        mutating func value() -> String? {
            guard i < bytes.count else { return failure(i, stack.isEmpty ? "expected a JSON document" : "expected a value") }
            let c = bytes[i]
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard stack.count < JSONSyntax.maximumDepth else {
                    return "not valid JSON at \(position(i)): nested more than \(JSONSyntax.maximumDepth) levels deep"
                }
                stack.append(Frame(isObject: c == UInt8(ascii: "{")))
                i += 1
                if c == UInt8(ascii: "{") { expect = .keyOrEnd } else {
                    while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
                    if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                        i += 1
                        close()
                    } else {
                        expect = .value
                    }
                }
                return nil
            case UInt8(ascii: "\""):
                let start = i
                guard string() != nil else { return failure(start, "a string that never ends or has a bad escape or control character") }
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                if let problem = number() { return problem }
            case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                let word = c == UInt8(ascii: "t") ? "true" : c == UInt8(ascii: "f") ? "false" : "null"
                guard bytes[i...].starts(with: word.utf8) else { return failure(i, "expected a value") }
                i += word.utf8.count
            default:
                return failure(i, "expected a value (an object, array, string, number, true, false or null)")
            }
            expect = stack.isEmpty ? .end : .commaOrEnd
            return nil
        }

        /// Reads a number; the problem when it is malformed or does not fit a Double.
        mutating func number() -> String? {
            let start = i
            func digits() -> Bool {
                let from = i
                while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) { i += 1 }
                return i > from
            }
            if bytes[i] == UInt8(ascii: "-") { i += 1 }
            if i < bytes.count, bytes[i] == UInt8(ascii: "0") {
                i += 1
                if i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) {
                    return failure(i, "a number with a leading zero")
                }
            } else if !digits() {
                return failure(i, "expected a digit")
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                guard digits() else { return failure(i, "expected a digit after the decimal point") }
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                guard digits() else { return failure(i, "expected a digit in the exponent") }
            }
            let literal = String(decoding: bytes[start..<i], as: UTF8.self)
            guard let value = Double(literal), value.isFinite else {
                let at = path()
                return "\(at.isEmpty ? position(start) : at): the number \(literal) is out of range (numbers must be within ±1.8e308)"
            }
            return nil
        }

        /// Reads a string at the opening quote, escapes decoded; nil when malformed.
        mutating func string() -> String? { JSONStringLiteral.read(bytes, at: &i, scratch: &scratch) }
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
