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
        title = conversation.title
        metadata = try conversation.metadata.map(JSONText.encode)
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

/// JSON stored as TEXT: encoded with sorted keys so equal values give equal text.
enum JSONText {
    static func encode(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}
