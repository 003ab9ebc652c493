import ConvoModel
import ConvoRemote
import ConvoStore

/// Infers remote hard deletes after a completed full pass (DESIGN "Full pass with
/// mark-and-sweep"): the scope's conversations the pass did not stamp are candidates. Where
/// the dialect can read one conversation, each candidate is confirmed by its own read (a
/// `conversation_not_found` is the only proof; one still there was missed by a shifting page
/// and is applied instead). Where it cannot (`turns`), only a consistent pass purges.
struct Sweeper: Sendable {
    let context: PullContext

    /// Returns how many conversations were purged.
    func sweep(_ scope: ListingScope, after outcome: PassOutcome) async throws -> Int {
        let candidates = try await context.replica.unseenConversations(pass: outcome.generation, agentID: scope.agentID)
        guard !candidates.isEmpty else { return 0 }
        guard context.reader.canRead else {
            guard outcome.consistent else { return 0 }
            try await context.replica.applyListingPage([], purged: candidates, pass: nil, syncState: nil)
            return candidates.count
        }
        var gone: [String] = []
        for id in candidates {
            do {
                // knowrithm and v2 read only messages: a 200 proves it is there; the listing
                // that missed it (a shifted page) gives its fields on a later pass.
                let state = try await context.remote { try await context.reader.read(id) }
                if let conversation = state.conversation {
                    let snapshot = ConversationSnapshot(conversation: conversation, turns: nil)
                    let item = ListedConversation(
                        conversation: conversation, turns: .replace(state.turns),
                        changeToken: ChangeToken.of(snapshot, capabilities: context.capabilities))
                    try await context.replica.applyListingPage([item], pass: outcome.generation, syncState: nil)
                }
            } catch let error as SyncError where error.remote?.isConversationNotFound == true {
                gone.append(id)
            }
        }
        if !gone.isEmpty {
            try await context.replica.applyListingPage([], purged: gone, pass: nil, syncState: nil)
        }
        return gone.count
    }
}
