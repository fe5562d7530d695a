public import Hummingbird
public import Foundation
import NIOCore
public import SoundProfileStore

/// The service's JSON conventions: camelCase keys (Codable's own), ISO 8601 dates (fractional
/// seconds accepted on input), sorted keys on output.
public enum JSONCoding {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatDate(date))
        }
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseDate(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an ISO 8601 date-time such as 2026-01-31T09:30:00Z")
            }
            return date
        }
        return decoder
    }()

    public static func formatDate(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    public static func parseDate(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)) { return date }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return nil
    }

    /// A JSON response.
    public static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let data = try encoder.encode(value)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A JSON response in which one member holding a stored document is written by
    /// ``JSONValue/write(to:)`` instead of through the encoder: the value is encoded with
    /// `placeholder` in that member, and the placeholder is then replaced by the document's text.
    /// A fitted profile has about 450 values; going through Encoder containers for each was most
    /// of the time of GET /v1/profiles/{id}.
    public static func response(_ value: some Encodable, document: JSONValue, placeholder: String) throws -> Response {
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        var out = ""
        document.write(to: &out)
        let spliced = text.replacingOccurrences(of: "\"\(placeholder)\"", with: out)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: spliced)))
    }

    /// Collects and decodes a JSON request body: 415 when it is not JSON, 413 when larger than
    /// the context's limit, 400 when it does not parse, 422 naming the field when a value has
    /// the wrong type or a required field is missing.
    public static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let mediaType = request.headers[.contentType].flatMap { MediaType(from: $0) }
        guard let mediaType, mediaType.isType(.applicationJson) || mediaType.subType.hasSuffix("+json") else {
            throw APIError(.unsupportedMediaType, "expected Content-Type: application/json")
        }
        let body = request.body
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        let data = Data(buffer: buffer)
        do {
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            // Foundation calls a number beyond ±Double.greatestFiniteMagnitude (1e400) invalid
            // JSON; RFC 8259 does not, so name the member holding it, as for any bad value.
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty, let (key, literal) = overflowingNumber(in: data) {
                throw APIError.invalid(key, "must be a number within ±1.8e308, got \(literal)")
            }
            throw fieldError(error)
        }
    }

    /// The member name and text of the first number literal in `data` too large for a Double,
    /// found by a plain scan of the JSON text (strings skipped, escapes honoured).
    static func overflowingNumber(in data: Data) -> (String, String)? {
        let bytes = [UInt8](data)
        var i = 0
        var lastString = ""
        var key = ""
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                var j = i + 1
                while j < bytes.count, bytes[j] != UInt8(ascii: "\"") { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
                lastString = String(decoding: bytes[(i + 1)..<min(j, bytes.count)], as: UTF8.self)
                i = j + 1
            } else if c == UInt8(ascii: ":") {
                key = lastString
                i += 1
            } else if c == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) {
                var j = i
                while j < bytes.count, "+-.eE0123456789".utf8.contains(bytes[j]) { j += 1 }
                let literal = String(decoding: bytes[i..<j], as: UTF8.self)
                if let value = Double(literal), !value.isFinite { return (key, literal) }
                i = j
            } else {
                i += 1
            }
        }
        return nil
    }

    static func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
        let keys = codingPath + (last.map { [$0] } ?? [])
        return keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    static func fieldError(_ error: DecodingError) -> APIError {
        switch error {
        case .keyNotFound(let key, let context):
            return .invalid(path(context.codingPath, key), "is required")
        case .typeMismatch(let type, let context):
            return .invalid(path(context.codingPath), "must be \(describe(type))")
        case .valueNotFound(let type, let context):
            return .invalid(path(context.codingPath), "must be \(describe(type)), not null")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return APIError(.badRequest, "the body is not valid JSON")
            }
            return .invalid(path(context.codingPath), context.debugDescription)
        @unknown default:
            return APIError(.badRequest, "the body could not be read")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "a boolean"
        case is Date.Type: "an ISO 8601 date-time"
        default:
            String(describing: type).hasPrefix("Dictionary") ? "an object" : (String(describing: type).hasPrefix("Array") ? "an array" : "a \(type)")
        }
    }
}
