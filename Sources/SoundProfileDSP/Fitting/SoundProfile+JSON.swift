#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension SoundProfile {
    /// Reads a fitted profile strictly: valid JSON, only the keys of the format (DESIGN.md
    /// "Formats"), none of them twice, and valid content.
    /// - Parameter json: The file's bytes (UTF-8 JSON), as `soundprofile fit` writes them.
    /// - Throws: ``JSONKeyError`` for an unknown or duplicate key, ``FittingError`` for invalid
    ///   content, `DecodingError` for text that is not JSON or a value of the wrong type.
    ///
    /// Not for the audio thread.
    public init(json: some Collection<UInt8>) throws {
        let scan = JSONDuplicateKeys.scan(json, schema: Self.keySchema)
        if let duplicate = scan.duplicate { throw duplicate }
        let decoder = JSONDecoder()
        // A clean scan already checked every object's keys: the decoder need not list them.
        // Otherwise the decoder checks them and names the first unknown key as always.
        if scan.keysAllowed { decoder.userInfo[keysCheckedUserInfoKey] = true }
        self = try decoder.decode(SoundProfile.self, from: json as? Data ?? Data(json))
    }

    /// The profile format's keys, for the scan (the same lists the decoding checks).
    static let keySchema = JSONKeySchema(nodes: [
        .init(allowed: jsonKeys, members: ["ears": 1]),      // 0: the profile
        .init(allowed: earKeys, anyMember: 2),                // 1: ears
        .init(allowed: EarProfile.jsonKeys, members: ["targets": 3, "bands": 4]),  // 2: an ear
        .init(allowed: TargetGain.jsonKeys),                  // 3: a target
        .init(allowed: FittedBand.jsonKeys),                  // 4: a band
    ])
}
