import Synchronization

/// Which agent each conversation belongs to, for dialects whose routes name both
/// (v2: `/agents/{aid}/conversations/{cid}/…`) while the port names only the conversation.
/// A conversation belongs to one agent for life (DIALECTS "Order and ownership"), so what
/// a listing or a create reported stays true.
public final class ConversationAgents: Sendable {
    private let agents = Mutex<[String: String]>([:])

    /// An empty directory.
    public init() {}

    /// Records that `conversationID` belongs to `agentID` (the engine seeds this from the
    /// replica; listings and creates record it too).
    public func remember(conversationID: String, agentID: String) {
        agents.withLock { $0[conversationID] = agentID }
    }

    /// The agent recorded for a conversation.
    public func agent(of conversationID: String) -> String? {
        agents.withLock { $0[conversationID] }
    }
}
