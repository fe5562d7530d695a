public import Foundation
public import Hummingbird
import NIOCore
public import SoundProfileStore
import SoundProfileDSP

/// Responses that carry stored documents (fitted profiles, analyses): the members around the
/// document are written here, in the order and form `JSONCoding.encoder` gives them (sorted
/// keys, upper-case UUIDs, ISO 8601 dates, absent optionals left out), and the document's
/// stored text is copied in byte for byte — no parse, no re-encoding, on reads and on creates.
/// `StoredJSONTests` checks the bytes against `JSONCoding.encoder` on the same values.
public struct StoredJSON: Sendable {
    public enum Document: String, Sendable { case profile, analysis }

    public var id: UUID
    public var userId: UUID
    public var audiogramId: UUID?
    public var rule: String?
    public var contentHash: String?
    public var createdAt: Date
    public var document: Document
    public var text: String

    public init(id: UUID, userId: UUID, audiogramId: UUID? = nil, rule: String? = nil, contentHash: String? = nil,
                createdAt: Date, document: Document, text: String) {
        self.id = id; self.userId = userId; self.audiogramId = audiogramId; self.rule = rule
        self.contentHash = contentHash; self.createdAt = createdAt; self.document = document; self.text = text
    }

    public init(_ record: ProfileRecord) {
        self.init(id: record.id, userId: record.userId, audiogramId: record.audiogramId, rule: record.rule,
                  createdAt: record.createdAt, document: .profile, text: record.profile.text)
    }

    public init(_ record: AnalysisRecord) {
        self.init(id: record.id, userId: record.userId, contentHash: record.contentHash,
                  createdAt: record.createdAt, document: .analysis, text: record.analysis.text)
    }

    /// A profile or analysis read with `storedProfile` / `storedAnalysis`.
    public init(_ stored: StoredDocument, document: Document) {
        self.init(id: stored.id, userId: stored.userId,
                  audiogramId: stored.fields["audiogramId"].flatMap(UUID.init(uuidString:)),
                  rule: document == .profile ? stored.fields["rule"] : nil,
                  contentHash: document == .analysis ? stored.fields["contentHash"] : nil,
                  createdAt: stored.createdAt, document: document, text: stored.json)
    }

    /// The object: `analysis`, `audiogramId`, `contentHash`, `createdAt`, `id`, `profile`,
    /// `rule`, `schemaVersion`, `userId` (sorted, as the encoder sorts them).
    public func write(to buffer: inout ByteBuffer) {
        var first = true
        func key(_ name: StaticString) {
            buffer.writeStaticString(first ? "{\"" : ",\"")
            first = false
            buffer.writeStaticString(name)
            buffer.writeStaticString("\":")
        }
        if document == .analysis { key("analysis"); buffer.writeString(text) }
        if let audiogramId { key("audiogramId"); Self.writeString(audiogramId.uuidString, to: &buffer) }
        if let contentHash { key("contentHash"); Self.writeString(contentHash, to: &buffer) }
        key("createdAt"); Self.writeString(JSONCoding.formatDate(createdAt), to: &buffer)
        key("id"); Self.writeString(id.uuidString, to: &buffer)
        if document == .profile { key("profile"); buffer.writeString(text) }
        if let rule { key("rule"); Self.writeString(rule, to: &buffer) }
        key("schemaVersion"); buffer.writeStaticString("1")
        key("userId"); Self.writeString(userId.uuidString, to: &buffer)
        buffer.writeStaticString("}")
    }

    /// One document as a response.
    public func response(status: HTTPResponse.Status = .ok, location: String? = nil) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(text.utf8.count + 320)
        write(to: &buffer)
        return Self.response(buffer, status: status, location: location)
    }

    /// A page of documents: `{"items":[…],"nextCursor":"…"}` (no `nextCursor` on the last page).
    public static func page(_ items: [StoredJSON], nextCursor: String?) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(items.reduce(64) { $0 + $1.text.utf8.count + 320 })
        buffer.writeStaticString("{\"items\":[")
        for (index, item) in items.enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            item.write(to: &buffer)
        }
        buffer.writeStaticString("]")
        if let nextCursor {
            buffer.writeStaticString(",\"nextCursor\":")
            writeString(nextCursor, to: &buffer)
        }
        buffer.writeStaticString("}")
        return response(buffer, status: .ok, location: nil)
    }

    private static func response(_ buffer: ByteBuffer, status: HTTPResponse.Status, location: String?) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// A JSON string as `JSONCoding.encoder` writes one (`CompactJSON`'s escaping).
    static func writeString(_ text: String, to buffer: inout ByteBuffer) {
        var out = ""
        CompactJSON.appendString(text, to: &out)
        buffer.writeString(out)
    }
}
