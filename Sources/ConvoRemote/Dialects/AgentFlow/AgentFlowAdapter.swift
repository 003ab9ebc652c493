import ConvoModel
import Foundation

/// The agentflow dialect (seed 000) over `HTTPTransport`: cursor-paged listings with
/// totals and filters, reads with all messages, streamed replies with cancellable runs,
/// a durable watch stream of snapshots, titles, and hard deletes.
///
///     let api = AgentFlowAdapter(transport: transport, account: account)
///     let page = try await api.conversations(from: .start, pageSize: 50, filter: .init(source: "web"))
///     for try await event in api.watch(conversationID: id, lastEventID: stored) { apply(event) }
///
/// Every mutation sends its `IdempotencyKey` as `Idempotency-Key`.
public struct AgentFlowAdapter: RemoteAPI {
    /// The transport requests go through (bearer credentials, the account's base URL).
    public let transport: HTTPTransport
    /// The account this adapter speaks for.
    public let account: RemoteAccount
    /// How watch streams reconnect (their `lastEventIDQueryName` is always `last_event_id`).
    public let watchConfiguration: SSEClient.Configuration

    /// Makes an adapter; `transport` must be built for `account` (see `RemoteAPIFactory`).
    public init(transport: HTTPTransport, account: RemoteAccount, watchConfiguration: SSEClient.Configuration = .init()) {
        self.transport = transport
        self.account = account
        var configuration = watchConfiguration
        configuration.lastEventIDQueryName = "last_event_id"
        self.watchConfiguration = configuration
    }

    /// `RemoteCapabilities.of(.agentflow)`.
    public var capabilities: RemoteCapabilities { .of(.agentflow) }

    /// `GET /agents`, filtered by `name` when given.
    /// - Throws: `RemoteError`.
    public func agents(named name: String?) async throws -> [RemoteAgent] {
        let response = try await transport.send(RemoteRequest(.get, "/agents", query: [.init("name", name)]))
        return try response.decode(AgentFlowWire.AgentList.self).agents
    }

    /// `GET /conversations` with the filter's agent, source, source reference,
    /// excluded source and `all_users`; or `GET /conversations/search` when `filter.query`
    /// is set (search takes no other filter). Pages by cursor; `total` counts every match.
    /// - Throws: `RemoteError`; `invalidRequest` for a page size outside 1…100 or a
    ///   non-cursor position; `unsupported` for a search combined with another filter.
    public func conversations(from position: PagingPosition, pageSize: Int, filter: ConversationFilter) async throws
        -> RemotePage<ConversationSnapshot>
    {
        let searching = filter.query != nil
        let endpoint = searching ? "GET /conversations/search" : "GET /conversations"
        let limit = try RequestChecks.pageSize(pageSize, endpoint: endpoint)
        let cursor: String?
        switch position {
        case .start: cursor = nil
        case .cursor(let token): cursor = token
        case .offset, .page: throw RequestChecks.wrongPosition(endpoint)
        }
        let request: RemoteRequest
        if let query = filter.query {
            let others: [(String, Bool)] = [
                ("agentID", filter.agentID != nil), ("source", filter.source != nil),
                ("sourceRefID", filter.sourceRefID != nil), ("excludeSource", filter.excludeSource != nil),
                ("allUsers", filter.allUsers),
            ]
            if let other = others.first(where: \.1) { throw RequestChecks.unsupportedFilter(other.0, endpoint: endpoint) }
            request = RemoteRequest(
                .get, "/conversations/search",
                query: [.init("q", query), .init("limit", String(limit)), .init("cursor", cursor)])
        } else {
            request = RemoteRequest(
                .get, "/conversations",
                query: [
                    .init("limit", String(limit)), .init("cursor", cursor), .init("agent_id", filter.agentID),
                    .init("source_ref_id", filter.sourceRefID), .init("source", filter.source),
                    .init("exclude_source", filter.excludeSource), .init("all_users", filter.allUsers ? "true" : nil),
                ])
        }
        return try Self.conversationPage(try await transport.send(request))
    }

    /// A `ConversationPage` body as a page of snapshots without turns.
    static func conversationPage(_ response: RemoteResponse) throws -> RemotePage<ConversationSnapshot> {
        let page = try response.decode(AgentFlowWire.Page.self)
        return RemotePage(
            items: page.conversations.map { ConversationSnapshot(conversation: $0, turns: nil) },
            next: page.nextCursor.map(PagingPosition.cursor), total: page.total)
    }

    /// `GET /conversations/{id}`: the conversation with all its messages.
    /// - Throws: `RemoteError`; `notFound` with `resource == .conversation` once hard-deleted.
    public func conversation(id: String) async throws -> ConversationSnapshot {
        let response = try await transport.send(RemoteRequest(.get, "/conversations/{id}", parameters: ["id": id]))
        return try response.decode(AgentFlowWire.Detail.self).value
    }

    /// `GET /conversations/{id}/watch`: durable snapshots, resumed after `lastEventID`
    /// (sent as `Last-Event-ID` and `last_event_id`, and again on every reconnection).
    /// A snapshot whose block carries no new id, an unknown event or bad data ends the
    /// stream with `malformedResponse`; `deleted` ends it normally.
    public func watch(conversationID: String, lastEventID: String?) -> any AsyncSequence<WatchEvent, any Error> & Sendable {
        let request = RemoteRequest(.get, "/conversations/{id}/watch", parameters: ["id": conversationID])
        let client = SSEClient(
            transport: transport, request: request, lastEventID: lastEventID,
            configuration: watchConfiguration)
        var state = EventStreamState()
        state.lastSnapshotID = lastEventID
        let endpoint = request.endpoint
        return DialectEventStream<WatchEvent>(client: client, initialState: state) { event, state in
            let prefix = "$.events[\(state.index)].data"
            switch event.type {
            case "conversation_update":
                // An event whose id is missing (or was one SSE ignores: control bytes, over
                // 1 KiB) keeps the previous id: a new snapshot if its data differs, applied
                // without a position; a snapshot delivered twice (a proxy's retry, a replay)
                // is applied once.
                let fresh = !event.id.isEmpty && event.id != state.lastSnapshotID
                if !fresh && event.data == state.lastSnapshotData { return EventTranslation() }
                let detail = try WireJSON.decode(AgentFlowWire.Detail.self, from: event.data, endpoint: endpoint, field: prefix)
                state.lastSnapshotData = event.data
                guard fresh else { return EventTranslation([.snapshot(eventID: nil, detail.value)]) }
                state.lastSnapshotID = event.id
                return EventTranslation([.snapshot(eventID: event.id, detail.value)])
            case "reset":
                _ = try WireJSON.decode(AgentFlowWire.Reset.self, from: event.data, endpoint: endpoint, field: prefix)
                state.lastSnapshotID = nil
                return EventTranslation([.reset])
            case "deleted":
                let deleted = try WireJSON.decode(AgentFlowWire.Deleted.self, from: event.data, endpoint: endpoint, field: prefix)
                return EventTranslation([.deleted(conversationID: deleted.id)], ends: true)
            default:
                throw RemoteError(.malformedResponse, endpoint: endpoint, field: "$.events[\(state.index)].event")
            }
        }
    }

    /// `POST /conversations {"agent_id"}`; title, metadata and context length are not
    /// taken at creation by this dialect and are ignored.
    /// - Throws: `RemoteError` (`notFound` with `resource == .agent` for an unknown agent).
    public func createConversation(_ draft: ConversationDraft, idempotencyKey: IdempotencyKey) async throws
        -> Conversation
    {
        var request = RemoteRequest(.post, "/conversations", idempotencyKey: idempotencyKey.rawValue)
        try request.setJSONBody(AgentFlowWire.CreateBody(agent_id: draft.agentID))
        return try await transport.send(request).decode(AgentFlowWire.Conv.self).value
    }

    /// `POST /conversations/{id}/messages {"content"}`: waits for the reply.
    /// - Throws: `RemoteError`.
    public func sendMessage(_ content: String, to conversationID: String, idempotencyKey: IdempotencyKey)
        async throws -> SentMessage
    {
        var request = RemoteRequest(
            .post, "/conversations/{id}/messages", parameters: ["id": conversationID],
            idempotencyKey: idempotencyKey.rawValue)
        try request.setJSONBody(AgentFlowWire.ContentBody(content: content))
        let result = try await transport.send(request).decode(AgentFlowWire.SendResult.self)
        return SentMessage(replyID: result.messageID, replyText: result.text)
    }

    /// `POST /conversations/{id}/stream {"content"}`: `run_started` → `.started`, each
    /// `text_delta` → `.delta`, then `final_response` → `.finished` or `run_cancelled` →
    /// `.stopped`. The POST is sent once, when iteration starts, and never re-sent.
    /// - Throws: from iteration, `RemoteError`: the request's error, `network` for a stream
    ///   cut before its last event, `malformedResponse` naming the event's field.
    public func streamReply(to content: String, in conversationID: String, idempotencyKey: IdempotencyKey)
        async throws -> any AsyncSequence<ReplyEvent, any Error> & Sendable
    {
        var request = RemoteRequest(
            .post, "/conversations/{id}/stream", parameters: ["id": conversationID],
            idempotencyKey: idempotencyKey.rawValue)
        try request.setJSONBody(AgentFlowWire.ContentBody(content: content))
        let endpoint = request.endpoint
        let client = SSEClient(transport: transport, request: request, configuration: .init(maxReconnectAttempts: 0))
        return DialectEventStream<ReplyEvent>(client: client) { event, state in
            let prefix = "$.events[\(state.index)].data"
            if state.index == 0 && event.type != "run_started" {
                throw RemoteError(.malformedResponse, endpoint: endpoint, field: "$.events[0].event")
            }
            switch event.type {
            case "run_started" where state.index == 0:
                let started = try WireJSON.decode(AgentFlowWire.RunStarted.self, from: event.data, endpoint: endpoint, field: prefix)
                return EventTranslation([.started(runID: started.runID)])
            case "text_delta":
                let delta = try WireJSON.decode(AgentFlowWire.TextDelta.self, from: event.data, endpoint: endpoint, field: prefix)
                return EventTranslation([.delta(delta.text)])
            case "final_response":
                let final = try WireJSON.decode(AgentFlowWire.FinalResponse.self, from: event.data, endpoint: endpoint, field: prefix)
                return EventTranslation([.finished(messageID: final.messageID, text: final.text)], ends: true)
            case "run_cancelled":
                _ = try WireJSON.decode(AgentFlowWire.RunCancelled.self, from: event.data, endpoint: endpoint, field: prefix)
                return EventTranslation([.stopped], ends: true)
            default:
                throw RemoteError(.malformedResponse, endpoint: endpoint, field: "$.events[\(state.index)].event")
            }
        }
    }

    /// `POST /conversations/{id}/runs/{run_id}/cancel` (204).
    /// - Throws: `RemoteError`.
    public func cancelRun(_ runID: String, in conversationID: String, idempotencyKey: IdempotencyKey) async throws {
        _ = try await transport.send(
            RemoteRequest(
                .post, "/conversations/{id}/runs/{run_id}/cancel", parameters: ["id": conversationID, "run_id": runID],
                idempotencyKey: idempotencyKey.rawValue))
    }

    /// `PATCH /conversations/{id} {"title"}`.
    /// - Throws: `RemoteError`.
    public func renameConversation(_ conversationID: String, to title: String, idempotencyKey: IdempotencyKey)
        async throws -> Conversation
    {
        var request = RemoteRequest(
            .patch, "/conversations/{id}", parameters: ["id": conversationID], idempotencyKey: idempotencyKey.rawValue)
        try request.setJSONBody(AgentFlowWire.UpdateBody(title: title))
        return try await transport.send(request).decode(AgentFlowWire.Conv.self).value
    }

    /// `POST /conversations/{id}/title {"seed_message"?, "force"}`.
    /// - Throws: `RemoteError`.
    public func generateTitle(
        for conversationID: String, seedMessage: String?, force: Bool, idempotencyKey: IdempotencyKey
    ) async throws -> String {
        var request = RemoteRequest(
            .post, "/conversations/{id}/title", parameters: ["id": conversationID],
            idempotencyKey: idempotencyKey.rawValue)
        try request.setJSONBody(AgentFlowWire.TitleBody(seed_message: seedMessage, force: force))
        return try await transport.send(request).decode(AgentFlowWire.Title.self).title
    }

    /// `DELETE /conversations/{id}` (204): a hard delete.
    /// - Throws: `RemoteError`.
    public func deleteConversation(_ conversationID: String, idempotencyKey: IdempotencyKey) async throws {
        _ = try await transport.send(
            RemoteRequest(
                .delete, "/conversations/{id}", parameters: ["id": conversationID],
                idempotencyKey: idempotencyKey.rawValue))
    }
}
