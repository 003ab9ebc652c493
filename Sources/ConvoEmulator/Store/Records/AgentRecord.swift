import GRDB

/// An agent of a tenant; conversations belong to one agent for life.
struct AgentRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "agent"
    var id: String
    var tenantID: String
    var name: String
    var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case id, tenantID = "tenant_id", name, createdAt = "created_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let tenantID = Column(CodingKeys.tenantID)
        static let name = Column(CodingKeys.name)
    }
}
