import Foundation
import Testing
import SoundProfileStore
#if canImport(Glibc)
import Glibc
#endif

/// Issue 11 at the store: text a store would mangle is refused on both, and an unreachable or
/// silent database makes statements fail with `StoreError.unavailable` within the timeout
/// instead of hanging (timing bounds are generous; the issue demands the behaviour).
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

    /// Nothing listens on port 1: the first statement fails at once or within the timeout, the
    /// store then knows the database is down, and readiness answers false within 1 s.
    @Test func refusedConnectionsAreUnavailableNotAHang() async throws {
        let store = try await StoreFactory.open(url: "postgres://sp:sp@127.0.0.1:1/sp", queryTimeout: .seconds(2))
        try await store.withRunning { store in
            let start = ContinuousClock.now
            await #expect(throws: StoreError.self) { try await store.user(id: UUID()) }
            #expect(ContinuousClock.now - start < .seconds(4))
            do { _ = try await store.user(id: UUID()) } catch let error as StoreError {
                guard case .unavailable(let reason) = error else { Issue.record("\(error)"); return }
                #expect(reason.contains("postgresql database"), "\(reason)")
            }
            let probe = ContinuousClock.now
            #expect(await store.isReady() == false)
            #expect(ContinuousClock.now - probe < .seconds(1))
            await #expect(throws: StoreError.self) { try await store.checkReachable(timeout: .seconds(2)) }
        }
    }

    /// A listener that accepts and never answers: a statement gives up after the timeout.
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
            let start = ContinuousClock.now
            await #expect(throws: StoreError.self) { try await store.user(id: UUID()) }
            #expect(ContinuousClock.now - start < .seconds(3), "waited \(ContinuousClock.now - start)")
            let probe = ContinuousClock.now
            #expect(await store.isReady() == false)
            #expect(ContinuousClock.now - probe < .seconds(1))
        }
    }
}
