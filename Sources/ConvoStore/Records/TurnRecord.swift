import ConvoModel
import GRDB

/// One row of `turn`: a message of a conversation, ordered by `ordinal`.
struct TurnRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "turn"

    var id: Int64?
    var remoteID: String?
    var conversationID: Int64
    var ordinal: Int64
    var role: String
    var timestamp: Int64?
    var state: String?
    var errorDetail: String?
    var inReplyTo: String?
    var deletedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case id
        case remoteID = "remote_id"
        case conversationID = "conversation_id"
        case ordinal, role, timestamp, state
        case errorDetail = "error_detail"
        case inReplyTo = "in_reply_to"
        case deletedAt = "deleted_at"
    }


    /// Reads the columns by name, skipping `Decodable`'s keyed-container machinery:
    /// detail reads, exports and imports decode turns in hot loops.
    init(row: Row) throws {
        id = try row.decode(forColumn: CodingKeys.id.rawValue)
        remoteID = try row.decode(forColumn: CodingKeys.remoteID.rawValue)
        conversationID = try row.decode(forColumn: CodingKeys.conversationID.rawValue)
        ordinal = try row.decode(forColumn: CodingKeys.ordinal.rawValue)
        role = try row.decode(forColumn: CodingKeys.role.rawValue)
        timestamp = try row.decode(forColumn: CodingKeys.timestamp.rawValue)
        state = try row.decode(forColumn: CodingKeys.state.rawValue)
        errorDetail = try row.decode(forColumn: CodingKeys.errorDetail.rawValue)
        inReplyTo = try row.decode(forColumn: CodingKeys.inReplyTo.rawValue)
        deletedAt = try row.decode(forColumn: CodingKeys.deletedAt.rawValue)
    }

    /// Writes the columns directly, skipping `Encodable`'s container machinery.
    func encode(to container: inout PersistenceContainer) {
        container[CodingKeys.id.rawValue] = id
        container[CodingKeys.remoteID.rawValue] = remoteID
        container[CodingKeys.conversationID.rawValue] = conversationID
        container[CodingKeys.ordinal.rawValue] = ordinal
        container[CodingKeys.role.rawValue] = role
        container[CodingKeys.timestamp.rawValue] = timestamp
        container[CodingKeys.state.rawValue] = state
        container[CodingKeys.errorDetail.rawValue] = errorDetail
        container[CodingKeys.inReplyTo.rawValue] = inReplyTo
        container[CodingKeys.deletedAt.rawValue] = deletedAt
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    /// The row with this remote id. A cached statement: sync and import call this per row.
    static func fetch(remoteID: String, _ db: Database) throws -> TurnRecord? {
        try TurnRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM turn WHERE remote_id = ?"), arguments: [remoteID])
    }

    init(_ turn: Turn, conversationID: Int64, ordinal: Int64) {
        remoteID = turn.id
        self.conversationID = conversationID
        self.ordinal = ordinal
        role = turn.role.rawValue
        timestamp = turn.timestamp.map(Timestamp.milliseconds)
        state = turn.state?.rawValue
        errorDetail = turn.errorDetail.map(StoredText.keepable)
        inReplyTo = turn.inReplyTo
        deletedAt = turn.deletedAt.map(Timestamp.milliseconds)
    }

    /// The canonical value with the given fragments. The schema's CHECKs keep role and
    /// state inside the enums, so the fallbacks never apply to a replica we wrote.
    func turn(fragments: [Fragment]) -> Turn {
        Turn(
            id: remoteID ?? "", role: Role(rawValue: role) ?? .user, timestamp: timestamp.map(Timestamp.date),
            state: state.flatMap(TurnState.init(rawValue:)), errorDetail: errorDetail, inReplyTo: inReplyTo,
            deletedAt: deletedAt.map(Timestamp.date), fragments: fragments)
    }
}
