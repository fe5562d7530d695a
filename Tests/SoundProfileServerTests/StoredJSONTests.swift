import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SoundProfileServer
import SoundProfileStore
import Testing

/// `StoredJSON` writes the members around a stored document by hand; Foundation's encoder,
/// with the service's settings (`JSONCoding.encoder`), is the reference for every byte.
@Suite struct StoredJSONTests {
    /// The document inside: a nested object with numbers, strings, arrays and escapes.
    struct Document: Codable, Equatable {
        var fullScaleDBSPL: Double
        var bands: [Double]
        var note: String
    }

    /// The same members as Codable values, encoded by the reference encoder.
    struct Reference: Encodable {
        var schemaVersion = 1
        var id: UUID
        var userId: UUID
        var audiogramId: UUID?
        var rule: String?
        var contentHash: String?
        var createdAt: Date
        var profile: Document?
        var analysis: Document?
    }

    struct ReferencePage: Encodable {
        var items: [Reference]
        var nextCursor: String?
    }

    /// Strings a stored column could hold: quotes, backslashes, every control character,
    /// slashes, DEL, non-ASCII and astral characters.
    static let strings: [String] = [
        "", "nal-r", "nal-nl2", #"a"b\c/d"#, "tab\tline\nreturn\rfeed\u{0C}back\u{08}",
        String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) }), "\u{7F}é😀/ü", "e3b0c44298fc1c149afbf4c8996fb924",
    ]

    static func random(_ rng: inout some RandomNumberGenerator) -> (StoredJSON, Reference) {
        let id = UUID(), user = UUID()
        let audiogram: UUID? = Bool.random(using: &rng) ? UUID() : nil
        // Microsecond instants, as the store keeps them, some before 1970 and some with no fraction.
        let micros = Int64.random(in: -2_000_000_000_000_000...4_000_000_000_000_000, using: &rng)
        let createdAt = Date(timeIntervalSince1970: Double(Bool.random(using: &rng) ? micros / 1_000_000 * 1_000_000 : micros) / 1_000_000)
        let document = Document(fullScaleDBSPL: Double.random(in: -1e6...1e6, using: &rng),
                                bands: (0..<Int.random(in: 0...5, using: &rng)).map { _ in (Double.random(in: -200...200, using: &rng) * 100).rounded() / 100 },
                                note: strings.randomElement(using: &rng)!)
        let text = try! JSONText(encoding: document).text
        if Bool.random(using: &rng) {
            let rule = strings.randomElement(using: &rng)!
            return (StoredJSON(id: id, userId: user, audiogramId: audiogram, rule: rule, createdAt: createdAt, document: .profile, text: text),
                    Reference(id: id, userId: user, audiogramId: audiogram, rule: rule, createdAt: createdAt, profile: document))
        }
        let hash = strings.randomElement(using: &rng)!
        return (StoredJSON(id: id, userId: user, contentHash: hash, createdAt: createdAt, document: .analysis, text: text),
                Reference(id: id, userId: user, contentHash: hash, createdAt: createdAt, analysis: document))
    }

    @Test func objectsMatchTheReferenceEncoderByteForByte() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let (stored, reference) = Self.random(&rng)
            var buffer = ByteBuffer()
            stored.write(to: &buffer)
            let expected = String(decoding: try JSONCoding.encoder.encode(reference), as: UTF8.self)
            #expect(String(buffer: buffer) == expected)
        }
    }

    @Test func pagesMatchTheReferenceEncoderByteForByte() async throws {
        var rng = SystemRandomNumberGenerator()
        for count in [0, 1, 3] {
            for cursor in [nil, "AAAAAAABc_-x", #"odd"cursor\"#] as [String?] {
                let pairs = (0..<count).map { _ in Self.random(&rng) }
                let response = StoredJSON.page(pairs.map(\.0), nextCursor: cursor)
                let expected = String(decoding: try JSONCoding.encoder.encode(ReferencePage(items: pairs.map(\.1), nextCursor: cursor)), as: UTF8.self)
                #expect(try await Self.collect(response) == expected)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            }
        }
    }

    @Test func responsesCarryStatusLocationAndTheDocumentAsStored() async throws {
        var rng = SystemRandomNumberGenerator()
        let (stored, reference) = Self.random(&rng)
        let response = stored.response(status: .created, location: "/v1/profiles/x")
        #expect(response.status == .created)
        #expect(response.headers[.location] == "/v1/profiles/x")
        #expect(try await Self.collect(response) == String(decoding: try JSONCoding.encoder.encode(reference), as: UTF8.self))
    }

    static func collect(_ response: Response) async throws -> String {
        let collector = Collector()
        try await response.body.write(collector)
        return String(buffer: collector.box.buffer)
    }

    /// A response body writer that keeps what is written.
    struct Collector: ResponseBodyWriter {
        final class Box: @unchecked Sendable { var buffer = ByteBuffer() }
        let box = Box()
        mutating func write(_ buffer: ByteBuffer) async throws { box.buffer.writeImmutableBuffer(buffer) }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
