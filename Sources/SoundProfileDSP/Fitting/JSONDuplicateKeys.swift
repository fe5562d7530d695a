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
        scan(json, schema: nil).duplicate
    }

    /// The duplicate scan, and whether every object of `json` has only the keys `schema` allows.
    /// - Returns: the first duplicate key (as ``first(in:)``), and `keysAllowed`: true only when
    ///   the text was scanned to its end, every object in it has a place in `schema` and none of
    ///   its keys is outside that place's list. False says nothing is wrong, only that the
    ///   decoder must check the keys itself.
    static func scan(_ json: some Collection<UInt8>, schema: JSONKeySchema?) -> (duplicate: JSONKeyError?, keysAllowed: Bool) {
        func run(_ bytes: UnsafeBufferPointer<UInt8>) -> (duplicate: JSONKeyError?, keysAllowed: Bool) {
            var scanner = Scanner(bytes: bytes, schema: schema)
            let duplicate = scanner.run()
            return (duplicate, duplicate == nil && scanner.keysAllowed)
        }
        if let result = json.withContiguousStorageIfAvailable(run) { return result }
        let bytes = Array(json)
        return bytes.withUnsafeBufferPointer(run)
    }

    private struct Scanner {
        /// An open object or array: plain values, so pushing and popping copy no references.
        struct Frame {
            var isObject: Bool
            /// Where this object's keys start in ``Scanner/keys``.
            var keyStart: Int
            /// The index in ``Scanner/keys`` of the key whose value is being read, or -1.
            var current = -1
            var expectingKey = true
            /// The element index of an array.
            var index = 0
            /// The schema node of this object, or of this array's elements; -1 for none.
            var node: Int
        }

        /// Keys of an object are compared one by one (no hashing) up to this many; beyond it they
        /// also go into a set, so a huge object still costs linear time.
        static let setThreshold = 16

        let bytes: UnsafeBufferPointer<UInt8>
        let schema: JSONKeySchema?
        var i = 0
        var stack: [Frame] = []
        /// The keys of every open object, innermost last.
        var keys: [String] = []
        /// The key sets of open objects with more than ``setThreshold`` keys, by stack depth.
        var bigObjects: [Int: Set<String>] = [:]
        var utf8: [UInt8] = []
        /// False once an object without a schema node or a key its node does not allow is seen.
        var keysAllowed: Bool
        var sawRoot = false

        init(bytes: UnsafeBufferPointer<UInt8>, schema: JSONKeySchema?) {
            self.bytes = bytes
            self.schema = schema
            keysAllowed = schema != nil
        }

        /// The schema node a value opened here (an object or array) gets, or -1. Node 0 is the
        /// top-level object's; a top-level array has no place in a schema.
        func childNode(object: Bool) -> Int {
            guard let schema else { return -1 }
            guard !stack.isEmpty else { return object && !sawRoot ? 0 : -1 }
            let top = stack[stack.count - 1]
            guard top.node >= 0 else { return -1 }
            if top.isObject { return top.current >= 0 ? schema.member(keys[top.current], of: top.node) : -1 }
            return top.node  // an array's elements
        }

        mutating func run() -> JSONKeyError? {
            while i < bytes.count {
                let c = bytes[i]
                switch c {
                case UInt8(ascii: "{"):
                    let node = childNode(object: true)
                    if node < 0 { keysAllowed = false }
                    sawRoot = true
                    stack.append(Frame(isObject: true, keyStart: keys.count, node: node))
                    i += 1
                case UInt8(ascii: "["):
                    let node = childNode(object: false)
                    sawRoot = true
                    stack.append(Frame(isObject: false, keyStart: keys.count, node: node))
                    i += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    guard let top = stack.popLast() else { return nil }
                    if top.isObject {
                        if keys.count - top.keyStart > Self.setThreshold { bigObjects[stack.count] = nil }
                        keys.removeSubrange(top.keyStart...)
                    }
                    i += 1
                case UInt8(ascii: ","):
                    guard !stack.isEmpty else { return nil }
                    if stack[stack.count - 1].isObject {
                        stack[stack.count - 1].expectingKey = true
                    } else {
                        stack[stack.count - 1].index += 1
                    }
                    i += 1
                case UInt8(ascii: "\""):
                    let n = stack.count - 1
                    if n >= 0, stack[n].isObject, stack[n].expectingKey {
                        guard let key = readString() else { return nil }
                        if let error = add(key, depth: n) { return error }
                        stack[n].current = keys.count - 1
                        stack[n].expectingKey = false
                    } else {
                        guard skipString() else { return nil }
                    }
                default:
                    i += 1  // whitespace, ':', numbers, true/false/null
                }
            }
            if !stack.isEmpty { keysAllowed = false }  // the text ends inside a value: let the decoder say so
            return nil
        }

        /// Adds `key` to the object at stack depth `depth`; the duplicate error if it has it already.
        mutating func add(_ key: String, depth: Int) -> JSONKeyError? {
            let start = stack[depth].keyStart, count = keys.count - start
            if count < Self.setThreshold {
                for k in start..<keys.count where keys[k] == key { return .duplicate(key: key, object: path()) }
            } else {
                if count == Self.setThreshold { bigObjects[depth] = Set(keys[start...]) }
                if !bigObjects[depth, default: []].insert(key).inserted { return .duplicate(key: key, object: path()) }
            }
            keys.append(key)
            if keysAllowed, let schema, stack[depth].node >= 0, !schema.allows(key, at: stack[depth].node) { keysAllowed = false }
            return nil
        }

        /// The path of the innermost open object, from the keys and indices of the frames around it.
        func path() -> String {
            var path = ""
            for frame in stack.dropLast() {
                if frame.isObject {
                    path += (path.isEmpty ? "" : ".") + (frame.current >= 0 ? keys[frame.current] : "")
                } else {
                    path += "[\(frame.index)]"
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
        mutating func readString() -> String? { JSONStringLiteral.read(bytes, at: &i, scratch: &utf8) }
    }
}
