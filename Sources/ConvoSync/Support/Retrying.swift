import ConvoRemote

/// Runs remote calls under a `RetryPolicy`: retryable failures (network, timeouts, 5xx, 429)
/// are retried after a jittered, growing delay, or the server's `Retry-After` when that is
/// longer; anything else, or the last failure, is thrown as a `SyncError`.
struct Retrying: Sendable {
    let policy: RetryPolicy
    /// Told before each wait, so status can say "retrying in 2 s".
    let onRetry: @Sendable (SyncError, Duration, Int) -> Void
    /// What a wait sleeps on: `Task.sleep`, or a recording stand-in in tests.
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    func callAsFunction<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch {
                let failure = SyncError.wrapping(error)
                guard failure.isRetryable, attempt < policy.attempts, !Task.isCancelled else { throw failure }
                let delay = policy.backoff(beforeRetry: attempt, retryAfter: failure.retryAfter)
                onRetry(failure, delay, attempt)
                do { try await sleep(delay) } catch { throw SyncError.wrapping(error) }
                attempt += 1
            }
        }
    }
}

extension RetryPolicy {
    /// The wait before retry number `retry` (from 1): the jittered exponential backoff for that
    /// attempt, or the server's `Retry-After` when it asks for longer, never more than `maxDelay`.
    ///
    /// A `Retry-After` only lengthens the wait: `Retry-After: 0` (or one in the past, or a
    /// missing or unparsable one) still waits the backoff, so a server answering 429 at once
    /// cannot make a client hammer it. An absurd one (a day, a year) waits `maxDelay`.
    ///
    /// - Parameter unit: a value in 0…1 that picks the jitter (random unless a test fixes it).
    func backoff(beforeRetry retry: Int, retryAfter: Duration?, unit: Double = .random(in: 0...1)) -> Duration {
        let exponent = Double(1 << min(max(retry - 1, 0), 20))
        let base = min(initialDelay * exponent, maxDelay)
        let spread = max(0, min(jitter, 1))
        let jittered = base * ((1 - spread) + 2 * spread * max(0, min(unit, 1)))
        let asked = min(max(retryAfter ?? .zero, .zero), maxDelay)
        return max(jittered, asked, .zero)
    }
}
