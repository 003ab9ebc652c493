import ConvoModel
import Foundation
import GRDB

/// One row of `data_frame`: a data frame of a conversation and, once fetched, its rows.
struct DataFrameRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "data_frame"

    var id: Int64?
    var conversationID: Int64
    var name: String
    /// A JSON array of column names.
    var columns: String
    var rowCount: Int64?
    /// A JSON array of rows (each an array in column order): every row of the frame, or `nil`.
    var cachedRows: String?
    var cachedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case id
        case conversationID = "conversation_id"
        case name, columns
        case rowCount = "row_count"
        case cachedRows = "cached_rows"
        case cachedAt = "cached_at"
    }

    enum Columns {
        static let conversationID = Column(CodingKeys.conversationID)
        static let name = Column(CodingKeys.name)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The frame named `name` in the conversation with local key `conversationID`.
    /// None for a name holding NUL (SQLite would compare only the text before it).
    static func fetch(name: String, conversationID: Int64, _ db: Database) throws -> DataFrameRecord? {
        guard !name.contains("\u{0}") else { return nil }
        return try DataFrameRecord.filter(Columns.conversationID == conversationID && Columns.name == name).fetchOne(db)
    }

    /// The column names.
    func columnNames() throws -> [String] {
        guard let names = try? JSONText.decoder.decode([String].self, from: Data(columns.utf8)) else {
            throw StoreError(.database, "the data_frame column columns holds an unexpected value")
        }
        return names
    }

    /// The cached rows, `nil` when none are cached.
    func rows() throws -> [[JSONValue]]? {
        guard let cachedRows else { return nil }
        guard let rows = try? JSONText.decoder.decode([[JSONValue]].self, from: Data(cachedRows.utf8)) else {
            throw StoreError(.database, "the data_frame column cached_rows holds an unexpected value")
        }
        return rows
    }

    /// The public value, given the conversation's remote id.
    func stored(conversationID remoteID: String) throws -> StoredDataFrame {
        StoredDataFrame(
            name: name, conversationID: remoteID, columns: try columnNames(), rowCount: rowCount.map { Int($0) },
            rowsCached: cachedRows != nil, cachedAt: cachedAt.map { Timestamp.date(milliseconds: $0) })
    }
}
