import ConvoModel
import Foundation
import GRDB

extension Replica {
    /// Applies a local write to the replica at once and records it for the remote, in one
    /// transaction (DESIGN, "Offline writes"): either both happen or neither does.
    ///
    /// The optimistic effects: a create adds a conversation with no remote id (listed at once,
    /// ``ConversationSummary/remoteID`` `nil`); a send adds a done user turn after the last turn,
    /// searchable at once; a rename sets the title; a delete or restore sets or clears the
    /// conversation's (or the message's) tombstone; an upload stages the bytes under the
    /// replica's folder, so nothing is lost if the original goes away; generating a title
    /// changes nothing until the remote answers.
    ///
    ///     let created = try await replica.enqueue(
    ///         .createConversation(agentID: "agent_1", title: "Q3 plan", metadata: nil, maxContextLength: nil),
    ///         in: nil, idempotencyKey: UUID().uuidString, at: Date())
    ///     try await replica.enqueue(.sendMessage(text: "Draft the agenda"), in: .local(created.conversationLocalID),
    ///                               idempotencyKey: UUID().uuidString, at: Date())
    ///
    /// - Parameters:
    ///   - conversation: the conversation written to; `nil` only for a create.
    ///   - idempotencyKey: sent with every attempt of the op; 1–255 printable ASCII characters
    ///     without spaces, unique in the outbox.
    /// - Throws: `StoreError` `.notFound` (no such conversation or turn), `.invalidArgument`
    ///   (empty text, title or agent id; a purged or soft-deleted conversation; a bad or reused
    ///   key; a create naming a conversation), `.database`.
    @discardableResult
    public func enqueue(
        _ write: LocalWrite, in conversation: ConversationRef?, idempotencyKey: String, at date: Date
    ) async throws -> EnqueuedWrite {
        try Self.validate(write, idempotencyKey: idempotencyKey)
        let folder = self.folder
        var staged: String?
        if case .uploadFile(_, _, let bytes) = write {
            staged = try OutboxStaging.stage(bytes, replicaPath: path, folder: folder)
        }
        let stagedPath = staged
        do {
            return try await writing { db in
                try OutboxWriter.enqueue(
                    write, in: conversation, key: idempotencyKey, at: Timestamp.milliseconds(date), staged: stagedPath, db)
            }
        } catch {
            if let stagedPath { OutboxStaging.remove(stagedPath, folder: folder) }
            throw error
        }
    }

    /// The pending ops to push now, in push order (op id order).
    ///
    /// An op of a conversation that exists only locally comes after that conversation's
    /// create; if the create failed for good (or was discarded) the op is blocked and not
    /// listed (``pendingOutbox()`` still shows it). A message delete or restore waits while
    /// the message's own send is pending. Failed ops are not listed until ``retryOutboxOp(_:idempotencyKey:)``.
    ///
    ///     for op in try await replica.outboxQueue() { try await push(op) }
    ///
    /// - Throws: `StoreError` `.database`.
    public func outboxQueue() async throws -> [OutboxOp] {
        let folder = self.folder
        return try await reading { db in try OutboxQueries.queue(folder: folder, db) }
    }

    /// Records that the remote accepted op `id`, in one transaction: removes the op, gives a
    /// created conversation its remote id, and writes what the remote now says — the
    /// conversation's fields where given, its turns where given (replace semantics) — then
    /// re-applies the conversation's other pending ops.
    ///
    /// The op's local turns adopt the remote ids of their remote counterparts, so local keys
    /// never change and no turn appears twice: the sent message is the first remote user turn
    /// with its text the replica does not hold yet, its reply the next assistant turn. A hard
    /// delete (`purged`) marks the conversation purged. An upload's files are recorded and its
    /// staged copy removed.
    ///
    ///     try await replica.completeOutboxOp(op.id, with: OutboxCompletion(conversationID: created.id, conversation: created))
    ///
    /// - Throws: `StoreError` `.notFound` (no such op), `.invalidArgument` (a local
    ///   conversation's op without the remote id; an empty remote turn id), `.database`.
    public func completeOutboxOp(_ id: Int64, with result: OutboxCompletion) async throws {
        let staged = try await writing { db in try OutboxWriter.complete(id, with: result, db) }
        if let staged { OutboxStaging.remove(staged, folder: folder) }
    }

    /// Records a failed push of op `id`: one more attempt and the reason, and releases any
    /// claim on it (``claimOutboxOp(for:lasting:skipping:at:)``). A `permanent` failure marks
    /// the op `failed`; its payload stays, so nothing typed is lost, and
    /// ``retryOutboxOp(_:idempotencyKey:)`` or ``discardOutboxOp(_:)`` decide what happens next.
    ///
    /// - Throws: `StoreError` `.notFound` (no such op), `.database`.
    public func recordOutboxFailure(_ id: Int64, reason: String, permanent: Bool) async throws {
        try await writing { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET attempts = attempts + 1, last_error = ?,
                        state = CASE WHEN ? THEN 'failed' ELSE state END,
                        claim_owner = NULL, claim_expires_at = NULL
                    WHERE id = ?
                    """, arguments: [reason, permanent, id])
            guard db.changesCount > 0 else { throw StoreError(.notFound, "no such outbox op") }
        }
    }

    /// Records that the remote received op `id` although its answer did not arrive whole (a
    /// reply stream cut after it started): from now on its retry only reads the remote's state
    /// and completes, so the user's message is never sent twice. Idempotent. (A streamed
    /// reply's first event records it by itself: ``beginLocalReply(forOp:)``.)
    ///
    /// - Throws: `StoreError` `.notFound` (no such op), `.database`.
    public func markOutboxOpDelivered(_ id: Int64, at date: Date) async throws {
        try await writing { db in
            try db.execute(
                sql: "UPDATE outbox SET delivered_at = coalesce(delivered_at, ?) WHERE id = ?",
                arguments: [Timestamp.milliseconds(date), id])
            guard db.changesCount > 0 else { throw StoreError(.notFound, "no such outbox op") }
        }
    }

    /// Puts a failed op back in the queue (its attempts and last reason are kept).
    ///
    /// With `idempotencyKey`, the op goes out under that new key: a platform answers a repeated
    /// key with the first response, so under the old key a refused op would only be refused
    /// again. What earlier attempts recorded stays (``claimOutboxOp(for:lasting:skipping:at:)``'s
    /// `attemptedAt`): a message that may have reached the remote is still looked for before it
    /// is sent again.
    ///
    /// - Throws: `StoreError` `.notFound` (no such op), `.invalidArgument` (a key that is not
    ///   1–255 printable ASCII characters, or one another op uses), `.database`.
    public func retryOutboxOp(_ id: Int64, idempotencyKey: String? = nil) async throws {
        if let idempotencyKey { try Self.validateKey(idempotencyKey) }
        try await writing { db in
            if let idempotencyKey {
                if try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM outbox WHERE idempotency_key = ? AND id <> ?)",
                    arguments: [idempotencyKey, id]) == true
                {
                    throw StoreError(.invalidArgument, "the idempotency key is already used by another outbox op")
                }
                try db.execute(
                    sql: "UPDATE outbox SET idempotency_key = ? WHERE id = ?", arguments: [idempotencyKey, id])
            }
            try db.execute(sql: "UPDATE outbox SET state = 'pending' WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw StoreError(.notFound, "no such outbox op") }
            if let conversationID = try Int64.fetchOne(
                db, sql: "SELECT conversation_id FROM outbox WHERE id = ?", arguments: [id])
            {
                try OutboxReapply.all(conversationID, db)
            }
        }
    }

    /// Removes op `id` without pushing it and undoes its optimistic effect where that means
    /// something: a never-pushed create removes its conversation (unless other ops still
    /// name it), a send removes its local turns, a rename or a delete or restore puts back
    /// what it replaced, an upload removes its staged bytes.
    ///
    /// - Throws: `StoreError` `.notFound` (no such op), `.database`.
    public func discardOutboxOp(_ id: Int64) async throws {
        let staged = try await writing { db in try OutboxWriter.discard(id, db) }
        if let staged { OutboxStaging.remove(staged, folder: folder) }
    }

    /// One conversation, named by local key or remote id, with its turns (local-only ones
    /// last) and each turn's local key; `nil` when the replica does not hold it (or it is
    /// soft-deleted and `includeDeleted` is false, or purged).
    ///
    ///     let detail = try await replica.conversation(.local(written.conversationLocalID))
    ///
    /// - Throws: `StoreError` `.database`.
    public func conversation(_ ref: ConversationRef, includeDeleted: Bool = false) async throws -> ConversationDetail? {
        try await reading { db in
            switch ref {
            case .local(let key):
                try ConversationQueries.detail(where: "c.id = ?", arguments: [key], includeDeleted: includeDeleted, db)
            case .remote(let id):
                try ConversationQueries.detail(remoteID: id, includeDeleted: includeDeleted, db)
            }
        }
    }

    private static func validateKey(_ idempotencyKey: String) throws {
        guard (1...255).contains(idempotencyKey.utf8.count),
            idempotencyKey.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else {
            throw StoreError(.invalidArgument, "an idempotency key is 1 to 255 printable ASCII characters without spaces")
        }
    }

    private static func validate(_ write: LocalWrite, idempotencyKey: String) throws {
        try validateKey(idempotencyKey)
        func blank(_ text: String) -> Bool { text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        switch write {
        case .createConversation(let agentID, let title, _, let maxContextLength):
            if blank(agentID) { throw StoreError(.invalidArgument, "a conversation needs an agent id") }
            if let title, blank(title) { throw StoreError(.invalidArgument, "a title must not be empty") }
            if let maxContextLength, maxContextLength <= 0 {
                throw StoreError(.invalidArgument, "a context length must be positive")
            }
        case .sendMessage(let text):
            if blank(text) { throw StoreError(.invalidArgument, "a message must not be empty") }
        case .rename(let title):
            if blank(title) { throw StoreError(.invalidArgument, "a title must not be empty") }
        case .generateTitle(let seed, _):
            if let seed, blank(seed) { throw StoreError(.invalidArgument, "a seed message must not be empty") }
        case .uploadFile(let name, _, _):
            if name.isEmpty { throw StoreError(.invalidArgument, "a file needs a name") }
        case .deleteConversation, .restoreConversation, .deleteMessage, .restoreMessage:
            break
        }
    }
}
