/// A wearer's fitted sound profile: per ear, the prescription targets and the per-band WDRC
/// parameters, with the rule and the level calibration (DESIGN.md "Formats").
///
/// Make one with ``fit(audiogram:options:)``; Codable to and from exactly the profile JSON
/// (decoding validates and throws ``FittingError``). Per ear, ``EarProfile/layout()``,
/// ``EarProfile/curves()`` and ``EarProfile/bands`` give what the streaming processor needs.
/// Building and decoding allocate; not for the audio thread.
public struct SoundProfile: Sendable, Equatable {
    /// The format version this library reads and writes.
    public static let currentSchemaVersion = 1
    /// The allowed calibration values, in dB SPL.
    public static let allowedFullScaleDBSPL: ClosedRange<Double> = 0...200

    /// The format version (1).
    public var schemaVersion: Int
    /// The prescription rule's name (``Prescription/name``, e.g. `"nal-r"`).
    public var rule: String
    /// The level in dB SPL of a signal whose RMS is 1.0.
    public var fullScaleDBSPL: Double
    /// The fitted ears (one or two).
    public var ears: [Ear: EarProfile]
    /// The processor preset whose channels the bands are (`fit --preset NAME`), or nil.
    public var preset: String?

    /// Makes and validates a profile.
    /// - Parameters:
    ///   - rule: The prescription rule's name.
    ///   - fullScaleDBSPL: Calibration, 0…200 dB SPL.
    ///   - ears: One or two fitted ears.
    ///   - preset: The processor preset whose channels the bands are, or nil.
    /// - Throws: ``FittingError`` naming the field, value and allowed range.
    public init(rule: String, fullScaleDBSPL: Double, ears: [Ear: EarProfile], preset: String? = nil) throws {
        self.schemaVersion = Self.currentSchemaVersion
        self.rule = rule
        self.fullScaleDBSPL = fullScaleDBSPL
        self.ears = ears
        self.preset = preset
        try validate()
    }

    /// The profile of `ear`, or nil when that ear was not fitted.
    public subscript(ear: Ear) -> EarProfile? { ears[ear] }

    /// Checks every field.
    /// - Throws: ``FittingError`` naming the field (as a JSON path), the value and the allowed range.
    public func validate() throws {
        guard schemaVersion == Self.currentSchemaVersion else {
            throw FittingError.outOfRange(field: "schemaVersion", value: Double(schemaVersion), allowed: "1")
        }
        guard !rule.isEmpty else { throw FittingError.empty(field: "rule") }
        try check(fullScaleDBSPL, in: Self.allowedFullScaleDBSPL, field: "fullScaleDBSPL", unit: "dB SPL")
        guard !ears.isEmpty else { throw FittingError.noEars }
        for ear in Ear.allCases {
            try ears[ear]?.validate(path: "ears.\(ear)")
        }
    }

    /// Per ear, the gain table (gain for each band at 30…100 dB SPL input band level).
    /// - Throws: ``FittingError`` when a band's values are out of range.
    public func gainTables() throws -> [Ear: GainTable] {
        try ears.mapValues { try $0.gainTable() }
    }
}

extension SoundProfile: Codable {
    enum CodingKeys: String, CodingKey {
        case schemaVersion, rule, preset, fullScaleDBSPL, ears
    }

    /// Decodes and validates a profile. `rule` must be one of ``PrescriptionRule`` and `preset`
    /// (when given) one of ``ProcessorConfiguration/presets``.
    /// - Throws: ``FittingError`` for out-of-range content or an unknown rule or preset,
    ///   ``JSONKeyError`` for a key the format does not have (at any level), `DecodingError` for
    ///   malformed JSON.
    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, allowed: Self.jsonKeys)
        let earsKey = AnyCodingKey(stringValue: CodingKeys.ears.stringValue)
        // The ears object is checked before any value is read, as the top level is.
        let earsObject = c.contains(earsKey) ? try strictContainer(c.superDecoder(forKey: earsKey), allowed: Self.earKeys, kind: "ear") : nil
        schemaVersion = try c.decodeIfPresent(Int.self, forKey: AnyCodingKey(stringValue: CodingKeys.schemaVersion.stringValue)) ?? Self.currentSchemaVersion
        rule = try c.decode(String.self, member: CodingKeys.rule)
        fullScaleDBSPL = try c.decode(Double.self, member: CodingKeys.fullScaleDBSPL)
        if let earsObject {
            // Each ear by name: cheaper than a generic [Ear: EarProfile], and the same errors
            // (a null ear is a missing value, not an absent ear).
            var ears: [Ear: EarProfile] = [:]
            for ear in Ear.allCases {
                let key = AnyCodingKey(stringValue: ear.rawValue)
                if earsObject.contains(key) { ears[ear] = try earsObject.decode(EarProfile.self, forKey: key) }
            }
            self.ears = ears
        } else {
            ears = try c.decode([Ear: EarProfile].self, member: CodingKeys.ears)  // throws: the key is missing
        }
        preset = try c.decodeIfPresent(String.self, forKey: AnyCodingKey(stringValue: CodingKeys.preset.stringValue))
        try validate()
        // A file names one of the shipped rules and presets: an unknown name would be carried
        // along unchecked (and refused later by some commands but not others). Checked after
        // the fields, so an empty rule is still "empty".
        guard PrescriptionRule(rawValue: rule) != nil else {
            throw FittingError.notOneOf(field: "rule", value: rule, allowed: PrescriptionRule.allCases.map(\.rawValue))
        }
        if let preset, ProcessorConfiguration.preset(named: preset) == nil {
            throw FittingError.notOneOf(field: "preset", value: preset, allowed: ProcessorConfiguration.presets.compactMap(\.name))
        }
    }

    /// The keys of the profile object, in the order messages list them.
    static let jsonKeys = ["schemaVersion", "rule", "preset", "fullScaleDBSPL", "ears"]
    /// The keys of the `ears` object.
    static let earKeys = ["left", "right"]

    /// Encodes the profile JSON of DESIGN.md "Formats".
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(rule, forKey: .rule)
        try c.encodeIfPresent(preset, forKey: .preset)
        try c.encode(fullScaleDBSPL, forKey: .fullScaleDBSPL)
        try c.encode(ears, forKey: .ears)
    }
}
