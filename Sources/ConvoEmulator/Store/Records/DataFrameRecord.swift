import GRDB

/// A table a conversation produced: named columns and rows of JSON cells.
struct DataFrameRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "data_frame"
    var conversationID: String
    var name: String
    /// A JSON array of column names, serialized.
    var columns: String
    /// A JSON array of rows (arrays of cells), serialized.
    var rows: String
    var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case conversationID = "conversation_id", name, columns, rows, createdAt = "created_at"
    }

    enum Columns {
        static let conversationID = Column(CodingKeys.conversationID)
        static let name = Column(CodingKeys.name)
    }
}
