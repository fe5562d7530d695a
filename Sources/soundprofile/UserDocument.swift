#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SoundProfileDSP

/// The JSON documents a user hands to the command line (audiograms, fitted profiles), read
/// strictly and, when they are of the wrong kind, named for what they are.
enum UserDocument {
    /// What a JSON document looks like, from its top-level keys.
    enum Kind: Equatable {
        case audiogram, profile, analysis, other
    }

    /// The kind of `data`: a profile has `ears` (or `rule` and `fullScaleDBSPL`), an
    /// audiogram `right` or `left`, an analysis result is a list or has `file`/`channels`.
    static func kind(of data: Data) -> Kind {
        let first = data.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) })
        if first == UInt8(ascii: "["), (try? JSONDecoder().decode([TopLevel].self, from: data)) != nil { return .analysis }
        guard first == UInt8(ascii: "{"), let keys = (try? JSONDecoder().decode(TopLevel.self, from: data))?.keys else { return .other }
        if keys.contains("ears") || keys.isSuperset(of: ["rule", "fullScaleDBSPL"]) { return .profile }
        if keys.contains("right") || keys.contains("left") { return .audiogram }
        if keys.contains("channels") || keys.contains("file") || keys.contains("files") { return .analysis }
        return .other
    }

    /// The member names of a JSON object (empty for any other JSON value).
    private struct TopLevel: Decodable {
        var keys: Set<String> = []

        private struct Name: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            if let object = try? decoder.container(keyedBy: Name.self) { keys = Set(object.allKeys.map(\.stringValue)) }
        }
    }

    /// The example a message shows for an audiogram file.
    static let audiogramExample = #"{"right": {"500": 20, "1000": 30, "2000": 40}, "left": {…}} (dB HL by frequency in Hz)"#

    /// Reads an audiogram file strictly (``Audiogram/init(json:)``).
    /// - Parameters:
    ///   - path: The file as the user named it.
    ///   - profileHint: What to do instead when the file is a fitted profile.
    /// - Throws: ``CLIError`` naming the file and why it cannot be used.
    static func audiogram(at path: String, profileHint: String = "give the audiogram it was fitted from") throws -> Audiogram {
        let data = try readUserFile(path)
        do {
            return try Audiogram(json: data)
        } catch {
            switch kind(of: data) {
            case .profile: throw CLIError(path, "this is a fitted profile, not an audiogram; \(profileHint)")
            case .analysis: throw CLIError(path, "this is an analysis result (soundprofile analyze), not an audiogram")
            case .audiogram, .other: break
            }
            if let decoding = error as? DecodingError {
                throw CLIError(path, "not an audiogram file: \(CLIMessage.decodingReason(decoding)); it must be JSON like \(audiogramExample)")
            }
            throw CLIError(path, CLIMessage.reason(for: error))
        }
    }

    /// Reads a fitted profile strictly (``SoundProfile/init(json:)``).
    /// - Parameter path: The file as the user named it.
    /// - Throws: ``CLIError`` naming the file and why it cannot be used.
    static func profile(at path: String) throws -> SoundProfile {
        let data = try readUserFile(path)
        do {
            return try SoundProfile(json: data)
        } catch {
            switch kind(of: data) {
            case .audiogram:
                throw CLIError(path, "this is an audiogram; run `soundprofile fit` first (soundprofile fit --audiogram \(path) --output profile.json) and give the profile it writes")
            case .analysis: throw CLIError(path, "this is an analysis result (soundprofile analyze), not a fitted profile")
            case .profile, .other: break
            }
            if let decoding = error as? DecodingError {
                throw CLIError(path, "not a fitted profile: \(CLIMessage.decodingReason(decoding)); it must be the JSON that `soundprofile fit` writes")
            }
            throw CLIError(path, CLIMessage.reason(for: error))
        }
    }
}
