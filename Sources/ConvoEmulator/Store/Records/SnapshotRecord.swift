import GRDB

/// A durable snapshot of one conversation as agentflow's GET renders it, with its watch id.
struct SnapshotRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "snapshot"
    var conversationID: String
    /// Increasing per conversation, starting at 1.
    var id: Int64
    /// The serialized conversation.
    var body: String

    enum CodingKeys: String, CodingKey {
        case conversationID = "conversation_id", id, body
    }

    enum Columns {
        static let conversationID = Column(CodingKeys.conversationID)
        static let id = Column(CodingKeys.id)
    }
}
