import ConvoRemote

/// Runs remote calls under a `RetryPolicy`: retryable failures (network, timeouts, 5xx, 429)
/// are retried after a jittered, growing delay or the server's `Retry-After`; anything else,
/// or the last failure, is thrown as a `SyncError`.
struct Retrying: Sendable {
    let policy: RetryPolicy
    /// Told before each wait, so status can say "retrying in 2 s".
    let onRetry: @Sendable (SyncError, Duration, Int) -> Void

    func callAsFunction<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch {
                let failure = SyncError.wrapping(error)
                guard failure.isRetryable, attempt < policy.attempts, !Task.isCancelled else { throw failure }
                let delay = policy.delay(beforeRetry: attempt, retryAfter: failure.retryAfter)
                onRetry(failure, delay, attempt)
                do { try await Task.sleep(for: delay) } catch { throw SyncError.wrapping(error) }
                attempt += 1
            }
        }
    }
}
