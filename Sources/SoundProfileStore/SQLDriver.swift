import Foundation

/// A value bound to or read from a SQL statement. Only portable column types are used:
/// TEXT and BIGINT.
public enum SQLValue: Sendable, Equatable {
    case text(String)
    case int(Int64)
    case null

    /// The integer, for a BIGINT (or numeric text) column.
    public var intValue: Int64? { int }
    /// The text, for a TEXT column.
    public var textValue: String? { text }

    var text: String? { if case .text(let value) = self { return value }; return nil }
    var int: Int64? {
        switch self {
        case .int(let value): return value
        case .text(let value): return Int64(value)
        case .null: return nil
        }
    }
}

/// One result row, by lowercased column name.
public typealias SQLRow = [String: SQLValue]

/// Errors a driver maps from its database's own errors.
public enum SQLDriverError: Error, Sendable {
    /// A UNIQUE constraint was violated; the payload is the database's message.
    case uniqueViolation(String)
    /// The database cannot be reached or did not answer in time; the payload says which.
    case unavailable(String)
    /// A text value holds U+0000, which SQLite would cut and PostgreSQL refuses.
    case nulInText
}

/// Runs statements. SQL uses PostgreSQL-style `$1, $2, …` placeholders on every driver.
public protocol SQLExecutor: Sendable {
    @discardableResult
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
}

/// A database connection (pool) the store runs on.
public protocol SQLDriver: SQLExecutor {
    /// Short name for logs and `/readyz` ("sqlite", "postgresql").
    var kind: String { get }
    /// Runs `body` in one transaction; rolls back when it throws.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T
    /// Runs `body` in one transaction holding the schema-migration lock, so that instances
    /// starting together apply each migration once.
    func withMigrationLock<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T
    /// Keeps the connection (pool) alive until cancelled or gracefully shut down, then closes it.
    func run() async throws
    /// Checks that the database answers, bypassing any pool (for readiness and start-up).
    func probe() async throws
    /// Whether the driver knows the database is unreachable right now (requests fail fast).
    var isKnownUnavailable: Bool { get }
    /// Told when a statement timed out, which may mean the database went away unnoticed.
    func statementTimedOut()
    /// Answers a SELECT at once on the calling thread when the driver can do so without
    /// waiting (SQLite files: ``SQLiteReader``); nil means "use `query`".
    func readInPlace(_ sql: String, _ binds: [SQLValue]) -> [SQLRow]?
}

extension SQLDriver {
    public func probe() async throws { try await query("SELECT 1", []) }
    public var isKnownUnavailable: Bool { false }
    public func statementTimedOut() {}
    public func readInPlace(_ sql: String, _ binds: [SQLValue]) -> [SQLRow]? { nil }
}
