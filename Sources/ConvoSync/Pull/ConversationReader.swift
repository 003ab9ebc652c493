import ConvoModel
import ConvoRemote

/// One conversation as the remote holds it now: what a refresh writes over the replica.
struct RemoteConversationState: Sendable, Hashable {
    /// The conversation's fields, or `nil` where the dialect's read does not carry them
    /// (v2 and knowrithm read only messages): the replica keeps what the listing gave.
    var conversation: Conversation?
    /// Every storable turn, oldest first, deduplicated by id.
    var turns: [Turn]
    /// Turns refused for ids the replica does not store (``RemoteID``).
    var refused = 0
}

/// Reads one conversation's full current state through the dialect's documented reads only
/// (DIALECTS "the endpoints below are the whole API"): a read by id with messages
/// (agentflow), or the paged messages listing (v2, knowrithm — knowrithm has no read by id).
///
/// A hard-deleted conversation surfaces as `RemoteError` `notFound` with `resource ==
/// .conversation` from its own read, the one proof of a hard delete (DIALECTS "Error codes").
struct ConversationReader: Sendable {
    let api: any RemoteAPI
    var pageSize = 100

    /// Whether the dialect can read one conversation at all (`turns` cannot: only listings).
    var canRead: Bool { api.capabilities.conversationRead }

    /// The conversation's current state.
    /// - Throws: `RemoteError`; `unsupported` where `canRead` is false; `SyncError`
    ///   `protocolViolation` when the messages listing's pages cycle.
    func read(_ id: String) async throws -> RemoteConversationState {
        guard api.capabilities.pagedTurns else {
            let snapshot = try await api.conversation(id: id)
            let turns = IncomingFilter.turns(snapshot.turns ?? [])
            return RemoteConversationState(conversation: snapshot.conversation, turns: turns.kept, refused: turns.refused)
        }
        // The messages listing answers conversation_not_found itself.
        let turns = try await allTurns(of: id)
        return RemoteConversationState(conversation: nil, turns: turns.kept, refused: turns.refused)
    }

    /// Every storable turn of a conversation, following the dialect's paging, deduplicated by
    /// id (a page that shifted under an insert repeats an item; the first sighting keeps its
    /// place), and how many turns were refused.
    /// - Throws: `RemoteError`; `SyncError` `protocolViolation` when a paging position repeats.
    func allTurns(of id: String) async throws -> (kept: [Turn], refused: Int) {
        var position = PagingPosition.start
        var paging = PagingGuard(from: .start, reading: "messages listing")
        var turns: [Turn] = []
        var seen = Set<String>()
        var refused = 0
        while true {
            let page = try await api.turns(of: id, from: position, pageSize: pageSize)
            try paging.check(total: page.total)
            let incoming = IncomingFilter.turns(page.items)
            refused += incoming.refused
            let before = turns.count
            for turn in incoming.kept where seen.insert(turn.id).inserted { turns.append(turn) }
            guard let next = page.next, !page.items.isEmpty else { return (turns, refused) }
            // Pages that stop bringing turns cannot be trusted to end: the messages are not
            // replaced on their word.
            guard try paging.advance(to: next, fresh: turns.count - before) == .go else { throw SyncError.endlessMessages }
            position = next
        }
    }
}

extension SyncError {
    /// A messages listing whose pages went on without bringing anything new.
    static let endlessMessages = SyncError(
        .protocolViolation, "the remote's message pages for a conversation go on without new messages: its messages were not replaced")
}
