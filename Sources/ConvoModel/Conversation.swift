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
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }

    /// Plain text; flat dialects' `content` becomes one fragment of this kind.
    public static let text: FragmentKind = "text"
}

/// One typed piece of a turn's content.
public struct Fragment: Sendable, Hashable, Codable {
    public var kind: FragmentKind
    public var content: String
    /// `nil` where the dialect does not say.
    public var state: FragmentState?
    public var metadata: JSONValue?

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
    public var role: Role
    public var timestamp: Date?
    /// `nil` where the dialect does not say.
    public var state: TurnState?
    public var errorDetail: String?
    /// For assistant turns: the remote id of the user turn this one answers.
    public var inReplyTo: String?
    /// Set while the turn is soft-deleted.
    public var deletedAt: Date?
    public var fragments: [Fragment]

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
    public var agentID: String?
    public var title: String?
    public var metadata: JSONValue?
    public var source: String?
    public var sourceRefID: String?
    public var messageCount: Int?
    public var maxContextLength: Int?
    public var createdAt: Date?
    public var updatedAt: Date?
    /// Set while the conversation is soft-deleted.
    public var deletedAt: Date?

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
