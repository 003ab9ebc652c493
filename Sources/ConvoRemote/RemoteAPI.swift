import ConvoModel

/// The port the sync engine talks to: one remote account in the engine's terms. Each
/// dialect adapter (agentflow, v2, knowrithm, turns) implements it over `HTTPTransport`.
///
/// Reads return ConvoModel values and typed paging positions; writes take an
/// `IdempotencyKey` so the outbox can retry them after a crash without duplicating
/// (DESIGN "Offline writes"). Operations a dialect lacks keep the default implementation,
/// which throws `unsupported`; `capabilities` says which exist, so the engine checks first.
///
///     let page = try await api.conversations(from: .start, pageSize: 100, filter: .init())
///     for snapshot in page.items { apply(snapshot.conversation, turns: snapshot.turns) }
///
/// Errors are `RemoteError`s. A hard delete is inferred only from `isConversationNotFound`
/// on that conversation's own `conversation(id:)` read.
public protocol RemoteAPI: Sendable {
    /// What this dialect can do.
    var capabilities: RemoteCapabilities { get }

    /// Tells the adapter which agent owns each conversation (id → agent id) the replica
    /// already knows, for dialects whose routes name both (v2); others ignore it.
    func rememberOwners(_ owners: [String: String])

    // MARK: Reads

    /// The agents the credentials see (v2 discovery; agentflow by name with `named`).
    func agents(named name: String?) async throws -> [RemoteAgent]

    /// One page of conversations, each with its turns where the listing carries them
    /// (`turns` lists every conversation with all its turns and has no other read).
    /// - Throws: `RemoteError`; `invalidRequest` for a position of another paging kind.
    func conversations(from position: PagingPosition, pageSize: Int, filter: ConversationFilter) async throws
        -> RemotePage<ConversationSnapshot>

    /// One page of soft-deleted conversations (knowrithm `deleted` listing).
    func deletedConversations(from position: PagingPosition, pageSize: Int) async throws -> RemotePage<Conversation>

    /// A conversation by id, with its turns where the read includes them.
    /// - Throws: `RemoteError` `notFound` with `resource == .conversation` once it is hard-deleted.
    func conversation(id: String) async throws -> ConversationSnapshot

    /// One page of a conversation's turns, oldest first.
    func turns(of conversationID: String, from position: PagingPosition, pageSize: Int) async throws
        -> RemotePage<Turn>

    /// A conversation's durable snapshots, resuming after `lastEventID`.
    func watch(conversationID: String, lastEventID: String?) -> any AsyncSequence<WatchEvent, any Error> & Sendable

    /// The files of a conversation.
    func files(of conversationID: String) async throws -> [RemoteFile]

    /// A file's bytes as they arrive.
    func downloadFile(ref: String, of conversationID: String) async throws -> RemoteByteStream

    /// The data frames of a conversation, with up to `sampleCount` sample rows each.
    func dataFrames(of conversationID: String, sampleCount: Int) async throws -> [DataFrameSummary]

    /// Rows of one data frame.
    func dataFrame(named name: String, of conversationID: String, query: DataFrameQuery) async throws -> DataFrameSlice

    // MARK: Writes

    /// Creates a conversation.
    func createConversation(_ draft: ConversationDraft, idempotencyKey: IdempotencyKey) async throws -> Conversation

    /// Sends a message and waits for the reply.
    func sendMessage(_ content: String, to conversationID: String, idempotencyKey: IdempotencyKey) async throws
        -> SentMessage

    /// Sends a message and streams the reply as it is written.
    func streamReply(to content: String, in conversationID: String, idempotencyKey: IdempotencyKey) async throws
        -> any AsyncSequence<ReplyEvent, any Error> & Sendable

    /// Cancels a streamed reply's run.
    func cancelRun(_ runID: String, in conversationID: String, idempotencyKey: IdempotencyKey) async throws

    /// Sets a conversation's title.
    func renameConversation(_ conversationID: String, to title: String, idempotencyKey: IdempotencyKey) async throws
        -> Conversation

    /// Asks the platform to title a conversation; returns the title.
    func generateTitle(
        for conversationID: String, seedMessage: String?, force: Bool, idempotencyKey: IdempotencyKey
    ) async throws -> String

    /// Deletes a conversation (soft or hard, as `capabilities.softDeletes` says).
    func deleteConversation(_ conversationID: String, idempotencyKey: IdempotencyKey) async throws

    /// Restores a soft-deleted conversation (idempotent).
    func restoreConversation(_ conversationID: String, idempotencyKey: IdempotencyKey) async throws

    /// Deletes one message.
    func deleteMessage(_ messageID: String, in conversationID: String, idempotencyKey: IdempotencyKey) async throws

    /// Restores one soft-deleted message.
    func restoreMessage(_ messageID: String, in conversationID: String, idempotencyKey: IdempotencyKey) async throws

    /// Deletes every message of a conversation.
    func deleteAllMessages(in conversationID: String, idempotencyKey: IdempotencyKey) async throws

    /// Restores every soft-deleted message of a conversation.
    func restoreAllMessages(in conversationID: String, idempotencyKey: IdempotencyKey) async throws

    /// Uploads files to a conversation; returns what the remote now lists for them.
    func uploadFiles(_ files: [FileUpload], to conversationID: String, idempotencyKey: IdempotencyKey) async throws
        -> [RemoteFile]
}

/// Defaults for the operations a dialect lacks (see `RemoteCapabilities`).
extension RemoteAPI {
    private func unsupported(_ operation: String) -> RemoteError { RemoteError(.unsupported, endpoint: operation) }

    /// Default: the dialect's routes name only the conversation; nothing to remember.
    public func rememberOwners(_ owners: [String: String]) {}

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func agents(named name: String?) async throws -> [RemoteAgent] { throw unsupported("agents") }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func deletedConversations(from position: PagingPosition, pageSize: Int) async throws
        -> RemotePage<Conversation>
    { throw unsupported("deletedConversations") }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func conversation(id: String) async throws -> ConversationSnapshot { throw unsupported("conversation") }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func turns(of conversationID: String, from position: PagingPosition, pageSize: Int) async throws
        -> RemotePage<Turn>
    { throw unsupported("turns") }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func watch(conversationID: String, lastEventID: String?) -> any AsyncSequence<WatchEvent, any Error> & Sendable {
        UnsupportedSequence<WatchEvent>(error: unsupported("watch"))
    }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func files(of conversationID: String) async throws -> [RemoteFile] { throw unsupported("files") }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func downloadFile(ref: String, of conversationID: String) async throws -> RemoteByteStream {
        throw unsupported("downloadFile")
    }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func dataFrames(of conversationID: String, sampleCount: Int) async throws -> [DataFrameSummary] {
        throw unsupported("dataFrames")
    }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func dataFrame(named name: String, of conversationID: String, query: DataFrameQuery) async throws
        -> DataFrameSlice
    { throw unsupported("dataFrame") }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func createConversation(_ draft: ConversationDraft, idempotencyKey: IdempotencyKey) async throws
        -> Conversation
    { throw unsupported("createConversation") }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func sendMessage(_ content: String, to conversationID: String, idempotencyKey: IdempotencyKey)
        async throws -> SentMessage
    { throw unsupported("sendMessage") }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func streamReply(to content: String, in conversationID: String, idempotencyKey: IdempotencyKey)
        async throws -> any AsyncSequence<ReplyEvent, any Error> & Sendable
    { throw unsupported("streamReply") }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func cancelRun(_ runID: String, in conversationID: String, idempotencyKey: IdempotencyKey) async throws {
        throw unsupported("cancelRun")
    }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func renameConversation(_ conversationID: String, to title: String, idempotencyKey: IdempotencyKey)
        async throws -> Conversation
    { throw unsupported("renameConversation") }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func generateTitle(
        for conversationID: String, seedMessage: String?, force: Bool, idempotencyKey: IdempotencyKey
    ) async throws -> String { throw unsupported("generateTitle") }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func deleteConversation(_ conversationID: String, idempotencyKey: IdempotencyKey) async throws {
        throw unsupported("deleteConversation")
    }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func restoreConversation(_ conversationID: String, idempotencyKey: IdempotencyKey) async throws {
        throw unsupported("restoreConversation")
    }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func deleteMessage(_ messageID: String, in conversationID: String, idempotencyKey: IdempotencyKey)
        async throws
    { throw unsupported("deleteMessage") }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func restoreMessage(_ messageID: String, in conversationID: String, idempotencyKey: IdempotencyKey)
        async throws
    { throw unsupported("restoreMessage") }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func deleteAllMessages(in conversationID: String, idempotencyKey: IdempotencyKey) async throws {
        throw unsupported("deleteAllMessages")
    }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func restoreAllMessages(in conversationID: String, idempotencyKey: IdempotencyKey) async throws {
        throw unsupported("restoreAllMessages")
    }

    /// Default: the dialect lacks this operation; throws `RemoteError` `unsupported`.
    public func uploadFiles(_ files: [FileUpload], to conversationID: String, idempotencyKey: IdempotencyKey)
        async throws -> [RemoteFile]
    { throw unsupported("uploadFiles") }
}

/// A sequence whose first `next()` throws: what an unsupported streaming operation returns.
struct UnsupportedSequence<Element: Sendable>: AsyncSequence, Sendable {
    let error: RemoteError

    struct AsyncIterator: AsyncIteratorProtocol {
        let error: RemoteError
        func next() async throws -> Element? { throw error }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(error: error) }
}
