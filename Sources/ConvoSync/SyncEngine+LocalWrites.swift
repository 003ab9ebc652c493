import ConvoModel
import ConvoRemote
import ConvoStore
import Foundation

/// Local writes (DESIGN "Offline writes"): each applies to the replica and enters the outbox in
/// one transaction, then reaches the remote with its idempotency key on the next push.
extension SyncEngine {

    /// Creates a conversation locally and queues its creation on the remote.
    /// - Returns: its local reference (its remote id is filled in once pushed).
    /// - Throws: `SyncError` `.replica` (e.g. an empty agent id: `StoreError.invalidArgument`).
    @discardableResult
    public func createConversation(agentID: String, title: String? = nil, metadata: JSONValue? = nil, maxContextLength: Int? = nil)
        async throws -> ConversationRef
    {
        let enqueued = try await enqueue(
            .createConversation(agentID: agentID, title: title, metadata: metadata, maxContextLength: maxContextLength), in: nil)
        return .local(enqueued.conversationLocalID)
    }

    /// Sends a message: it appears in the conversation at once and reaches the remote (with
    /// the agent's reply, streamed where the dialect streams) on the next push.
    @discardableResult
    public func send(_ text: String, to conversation: ConversationRef) async throws -> EnqueuedWrite {
        try await enqueue(.sendMessage(text: text), in: conversation)
    }

    /// Renames a conversation, locally at once and on the remote on the next push.
    @discardableResult
    public func rename(_ conversation: ConversationRef, to title: String) async throws -> EnqueuedWrite {
        try await enqueue(.rename(title: title), in: conversation)
    }

    /// Asks the remote to title a conversation (agentflow); the title lands after the push.
    @discardableResult
    public func generateTitle(for conversation: ConversationRef, seedMessage: String? = nil, force: Bool = false)
        async throws -> EnqueuedWrite
    {
        try await enqueue(.generateTitle(seedMessage: seedMessage, force: force), in: conversation)
    }

    /// Deletes a conversation: hidden at once, deleted on the remote on the next push (soft
    /// where the dialect has soft deletes, for good elsewhere).
    @discardableResult
    public func delete(_ conversation: ConversationRef) async throws -> EnqueuedWrite {
        try await enqueue(.deleteConversation, in: conversation)
    }

    /// Restores a soft-deleted conversation.
    @discardableResult
    public func restore(_ conversation: ConversationRef) async throws -> EnqueuedWrite {
        try await enqueue(.restoreConversation, in: conversation)
    }

    /// Deletes one message (knowrithm).
    @discardableResult
    public func deleteMessage(_ turn: TurnRef, in conversation: ConversationRef) async throws -> EnqueuedWrite {
        try await enqueue(.deleteMessage(turn), in: conversation)
    }

    /// Restores one soft-deleted message (knowrithm).
    @discardableResult
    public func restoreMessage(_ turn: TurnRef, in conversation: ConversationRef) async throws -> EnqueuedWrite {
        try await enqueue(.restoreMessage(turn), in: conversation)
    }

    /// Uploads a file to a conversation (v2); the bytes are copied into the replica's folder
    /// first, so the upload survives the original going away.
    @discardableResult
    public func upload(_ bytes: Data, named name: String, contentType: String = "application/octet-stream", to conversation: ConversationRef)
        async throws -> EnqueuedWrite
    {
        try await enqueue(.uploadFile(name: name, contentType: contentType, bytes: bytes), in: conversation)
    }

    /// Queues any local write: applied to the replica and enqueued in one transaction, with a
    /// fresh idempotency key; a running `run()` pushes it at once.
    /// - Throws: `SyncError` `.replica` with the store's reason (unknown conversation, empty
    ///   text, a write the conversation's state does not allow).
    @discardableResult
    public func enqueue(_ write: LocalWrite, in conversation: ConversationRef?) async throws -> EnqueuedWrite {
        do {
            let enqueued = try await replica.enqueue(
                write, in: conversation, idempotencyKey: IdempotencyKey.random().rawValue, at: Date())
            wakeSignal.ring()
            return enqueued
        } catch {
            throw SyncError.wrapping(error)
        }
    }

    /// Pushes the queued local writes now; what the remote refuses for good is marked failed
    /// with its reason (never dropped).
    ///
    /// A pass that stops on a passing failure (network, 5xx, 429) is run again under
    /// ``SyncConfiguration/retry``, waiting its backoff on the engine's clock, so one write is
    /// attempted at most `retry.attempts` times by one call (each attempt recorded in the
    /// outbox). Nothing above retries again: a caller that gives up leaves the write queued.
    /// - Throws: `SyncError` `.offline`/`.rateLimited` when writes still wait for the remote,
    ///   `.unauthorized`/`.misconfigured` when it refused the account.
    @discardableResult
    public func push() async throws -> (pushed: Int, failed: Int) {
        var report = SyncReport()
        let retrying = Retrying(policy: configuration.retry, clock: clock)
        try await retrying {
            if let waiting = try await push(into: &report) { throw waiting }
        }
        return (report.pushed, report.failedWrites)
    }

    /// One pass of the outbox: the error to report if writes still wait (retryable), thrown
    /// at once when the remote refused the account.
    func push(into report: inout SyncReport) async throws -> SyncError? {
        let broadcaster = self.broadcaster
        broadcaster.update { $0.phase = .pushing }
        let pusher = OutboxPusher(
            replica: replica, api: api, logger: logger,
            replyBatch: ReplyBatchPolicy(interval: configuration.replyFlushInterval, maxBytes: configuration.replyFlushBytes)
        ) { event in
            if case .pushed = event { broadcaster.update { $0.pushed += 1 } }
        }
        let outcome = await pusher.pushPending()
        report.pushed += outcome.pushed
        report.failedWrites += outcome.failed
        switch outcome.next {
        case .idle:
            return nil
        case .accountRefused(let error):
            throw SyncError.wrapping(error)
        case .retryLater(let after):
            let code: SyncError.Code = after == nil ? .offline : .rateLimited
            return SyncError(code, "local writes wait for the remote, which cannot take them now")
        }
    }
}
