import ConvoModel
import Foundation

/// The filters a remote's conversation listing takes, applied to the replica.
///
///     var filters = ConversationFilters()
///     filters.agentID = "agent_1"
///     filters.excludeSource = "api"
public struct ConversationFilters: Sendable, Hashable {
    /// Only this agent's conversations.
    public var agentID: String?
    /// Only conversations with this source.
    public var source: String?
    /// Only conversations with this source reference id.
    public var sourceRefID: String?
    /// Leave out conversations with this source (ones with no source stay).
    public var excludeSource: String?
    /// Include soft-deleted conversations (purged ones are never shown). Search ignores
    /// it: soft-deleted text is never found.
    public var includeDeleted: Bool
    /// Only conversations updated strictly after this time.
    public var updatedAfter: Date?
    /// Only the conversation with this remote id: to search within one conversation.
    public var conversationID: String?

    /// No filter: every visible conversation.
    public init(
        agentID: String? = nil, source: String? = nil, sourceRefID: String? = nil, excludeSource: String? = nil,
        includeDeleted: Bool = false, updatedAfter: Date? = nil, conversationID: String? = nil
    ) {
        self.agentID = agentID
        self.source = source
        self.sourceRefID = sourceRefID
        self.excludeSource = excludeSource
        self.includeDeleted = includeDeleted
        self.updatedAfter = updatedAfter
        self.conversationID = conversationID
    }
}

/// The order of a conversation listing. Ties are broken by the local key, so pages are stable.
public enum ConversationSort: String, Sendable, Hashable, CaseIterable {
    /// Most recently updated first (conversations with no update time last). The default,
    /// as the remotes list.
    case updatedAtDescending
    /// Least recently updated first.
    case updatedAtAscending
    /// Oldest first (no creation time first).
    case createdAtAscending
    /// Newest first.
    case createdAtDescending
    /// By title, case-insensitively for ASCII; untitled first.
    case titleAscending
}

/// One page request for ``Replica/conversations(_:)``.
///
///     var query = ConversationQuery(limit: 20)
///     let first = try await replica.conversations(query)
///     query.cursor = first.nextCursor
public struct ConversationQuery: Sendable, Hashable {
    /// Which conversations to list.
    public var filters: ConversationFilters
    /// Their order.
    public var sort: ConversationSort
    /// Page size, 1 to ``maximumLimit``.
    public var limit: Int
    /// The ``ConversationPage/nextCursor`` of the previous page, `nil` for the first. It is
    /// only valid with the same sort.
    public var cursor: String?

    /// The largest page a query may ask for.
    public static let maximumLimit = 1000

    /// Makes a query; defaults: no filter, most recently updated first, 50 per page.
    public init(
        filters: ConversationFilters = .init(), sort: ConversationSort = .updatedAtDescending, limit: Int = 50,
        cursor: String? = nil
    ) {
        self.filters = filters
        self.sort = sort
        self.limit = limit
        self.cursor = cursor
    }
}

/// A conversation as listed: its remote fields, its tombstone and its turn count.
public struct ConversationSummary: Sendable, Hashable, Identifiable {
    /// The stable local key (never changes, even when the remote id arrives).
    public var localID: Int64
    /// The remote id; `nil` while the conversation exists only locally.
    public var remoteID: String?
    /// The agent the conversation belongs to.
    public var agentID: String?
    /// The title; `nil` when untitled.
    public var title: String?
    /// Free-form JSON metadata.
    public var metadata: JSONValue?
    /// Where the conversation came from (e.g. `web`, `api`).
    public var source: String?
    /// The source's own reference (e.g. a user id).
    public var sourceRefID: String?
    /// The message count the remote reports; `nil` when unknown (not zero).
    public var messageCount: Int?
    /// The context window the remote allows, when it says.
    public var maxContextLength: Int?
    /// The remote creation time.
    public var createdAt: Date?
    /// The remote update time.
    public var updatedAt: Date?
    /// Set while soft-deleted (shown only with `includeDeleted`).
    public var deletedAt: Date?
    /// How many turns the replica holds for it, soft-deleted turns excluded.
    public var turnCount: Int

    /// `Identifiable` by the local key, which never changes.
    public var id: Int64 { localID }

    /// The fields as the canonical ``Conversation`` (a local-only one gets an empty id).
    public var conversation: Conversation {
        Conversation(
            id: remoteID ?? "", agentID: agentID, title: title, metadata: metadata, source: source,
            sourceRefID: sourceRefID, messageCount: messageCount, maxContextLength: maxContextLength,
            createdAt: createdAt, updatedAt: updatedAt, deletedAt: deletedAt)
    }
}

/// One page of a conversation listing.
public struct ConversationPage: Sendable, Hashable {
    /// The conversations of this page, in the query's order.
    public var items: [ConversationSummary]
    /// How many conversations match the filters in all (not just this page).
    public var total: Int
    /// Pass it as ``ConversationQuery/cursor`` for the next page; `nil` on the last page.
    public var nextCursor: String?
}

/// One conversation with its turns (ordered) and their fragments.
public struct ConversationDetail: Sendable, Hashable {
    /// The conversation's fields, as listed.
    public var summary: ConversationSummary
    /// Its turns in order; soft-deleted ones only when asked for. A turn that exists only
    /// locally (a message sent offline, its streamed reply) has an empty ``Turn/id`` and
    /// comes after the remote ones.
    public var turns: [Turn]
    /// Each turn's stable local key, in the order of ``turns``: how a caller names a turn
    /// (``TurnRef/local(_:)``) whether or not it has a remote id yet.
    public var turnLocalIDs: [Int64]
}

/// One page of a conversation's turns, oldest first.
public struct TurnPage: Sendable, Hashable {
    /// The turns of this page, each with its fragments.
    public var turns: [Turn]
    /// Pass it as `after:` for the next page; `nil` on the last page.
    public var nextCursor: String?
}

/// Message statistics of one conversation, computed locally (soft-deleted turns excluded).
public struct ConversationAnalytics: Sendable, Hashable {
    /// The conversation's remote id.
    public var conversationID: String
    /// All visible turns.
    public var total: Int
    /// Visible turns by role; every role is present, possibly with 0.
    public var countsByRole: [Role: Int]
    /// The earliest turn timestamp, `nil` when no turn has one.
    public var firstMessageAt: Date?
    /// The latest turn timestamp, `nil` when no turn has one.
    public var lastMessageAt: Date?
}
