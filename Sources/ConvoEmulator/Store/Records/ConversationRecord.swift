import GRDB

/// A conversation with every field any dialect exposes; times are Unix milliseconds.
struct ConversationRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "conversation"
    var id: String
    var tenantID: String
    var agentID: String
    var entityID: String
    var title: String?
    /// A JSON object, serialized.
    var metadata: String
    var source: String
    var sourceRefID: String?
    var maxContextLength: Int64?
    var createdAt: Int64
    var updatedAt: Int64
    var deletedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case id, tenantID = "tenant_id", agentID = "agent_id", entityID = "entity_id", title, metadata, source
        case sourceRefID = "source_ref_id", maxContextLength = "max_context_length"
        case createdAt = "created_at", updatedAt = "updated_at", deletedAt = "deleted_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let tenantID = Column(CodingKeys.tenantID)
        static let agentID = Column(CodingKeys.agentID)
        static let source = Column(CodingKeys.source)
        static let sourceRefID = Column(CodingKeys.sourceRefID)
        static let createdAt = Column(CodingKeys.createdAt)
        static let updatedAt = Column(CodingKeys.updatedAt)
        static let deletedAt = Column(CodingKeys.deletedAt)
    }
}
