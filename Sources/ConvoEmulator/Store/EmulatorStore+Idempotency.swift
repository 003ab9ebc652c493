import Foundation
import GRDB

extension EmulatorStore {
    /// How long idempotency keys are kept.
    static let idempotencyRetentionMilliseconds: Int64 = 24 * 3600 * 1000

    /// The stored first response for a key, if it is still retained.
    func idempotencyRecord(tenantID: String, apiKey: String, key: String) async throws -> IdempotencyRecord? {
        let cutoff = now() - Self.idempotencyRetentionMilliseconds
        return try await database.write { db in
            try db.execute(sql: "DELETE FROM idempotency WHERE created_at < ?", arguments: [cutoff])
            return try IdempotencyRecord.fetchOne(db, key: ["tenant_id": tenantID, "api_key": apiKey, "key": key])
        }
    }

    /// Keeps the first response for a key; a concurrent first writer wins.
    func saveIdempotencyRecord(_ record: IdempotencyRecord) async throws {
        try await database.write { db in try record.insert(db, onConflict: .ignore) }
    }
}
