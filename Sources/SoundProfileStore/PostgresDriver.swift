import Foundation
import PostgresNIO
import ServiceLifecycle
import Synchronization
import NIOSSL
public import Logging

/// PostgreSQL through a postgres-nio connection pool. Many stateless service instances can
/// share one database; migrations serialize on a transaction-scoped advisory lock.
///
/// Outages: when a statement fails because the connection broke (or timed out), a prober
/// connects directly every 100 ms; while it fails the driver reports itself unavailable (so
/// requests fail at once instead of queueing), and as soon as one succeeds a fresh pool
/// replaces the old one, whose reconnect backoff would otherwise keep it down for seconds.
public final class PostgresDriver: SQLDriver, @unchecked Sendable {
    public var kind: String { "postgresql" }
    private let logger: Logger
    private let configuration: PostgresClient.Configuration
    private let probeConfiguration: PostgresConnection.Configuration
    private let endpoint: String
    private let state: Mutex<State>
    private let unavailable = Atomic<Bool>(false)

    private struct State {
        var client: PostgresClient
        var tasks: [ObjectIdentifier: Task<Void, Never>] = [:]
        var running = false
        var stopped = false
        var probing = false
    }

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
        let probeTLS: PostgresConnection.Configuration.TLS
        switch sslmode {
        case "require", "verify-full", "verify-ca":
            tls = .require(.makeClientConfiguration())
            probeTLS = .require(try .init(configuration: .makeClientConfiguration()))
        case "prefer":
            tls = .prefer(.makeClientConfiguration())
            probeTLS = .prefer(try .init(configuration: .makeClientConfiguration()))
        default:
            tls = .disable
            probeTLS = .disable
        }
        let port = components.port ?? 5432
        let password = components.password?.removingPercentEncoding
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user,
            password: password, database: database.isEmpty ? nil : database, tls: tls
        )
        configuration.options.maximumConnections = 20
        // No pooled connection pings while idle: postgres-nio arms a keep-alive timer each time
        // a connection goes back to the pool, a sleeping task per statement. A connection the
        // database closed is dropped when its socket closes; one that went silent fails its
        // next statement within the statement timeout (503, Retry-After), and the driver then
        // probes the database before sending more.
        configuration.options.keepAliveBehavior = nil
        configuration.options.connectTimeout = .seconds(2)
        var probe = PostgresConnection.Configuration(host: host, port: port, username: user, password: password,
                                                     database: database.isEmpty ? nil : database, tls: probeTLS)
        probe.options.connectTimeout = .milliseconds(500)  // NIO TimeAmount
        if let schema = components.queryItems?.first(where: { $0.name == "search_path" })?.value {
            // Lets tests (or tenants) keep their tables in their own schema.
            configuration.options.additionalStartupParameters.append(("search_path", schema))
            probe.options.additionalStartupParameters.append(("search_path", schema))
        }
        self.configuration = configuration
        self.probeConfiguration = probe
        self.endpoint = "\(host):\(port)"
        self.state = Mutex(State(client: PostgresClient(configuration: configuration, backgroundLogger: logger)))
        self.logger = logger
    }

    public func run() async throws {
        let first = state.withLock { s -> PostgresClient? in
            s.running = true
            return s.stopped ? nil : s.client
        }
        if let first { start(first) }
        // The pools run until graceful shutdown (or cancellation), so a ServiceGroup can stop
        // them after the HTTP server has drained.
        try? await gracefulShutdown()
        let tasks = state.withLock { s in
            s.stopped = true
            return Array(s.tasks.values)
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    private func start(_ client: PostgresClient) {
        let task = Task { await client.run() }
        state.withLock { $0.tasks[ObjectIdentifier(client)] = task }
    }

    private var client: PostgresClient { state.withLock { $0.client } }

    public var isKnownUnavailable: Bool { unavailable.load(ordering: .relaxed) }

    public func statementTimedOut() { startProbing() }

    public func probe() async throws {
        try await Self.mapErrors(endpoint: endpoint) {
            let connection = try await PostgresConnection.connect(configuration: self.probeConfiguration, id: 0, logger: self.logger)
            defer { Task { try? await connection.close() } }
            _ = try await Self.collect(connection.query("SELECT 1", logger: self.logger))
        }
    }

    /// Probes every 100 ms until the database answers; meanwhile the driver is unavailable.
    /// After a failed probe, the answering database gets a fresh pool.
    private func startProbing() {
        let begin = state.withLock { s -> Bool in
            guard !s.probing, !s.stopped else { return false }
            s.probing = true
            return true
        }
        guard begin else { return }
        Task {
            var failed = false
            while !state.withLock({ $0.stopped }) {
                do {
                    try await probe()
                    break
                } catch {
                    if !failed { logger.warning("database unreachable", metadata: ["database": "\(endpoint)", "error": "\(error)"]) }
                    failed = true
                    unavailable.store(true, ordering: .relaxed)
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            if failed { replacePool() }
            unavailable.store(false, ordering: .relaxed)
            state.withLock { $0.probing = false }
            if failed { logger.notice("database reachable again", metadata: ["database": "\(endpoint)"]) }
        }
    }

    /// A new pool (its first connection is made at once), the old one stopped.
    private func replacePool() {
        let fresh = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let (old, oldTask, running) = state.withLock { s -> (PostgresClient, Task<Void, Never>?, Bool) in
            let old = s.client
            s.client = fresh
            return (old, s.tasks.removeValue(forKey: ObjectIdentifier(old)), s.running && !s.stopped)
        }
        if running { start(fresh) }
        _ = old
        oldTask?.cancel()
    }

    /// Runs `body` on the current pool; a broken connection starts the prober.
    private func onPool<T>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        let client = self.client
        do {
            return try await Self.mapErrors(endpoint: endpoint) { try await body(client) }
        } catch SQLDriverError.unavailable(let reason) {
            if client === self.client { startProbing() }
            throw SQLDriverError.unavailable(reason)
        }
    }

    public func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await onPool { client in
            try await Self.collect(client.query(Self.query(sql, binds), logger: self.logger))
        }
    }

    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        do {
            return try await onPool { client in
                try await client.withTransaction(logger: self.logger) { connection in
                    try await body(Connection(connection: connection, logger: self.logger, endpoint: self.endpoint))
                }
            }
        } catch let error as PostgresTransactionError where error.closureError != nil && error.rollbackError == nil {
            // Rolled back cleanly: report what the body threw (e.g. a unique violation).
            throw error.closureError!
        }
    }

    public func withMigrationLock<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await transaction { db in
            // Released at COMMIT/ROLLBACK; instances starting together queue here.
            try await db.query("SELECT pg_advisory_xact_lock(7262021001)", [])
            return try await body(db)
        }
    }

    private struct Connection: SQLExecutor, @unchecked Sendable {
        let connection: PostgresConnection
        let logger: Logger
        let endpoint: String
        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
            try await PostgresDriver.mapErrors(endpoint: endpoint) {
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

    /// Unique violations and outages into ``SQLDriverError``; other errors (bugs) pass through.
    static func mapErrors<T>(endpoint: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw SQLDriverError.uniqueViolation(error.serverInfo?[.message] ?? "unique violation")
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "22021" {
            throw SQLDriverError.nulInText  // character_not_in_repertoire: a U+0000 in text or JSON
        } catch let error as PSQLError where isOutage(error) {
            throw SQLDriverError.unavailable("the postgresql database at \(endpoint) is unreachable (\(describe(error)))")
        } catch where isConnectError(error) {
            throw SQLDriverError.unavailable("the postgresql database at \(endpoint) is unreachable (\(error))")
        }
    }

    /// Connection-level failures and the server's own "shutting down / cannot connect now"
    /// (SQLSTATE classes 08 and 57P).
    static func isOutage(_ error: PSQLError) -> Bool {
        if let state = error.serverInfo?[.sqlState] { return state.hasPrefix("08") || state.hasPrefix("57P") }
        return [.connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed].contains(error.code)
    }

    /// Socket errors from connecting (refused, unreachable, timed out).
    static func isConnectError(_ error: any Error) -> Bool {
        let name = String(reflecting: type(of: error))
        // ConnectionPoolError (circuit breaker tripped, …) lives in a module PostgresNIO does not export.
        return name.contains("ConnectionPoolError") || name.contains("NIOConnectionError") || name.contains("ChannelError") || name.contains("IOError") || name.contains("NIOTypedConnectTimeout")
            || name.contains("SingleConnectionFailure")
    }

    static func describe(_ error: PSQLError) -> String {
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}
