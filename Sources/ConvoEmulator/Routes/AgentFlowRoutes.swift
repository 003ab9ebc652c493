import Hummingbird

/// The agentflow dialect (seed 000): cursor-paged listings by `updated_at`, search,
/// create, send (waiting or streamed, with cancel), durable watch, title, rename and
/// hard delete. Soft-deleted conversations are invisible here (404), since agentflow
/// has no soft delete.
struct AgentFlowRoutes {
    let services: EmulatorServices

    var table: RouteTable {
        var table = RouteTable()
        table.on(.get, "/agents", optional: "agents", listAgents)
        table.on(.get, "/conversations", listConversations)
        table.on(.post, "/conversations", createConversation)
        table.on(.get, "/conversations/search", optional: "search", search)
        table.on(.get, "/conversations/{id}", getConversation)
        table.on(.patch, "/conversations/{id}", rename)
        table.on(.delete, "/conversations/{id}", delete)
        table.on(.post, "/conversations/{id}/messages", send)
        table.on(.post, "/conversations/{id}/stream", stream)
        table.on(.post, "/conversations/{id}/runs/{run_id}/cancel", cancel)
        table.on(.post, "/conversations/{id}/title", optional: "title", generateTitle)
        table.on(.get, "/conversations/{id}/watch", optional: "watch", WatchRoute(services: services).watch)
        return table
    }

    private var store: EmulatorStore { services.store }

    @Sendable func listAgents(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        var agents = try await store.agents(tenantID: caller.tenantID)
        if let name = request.query("name") { agents = agents.filter { $0.name == name } }
        return .json(.object([("agents", .array(agents.map { .object([("id", .string($0.id)), ("name", .string($0.name))]) }))]))
    }

    /// A visible (not soft-deleted) conversation of the caller's tenant.
    func visibleConversation(_ id: String, tenantID: String) async throws -> ConversationRecord {
        let record = try await store.conversation(id, tenantID: tenantID)
        guard record.deletedAt == nil else {
            throw EmulatorError(.conversationNotFound, "no conversation \(BodyReader.printable(id))")
        }
        return record
    }

    private func page(_ request: Request, context: EmulatorContext, search: String?) async throws -> Response {
        let caller = try context.requireCaller()
        let lies = services.faults.beginListing(conversations: true)
        var query = ConversationQuery(tenantID: caller.tenantID)
        query.order = .updatedDescending
        query.limit = try request.pageSize()
        if let search {
            guard !search.isEmpty else { throw EmulatorError(.invalidRequest, "query parameter 'q' is required") }
            guard search.utf8.count <= 1000 else { throw EmulatorError(.invalidRequest, "query parameter 'q' is too long") }
            query.search = search
        } else {
            query.agentID = request.query("agent_id")
            query.sourceRefID = request.query("source_ref_id")
            query.source = request.query("source")
            query.excludeSource = request.query("exclude_source")
            if try request.boolQuery("all_users") == true, query.sourceRefID == nil {
                throw EmulatorError(.invalidRequest, "all_users=true requires source_ref_id")
            }
        }
        let scope = "af"
        let requested = try lies.cursor(request.query("cursor"), scope: scope)
        if let requested { query.start = .after(time: requested.time, id: requested.id) }
        let (items, total) = try await store.page(query)
        let counts = try await store.messageCounts(items.map(\.id))
        var hasMore = false
        if items.count == query.limit, let last = items.last {
            var probe = query
            probe.start = .after(time: last.updatedAt, id: last.id)
            probe.limit = 1
            hasMore = try await !store.page(probe).items.isEmpty
        }
        let next = lies.next(scope: scope, after: requested, last: items.last.map { KeysetCursor.Key(time: $0.updatedAt, id: $0.id) }, hasMore: hasMore)
        await services.churnAfterListing(lies, tenantID: caller.tenantID, agentID: nil)
        let shown = lies.page(items).map { AgentFlowRender.conversation($0, messageCount: counts[$0.id]) }
        return .json(.object([
            ("conversations", .array(lies.withFabricated(shown, prefix: "conv_") { id in
                AgentFlowRender.fabricatedConversation(id, agentID: items.first?.agentID ?? query.agentID ?? "agent_unknown")
            })),
            ("total", .int(Int64(lies.total(total)))),
            ("next_cursor", next.map(JSON.string) ?? .null),
        ]))
    }

    @Sendable func listConversations(_ request: Request, context: EmulatorContext) async throws -> Response {
        try await page(request, context: context, search: nil)
    }

    @Sendable func search(_ request: Request, context: EmulatorContext) async throws -> Response {
        try await page(request, context: context, search: request.query("q") ?? "")
    }

    @Sendable func createConversation(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        var request = request
        let body = try BodyReader(try await request.jsonBody(), allowed: ["agent_id"])
        let agentID = try body.requiredString("agent_id")
        let record = try await store.createConversation(NewConversation(
            tenantID: caller.tenantID, agentID: agentID, entityID: caller.entityID, title: nil))
        return .json(AgentFlowRender.conversation(record, messageCount: 0), status: .created)
    }

    @Sendable func getConversation(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try context.parameters.require("id")
        _ = try await visibleConversation(id, tenantID: caller.tenantID)
        return await .json(AgentFlowRender.detail(try store.detail(id, tenantID: caller.tenantID)))
    }

    @Sendable func rename(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try context.parameters.require("id")
        var request = request
        let body = try BodyReader(try await request.jsonBody(), allowed: ["title"])
        let title = try body.requiredString("title", maxLength: 500)
        _ = try await visibleConversation(id, tenantID: caller.tenantID)
        let record = try await store.rename(id, tenantID: caller.tenantID, title: title)
        let counts = try await store.messageCounts([id])
        return .json(AgentFlowRender.conversation(record, messageCount: counts[id]))
    }

    @Sendable func delete(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try context.parameters.require("id")
        _ = try await store.hardDelete(id, tenantID: caller.tenantID)
        return Response(status: .noContent)
    }

    private func prompt(_ request: Request) async throws -> String {
        var request = request
        let body = try BodyReader(try await request.jsonBody(), allowed: ["content"])
        return try body.requiredString("content")
    }

    @Sendable func send(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try context.parameters.require("id")
        let content = try await prompt(request)
        _ = try await visibleConversation(id, tenantID: caller.tenantID)
        let outcome = try await services.replies.answer(conversationID: id, tenantID: caller.tenantID, prompt: content, streaming: false)
        return .json(.object([("message_id", .string(outcome.assistantMessageID)), ("text", .string(outcome.text))]))
    }

    @Sendable func stream(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try context.parameters.require("id")
        let content = try await prompt(request)
        _ = try await visibleConversation(id, tenantID: caller.tenantID)
        let runID = store.newID("run_")
        let replies = services.replies
        return .eventStream(faults: services.faults.configuration) { events in
            var sink = events
            defer { events = sink }
            let outcome = try await replies.answer(
                conversationID: id, tenantID: caller.tenantID, prompt: content, runID: runID, streaming: true,
                started: { _, _ in
                    try await sink.send(ServerSentEvent(event: "run_started", data: JSON.object([("run_id", .string(runID))]).serializedString()))
                },
                emit: { delta in
                    try await sink.send(ServerSentEvent(event: "text_delta", data: JSON.object([("text", .string(delta))]).serializedString()))
                })
            if outcome.state == "done" {
                try await sink.send(ServerSentEvent(event: "final_response", data: JSON.object([
                    ("text", .string(outcome.text)), ("message_id", .string(outcome.assistantMessageID)),
                ]).serializedString()))
            } else {
                try await sink.send(ServerSentEvent(event: "run_cancelled", data: JSON.object([
                    ("run_id", .string(runID)), ("message_id", .string(outcome.assistantMessageID)), ("text", .string(outcome.text)),
                ]).serializedString()))
            }
        }
    }

    @Sendable func cancel(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try context.parameters.require("id")
        let runID = try context.parameters.require("run_id")
        _ = try await visibleConversation(id, tenantID: caller.tenantID)
        guard services.runs.cancel(runID, conversationID: id) else {
            throw EmulatorError(.messageNotFound, "no run \(BodyReader.printable(runID)) in this conversation")
        }
        return Response(status: .noContent)
    }

    @Sendable func generateTitle(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try context.parameters.require("id")
        var request = request
        let body = try BodyReader(try await request.jsonBody(), allowed: ["seed_message", "force"])
        let seedMessage = try body.optionalString("seed_message", nonEmpty: true)
        let force = try body.optionalBool("force") ?? false
        let record = try await visibleConversation(id, tenantID: caller.tenantID)
        if let title = record.title, !force {
            return .json(.object([("title", .string(title))]))
        }
        let seedText: String
        if let seedMessage {
            seedText = seedMessage
        } else {
            let detail = try await store.detail(id, tenantID: caller.tenantID)
            seedText = detail.visibleMessages.first { $0.message.role == "user" }?.flatContent ?? ""
        }
        let title = TextGenerator.title(from: seedText)
        _ = try await store.rename(id, tenantID: caller.tenantID, title: title)
        return .json(.object([("title", .string(title))]))
    }
}
