/// How a remote call that failed for a passing reason is tried again: a jittered exponential
/// backoff, a server's `Retry-After` (which can only lengthen a wait), a floor, a cap and a
/// budget of attempts.
///
/// One policy paces every caller — the sync's requests, pushes of the outbox, content
/// downloads and the reconnections of event streams — so a wait means the same everywhere,
/// and each request is retried at exactly one layer: the one that runs it under this policy.
///
///     let policy = RetryPolicy(attempts: 4, initialDelay: .milliseconds(200))
///     let page = try await policy.run(on: ContinuousClock(), classify: { error in
///         (error as? RemoteError).map { $0.isRetryable ? .retry(after: $0.retryAfter) : .stop } ?? .stop
///     }) {
///         try await api.conversations(from: .start, pageSize: 100, filter: .init())
///     }
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts per call, the first included (1: never retried).
    public var attempts: Int
    /// The wait before the first retry, when the server asked for none (an event stream's
    /// `retry:` field replaces it).
    public var initialDelay: Duration
    /// The longest wait between two attempts, `Retry-After` included: an absurd `Retry-After`
    /// (a day, a year) waits this long.
    public var maxDelay: Duration
    /// The shortest wait between two attempts, whatever jitter, `retry: 0` or `Retry-After: 0`
    /// say, so a broken or hostile server cannot make a client call it in a busy loop.
    public var minimumDelay: Duration
    /// The fraction of each wait that is random (0…1), taken off the wait so that clients do
    /// not retry in step and never wait longer than the backoff: with 0.3, a backoff of `d`
    /// waits between `0.7 d` and `d`.
    public var jitter: Double

    /// Makes a policy; the defaults suit a platform over the Internet.
    public init(
        attempts: Int = 6, initialDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(30),
        minimumDelay: Duration = .zero, jitter: Double = 0.3
    ) {
        self.attempts = attempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.minimumDelay = minimumDelay
        self.jitter = jitter
    }

    /// The wait before retry number `retry` (from 1): `base` (or ``initialDelay``) doubled per
    /// retry and capped at ``maxDelay``, jittered; at least the server's `Retry-After` (capped
    /// too) and ``minimumDelay``.
    ///
    /// A `Retry-After` only lengthens the wait: `Retry-After: 0`, one in the past, or a missing
    /// one still waits the backoff, so a server answering 429 at once cannot make a client
    /// hammer it.
    ///
    /// - Parameters:
    ///   - base: the first wait the server asked for (an event stream's `retry:`), if any.
    ///   - unit: a value in 0…1 that picks the jitter (random unless a test fixes it).
    public func backoff(
        beforeRetry retry: Int, retryAfter: Duration? = nil, base: Duration? = nil, unit: Double = .random(in: 0...1)
    ) -> Duration {
        let start = max(base ?? initialDelay, .zero)
        let exponent = Double(1 << min(max(retry - 1, 0), 20))
        let full = min(start * exponent, maxDelay)
        let spread = max(0, min(jitter, 1))
        let jittered = full * (1 - spread * max(0, min(unit, 1)))
        let asked = min(max(retryAfter ?? .zero, .zero), maxDelay)
        return max(jittered, asked, minimumDelay, .zero)
    }

    /// What a failed attempt calls for.
    public enum Verdict: Sendable, Hashable {
        /// Stop and throw the failure: it is permanent (or not the remote's).
        case stop
        /// Wait and try again, at least `after` when the server said so.
        case retry(after: Duration?)
    }

    /// Runs `body`, retrying it while `classify` says a failure is passing and attempts remain,
    /// waiting ``backoff(beforeRetry:retryAfter:base:unit:)`` on `clock` between attempts.
    ///
    /// - Parameters:
    ///   - clock: what the waits sleep on (tests pass a clock that records them).
    ///   - classify: whether a failure is worth another attempt.
    ///   - onRetry: told the failure, the wait and the attempt that failed (from 1) before each
    ///     wait, so a status can say "retrying in 2 s".
    /// - Throws: the last failure, unchanged; what the clock's sleep throws (cancellation).
    public func run<T, C: Clock<Duration>>(
        on clock: C, isolation: isolated (any Actor)? = #isolation, classify: (any Error) -> Verdict,
        onRetry: (any Error, Duration, Int) -> Void = { _, _, _ in },
        _ body: () async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch {
                guard attempt < attempts, !Task.isCancelled, case .retry(let after) = classify(error) else { throw error }
                let delay = backoff(beforeRetry: attempt, retryAfter: after)
                onRetry(error, delay, attempt)
                try await clock.sleep(for: delay)
                attempt += 1
            }
        }
    }
}
