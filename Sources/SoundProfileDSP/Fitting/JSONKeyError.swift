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
    if keysChecked(decoder) { return container }
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

/// The places of a closed JSON format: the keys an object may have, and the place of each
/// object- or array-valued member (an array's elements share the member's place). The scan in
/// ``JSONDuplicateKeys`` checks a whole document against it in one pass over the text, so the
/// decoder need not list every object's keys (`allKeys` costs about 25 000 instructions per
/// object in JSONDecoder, most of a profile's reading). Immutable.
final class JSONKeySchema: Sendable {
    /// One place. Node 0 is the document's top-level object.
    struct Node: Sendable {
        var allowed: [String]
        var members: [String: Int] = [:]
        /// The node of any member not in `members` (the ears of `ears`), or -1.
        var anyMember = -1
    }

    let nodes: [Node]

    /// A schema from its nodes; node 0 is the top level, members refer to nodes by index.
    init(nodes: [Node]) { self.nodes = nodes }

    /// The node of member `key`'s value in node `node`, or -1 when the format has no object there.
    func member(_ key: String, of node: Int) -> Int { nodes[node].members[key] ?? nodes[node].anyMember }

    /// Whether node `node` may have `key`.
    func allows(_ key: String, at node: Int) -> Bool { nodes[node].allowed.contains(key) }
}

/// The ``Decoder/userInfo`` key that says the keys of every object were already checked
/// against the format (``JSONDuplicateKeys`` with a ``JSONKeySchema``), so
/// ``strictContainer(_:allowed:kind:)`` skips its own check. Set only by this library's
/// strict readers, and only for a document the scan found clean.
let keysCheckedUserInfoKey = CodingUserInfoKey(rawValue: "SoundProfileDSP.keysChecked")!

/// True when the decoder's document had its keys checked already (see ``keysCheckedUserInfoKey``).
func keysChecked(_ decoder: any Decoder) -> Bool {
    decoder.userInfo[keysCheckedUserInfoKey] as? Bool == true
}
