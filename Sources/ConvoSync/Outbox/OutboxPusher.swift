import ConvoModel
import ConvoRemote
import ConvoStore
import Foundation
import Logging

/// Pushes the replica's outbox to the remote, op by op in push order, each with its own
/// `Idempotency-Key` (DESIGN, "Offline writes").
///
/// For each op: claim it in the replica (so no other process pushes it meanwhile), check the
/// dialect can do it, record that an attempt begins, send the write (a message streams its
/// reply into a placeholder turn where the dialect streams), read the conversation's current
/// state and complete the op with it in one transaction. A retryable failure (network, 5xx,
/// 429) counts an attempt and stops the pass; the op stays pending and is retried under the
/// same key. A permanent failure marks the op failed with the server's reason, keeps its
/// text, and the pass goes on. A refusal of the account itself (401, 403, a wrong base URL)
/// stops the pass without failing any op.
///
/// Exactly once without help from the platform: the seeds promise no replay of a reply
/// stream cut under its key, so a message whose attempt may have reached the remote is never
/// sent again blindly. Its reply's first event marks it delivered (with the placeholder, one
/// transaction), and a delivered op is only read and completed. One attempted but never
/// answered (killed or cut before the first event, a whole reply whose response was lost) is
/// looked for first (read-before-resend, ``Replica/sentTurn(ofOp:among:)``): found, the op
/// completes with what the remote holds, reply done or not (a later pull brings the rest);
/// not found, it is sent again under the same key.
///
///     let pusher = OutboxPusher(replica: replica, api: api, logger: logger) { event in status.record(event) }
///     if case .retryLater(let after) = await pusher.pushPending().next { schedule(after) }
struct OutboxPusher: Sendable {
    let replica: Replica
    let api: any RemoteAPI
    let logger: Logger
    var replyBatch: ReplyBatchPolicy
    let onEvent: @Sendable (PushEvent) -> Void
    /// Who this pusher is in the replica's claims; one per pusher.
    let owner = OutboxClaimOwner()
    /// How long a claim holds without renewal (default 2 minutes); it is renewed every
    /// quarter of that while the op is pushed, so only a pusher that stopped lets it lapse.
    var claimDuration: Duration

    init(
        replica: Replica, api: any RemoteAPI, logger: Logger, replyBatch: ReplyBatchPolicy = .init(),
        claimDuration: Duration = .seconds(120), onEvent: @escaping @Sendable (PushEvent) -> Void = { _ in }
    ) {
        self.replica = replica
        self.api = api
        self.logger = logger
        self.replyBatch = replyBatch
        self.claimDuration = claimDuration
        self.onEvent = onEvent
    }

    /// Pushes every op the queue lists now, claiming each in turn and re-reading the queue
    /// after each one (a create's completion gives the ops behind it their remote conversation
    /// id). Ops another pusher holds, and the ops behind them in their conversation, are left
    /// to it.
    func pushPending() async -> PushOutcome {
        var outcome = PushOutcome()
        var tried = Set<Int64>()
        while !Task.isCancelled {
            let claimed: ClaimedOutboxOp?
            do {
                claimed = try await replica.claimOutboxOp(for: owner, lasting: claimDuration, skipping: tried)
            } catch {
                logger.warning("the outbox cannot be read", metadata: ["convosync.error": "\(error)"])
                outcome.next = .retryLater(after: nil)
                return outcome
            }
            guard let claimed else { break }
            let op = claimed.op
            tried.insert(op.id)
            let result = await whileClaimed(op.id) { await push(claimed) }
            do {
                try await replica.releaseOutboxClaim(op.id, for: owner)
            } catch {
                logger.warning("an outbox claim cannot be released", metadata: ["convosync.error": "\(error)"])
            }
            switch result {
            case .pushed: outcome.pushed += 1
            case .refused: outcome.failed += 1
            case .waiting: continue
            case .retryLater(let after):
                outcome.next = .retryLater(after: after)
                return outcome
            case .accountRefused(let error):
                outcome.next = .accountRefused(error)
                return outcome
            }
        }
        if Task.isCancelled { outcome.next = .retryLater(after: nil) }
        return outcome
    }

    private enum Result {
        case pushed, refused, waiting
        case retryLater(Duration?)
        case accountRefused(RemoteError)
    }

    /// A reason to refuse an op before or instead of a remote call.
    private struct Refusal: Error {
        let reason: String
    }

    /// The claim lapsed and another pusher holds the op now: this one must not send it.
    private struct ClaimLost: Error {}

    /// Runs `body` while a child task renews the claim on op `id` every quarter of
    /// ``claimDuration``; the renewal ends with `body`.
    private func whileClaimed<T: Sendable>(_ id: Int64, _ body: () async -> T) async -> T {
        let replica = self.replica
        let owner = self.owner
        let duration = claimDuration
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: duration / 4)
                    if Task.isCancelled { return }
                    _ = try? await replica.renewOutboxClaim(id, for: owner, lasting: duration)
                }
            }
            let result = await body()
            group.cancelAll()
            return result
        }
    }

    /// Records that an attempt of `op` begins, before its request leaves.
    /// - Throws: ``ClaimLost``, `StoreError`.
    private func beginAttempt(_ op: OutboxOp) async throws {
        guard try await replica.beginOutboxAttempt(op.id, for: owner, lasting: claimDuration) else { throw ClaimLost() }
    }

    private func push(_ claimed: ClaimedOutboxOp) async -> Result {
        let op = claimed.op
        guard let key = IdempotencyKey(op.idempotencyKey) else {
            return await refuse(op, "the op's idempotency key is not one the remote accepts")
        }
        guard let write = op.write else {
            return await refuse(op, "the op's payload cannot be read, or its staged upload is gone")
        }
        let isCreate: Bool
        if case .createConversation = write { isCreate = true } else { isCreate = false }
        // Behind a create that did not complete in this pass: it waits for the next one.
        if !isCreate && op.conversationID == nil { return .waiting }
        let operation = Self.operation(write)
        guard api.capabilities.supports(operation) else {
            return await refuse(op, "the remote's API has no \(operation.rawValue) operation")
        }
        if let conversationID = op.conversationID, let agentID = op.agentID {
            api.rememberOwners([conversationID: agentID])
        }
        var metadata: Logger.Metadata = ["convosync.outbox_op": "\(op.id)", "convosync.outbox_kind": "\(op.kind)"]
        if let conversationID = op.conversationID { metadata["convosync.conversation_id"] = "\(conversationID)" }
        logger.debug("pushing an outbox op", metadata: metadata)
        onEvent(.started(opID: op.id, kind: op.kind))
        do {
            let completion = try await perform(write, of: claimed, key: key)
            try await replica.completeOutboxOp(op.id, with: completion)
            onEvent(.pushed(opID: op.id, kind: op.kind))
            return .pushed
        } catch let refusal as Refusal {
            return await refuse(op, refusal.reason)
        } catch is ClaimLost {
            logger.info("another pusher holds the outbox op now", metadata: metadata)
            return .waiting
        } catch let error as RemoteError where error.code == .cancelled {
            return .retryLater(nil)
        } catch let error as RemoteError {
            let reason = error.serverMessage ?? error.description
            let refusesAccount = Self.accountCodes.contains(error.code)
            guard error.isRetryable || refusesAccount else { return await refuse(op, reason) }
            metadata["convosync.error"] = "\(error)"
            logger.info("an outbox op will be retried", metadata: metadata)
            do {
                try await replica.recordOutboxFailure(op.id, reason: reason, permanent: false)
            } catch {
                logger.warning("an outbox failure cannot be recorded", metadata: ["convosync.error": "\(error)"])
            }
            onEvent(.failed(opID: op.id, kind: op.kind, reason: reason, permanent: false))
            return refusesAccount ? .accountRefused(error) : .retryLater(error.retryAfter)
        } catch {
            // The replica failed, or the task was cancelled: nothing is lost, the op stays pending.
            metadata["convosync.error"] = "\(error)"
            logger.warning("an outbox op could not be completed", metadata: metadata)
            return .retryLater(nil)
        }
    }

    /// Marks the op failed for good with `reason`.
    private func refuse(_ op: OutboxOp, _ reason: String) async -> Result {
        logger.info(
            "an outbox op was refused", metadata: ["convosync.outbox_op": "\(op.id)", "convosync.outbox_kind": "\(op.kind)"])
        do {
            try await replica.recordOutboxFailure(op.id, reason: reason, permanent: true)
        } catch {
            logger.warning("an outbox failure cannot be recorded", metadata: ["convosync.error": "\(error)"])
            return .retryLater(nil)
        }
        onEvent(.failed(opID: op.id, kind: op.kind, reason: reason, permanent: true))
        return .refused
    }

    /// Sends the write and reads what the remote now holds.
    private func perform(_ write: LocalWrite, of claimed: ClaimedOutboxOp, key: IdempotencyKey) async throws
        -> OutboxCompletion
    {
        let op = claimed.op
        if case .createConversation(let agentID, let title, let metadata, let maxContextLength) = write {
            let draft = ConversationDraft(
                agentID: agentID, title: title, metadata: metadata, maxContextLength: maxContextLength)
            try await beginAttempt(op)
            var created = try await api.createConversation(draft, idempotencyKey: key)
            api.rememberOwners([created.id: created.agentID ?? agentID])
            if let title, created.title != title, api.capabilities.supports(.renameConversation),
                let renameKey = IdempotencyKey(String((key.rawValue + "-title").suffix(255)))
            {
                // The dialect's create takes no title (agentflow): set it with a rename under a
                // key derived from the create's, so a retry repeats neither. A refused rename
                // does not undo the create: the conversation exists, untitled.
                do {
                    created = try await api.renameConversation(created.id, to: title, idempotencyKey: renameKey)
                } catch let error as RemoteError where !error.isRetryable {
                    logger.warning("the new conversation's title was refused", metadata: ["error": "\(error)"])
                }
            }
            let state = try await currentState(created.id)
            var fields = state?.conversation ?? created
            if fields.agentID == nil { fields.agentID = agentID }
            return OutboxCompletion(conversationID: created.id, conversation: fields, turns: state?.turns)
        }
        guard let conversationID = op.conversationID else { throw Refusal(reason: "the conversation has no remote id") }
        // The remote has it already (its reply began): read, never resend.
        if op.deliveredAt != nil {
            return try await completion(conversationID, sentBy: isSend(write) ? op.id : nil)
        }
        if case .sendMessage = write, claimed.attemptedAt != nil,
            let found = try await lookForSentMessage(of: op, in: conversationID)
        {
            return found
        }
        try await beginAttempt(op)
        switch write {
        case .createConversation:
            throw Refusal(reason: "the conversation exists already")
        case .sendMessage(let text):
            if api.capabilities.streamingReplies {
                try await streamReply(text, in: conversationID, of: op, key: key)
            } else {
                _ = try await api.sendMessage(text, to: conversationID, idempotencyKey: key)
            }
            return try await completion(conversationID, sentBy: op.id)
        case .rename(let title):
            let renamed = try await api.renameConversation(conversationID, to: title, idempotencyKey: key)
            var completion = try await completion(conversationID)
            if completion.conversation == nil { completion.conversation = renamed }
            return completion
        case .generateTitle(let seedMessage, let force):
            _ = try await api.generateTitle(for: conversationID, seedMessage: seedMessage, force: force, idempotencyKey: key)
            return try await completion(conversationID)
        case .deleteConversation:
            try await api.deleteConversation(conversationID, idempotencyKey: key)
            // Where deletes are hard, the conversation is gone: its own read would only say so.
            guard api.capabilities.softDeletes else { return OutboxCompletion(purged: true) }
            return try await completion(conversationID)
        case .restoreConversation:
            try await api.restoreConversation(conversationID, idempotencyKey: key)
            return try await completion(conversationID)
        case .deleteMessage, .restoreMessage:
            guard let messageID = op.turnRemoteID else {
                throw Refusal(reason: "the message never reached the remote")
            }
            if case .deleteMessage = write {
                try await api.deleteMessage(messageID, in: conversationID, idempotencyKey: key)
            } else {
                try await api.restoreMessage(messageID, in: conversationID, idempotencyKey: key)
            }
            return try await completion(conversationID)
        case .uploadFile(let name, let contentType, let bytes):
            let files = try await api.uploadFiles(
                [FileUpload(filename: name, contentType: contentType, data: bytes)], to: conversationID,
                idempotencyKey: key)
            return OutboxCompletion(
                files: files.map { file in
                    RemoteFileRecord(
                        ref: file.ref, name: file.name, contentType: file.contentType, size: file.size,
                        isInput: file.direction != .output)
                })
        }
    }

    private func isSend(_ write: LocalWrite) -> Bool {
        if case .sendMessage = write { return true }
        return false
    }

    /// The completion that writes the conversation as the remote now holds it; with
    /// `sentBy`, the sent message of that op is identified among its turns.
    private func completion(_ conversationID: String, sentBy opID: Int64? = nil) async throws -> OutboxCompletion {
        guard let state = try await currentState(conversationID) else { return OutboxCompletion() }
        var sent: String?
        if let opID { sent = try await replica.sentTurn(ofOp: opID, among: state.turns) }
        return OutboxCompletion(conversation: state.conversation, turns: state.turns, sentTurnID: sent)
    }

    /// Read-before-resend: a send attempted before may be on the remote although no answer
    /// came back. Reads the conversation with the dialect's documented read of its turns (the
    /// read by id with messages on agentflow, the messages listing elsewhere) and returns the
    /// completion that adopts the message (and its reply, as far as the remote has it), or
    /// `nil` when the message is not there (or the dialect cannot read it): send it again.
    private func lookForSentMessage(of op: OutboxOp, in conversationID: String) async throws -> OutboxCompletion? {
        let reader = ConversationReader(api: api)
        guard reader.canRead else { return nil }
        let state = try await reader.read(conversationID)
        var metadata: Logger.Metadata = ["convosync.outbox_op": "\(op.id)", "convosync.conversation_id": "\(conversationID)"]
        guard let sent = try await replica.sentTurn(ofOp: op.id, among: state.turns) else {
            logger.info("an attempted message is not on the remote: it is sent again under its key", metadata: metadata)
            return nil
        }
        // Reply done: both are adopted. Missing or partial: the message is still delivered (it
        // reached the platform); a later pull brings the rest of the reply.
        var replyState = "missing"
        if let index = state.turns.firstIndex(where: { $0.id == sent }), index + 1 < state.turns.count,
            state.turns[index + 1].role == .assistant
        {
            replyState = state.turns[index + 1].state?.rawValue ?? "unknown"
        }
        metadata["convosync.reply_state"] = "\(replyState)"
        logger.info("an attempted message is on the remote already: adopted, not sent again", metadata: metadata)
        return OutboxCompletion(conversation: state.conversation, turns: state.turns, sentTurnID: sent)
    }

    /// The conversation's current state, `nil` where the dialect cannot read one conversation.
    private func currentState(_ conversationID: String) async throws -> RemoteConversationState? {
        let reader = ConversationReader(api: api)
        guard reader.canRead else { return nil }
        return try await reader.read(conversationID)
    }

    /// Streams the reply into a placeholder turn, written in batches (``ReplyBatchPolicy``).
    /// A stream that fails leaves the placeholder in state error. The first event makes the
    /// placeholder and marks the op delivered in one transaction, so from then on the retry
    /// only reads what the remote holds; one that failed before any event is looked for on the
    /// remote before it is sent again.
    private func streamReply(_ text: String, in conversationID: String, of op: OutboxOp, key: IdempotencyKey)
        async throws
    {
        // The placeholder appears with the first event: a reply that never started (the
        // remote unreachable) leaves no empty assistant turn behind.
        var placeholder: Int64?
        var batch = ""
        var written = 0
        var lastWrite = ContinuousClock.now
        func turn() async throws -> Int64 {
            if let placeholder { return placeholder }
            let made = try await replica.beginLocalReply(forOp: op.id)
            placeholder = made
            return made
        }
        func finish(_ state: TurnState, detail: String?, fullText: String?) async throws {
            let turn = try await turn()
            try await replica.finishLocalReply(turn: turn, state: state, errorDetail: detail, fullText: fullText)
            onEvent(.replyFinished(opID: op.id, turn: turn, state: state))
        }
        func flush() async throws {
            guard !batch.isEmpty else { return }
            let turn = try await turn()
            try await replica.appendLocalReply(turn: turn, text: batch)
            written += batch.count
            batch = ""
            lastWrite = ContinuousClock.now
            onEvent(.replyProgress(opID: op.id, turn: turn, characters: written))
        }
        var received = false
        do {
            let events = try await api.streamReply(to: text, in: conversationID, idempotencyKey: key)
            for try await event in events {
                received = true
                _ = try await turn()
                switch event {
                case .started:
                    continue
                case .delta(let delta):
                    batch += delta
                    if batch.utf8.count >= replyBatch.maxBytes || ContinuousClock.now - lastWrite >= replyBatch.interval {
                        try await flush()
                    }
                case .finished(_, let full):
                    try await finish(.done, detail: nil, fullText: full)
                    return
                case .stopped:
                    try await flush()
                    try await finish(.stopped, detail: nil, fullText: nil)
                    return
                case .failed(let detail):
                    try await flush()
                    try await finish(.error, detail: detail, fullText: nil)
                    return
                }
            }
            try await flush()
            try await finish(.done, detail: nil, fullText: nil)
        } catch {
            // Once an event arrived the remote holds the message, and the placeholder's first
            // write marked the op delivered: its retry reads instead of sending it twice.
            if received {
                try? await flush()
                try? await finish(.error, detail: "the reply stream ended early", fullText: nil)
            }
            throw error
        }
    }

    /// Refusals of the account rather than of the op: every op would meet them, so none is
    /// marked failed for them (SyncError calls them `unauthorized` and `misconfigured`).
    static let accountCodes: Set<RemoteError.Code> = [
        .unauthorized, .forbidden, .routeNotFound, .insecureTransport, .redirectRefused,
    ]

    /// The capability a write needs.
    static func operation(_ write: LocalWrite) -> RemoteCapabilities.WriteOperation {
        switch write {
        case .createConversation: .createConversation
        case .sendMessage: .sendMessage
        case .rename: .renameConversation
        case .generateTitle: .generateTitle
        case .deleteConversation: .deleteConversation
        case .restoreConversation: .restoreConversation
        case .deleteMessage: .deleteMessage
        case .restoreMessage: .restoreMessage
        case .uploadFile: .uploadFiles
        }
    }
}
