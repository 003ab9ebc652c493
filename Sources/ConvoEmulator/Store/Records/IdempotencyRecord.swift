import Foundation
import GRDB

/// The first response to a request carrying an `Idempotency-Key`, kept to replay it.
struct IdempotencyRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "idempotency"
    var tenantID: String
    var apiKey: String
    var key: String
    var method: String
    var path: String
    /// A hash of the request body: a different body under the same key is a conflict.
    var bodyHash: String
    var status: Int64
    var contentType: String?
    var responseBody: Data
    var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case tenantID = "tenant_id", apiKey = "api_key", key, method, path, bodyHash = "body_hash", status
        case contentType = "content_type", responseBody = "response_body", createdAt = "created_at"
    }
}
