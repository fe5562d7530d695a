/// Why fitting options, a fitted profile or a WDRC curve are not valid.
///
/// `field` is the path of the offending value as it appears in the options or in the profile
/// JSON, e.g. `"compressionRatio"`, `"attackMilliseconds[3]"` or
/// `"ears.left.bands[3].mpoDBSPL"`; the description adds the value and the allowed range.
public enum FittingError: Error, Equatable, CustomStringConvertible {
    /// A number outside its allowed range (or not finite). `allowed` is the range in words,
    /// with units, e.g. `"1…10"` or `"> 0 and ≤ 10000 ms"`.
    case outOfRange(field: String, value: Double, allowed: String)
    /// A per-band list whose length differs from the number of bands.
    case wrongCount(field: String, count: Int, expected: Int)
    /// A value that is in range on its own but inconsistent with another one.
    case inconsistent(field: String, value: Double, reason: String)
    /// A profile or fit without any ear.
    case noEars
    /// A required text field that is empty.
    case empty(field: String)
    /// A text field whose value is not one of the names the format allows (`rule`, `preset`).
    case notOneOf(field: String, value: String, allowed: [String])
    /// An ear's list that is empty (`"bands": []`); `what` names its items ("bands").
    case emptyList(field: String, what: String)

    /// The message: what is wrong (field, value) and what is allowed.
    public var description: String {
        switch self {
        case let .outOfRange(field, value, allowed):
            "\(field) \(value.isFinite ? fmt(value) : String(value)) is not allowed: it must be \(allowed)"
        case let .wrongCount(field, count, expected):
            "\(field) has \(count) values: it needs one per band, \(expected)"
        case let .inconsistent(field, value, reason):
            "\(field) \(value.isFinite ? fmt(value) : String(value)) is not allowed: \(reason)"
        case .noEars:
            "the profile has no ear: it needs \"right\", \"left\" or both"
        case let .empty(field):
            "\(field) is empty: it must name something"
        case let .notOneOf(field, value, allowed):
            "\(field) '\(value)' is not known: it must be one of \(allowed.joined(separator: ", "))"
        case let .emptyList(field, what):
            "\(field) is empty: the profile has no \(what) for this ear (it needs at least one)"
        }
    }
}

/// Throws ``FittingError/outOfRange(field:value:allowed:)`` unless `value` is finite and in `range`.
func check(_ value: Double, in range: ClosedRange<Double>, field: String, unit: String = "") throws {
    guard value.isFinite, range.contains(value) else {
        throw FittingError.outOfRange(field: field, value: value,
                                      allowed: "\(fmt(range.lowerBound))…\(fmt(range.upperBound))\(unit.isEmpty ? "" : " " + unit)")
    }
}

/// Throws ``FittingError/outOfRange(field:value:allowed:)`` unless `lower < value ≤ upper`.
func check(_ value: Double, above lower: Double, upTo upper: Double, field: String, unit: String = "") throws {
    guard value.isFinite, value > lower, value <= upper else {
        throw FittingError.outOfRange(field: field, value: value,
                                      allowed: "> \(fmt(lower)) and ≤ \(fmt(upper))\(unit.isEmpty ? "" : " " + unit)")
    }
}
