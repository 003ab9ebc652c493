import ConvoModel
import Foundation

/// The v2 dialect (seed 001) over `HTTPTransport`: agent discovery, per-agent
/// conversations and messages paged by `next` tokens, replies (whole or streamed as raw
/// text deltas), hard deletes, files and data frames.
///
/// Routes name the agent and the conversation; the port names only the conversation, so
/// the adapter finds a conversation's agent in `conversationAgents` (filled by listings,
/// creates and the engine), or uses the account's only agent.
///
///     let api = V2Adapter(transport: transport, account: account)
///     let page = try await api.conversations(from: .start, pageSize: 100, filter: .init(agentID: "agent_support"))
///     let turns = try await api.turns(of: page.items[0].conversation.id, from: .start, pageSize: 100)
public struct V2Adapter: RemoteAPI {
    /// The transport requests go through (bearer credentials, the account's base URL).
    public let transport: HTTPTransport
    /// The account this adapter speaks for; `agentIDs` are the agents in scope.
    public let account: RemoteAccount
    /// The agent of each conversation seen so far.
    public let conversationAgents: ConversationAgents

    /// Makes an adapter; `transport` must be built for `account` (see `RemoteAPIFactory`).
    public init(transport: HTTPTransport, account: RemoteAccount, conversationAgents: ConversationAgents = .init()) {
        self.transport = transport
        self.account = account
        self.conversationAgents = conversationAgents
    }

    /// `RemoteCapabilities.of(.v2)`.
    public var capabilities: RemoteCapabilities { .of(.v2) }

    /// Records the owners the replica knows, so a conversation seen in an earlier run can be
    /// read and written before this run lists it.
    public func rememberOwners(_ owners: [String: String]) {
        for (conversationID, agentID) in owners {
            conversationAgents.remember(conversationID: conversationID, agentID: agentID)
        }
    }

    /// Every agent, following `GET /agents` pages to the end; with `name`, only the
    /// agents of that name (v2 has no name filter, so it is applied here).
    /// - Throws: `RemoteError`.
    public func agents(named name: String?) async throws -> [RemoteAgent] {
        var agents: [RemoteAgent] = []
        var next: String?
        var seen: Set<String> = []
        repeat {
            let response = try await transport.send(
                RemoteRequest(.get, "/agents", query: [.init("limit", "100"), .init("next", next)]))
            let page = try response.decode(V2Wire.Page<WireAgent>.self)
            agents += page.items.map(\.value)
            next = page.next
            if let token = next, !seen.insert(token).inserted {
                throw RemoteError(.malformedResponse, endpoint: response.endpoint, status: response.status, field: "$.next")
            }
        } while next != nil
        guard let name else { return agents }
        return agents.filter { $0.name == name }
    }

    /// `GET /agents/{aid}/conversations`, paged by `next` token; the agent is
    /// `filter.agentID`, or the account's only agent. No total is reported.
    /// - Throws: `RemoteError`; `invalidRequest` (field `filter.agentID`) when no agent is
    ///   given and the account has not exactly one, or for a bad size or position;
    ///   `unsupported` for any other filter.
    public func conversations(from position: PagingPosition, pageSize: Int, filter: ConversationFilter) async throws
        -> RemotePage<ConversationSnapshot>
    {
        let endpoint = "GET /agents/{aid}/conversations"
        let limit = try RequestChecks.pageSize(pageSize, endpoint: endpoint)
        let others: [(String, Bool)] = [
            ("source", filter.source != nil), ("sourceRefID", filter.sourceRefID != nil),
            ("excludeSource", filter.excludeSource != nil), ("allUsers", filter.allUsers), ("query", filter.query != nil),
        ]
        if let other = others.first(where: \.1) { throw RequestChecks.unsupportedFilter(other.0, endpoint: endpoint) }
        guard let agentID = filter.agentID ?? (account.agentIDs.count == 1 ? account.agentIDs.first : nil) else {
            throw RemoteError(.invalidRequest, endpoint: endpoint, field: "filter.agentID")
        }
        let token = try Self.token(position, endpoint: endpoint)
        let response = try await transport.send(
            RemoteRequest(
                .get, "/agents/{aid}/conversations", parameters: ["aid": agentID],
                query: [.init("limit", String(limit)), .init("next", token)]))
        let page = try Self.conversationPage(response)
        for item in page.items { conversationAgents.remember(conversationID: item.conversation.id, agentID: agentID) }
        return page
    }

    /// A conversation `PaginatedResponse` body as a page of snapshots without turns.
    static func conversationPage(_ response: RemoteResponse) throws -> RemotePage<ConversationSnapshot> {
        let page = try response.decode(V2Wire.Page<V2Wire.Conv>.self)
        return RemotePage(
            items: page.items.map { ConversationSnapshot(conversation: $0.value, turns: nil) },
            next: page.next.map(PagingPosition.cursor))
    }

    /// v2 has no read by id: this reads the first message of the conversation
    /// (`GET …/{cid}/messages?limit=1`), which answers `conversation_not_found` once it is
    /// hard-deleted. The snapshot holds the id and agent only, without turns (page them with
    /// `turns(of:)`).
    /// - Throws: `RemoteError`; `notFound` with `resource == .conversation` once deleted.
    public func conversation(id: String) async throws -> ConversationSnapshot {
        let endpoint = "GET /agents/{aid}/conversations/{cid}/messages"
        let agentID = try agent(of: id, endpoint: endpoint)
        let response = try await transport.send(
            RemoteRequest(
                .get, "/agents/{aid}/conversations/{cid}/messages", parameters: ["aid": agentID, "cid": id],
                query: [.init("limit", "1")]))
        _ = try response.decode(V2Wire.Page<V2Wire.Message>.self)
        return ConversationSnapshot(conversation: Conversation(id: id, agentID: agentID), turns: nil)
    }

    /// `GET …/{cid}/messages`, oldest first, paged by `next` token.
    /// - Throws: `RemoteError`; `invalidRequest` for a bad size, position or unknown agent.
    public func turns(of conversationID: String, from position: PagingPosition, pageSize: Int) async throws
        -> RemotePage<Turn>
    {
        let endpoint = "GET /agents/{aid}/conversations/{cid}/messages"
        let limit = try RequestChecks.pageSize(pageSize, endpoint: endpoint)
        let token = try Self.token(position, endpoint: endpoint)
        let agentID = try agent(of: conversationID, endpoint: endpoint)
        let response = try await transport.send(
            RemoteRequest(
                .get, "/agents/{aid}/conversations/{cid}/messages", parameters: ["aid": agentID, "cid": conversationID],
                query: [.init("limit", String(limit)), .init("next", token)]))
        let page = try response.decode(V2Wire.Page<V2Wire.Message>.self)
        return RemotePage(items: page.items.map(\.value), next: page.next.map(PagingPosition.cursor))
    }

    /// `POST /agents/{aid}/conversations {"name"}`: the draft's title is the name, which
    /// v2 requires.
    /// - Throws: `RemoteError`; `invalidRequest` (field `title`) for a draft without a title.
    public func createConversation(_ draft: ConversationDraft, idempotencyKey: IdempotencyKey) async throws
        -> Conversation
    {
        var request = RemoteRequest(
            .post, "/agents/{aid}/conversations", parameters: ["aid": draft.agentID],
            idempotencyKey: idempotencyKey.rawValue)
        guard let title = draft.title, !title.isEmpty else {
            throw RemoteError(.invalidRequest, endpoint: request.endpoint, field: "title")
        }
        try request.setJSONBody(V2Wire.CreateBody(name: title))
        let conversation = try await transport.send(request).decode(V2Wire.Conv.self).value
        conversationAgents.remember(conversationID: conversation.id, agentID: conversation.agentID ?? draft.agentID)
        return conversation
    }

    /// `POST …/{cid}/messages {"content"}`: the reply is the last message when it is the
    /// assistant's; `turns` are all the conversation's messages after the exchange.
    /// - Throws: `RemoteError`.
    public func sendMessage(_ content: String, to conversationID: String, idempotencyKey: IdempotencyKey)
        async throws -> SentMessage
    {
        var request = try conversationRequest(.post, "/messages", conversationID, idempotencyKey)
        try request.setJSONBody(V2Wire.ContentBody(content: content))
        let state = try await transport.send(request).decode(V2Wire.State.self)
        let reply = state.messages.last.flatMap { $0.role == .assistant ? $0 : nil }
        return SentMessage(replyID: reply?.id, replyText: reply?.text, turns: state.messages)
    }

    /// `POST …/{cid}/stream {"content"}`: each unnamed event's data is raw reply text (a
    /// multi-line `data` is one delta holding newlines) → `.delta`; `done` → `.finished`
    /// with the deltas joined. The POST is sent once, when iteration starts.
    /// - Throws: from iteration, `RemoteError` (`network` for a stream cut before `done`,
    ///   `malformedResponse` for another event or a `done` whose data is not the contract's).
    public func streamReply(to content: String, in conversationID: String, idempotencyKey: IdempotencyKey)
        async throws -> any AsyncSequence<ReplyEvent, any Error> & Sendable
    {
        var request = try conversationRequest(.post, "/stream", conversationID, idempotencyKey)
        try request.setJSONBody(V2Wire.ContentBody(content: content))
        let endpoint = request.endpoint
        let client = SSEClient(transport: transport, request: request, configuration: .init(maxReconnectAttempts: 0))
        return DialectEventStream<ReplyEvent>(client: client) { event, state in
            switch event.type {
            case "message":
                state.text += event.data
                return EventTranslation([.delta(event.data)])
            case "done":
                let done = try WireJSON.decode(
                    V2Wire.Done.self, from: event.data, endpoint: endpoint, field: "$.events[\(state.index)].data")
                return EventTranslation([.finished(messageID: done.messageID, text: state.text)], ends: true)
            default:
                throw RemoteError(.malformedResponse, endpoint: endpoint, field: "$.events[\(state.index)].event")
            }
        }
    }

    /// `DELETE /agents/{aid}/conversations/{cid}`: a hard delete (answers the deleted
    /// conversation, which is checked and dropped).
    /// - Throws: `RemoteError`.
    public func deleteConversation(_ conversationID: String, idempotencyKey: IdempotencyKey) async throws {
        let request = try conversationRequest(.delete, "", conversationID, idempotencyKey)
        _ = try await transport.send(request).decode(V2Wire.Conv.self)
    }

    /// `GET …/{cid}/files`.
    /// - Throws: `RemoteError`.
    public func files(of conversationID: String) async throws -> [RemoteFile] {
        let request = try conversationRequest(.get, "/files", conversationID, nil)
        return try await transport.send(request).decode(V2Wire.FileList.self).files
    }

    /// `GET …/{cid}/files/download/?file_ref=`: the bytes as they arrive (unbounded by
    /// `maxResponseBytes`; the caller writes them where they belong).
    /// - Throws: `RemoteError` (`notFound` with `resource == .file`).
    public func downloadFile(ref: String, of conversationID: String) async throws -> RemoteByteStream {
        var request = try conversationRequest(.get, "/files/download/", conversationID, nil)
        request.query = [.init("file_ref", ref)]
        request.accept = "application/octet-stream"
        return try await transport.stream(request).body
    }

    /// `POST …/{cid}/files`, multipart with repeated field `files`; returns the files the
    /// upload created, in part order.
    /// - Throws: `RemoteError` (`payloadTooLarge` beyond the platform's limit).
    public func uploadFiles(_ files: [FileUpload], to conversationID: String, idempotencyKey: IdempotencyKey)
        async throws -> [RemoteFile]
    {
        var request = try conversationRequest(.post, "/files", conversationID, idempotencyKey)
        guard !files.isEmpty else { throw RemoteError(.invalidRequest, endpoint: request.endpoint, field: "files") }
        request.body = .multipart(MultipartForm(fieldName: "files", files: files))
        return try await transport.send(request).decode(V2Wire.FileList.self).files
    }

    /// `GET …/{cid}/data-frames?num_samples=`.
    /// - Throws: `RemoteError`; `invalidRequest` for a negative sample count.
    public func dataFrames(of conversationID: String, sampleCount: Int) async throws -> [DataFrameSummary] {
        var request = try conversationRequest(.get, "/data-frames", conversationID, nil)
        guard sampleCount >= 0 else { throw RemoteError(.invalidRequest, endpoint: request.endpoint, field: "sampleCount") }
        request.query = [.init("num_samples", String(sampleCount))]
        return try await transport.send(request).decode(V2Wire.FrameList.self).frames
    }

    /// `GET …/{cid}/data-frames/{name}?offset&limit&column_names&order_by&output_format=json`.
    /// - Throws: `RemoteError` (`notFound` with `resource == .dataFrame`); `invalidRequest`
    ///   for a limit outside 1…100, a negative offset or a column name holding a comma
    ///   (the list is comma-separated on the wire).
    public func dataFrame(named name: String, of conversationID: String, query: DataFrameQuery) async throws
        -> DataFrameSlice
    {
        var request = try conversationRequest(.get, "/data-frames/{data_frame_name}", conversationID, nil)
        request.parameters["data_frame_name"] = name
        _ = try RequestChecks.pageSize(query.limit, endpoint: request.endpoint)
        guard query.offset >= 0 else { throw RemoteError(.invalidRequest, endpoint: request.endpoint, field: "offset") }
        if let columns = query.columns, columns.isEmpty || columns.contains(where: { $0.isEmpty || $0.contains(",") }) {
            throw RemoteError(.invalidRequest, endpoint: request.endpoint, field: "columns")
        }
        request.query = [
            .init("offset", String(query.offset)), .init("limit", String(query.limit)),
            .init("column_names", query.columns?.joined(separator: ",")), .init("order_by", query.orderBy),
            .init("output_format", "json"),
        ]
        return try await transport.send(request).decode(V2Wire.FrameRows.self).value
    }

    // MARK: Helpers

    private static func token(_ position: PagingPosition, endpoint: String) throws -> String? {
        switch position {
        case .start: nil
        case .cursor(let token): token
        case .offset, .page: throw RequestChecks.wrongPosition(endpoint)
        }
    }

    private func agent(of conversationID: String, endpoint: String) throws -> String {
        if let agent = conversationAgents.agent(of: conversationID) { return agent }
        if account.agentIDs.count == 1, let only = account.agentIDs.first { return only }
        throw RemoteError(.invalidRequest, endpoint: endpoint, field: "agentID")
    }

    /// A request under `/agents/{aid}/conversations/{cid}`.
    private func conversationRequest(
        _ method: RemoteRequest.Method, _ suffix: String, _ conversationID: String, _ key: IdempotencyKey?
    ) throws -> RemoteRequest {
        let route = "/agents/{aid}/conversations/{cid}" + suffix
        let agentID = try agent(of: conversationID, endpoint: "\(method.rawValue) \(route)")
        return RemoteRequest(
            method, route, parameters: ["aid": agentID, "cid": conversationID], idempotencyKey: key?.rawValue)
    }
}
