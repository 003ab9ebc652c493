import ConvoModel
import Foundation

/// One line of the JSONL export: a conversation with its turns and fragments.
///
/// The format is a public contract other tools diff: every key is always present
/// (`null` when unknown), keys are sorted, times are RFC 3339 UTC (`Timestamp.format`),
/// ids are remote ids.
struct JSONLConversation: Encodable, JSONReadable, Sendable, Equatable {
    var id: String
    var agentID: String?
    var title: String?
    var metadata: JSONValue?
    var source: String?
    var sourceRefID: String?
    var createdAt: Date?
    var updatedAt: Date?
    var deletedAt: Date?
    var turns: [JSONLTurn]

    enum CodingKeys: String, CodingKey {
        case id
        case agentID = "agent_id"
        case title, metadata, source
        case sourceRefID = "source_ref_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case deletedAt = "deleted_at"
        case turns
    }

    init(_ conversation: Conversation, turns: [Turn]) {
        id = conversation.id
        agentID = conversation.agentID
        title = conversation.title
        metadata = conversation.metadata
        source = conversation.source
        sourceRefID = conversation.sourceRefID
        createdAt = conversation.createdAt
        updatedAt = conversation.updatedAt
        deletedAt = conversation.deletedAt
        self.turns = turns.map(JSONLTurn.init)
    }

    init(json value: JSONValue) throws(JSONReadError) {
        let object = try JSONObjectReader(value)
        id = try object.required(CodingKeys.id.rawValue)
        guard !id.isEmpty else { throw object.invalid(CodingKeys.id.rawValue, "must not be empty") }
        agentID = try object.optional(CodingKeys.agentID.rawValue)
        title = try object.optional(CodingKeys.title.rawValue)
        metadata = try object.optional(CodingKeys.metadata.rawValue, as: JSONValue.self)
        source = try object.optional(CodingKeys.source.rawValue)
        sourceRefID = try object.optional(CodingKeys.sourceRefID.rawValue)
        createdAt = try object.timestamp(CodingKeys.createdAt.rawValue)
        updatedAt = try object.timestamp(CodingKeys.updatedAt.rawValue)
        deletedAt = try object.timestamp(CodingKeys.deletedAt.rawValue)
        turns = try object.required(CodingKeys.turns.rawValue)
    }

    func encode(to encoder: any Encoder) throws {
        // `encode` (not `encodeIfPresent`) writes `null` for nil: every key is always present.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(agentID, forKey: .agentID)
        try container.encode(title, forKey: .title)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(source, forKey: .source)
        try container.encode(sourceRefID, forKey: .sourceRefID)
        try container.encode(createdAt.map(Timestamp.format), forKey: .createdAt)
        try container.encode(updatedAt.map(Timestamp.format), forKey: .updatedAt)
        try container.encode(deletedAt.map(Timestamp.format), forKey: .deletedAt)
        try container.encode(turns, forKey: .turns)
    }

    var conversation: Conversation {
        Conversation(
            id: id, agentID: agentID, title: title, metadata: metadata, source: source, sourceRefID: sourceRefID,
            createdAt: createdAt, updatedAt: updatedAt, deletedAt: deletedAt)
    }
}

/// One turn of a JSONL line.
struct JSONLTurn: Encodable, JSONReadable, Sendable, Equatable {
    var id: String
    var role: Role
    var timestamp: Date?
    var state: TurnState?
    var errorDetail: String?
    var inReplyTo: String?
    var deletedAt: Date?
    var fragments: [JSONLFragment]

    enum CodingKeys: String, CodingKey {
        case id, role, timestamp, state
        case errorDetail = "error_detail"
        case inReplyTo = "in_reply_to"
        case deletedAt = "deleted_at"
        case fragments
    }

    init(_ turn: Turn) {
        id = turn.id
        role = turn.role
        timestamp = turn.timestamp
        state = turn.state
        errorDetail = turn.errorDetail
        inReplyTo = turn.inReplyTo
        deletedAt = turn.deletedAt
        fragments = turn.fragments.map(JSONLFragment.init)
    }

    init(json value: JSONValue) throws(JSONReadError) {
        let object = try JSONObjectReader(value)
        id = try object.required(CodingKeys.id.rawValue)
        guard !id.isEmpty else { throw object.invalid(CodingKeys.id.rawValue, "must not be empty") }
        role = try object.value(CodingKeys.role.rawValue, Role.self)
        timestamp = try object.timestamp(CodingKeys.timestamp.rawValue)
        state = try object.optionalValue(CodingKeys.state.rawValue, TurnState.self)
        errorDetail = try object.optional(CodingKeys.errorDetail.rawValue)
        inReplyTo = try object.optional(CodingKeys.inReplyTo.rawValue)
        deletedAt = try object.timestamp(CodingKeys.deletedAt.rawValue)
        fragments = try object.required(CodingKeys.fragments.rawValue)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(role, forKey: .role)
        try container.encode(timestamp.map(Timestamp.format), forKey: .timestamp)
        try container.encode(state, forKey: .state)
        try container.encode(errorDetail, forKey: .errorDetail)
        try container.encode(inReplyTo, forKey: .inReplyTo)
        try container.encode(deletedAt.map(Timestamp.format), forKey: .deletedAt)
        try container.encode(fragments, forKey: .fragments)
    }

    var turn: Turn {
        Turn(
            id: id, role: role, timestamp: timestamp, state: state, errorDetail: errorDetail, inReplyTo: inReplyTo,
            deletedAt: deletedAt, fragments: fragments.map(\.fragment))
    }
}

/// One fragment of a JSONL turn.
struct JSONLFragment: Encodable, JSONReadable, Sendable, Equatable {
    var kind: FragmentKind
    var content: String
    var state: FragmentState?
    var metadata: JSONValue?

    enum CodingKeys: String, CodingKey {
        case kind, content, state, metadata
    }

    init(_ fragment: Fragment) {
        kind = fragment.kind
        content = fragment.content
        state = fragment.state
        metadata = fragment.metadata
    }

    init(json value: JSONValue) throws(JSONReadError) {
        let object = try JSONObjectReader(value)
        kind = FragmentKind(rawValue: try object.required(CodingKeys.kind.rawValue))
        guard !kind.rawValue.isEmpty else { throw object.invalid(CodingKeys.kind.rawValue, "must not be empty") }
        content = try object.required(CodingKeys.content.rawValue)
        state = try object.optionalValue(CodingKeys.state.rawValue, FragmentState.self)
        metadata = try object.optional(CodingKeys.metadata.rawValue, as: JSONValue.self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(content, forKey: .content)
        try container.encode(state, forKey: .state)
        try container.encode(metadata, forKey: .metadata)
    }

    var fragment: Fragment {
        Fragment(kind: kind, content: content, state: state, metadata: metadata)
    }
}

extension JSONObjectReader {
    /// An RFC 3339 time, `nil` when absent or null; any other text is an error.
    fileprivate func timestamp(_ name: String) throws(JSONReadError) -> Date? {
        guard let text = try optional(name, as: String.self) else { return nil }
        guard let date = Timestamp.parse(text) else { throw invalid(name, "not an RFC 3339 time") }
        return date
    }

    /// One of a closed set of strings, required.
    fileprivate func value<T: RawRepresentable>(_ name: String, _ type: T.Type) throws(JSONReadError) -> T
    where T.RawValue == String {
        let text = try required(name, as: String.self)
        guard let value = T(rawValue: text) else { throw invalid(name, "\"\(text)\" is not a valid \(T.self)") }
        return value
    }

    /// One of a closed set of strings, absent or null for `nil`.
    fileprivate func optionalValue<T: RawRepresentable>(_ name: String, _ type: T.Type) throws(JSONReadError) -> T?
    where T.RawValue == String {
        guard let text = try optional(name, as: String.self) else { return nil }
        guard let value = T(rawValue: text) else { throw invalid(name, "\"\(text)\" is not a valid \(T.self)") }
        return value
    }
}

/// Encodes and decodes JSONL lines.
enum JSONLCodec {
    static func encode(_ conversation: JSONLConversation) throws -> String {
        String(decoding: try JSONText.encoder.encode(conversation), as: UTF8.self)
    }

    /// Decodes one line, or explains in a message (with the JSON path) why it cannot be.
    static func decode(_ line: String) -> Decoded {
        do throws(JSONReadError) {
            return .conversation(try JSONLConversation.read(document: line))
        } catch {
            return .invalid(message(error))
        }
    }

    /// A decoded line, or why it is not one.
    enum Decoded: Sendable {
        case conversation(JSONLConversation)
        case invalid(String)
    }

    private static func message(_ error: JSONReadError) -> String {
        let path = error.jsonPath.dropFirst().drop { $0 == "." }
        let subject = path.isEmpty ? "the line" : String(path)
        switch error.problem {
        case .notJSON: return "not valid JSON"
        case .missing: return "\(subject) is missing"
        case .null(let expected): return "\(subject) is null, expected \(expected)"
        case .mismatch(let expected, _): return "\(subject) is not \(expected)"
        case .invalid(let reason): return "\(subject): \(reason)"
        }
    }
}
