import ConvoModel
import Foundation

/// The knowrithm dialect (seed 002) over `HTTPTransport`: page-numbered listings with
/// totals, soft deletes with a deleted listing and restores (conversations and messages,
/// one or all), chat replies whole or streamed.
///
/// Page numbers cannot overlap, so the engine removes nothing on a listing alone: only
/// confirming reads and the deleted listing may (DESIGN "Sync").
///
///     let api = KnowrithmAdapter(transport: transport, account: account)   // .apiKey(key, secret:)
///     let page = try await api.conversations(from: .page(1), pageSize: 100, filter: .init())
public struct KnowrithmAdapter: RemoteAPI {
    /// The transport requests go through (`X-API-Key` + `X-API-Secret`, or a bearer JWT).
    public let transport: HTTPTransport
    /// The account this adapter speaks for.
    public let account: RemoteAccount

    /// Makes an adapter; `transport` must be built for `account` (see `RemoteAPIFactory`).
    public init(transport: HTTPTransport, account: RemoteAccount) {
        self.transport = transport
        self.account = account
    }

    /// `RemoteCapabilities.of(.knowrithm)`.
    public var capabilities: RemoteCapabilities { .of(.knowrithm) }

    /// `GET /conversation?page&per_page`: active conversations, oldest first. Takes no filter.
    /// - Throws: `RemoteError`; `invalidRequest` for a size outside 1…100 or a position
    ///   that is not `.start` or `.page(n ≥ 1)`; `unsupported` for any filter.
    public func conversations(from position: PagingPosition, pageSize: Int, filter: ConversationFilter) async throws
        -> RemotePage<ConversationSnapshot>
    {
        let endpoint = "GET /conversation"
        let others: [(String, Bool)] = [
            ("agentID", filter.agentID != nil), ("source", filter.source != nil),
            ("sourceRefID", filter.sourceRefID != nil), ("excludeSource", filter.excludeSource != nil),
            ("allUsers", filter.allUsers), ("query", filter.query != nil),
        ]
        if let other = others.first(where: \.1) { throw RequestChecks.unsupportedFilter(other.0, endpoint: endpoint) }
        let page = try await conversationPage("/conversation", position, pageSize)
        return RemotePage(
            items: page.items.map { ConversationSnapshot(conversation: $0, turns: nil) }, next: page.next,
            total: page.total)
    }

    /// `GET /conversation/entity?page&per_page`: the conversations of the entity the
    /// credentials belong to (not part of the port; the same page shape).
    /// - Throws: as `conversations(from:pageSize:filter:)`.
    public func entityConversations(from position: PagingPosition, pageSize: Int) async throws
        -> RemotePage<Conversation>
    {
        try await conversationPage("/conversation/entity", position, pageSize)
    }

    /// `GET /conversation/deleted?page&per_page`: soft-deleted conversations, with `deletedAt`.
    /// - Throws: as `conversations(from:pageSize:filter:)`.
    public func deletedConversations(from position: PagingPosition, pageSize: Int) async throws
        -> RemotePage<Conversation>
    {
        try await conversationPage("/conversation/deleted", position, pageSize)
    }

    /// `GET /conversation/{id}/messages?page&per_page`: oldest first, soft-deleted ones
    /// with `deletedAt`.
    /// - Throws: as `conversations(from:pageSize:filter:)`.
    public func turns(of conversationID: String, from position: PagingPosition, pageSize: Int) async throws
        -> RemotePage<Turn>
    {
        try await page(
            RemoteRequest(.get, "/conversation/{id}/messages", parameters: ["id": conversationID]), position, pageSize,
            of: KnowrithmWire.Message.self
        ) { $0.value }
    }

    /// `POST /conversation {"agent_id", "title"?, "metadata"?, "max_context_length"?}`.
    /// - Throws: `RemoteError`; `invalidRequest` for metadata that is not an object or a
    ///   context length below 1.
    public func createConversation(_ draft: ConversationDraft, idempotencyKey: IdempotencyKey) async throws
        -> Conversation
    {
        var request = RemoteRequest(.post, "/conversation", idempotencyKey: idempotencyKey.rawValue)
        if let metadata = draft.metadata, metadata.objectValue == nil {
            throw RemoteError(.invalidRequest, endpoint: request.endpoint, field: "metadata")
        }
        if let length = draft.maxContextLength, length < 1 {
            throw RemoteError(.invalidRequest, endpoint: request.endpoint, field: "maxContextLength")
        }
        try request.setJSONBody(
            KnowrithmWire.CreateBody(
                agent_id: draft.agentID, title: draft.title, metadata: draft.metadata,
                max_context_length: draft.maxContextLength))
        return try await transport.send(request).decode(KnowrithmWire.Conv.self).value
    }

    /// `POST /conversation/{id}/chat {"message"}`: the reply is the last exchange's
    /// `assistant_response` (the dialect returns no message id here).
    /// - Throws: `RemoteError`; `malformedResponse` (field `$.history`) for an empty history.
    public func sendMessage(_ content: String, to conversationID: String, idempotencyKey: IdempotencyKey)
        async throws -> SentMessage
    {
        var request = RemoteRequest(
            .post, "/conversation/{id}/chat", parameters: ["id": conversationID], idempotencyKey: idempotencyKey.rawValue)
        try request.setJSONBody(KnowrithmWire.ChatBody(message: content))
        let response = try await transport.send(request)
        guard let last = try response.decode(KnowrithmWire.History.self).history.last else {
            throw RemoteError(.malformedResponse, endpoint: response.endpoint, status: response.status, field: "$.history")
        }
        return SentMessage(replyID: nil, replyText: last.assistantResponse)
    }

    /// `POST /conversation/{id}/chat` with `Accept: text/event-stream`: each
    /// `{"delta"}` → `.delta`; `done` → `.finished` with the deltas joined. Sent once.
    /// - Throws: from iteration, `RemoteError` (`network` for a stream cut before `done`,
    ///   `malformedResponse` naming the event's field).
    public func streamReply(to content: String, in conversationID: String, idempotencyKey: IdempotencyKey)
        async throws -> any AsyncSequence<ReplyEvent, any Error> & Sendable
    {
        var request = RemoteRequest(
            .post, "/conversation/{id}/chat", parameters: ["id": conversationID], idempotencyKey: idempotencyKey.rawValue)
        try request.setJSONBody(KnowrithmWire.ChatBody(message: content))
        let endpoint = request.endpoint
        let client = SSEClient(transport: transport, request: request, configuration: .init(maxReconnectAttempts: 0))
        return DialectEventStream<ReplyEvent>(client: client) { event, state in
            let prefix = "$.events[\(state.index)].data"
            switch event.type {
            case "message":
                let delta = try WireJSON.decode(KnowrithmWire.Delta.self, from: event.data, endpoint: endpoint, field: prefix)
                state.text += delta.delta
                return EventTranslation([.delta(delta.delta)])
            case "done":
                let done = try WireJSON.decode(KnowrithmWire.Done.self, from: event.data, endpoint: endpoint, field: prefix)
                return EventTranslation([.finished(messageID: done.messageID, text: state.text)], ends: true)
            default:
                throw RemoteError(.malformedResponse, endpoint: endpoint, field: "$.events[\(state.index)].event")
            }
        }
    }

    /// `DELETE /conversation/{id}`: a soft delete (idempotent).
    /// - Throws: `RemoteError`.
    public func deleteConversation(_ conversationID: String, idempotencyKey: IdempotencyKey) async throws {
        try await mutate(.delete, "/conversation/{id}", conversationID, idempotencyKey, KnowrithmWire.Conv.self)
    }

    /// `PATCH /conversation/{id}/restore` (idempotent).
    /// - Throws: `RemoteError`.
    public func restoreConversation(_ conversationID: String, idempotencyKey: IdempotencyKey) async throws {
        try await mutate(.patch, "/conversation/{id}/restore", conversationID, idempotencyKey, KnowrithmWire.Conv.self)
    }

    /// `DELETE /message/{id}` (a soft delete; the route names the message only).
    /// - Throws: `RemoteError` (`notFound` with `resource == .message`).
    public func deleteMessage(_ messageID: String, in conversationID: String, idempotencyKey: IdempotencyKey)
        async throws
    {
        try await mutate(.delete, "/message/{id}", messageID, idempotencyKey, KnowrithmWire.Message.self)
    }

    /// `PATCH /message/{id}/restore`.
    /// - Throws: `RemoteError`.
    public func restoreMessage(_ messageID: String, in conversationID: String, idempotencyKey: IdempotencyKey)
        async throws
    {
        try await mutate(.patch, "/message/{id}/restore", messageID, idempotencyKey, KnowrithmWire.Message.self)
    }

    /// `DELETE /conversation/{id}/messages`: soft-deletes every message.
    /// - Throws: `RemoteError`.
    public func deleteAllMessages(in conversationID: String, idempotencyKey: IdempotencyKey) async throws {
        try await mutate(.delete, "/conversation/{id}/messages", conversationID, idempotencyKey, KnowrithmWire.Bulk.self)
    }

    /// `PATCH /conversation/{id}/messages/restore`: restores every soft-deleted message.
    /// - Throws: `RemoteError`.
    public func restoreAllMessages(in conversationID: String, idempotencyKey: IdempotencyKey) async throws {
        try await mutate(
            .patch, "/conversation/{id}/messages/restore", conversationID, idempotencyKey, KnowrithmWire.Bulk.self)
    }

    // MARK: Helpers

    private func conversationPage(_ route: String, _ position: PagingPosition, _ pageSize: Int) async throws
        -> RemotePage<Conversation>
    {
        try await page(RemoteRequest(.get, route), position, pageSize, of: KnowrithmWire.Conv.self) { $0.value }
    }

    /// One page-numbered page; the next page exists while the page is below `pages`.
    private func page<Wire: WireValue, Item: Sendable>(
        _ request: RemoteRequest, _ position: PagingPosition, _ pageSize: Int, of type: Wire.Type,
        _ map: (Wire) -> Item
    ) async throws -> RemotePage<Item> {
        var request = request
        let perPage = try RequestChecks.pageSize(pageSize, endpoint: request.endpoint)
        let number: Int
        switch position {
        case .start: number = 1
        case .page(let page) where page >= 1: number = page
        default: throw RequestChecks.wrongPosition(request.endpoint)
        }
        request.query = [.init("page", String(number)), .init("per_page", String(perPage))]
        return try Self.decodePage(try await transport.send(request), number: number, of: type, map)
    }

    /// A page-numbered body; the next page exists while `number` is below `pages`.
    static func decodePage<Wire: WireValue, Item: Sendable>(
        _ response: RemoteResponse, number: Int, of type: Wire.Type, _ map: (Wire) -> Item
    ) throws -> RemotePage<Item> {
        let page = try response.decode(KnowrithmWire.Page<Wire>.self)
        return RemotePage(
            items: page.items.map(map), next: number < page.pages ? .page(number + 1) : nil, total: page.total)
    }

    private func mutate<Wire: WireValue>(
        _ method: RemoteRequest.Method, _ route: String, _ id: String, _ key: IdempotencyKey, _ answer: Wire.Type
    ) async throws {
        let request = RemoteRequest(method, route, parameters: ["id": id], idempotencyKey: key.rawValue)
        _ = try await transport.send(request).decode(answer)
    }
}
