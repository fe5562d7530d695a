import Foundation
import SoundProfileStore

/// The databases the store suite runs on. PostgreSQL comes from SOUNDPROFILE_TEST_POSTGRES_URL
/// (CI sets it via .ci/postgres.sh); each test gets its own schema, dropped afterwards.
enum TestDatabases {
    /// Contract tests check behaviour, not timing: a full parallel `swift test` on 2 cores can hold
    /// the cooperative threads past the 5 s default, so they get a generous statement timeout
    /// (StoreOutageTests sets its own short ones).
    static let queryTimeout: Duration = .seconds(60)
    static let postgresURL = ProcessInfo.processInfo.environment["SOUNDPROFILE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let postgresSkipReason: Comment = "SOUNDPROFILE_TEST_POSTGRES_URL is not set: PostgreSQL variants skipped (run `source .ci/postgres.sh` first)"

    /// Runs `body` with a migrated, empty in-memory SQLite store.
    static func withSQLite<T: Sendable>(_ body: @Sendable (SQLStore) async throws -> T) async throws -> T {
        let store = try await StoreFactory.open(url: ":memory:", queryTimeout: TestDatabases.queryTimeout)
        return try await store.withRunning { store in
            try await store.migrate()
            return try await body(store)
        }
    }

    /// A fresh schema on the test PostgreSQL; `body` gets URLs that use it.
    static func withPostgresSchema<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let base = try #require(postgresURL)
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = try await StoreFactory.open(url: base, queryTimeout: TestDatabases.queryTimeout)
        return try await admin.withRunning { admin in
            try await admin.driver.query("CREATE SCHEMA \(schema)", [])
            do {
                let separator = base.contains("?") ? "&" : "?"
                let result = try await body(base + separator + "search_path=" + schema)
                try await admin.driver.query("DROP SCHEMA \(schema) CASCADE", [])
                return result
            } catch {
                try? await admin.driver.query("DROP SCHEMA \(schema) CASCADE", [])
                throw error
            }
        }
    }

    /// Runs `body` with a migrated, empty PostgreSQL store in its own schema.
    static func withPostgres<T: Sendable>(_ body: @Sendable (SQLStore) async throws -> T) async throws -> T {
        try await withPostgresSchema { url in
            let store = try await StoreFactory.open(url: url, queryTimeout: TestDatabases.queryTimeout)
            return try await store.withRunning { store in
                try await store.migrate()
                return try await body(store)
            }
        }
    }
}

import Testing
