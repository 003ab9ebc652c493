import ConvoRemote
import Synchronization
import Testing

@testable import ConvoSync

/// The engine's retry pacing, with sleeps recorded instead of slept.
@Suite("Retry backoff honours Retry-After only when it is longer")
struct RetryBackoffTests {
    private let policy = RetryPolicy(attempts: 4, initialDelay: .milliseconds(200), maxDelay: .seconds(30), jitter: 0)

    @Test("Retry-After: 0, a negative or a missing one still waits the backoff for the attempt")
    func zeroStillBacksOff() {
        for retryAfter in [Duration.zero, .seconds(-3), nil] {
            #expect(policy.backoff(beforeRetry: 1, retryAfter: retryAfter) == .milliseconds(200))
            #expect(policy.backoff(beforeRetry: 3, retryAfter: retryAfter) == .milliseconds(800))
        }
    }

    @Test("a longer Retry-After wins, and an absurd one is clamped to the cap")
    func longerWinsAbsurdClamped() {
        #expect(policy.backoff(beforeRetry: 1, retryAfter: .seconds(5)) == .seconds(5))
        #expect(policy.backoff(beforeRetry: 1, retryAfter: .seconds(86_400 * 365)) == .seconds(30))
        #expect(policy.backoff(beforeRetry: 30, retryAfter: nil) == .seconds(30))
    }

    @Test("jitter stays within the spread either side of the backoff, whatever Retry-After: 0 says")
    func jitterBounds() {
        let jittered = RetryPolicy(attempts: 4, initialDelay: .seconds(1), maxDelay: .seconds(30), jitter: 0.3)
        let low = jittered.backoff(beforeRetry: 1, retryAfter: .zero, unit: 0)
        let high = jittered.backoff(beforeRetry: 1, retryAfter: .zero, unit: 1)
        #expect(abs((low - .milliseconds(700)) / .milliseconds(1)) < 0.001)
        #expect(abs((high - .milliseconds(1300)) / .milliseconds(1)) < 0.001)
        for _ in 0..<100 {
            let wait = jittered.backoff(beforeRetry: 2, retryAfter: .zero)
            #expect(wait >= .milliseconds(1400) && wait <= .milliseconds(2600))
        }
    }

    @Test("a remote answering 429 with Retry-After: 0 is retried after growing waits, not at once")
    func retryingWaits() async throws {
        let sleeps = Mutex<[Duration]>([])
        let calls = Mutex(0)
        let retrying = Retrying(policy: policy, onRetry: { _, _, _ in }, sleep: { wait in sleeps.withLock { $0.append(wait) } })
        await #expect(throws: SyncError.self) {
            try await retrying { () async throws -> Int in
                calls.withLock { $0 += 1 }
                throw RemoteError(.rateLimited, endpoint: "GET /conversations", status: 429, retryAfter: .zero)
            }
        }
        #expect(calls.withLock { $0 } == 4)
        #expect(sleeps.withLock { $0 } == [.milliseconds(200), .milliseconds(400), .milliseconds(800)])
    }
}
