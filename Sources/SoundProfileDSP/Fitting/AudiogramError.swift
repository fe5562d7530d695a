/// Why an audiogram is not valid. Every case names the ear and, where there is one, the
/// frequency and the value, and its description states the allowed range.
public enum AudiogramError: Error, Equatable, CustomStringConvertible {
    /// A threshold outside ``Audiogram/allowedDBHL`` (or not finite), in dB HL.
    case thresholdOutOfRange(ear: Ear, frequencyHz: Double, dBHL: Double)
    /// A frequency outside ``Audiogram/allowedFrequenciesHz`` (or not finite, or not positive), in Hz.
    case frequencyOutOfRange(ear: Ear, frequencyHz: Double)
    /// A frequency key in an audiogram file that is not a whole number of Hz written plainly
    /// ("1 kHz", "0500", "1e3", "500.0").
    case frequencyNotANumber(ear: Ear, key: String)
    /// An ear given as `null` (leave it out instead).
    case nullEar(Ear)
    /// The same frequency given twice (for example the keys "1000" and "1000.0").
    case duplicateFrequency(ear: Ear, frequencyHz: Double)
    /// One of ``Audiogram/requiredFrequenciesHz`` is missing.
    case missingFrequency(ear: Ear, frequencyHz: Double)
    /// An audiogram without any ear.
    case noEars
    /// A `schemaVersion` other than 1.
    case unsupportedSchemaVersion(Int)

    /// The message: what is wrong (field, value) and what is allowed.
    public var description: String {
        let range = "\(fmt(Audiogram.allowedFrequenciesHz.lowerBound))…\(fmt(Audiogram.allowedFrequenciesHz.upperBound)) Hz"
        switch self {
        case let .thresholdOutOfRange(ear, f, v):
            return "\(ear) ear, \(hzString(f)) Hz: threshold \(v.isFinite ? fmt(v) : String(v)) dB HL is not allowed: "
                + "it must be \(fmt(Audiogram.allowedDBHL.lowerBound))…\(fmt(Audiogram.allowedDBHL.upperBound)) dB HL"
        case let .frequencyOutOfRange(ear, f):
            return "\(ear) ear: frequency \(f.isFinite ? hzString(f) : String(f)) Hz is not allowed: it must be \(range)"
        case let .frequencyNotANumber(ear, key):
            return "\(ear) ear: frequency key \"\(key)\" is not allowed: keys must be whole numbers of Hz (\(range)) "
                + "written plainly, without leading zeros, decimals or exponents, e.g. \"1000\""
        case let .nullEar(ear):
            return "\(ear) is null: give the ear's thresholds as an object, or leave \"\(ear)\" out"
        case let .duplicateFrequency(ear, f):
            return "\(ear) ear: frequency \(hzString(f)) Hz is given more than once: each frequency must appear once"
        case let .missingFrequency(ear, f):
            return "\(ear) ear: no threshold at \(hzString(f)) Hz: "
                + "\(Audiogram.requiredFrequenciesHz.map(hzString).joined(separator: ", ")) Hz are required"
        case .noEars:
            return "the audiogram has no ear: give \"right\", \"left\" or both"
        case let .unsupportedSchemaVersion(v):
            return "schemaVersion \(v) is not supported: it must be 1"
        }
    }
}
