import ConvoModel
import Foundation
import GRDB

/// One row of `file`: a file of a conversation and, once fetched, where its bytes are cached.
struct FileRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "file"

    var id: Int64?
    var conversationID: Int64
    var fileRef: String
    var name: String
    var contentType: String?
    var size: Int64?
    var direction: String
    var cachedPath: String?
    var cachedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case id
        case conversationID = "conversation_id"
        case fileRef = "file_ref"
        case name
        case contentType = "content_type"
        case size, direction
        case cachedPath = "cached_path"
        case cachedAt = "cached_at"
    }

    enum Columns {
        static let conversationID = Column(CodingKeys.conversationID)
        static let fileRef = Column(CodingKeys.fileRef)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The row with this `file_ref`; none for a ref holding NUL (SQLite would compare only
    /// the text before it, and find another file).
    static func fetch(ref: String, _ db: Database) throws -> FileRecord? {
        guard !ref.contains("\u{0}") else { return nil }
        return try FileRecord.filter(Columns.fileRef == ref).fetchOne(db)
    }

    /// The public value, given the conversation's remote id and the folder cached paths are relative to.
    func stored(conversationID remoteID: String, folder: URL) throws -> StoredFile {
        guard let direction = FileDirection(rawValue: direction) else {
            throw StoreError(.database, "the file column direction holds an unexpected value")
        }
        return StoredFile(
            ref: fileRef, conversationID: remoteID, name: name, contentType: contentType, size: size,
            direction: direction, cachedPath: cachedPath,
            cachedURL: cachedPath.map { ContentFolder.url(ofCachedPath: $0, in: folder) },
            cachedAt: cachedAt.map { Timestamp.date(milliseconds: $0) })
    }
}
