#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Audiogram {
    /// Reads an audiogram file strictly: valid JSON, only the keys of the format (DESIGN.md
    /// "Formats"), none of them twice, and valid content.
    /// - Parameter json: The file's bytes (UTF-8 JSON).
    /// - Throws: ``JSONKeyError`` for an unknown or duplicate key, ``AudiogramError`` for
    ///   invalid content, `DecodingError` for text that is not JSON or a value of the wrong type.
    ///
    /// Not for the audio thread.
    public init(json: some Collection<UInt8>) throws {
        if let duplicate = JSONDuplicateKeys.first(in: json) { throw duplicate }
        self = try JSONDecoder().decode(Audiogram.self, from: Data(json))
    }
}
