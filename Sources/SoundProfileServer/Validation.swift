import Foundation
import SoundProfileStore

/// Collects field errors so one response can name every invalid field.
struct Validator {
    var errors: [FieldError] = []

    mutating func fail(_ field: String, _ message: String) {
        errors.append(FieldError(field: field, message: message))
    }

    func check() throws {
        if !errors.isEmpty { throw APIError.invalid(errors) }
    }

    mutating func email(_ value: String, field: String = "email") {
        guard noControlCharacters(value, field: field) else { return }
        // Lengths count Unicode code points, as the contract's JSON Schema `maxLength` does.
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        if value.unicodeScalars.count > 254 || parts.count != 2 || parts[0].isEmpty || parts[1].isEmpty
            || !parts[1].contains(".") || parts[1].split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty)
            || value.contains(where: { $0.isWhitespace }) {
            fail(field, "must be an email address such as ada@example.com")
        }
    }

    mutating func text(_ value: String, field: String, maxLength: Int) {
        guard noControlCharacters(value, field: field) else { return }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { fail(field, "must not be empty") }
        else if value.unicodeScalars.count > maxLength { fail(field, "must be at most \(maxLength) characters") }
    }

    /// Fails `field` when `value` holds a control character (U+0000–U+001F, U+007F–U+009F):
    /// SQLite would cut the text at a NUL and PostgreSQL refuses it, so neither store sees one.
    /// - Returns: Whether the value is free of them.
    @discardableResult
    mutating func noControlCharacters(_ value: String, field: String) -> Bool {
        guard let bad = value.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) else { return true }
        fail(field, "must not contain control characters, got U+\(String(format: "%04X", bad.value))")
        return false
    }

    mutating func range<T: Comparable>(_ value: T, _ allowed: ClosedRange<T>, field: String, unit: String = "") {
        if !allowed.contains(value) {
            fail(field, "must be between \(allowed.lowerBound) and \(allowed.upperBound)\(unit.isEmpty ? "" : " " + unit), got \(value)")
        }
    }

    /// A JSON number that must be a whole number within `allowed`: the Int, or nil after
    /// failing `field` (non-integral, out of range, or too large for an Int).
    mutating func wholeNumber(_ value: Double, _ allowed: ClosedRange<Int>, field: String, unit: String = "") -> Int? {
        let text = value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
        guard value.isFinite, value == value.rounded(), Double(allowed.lowerBound) <= value, value <= Double(allowed.upperBound) else {
            fail(field, "must be a whole number between \(allowed.lowerBound) and \(allowed.upperBound)\(unit.isEmpty ? "" : " " + unit), got \(text)")
            return nil
        }
        return Int(value)
    }

    mutating func oneOf(_ value: String, _ allowed: [String], field: String) {
        if !allowed.contains(value) { fail(field, "must be one of \(allowed.joined(separator: ", ")), got \(value)") }
    }

    /// DESIGN.md audiogram: keys are audiometric frequencies in Hz (125…8000), values dB HL
    /// (−10…120), and each ear given has at least 500, 1000 and 2000 Hz.
    mutating func ear(_ ear: EarThresholds?, field: String) {
        guard let ear else { return }
        var frequencies: Set<Int> = []
        for (key, value) in ear.sorted(by: { $0.key < $1.key }) {
            guard let hz = Int(key), String(hz) == key else {
                fail("\(field).\(key)", "keys must be frequencies in Hz such as \"1000\"")
                continue
            }
            if !(125...8000).contains(hz) { fail("\(field).\(key)", "frequency must be between 125 and 8000 Hz") }
            if !value.isFinite || !(-10...120).contains(value) {
                fail("\(field).\(key)", "threshold must be between -10 and 120 dB HL, got \(value)")
            }
            frequencies.insert(hz)
        }
        let missing = [500, 1000, 2000].filter { !frequencies.contains($0) }
        if !missing.isEmpty {
            fail(field, "must include thresholds at 500, 1000 and 2000 Hz (missing \(missing.map(String.init).joined(separator: ", ")))")
        }
    }
}

/// An ear's thresholds with `-0` written as `0`: JSON's `-0` is a valid number but the same
/// threshold, and the service stores and echoes one spelling of it.
func withoutNegativeZero(_ ear: EarThresholds?) -> EarThresholds? {
    ear?.mapValues { $0 == 0 ? 0 : $0 }
}

extension UUID {
    /// Parses a path or body id; 404 for a malformed id in a path, since no such resource exists.
    static func path(_ text: String?, _ what: String) throws -> UUID {
        guard let text, let id = UUID(uuidString: text) else { throw APIError.notFound(what) }
        return id
    }
}
