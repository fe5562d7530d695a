/// The audiogram file: `{"schemaVersion": 1, "right": {"250": 20, …}, "left": {…}}`.
///
/// Keys of an ear object are frequencies in Hz written as plain whole numbers ("500", not
/// "0500", "500.0" or "1e3"); values are dB HL. An ear is an object or absent, never null.
/// `schemaVersion` may be absent when decoding; when present it must be 1. Decoding validates
/// and throws ``AudiogramError`` (not a `DecodingError`) for out-of-range content, and
/// ``JSONKeyError`` for a key the format does not have (`"lft"`). ``init(json:)`` also refuses
/// a key given twice.
extension Audiogram: Codable {
    enum CodingKeys: String, CodingKey {
        case schemaVersion, right, left
    }

    /// Decodes and validates an audiogram file.
    /// - Throws: ``AudiogramError`` for invalid content, ``JSONKeyError`` for an unknown key,
    ///   `DecodingError` for malformed JSON.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let all = try decoder.container(keyedBy: AnyCodingKey.self)
        for key in all.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where CodingKeys(stringValue: key.stringValue) == nil {
            // An object is meant as an ear ("lft"); anything else is some other key.
            let isObject = (try? all.nestedContainer(keyedBy: AnyCodingKey.self, forKey: key)) != nil
            throw JSONKeyError.unknown(key: key.stringValue, object: jsonPath(decoder.codingPath), kind: isObject ? "ear" : "key",
                                       allowed: isObject ? ["left", "right"] : ["left", "right", "schemaVersion"])
        }
        if let v = try c.decodeIfPresent(Int.self, forKey: .schemaVersion), v != Audiogram.schemaVersion {
            throw AudiogramError.unsupportedSchemaVersion(v)
        }
        func ear(_ key: CodingKeys, _ ear: Ear) throws -> HearingThresholds? {
            // Absent means "not measured"; null is not a value of an ear (the service says the same).
            if c.contains(key), try c.decodeNil(forKey: key) { throw AudiogramError.nullEar(ear) }
            guard let raw = try c.decodeIfPresent([String: Double].self, forKey: key) else { return nil }
            var points: [(frequencyHz: Double, dBHL: Double)] = []
            for k in raw.keys.sorted() {
                guard let f = Self.frequencyHz(key: k) else { throw AudiogramError.frequencyNotANumber(ear: ear, key: k) }
                points.append((f, raw[k]!))
            }
            return try HearingThresholds(ear: ear, thresholds: points)
        }
        try self.init(right: try ear(.right, .right), left: try ear(.left, .left))
    }

    /// The frequency a key names: a whole number of Hz written plainly ("500", "1000"), the
    /// way the service and `hzString` write it; nil for "0500", "1e3", "500.0", "+500" or " 500",
    /// so one frequency has one spelling and the CLI reads exactly what the service accepts.
    static func frequencyHz(key: String) -> Double? {
        guard let hz = Int(key), String(hz) == key else { return nil }
        return Double(hz)
    }

    /// Encodes the audiogram file with `schemaVersion` 1; an absent ear is left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Audiogram.schemaVersion, forKey: .schemaVersion)
        func object(_ t: HearingThresholds) -> [String: Double] {
            Dictionary(uniqueKeysWithValues: zip(t.frequenciesHz.map(hzString), t.levelsDBHL))
        }
        try c.encodeIfPresent(right.map(object), forKey: .right)
        try c.encodeIfPresent(left.map(object), forKey: .left)
    }
}
