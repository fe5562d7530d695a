import Foundation
import Synchronization
import VaporCSQLite

/// Reads of an SQLite file run in place, on the thread that asks, on read-only connections of
/// their own — no hand-over to a thread pool and back, no wait behind a write.
///
/// The service's reads are single-row or one-page SELECTs by key (tens of microseconds), and in
/// WAL mode a reader never waits for a writer; sending each through sqlite-nio's thread pool cost
/// two thread switches and a lock queue, a third of a GET's CPU time. A reader that finds the
/// database busy (WAL recovery, a schema change) says so and the caller takes the usual path.
///
/// Each connection keeps its prepared statements (the service runs a few dozen distinct ones).
final class SQLiteReader: Sendable {
    private let connections: [Slot]

    /// A connection behind its mutex.
    private final class Slot: Sendable {
        let mutex: Mutex<Connection?>
        init(_ connection: Connection) { mutex = Mutex(connection) }
    }

    /// Opens `count` read-only connections on `path` (an existing WAL-mode database file).
    init(path: String, count: Int) throws {
        connections = try (0..<max(1, count)).map { _ in Slot(try Connection(path: path)) }
    }

    /// Runs a SELECT; nil when it could not be answered here — the database busy with SQLite's
    /// own locks, a table not created yet, any error — so that the caller takes the usual path,
    /// which waits where it must and reports errors as always.
    func query(_ sql: String, _ binds: [SQLValue]) -> [SQLRow]? {
        // A free connection if there is one, else wait for the first.
        for connection in connections {
            if let result = connection.mutex.withLockIfAvailable({ try? $0?.query(sql, binds) }) { return result }
        }
        return connections[0].mutex.withLock { try? $0?.query(sql, binds) }
    }

    func close() {
        for connection in connections { connection.mutex.withLock { $0 = nil } }
    }

    /// One read-only connection and its statement cache; used only under its mutex.
    final class Connection: @unchecked Sendable {
        private let db: OpaquePointer
        private var statements: [String: Prepared] = [:]

        /// A prepared statement and its result's column names (lower-cased, as rows carry them).
        private struct Prepared {
            let handle: OpaquePointer
            let names: [String]
        }
        private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

        init(path: String) throws {
            var handle: OpaquePointer?
            let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
            let code = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
            guard code == SQLITE_OK, let handle else {
                let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "code \(code)"
                if let handle { sqlite_nio_sqlite3_close_v2(handle) }
                throw SQLDriverError.unavailable("cannot open \(path) for reading: \(message)")
            }
            db = handle
            // Short: a reader waits for SQLite's own locks only in rare moments (WAL recovery),
            // and must not hold up its thread; on SQLITE_BUSY the caller takes the usual path.
            sqlite_nio_sqlite3_busy_timeout(db, 50)
        }

        deinit {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.handle) }
            sqlite_nio_sqlite3_close_v2(db)
        }

        private func error(_ context: String) -> any Error {
            SQLDriverError.unavailable("\(context): \(String(cString: sqlite_nio_sqlite3_errmsg(db)))")
        }

        private func statement(_ sql: String) throws -> Prepared {
            if let cached = statements[sql] { return cached }
            var handle: OpaquePointer?
            let code = sqlite_nio_sqlite3_prepare_v3(db, SQLiteDriver.sqliteSQL(sql), -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
            guard code == SQLITE_OK, let handle else { throw error("prepare") }
            if statements.count >= 128 {
                for old in statements.values { sqlite_nio_sqlite3_finalize(old.handle) }
                statements.removeAll()
            }
            let prepared = Prepared(handle: handle, names: Self.columnNames(handle))
            statements[sql] = prepared
            return prepared
        }

        private static func columnNames(_ statement: OpaquePointer) -> [String] {
            (0..<sqlite_nio_sqlite3_column_count(statement)).map {
                String(cString: sqlite_nio_sqlite3_column_name(statement, $0)).lowercased()
            }
        }

        /// The rows, or nil when SQLite reports the database busy.
        func query(_ sql: String, _ binds: [SQLValue]) throws -> [SQLRow]? {
            let prepared = try statement(sql)
            let statement = prepared.handle
            defer {
                sqlite_nio_sqlite3_reset(statement)
                sqlite_nio_sqlite3_clear_bindings(statement)
            }
            for (offset, bind) in binds.enumerated() {
                let index = Int32(offset + 1)
                let code: Int32
                switch bind {
                case .text(let value): code = sqlite_nio_sqlite3_bind_text64(statement, index, value, UInt64(value.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
                case .int(let value): code = sqlite_nio_sqlite3_bind_int64(statement, index, value)
                case .null: code = sqlite_nio_sqlite3_bind_null(statement, index)
                }
                guard code == SQLITE_OK else { throw error("bind") }
            }
            var rows: [SQLRow] = []
            var names = prepared.names
            while true {
                let code = sqlite_nio_sqlite3_step(statement)
                if code == SQLITE_DONE { return rows }
                if code == SQLITE_BUSY || code == SQLITE_LOCKED { return nil }
                guard code == SQLITE_ROW else { throw error("step") }
                // SQLite re-prepares a statement in `step` after a schema change (another process
                // migrating): `SELECT *` may then have other columns than the cached names.
                if rows.isEmpty, sqlite_nio_sqlite3_column_count(statement) != names.count {
                    names = Self.columnNames(statement)
                }
                var row: SQLRow = [:]
                row.reserveCapacity(names.count)
                for (index, name) in names.enumerated() {
                    let column = Int32(index)
                    switch sqlite_nio_sqlite3_column_type(statement, column) {
                    case SQLITE_INTEGER: row[name] = .int(sqlite_nio_sqlite3_column_int64(statement, column))
                    case SQLITE_FLOAT:
                        // As SQLiteDriver: Int64(x) traps on NaN, ±∞ and beyond ±9.2e18.
                        let value = sqlite_nio_sqlite3_column_double(statement, column)
                        row[name] = value.isFinite && abs(value) < 9e18 ? .int(Int64(value)) : .text("\(value)")
                    case SQLITE_NULL: row[name] = .null
                    default:  // text and blob: the bytes as UTF-8 text
                        let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                        if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                            row[name] = .text(String(decoding: UnsafeRawBufferPointer(start: bytes, count: count), as: UTF8.self))
                        } else {
                            row[name] = .text("")
                        }
                    }
                }
                rows.append(row)
            }
        }
    }
}
