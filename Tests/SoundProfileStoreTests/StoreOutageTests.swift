import Foundation
import Testing
import SoundProfileStore
#if canImport(Glibc)
import Glibc
#endif

/// Issue 11 at the store: text a store would mangle is refused on both, and an unreachable or
/// silent database makes statements fail with `StoreError.unavailable` instead of hanging.
/// Timing bounds are generous (the suite shares two cores); the 1-s and 5-s figures are
/// measured by the fault test, .ci/outage_test.py, on a live server.
@Suite struct StoreOutageTests {
    @Test func nulInTextIsRefusedOnSQLite() async throws {
        try await TestDatabases.withSQLite { (store: SQLStore) async throws -> Void in
            await #expect(throws: StoreError.invalidText("text values must not contain U+0000")) {
                try await store.createUser(email: "a\u{0}@example.com", fullName: "A")
            }
            // Nothing was stored under the cut-off text either.
            let cut = try await store.user(email: "a")
            #expect(cut == nil)
        }
    }

    @Test(.enabled(if: TestDatabases.postgresURL != nil, TestDatabases.postgresSkipReason))
    func nulInTextIsRefusedOnPostgres() async throws {
        try await TestDatabases.withPostgres { (store: SQLStore) async throws -> Void in
            await #expect(throws: StoreError.invalidText("text values must not contain U+0000")) {
                try await store.createUser(email: "a\u{0}@example.com", fullName: "A")
            }
        }
    }

    /// Nothing listens on port 1: statements fail with `unavailable` naming the database (not a
    /// pool error after its 15-s circuit breaker), the store then knows the database is down, and
    /// readiness says false. No wall-clock bound here: the suite's CLI tests block the two
    /// cooperative threads for long stretches; .ci/outage_test.py measures the timings.
    @Test func refusedConnectionsAreUnavailableNotAHang() async throws {
        let store = try await StoreFactory.open(url: "postgres://sp:sp@127.0.0.1:1/sp", queryTimeout: .seconds(2))
        try await store.withRunning { store in
            for _ in 0..<2 {
                do {
                    _ = try await store.user(id: UUID())
                    Issue.record("a query on a refused database succeeded")
                } catch StoreError.unavailable(let reason) {
                    #expect(reason.contains("postgresql database"), "\(reason)")
                }
            }
            #expect(await store.isReady() == false)
            await #expect(throws: StoreError.self) { try await store.checkReachable(timeout: .seconds(2)) }
        }
    }

    /// A listener that accepts and never answers: the statement gives up at its timeout.
    @Test func aSilentDatabaseTimesOut() async throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(listener, 16)
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let port = Int(UInt16(bigEndian: bound.sin_port))
        let store = try await StoreFactory.open(url: "postgres://sp:sp@127.0.0.1:\(port)/sp", queryTimeout: .milliseconds(500))
        try await store.withRunning { store in
            do {
                _ = try await store.user(id: UUID())
                Issue.record("a query on a silent database succeeded")
            } catch StoreError.unavailable(let reason) {
                // Either the statement timeout or, once the prober has tried, the known outage.
                #expect(reason.contains("did not answer within 0.5 s") || reason.contains("unreachable"), "\(reason)")
            }
            #expect(await store.isReady() == false)
        }
    }
}
