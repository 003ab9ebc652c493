import ConvoModel
import Foundation
import GRDB

/// One row of `conversation`: a remote conversation's fields plus tombstones and sync bookkeeping.
struct ConversationRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "conversation"

    var id: Int64?
    var remoteID: String?
    var agentID: String?
    var title: String?
    var metadata: String?
    var source: String?
    var sourceRefID: String?
    var messageCount: Int64?
    var maxContextLength: Int64?
    var createdAt: Int64?
    var updatedAt: Int64?
    var deletedAt: Int64?
    var purgedAt: Int64?
    var lastSeenPass: Int64?
    var contentHash: String?

    enum CodingKeys: String, CodingKey {
        case id
        case remoteID = "remote_id"
        case agentID = "agent_id"
        case title, metadata, source
        case sourceRefID = "source_ref_id"
        case messageCount = "message_count"
        case maxContextLength = "max_context_length"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case deletedAt = "deleted_at"
        case purgedAt = "purged_at"
        case lastSeenPass = "last_seen_pass"
        case contentHash = "content_hash"
    }


    /// Reads the row's columns in one pass, skipping `Decodable`'s keyed-container machinery
    /// and GRDB's per-name column search: listings decode fifty of these per page.
    init(row: Row) throws {
        for (column, value) in row {
            switch column {
            case CodingKeys.id.rawValue: id = try Self.decoded(value, column)
            case CodingKeys.remoteID.rawValue: remoteID = try Self.decoded(value, column)
            case CodingKeys.agentID.rawValue: agentID = try Self.decoded(value, column)
            case CodingKeys.title.rawValue: title = try Self.decoded(value, column)
            case CodingKeys.metadata.rawValue: metadata = try Self.decoded(value, column)
            case CodingKeys.source.rawValue: source = try Self.decoded(value, column)
            case CodingKeys.sourceRefID.rawValue: sourceRefID = try Self.decoded(value, column)
            case CodingKeys.messageCount.rawValue: messageCount = try Self.decoded(value, column)
            case CodingKeys.maxContextLength.rawValue: maxContextLength = try Self.decoded(value, column)
            case CodingKeys.createdAt.rawValue: createdAt = try Self.decoded(value, column)
            case CodingKeys.updatedAt.rawValue: updatedAt = try Self.decoded(value, column)
            case CodingKeys.deletedAt.rawValue: deletedAt = try Self.decoded(value, column)
            case CodingKeys.purgedAt.rawValue: purgedAt = try Self.decoded(value, column)
            case CodingKeys.lastSeenPass.rawValue: lastSeenPass = try Self.decoded(value, column)
            case CodingKeys.contentHash.rawValue: contentHash = try Self.decoded(value, column)
            default: continue
            }
        }
    }

    /// A nullable column's value; a value of another type (a row not written by this module) is an error.
    private static func decoded<Value: DatabaseValueConvertible>(_ value: DatabaseValue, _ column: String) throws -> Value? {
        if value.isNull { return nil }
        guard let decoded = Value.fromDatabaseValue(value) else {
            throw StoreError(.database, "the conversation column \(column) holds a value of an unexpected type")
        }
        return decoded
    }

    /// Writes the columns directly, skipping `Encodable`'s container machinery.
    func encode(to container: inout PersistenceContainer) {
        container[CodingKeys.id.rawValue] = id
        container[CodingKeys.remoteID.rawValue] = remoteID
        container[CodingKeys.agentID.rawValue] = agentID
        container[CodingKeys.title.rawValue] = title
        container[CodingKeys.metadata.rawValue] = metadata
        container[CodingKeys.source.rawValue] = source
        container[CodingKeys.sourceRefID.rawValue] = sourceRefID
        container[CodingKeys.messageCount.rawValue] = messageCount
        container[CodingKeys.maxContextLength.rawValue] = maxContextLength
        container[CodingKeys.createdAt.rawValue] = createdAt
        container[CodingKeys.updatedAt.rawValue] = updatedAt
        container[CodingKeys.deletedAt.rawValue] = deletedAt
        container[CodingKeys.purgedAt.rawValue] = purgedAt
        container[CodingKeys.lastSeenPass.rawValue] = lastSeenPass
        container[CodingKeys.contentHash.rawValue] = contentHash
    }

    /// The insert of a new row, every column but the key: the page writer runs it through one
    /// prepared statement a page instead of `insert(_:)`'s per-call statement building (a hot
    /// path of imports).
    static let insertSQL = """
        INSERT INTO conversation (remote_id, agent_id, title, metadata, source, source_ref_id, message_count,
            max_context_length, created_at, updated_at, deleted_at, purged_at, last_seen_pass, content_hash)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// The values of ``insertSQL``, in its order.
    var insertValues: [DatabaseValue] {
        [
            remoteID.databaseValue, agentID.databaseValue, title.databaseValue, metadata.databaseValue,
            source.databaseValue, sourceRefID.databaseValue, messageCount.databaseValue, maxContextLength.databaseValue,
            createdAt.databaseValue, updatedAt.databaseValue, deletedAt.databaseValue, purgedAt.databaseValue,
            lastSeenPass.databaseValue, contentHash.databaseValue,
        ]
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The row with this remote id. A cached statement: sync and import call this per row.
    static func fetch(remoteID: String, _ db: Database) throws -> ConversationRecord? {
        try ConversationRecord.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM conversation WHERE remote_id = ?"), arguments: [remoteID])
    }

    /// A record holding `conversation`'s remote fields; bookkeeping columns are left `nil`.
    init(_ conversation: Conversation) throws {
        remoteID = conversation.id
        agentID = conversation.agentID
        title = conversation.title.map(StoredText.keepable)
        metadata = conversation.metadata.map(JSONText.encode)
        source = conversation.source
        sourceRefID = conversation.sourceRefID
        messageCount = conversation.messageCount.map(Int64.init)
        maxContextLength = conversation.maxContextLength.map(Int64.init)
        createdAt = conversation.createdAt.map(Timestamp.milliseconds)
        updatedAt = conversation.updatedAt.map(Timestamp.milliseconds)
        deletedAt = conversation.deletedAt.map(Timestamp.milliseconds)
    }

    /// The canonical value; a local-only conversation (no remote id) gets an empty id.
    func conversation() -> Conversation {
        Conversation(
            id: remoteID ?? "", agentID: agentID, title: title, metadata: metadata.flatMap(JSONText.decode),
            source: source, sourceRefID: sourceRefID, messageCount: messageCount.map { Int($0) },
            maxContextLength: maxContextLength.map { Int($0) }, createdAt: createdAt.map(Timestamp.date),
            updatedAt: updatedAt.map(Timestamp.date), deletedAt: deletedAt.map(Timestamp.date))
    }
}

/// JSON stored as TEXT: compact, with sorted keys, so equal values give equal text.
enum JSONText {
    /// One encoder and one decoder for the Codable rows (JSONL lines, data frames): making them
    /// costs more than a small value's coding. Their settings never change after this, so
    /// sharing them is safe.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
    static let decoder = JSONDecoder()

    /// The value's canonical text (``JSONValue/canonicalText``), written in one pass: every
    /// page's metadata goes through here, and `JSONEncoder` cost a quarter of the page writes.
    /// Texts stored by the encoder it replaced may order keys or spell numbers otherwise; such
    /// a row is rewritten once, the next time its turns are read.
    static func encode(_ value: JSONValue) -> String {
        value.canonicalText
    }

    /// The stored value, read in one pass (`nil` for text that is not JSON).
    static func decode(_ text: String) -> JSONValue? {
        try? JSONValue.parse(text)
    }
}
