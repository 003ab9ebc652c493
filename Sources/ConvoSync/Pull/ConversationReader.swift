import ConvoModel
import ConvoRemote

/// One conversation as the remote holds it now: what a refresh writes over the replica.
struct RemoteConversationState: Sendable, Hashable {
    /// The conversation's fields, or `nil` where the dialect's read does not carry them
    /// (v2 lists names but reads only messages): the replica keeps what the listing gave.
    var conversation: Conversation?
    /// Every turn, oldest first, deduplicated by id.
    var turns: [Turn]
}

/// Reads one conversation's full current state the way its dialect allows: a read by id
/// with messages (agentflow), or the paged messages listing (v2, knowrithm) plus the read by
/// id where it carries update times and tombstones (knowrithm).
///
/// A hard-deleted conversation surfaces as `RemoteError` `notFound` with `resource ==
/// .conversation` from its own read, the one proof of a hard delete (DIALECTS "Error codes").
struct ConversationReader: Sendable {
    let api: any RemoteAPI
    var pageSize = 100

    /// Whether the dialect can read one conversation at all (`turns` cannot: only listings).
    var canRead: Bool { api.capabilities.conversationRead }

    /// The conversation's current state.
    /// - Throws: `RemoteError`; `unsupported` where `canRead` is false.
    func read(_ id: String) async throws -> RemoteConversationState {
        let capabilities = api.capabilities
        guard capabilities.pagedTurns else {
            let snapshot = try await api.conversation(id: id)
            return RemoteConversationState(conversation: snapshot.conversation, turns: snapshot.turns ?? [])
        }
        // The messages listing answers conversation_not_found itself, so it goes first: a
        // deleted conversation costs one request.
        let turns = try await allTurns(of: id)
        let conversation = capabilities.updateTimes ? try await api.conversation(id: id).conversation : nil
        return RemoteConversationState(conversation: conversation, turns: turns)
    }

    /// Every turn of a conversation, following the dialect's paging, deduplicated by id (a
    /// page that shifted under an insert repeats an item; the first sighting keeps its place).
    func allTurns(of id: String) async throws -> [Turn] {
        var position = PagingPosition.start
        var turns: [Turn] = []
        var seen = Set<String>()
        while true {
            let page = try await api.turns(of: id, from: position, pageSize: pageSize)
            for turn in page.items where seen.insert(turn.id).inserted { turns.append(turn) }
            guard let next = page.next, !page.items.isEmpty, next != position else { return turns }
            position = next
        }
    }
}
