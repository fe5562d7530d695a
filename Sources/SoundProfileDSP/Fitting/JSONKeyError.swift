/// A key a document may not have: one that is not part of its format, or one given twice in
/// the same object. Audiograms and profiles are closed formats (DESIGN.md "Formats"), so a typo
/// such as `"lft"` is an error instead of a silently missing ear.
public enum JSONKeyError: Error, Equatable, CustomStringConvertible {
    /// A key the object may not have. `object` is the path of the object holding it (empty at
    /// the top level, e.g. `"ears.right.bands[3]"`), `kind` says what the key names ("ear" or
    /// "key") and `allowed` lists the keys the object may have.
    case unknown(key: String, object: String, kind: String, allowed: [String])
    /// A key given more than once in one object (JSON parsers disagree on which one wins).
    case duplicate(key: String, object: String)

    /// The message: which key, where, and what is allowed, e.g.
    /// `unknown ear 'lft' (expected left or right)` or `duplicate key 'right'`.
    public var description: String {
        switch self {
        case let .unknown(key, object, kind, allowed):
            "unknown \(kind) '\(key)'\(object.isEmpty ? "" : " in \(object)") (expected \(Self.list(allowed)))"
        case let .duplicate(key, object):
            "duplicate key '\(key)'\(object.isEmpty ? "" : " in \(object)") (each key may appear only once)"
        }
    }

    /// "a", "a or b", "a, b or c".
    static func list(_ words: [String]) -> String {
        guard words.count > 1 else { return words.first ?? "nothing" }
        return words.dropLast().joined(separator: ", ") + " or " + words.last!
    }
}

/// A coding key for any member name, to list the keys an object really has.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) { self.stringValue = String(intValue); self.intValue = intValue }
}

/// The JSON path of a decoder position: `ears.right.bands[3]` (empty at the top level).
func jsonPath(_ codingPath: [any CodingKey]) -> String {
    var path = ""
    for key in codingPath {
        if let i = key.intValue, key.stringValue.hasPrefix("Index ") {  // an array element (JSONDecoder's key)
            path += "[\(i)]"
        } else {
            path += (path.isEmpty ? "" : ".") + key.stringValue
        }
    }
    return path
}

/// Throws ``JSONKeyError/unknown(key:object:kind:allowed:)`` for the first member of the
/// decoder's object (in sorted order) that is not in `allowed`.
/// - Parameters:
///   - decoder: Positioned at the object.
///   - allowed: The member names the object may have, in the order the message lists them.
///   - kind: What a key names, for the message ("key" or "ear").
func rejectUnknownKeys(_ decoder: any Decoder, allowed: [String], kind: String = "key") throws {
    _ = try strictContainer(decoder, allowed: allowed, kind: kind)
}

/// The decoder's object as a container, after ``rejectUnknownKeys(_:allowed:kind:)``'s check:
/// decoding the members from this one container, rather than from a second one keyed by the
/// type's coding keys, halves the decoder's work per object (JSONDecoder indexes the object's
/// members for every container it makes).
func strictContainer(_ decoder: any Decoder, allowed: [String], kind: String = "key") throws -> KeyedDecodingContainer<AnyCodingKey> {
    let container = try decoder.container(keyedBy: AnyCodingKey.self)
    // A linear search of the few allowed names: no set to build per object.
    if let bad = container.allKeys.lazy.map(\.stringValue).filter({ !allowed.contains($0) }).min() {
        throw JSONKeyError.unknown(key: bad, object: jsonPath(decoder.codingPath), kind: kind, allowed: allowed)
    }
    return container
}

extension KeyedDecodingContainer where Key == AnyCodingKey {
    /// The value of member `key` (a type's coding key) from a ``strictContainer(_:allowed:kind:)``.
    func decode<T: Decodable>(_ type: T.Type, member key: some CodingKey) throws -> T {
        try decode(type, forKey: AnyCodingKey(stringValue: key.stringValue))
    }
}
