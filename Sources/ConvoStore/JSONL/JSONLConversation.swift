import ConvoModel
import Foundation

/// One line of the JSONL export: a conversation with its turns and fragments.
///
/// The format is a public contract other tools diff: every key is always present
/// (`null` when unknown), keys are sorted, times are RFC 3339 UTC (`Timestamp.format`),
/// ids are remote ids.
struct JSONLConversation: Codable, Sendable, Equatable {
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

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        guard !id.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .id, in: container, debugDescription: "must not be empty")
        }
        agentID = try container.decodeIfPresent(String.self, forKey: .agentID)
        title = try container.decodeIfPresent(String.self, forKey: .title)
        metadata = try container.decodeIfPresent(JSONValue.self, forKey: .metadata)
        source = try container.decodeIfPresent(String.self, forKey: .source)
        sourceRefID = try container.decodeIfPresent(String.self, forKey: .sourceRefID)
        createdAt = try container.decodeTimestamp(forKey: .createdAt)
        updatedAt = try container.decodeTimestamp(forKey: .updatedAt)
        deletedAt = try container.decodeTimestamp(forKey: .deletedAt)
        turns = try container.decode([JSONLTurn].self, forKey: .turns)
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
struct JSONLTurn: Codable, Sendable, Equatable {
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

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        guard !id.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .id, in: container, debugDescription: "must not be empty")
        }
        role = try container.decode(Role.self, forKey: .role)
        timestamp = try container.decodeTimestamp(forKey: .timestamp)
        state = try container.decodeIfPresent(TurnState.self, forKey: .state)
        errorDetail = try container.decodeIfPresent(String.self, forKey: .errorDetail)
        inReplyTo = try container.decodeIfPresent(String.self, forKey: .inReplyTo)
        deletedAt = try container.decodeTimestamp(forKey: .deletedAt)
        fragments = try container.decode([JSONLFragment].self, forKey: .fragments)
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
struct JSONLFragment: Codable, Sendable, Equatable {
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

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(FragmentKind.self, forKey: .kind)
        guard !kind.rawValue.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "must not be empty")
        }
        content = try container.decode(String.self, forKey: .content)
        state = try container.decodeIfPresent(FragmentState.self, forKey: .state)
        metadata = try container.decodeIfPresent(JSONValue.self, forKey: .metadata)
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

extension KeyedDecodingContainer {
    /// An RFC 3339 time, `nil` when absent or null; any other text is an error.
    func decodeTimestamp(forKey key: Key) throws -> Date? {
        guard let text = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let date = Timestamp.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not an RFC 3339 time")
        }
        return date
    }
}

/// Encodes and decodes JSONL lines.
enum JSONLCodec {
    static func encode(_ conversation: JSONLConversation) throws -> String {
        String(decoding: try JSONText.encoder.encode(conversation), as: UTF8.self)
    }

    /// Decodes one line, or explains in a message (with the JSON path) why it cannot be.
    static func decode(_ line: String) -> Decoded {
        do {
            return .conversation(try JSONText.decoder.decode(JSONLConversation.self, from: Data(line.utf8)))
        } catch let error as DecodingError {
            return .invalid(message(error))
        } catch {
            return .invalid("not valid JSON")
        }
    }

    /// A decoded line, or why it is not one.
    enum Decoded: Sendable {
        case conversation(JSONLConversation)
        case invalid(String)
    }

    private static func message(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            return text.isEmpty ? "the line" : String(text.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) is not \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) is null, expected \(typeName(type))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "cannot be decoded"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name.hasPrefix("Array") { return "an array" }
        if name.hasPrefix("Dictionary") || name.hasPrefix("KeyedDecodingContainer") { return "an object" }
        if name == "String" { return "a string" }
        return "a valid \(name)"
    }
}
