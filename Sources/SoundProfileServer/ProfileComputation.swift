import Foundation
import SoundProfileStore

/// What `POST /v1/profiles` asks to fit, after validation.
struct FitInput: Sendable, Codable {
    var schemaVersion = 1
    var right: EarThresholds?
    var left: EarThresholds?
    var rule: String
    var bands: String?
    var compressionRatio: Double?
}

/// The one place the service calls the DSP fitting code (SoundProfileDSP `SoundProfile.fit`).
///
/// Until that API is on main this reports `FittingUnavailable`, which the routes answer with
/// 501 — the service never stores or returns a made-up profile.
enum ProfileComputation {
    struct FittingUnavailable: Error {}

    static let rules = ["nal-r", "nal-rp", "half-gain", "pogo"]
    static let bandLayouts = ["third-octave", "octave"]

    /// The fitted profile document (DESIGN.md "Fitted profile").
    static func fit(_ input: FitInput) throws -> JSONValue {
        throw FittingUnavailable()
    }

    /// The gain table pods load (gain per band × input level 30…100 dB SPL), as JSON.
    static func gainTable(profile: JSONValue) throws -> JSONValue {
        throw FittingUnavailable()
    }
}
