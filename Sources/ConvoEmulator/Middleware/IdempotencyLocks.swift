import Synchronization

/// The idempotency keys whose first request is still being answered.
///
/// A repeat that arrives meanwhile (a client retrying a slow send) waits for the first
/// to finish and then gets its replay, instead of running the request twice.
final class IdempotencyLocks: Sendable {
    private let held = Mutex<Set<String>>([])

    /// How long a repeat waits for the first request before answering 503 (default 60 s).
    let maximumWait: Duration

    init(maximumWait: Duration = .seconds(60)) {
        self.maximumWait = maximumWait
    }

    /// Takes the key, waiting while another request holds it.
    ///
    /// - Throws: `unavailable` (with `Retry-After`) when the holder does not finish in time;
    ///   `CancellationError` when the waiting request goes away.
    func acquire(_ key: String) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + maximumWait
        while !held.withLock({ $0.insert(key).inserted }) {
            guard clock.now < deadline else {
                throw EmulatorError(.unavailable, "a request with this Idempotency-Key is still in progress", retryAfterSeconds: 1)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Gives the key back.
    func release(_ key: String) {
        _ = held.withLock { $0.remove(key) }
    }
}
