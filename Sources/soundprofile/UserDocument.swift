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
        case audiogram, profile, analysis, array, other
    }

    /// The kind of `data`: a profile has `ears` (or `rule` and `fullScaleDBSPL`), an
    /// audiogram `right` or `left`, an analysis result has `file`/`channels` (a list of them
    /// is one too); any other list is just an array.
    static func kind(of data: Data) -> Kind {
        let first = data.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) })
        if first == UInt8(ascii: "[") {
            // `soundprofile analyze --format json` writes a list of records, each with `file`.
            guard let records = try? JSONDecoder().decode([TopLevel].self, from: data) else { return .array }
            return !records.isEmpty && records.allSatisfy({ $0.keys.contains("file") }) ? .analysis : .array
        }
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

    /// Where and why the text is not JSON the reader takes (position and what was found, or the
    /// path of a number out of range), when decoding failed without naming a place.
    static func syntaxProblem(_ error: any Error, _ data: Data) -> String? {
        guard case DecodingError.dataCorrupted(let context)? = error as? DecodingError, context.codingPath.isEmpty else { return nil }
        return JSONSyntax.problem(in: data)
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
            case .audiogram, .array, .other: break
            }
            if let problem = syntaxProblem(error, data) { throw CLIError(path, "not an audiogram file: " + problem) }
            if kind(of: data) == .array { throw CLIError(path, "this is a JSON array, not an audiogram: it must be an object like \(audiogramExample)") }
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
            case .profile, .array, .other: break
            }
            if let problem = syntaxProblem(error, data) { throw CLIError(path, "not a fitted profile: " + problem) }
            if kind(of: data) == .array { throw CLIError(path, "this is a JSON array, not a fitted profile: it must be the JSON object that `soundprofile fit` writes") }
            if let decoding = error as? DecodingError {
                throw CLIError(path, "not a fitted profile: \(CLIMessage.decodingReason(decoding)); it must be the JSON that `soundprofile fit` writes")
            }
            throw CLIError(path, CLIMessage.reason(for: error))
        }
    }
}
