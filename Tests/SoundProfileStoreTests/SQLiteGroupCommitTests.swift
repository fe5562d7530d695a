import Foundation
import Testing
@testable import SoundProfileStore

/// Group commit on SQLite files: writes that arrive while the connection is busy share one
/// transaction (one fsync), each still succeeding or failing on its own.
@Suite struct SQLiteGroupCommitTests {
    @Test func queuedWritesCommitTogetherAndAConstraintFailsAlone() async throws {
        try await SQLiteFileStoreTests.withFile { store in
            let sqlite = try #require((store.driver as? GuardedDriver)?.base as? SQLiteDriver)
            let taken = StoreContract.email()
            _ = try await store.createUser(email: taken, fullName: "First")
            let before = sqlite.groupCommits.load(ordering: .relaxed)

            // Hold the writer with an open transaction, so that the writes below queue up.
            let inside = AsyncStream<Void>.makeStream()
            let release = AsyncStream<Void>.makeStream()
            let holder = Task {
                try await store.driver.transaction { _ in
                    inside.continuation.yield()
                    for await _ in release.stream { break }
                    return ()
                }
            }
            for await _ in inside.stream { break }

            let fresh = (0..<9).map { _ in StoreContract.email() }
            let emails = fresh + [taken.uppercased()]  // the last one is a duplicate (case-insensitive)
            let writes = Task {
                await withTaskGroup(of: (String, Result<User, StoreError>).self) { group in
                    for email in emails {
                        group.addTask {
                            do { return (email, .success(try await store.createUser(email: email, fullName: "Queued"))) }
                            catch let error as StoreError { return (email, .failure(error)) }
                            catch { return (email, .failure(.unavailable("\(error)"))) }
                        }
                    }
                    return await group.reduce(into: [String: Result<User, StoreError>]()) { $0[$1.0] = $1.1 }
                }
            }
            // Every write is waiting for the connection (bounded wait: a behaviour, not a timing).
            let deadline = ContinuousClock.now + .seconds(60)
            while sqlite.pendingWriteCount < emails.count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(sqlite.pendingWriteCount == emails.count)
            release.continuation.yield()
            try await holder.value
            let outcomes = await writes.value

            #expect(sqlite.groupCommits.load(ordering: .relaxed) == before + 1, "the queued writes were committed as one group")
            for email in fresh {
                guard case .success(let user)? = outcomes[email] else {
                    Issue.record("\(email): \(String(describing: outcomes[email]))")
                    continue
                }
                #expect(try await store.user(email: email) == user)
            }
            guard case .failure(.duplicateEmail)? = outcomes[taken.uppercased()] else {
                Issue.record("the duplicate: \(String(describing: outcomes[taken.uppercased()]))")
                return
            }
        }
    }
}
