import ConvoModel
import Foundation
import GRDB

/// A local write waiting for the remote, as listed by ``Replica/pendingOutbox()`` and
/// ``Replica/outboxQueue()``.
///
/// The engine pushes ops in order per conversation, each with its idempotency key
/// (DESIGN, "Offline writes"); a failed op keeps the user's payload and the reason.
public struct OutboxOp: Sendable, Hashable {
    /// Whether the op still waits or was refused for good.
    public enum State: String, Sendable, Hashable, CaseIterable {
        case pending
        case failed
    }

    /// The op's local id; ops run in this order within a conversation.
    public var id: Int64
    /// The local key of the conversation the op belongs to.
    public var conversationLocalID: Int64
    /// The conversation's remote id, `nil` while its create has not reached the remote.
    public var conversationID: String?
    /// What the op does: `create_conversation`, `send_message`, `rename`, `generate_title`,
    /// `delete_conversation`, `restore_conversation`, `delete_message`, `restore_message` or `upload_file`.
    public var kind: String
    /// The op's arguments as the engine recorded them.
    public var payload: JSONValue
    /// The `Idempotency-Key` sent with every attempt.
    public var idempotencyKey: String
    /// `pending` until pushed, `failed` once refused for good.
    public var state: State
    /// How many times the op was tried.
    public var attempts: Int
    /// Why the last attempt failed, in the server's words.
    public var lastError: String?
    /// When the op was recorded locally.
    public var createdAt: Date
    /// The write, decoded from the payload; `nil` for a payload this module did not write,
    /// or an upload whose staged bytes are gone (such an op cannot be pushed). A message
    /// delete or restore names its turn by local key (``TurnRef/local(_:)``), whatever the
    /// caller named it by; an upload holds the staged bytes.
    public var write: LocalWrite?
    /// The local key of the turn the op concerns: a sent message's user turn, or the turn a
    /// message delete or restore names.
    public var turnLocalID: Int64?
    /// That turn's remote id, `nil` while it exists only locally.
    public var turnRemoteID: String?
    /// The agent the conversation belongs to, as the replica knows it.
    public var agentID: String?
    /// When the remote was known to have received the op although its answer did not arrive
    /// whole (``Replica/markOutboxOpDelivered(_:at:)``): a retry must read, not write again.
    public var deliveredAt: Date?
}

/// One row of `outbox`.
struct OutboxRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "outbox"

    var id: Int64?
    var conversationID: Int64
    var kind: String
    var payload: String
    var idempotencyKey: String
    var state: String
    var attempts: Int64
    var lastError: String?
    var createdAt: Int64
    var deliveredAt: Int64?

    enum CodingKeys: String, CodingKey {
        case id
        case conversationID = "conversation_id"
        case kind, payload
        case idempotencyKey = "idempotency_key"
        case state, attempts
        case lastError = "last_error"
        case createdAt = "created_at"
        case deliveredAt = "delivered_at"
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}
