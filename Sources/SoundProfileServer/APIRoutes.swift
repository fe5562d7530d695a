import Hummingbird
import Foundation
import SoundProfileStore
import NIOCore
import SoundProfileIO
import Synchronization

/// The `/v1` routes. Access rule: a user sees and changes only their own data; an admin sees
/// all. A user-scoped path naming another user (`/v1/users/{other}/…`) is 403; an object by id
/// that belongs to someone else is 404, so ids of others' objects are not confirmed.
struct APIRoutes: Sendable {
    let repository: any SoundProfileRepository
    let maxAudioBytes: Int
    let analyses: AnalysisLimiter

    func add(to group: RouterGroup<AppRequestContext>) {
        group.post("users", use: createUser)
        group.getAndHead("users", use: listUsers)
        group.getAndHead("users/search", use: searchUsers)
        group.getAndHead("users/:id", use: getUser)
        group.patch("users/:id", use: patchUser)
        group.delete("users/:id", use: deleteUser)

        group.post("users/:id/devices", use: createDevice)
        group.getAndHead("users/:id/devices", use: listDevices)
        group.delete("devices/:id", use: deleteDevice)

        group.post("users/:id/audiograms", use: createAudiogram)
        group.getAndHead("users/:id/audiograms", use: listAudiograms)
        group.getAndHead("audiograms/:id", use: getAudiogram)
        group.delete("audiograms/:id", use: deleteAudiogram)

        group.post("profiles", use: createProfile)
        group.getAndHead("profiles/:id", use: getProfile)
        group.delete("profiles/:id", use: deleteProfile)
        group.getAndHead("profiles/:id/gain-table", use: getGainTable)
        group.getAndHead("users/:id/profiles", use: listProfiles)

        group.post("analyses", use: createAnalysis)
        group.getAndHead("users/:id/analyses", use: listAnalyses)
        group.getAndHead("analyses/:id", use: getAnalysis)
        group.delete("analyses/:id", use: deleteAnalysis)
        addPictures(to: group)
    }

    /// DELETE of an object by id: the owner or an admin; 404 when it does not exist or belongs
    /// to someone else (as for GET), 204 when deleted.
    private func deleteOwned(
        _ context: AppRequestContext, _ what: String, _ delete: (UUID, UUID?) async throws -> Bool
    ) async throws -> Response {
        let caller = try context.caller()
        let id = try UUID.path(context.parameters.get("id"), what)
        guard try await delete(id, caller.isAdmin ? nil : caller.userId) else { throw APIError.notFound(what) }
        return Response(status: .noContent)
    }

    @Sendable func deleteDevice(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await deleteOwned(context, "device") { try await repository.deleteDevice(id: $0, owner: $1) }
    }

    @Sendable func deleteAudiogram(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await deleteOwned(context, "audiogram") { try await repository.deleteAudiogram(id: $0, owner: $1) }
    }

    @Sendable func deleteProfile(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await deleteOwned(context, "profile") { try await repository.deleteProfile(id: $0, owner: $1) }
    }

    @Sendable func deleteAnalysis(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await deleteOwned(context, "analysis") { try await repository.deleteAnalysis(id: $0, owner: $1) }
    }

    @Sendable func listAnalyses(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try await scopedUser(context)
        let (limit, cursor) = try pageParameters(request)
        let page = try await repository.analyses(userId: user.id, limit: limit, after: cursor)
        return StoredJSON.page(page.items.map(StoredJSON.init), nextCursor: page.nextCursor)
    }

    // MARK: Access

    /// The user a user-scoped path names, after checking the caller may act for them.
    private func scopedUser(_ context: AppRequestContext) async throws -> User {
        let caller = try context.caller()
        let id = try UUID.path(context.parameters.get("id"), "user")
        guard caller.isAdmin || caller.userId == id else { throw APIError.forbidden() }
        guard let user = try await repository.user(id: id) else { throw APIError.notFound("user") }
        return user
    }

    func visible(_ owner: UUID, _ context: AppRequestContext, _ what: String) throws {
        let caller = try context.caller()
        guard caller.isAdmin || caller.userId == owner else { throw APIError.notFound(what) }
    }

    private func requireAdmin(_ context: AppRequestContext) throws {
        guard try context.caller().isAdmin else { throw APIError.forbidden("needs an admin token") }
    }

    private func pageParameters(_ request: Request) throws -> (Int, Cursor?) {
        var validator = Validator()
        var limit = 50
        if let text = request.uri.queryParameters.get("limit") {
            if let value = Int(text) { limit = value; validator.range(value, 1...1000, field: "limit") }
            else { validator.fail("limit", "must be an integer between 1 and 1000") }
        }
        var cursor: Cursor?
        if let text = request.uri.queryParameters.get("cursor"), !text.isEmpty {
            cursor = Cursor(encoded: text)
            if cursor == nil { validator.fail("cursor", "is not a cursor this service issued") }
        }
        try validator.check()
        return (limit, cursor)
    }

    private func created(_ value: some Encodable, location: String) throws -> Response {
        try JSONCoding.response(value, status: .created, headers: [.location: location])
    }

    // MARK: Users

    struct NewUserBody: ClosedJSONBody {
        var email: String; var fullName: String
        static let members: Set = ["email", "fullName"]
    }
    /// A member left out stays as it is; `null` is a 422 (neither field can be empty).
    struct PatchUserBody: ClosedJSONBody {
        var email: String?; var fullName: String?
        static let members: Set = ["email", "fullName"]
    }

    @Sendable func createUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireAdmin(context)
        var validator = Validator()  // unknown members are collected with the field checks
        let body = try await JSONCoding.decode(NewUserBody.self, from: request, context: context, into: &validator)
        validator.email(body.email)
        validator.text(body.fullName, field: "fullName", maxLength: 200)
        try validator.check()
        do {
            let user = try await repository.createUser(email: body.email, fullName: body.fullName)
            return try created(user, location: "/v1/users/\(user.id.uuidString)")
        } catch StoreError.duplicateEmail {
            throw APIError(.conflict, "a user with this email already exists", fields: [FieldError(field: "email", message: "is already in use")])
        }
    }

    @Sendable func listUsers(_ request: Request, context: AppRequestContext) async throws -> Response {
        try requireAdmin(context)
        let (limit, cursor) = try pageParameters(request)
        return try JSONCoding.response(try await repository.users(limit: limit, after: cursor))
    }

    @Sendable func searchUsers(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.caller()
        guard let email = request.uri.queryParameters.get("email"), !email.isEmpty else {
            throw APIError.invalid("email", "is required")
        }
        var validator = Validator()
        validator.noControlCharacters(email, field: "email")
        try validator.check()
        guard let user = try await repository.user(email: email), caller.isAdmin || user.id == caller.userId else {
            throw APIError.notFound("user")
        }
        var response = try JSONCoding.response(user)
        response.headers[.cacheControl] = "private, max-age=60"
        return response
    }

    @Sendable func getUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        try JSONCoding.response(try await scopedUser(context))
    }

    @Sendable func patchUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try await scopedUser(context)
        var validator = Validator()  // unknown members are collected with the field checks
        let body = try await JSONCoding.decode(PatchUserBody.self, from: request, context: context, into: &validator)
        if let email = body.email { validator.email(email) }
        if let fullName = body.fullName { validator.text(fullName, field: "fullName", maxLength: 200) }
        try validator.check()
        do {
            guard let updated = try await repository.updateUser(id: user.id, email: body.email, fullName: body.fullName) else {
                throw APIError.notFound("user")
            }
            return try JSONCoding.response(updated)
        } catch StoreError.duplicateEmail {
            throw APIError(.conflict, "a user with this email already exists", fields: [FieldError(field: "email", message: "is already in use")])
        }
    }

    @Sendable func deleteUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try await scopedUser(context)
        guard try await repository.deleteUser(id: user.id) else { throw APIError.notFound("user") }
        return Response(status: .noContent)
    }

    // MARK: Devices

    /// `sampleRate` is read as any JSON number and checked here, so 2^63 or 24000.5 get a 422
    /// naming the field rather than a decoding failure.
    struct NewDeviceBody: ClosedJSONBody {
        var serial: String; var model: String; var sampleRate: Double; var preset: String
        static let members: Set = ["serial", "model", "sampleRate", "preset"]
    }
    static let presets = ["pod16k": 16000, "pod24k": 24000, "studio48k": 48000]

    @Sendable func createDevice(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try await scopedUser(context)
        var validator = Validator()  // unknown members are collected with the field checks
        let body = try await JSONCoding.decode(NewDeviceBody.self, from: request, context: context, into: &validator)
        validator.text(body.serial, field: "serial", maxLength: 64)
        if body.serial.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_")) }) {
            validator.fail("serial", "may contain only letters, digits, '-' and '_'")
        }
        validator.text(body.model, field: "model", maxLength: 100)
        let sampleRate = validator.wholeNumber(body.sampleRate, 8000...96000, field: "sampleRate", unit: "Hz")
        validator.oneOf(body.preset, Self.presets.keys.sorted(), field: "preset")
        if let rate = Self.presets[body.preset], let sampleRate, rate != sampleRate {
            validator.fail("sampleRate", "preset \(body.preset) runs at \(rate) Hz, got \(sampleRate)")
        }
        try validator.check()
        do {
            let device = try await repository.createDevice(
                userId: user.id, NewDevice(serial: body.serial, model: body.model, sampleRate: sampleRate ?? 0, preset: body.preset)
            )
            return try created(device, location: "/v1/users/\(user.id.uuidString)/devices")
        } catch StoreError.conflict(let message) {
            throw APIError(.conflict, message, fields: [FieldError(field: "serial", message: "is already registered")])
        }
    }

    @Sendable func listDevices(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try await scopedUser(context)
        let (limit, cursor) = try pageParameters(request)
        return try JSONCoding.response(try await repository.devices(userId: user.id, limit: limit, after: cursor))
    }

    // MARK: Audiograms

    struct NewAudiogramBody: ClosedJSONBody {
        var schemaVersion: Int?
        var measuredAt: Date?
        var right: EarThresholds?
        var left: EarThresholds?
        static let members: Set = ["schemaVersion", "measuredAt", "right", "left"]
    }

    static func validateEars(_ right: EarThresholds?, _ left: EarThresholds?, prefix: String, into validator: inout Validator) {
        if right == nil && left == nil {
            validator.fail(prefix.isEmpty ? "right" : prefix, "at least one ear (right or left) is required")
        }
        let dot = prefix.isEmpty ? "" : prefix + "."
        validator.ear(right, field: dot + "right")
        validator.ear(left, field: dot + "left")
    }

    @Sendable func createAudiogram(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try await scopedUser(context)
        var validator = Validator()  // unknown members are collected with the field checks
        let body = try await JSONCoding.decode(NewAudiogramBody.self, from: request, context: context, into: &validator)
        if let version = body.schemaVersion, version != 1 { validator.fail("schemaVersion", "must be 1") }
        Self.validateEars(body.right, body.left, prefix: "", into: &validator)
        if let measuredAt = body.measuredAt, measuredAt > Date().addingTimeInterval(24 * 3600) {
            validator.fail("measuredAt", "must not be in the future")
        }
        try validator.check()
        let record = try await repository.createAudiogram(userId: user.id, measuredAt: body.measuredAt ?? Date(),
                                                          right: withoutNegativeZero(body.right), left: withoutNegativeZero(body.left))
        return try created(record, location: "/v1/audiograms/\(record.id.uuidString)")
    }

    @Sendable func listAudiograms(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try await scopedUser(context)
        let (limit, cursor) = try pageParameters(request)
        return try JSONCoding.response(try await repository.audiograms(userId: user.id, limit: limit, after: cursor))
    }

    @Sendable func getAudiogram(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try UUID.path(context.parameters.get("id"), "audiogram")
        guard let record = try await repository.audiogram(id: id) else { throw APIError.notFound("audiogram") }
        try visible(record.userId, context, "audiogram")
        return try JSONCoding.response(record)
    }

    // MARK: Profiles

    struct InlineAudiogram: Decodable { var right: EarThresholds?; var left: EarThresholds? }
    struct NewProfileBody: ClosedJSONBody {
        var userId: UUID
        var audiogramId: UUID?
        var audiogram: InlineAudiogram?
        var rule: String
        var bands: String?
        var compressionRatio: Double?
        static let members: Set = ["userId", "audiogramId", "audiogram", "rule", "bands", "compressionRatio"]
        static let nestedMembers: [String: Set<String>] = ["audiogram": ["right", "left"]]
    }

    /// The stored profile as the API returns it.
    @Sendable func createProfile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.caller()
        var validator = Validator()  // unknown members are collected with the field checks
        let body = try await JSONCoding.decode(NewProfileBody.self, from: request, context: context, into: &validator)
        guard caller.isAdmin || caller.userId == body.userId else { throw APIError.forbidden() }
        validator.oneOf(body.rule, ProfileFitting.rules, field: "rule")
        if let bands = body.bands { validator.oneOf(bands, ProfileFitting.bandLayouts, field: "bands") }
        if let ratio = body.compressionRatio { validator.range(ratio, 1...10, field: "compressionRatio") }
        switch (body.audiogramId, body.audiogram) {
        case (nil, nil): validator.fail("audiogramId", "give audiogramId or audiogram")
        case (.some, .some): validator.fail("audiogram", "give audiogramId or audiogram, not both")
        case (nil, .some(let inline)): Self.validateEars(inline.right, inline.left, prefix: "audiogram", into: &validator)
        case (.some, nil): break
        }
        try validator.check()
        let noSuchUser = APIError.invalid("userId", "no such user")
        var right = withoutNegativeZero(body.audiogram?.right)
        var left = withoutNegativeZero(body.audiogram?.left)
        if let audiogramId = body.audiogramId {
            // An audiogram of this user shows the user exists (a user's audiograms are deleted
            // with the user, in one transaction): one query instead of two on the usual path.
            guard let stored = try await repository.audiogram(id: audiogramId), stored.userId == body.userId else {
                guard try await repository.user(id: body.userId) != nil else { throw noSuchUser }
                throw APIError.invalid("audiogramId", "no such audiogram for this user")
            }
            right = stored.right
            left = stored.left
        } else if try await repository.user(id: body.userId) == nil {
            throw noSuchUser
        }
        let input = ProfileFitInput(right: right, left: left, rule: body.rule, bands: body.bands, compressionRatio: body.compressionRatio)
        let record = try await ProfileFitting.createProfile(in: repository, userId: body.userId, audiogramId: body.audiogramId, input: input)
        // The document just encoded for the store is the response's, byte for byte.
        return StoredJSON(record).response(status: .created, location: "/v1/profiles/\(record.id.uuidString)")
    }

    func ownedProfile(_ context: AppRequestContext) async throws -> ProfileRecord {
        let id = try UUID.path(context.parameters.get("id"), "profile")
        guard let record = try await repository.profile(id: id) else { throw APIError.notFound("profile") }
        try visible(record.userId, context, "profile")
        return record
    }

    /// The profile as stored: one SELECT, the fitted document copied as bytes.
    @Sendable func getProfile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try UUID.path(context.parameters.get("id"), "profile")
        guard let stored = try await repository.storedProfile(id: id) else { throw APIError.notFound("profile") }
        try visible(stored.userId, context, "profile")
        return StoredJSON(stored, document: .profile).response()
    }

    /// JSON by default; the binary layout of `GainTableDocument` when the client accepts
    /// `application/octet-stream` and not JSON.
    @Sendable func getGainTable(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try await ownedProfile(context)
        let table = try ProfileFitting.gainTable(profile: record.profile)
        let accept = request.headers[values: .accept].flatMap { $0.split(separator: ",") }
            .compactMap { $0.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() }
        if accept.contains("application/octet-stream") && !accept.contains("application/json") {
            return Response(
                status: .ok, headers: [.contentType: "application/octet-stream"],
                body: .init(byteBuffer: ByteBuffer(bytes: table.binary()))
            )
        }
        return try JSONCoding.response(table)
    }

    @Sendable func listProfiles(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try await scopedUser(context)
        let (limit, cursor) = try pageParameters(request)
        let page = try await repository.profiles(userId: user.id, limit: limit, after: cursor)
        return StoredJSON.page(page.items.map(StoredJSON.init), nextCursor: page.nextCursor)
    }

    // MARK: Analyses

    /// Media types of the containers libsndfile reads, and the file extension each is staged
    /// under (libsndfile recognises the container from its header; the extension is a hint).
    static let audioTypes: [String: String] = [
        "audio/wav": "wav", "audio/x-wav": "wav", "audio/wave": "wav", "audio/vnd.wave": "wav",
        "audio/flac": "flac", "audio/x-flac": "flac",
        "audio/aiff": "aiff", "audio/x-aiff": "aiff",
        "audio/ogg": "ogg", "audio/vorbis": "ogg", "audio/opus": "opus",
        "audio/x-caf": "caf", "audio/basic": "au", "audio/x-w64": "w64",
        "audio/mpeg": "mp3",
        // Any of the above, recognised from its header.
        "application/octet-stream": "audio",
    ]
    static let audioTypeList = "audio/wav, audio/flac, audio/aiff, audio/ogg, audio/opus, audio/x-caf, audio/basic, audio/x-w64, audio/mpeg or application/octet-stream"

    @Sendable func createAnalysis(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.caller()
        var owner = caller.userId
        if let text = request.uri.queryParameters.get("userId") {
            guard let id = UUID(uuidString: text) else { throw APIError.invalid("userId", "must be a UUID") }
            guard caller.isAdmin || id == caller.userId else { throw APIError.forbidden() }
            owner = id
        }
        let mediaType = request.headers[.contentType].flatMap { MediaType(from: $0) }.map { "\($0.type)/\($0.subType)".lowercased() }
        guard let mediaType, let fileExtension = Self.audioTypes[mediaType] else {
            throw APIError(.unsupportedMediaType, "expected Content-Type \(Self.audioTypeList)")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxAudioBytes {
            throw APIError(.contentTooLarge, "audio uploads are limited to \(maxAudioBytes) bytes")
        }
        let name: String = request.uri.queryParameters.get("name") ?? "upload"
        var validator = Validator()
        validator.text(name, field: "name", maxLength: 200)
        try validator.check()
        // At most `analyses.limit` uploads are held and analysed at once; beyond, 503 at once.
        guard analyses.acquire() else {
            var error = APIError(.serviceUnavailable, "the service is analysing \(analyses.limit) uploads already; retry shortly")
            error.headers[.retryAfter] = "1"
            throw error
        }
        defer { analyses.release() }
        let body = request.body
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: maxAudioBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "audio uploads are limited to \(maxAudioBytes) bytes")
        }
        guard buffer.readableBytes > 0 else { throw APIError.invalid("body", "the audio body is empty") }
        guard try await repository.user(id: owner) != nil else { throw APIError.notFound("user") }
        // The same content key as `soundprofile analyze --output-dir` (SoundProfileIO's SHA-256).
        let hash = buffer.withUnsafeReadableBytes { SHA256Hasher.hex(of: $0) }
        // The same audio again: the stored analysis, 200, without analysing it again, when it
        // was made with today's settings and result format (its provenance says so). One made
        // before (no provenance, or an older formatVersion) is analysed again and replaces the
        // stored document under the same id and name, as `analyze --skip-existing` does not
        // reuse it. A document from a newer release (a rolling deploy) is kept: an older
        // replica must not undo it.
        let existing = try await repository.analysis(userId: owner, contentHash: hash)
        var storedName: String?
        if let existing {
            let stored = try? JSONDecoder().decode(StoredAnalysisHead.self, from: Data(existing.analysis.text.utf8))
            if let made = stored?.provenance,
               made.settingsText == Self.settingsText || made.formatVersion > AnalysisProvenance.currentFormatVersion {
                return StoredJSON(existing).response(location: "/v1/analyses/\(existing.id.uuidString)")
            }
            storedName = stored?.file
        }
        let analysis = try JSONText(encoding: try await Self.analyze(buffer, name: storedName ?? name, extension: fileExtension))
        // A stale one deleted meanwhile is stored as a new analysis.
        if let existing, let record = try await repository.replaceAnalysis(id: existing.id, analysis: analysis) {
            return StoredJSON(record).response(location: "/v1/analyses/\(record.id.uuidString)")
        }
        let record = try await repository.createAnalysis(userId: owner, contentHash: hash, analysis: analysis)
        return StoredJSON(record).response(status: .created, location: "/v1/analyses/\(record.id.uuidString)")
    }

    /// How the service analyses uploads, as every stored analysis records it: the default
    /// settings of `soundprofile analyze`, so its provenance block reads the same.
    static let provenance = AnalysisProvenance(bands: "third-octave", range: "25-20000", settings: AnalysisSettings())
    /// Its settings text, which a stored analysis must match to be reused.
    static let settingsText = provenance.settingsText

    /// The parts of a stored analysis document that decide whether it can be reused.
    private struct StoredAnalysisHead: Decodable {
        var file: String?
        var provenance: AnalysisProvenance?
    }

    /// Band analysis (SoundProfileIO, default settings: third-octave 25 Hz–20 kHz, 100 dB SPL
    /// full scale) of uploaded audio. libsndfile reads files, so the bytes go to a private temp
    /// file first; unreadable audio is a 422 on `body`.
    static func analyze(_ buffer: ByteBuffer, name: String, extension ext: String) async throws -> FileAnalysisResult {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("soundprofile-upload-\(UUID().uuidString).\(ext)").path
        guard FileManager.default.createFile(atPath: path, contents: Data(buffer: buffer), attributes: [.posixPermissions: 0o600]) else {
            throw APIError(.internalServerError, "could not stage the upload")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            // On a Dispatch thread, not the cooperative pool: a long analysis must not hold up
            // request handling or the timers that bound database waits.
            var result = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<FileAnalysisResult, any Error>) in
                DispatchQueue.global(qos: .userInitiated).async {
                    continuation.resume(with: Result { try FileAnalysis.analyze(path: path, settings: AnalysisSettings()) })
                }
            }
            result.file = name
            result.provenance = provenance
            return result
        } catch {
            // The library's message names the staged temp file: never show server paths.
            let reason = "\(error)".replacingOccurrences(of: path, with: name)
                .replacingOccurrences(of: (path as NSString).lastPathComponent, with: name)
                .replacingOccurrences(of: FileManager.default.temporaryDirectory.path, with: "")
            throw APIError.invalid("body", "the audio could not be analysed: \(reason)")
        }
    }

    /// The analysis as stored: its document copied as bytes.
    @Sendable func getAnalysis(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try UUID.path(context.parameters.get("id"), "analysis")
        guard let stored = try await repository.storedAnalysis(id: id) else { throw APIError.notFound("analysis") }
        try visible(stored.userId, context, "analysis")
        return StoredJSON(stored, document: .analysis).response()
    }
}

/// Counts analyses in progress and refuses more than `limit` at once (lock-free).
final class AnalysisLimiter: Sendable {
    let limit: Int
    private let running = Atomic<Int>(0)

    init(limit: Int) { self.limit = max(1, limit) }

    /// Takes a slot; false when all `limit` are taken.
    func acquire() -> Bool {
        var current = running.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = running.compareExchange(expected: current, desired: current + 1, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release() { _ = running.subtract(1, ordering: .acquiringAndReleasing) }
}
