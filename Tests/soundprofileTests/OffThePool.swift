import Foundation

/// Runs blocking, CPU-heavy work (the processor over seconds of audio, a renderer subprocess) on
/// its own thread and awaits it, so a test does not hold one of the few cooperative threads (two
/// on a 2-core machine) that other suites' async timers run on. The work returns values; the
/// expectations stay in the test.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
