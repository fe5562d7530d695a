public import Foundation

/// Errors a repository reports for requests it cannot satisfy.
public enum StoreError: Error, Sendable, Equatable {
    /// Another user already has this email (compared case-insensitively).
    case duplicateEmail(String)
    /// A unique key other than email already exists (e.g. a device serial).
    case conflict(String)
    /// The pagination cursor was not issued by this store.
    case invalidCursor
    /// The database schema is newer than this build knows.
    case schemaTooNew(found: Int, known: Int)
    /// The database cannot be reached or did not answer within the statement timeout: a
    /// temporary condition (the service answers 503 with Retry-After).
    case unavailable(String)
    /// A text value holds U+0000, which no store keeps intact.
    case invalidText(String)
}

/// Fields of a new device.
public struct NewDevice: Sendable {
    public var serial: String
    public var model: String
    public var sampleRate: Int
    public var preset: String
    public init(serial: String, model: String, sampleRate: Int, preset: String) {
        self.serial = serial
        self.model = model
        self.sampleRate = sampleRate
        self.preset = preset
    }
}

/// Everything the service stores. Implementations: ``SQLStore`` over SQLite (embedded default)
/// or PostgreSQL. All methods are safe to call concurrently.
public protocol SoundProfileRepository: Sendable {
    /// Applies pending migrations under a lock; safe when several instances start together.
    func migrate() async throws
    /// True when the database answers and every known migration is applied.
    func isReady() async -> Bool

    func createUser(email: String, fullName: String) async throws -> User
    func user(id: UUID) async throws -> User?
    func user(email: String) async throws -> User?
    func users(limit: Int, after cursor: Cursor?) async throws -> Page<User>
    /// Updates the given fields; nil leaves a field unchanged. Returns nil for an unknown id.
    func updateUser(id: UUID, email: String?, fullName: String?) async throws -> User?
    /// Deletes the user and everything they own. Returns false for an unknown id.
    func deleteUser(id: UUID) async throws -> Bool

    func createDevice(userId: UUID, _ device: NewDevice) async throws -> Device
    func devices(userId: UUID, limit: Int, after cursor: Cursor?) async throws -> Page<Device>
    /// Deletes a device; with `owner`, only when it belongs to that user. Returns false when
    /// nothing was deleted. Nothing else refers to a device.
    func deleteDevice(id: UUID, owner: UUID?) async throws -> Bool

    func createAudiogram(userId: UUID, measuredAt: Date, right: EarThresholds?, left: EarThresholds?) async throws -> AudiogramRecord
    func audiogram(id: UUID) async throws -> AudiogramRecord?
    func audiograms(userId: UUID, limit: Int, after cursor: Cursor?) async throws -> Page<AudiogramRecord>
    /// Deletes an audiogram (with `owner`, only that user's). Profiles fitted from it stay, with
    /// their fitted document intact and `audiogramId` cleared. Returns false when nothing was deleted.
    func deleteAudiogram(id: UUID, owner: UUID?) async throws -> Bool

    func createProfile(userId: UUID, audiogramId: UUID?, rule: String, inputs: JSONText, profile: JSONText) async throws -> ProfileRecord
    func profile(id: UUID) async throws -> ProfileRecord?
    /// The profile with its fitted document as stored (`fields`: `rule`, `audiogramId` when set).
    func storedProfile(id: UUID) async throws -> StoredDocument?
    func profiles(userId: UUID, limit: Int, after cursor: Cursor?) async throws -> Page<ProfileRecord>
    /// Deletes a profile (with `owner`, only that user's); its gain table goes with it.
    func deleteProfile(id: UUID, owner: UUID?) async throws -> Bool

    /// Stores an analysis, or returns the one already stored for the same user and content hash
    /// (uploads are idempotent).
    func createAnalysis(userId: UUID, contentHash: String, analysis: JSONText) async throws -> AnalysisRecord
    func analysis(id: UUID) async throws -> AnalysisRecord?
    /// The analysis with its document as stored (`fields`: `contentHash`).
    func storedAnalysis(id: UUID) async throws -> StoredDocument?
    /// The analysis stored for this user and content hash, if any.
    func analysis(userId: UUID, contentHash: String) async throws -> AnalysisRecord?
    /// Replaces the document of a stored analysis (made under an older result format or other
    /// settings) with `analysis`, keeping its id, owner, content hash and creation time. Returns
    /// the record as now stored; nil when it no longer exists.
    func replaceAnalysis(id: UUID, analysis: JSONText) async throws -> AnalysisRecord?
    func analyses(userId: UUID, limit: Int, after cursor: Cursor?) async throws -> Page<AnalysisRecord>
    /// Deletes an analysis (with `owner`, only that user's); a later upload of the same audio
    /// analyses it again.
    func deleteAnalysis(id: UUID, owner: UUID?) async throws -> Bool
}
