import ConvoModel
import Foundation

/// Where a listing continues, in the dialect's own paging terms (DESIGN "Sync").
///
///     var position = PagingPosition.start
///     while true {
///         let page = try await api.conversations(from: position, pageSize: 100, filter: .init())
///         apply(page)
///         guard let next = page.next else { break }
///         position = next
///     }
public enum PagingPosition: Sendable, Hashable {
    /// The first page, whatever the paging kind.
    case start
    /// An opaque cursor the server returned (agentflow `next_cursor`, v2 `next`).
    case cursor(String)
    /// An offset, and the id the engine expects at that offset: pages overlap by one item,
    /// and a different id there means the list shifted and the pass is inconsistent.
    case offset(Int, expectedBoundaryID: String?)
    /// A page number, from 1 (knowrithm).
    case page(Int)
}

/// Which conversations a listing asks for; fields a dialect does not filter on are ignored
/// by its adapter only if `nil` (a set filter the dialect lacks is `unsupported`).
public struct ConversationFilter: Sendable, Hashable {
    /// The agent whose conversations to list (required where `listsPerAgent`).
    public var agentID: String?
    /// Only conversations from this source (agentflow `source`).
    public var source: String?
    /// Only conversations with this source reference (agentflow `source_ref_id`).
    public var sourceRefID: String?
    /// Leave out conversations from this source (agentflow `exclude_source`).
    public var excludeSource: String?
    /// agentflow `all_users` (needs `sourceRefID`).
    public var allUsers: Bool
    /// Full-text search on the remote (agentflow `search`).
    public var query: String?

    /// Makes a filter; by default everything the credentials see.
    public init(
        agentID: String? = nil, source: String? = nil, sourceRefID: String? = nil, excludeSource: String? = nil,
        allUsers: Bool = false, query: String? = nil
    ) {
        self.agentID = agentID
        self.source = source
        self.sourceRefID = sourceRefID
        self.excludeSource = excludeSource
        self.allUsers = allUsers
        self.query = query
    }
}

/// One page of a listing.
public struct RemotePage<Item: Sendable>: Sendable {
    /// The page's items in the remote's order; possibly fewer than asked.
    public var items: [Item]
    /// Where the next page starts; `nil` on the last page.
    public var next: PagingPosition?
    /// The total matching items, where the dialect reports it.
    public var total: Int?
    /// For offset paging: whether the item at the requested offset was the expected one
    /// (`nil` when there was nothing to check). `false` makes the pass inconsistent.
    public var boundaryMatched: Bool?

    /// Makes a page.
    public init(items: [Item], next: PagingPosition?, total: Int? = nil, boundaryMatched: Bool? = nil) {
        self.items = items
        self.next = next
        self.total = total
        self.boundaryMatched = boundaryMatched
    }
}

extension RemotePage: Equatable where Item: Equatable {}

/// A conversation with the turns the read or listing returned (`nil` where it does not
/// include its messages).
public struct ConversationSnapshot: Sendable, Hashable {
    /// The conversation's own fields.
    public var conversation: Conversation
    /// Its turns, oldest first, or `nil` when the read does not carry them.
    public var turns: [Turn]?

    /// Makes a snapshot.
    public init(conversation: Conversation, turns: [Turn]?) {
        self.conversation = conversation
        self.turns = turns
    }
}

/// One event of a durable watch stream (agentflow), each applied once with its id.
public enum WatchEvent: Sendable, Hashable {
    /// The whole conversation as of snapshot `eventID`; `nil` when the event carried no id
    /// a client may store (none, or one holding control bytes or over 1 KiB, which SSE
    /// ignores): apply it, and keep resuming from the last stored id.
    case snapshot(eventID: String?, ConversationSnapshot)
    /// The server no longer retains the id resumed from: the next snapshot replaces
    /// everything (refresh that conversation in full).
    case reset
    /// The conversation was hard-deleted while watched; the stream ends.
    case deleted(conversationID: String)
}

/// An event of a streamed reply.
public enum ReplyEvent: Sendable, Hashable {
    /// The run started; `runID` cancels it where the dialect can.
    case started(runID: String)
    /// More reply text, to append to the in-progress fragment.
    case delta(String)
    /// The reply is complete; `text` is the full reply where the dialect sends it, else
    /// the deltas joined.
    case finished(messageID: String?, text: String)
    /// The run was cancelled; the text so far stands as `stopped`.
    case stopped
    /// The server ended the reply with an error; the turn ends in state `error`.
    case failed(detail: String)
}

/// A key that makes a write safe to repeat: the remote replays the first result for it.
/// 1–255 printable ASCII characters (DIALECTS "Idempotency").
public struct IdempotencyKey: Sendable, Hashable, CustomStringConvertible {
    /// The key as sent in the `Idempotency-Key` header.
    public let rawValue: String

    /// A key from stored text (the outbox keeps it with the operation).
    /// - Returns: `nil` unless 1–255 printable ASCII characters without spaces.
    public init?(_ rawValue: String) {
        guard (1...255).contains(rawValue.utf8.count), rawValue.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            return nil
        }
        self.rawValue = rawValue
    }

    /// A fresh random key (a lowercased UUID).
    public static func random() -> IdempotencyKey {
        IdempotencyKey(unchecked: UUID().uuidString.lowercased())
    }

    private init(unchecked: String) { self.rawValue = unchecked }

    /// The key itself (not a secret).
    public var description: String { rawValue }
}

/// What a new conversation starts with.
public struct ConversationDraft: Sendable, Hashable {
    /// The agent the conversation belongs to, for life.
    public var agentID: String
    /// A title, where the dialect takes one at creation.
    public var title: String?
    /// Free metadata (knowrithm).
    public var metadata: JSONValue?
    /// The context window (knowrithm).
    public var maxContextLength: Int?

    /// Makes a draft.
    public init(agentID: String, title: String? = nil, metadata: JSONValue? = nil, maxContextLength: Int? = nil) {
        self.agentID = agentID
        self.title = title
        self.metadata = metadata
        self.maxContextLength = maxContextLength
    }
}

/// The result of sending a message and waiting for the reply.
public struct SentMessage: Sendable, Hashable {
    /// The reply's remote id, where the dialect returns one.
    public var replyID: String?
    /// The reply text.
    public var replyText: String?
    /// The conversation's turns after the exchange, where the dialect returns them.
    public var turns: [Turn]?

    /// Makes a result.
    public init(replyID: String?, replyText: String?, turns: [Turn]? = nil) {
        self.replyID = replyID
        self.replyText = replyText
        self.turns = turns
    }
}

/// An agent as a dialect lists it.
public struct RemoteAgent: Sendable, Hashable {
    /// The agent's remote id (`agent_…`).
    public var id: String
    /// Its display name, where listed.
    public var name: String?

    /// Makes an agent.
    public init(id: String, name: String?) {
        self.id = id
        self.name = name
    }
}

/// A file a conversation received or produced.
public struct RemoteFile: Sendable, Hashable {
    /// Whether the file was uploaded to the conversation or produced by it.
    public enum Direction: String, Sendable, Hashable { case input, output }

    /// The unique key (v2 `file_ref`).
    public var ref: String
    /// Free text from whoever uploaded it: never a path.
    public var name: String
    /// The media type the remote reports.
    public var contentType: String?
    /// The download's length in bytes.
    public var size: Int64?
    /// Uploaded (`input`) or produced (`output`).
    public var direction: Direction?

    /// Makes a file description.
    public init(ref: String, name: String, contentType: String?, size: Int64?, direction: Direction?) {
        self.ref = ref
        self.name = name
        self.contentType = contentType
        self.size = size
        self.direction = direction
    }
}

/// A data frame a conversation produced, with a few sample rows.
public struct DataFrameSummary: Sendable, Hashable {
    /// The frame's name, unique within its conversation.
    public var name: String
    /// Column names in order.
    public var columns: [String]
    /// The number of rows in the whole frame.
    public var rowCount: Int
    /// The first rows, each in column order.
    public var samples: [[JSONValue]]

    /// Makes a summary.
    public init(name: String, columns: [String], rowCount: Int, samples: [[JSONValue]]) {
        self.name = name
        self.columns = columns
        self.rowCount = rowCount
        self.samples = samples
    }
}

/// Which rows and columns of a data frame to read.
public struct DataFrameQuery: Sendable, Hashable {
    /// The first row, from 0.
    public var offset: Int
    /// At most this many rows.
    public var limit: Int
    /// `nil` for all columns.
    public var columns: [String]?
    /// A column to sort by, where the dialect supports it.
    public var orderBy: String?

    /// Makes a query.
    public init(offset: Int = 0, limit: Int = 100, columns: [String]? = nil, orderBy: String? = nil) {
        self.offset = offset
        self.limit = limit
        self.columns = columns
        self.orderBy = orderBy
    }
}

/// Rows of a data frame.
public struct DataFrameSlice: Sendable, Hashable {
    /// The columns of `rows`, in order.
    public var columns: [String]
    /// The rows, each in column order.
    public var rows: [[JSONValue]]

    /// Makes a slice.
    public init(columns: [String], rows: [[JSONValue]]) {
        self.columns = columns
        self.rows = rows
    }
}
