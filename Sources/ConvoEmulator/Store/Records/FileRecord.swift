import Foundation
import GRDB

/// A file a conversation holds: uploaded (`input`) or produced by the agent (`output`).
struct FileRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "file"
    var fileRef: String
    var conversationID: String
    /// Untrusted free text, never a path.
    var name: String
    var contentType: String
    var direction: String
    var bytes: Data
    var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case fileRef = "file_ref", conversationID = "conversation_id", name, contentType = "content_type"
        case direction, bytes, createdAt = "created_at"
    }

    enum Columns {
        static let fileRef = Column(CodingKeys.fileRef)
        static let conversationID = Column(CodingKeys.conversationID)
        static let createdAt = Column(CodingKeys.createdAt)
    }
}
