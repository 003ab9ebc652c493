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


    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    init(_ fragment: Fragment, turnID: Int64, position: Int64) throws {
        self.turnID = turnID
        self.position = position
        kind = fragment.kind.rawValue
        content = fragment.content
        state = fragment.state?.rawValue
        metadata = try fragment.metadata.map(JSONText.encode)
    }

    var fragment: Fragment {
        Fragment(
            kind: FragmentKind(rawValue: kind), content: content, state: state.flatMap(FragmentState.init(rawValue:)),
            metadata: metadata.flatMap(JSONText.decode))
    }
}
