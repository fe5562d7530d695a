import Foundation
import Synchronization
import SQLiteNIO
import ServiceLifecycle
public import Logging

/// SQLite through sqlite-nio: one connection, statements serialized by an async lock (SQLite
/// allows one writer anyway). A file by default; `:memory:` for tests. On a file, plain
/// SELECTs are answered in place by an ``SQLiteReader`` (read-only connections of its own).
public final class SQLiteDriver: SQLDriver {
    public var kind: String { "sqlite" }
    private let connection: SQLiteConnection
    private let lock = AsyncLock()
    private let reader: SQLiteReader?
    /// Single-statement writes waiting for the next group commit (files only).
    private let pending = Mutex<[PendingWrite]>([])

    /// Groups of more than one write committed together (for tests and curiosity).
    let groupCommits = Atomic<Int>(0)
    /// Writes waiting for the next group commit.
    var pendingWriteCount: Int { pending.withLock { $0.count } }

    private struct PendingWrite: Sendable {
        var sql: String
        var binds: [SQLValue]
        var continuation: CheckedContinuation<[SQLRow], any Error>
    }

    /// Opens (creating if needed) the database.
    /// - Parameter path: a file path, or `:memory:`.
    public static func open(path: String, logger: Logger = Logger(label: "soundprofile.sqlite")) async throws -> SQLiteDriver {
        let storage: SQLiteConnection.Storage = path == ":memory:" ? .memory : .file(path: path)
        let connection = try await SQLiteConnection.open(storage: storage, logger: logger)
        guard path != ":memory:" else { return SQLiteDriver(connection: connection, reader: nil) }
        // WAL lets readers (our own, and other processes such as `soundprofile migrate`)
        // proceed while one connection writes; wait for a busy lock instead of failing at once.
        _ = try await connection.query("PRAGMA journal_mode=WAL", [])
        _ = try await connection.query("PRAGMA busy_timeout=5000", [])
        // FULL: in WAL mode each commit syncs the log, so an acknowledged write survives a
        // power cut (NORMAL would only sync at checkpoints). Set here, not left to the build.
        _ = try await connection.query("PRAGMA synchronous=FULL", [])
        // As many readers as event loops answer requests at once; when they cannot be opened
        // (a file system without shared memory for WAL, say) reads take the writer's path.
        let reader = try? SQLiteReader(path: path, count: max(2, ProcessInfo.processInfo.activeProcessorCount))
        return SQLiteDriver(connection: connection, reader: reader)
    }

    private init(connection: SQLiteConnection, reader: SQLiteReader?) {
        self.connection = connection
        self.reader = reader
    }

    public func readInPlace(_ sql: String, _ binds: [SQLValue]) -> [SQLRow]? {
        guard let reader, sql.hasPrefix("SELECT ") else { return nil }
        return reader.query(sql, binds)
    }

    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        guard reader != nil, !sql.hasPrefix("SELECT ") else {
            return try await lock.withLock { try await Self.run(sql, binds, on: connection) }
        }
        // A write on a file: it joins the next group commit.
        return try await withCheckedThrowingContinuation { continuation in
            let first = pending.withLock { queue in
                queue.append(PendingWrite(sql: sql, binds: binds, continuation: continuation))
                return queue.count == 1
            }
            if first { Task { await self.commitPending() } }
        }
    }

    /// Group commit: every single-statement write that arrived while the previous commit held
    /// the connection goes into one transaction, so they share one fsync of the WAL (SQLite's
    /// FULL durability: each write is on disk before it is acknowledged). A write that breaks a
    /// constraint fails alone (SQLite backs out that statement and keeps the transaction);
    /// any other error, or a failed COMMIT, fails the whole group and rolls it back. One
    /// waiting write runs on its own, as before.
    private func commitPending() async {
        try? await lock.withLock {
            let batch = pending.withLock { queue in
                let taken = queue
                queue.removeAll()
                return taken
            }
            if batch.count == 1, let only = batch.first {
                do { only.continuation.resume(returning: try await Self.run(only.sql, only.binds, on: connection)) }
                catch { only.continuation.resume(throwing: error) }
                return
            }
            guard !batch.isEmpty else { return }
            var results: [Result<[SQLRow], any Error>] = []
            do {
                _ = try await connection.query("BEGIN IMMEDIATE", [])
                for write in batch {
                    do {
                        results.append(.success(try await Self.run(write.sql, write.binds, on: connection)))
                    } catch let error where Self.isConstraint(error) {
                        results.append(.failure(error))
                    }
                }
                _ = try await connection.query("COMMIT", [])
                groupCommits.add(1, ordering: .relaxed)
            } catch {
                _ = try? await connection.query("ROLLBACK", [])
                for write in batch { write.continuation.resume(throwing: error) }
                return
            }
            for (write, result) in zip(batch, results) { write.continuation.resume(with: result) }
        }
    }

    /// A constraint violation, which SQLite backs out for the statement alone.
    static func isConstraint(_ error: any Error) -> Bool {
        if case SQLDriverError.uniqueViolation = error { return true }
        if let error = error as? SQLiteError { return error.reason == .constraint || error.message.contains("constraint failed") }
        return false
    }

    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await lock.withLock {
            try await Self.inTransaction(connection: connection, begin: "BEGIN", body)
        }
    }

    public func withMigrationLock<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        // BEGIN IMMEDIATE takes SQLite's write lock at once: a second process migrating the
        // same file waits (busy_timeout) and then sees the versions already applied.
        try await lock.withLock {
            try await Self.inTransaction(connection: connection, begin: "BEGIN IMMEDIATE", body)
        }
    }

    public func run() async throws {
        try? await gracefulShutdown()
        // Close even when run was cancelled rather than shut down gracefully: a new task does
        // not inherit the cancellation (which would make the thread-pool hop refuse to run),
        // and an SQLiteConnection released unclosed traps.
        try await Task { try await self.close() }.value
    }

    /// Closes the connection; the driver must not be used afterwards.
    public func close() async throws {
        reader?.close()
        try await lock.withLock { try await connection.close() }
    }

    private static func inTransaction<T: Sendable>(
        connection: SQLiteConnection, begin: String, _ body: @Sendable (any SQLExecutor) async throws -> T
    ) async throws -> T {
        _ = try await connection.query(begin, [])
        do {
            let result = try await body(Unlocked(connection: connection))
            _ = try await connection.query("COMMIT", [])
            return result
        } catch {
            _ = try? await connection.query("ROLLBACK", [])
            throw error
        }
    }

    /// Executor used inside a transaction, where the lock is already held.
    private struct Unlocked: SQLExecutor {
        let connection: SQLiteConnection
        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            try await SQLiteDriver.run(sql, binds, on: connection)
        }
    }

    /// `$1` is a named parameter in SQLite; `?1` is the numbered form with the same meaning.
    static func sqliteSQL(_ sql: String) -> String {
        var out = ""
        var previous: Character = " "
        for character in sql {
            if previous == "$", character.isASCII, character.isNumber {
                out.removeLast()
                out.append("?")
            }
            out.append(character)
            previous = character
        }
        return out
    }

    static func run(_ sql: String, _ binds: [SQLValue], on connection: SQLiteConnection) async throws -> [SQLRow] {
        let sqliteSQL = sqliteSQL(sql)
        let data: [SQLiteData] = binds.map {
            switch $0 {
            case .text(let value): .text(value)
            case .int(let value): .integer(SQLiteInt64(value))
            case .null: .null
            }
        }
        do {
            let rows = try await connection.query(sqliteSQL, data)
            return rows.map { row in
                var out: SQLRow = [:]
                for column in row.columns {
                    switch column.data {
                    case .integer(let value): out[column.name.lowercased()] = .int(Int64(value))
                    case .float(let value):
                        // Int64(x) traps on NaN, ±∞ and beyond ±9.2e18.
                        out[column.name.lowercased()] = value.isFinite && abs(value) < 9e18 ? .int(Int64(value)) : .text("\(value)")
                    case .text(let value): out[column.name.lowercased()] = .text(value)
                    case .blob(let buffer): out[column.name.lowercased()] = .text(String(buffer: buffer))
                    case .null: out[column.name.lowercased()] = .null
                    }
                }
                return out
            }
        } catch let error as SQLiteError where error.message.contains("UNIQUE constraint failed") {
            throw SQLDriverError.uniqueViolation(error.message)
        }
    }
}
