import Synchronization

/// Pushes new snapshots to the watch streams open on a conversation.
///
/// Each watcher registers an `AsyncStream` continuation under its conversation; the store
/// publishes after each commit. Guarded by a `Mutex`; no tasks of its own.
final class SnapshotBroadcaster: Sendable {
    /// What a watcher is told.
    enum Event: Sendable, Equatable {
        case snapshot(SnapshotRecord)
        /// The conversation is gone (hard-deleted) or hidden from the watching dialect.
        case deleted
        /// A tick of the watcher's own keep-alive timer.
        case keepAlive
    }

    private struct Watchers {
        var nextToken: UInt64 = 0
        var byConversation: [String: [UInt64: AsyncStream<Event>.Continuation]] = [:]
        var closed = false
    }

    private let watchers = Mutex(Watchers())

    /// Registers a watcher; it receives every event published after this call.
    func subscribe(_ conversationID: String) -> (token: UInt64, events: AsyncStream<Event>, continuation: AsyncStream<Event>.Continuation) {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(256))
        let token = watchers.withLock { state -> UInt64 in
            state.nextToken += 1
            if state.closed {
                continuation.finish()
            } else {
                state.byConversation[conversationID, default: [:]][state.nextToken] = continuation
            }
            return state.nextToken
        }
        return (token, stream, continuation)
    }

    /// Removes a watcher and finishes its stream.
    func unsubscribe(_ conversationID: String, token: UInt64) {
        let continuation = watchers.withLock { state in
            state.byConversation[conversationID]?.removeValue(forKey: token)
        }
        continuation?.finish()
    }

    /// Sends `event` to every watcher of `conversationID`.
    func publish(_ conversationID: String, _ event: Event) {
        let continuations = watchers.withLock { state in
            Array(state.byConversation[conversationID, default: [:]].values)
        }
        for continuation in continuations { continuation.yield(event) }
    }

    /// Ends every stream, now and for later subscribers: the server is shutting down.
    func finishAll() {
        let all = watchers.withLock { state in
            state.closed = true
            defer { state.byConversation = [:] }
            return state.byConversation.values.flatMap(\.values)
        }
        for continuation in all { continuation.finish() }
    }
}
