public import Logging

/// Opens the store a database URL names.
public enum StoreFactory {
    /// - Parameter url: `postgres://…` / `postgresql://…` for PostgreSQL; `sqlite:PATH`,
    ///   `sqlite://PATH`, a plain file path, or `:memory:` for SQLite.
    /// - Parameter queryTimeout: The longest a statement may take (default 5 s), then
    ///   ``StoreError/unavailable(_:)``.
    public static func open(url: String, logger: Logger = Logger(label: "soundprofile.store"),
                            queryTimeout: Duration = SQLStore.defaultQueryTimeout, readinessTimeout: Duration? = nil) async throws -> SQLStore {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return SQLStore(driver: try PostgresDriver(url: url, logger: logger), logger: logger, queryTimeout: queryTimeout,
                            readinessTimeout: readinessTimeout)
        }
        var path = url
        if path.hasPrefix("sqlite://") { path = String(path.dropFirst("sqlite://".count)) }
        else if path.hasPrefix("sqlite:") { path = String(path.dropFirst("sqlite:".count)) }
        return SQLStore(driver: try await SQLiteDriver.open(path: path, logger: logger), logger: logger, queryTimeout: queryTimeout,
                        readinessTimeout: readinessTimeout)
    }

    /// The URL with any password replaced, for logs.
    public static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@"), let scheme = url.range(of: "://"),
              let colon = url[scheme.upperBound..<at].firstIndex(of: ":") else { return url }
        return String(url[..<url.index(after: colon)]) + "***" + String(url[at...])
    }
}
