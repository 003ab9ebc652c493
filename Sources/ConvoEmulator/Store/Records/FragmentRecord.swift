import GRDB

/// One ordered piece of a message's content.
struct FragmentRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "fragment"
    var messageID: String
    var position: Int64
    /// `text` today; kept open.
    var kind: String
    var content: String
    /// `in-progress` or `done`.
    var state: String
    /// A JSON object, serialized, or nil.
    var metadata: String?

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id", position, kind, content, state, metadata
    }

    enum Columns {
        static let messageID = Column(CodingKeys.messageID)
        static let position = Column(CodingKeys.position)
    }
}
