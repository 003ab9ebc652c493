/// What a dialect can do, so the engine picks its change-detection strategy (DESIGN "Sync")
/// and never calls an operation the dialect lacks.
///
///     if capabilities.watchStream { watch(id) } else if capabilities.updateTimes { pullSince(mark) }
public struct RemoteCapabilities: Sendable, Hashable {
    /// How listings page.
    public enum PagingKind: String, Sendable, Hashable {
        /// Opaque cursor tokens that stay valid while data changes (agentflow, v2).
        case cursor
        /// Offsets, which shift under inserts and deletes: pages must overlap by one (turns).
        case offset
        /// Page numbers, which cannot overlap (knowrithm).
        case pageNumber
    }

    /// The writes a dialect accepts; each takes an `IdempotencyKey`.
    public enum WriteOperation: String, Sendable, Hashable, CaseIterable {
        case createConversation, sendMessage, renameConversation, generateTitle
        case deleteConversation, restoreConversation
        case deleteMessage, restoreMessage, deleteAllMessages, restoreAllMessages
        case uploadFiles, cancelRun
    }

    /// How conversation listings page.
    public var paging: PagingKind
    /// Listing pages report the total number of matching items.
    public var reportsTotals: Bool
    /// Conversations carry `updated_at`, so a high-water mark finds what changed.
    public var updateTimes: Bool
    /// The conversation listing is ordered by update time, newest first (agentflow), so a
    /// pass can stop at the first conversation older than its high-water mark.
    public var listsRecentlyUpdatedFirst: Bool
    /// Deletes are soft (restorable, readable by id with `deleted_at`).
    public var softDeletes: Bool
    /// Soft-deleted conversations can be listed.
    public var deletedListing: Bool
    /// A durable watch stream of snapshots with SSE ids exists.
    public var watchStream: Bool
    /// Conversations are listed per agent (the account names its agents).
    public var listsPerAgent: Bool
    /// The agents can be listed (discovery).
    public var agentListing: Bool
    /// A documented read answers `conversation_not_found` for a deleted conversation (a read
    /// by id, or the messages listing of v2 and knowrithm), so a purge candidate can be
    /// confirmed first.
    public var conversationRead: Bool
    /// A conversation's turns page separately from the conversation listing.
    public var pagedTurns: Bool
    /// Conversations have files (list, download, upload).
    public var files: Bool
    /// Conversations have data frames.
    public var dataFrames: Bool
    /// Replies can stream as deltas.
    public var streamingReplies: Bool
    /// The write operations the dialect accepts.
    public var writes: Set<WriteOperation>

    /// Makes a capability set; every flag must be stated.
    public init(
        paging: PagingKind, reportsTotals: Bool, updateTimes: Bool, softDeletes: Bool, deletedListing: Bool,
        watchStream: Bool, listsPerAgent: Bool, agentListing: Bool, conversationRead: Bool, pagedTurns: Bool,
        files: Bool, dataFrames: Bool, streamingReplies: Bool, writes: Set<WriteOperation>,
        listsRecentlyUpdatedFirst: Bool = false
    ) {
        self.listsRecentlyUpdatedFirst = listsRecentlyUpdatedFirst
        self.paging = paging
        self.reportsTotals = reportsTotals
        self.updateTimes = updateTimes
        self.softDeletes = softDeletes
        self.deletedListing = deletedListing
        self.watchStream = watchStream
        self.listsPerAgent = listsPerAgent
        self.agentListing = agentListing
        self.conversationRead = conversationRead
        self.pagedTurns = pagedTurns
        self.files = files
        self.dataFrames = dataFrames
        self.streamingReplies = streamingReplies
        self.writes = writes
    }

    /// Whether a write operation is supported.
    public func supports(_ operation: WriteOperation) -> Bool { writes.contains(operation) }
}
