import ConvoEmulator
import ConvoRemote
import ConvoStore
import EmulatorSupport
import Foundation
import Synchronization
import Testing
import TestSupport

@testable import ConvoSync

/// The one retry policy's pacing, with sleeps recorded on a clock instead of slept.
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

    @Test("jitter takes at most its fraction off the backoff and never adds to it, whatever Retry-After: 0 says")
    func jitterBounds() {
        let jittered = RetryPolicy(attempts: 4, initialDelay: .seconds(1), maxDelay: .seconds(30), jitter: 0.3)
        #expect(jittered.backoff(beforeRetry: 1, retryAfter: .zero, unit: 0) == .seconds(1))
        let low = jittered.backoff(beforeRetry: 1, retryAfter: .zero, unit: 1)
        #expect(abs((low - .milliseconds(700)) / .milliseconds(1)) < 0.001)
        for _ in 0..<100 {
            let wait = jittered.backoff(beforeRetry: 2, retryAfter: .zero)
            #expect(wait >= .milliseconds(1400) && wait <= .milliseconds(2000))
        }
    }

    @Test("a server's first wait (an event stream's retry:) replaces the initial delay and doubles; the floor holds for retry: 0")
    func baseAndFloor() {
        let policy = RetryPolicy(attempts: 9, initialDelay: .seconds(1), maxDelay: .seconds(60), minimumDelay: .milliseconds(100), jitter: 0)
        #expect(policy.backoff(beforeRetry: 1, base: .seconds(3)) == .seconds(3))
        #expect(policy.backoff(beforeRetry: 3, base: .seconds(3)) == .seconds(12))
        #expect(policy.backoff(beforeRetry: 1, base: .zero) == .milliseconds(100))
        #expect(policy.backoff(beforeRetry: 4, base: .zero) == .milliseconds(100))
    }

    @Test("a remote answering 429 with Retry-After: 0 is retried after growing waits, not at once")
    func retryingWaits() async throws {
        let calls = Mutex(0)
        let clock = RecordingClock()
        let retrying = Retrying(policy: policy, clock: clock)
        await #expect(throws: SyncError.self) {
            try await retrying { () async throws -> Int in
                calls.withLock { $0 += 1 }
                throw RemoteError(.rateLimited, endpoint: "GET /conversations", status: 429, retryAfter: .zero)
            }
        }
        #expect(calls.withLock { $0 } == 4)
        #expect(clock.sleeps == [.milliseconds(200), .milliseconds(400), .milliseconds(800)])
    }

    @Test("one push() attempts a write retry.attempts times at most, waiting the policy's backoff on the engine's clock between")
    func attemptsPerWrite() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 2, turns: 1, configure: { $0.adminEnabled = true }) { emulator in
                var configuration = SyncHarness.testConfiguration
                configuration.retry = RetryPolicy(attempts: 4, initialDelay: .milliseconds(200), maxDelay: .seconds(30), jitter: 0)
                let clock = RecordingClock()
                try await SyncHarness.with(.agentflow, on: emulator, in: folder, configuration: configuration, clock: clock) { harness in
                    try await harness.engine.sync()
                    let id = try #require(try await harness.comparison().replica.first?.id)
                    var faults = FaultConfiguration()
                    faults.serverErrorRate = 1
                    emulator.emulator.faults.update(faults)
                    try await harness.replica.enqueue(
                        .rename(title: "Renamed while the remote fails"), in: .remote(id), idempotencyKey: "retry-budget", at: Date())
                    let before = clock.sleeps.count
                    let error = await #expect(throws: SyncError.self) { try await harness.engine.push() }
                    #expect(error?.isRetryable == true)
                    let op = try #require(try await harness.replica.pendingOutbox().first)
                    #expect(op.attempts == 4, "attempts recorded: \(op.attempts)")
                    #expect(Array(clock.sleeps.dropFirst(before)) == [.milliseconds(200), .milliseconds(400), .milliseconds(800)])

                    emulator.emulator.faults.update(FaultConfiguration())
                    let pushed = try await harness.engine.push()
                    #expect(pushed.pushed == 1 && pushed.failed == 0)
                }
            }
        }
    }

    @Test("run() schedules on the engine's clock: it waits the pull interval between pulls, and a growing backoff while the remote fails")
    func runSchedulesOnTheEngineClock() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 4, turns: 1) { emulator in
                var configuration = SyncHarness.testConfiguration
                configuration.pullInterval = .seconds(60)
                configuration.retry = RetryPolicy(attempts: 1, initialDelay: .seconds(2), maxDelay: .seconds(30), jitter: 0)
                let clock = RecordingClock()
                try await SyncHarness.with(.agentflow, on: emulator, in: folder, configuration: configuration, clock: clock) { harness in
                    // The clock's sleeps return at once, so run() goes round as fast as the
                    // remote answers; the test only waits for it to have gone round enough.
                    let running = Task { await harness.engine.run() }
                    func waitForSleeps(_ count: Int) async throws {
                        for _ in 0..<3_000 where clock.sleeps.count < count { try await Task.sleep(for: .milliseconds(5)) }
                    }
                    try await waitForSleeps(3)
                    var faults = FaultConfiguration()
                    faults.serverErrorRate = 1
                    emulator.emulator.faults.update(faults)
                    let failingFrom = clock.sleeps.count
                    try await waitForSleeps(failingFrom + 4)
                    running.cancel()
                    await running.value
                    emulator.emulator.faults.update(FaultConfiguration())

                    #expect(Array(clock.sleeps.prefix(3)) == [.seconds(60), .seconds(60), .seconds(60)])
                    // A pull under way when the remote began failing may still end well (one more interval).
                    let backoff = Array(clock.sleeps.dropFirst(failingFrom).drop { $0 == .seconds(60) }.prefix(3))
                    #expect(backoff == [.seconds(2), .seconds(4), .seconds(8)])
                }
            }
        }
    }
}
