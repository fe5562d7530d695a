import NIOCore
import NIOPosix
import Synchronization

/// Runs `operation` in a task of its own and returns its result, or throws `onTimeout()` once
/// `timeout` has passed — whether or not the operation reacts to cancellation (it is cancelled
/// and left to finish in the background). Cancelling the caller cancels the operation and
/// returns at once with `CancellationError`. So a caller waits at most `timeout`, whatever a
/// database or network library does.
func withDeadline<T: Sendable>(
    _ timeout: Duration,
    onTimeout: @escaping @Sendable () -> any Error,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let once = ResumeOnce<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            once.install(continuation)
            let work = Task {
                do { once.resume(.success(try await operation())) } catch { once.resume(.failure(error)) }
            }
            // An event-loop timer, not a sleeping task: every statement sets one and nearly all
            // are cancelled, and a cancelled `Task.sleep` still leaves a Dispatch timer that
            // fires later on a thread of its own (seen as 5 % of a GET's CPU in thread wake-ups).
            let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: .nanoseconds(nanosecondsOf(timeout))) {
                if once.resume(.failure(onTimeout())) { work.cancel() }
            }
            once.onResume { work.cancel(); timer.cancel() }
        }
    } onCancel: {
        once.resume(.failure(CancellationError()))
    }
}

/// Whole nanoseconds of `duration` (saturating: a limit of years is "never" here).
private func nanosecondsOf(_ duration: Duration) -> Int64 {
    let (seconds, attoseconds) = duration.components
    guard seconds < Int64.max / 1_000_000_000 - 1 else { return Int64.max / 2 }
    return max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
}

/// A continuation resumed exactly once, by whichever of work, timer or cancellation comes first.
private final class ResumeOnce<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var pending: Result<T, any Error>?
        var done = false
        var cleanup: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = state.withLock { s in
            if let pending = s.pending { return pending }
            s.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    /// Cleanup to run once resumed (cancels the losers); runs at once when already resumed.
    func onResume(_ body: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { s in
            if s.done { return true }
            s.cleanup = body
            return false
        }
        if runNow { body() }
    }

    /// Resumes with `result` unless already resumed; returns whether this call did it.
    @discardableResult
    func resume(_ result: Result<T, any Error>) -> Bool {
        let (continuation, cleanup, won): (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?, Bool) = state.withLock { s in
            guard !s.done else { return (nil, nil, false) }
            s.done = true
            let c = s.continuation
            s.continuation = nil
            if c == nil { s.pending = result }
            let cleanup = s.cleanup
            s.cleanup = nil
            return (c, cleanup, true)
        }
        continuation?.resume(with: result)
        cleanup?()
        return won
    }
}
