import GRDB

/// A tenant: the unit of isolation. Nothing of one tenant is visible to another.
struct TenantRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "tenant"
    var id: String
}
