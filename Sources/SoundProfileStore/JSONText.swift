public import Foundation

/// A JSON document's text — a fitted profile, an analysis, the inputs of a fit — as it is
/// stored and served: encoded once when it is created (sorted keys, slashes unescaped) and from
/// then on copied as bytes. Nothing in the service parses it again except where a typed value
/// is needed (a gain table, a picture), and then with `JSONDecoder` into that type.
public struct JSONText: Sendable, Equatable, CustomStringConvertible {
    /// The document, UTF-8 text.
    public let text: String

    /// Encodes `value`; the text is what a later read returns, byte for byte.
    public init(encoding value: some Encodable) throws {
        text = String(decoding: try JSONText.encoder.encode(value), as: UTF8.self)
    }

    /// Text already in that form: read back from the store, or written by a writer that gives
    /// the encoder's bytes (`SoundProfile.compactJSON()`).
    public init(stored text: String) {
        self.text = text
    }

    public var description: String { text }

    /// The text as bytes, for a `JSONDecoder`.
    public var data: Data { Data(text.utf8) }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
