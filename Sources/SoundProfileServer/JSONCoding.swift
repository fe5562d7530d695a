public import Hummingbird
public import Foundation
import NIOCore
public import SoundProfileStore
import SoundProfileDSP

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
        // Foundation's ISO 8601 parser carries an out-of-range field into the next one
        // ("12:99:00" reads as 13:39:00): check every field's range first (RFC 3339).
        guard isRFC3339DateTime(text) else { return nil }
        if let date = try? Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted)) { return date }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return nil
    }

    /// Whether `text` is an RFC 3339 date-time with every field in range:
    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, month 1–12, a day the month has, hour 0–23,
    /// minute 0–59, second 0–60 (a leap second), offset hours 0–23.
    public static func isRFC3339DateTime(_ text: String) -> Bool {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= b.count else { return nil }
            var value = 0
            for i in at..<(at + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        func isChar(_ at: Int, _ c: Character) -> Bool { at < b.count && b[at] == c.asciiValue! }
        guard let year = digits(0, 4), isChar(4, "-"), let month = digits(5, 2), isChar(7, "-"), let day = digits(8, 2),
              b.count > 10, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = digits(11, 2), isChar(13, ":"), let minute = digits(14, 2), isChar(16, ":"), let second = digits(17, 2)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...daysInMonth[month - 1]).contains(day),
              hour <= 23, minute <= 59, second <= 60 else { return false }
        var i = 19
        if isChar(i, ".") {
            i += 1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            guard i > start else { return false }
        }
        if i < b.count, b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") { return i + 1 == b.count }
        guard i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"),
              let offsetHours = digits(i + 1, 2), isChar(i + 3, ":"), let offsetMinutes = digits(i + 4, 2)
        else { return false }
        return offsetHours <= 23 && offsetMinutes <= 59 && i + 6 == b.count
    }

    /// A JSON response.
    public static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let data = try encoder.encode(value)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Collects and decodes a JSON request body: 415 when it is not JSON, 413 when larger than
    /// the context's limit, 400 when it does not parse, 422 naming the field when a value has
    /// the wrong type, a required field is missing, or a member is given twice (Foundation
    /// would silently keep one of them).
    public static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        var validator = Validator()
        let value = try await decode(type, from: request, context: context, into: &validator)
        try validator.check()
        return value
    }

    /// ``decode(_:from:context:)`` for a route that goes on to check the values: unknown and
    /// null members of a closed body are added to `validator` (not thrown), so the one 422 lists
    /// them together with the route's own field errors; when decoding fails (a missing or
    /// mistyped field) they are listed in the 422 it throws.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext,
                                     into validator: inout Validator) async throws -> T {
        let mediaType = request.headers[.contentType].flatMap { MediaType(from: $0) }
        guard let mediaType, mediaType.isType(.applicationJson) || mediaType.subType.hasSuffix("+json") else {
            throw APIError(.unsupportedMediaType, "expected Content-Type: application/json")
        }
        let body = request.body
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        let data = Data(buffer: buffer)
        if case .duplicate(let key, let object)? = JSONDuplicateKeys.first(in: data) {
            throw APIError.invalid(object.isEmpty ? key : object + "." + key,
                                   "is given more than once (duplicate key '\(key)'); each member may appear only once")
        }
        let memberErrors = (T.self as? any ClosedJSONBody.Type).map { closedMemberErrors($0, in: data) } ?? []
        /// The decoding failure's field, with the member errors on other fields.
        func invalid(_ error: FieldError) -> APIError {
            .invalid([error] + memberErrors.filter { $0.field != error.field })
        }
        do {
            let value = try decoder.decode(T.self, from: data)
            validator.errors += memberErrors
            return value
        } catch let error as DecodingError {
            // Foundation on Linux reports any number that does not fit its field's type (2^63 or
            // 24000.5 for an integer, 1e400 for anything) as "not valid JSON", without a path.
            // RFC 8259 calls such bodies valid, so find the member and answer 422 naming it.
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
               let (key, literal) = unfittingNumber(in: data, decode: { _ = try decoder.decode(T.self, from: $0) }) {
                throw invalid(FieldError(field: key, message: "must be a number that fits the field (a whole number in range where an integer is expected), got \(literal)"))
            }
            let failure = fieldError(error)
            if failure.status == .unprocessableContent, let field = failure.fields.first { throw invalid(field) }
            throw failure
        }
    }

    /// Request bodies are closed (the contract's `additionalProperties: false`): an unknown
    /// member is a 422 naming it, and so is `null` for any member — absent means "not given",
    /// null is not a value of any field (so PATCH `{"fullName": null}` is refused, not ignored).
    /// - Returns: The unknown and null members (none when the body is not a JSON object).
    static func closedMemberErrors(_ type: any ClosedJSONBody.Type, in data: Data) -> [FieldError] {
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any] else { return [] }
        var validator = Validator()
        func check(_ object: [String: Any], allowed: Set<String>, prefix: String) {
            for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                if !allowed.contains(key) {
                    validator.fail(prefix + key, "is not a member of this request (allowed: \(allowed.sorted().joined(separator: ", ")))")
                } else if value is NSNull {
                    validator.fail(prefix + key, "must not be null; leave the member out instead")
                } else if let nested = type.nestedMembers[key], let inner = value as? [String: Any] {
                    check(inner, allowed: nested, prefix: prefix + key + ".")
                }
            }
        }
        check(object, allowed: type.members, prefix: "")
        return validator.errors
    }

    /// The member name and text of the number literal that made `decode` fail: each literal
    /// that is not a small whole number is replaced by 0 in turn until decoding gets past it.
    /// The JSON text is scanned plainly (strings skipped, escapes honoured).
    static func unfittingNumber(in data: Data, decode: (Data) throws -> Void) -> (String, String)? {
        let bytes = [UInt8](data)
        var i = 0
        var lastString = ""
        // The open objects and arrays: an object's current member name, an array's index. The
        // field is their path ("right.500", "audiogram.right.500"), as fieldError names fields.
        var stack: [(isObject: Bool, key: String, index: Int)] = []
        var key: String {
            stack.map { $0.isObject ? $0.key : String($0.index) }.joined(separator: ".")
        }
        var tried = 0
        while i < bytes.count, tried < 64 {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                var j = i + 1
                while j < bytes.count, bytes[j] != UInt8(ascii: "\"") { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
                lastString = String(decoding: bytes[(i + 1)..<min(j, bytes.count)], as: UTF8.self)
                i = j + 1
            } else if c == UInt8(ascii: ":") {
                if !stack.isEmpty { stack[stack.count - 1].key = lastString }
                i += 1
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                stack.append((c == UInt8(ascii: "{"), "", 0))
                i += 1
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                _ = stack.popLast()
                i += 1
            } else if c == UInt8(ascii: ",") {
                if let last = stack.last, !last.isObject { stack[stack.count - 1].index += 1 }
                i += 1
            } else if c == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) {
                var j = i
                while j < bytes.count, "+-.eE0123456789".utf8.contains(bytes[j]) { j += 1 }
                let literal = String(decoding: bytes[i..<j], as: UTF8.self)
                if Int32(literal) == nil {  // small whole numbers fit every numeric field
                    tried += 1
                    var patched = bytes
                    patched.replaceSubrange(i..<j, with: Array("0".utf8))
                    do {
                        try decode(Data(patched))
                        return (key, literal)
                    } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
                        // not this one
                    } catch {
                        return (key, literal)  // past the number: another, named, error follows
                    }
                }
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

/// A request body with a fixed set of members (see ``JSONCoding/closedMemberErrors(_:in:)``).
protocol ClosedJSONBody: Decodable {
    /// The members the body may have.
    static var members: Set<String> { get }
    /// For members that are objects with fixed members of their own: those members.
    static var nestedMembers: [String: Set<String>] { get }
}

extension ClosedJSONBody {
    static var nestedMembers: [String: Set<String>] { [:] }
}
