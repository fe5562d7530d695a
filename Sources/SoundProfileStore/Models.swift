public import Foundation

/// A wearer (or clinician) known to the service.
public struct User: Codable, Sendable, Equatable {
    public var id: UUID
    public var email: String
    public var fullName: String
    public var createdAt: Date

    public init(id: UUID, email: String, fullName: String, createdAt: Date) {
        self.id = id
        self.email = email
        self.fullName = fullName
        self.createdAt = createdAt
    }
}

/// A hearing pod registered to a user.
public struct Device: Codable, Sendable, Equatable {
    public var id: UUID
    public var userId: UUID
    public var serial: String
    public var model: String
    /// Processing sample rate, in Hz.
    public var sampleRate: Int
    /// Processing preset name (`pod16k`, `pod24k`, `studio48k`).
    public var preset: String
    public var createdAt: Date

    public init(id: UUID, userId: UUID, serial: String, model: String, sampleRate: Int, preset: String, createdAt: Date) {
        self.id = id
        self.userId = userId
        self.serial = serial
        self.model = model
        self.sampleRate = sampleRate
        self.preset = preset
        self.createdAt = createdAt
    }
}

/// Hearing thresholds of one ear: frequency in Hz (as a decimal string, the audiogram file's
/// key) to threshold in dB HL.
public typealias EarThresholds = [String: Double]

/// A stored audiogram: ears as in the DESIGN.md audiogram file.
public struct AudiogramRecord: Codable, Sendable, Equatable {
    public var schemaVersion: Int = 1
    public var id: UUID
    public var userId: UUID
    public var measuredAt: Date
    public var right: EarThresholds?
    public var left: EarThresholds?
    public var createdAt: Date

    public init(id: UUID, userId: UUID, measuredAt: Date, right: EarThresholds?, left: EarThresholds?, createdAt: Date) {
        self.id = id
        self.userId = userId
        self.measuredAt = measuredAt
        self.right = right
        self.left = left
        self.createdAt = createdAt
    }
}

/// A fitted profile stored with the inputs it was computed from.
public struct ProfileRecord: Sendable, Equatable {
    public var schemaVersion: Int = 1
    public var id: UUID
    public var userId: UUID
    public var audiogramId: UUID?
    public var rule: String
    public var createdAt: Date
    /// The request that produced the profile (audiogram, rule, options).
    public var inputs: JSONText
    /// The fitted profile document (DESIGN.md "Fitted profile").
    public var profile: JSONText

    public init(id: UUID, userId: UUID, audiogramId: UUID?, rule: String, createdAt: Date, inputs: JSONText, profile: JSONText) {
        self.id = id
        self.userId = userId
        self.audiogramId = audiogramId
        self.rule = rule
        self.createdAt = createdAt
        self.inputs = inputs
        self.profile = profile
    }
}

/// A stored band analysis of an uploaded recording, keyed by the audio content hash.
public struct AnalysisRecord: Sendable, Equatable {
    public var schemaVersion: Int = 1
    public var id: UUID
    public var userId: UUID
    /// SHA-256 of the uploaded bytes, hex.
    public var contentHash: String
    public var createdAt: Date
    /// The analysis document (DESIGN.md "Analysis").
    public var analysis: JSONText

    public init(id: UUID, userId: UUID, contentHash: String, createdAt: Date, analysis: JSONText) {
        self.id = id
        self.userId = userId
        self.contentHash = contentHash
        self.createdAt = createdAt
        self.analysis = analysis
    }
}

/// One page of a cursor-paginated listing, oldest first.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// Opaque cursor for the next page; nil on the last page.
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

extension Page: Codable where Item: Codable {}

/// Position after the last item of a page: creation time (microseconds) and id.
/// Rendered as opaque base64url text.
public struct Cursor: Sendable, Equatable {
    public var createdAtMicros: Int64
    public var id: UUID

    public init(createdAtMicros: Int64, id: UUID) {
        self.createdAtMicros = createdAtMicros
        self.id = id
    }

    /// Parses an opaque cursor; nil when it was not made by `encoded`.
    public init?(encoded: String) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return nil }
        let parts = String(decoding: data, as: UTF8.self).split(separator: ":")
        guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.init(createdAtMicros: micros, id: id)
    }

    public var encoded: String {
        Data("\(createdAtMicros):\(id.uuidString.lowercased())".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// A stored object's fields plus its JSON document exactly as stored (canonical JSON written
/// once at creation): served as bytes, never parsed on read.
public struct StoredDocument: Sendable {
    public var id: UUID
    public var userId: UUID
    public var createdAt: Date
    /// Other scalar columns, by API member name (profiles: `rule`, `audiogramId`; analyses:
    /// `contentHash`).
    public var fields: [String: String]
    /// The document's JSON text as stored.
    public var json: String
    public init(id: UUID, userId: UUID, createdAt: Date, fields: [String: String], json: String) {
        self.id = id
        self.userId = userId
        self.createdAt = createdAt
        self.fields = fields
        self.json = json
    }
}
