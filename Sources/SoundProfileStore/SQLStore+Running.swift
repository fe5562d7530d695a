extension SQLStore {
    /// Runs `body` while the store's connection (pool) is running, outside a ServiceGroup —
    /// for one-shot commands and tests — then closes it.
    public func withRunning<T: Sendable>(_ body: @Sendable (SQLStore) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.run() }
            do {
                let result = try await body(self)
                group.cancelAll()
                try? await group.waitForAll()
                return result
            } catch {
                group.cancelAll()
                try? await group.waitForAll()
                throw error
            }
        }
    }
}
