import ConvoModel
import GRDB

/// The `account` table's single row: the binding recorded when the replica was created.
struct AccountRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "account"

    var id: Int64 = 1
    var baseURL: String
    var tenant: String?
    var dialect: String
    var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case id
        case baseURL = "base_url"
        case tenant
        case dialect
        case createdAt = "created_at"
    }

    /// The binding, or `nil` when the stored dialect is unknown to this build.
    var binding: AccountBinding? {
        Dialect(rawValue: dialect).map { AccountBinding(baseURL: baseURL, tenant: tenant, dialect: $0) }
    }
}
