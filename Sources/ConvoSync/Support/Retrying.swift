import ConvoRemote

/// Runs remote calls under the engine's ``RetryPolicy`` on the engine's clock: retryable
/// failures (network, timeouts, 5xx, 429) are retried after the policy's backoff (or the
/// server's `Retry-After` when that is longer); anything else, or the last failure, is thrown
/// as a `SyncError`.
struct Retrying: Sendable {
    let policy: RetryPolicy
    /// What the waits sleep on: the engine's clock (a recording one in tests).
    let clock: any Clock<Duration>
    /// Told before each wait, so status can say "retrying in 2 s".
    var onRetry: @Sendable (SyncError, Duration, Int) -> Void = { _, _, _ in }

    func callAsFunction<T: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
    ) async throws -> T {
        let onRetry = self.onRetry
        do {
            return try await policy.run(
                on: clock, classify: Self.verdict, onRetry: { error, delay, attempt in onRetry(SyncError.wrapping(error), delay, attempt) },
                body)
        } catch {
            throw SyncError.wrapping(error)
        }
    }

    /// Whether a failure is worth another attempt, and how long the server asked to wait.
    static func verdict(_ error: any Error) -> RetryPolicy.Verdict {
        let failure = SyncError.wrapping(error)
        return failure.isRetryable ? .retry(after: failure.retryAfter) : .stop
    }
}
