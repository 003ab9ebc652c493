import Foundation
import GRDB

extension EmulatorStore {
    /// A conversation's files, oldest first.
    func files(conversationID: String, tenantID: String) async throws -> [FileRecord] {
        try await database.read { db in
            _ = try Self.conversation(db, conversationID, tenantID: tenantID)
            return try FileRecord.filter(FileRecord.Columns.conversationID == conversationID)
                .order(FileRecord.Columns.createdAt, FileRecord.Columns.fileRef).fetchAll(db)
        }
    }

    /// One file of a conversation.
    ///
    /// - Throws: `conversation_not_found`, `file_not_found`.
    func file(_ fileRef: String, conversationID: String, tenantID: String) async throws -> FileRecord {
        try await database.read { db in
            _ = try Self.conversation(db, conversationID, tenantID: tenantID)
            guard let file = try FileRecord.fetchOne(db, key: fileRef), file.conversationID == conversationID else {
                throw EmulatorError(.fileNotFound, "no file \(BodyReader.printable(fileRef))")
            }
            return file
        }
    }

    /// A conversation's data frames, by name.
    func dataFrames(conversationID: String, tenantID: String) async throws -> [DataFrame] {
        try await database.read { db in
            _ = try Self.conversation(db, conversationID, tenantID: tenantID)
            return try DataFrameRecord.filter(DataFrameRecord.Columns.conversationID == conversationID)
                .order(DataFrameRecord.Columns.name).fetchAll(db).map(DataFrame.init)
        }
    }

    /// One data frame of a conversation.
    ///
    /// - Throws: `conversation_not_found`, `data_frame_not_found`.
    func dataFrame(_ name: String, conversationID: String, tenantID: String) async throws -> DataFrame {
        try await database.read { db in
            _ = try Self.conversation(db, conversationID, tenantID: tenantID)
            guard let record = try DataFrameRecord.fetchOne(db, key: ["conversation_id": conversationID, "name": name]) else {
                throw EmulatorError(.dataFrameNotFound, "no data frame \(BodyReader.printable(name))")
            }
            return DataFrame(record)
        }
    }

    /// The snapshots of a conversation after `id` (all retained ones when nil), oldest first.
    func snapshots(conversationID: String, after id: Int64?) async throws -> [SnapshotRecord] {
        try await database.read { db in
            try SnapshotRecord.filter(SnapshotRecord.Columns.conversationID == conversationID)
                .filter(SnapshotRecord.Columns.id > (id ?? 0))
                .order(SnapshotRecord.Columns.id).fetchAll(db)
        }
    }

    /// The lowest and highest retained snapshot ids of a conversation.
    func snapshotRange(conversationID: String) async throws -> (oldest: Int64, latest: Int64)? {
        try await database.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT MIN(id), MAX(id) FROM snapshot WHERE conversation_id = ?", arguments: [conversationID])
            guard let row, let oldest: Int64 = row[0], let latest: Int64 = row[1] else { return nil }
            return (oldest, latest)
        }
    }
}

/// A data frame decoded from its record.
struct DataFrame: Sendable {
    var name: String
    var columns: [String]
    var rows: [[JSON]]

    init(_ record: DataFrameRecord) {
        name = record.name
        let columnsJSON = (try? JSON.parse(Data(record.columns.utf8))) ?? .array([])
        columns = (columnsJSON.arrayValue ?? []).compactMap(\.stringValue)
        let rowsJSON = (try? JSON.parse(Data(record.rows.utf8))) ?? .array([])
        rows = (rowsJSON.arrayValue ?? []).map { $0.arrayValue ?? [] }
    }
}
