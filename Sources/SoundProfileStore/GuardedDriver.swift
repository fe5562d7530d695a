import Foundation  // memchr

/// Wraps the store's driver so that no request waits on the database for long and no text
/// that a store would mangle reaches it:
/// - every statement, and every transaction as a whole, waits at most `timeout`, then fails with
///   ``StoreError/unavailable(_:)`` (the service answers 503 with Retry-After);
/// - while the driver knows the database is unreachable, statements fail at once the same way;
/// - a text bind holding U+0000 fails with ``StoreError/invalidText(_:)`` before it is sent
///   (SQLite would cut the text there, PostgreSQL refuses it).
/// Migrations get `migrationTimeout` (longer: they may rewrite tables).
final class GuardedDriver: SQLDriver {
    let base: any SQLDriver
    let timeout: Duration
    let migrationTimeout: Duration

    init(base: any SQLDriver, timeout: Duration, migrationTimeout: Duration) {
        self.base = base
        self.timeout = timeout
        self.migrationTimeout = migrationTimeout
    }

    var kind: String { base.kind }
    var isKnownUnavailable: Bool { base.isKnownUnavailable }
    func run() async throws { try await base.run() }
    func probe() async throws { try await Self.mapped { try await self.base.probe() } }
    func statementTimedOut() { base.statementTimedOut() }

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try Self.checkText(binds)
        // In-place reads need no deadline: they never wait for a lock (SQLite's busy timeout
        // there is 50 ms, then they give up and come here).
        if !base.isKnownUnavailable, let rows = base.readInPlace(sql, binds) { return rows }
        return try await guarded(timeout) { try await self.base.query(sql, binds) }
    }

    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await guarded(timeout) { try await self.base.transaction { db in try await body(TextChecked(base: db)) } }
    }

    func withMigrationLock<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await guarded(migrationTimeout) { try await self.base.withMigrationLock { db in try await body(TextChecked(base: db)) } }
    }

    private func guarded<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        if base.isKnownUnavailable { throw StoreError.unavailable("the \(kind) database is unreachable") }
        let kind = self.kind
        do {
            return try await Self.mapped {
                try await withDeadline(limit, onTimeout: { StoreError.unavailable("the \(kind) database did not answer within \(Self.seconds(limit))") }, operation)
            }
        } catch StoreError.unavailable(let reason) {
            if reason.contains("did not answer") { base.statementTimedOut() }
            throw StoreError.unavailable(reason)
        }
    }

    static func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch SQLDriverError.unavailable(let reason) {
            throw StoreError.unavailable(reason)
        } catch SQLDriverError.nulInText {
            throw StoreError.invalidText("text values must not contain U+0000")
        }
    }

    static func checkText(_ binds: [SQLValue]) throws {
        for case .text(let value) in binds where containsNUL(value) {
            throw StoreError.invalidText("text values must not contain U+0000")
        }
    }

    /// Whether `text` holds U+0000 (one `memchr` over its UTF-8: stored documents are
    /// kilobytes, and this runs for every statement).
    static func containsNUL(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
            return memchr(base, 0, bytes.count) != nil
        }
    }

    static func seconds(_ d: Duration) -> String {
        let (s, attos) = d.components
        return attos == 0 ? "\(s) s" : "\(Double(s) + Double(attos) / 1e18) s"
    }

    /// The executor inside a transaction: the same text check per statement.
    private struct TextChecked: SQLExecutor {
        let base: any SQLExecutor
        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            try GuardedDriver.checkText(binds)
            return try await base.query(sql, binds)
        }
    }
}
