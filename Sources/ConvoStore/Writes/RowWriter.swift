import ConvoModel
import Foundation
import GRDB

/// The writes outside a page, inside the caller's transaction: recording a purge, and finding
/// the cached files a delete leaves behind. Rows themselves are written by ``PageWriter``.
enum RowWriter {
    /// Records an observed hard delete of the conversation with this remote id (see
    /// ``purge(_:at:_:)``). Unknown or already purged: no-op.
    static func purge(remoteID: String, at millis: Int64, _ db: Database) throws -> [String] {
        guard let existing = try ConversationRecord.fetch(remoteID: remoteID, db) else { return [] }
        return try purge(existing, at: millis, db)
    }

    /// Records an observed hard delete of `existing`: drops its turns, files, data frames, title
    /// and metadata and sets `purged_at`. Idempotent. Returns the cached file paths to remove.
    static func purge(_ existing: ConversationRecord, at millis: Int64, _ db: Database) throws -> [String] {
        guard existing.purgedAt == nil, let localID = existing.id else { return [] }
        let paths = try cachedPaths(conversationIDs: "?", arguments: [localID], db)
        try db.execute(sql: "DELETE FROM turn WHERE conversation_id = ?", arguments: [localID])
        try db.execute(sql: "DELETE FROM file WHERE conversation_id = ?", arguments: [localID])
        try db.execute(sql: "DELETE FROM data_frame WHERE conversation_id = ?", arguments: [localID])
        var updated = existing
        updated.purgedAt = millis
        updated.title = nil
        updated.metadata = nil
        updated.messageCount = nil
        updated.contentHash = nil
        try updated.updateChanges(db, from: existing)
        return paths
    }

    /// The cached file paths (relative to the replica folder) of the given conversations' files.
    static func cachedPaths(conversationIDs sql: String, arguments: StatementArguments, _ db: Database) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT cached_path FROM file WHERE cached_path IS NOT NULL AND conversation_id IN (\(sql))",
            arguments: arguments)
    }
}

extension Replica {
    /// Removes cached file bytes after the rows naming them were deleted; best effort,
    /// and only below the replica's folder (the schema refuses absolute and `..` paths).
    func removeCachedFiles(_ relativePaths: [String]) {
        let folder = self.folder.standardizedFileURL
        for relative in relativePaths {
            let url = folder.appendingPathComponent(relative).standardizedFileURL
            guard url.path.hasPrefix(folder.path + "/") else { continue }
            try? FileManager.default.removeItem(at: url)
        }
    }
}
