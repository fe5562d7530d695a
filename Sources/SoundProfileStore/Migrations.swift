/// Versioned schema migrations. Each is applied once, in order, inside the migration lock,
/// and recorded in `schema_migrations`. Append new versions; never edit applied ones.
///
/// The SQL is portable: TEXT ids (UUIDs made by the application, no sequences), BIGINT
/// timestamps in microseconds since 1970, no dialect-specific types, so the same statements
/// run on SQLite, PostgreSQL and PostgreSQL-compatible distributed databases.
enum Migrations {
    static let all: [(version: Int, name: String, statements: [String])] = [
        (1, "initial schema", [
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                email TEXT NOT NULL,
                email_lower TEXT NOT NULL UNIQUE,
                full_name TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX users_created ON users (created_at, id)",
            """
            CREATE TABLE devices (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL,
                serial TEXT NOT NULL UNIQUE,
                model TEXT NOT NULL,
                sample_rate BIGINT NOT NULL,
                preset TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX devices_user ON devices (user_id, created_at, id)",
            """
            CREATE TABLE audiograms (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL,
                measured_at BIGINT NOT NULL,
                right_ear TEXT,
                left_ear TEXT,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX audiograms_user ON audiograms (user_id, created_at, id)",
            """
            CREATE TABLE profiles (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL,
                audiogram_id TEXT,
                rule TEXT NOT NULL,
                inputs TEXT NOT NULL,
                profile TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX profiles_user ON profiles (user_id, created_at, id)",
            """
            CREATE TABLE analyses (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                analysis TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                UNIQUE (user_id, content_hash)
            )
            """,
        ]),
    ]

    static var latestVersion: Int { all.last?.version ?? 0 }

    static let createTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at BIGINT NOT NULL
        )
        """
}
