import ConvoModel
import GRDB

/// One row of `fragment`: a typed piece of a turn's content at `position`.
struct FragmentRecord: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "fragment"

    var id: Int64?
    var turnID: Int64
    var position: Int64
    var kind: String
    var content: String
    var state: String?
    var metadata: String?

    enum CodingKeys: String, CodingKey {
        case id
        case turnID = "turn_id"
        case position, kind, content, state, metadata
    }


    /// Reads the columns by name, skipping `Decodable`'s keyed-container machinery:
    /// fragments are the most numerous rows.
    init(row: Row) throws {
        id = try row.decode(forColumn: CodingKeys.id.rawValue)
        turnID = try row.decode(forColumn: CodingKeys.turnID.rawValue)
        position = try row.decode(forColumn: CodingKeys.position.rawValue)
        kind = try row.decode(forColumn: CodingKeys.kind.rawValue)
        content = try row.decode(forColumn: CodingKeys.content.rawValue)
        state = try row.decode(forColumn: CodingKeys.state.rawValue)
        metadata = try row.decode(forColumn: CodingKeys.metadata.rawValue)
    }

    /// Writes the columns directly, skipping `Encodable`'s container machinery.
    func encode(to container: inout PersistenceContainer) {
        container[CodingKeys.id.rawValue] = id
        container[CodingKeys.turnID.rawValue] = turnID
        container[CodingKeys.position.rawValue] = position
        container[CodingKeys.kind.rawValue] = kind
        container[CodingKeys.content.rawValue] = content
        container[CodingKeys.state.rawValue] = state
        container[CodingKeys.metadata.rawValue] = metadata
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    init(_ fragment: Fragment, turnID: Int64, position: Int64) throws {
        self.turnID = turnID
        self.position = position
        kind = fragment.kind.rawValue
        content = StoredText.keepable(fragment.content)
        state = fragment.state?.rawValue
        metadata = fragment.metadata.map(JSONText.encode)
    }

    var fragment: Fragment {
        Fragment(
            kind: FragmentKind(rawValue: kind), content: content, state: state.flatMap(FragmentState.init(rawValue:)),
            metadata: metadata.flatMap(JSONText.decode))
    }
}
