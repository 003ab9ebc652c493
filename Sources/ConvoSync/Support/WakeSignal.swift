import Foundation
import Synchronization

/// A one-bit doorbell: `ring()` from anywhere; `wait(upTo:)` returns at the next ring or after
/// the delay, whichever comes first. A ring while nobody waits is kept for the next wait, so a
/// request made during a sync is not lost.
final class WakeSignal: Sendable {
    private struct State {
        var rung = false
        var waiter: (id: UUID, continuation: CheckedContinuation<Void, Never>)?
    }

    private let state = Mutex(State())

    /// Wakes the waiter, or the next one.
    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter.continuation
        }
        waiter?.resume()
    }

    /// Waits for a ring, at most `delay` on `clock`; returns at once if one is pending or the
    /// task is cancelled.
    func wait<C: Clock<Duration>>(upTo delay: Duration, on clock: C) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(for: delay) }
            group.addTask { await self.waitForRing() }
            _ = await group.next()
            group.cancelAll()
        }
    }

    private func waitForRing() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.rung || Task.isCancelled {
                        state.rung = false
                        return true
                    }
                    state.waiter = (id, continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard let waiter = state.waiter, waiter.id == id else { return nil }
                state.waiter = nil
                return waiter.continuation
            }
            waiter?.resume()
        }
    }
}
