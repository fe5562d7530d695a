import Foundation
import PostgresNIO
import ServiceLifecycle
public import Logging

/// PostgreSQL through a postgres-nio connection pool. Many stateless service instances can
/// share one database; migrations serialize on a transaction-scoped advisory lock.
public final class PostgresDriver: SQLDriver {
    public var kind: String { "postgresql" }
    private let client: PostgresClient
    private let logger: Logger

    /// Errors reading a `postgres://` URL.
    public struct URLError: Error, CustomStringConvertible {
        public var description: String
    }

    /// - Parameter url: `postgres://user:password@host:port/database[?sslmode=disable|prefer|require][&search_path=schema]`.
    public init(url: String, logger: Logger = Logger(label: "soundprofile.postgres")) throws {
        guard let components = URLComponents(string: url),
              ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, !host.isEmpty,
              let user = components.user
        else { throw URLError(description: "expected postgres://user:password@host:port/database, got a malformed URL") }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let sslmode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch sslmode {
        case "require", "verify-full", "verify-ca": tls = .require(.makeClientConfiguration())
        case "prefer": tls = .prefer(.makeClientConfiguration())
        default: tls = .disable
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user,
            password: components.password?.removingPercentEncoding, database: database.isEmpty ? nil : database, tls: tls
        )
        configuration.options.maximumConnections = 20
        if let schema = components.queryItems?.first(where: { $0.name == "search_path" })?.value {
            // Lets tests (or tenants) keep their tables in their own schema.
            configuration.options.additionalStartupParameters.append(("search_path", schema))
        }
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    public func run() async throws {
        // The pool runs until cancelled; tie that to graceful shutdown so a ServiceGroup can
        // stop it after the HTTP server has drained.
        await cancelWhenGracefulShutdown {
            await self.client.run()
        }
    }

    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await Self.mapErrors {
            try await Self.collect(self.client.query(Self.query(sql, binds), logger: self.logger))
        }
    }

    public func transaction<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        do {
            return try await Self.mapErrors {
                try await self.client.withTransaction(logger: self.logger) { connection in
                    try await body(Connection(connection: connection, logger: self.logger))
                }
            }
        } catch let error as PostgresTransactionError where error.closureError != nil && error.rollbackError == nil {
            // Rolled back cleanly: report what the body threw (e.g. a unique violation).
            throw error.closureError!
        }
    }

    public func withMigrationLock<T: Sendable>(_ body: @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await transaction { db in
            // Released at COMMIT/ROLLBACK; instances starting together queue here.
            try await db.query("SELECT pg_advisory_xact_lock(7262021001)", [])
            return try await body(db)
        }
    }

    private struct Connection: SQLExecutor, @unchecked Sendable {
        let connection: PostgresConnection
        let logger: Logger
        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            try await PostgresDriver.mapErrors {
                try await PostgresDriver.collect(connection.query(PostgresDriver.query(sql, binds), logger: logger))
            }
        }
    }

    static func query(_ sql: String, _ binds: [SQLValue]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            switch bind {
            case .text(let value): bindings.append(value)
            case .int(let value): bindings.append(value)
            case .null: bindings.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    static func collect(_ rows: PostgresRowSequence) async throws -> [SQLRow] {
        var out: [SQLRow] = []
        for try await row in rows {
            var values: SQLRow = [:]
            for cell in row {
                let name = cell.columnName.lowercased()
                if cell.bytes == nil {
                    values[name] = .null
                } else {
                    switch cell.dataType {
                    case .int2, .int4, .int8: values[name] = .int(try cell.decode(Int64.self))
                    case .bool: values[name] = .int(try cell.decode(Bool.self) ? 1 : 0)
                    default: values[name] = .text(try cell.decode(String.self))
                    }
                }
            }
            out.append(values)
        }
        return out
    }

    static func mapErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw SQLDriverError.uniqueViolation(error.serverInfo?[.message] ?? "unique violation")
        }
    }
}
