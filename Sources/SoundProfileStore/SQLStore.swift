public import Foundation
public import ServiceLifecycle
public import Logging

/// The repository over a ``SQLDriver``: the same portable SQL on SQLite and PostgreSQL.
///
/// Run it as a ServiceLifecycle `Service` (its `run` keeps the connection or pool open and
/// closes it on shutdown); ``migrate()`` may be called once `run` has started.
public final class SQLStore: SoundProfileRepository, Service {
    public let driver: any SQLDriver
    let logger: Logger

    /// - Parameters:
    ///   - driver: The database connection (pool).
    ///   - logger: For migrations.
    ///   - queryTimeout: The longest a statement or transaction may take before it fails with
    ///     ``StoreError/unavailable(_:)`` (default 5 s).
    ///   - migrationTimeout: The same for migrations (default 60 s).
    ///   - readinessTimeout: How long ``isReady()`` waits (default: `queryTimeout`, at most 0.8 s,
    ///     so `/readyz` answers within 1 s; behaviour tests on a loaded machine give more).
    public init(driver: any SQLDriver, logger: Logger = Logger(label: "soundprofile.store"),
                queryTimeout: Duration = SQLStore.defaultQueryTimeout, migrationTimeout: Duration = .seconds(60),
                readinessTimeout: Duration? = nil) {
        self.driver = GuardedDriver(base: driver, timeout: queryTimeout, migrationTimeout: migrationTimeout)
        self.logger = logger
        self.readinessTimeout = readinessTimeout ?? min(queryTimeout, .milliseconds(800))
    }

    /// The default statement timeout: 5 s.
    public static let defaultQueryTimeout: Duration = .seconds(5)
    /// `isReady` answers within this (at most 0.8 s, so `/readyz` answers within 1 s).
    let readinessTimeout: Duration

    /// Checks that the database answers (directly, not through a pool), within `timeout`.
    /// - Throws: ``StoreError/unavailable(_:)`` naming why.
    public func checkReachable(timeout: Duration = .seconds(5)) async throws {
        let kind = driver.kind
        try await GuardedDriver.mapped {
            try await withDeadline(timeout, onTimeout: { StoreError.unavailable("the \(kind) database did not answer within \(GuardedDriver.seconds(timeout))") }) {
                try await self.driver.probe()
            }
        }
    }

    public func run() async throws {
        try await driver.run()
    }

    // MARK: Migrations

    public func migrate() async throws {
        let logger = self.logger
        let kind = driver.kind
        try await driver.withMigrationLock { db in
            try await db.query(Migrations.createTable, [])
            let rows = try await db.query("SELECT version FROM schema_migrations", [])
            let applied = Set(rows.compactMap { $0["version"]?.int.map(Int.init) })
            if let newest = applied.max(), newest > Migrations.latestVersion {
                throw StoreError.schemaTooNew(found: newest, known: Migrations.latestVersion)
            }
            for migration in Migrations.all where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await db.query(statement, [])
                }
                try await db.query(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    [.int(Int64(migration.version)), .text(migration.name), .int(Self.micros(Date()))]
                )
                logger.info("applied migration", metadata: ["version": "\(migration.version)", "database": "\(kind)"])
            }
        }
    }

    public func isReady() async -> Bool {
        guard !driver.isKnownUnavailable else { return false }
        do {
            let driver = self.driver
            let rows = try await withDeadline(readinessTimeout, onTimeout: { StoreError.unavailable("readiness") }) {
                try await driver.query("SELECT MAX(version) AS version FROM schema_migrations", [])
            }
            return rows.first?["version"]?.int == Int64(Migrations.latestVersion)
        } catch StoreError.unavailable {
            driver.statementTimedOut()
            return false
        } catch {
            return false
        }
    }

    // MARK: Users

    public func createUser(email: String, fullName: String) async throws -> User {
        let user = User(id: UUID(), email: email, fullName: fullName, createdAt: Self.now())
        do {
            try await driver.query(
                "INSERT INTO users (id, email, email_lower, full_name, created_at) VALUES ($1, $2, $3, $4, $5)",
                [.text(Self.key(user.id)), .text(email), .text(email.lowercased()), .text(fullName), .int(Self.micros(user.createdAt))]
            )
        } catch SQLDriverError.uniqueViolation {
            throw StoreError.duplicateEmail(email)
        }
        return user
    }

    public func user(id: UUID) async throws -> User? {
        try await driver.query("SELECT * FROM users WHERE id = $1", [.text(Self.key(id))]).first.map(Self.user)
    }

    public func user(email: String) async throws -> User? {
        try await driver.query("SELECT * FROM users WHERE email_lower = $1", [.text(email.lowercased())]).first.map(Self.user)
    }

    public func users(limit: Int, after cursor: Cursor?) async throws -> Page<User> {
        try await page(table: "users", scope: nil, limit: limit, after: cursor, map: Self.user)
    }

    public func updateUser(id: UUID, email: String?, fullName: String?) async throws -> User? {
        do {
            return try await driver.transaction { db in
                guard let row = try await db.query("SELECT * FROM users WHERE id = $1", [.text(Self.key(id))]).first else { return nil }
                var user = Self.user(row)
                if let email { user.email = email }
                if let fullName { user.fullName = fullName }
                try await db.query(
                    "UPDATE users SET email = $1, email_lower = $2, full_name = $3 WHERE id = $4",
                    [.text(user.email), .text(user.email.lowercased()), .text(user.fullName), .text(Self.key(id))]
                )
                return user
            }
        } catch SQLDriverError.uniqueViolation {
            throw StoreError.duplicateEmail(email ?? "")
        }
    }

    public func deleteUser(id: UUID) async throws -> Bool {
        try await driver.transaction { db in
            let key = SQLValue.text(Self.key(id))
            let found = try await db.query("SELECT id FROM users WHERE id = $1", [key])
            guard !found.isEmpty else { return false }
            for table in ["devices", "audiograms", "profiles", "analyses"] {
                try await db.query("DELETE FROM \(table) WHERE user_id = $1", [key])
            }
            try await db.query("DELETE FROM users WHERE id = $1", [key])
            return true
        }
    }

    // MARK: Devices

    public func createDevice(userId: UUID, _ new: NewDevice) async throws -> Device {
        let device = Device(
            id: UUID(), userId: userId, serial: new.serial, model: new.model,
            sampleRate: new.sampleRate, preset: new.preset, createdAt: Self.now()
        )
        do {
            try await driver.query(
                """
                INSERT INTO devices (id, user_id, serial, model, sample_rate, preset, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """,
                [
                    .text(Self.key(device.id)), .text(Self.key(userId)), .text(device.serial), .text(device.model),
                    .int(Int64(device.sampleRate)), .text(device.preset), .int(Self.micros(device.createdAt)),
                ]
            )
        } catch SQLDriverError.uniqueViolation {
            throw StoreError.conflict("a device with serial \(new.serial) is already registered")
        }
        return device
    }

    public func devices(userId: UUID, limit: Int, after cursor: Cursor?) async throws -> Page<Device> {
        try await page(table: "devices", scope: userId, limit: limit, after: cursor) { row in
            Device(
                id: Self.uuid(row["id"]), userId: Self.uuid(row["user_id"]),
                serial: row["serial"]?.text ?? "", model: row["model"]?.text ?? "",
                sampleRate: Int(row["sample_rate"]?.int ?? 0), preset: row["preset"]?.text ?? "",
                createdAt: Self.date(row["created_at"])
            )
        }
    }

    public func deleteDevice(id: UUID, owner: UUID?) async throws -> Bool {
        try await delete(from: "devices", id: id, owner: owner)
    }

    // MARK: Audiograms

    public func createAudiogram(userId: UUID, measuredAt: Date, right: EarThresholds?, left: EarThresholds?) async throws -> AudiogramRecord {
        let record = AudiogramRecord(
            id: UUID(), userId: userId, measuredAt: Self.truncated(measuredAt),
            right: right, left: left, createdAt: Self.now()
        )
        try await driver.query(
            "INSERT INTO audiograms (id, user_id, measured_at, right_ear, left_ear, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            [
                .text(Self.key(record.id)), .text(Self.key(userId)), .int(Self.micros(record.measuredAt)),
                try Self.json(right), try Self.json(left), .int(Self.micros(record.createdAt)),
            ]
        )
        return record
    }

    public func audiogram(id: UUID) async throws -> AudiogramRecord? {
        try await driver.query("SELECT * FROM audiograms WHERE id = $1", [.text(Self.key(id))]).first.map(Self.audiogram)
    }

    public func audiograms(userId: UUID, limit: Int, after cursor: Cursor?) async throws -> Page<AudiogramRecord> {
        try await page(table: "audiograms", scope: userId, limit: limit, after: cursor, map: Self.audiogram)
    }

    public func deleteAudiogram(id: UUID, owner: UUID?) async throws -> Bool {
        try await delete(from: "audiograms", id: id, owner: owner) { db, key in
            try await db.query("UPDATE profiles SET audiogram_id = NULL WHERE audiogram_id = $1", [key])
        }
    }

    // MARK: Profiles

    public func createProfile(userId: UUID, audiogramId: UUID?, rule: String, inputs: JSONText, profile: JSONText) async throws -> ProfileRecord {
        let record = ProfileRecord(
            id: UUID(), userId: userId, audiogramId: audiogramId, rule: rule,
            createdAt: Self.now(), inputs: inputs, profile: profile
        )
        try await driver.query(
            "INSERT INTO profiles (id, user_id, audiogram_id, rule, inputs, profile, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            [
                .text(Self.key(record.id)), .text(Self.key(userId)), audiogramId.map { .text(Self.key($0)) } ?? .null,
                .text(rule), .text(inputs.text), .text(profile.text), .int(Self.micros(record.createdAt)),
            ]
        )
        return record
    }

    public func profile(id: UUID) async throws -> ProfileRecord? {
        try await driver.query("SELECT * FROM profiles WHERE id = $1", [.text(Self.key(id))]).first.map(Self.profile)
    }

    public func storedProfile(id: UUID) async throws -> StoredDocument? {
        let rows = try await driver.query(
            "SELECT id, user_id, audiogram_id, rule, created_at, profile FROM profiles WHERE id = $1", [.text(Self.key(id))]
        )
        return rows.first.map { row in
            var fields = ["rule": row["rule"]?.text ?? ""]
            if let audiogram = row["audiogram_id"]?.text { fields["audiogramId"] = audiogram }
            return StoredDocument(id: Self.uuid(row["id"]), userId: Self.uuid(row["user_id"]), createdAt: Self.date(row["created_at"]),
                                  fields: fields, json: row["profile"]?.text ?? "null")
        }
    }

    public func profiles(userId: UUID, limit: Int, after cursor: Cursor?) async throws -> Page<ProfileRecord> {
        try await page(table: "profiles", scope: userId, limit: limit, after: cursor, map: Self.profile)
    }

    public func deleteProfile(id: UUID, owner: UUID?) async throws -> Bool {
        try await delete(from: "profiles", id: id, owner: owner)
    }

    // MARK: Analyses

    public func createAnalysis(userId: UUID, contentHash: String, analysis: JSONText) async throws -> AnalysisRecord {
        let existing = "SELECT * FROM analyses WHERE user_id = $1 AND content_hash = $2"
        let scope: [SQLValue] = [.text(Self.key(userId)), .text(contentHash)]
        if let row = try await driver.query(existing, scope).first { return Self.analysis(row) }
        let record = AnalysisRecord(id: UUID(), userId: userId, contentHash: contentHash, createdAt: Self.now(), analysis: analysis)
        do {
            try await driver.query(
                "INSERT INTO analyses (id, user_id, content_hash, analysis, created_at) VALUES ($1, $2, $3, $4, $5)",
                [.text(Self.key(record.id)), .text(Self.key(userId)), .text(contentHash), .text(analysis.text), .int(Self.micros(record.createdAt))]
            )
            return record
        } catch SQLDriverError.uniqueViolation {
            // The same upload raced us; the first one stored wins.
            if let row = try await driver.query(existing, scope).first { return Self.analysis(row) }
            throw StoreError.conflict("analysis \(contentHash)")
        }
    }

    public func analysis(id: UUID) async throws -> AnalysisRecord? {
        try await driver.query("SELECT * FROM analyses WHERE id = $1", [.text(Self.key(id))]).first.map(Self.analysis)
    }

    public func storedAnalysis(id: UUID) async throws -> StoredDocument? {
        try await driver.query("SELECT * FROM analyses WHERE id = $1", [.text(Self.key(id))]).first.map { row in
            StoredDocument(id: Self.uuid(row["id"]), userId: Self.uuid(row["user_id"]), createdAt: Self.date(row["created_at"]),
                           fields: ["contentHash": row["content_hash"]?.text ?? ""], json: row["analysis"]?.text ?? "null")
        }
    }

    public func analysis(userId: UUID, contentHash: String) async throws -> AnalysisRecord? {
        try await driver.query(
            "SELECT * FROM analyses WHERE user_id = $1 AND content_hash = $2", [.text(Self.key(userId)), .text(contentHash)]
        ).first.map(Self.analysis)
    }

    public func replaceAnalysis(id: UUID, analysis: JSONText) async throws -> AnalysisRecord? {
        try await driver.query("UPDATE analyses SET analysis = $1 WHERE id = $2", [.text(analysis.text), .text(Self.key(id))])
        return try await self.analysis(id: id)
    }

    public func analyses(userId: UUID, limit: Int, after cursor: Cursor?) async throws -> Page<AnalysisRecord> {
        try await page(table: "analyses", scope: userId, limit: limit, after: cursor, map: Self.analysis)
    }

    public func deleteAnalysis(id: UUID, owner: UUID?) async throws -> Bool {
        try await delete(from: "analyses", id: id, owner: owner)
    }

    // MARK: Helpers

    /// Deletes one row by id (and owner, when given) in a transaction, after `dependents` has
    /// updated the rows that refer to it. False when there was no such row.
    private func delete(
        from table: String, id: UUID, owner: UUID?,
        dependents: (@Sendable (any SQLExecutor, SQLValue) async throws -> Void)? = nil
    ) async throws -> Bool {
        try await driver.transaction { db in
            let key = SQLValue.text(Self.key(id))
            var condition = "id = $1"
            var binds = [key]
            if let owner {
                condition += " AND user_id = $2"
                binds.append(.text(Self.key(owner)))
            }
            let found = try await db.query("SELECT id FROM \(table) WHERE \(condition)", binds)
            guard !found.isEmpty else { return false }
            try await dependents?(db, key)
            try await db.query("DELETE FROM \(table) WHERE id = $1", [key])
            return true
        }
    }

    /// Keyset pagination over (created_at, id): stable under concurrent inserts, no OFFSET.
    private func page<Item>(
        table: String, scope userId: UUID?, limit: Int, after cursor: Cursor?,
        map: @escaping (SQLRow) -> Item
    ) async throws -> Page<Item> {
        var conditions: [String] = []
        var binds: [SQLValue] = []
        if let userId {
            binds.append(.text(Self.key(userId)))
            conditions.append("user_id = $\(binds.count)")
        }
        if let cursor {
            binds.append(.int(cursor.createdAtMicros))
            let micros = binds.count
            binds.append(.text(Self.key(cursor.id)))
            conditions.append("(created_at > $\(micros) OR (created_at = $\(micros) AND id > $\(binds.count)))")
        }
        let limit = max(1, min(limit, 1000))
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let rows = try await driver.query(
            "SELECT * FROM \(table) \(whereClause) ORDER BY created_at, id LIMIT \(limit + 1)", binds
        )
        let items = rows.prefix(limit)
        var next: String?
        if rows.count > limit, let last = items.last {
            next = Cursor(createdAtMicros: last["created_at"]?.int ?? 0, id: Self.uuid(last["id"])).encoded
        }
        return Page(items: items.map(map), nextCursor: next)
    }

    static func key(_ id: UUID) -> String { id.uuidString.lowercased() }
    static func uuid(_ value: SQLValue?) -> UUID { value?.text.flatMap(UUID.init(uuidString:)) ?? UUID(uuidString: "00000000-0000-0000-0000-000000000000")! }
    static func micros(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) }
    static func date(_ value: SQLValue?) -> Date { Date(timeIntervalSince1970: Double(value?.int ?? 0) / 1_000_000) }
    /// Dates are stored with microsecond resolution; return what a later read will return.
    static func truncated(_ date: Date) -> Date { Date(timeIntervalSince1970: Double(micros(date)) / 1_000_000) }
    static func now() -> Date { truncated(Date()) }

    static func json(_ ear: EarThresholds?) throws -> SQLValue {
        guard let ear else { return .null }
        return .text(String(decoding: try JSONText.encoder.encode(ear), as: UTF8.self))
    }

    static func ear(_ value: SQLValue?) -> EarThresholds? {
        guard let text = value?.text else { return nil }
        return try? JSONDecoder().decode(EarThresholds.self, from: Data(text.utf8))
    }

    static func jsonText(_ value: SQLValue?) -> JSONText {
        JSONText(stored: value?.text ?? "null")
    }

    static func user(_ row: SQLRow) -> User {
        User(id: uuid(row["id"]), email: row["email"]?.text ?? "", fullName: row["full_name"]?.text ?? "", createdAt: date(row["created_at"]))
    }

    static func audiogram(_ row: SQLRow) -> AudiogramRecord {
        AudiogramRecord(
            id: uuid(row["id"]), userId: uuid(row["user_id"]), measuredAt: date(row["measured_at"]),
            right: ear(row["right_ear"]), left: ear(row["left_ear"]), createdAt: date(row["created_at"])
        )
    }

    static func profile(_ row: SQLRow) -> ProfileRecord {
        ProfileRecord(
            id: uuid(row["id"]), userId: uuid(row["user_id"]),
            audiogramId: row["audiogram_id"]?.text.flatMap(UUID.init(uuidString:)),
            rule: row["rule"]?.text ?? "", createdAt: date(row["created_at"]),
            inputs: jsonText(row["inputs"]), profile: jsonText(row["profile"])
        )
    }

    static func analysis(_ row: SQLRow) -> AnalysisRecord {
        AnalysisRecord(
            id: uuid(row["id"]), userId: uuid(row["user_id"]), contentHash: row["content_hash"]?.text ?? "",
            createdAt: date(row["created_at"]), analysis: jsonText(row["analysis"])
        )
    }
}
