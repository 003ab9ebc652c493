import ConvoModel
import Foundation

/// A write made locally, applied to the replica at once and pushed to the remote later
/// (DESIGN, "Offline writes").
///
///     try await replica.enqueue(.sendMessage(text: "What changed in Q3?"), in: .remote("conv_1"),
///                               idempotencyKey: UUID().uuidString, at: Date())
public enum LocalWrite: Sendable, Hashable {
    /// Creates a conversation for `agentID`; it exists locally (no remote id) until pushed.
    case createConversation(agentID: String, title: String?, metadata: JSONValue?, maxContextLength: Int?)
    /// Sends a user message; the reply arrives when the op is pushed.
    case sendMessage(text: String)
    /// Sets the conversation's title.
    case rename(title: String)
    /// Asks the remote to title the conversation; nothing changes locally until it answers.
    case generateTitle(seedMessage: String?, force: Bool)
    /// Soft-deletes the conversation locally (hidden at once); the remote decides soft or hard.
    case deleteConversation
    /// Restores a deleted conversation.
    case restoreConversation
    /// Deletes one message.
    case deleteMessage(TurnRef)
    /// Restores one deleted message.
    case restoreMessage(TurnRef)
    /// Uploads a file; its bytes are staged under the replica's folder until pushed.
    case uploadFile(name: String, contentType: String, bytes: Data)

    /// The outbox `kind` column's value for this write.
    var kind: OutboxKind {
        switch self {
        case .createConversation: .createConversation
        case .sendMessage: .sendMessage
        case .rename: .rename
        case .generateTitle: .generateTitle
        case .deleteConversation: .deleteConversation
        case .restoreConversation: .restoreConversation
        case .deleteMessage: .deleteMessage
        case .restoreMessage: .restoreMessage
        case .uploadFile: .uploadFile
        }
    }
}

/// The outbox's `kind` values, as the schema's CHECK lists them.
enum OutboxKind: String, Sendable, CaseIterable {
    case createConversation = "create_conversation"
    case sendMessage = "send_message"
    case rename
    case generateTitle = "generate_title"
    case deleteConversation = "delete_conversation"
    case restoreConversation = "restore_conversation"
    case deleteMessage = "delete_message"
    case restoreMessage = "restore_message"
    case uploadFile = "upload_file"
}

/// What ``Replica/enqueue(_:in:idempotencyKey:at:)`` wrote.
public struct EnqueuedWrite: Sendable, Hashable {
    /// The outbox op's id (its push order).
    public var opID: Int64
    /// The local key of the conversation the write belongs to (new for a create).
    public var conversationLocalID: Int64
    /// For a sent message: the local key of the user turn it added.
    public var turnLocalID: Int64?

    /// Makes a result.
    public init(opID: Int64, conversationLocalID: Int64, turnLocalID: Int64?) {
        self.opID = opID
        self.conversationLocalID = conversationLocalID
        self.turnLocalID = turnLocalID
    }
}

/// What the remote answered to a pushed op, for ``Replica/completeOutboxOp(_:with:)``.
///
///     try await replica.completeOutboxOp(op.id, with: OutboxCompletion(
///         conversationID: created.id, conversation: state.conversation ?? created, turns: state.turns))
public struct OutboxCompletion: Sendable, Hashable {
    /// The conversation's remote id; required to complete a create, else taken from the replica.
    public var conversationID: String?
    /// The conversation's fields as the remote now holds them, where known.
    public var conversation: Conversation?
    /// Every turn of the conversation as the remote now holds it (replace semantics), where known.
    /// The op's local turns adopt the remote ids of the matching remote turns.
    public var turns: [Turn]?
    /// The remote deleted the conversation for good (a hard delete): mark it purged.
    public var purged: Bool
    /// The files an upload made, as the remote lists them.
    public var files: [RemoteFileRecord]
    /// A sent message's remote user turn among `turns`, where the pusher identified it
    /// (``Replica/sentTurn(ofOp:among:)``): the op's local turn adopts exactly that one, and
    /// its reply the assistant turn after it. `nil`: the completion finds it by text.
    public var sentTurnID: String?

    /// Makes a completion; by default it changes nothing but removing the op.
    public init(
        conversationID: String? = nil, conversation: Conversation? = nil, turns: [Turn]? = nil, purged: Bool = false,
        files: [RemoteFileRecord] = [], sentTurnID: String? = nil
    ) {
        self.conversationID = conversationID
        self.conversation = conversation
        self.turns = turns
        self.purged = purged
        self.files = files
        self.sentTurnID = sentTurnID
    }
}

/// A file the remote holds for a conversation, as the replica's `file` table records it.
public struct RemoteFileRecord: Sendable, Hashable {
    /// The remote's unique key (v2 `file_ref`).
    public var ref: String
    /// Free text from whoever uploaded it: never a path.
    public var name: String
    /// The media type the remote reports.
    public var contentType: String?
    /// The file's length in bytes.
    public var size: Int64?
    /// `true` for an uploaded (input) file, `false` for one the conversation produced.
    public var isInput: Bool

    /// Makes a file record.
    public init(ref: String, name: String, contentType: String?, size: Int64?, isInput: Bool) {
        self.ref = ref
        self.name = name
        self.contentType = contentType
        self.size = size
        self.isInput = isInput
    }
}
