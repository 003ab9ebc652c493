import ConvoModel
import ConvoRemote
import ConvoStore
import Foundation

/// Follows one conversation's durable snapshot stream (DESIGN "Durable event stream"): each
/// snapshot and its SSE id commit in one transaction; a reconnect resumes from the stored id;
/// after `reset` the next snapshot (always the whole conversation) replaces what the replica
/// holds; a hard delete, announced or answered as `conversation_not_found`, is recorded and
/// ends the watch. Cut streams reconnect with jittered backoff.
struct ConversationWatcher: Sendable {
    let context: PullContext
    let conversationID: String

    /// The `sync_state` scope holding the last applied snapshot id.
    static func scope(of conversationID: String) -> String { "watch:\(conversationID)" }

    /// Watches until cancelled or the conversation is hard-deleted.
    func run() async {
        let scope = Self.scope(of: conversationID)
        var failures = 0
        while !Task.isCancelled {
            do {
                let lastEventID = try await context.replica.syncState(scope: scope)?.lastEventID
                var applied = lastEventID
                for try await event in context.api.watch(conversationID: conversationID, lastEventID: lastEventID) {
                    switch event {
                    case .snapshot(let eventID?, let snapshot):
                        guard Self.isNewer(eventID, than: applied) else { continue }
                        try await apply(snapshot, eventID: eventID, scope: scope)
                        applied = eventID
                        failures = 0
                    case .snapshot(nil, let snapshot):
                        // No id to store: the snapshot lands, the resume position stays.
                        try await apply(snapshot, eventID: nil, scope: scope)
                    case .reset:
                        context.logger.info(
                            "the remote no longer retains the watch position: refreshing the conversation",
                            metadata: ["conversation": "\(conversationID)"])
                        applied = nil
                    case .deleted:
                        try await purge(scope: scope)
                        return
                    }
                }
            } catch is CancellationError {
                return
            } catch let error as RemoteError where error.isConversationNotFound {
                try? await purge(scope: scope)
                return
            } catch let error as RemoteError where error.code == .routeNotFound {
                // The platform serves no watch stream: a capability it lacks, not a fault to retry.
                await context.remoteLacks(.watch)
                context.logger.notice(
                    "the remote serves no watch stream: the conversation stays fresh through sync",
                    metadata: ["conversation": "\(conversationID)"])
                return
            } catch {
                failures += 1
                let failure = SyncError.wrapping(error)
                if failure.code == .cancelled { return }
                context.logger.notice(
                    "the watch stream failed; reconnecting",
                    metadata: ["conversation": "\(conversationID)", "error": "\(failure.code.rawValue)"])
            }
            // The stream's own requests were retried by its SSE client; this opens a new one.
            let delay = context.configuration.retry.backoff(beforeRetry: max(failures, 1), retryAfter: nil)
            do { try await context.clock.sleep(for: delay) } catch { return }
        }
    }

    private func apply(_ snapshot: ConversationSnapshot, eventID: String?, scope: String) async throws {
        let header = ConversationSnapshot(conversation: snapshot.conversation, turns: nil)
        let turns = IncomingFilter.turns(snapshot.turns ?? [])
        if turns.refused > 0 { context.status.update { $0.refusedItems += turns.refused } }
        let item = ListedConversation(
            conversation: snapshot.conversation, turns: .replace(turns.kept),
            changeToken: ChangeToken.of(header, capabilities: context.capabilities))
        try await context.replica.applyListingPage(
            [item], pass: nil, syncState: eventID.map { SyncStateUpdate(scope: scope, lastEventID: .set($0)) })
    }

    private func purge(scope: String) async throws {
        try await context.replica.applyListingPage(
            [], purged: [conversationID], pass: nil, syncState: SyncStateUpdate(scope: scope, lastEventID: .set(nil)))
    }

    /// Snapshot ids increase per conversation: numerically where both are numbers, else any
    /// different id counts as newer. A repeated or older id is a duplicate delivery.
    static func isNewer(_ id: String, than applied: String?) -> Bool {
        guard let applied else { return true }
        if let new = Int64(id), let old = Int64(applied) { return new > old }
        return id != applied
    }
}
