public import Foundation
public import SoundProfileStore
public import SoundProfileDSP

/// What a profile is fitted from: the audiogram's ears and the fitting choices of
/// `POST /v1/profiles`. Stored next to the profile as its `inputs`, so a profile can be re-fitted.
public struct ProfileFitInput: Sendable, Codable, Equatable {
    public var schemaVersion = 1
    /// Right-ear thresholds, dB HL by frequency in Hz (as in the audiogram file).
    public var right: EarThresholds?
    /// Left-ear thresholds, dB HL by frequency in Hz.
    public var left: EarThresholds?
    /// The prescription rule: one of ``ProfileFitting/rules``.
    public var rule: String
    /// The band layout: one of ``ProfileFitting/bandLayouts`` (nil: third-octave 125 Hz–8 kHz).
    public var bands: String?
    /// The compression ratio in every band, 1…10 (nil: the library default, 2).
    public var compressionRatio: Double?

    /// - Parameters:
    ///   - right: Right-ear thresholds in dB HL by frequency in Hz, or nil.
    ///   - left: Left-ear thresholds in dB HL by frequency in Hz, or nil.
    ///   - rule: The prescription rule's name.
    ///   - bands: The band layout's name, or nil for the default.
    ///   - compressionRatio: The compression ratio in every band, or nil for the default.
    public init(right: EarThresholds?, left: EarThresholds?, rule: String, bands: String? = nil, compressionRatio: Double? = nil) {
        self.right = right
        self.left = left
        self.rule = rule
        self.bands = bands
        self.compressionRatio = compressionRatio
    }
}

/// The one place the service fits profiles (SoundProfileDSP `SoundProfile.fit`) and turns them
/// into the gain tables pods load. `POST /v1/profiles` and `soundprofile seed-demo` both go
/// through ``createProfile(in:userId:audiogramId:input:)``. Not real-time code.
public enum ProfileFitting {
    /// The accepted `rule` values.
    public static let rules: [String] = PrescriptionRule.allCases.map(\.rawValue)
    /// The accepted `bands` values (each over 125 Hz–8 kHz).
    public static let bandLayouts = ["third-octave", "octave"]

    /// Fits a profile.
    /// - Parameter input: Ears, rule and options (checked again here; the routes validate first
    ///   so that every invalid field is named in one response).
    /// - Returns: The fitted profile.
    /// - Throws: `APIError` 422 naming the field when the input cannot be fitted.
    public static func fit(_ input: ProfileFitInput) throws -> SoundProfile {
        guard let rule = PrescriptionRule(rawValue: input.rule) else {
            throw APIError.invalid("rule", "must be one of \(rules.joined(separator: ", ")), got \(input.rule)")
        }
        var options = FittingOptions(rule: rule)
        if let bands = input.bands {
            guard bandLayouts.contains(bands) else {
                throw APIError.invalid("bands", "must be one of \(bandLayouts.joined(separator: ", ")), got \(bands)")
            }
            do {
                options.layout = bands == "octave" ? try BandLayout.octave(from: 125, to: 8000) : FittingOptions.defaultLayout
            } catch {
                throw APIError.invalid("bands", "\(error)")
            }
        }
        if let ratio = input.compressionRatio { options.compressionRatio = .same(ratio) }
        let audiogram: Audiogram
        do {
            audiogram = try Audiogram(right: try hz(input.right, "right"), left: try hz(input.left, "left"))
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.invalid("audiogram", "\(error)")
        }
        do {
            return try SoundProfile.fit(audiogram: audiogram, options: options)
        } catch let error as FittingError {
            if case .outOfRange(let field, _, _) = error { throw APIError.invalid(field, "\(error)") }
            throw APIError.invalid("audiogram", "\(error)")
        }
    }

    /// Fits a profile for a user and stores it with its inputs.
    /// - Parameters:
    ///   - repository: Where to store it.
    ///   - userId: The owner (must exist).
    ///   - audiogramId: The stored audiogram the ears came from, or nil for an inline audiogram.
    ///   - input: Ears, rule and options.
    /// - Returns: The stored profile.
    /// - Throws: `APIError` 422 for input that cannot be fitted; store errors as they come.
    public static func createProfile(
        in repository: any SoundProfileRepository, userId: UUID, audiogramId: UUID?, input: ProfileFitInput
    ) async throws -> ProfileRecord {
        let profile = try fit(input)
        return try await repository.createProfile(
            userId: userId, audiogramId: audiogramId, rule: input.rule,
            inputs: try JSONText(encoding: input), profile: JSONText(stored: try profile.compactJSON())
        )
    }

    /// The gain table pods load (gain per band × input band level 30…100 dB SPL) of a stored profile.
    /// - Throws: when the stored document is not a valid profile (a server-side fault).
    static func gainTable(profile: JSONText) throws -> GainTableDocument {
        let decoded = try JSONDecoder().decode(SoundProfile.self, from: profile.data)
        var ears: [String: GainTableDocument.EarTable] = [:]
        for (ear, table) in try decoded.gainTables() {
            ears[ear.rawValue] = GainTableDocument.EarTable(centerHz: table.centerHz, gainsDB: table.gainsDB)
        }
        return GainTableDocument(fullScaleDBSPL: decoded.fullScaleDBSPL, levelsDBSPL: GainTable.defaultLevelsDBSPL, ears: ears)
    }

    private static func hz(_ ear: EarThresholds?, _ field: String) throws -> [Double: Double]? {
        guard let ear else { return nil }
        var out: [Double: Double] = [:]
        for (key, value) in ear {
            guard let f = Double(key) else { throw APIError.invalid("\(field).\(key)", "keys must be frequencies in Hz such as \"1000\"") }
            out[f] = value
        }
        return out
    }
}
