import Foundation
import Synchronization

/// Holds the engine's current `SyncStatus` and hands every change to each subscriber's stream.
/// Updates come from the engine and its child tasks; a slow subscriber sees the newest
/// values (its buffer keeps the latest few), never blocks the engine.
final class StatusBroadcaster: Sendable {
    private struct State {
        var status = SyncStatus()
        var subscribers: [UUID: AsyncStream<SyncStatus>.Continuation] = [:]
    }

    private let state = Mutex(State())

    /// The current status.
    var current: SyncStatus { state.withLock { $0.status } }

    /// Changes the status and tells every subscriber.
    func update(_ change: (inout SyncStatus) -> Void) {
        let (status, subscribers) = state.withLock { state in
            change(&state.status)
            return (state.status, Array(state.subscribers.values))
        }
        for subscriber in subscribers { subscriber.yield(status) }
    }

    /// A stream that starts with the current status and then yields every change.
    func subscribe(buffering: Int = 32) -> AsyncStream<SyncStatus> {
        let (stream, continuation) = AsyncStream.makeStream(of: SyncStatus.self, bufferingPolicy: .bufferingNewest(buffering))
        let id = UUID()
        let current = state.withLock { state in
            state.subscribers[id] = continuation
            return state.status
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        continuation.yield(current)
        return stream
    }

    /// Ends every subscriber's stream (the engine is gone).
    func finish() {
        let subscribers = state.withLock { state in
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}
