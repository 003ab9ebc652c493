import Synchronization

/// The streamed replies (runs) in flight, so a cancel request can stop one.
final class RunRegistry: Sendable {
    private struct Run { var conversationID: String; var cancelled: Bool; var finished: Bool }
    private let runs = Mutex<[String: Run]>([:])

    /// Registers a run of a conversation.
    func start(_ runID: String, conversationID: String) {
        runs.withLock { $0[runID] = Run(conversationID: conversationID, cancelled: false, finished: false) }
    }

    /// Asks a run to stop; idempotent, and harmless once it finished.
    ///
    /// - Returns: false when no such run belongs to the conversation.
    func cancel(_ runID: String, conversationID: String) -> Bool {
        runs.withLock { runs in
            guard var run = runs[runID], run.conversationID == conversationID else { return false }
            run.cancelled = true
            runs[runID] = run
            return true
        }
    }

    /// Whether the run was asked to stop.
    func isCancelled(_ runID: String) -> Bool {
        runs.withLock { $0[runID]?.cancelled ?? false }
    }

    /// Marks a run finished, keeping the most recent ones so late cancels still answer 200.
    func finish(_ runID: String) {
        runs.withLock { runs in
            runs[runID]?.finished = true
            if runs.count > 1000 {
                for key in runs.filter({ $0.value.finished }).keys.prefix(500) { runs.removeValue(forKey: key) }
            }
        }
    }
}
