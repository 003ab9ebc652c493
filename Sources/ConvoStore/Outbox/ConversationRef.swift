/// How a caller names a conversation that may exist only locally.
///
/// A conversation created offline has no remote id until its create reaches the remote;
/// its local key (``ConversationSummary/localID``) names it from the start and never changes.
///
///     let written = try await replica.enqueue(.createConversation(agentID: "agent_1", title: "Plan"),
///                                             in: nil, idempotencyKey: key, at: Date())
///     let detail = try await replica.conversation(.local(written.conversationLocalID))
public enum ConversationRef: Sendable, Hashable {
    /// The replica's stable local key.
    case local(Int64)
    /// The remote's id.
    case remote(String)
}

/// How a caller names a turn that may exist only locally (a message sent offline).
///
/// A turn's local key is listed per turn in ``ConversationDetail/turnLocalIDs`` and never
/// changes when its remote id arrives.
public enum TurnRef: Sendable, Hashable {
    /// The replica's stable local key.
    case local(Int64)
    /// The remote's id.
    case remote(String)
}
