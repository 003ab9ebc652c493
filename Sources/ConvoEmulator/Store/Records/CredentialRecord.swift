import GRDB

/// An API key of a tenant; knowrithm also needs its secret. One credential is one entity.
struct CredentialRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "credential"
    var apiKey: String
    var tenantID: String
    var secret: String
    var entityID: String

    enum CodingKeys: String, CodingKey {
        case apiKey = "api_key", tenantID = "tenant_id", secret, entityID = "entity_id"
    }
}
