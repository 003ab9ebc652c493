import ConvoModel
import Foundation
import GRDB

/// One row of `sync_state`.
struct SyncStateRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "sync_state"

    var scope: String
    var cursor: String?
    var pageOffset: Int64?
    var passGeneration: Int64?
    var highWaterMark: Int64?
    var lastEventID: String?
    var updatedAt: Int64

    enum CodingKeys: String, CodingKey {
        case scope, cursor
        case pageOffset = "page_offset"
        case passGeneration = "pass_generation"
        case highWaterMark = "high_water_mark"
        case lastEventID = "last_event_id"
        case updatedAt = "updated_at"
    }

    var syncState: SyncState {
        SyncState(
            scope: scope, cursor: cursor, offset: pageOffset, passGeneration: passGeneration,
            highWaterMark: highWaterMark.map(Timestamp.date), lastEventID: lastEventID,
            updatedAt: Timestamp.date(milliseconds: updatedAt))
    }

    /// Applies `update` to the stored row (or a new one) in the caller's transaction.
    static func apply(_ update: SyncStateUpdate, now: Date, _ db: Database) throws {
        // Cached statements: v2 writes one scope a conversation (its tail position), and a
        // query built anew each time, and a record's generic save, cost more than the write.
        var record = try SyncStateRecord.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM sync_state WHERE scope = ?"), arguments: [update.scope])
            ?? SyncStateRecord(scope: update.scope, updatedAt: Timestamp.milliseconds(now))
        if case .set(let value) = update.cursor { record.cursor = value }
        if case .set(let value) = update.offset { record.pageOffset = value }
        if case .set(let value) = update.passGeneration { record.passGeneration = value }
        if case .set(let value) = update.highWaterMark { record.highWaterMark = value.map(Timestamp.milliseconds) }
        if case .set(let value) = update.lastEventID { record.lastEventID = value }
        record.updatedAt = Timestamp.milliseconds(now)
        try db.cachedStatement(
            sql: """
                INSERT INTO sync_state (scope, cursor, page_offset, pass_generation, high_water_mark, last_event_id, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (scope) DO UPDATE SET cursor = excluded.cursor, page_offset = excluded.page_offset,
                    pass_generation = excluded.pass_generation, high_water_mark = excluded.high_water_mark,
                    last_event_id = excluded.last_event_id, updated_at = excluded.updated_at
                """
        ).execute(arguments: [
            record.scope, record.cursor, record.pageOffset, record.passGeneration, record.highWaterMark, record.lastEventID,
            record.updatedAt,
        ])
    }
}
