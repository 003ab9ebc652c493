import Foundation

/// Who wrote a turn. Dialects that send another role are rejected at decoding time.
public enum Role: String, CaseIterable, Sendable, Codable, Hashable {
    case user
    case assistant
}

/// Where a turn's generation stands. User turns are always `done`.
public enum TurnState: String, CaseIterable, Sendable, Codable, Hashable {
    case inProgress = "in-progress"
    case done
    case stopped
    case error
}

/// Whether a fragment's content is still streaming.
public enum FragmentState: String, CaseIterable, Sendable, Codable, Hashable {
    case inProgress = "in-progress"
    case done
}

/// The kind of a fragment. Only `text` exists today; the set stays open so that a
/// replica written by a newer platform keeps fragments it does not understand yet.
public struct FragmentKind: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The kind's name as the wire and the replica spell it.
    public let rawValue: String
    /// A kind by name; unknown names are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A kind from a literal, e.g. `"text"`.
    public init(stringLiteral value: String) { self.rawValue = value }
    /// Decodes the bare string.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    /// Encodes the bare string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    /// The kind's name.
    public var description: String { rawValue }

    /// Plain text; flat dialects' `content` becomes one fragment of this kind.
    public static let text: FragmentKind = "text"
}

/// One typed piece of a turn's content.
public struct Fragment: Sendable, Hashable, Codable {
    /// What the content is (`text` today).
    public var kind: FragmentKind
    /// The fragment's content; for `text`, the text itself.
    public var content: String
    /// `nil` where the dialect does not say.
    public var state: FragmentState?
    /// Free metadata the dialect attaches (turns `messages[].metadata`).
    public var metadata: JSONValue?

    /// Makes a fragment; plain text by default.
    public init(kind: FragmentKind = .text, content: String, state: FragmentState? = nil, metadata: JSONValue? = nil) {
        self.kind = kind
        self.content = content
        self.state = state
        self.metadata = metadata
    }
}

/// One message of a conversation, as the remote describes it, in dialect-free terms.
public struct Turn: Sendable, Hashable {
    /// The remote id.
    public var id: String
    /// Who wrote it.
    public var role: Role
    /// When it was written, where the dialect says.
    public var timestamp: Date?
    /// `nil` where the dialect does not say.
    public var state: TurnState?
    /// Why a turn in state `error` failed, in the platform's words.
    public var errorDetail: String?
    /// For assistant turns: the remote id of the user turn this one answers.
    public var inReplyTo: String?
    /// Set while the turn is soft-deleted.
    public var deletedAt: Date?
    /// The content, in order; flat dialects give one text fragment.
    public var fragments: [Fragment]

    /// Makes a turn.
    public init(
        id: String, role: Role, timestamp: Date? = nil, state: TurnState? = nil, errorDetail: String? = nil,
        inReplyTo: String? = nil, deletedAt: Date? = nil, fragments: [Fragment]
    ) {
        self.id = id
        self.role = role
        self.timestamp = timestamp
        self.state = state
        self.errorDetail = errorDetail
        self.inReplyTo = inReplyTo
        self.deletedAt = deletedAt
        self.fragments = fragments
    }

    /// The turn's text: its text fragments joined in order.
    public var text: String {
        fragments.lazy.filter { $0.kind == .text }.map(\.content).joined()
    }
}

/// A conversation's own fields as the remote describes them, in dialect-free terms.
///
/// Fields a dialect does not carry are `nil`: an unknown `messageCount` is not zero.
public struct Conversation: Sendable, Hashable {
    /// The remote id.
    public var id: String
    /// The agent it belongs to, for life.
    public var agentID: String?
    /// Its title (v2 calls it `name`); `nil` when untitled.
    public var title: String?
    /// Free metadata (knowrithm).
    public var metadata: JSONValue?
    /// Where it came from (agentflow `source`).
    public var source: String?
    /// The caller's own reference (agentflow `source_ref_id`).
    public var sourceRefID: String?
    /// How many messages the remote reports; `nil` is "unknown", not zero.
    public var messageCount: Int?
    /// The context window (knowrithm).
    public var maxContextLength: Int?
    /// When the remote created it.
    public var createdAt: Date?
    /// When the remote last changed it, where the dialect says.
    public var updatedAt: Date?
    /// Set while the conversation is soft-deleted.
    public var deletedAt: Date?

    /// Makes a conversation; fields the dialect lacks stay `nil`.
    public init(
        id: String, agentID: String? = nil, title: String? = nil, metadata: JSONValue? = nil,
        source: String? = nil, sourceRefID: String? = nil, messageCount: Int? = nil,
        maxContextLength: Int? = nil, createdAt: Date? = nil, updatedAt: Date? = nil, deletedAt: Date? = nil
    ) {
        self.id = id
        self.agentID = agentID
        self.title = title
        self.metadata = metadata
        self.source = source
        self.sourceRefID = sourceRefID
        self.messageCount = messageCount
        self.maxContextLength = maxContextLength
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
    }
}
