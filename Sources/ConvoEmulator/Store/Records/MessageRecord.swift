import GRDB

/// A message (turn) of a conversation, in `ordinal` order; its text lives in fragments.
struct MessageRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "message"
    var id: String
    var conversationID: String
    var ordinal: Int64
    /// `user` or `assistant`.
    var role: String
    var createdAt: Int64
    /// `in-progress`, `done`, `stopped` or `error`.
    var state: String
    var errorDetail: String?
    var inReplyTo: String?
    var deletedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case id, conversationID = "conversation_id", ordinal, role, createdAt = "created_at", state
        case errorDetail = "error_detail", inReplyTo = "in_reply_to", deletedAt = "deleted_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let conversationID = Column(CodingKeys.conversationID)
        static let ordinal = Column(CodingKeys.ordinal)
        static let deletedAt = Column(CodingKeys.deletedAt)
    }
}
