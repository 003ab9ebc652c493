import Foundation
import Hummingbird

/// The knowrithm dialect (seed 002): page-numbered listings (active, per entity,
/// deleted), soft delete and restore of conversations and messages (single and bulk),
/// chat (history or streamed `{"delta"}` events) and analytics.
struct KnowrithmRoutes {
    let services: EmulatorServices
    private var store: EmulatorStore { services.store }

    var table: RouteTable {
        var table = RouteTable()
        table.on(.post, "/conversation", createConversation)
        table.on(.get, "/conversation", listActive)
        table.on(.get, "/conversation/entity", optional: "entity_listing", listEntity)
        table.on(.get, "/conversation/deleted", optional: "deleted_listing", listDeleted)
        // Not in DIALECTS.md (knowrithm documents no read by id): an extension, off by default.
        table.on(.get, "/conversation/{id}", isExtension: true, getConversation)
        table.on(.delete, "/conversation/{id}", deleteConversation)
        table.on(.patch, "/conversation/{id}/restore", restoreConversation)
        table.on(.get, "/conversation/{id}/messages", listMessages)
        table.on(.delete, "/conversation/{id}/messages", deleteMessages)
        table.on(.patch, "/conversation/{id}/messages/restore", restoreMessages)
        table.on(.post, "/conversation/{id}/chat", chat)
        table.on(.delete, "/message/{id}", deleteMessage)
        table.on(.patch, "/message/{id}/restore", restoreMessage)
        table.on(.get, "/analytics/conversation/{id}", optional: "analytics", analytics)
        return table
    }

    static func conversation(_ record: ConversationRecord) -> JSON {
        .object([
            ("id", .string(record.id)),
            ("agent_id", .string(record.agentID)),
            ("entity_id", .string(record.entityID)),
            ("title", .optional(record.title)),
            ("metadata", (try? JSON.parse(Data(record.metadata.utf8))) ?? .object([])),
            ("max_context_length", .optional(record.maxContextLength)),
            ("created_at", WireTime.json(record.createdAt)),
            ("updated_at", WireTime.json(record.updatedAt)),
            ("deleted_at", WireTime.json(record.deletedAt)),
        ])
    }

    static func message(_ record: MessageRecord, content: String) -> JSON {
        .object([
            ("id", .string(record.id)),
            ("role", .string(record.role)),
            ("content", .string(content)),
            ("created_at", WireTime.json(record.createdAt)),
            ("deleted_at", WireTime.json(record.deletedAt)),
        ])
    }

    /// `page` (≥ 1, default 1) and `per_page` (1–100, default 20).
    static func paging(_ request: Request) throws -> (page: Int, perPage: Int) {
        let page = try request.positionQuery("page", default: 1, minimum: 1)
        let perPage = try request.pageSize("per_page")
        return (page, perPage)
    }

    /// Where page `page` starts; a page past `Int.max` items starts after everything.
    static func offset(page: Int, perPage: Int) -> Int {
        let (offset, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
        return overflow ? .max : offset
    }

    /// A page as `lies` tell it: `items` already cut, `total` the true total.
    static func pageBody(_ items: [JSON], page: Int, perPage: Int, total: Int, lies: ListingLies) -> JSON {
        .object([
            ("items", .array(items)),
            ("page", .int(Int64(page))),
            ("per_page", .int(Int64(perPage))),
            ("total", .int(Int64(lies.total(total)))),
            ("pages", .int(Int64(lies.pages(truth: total, perPage: perPage, page: page)))),
        ])
    }

    /// A conversation in no store, for the hostile-ids fault: well-formed but for its id.
    static func fabricatedConversation(_ id: String, agentID: String, entityID: String, deleted: Bool) -> JSON {
        .object([
            ("id", .string(id)),
            ("agent_id", .string(agentID)),
            ("entity_id", .string(entityID)),
            ("title", .null),
            ("metadata", .object([])),
            ("max_context_length", .null),
            ("created_at", WireTime.json(0)),
            ("updated_at", WireTime.json(0)),
            ("deleted_at", WireTime.json(deleted ? 0 : nil)),
        ])
    }

    private func list(_ request: Request, context: EmulatorContext, deletion: ConversationQuery.Deletion, byEntity: Bool) async throws -> Response {
        let caller = try context.requireCaller()
        let lies = services.faults.beginListing(conversations: true)
        let (page, perPage) = try Self.paging(request)
        var query = ConversationQuery(tenantID: caller.tenantID)
        query.deletion = deletion
        query.entityID = byEntity ? caller.entityID : nil
        query.order = .createdAscending
        query.limit = perPage
        query.start = .offset(Self.offset(page: page, perPage: perPage))
        let (items, total) = try await store.page(query)
        await services.churnAfterListing(lies, tenantID: caller.tenantID, agentID: nil)
        let shown = lies.withFabricated(lies.page(items).map(Self.conversation), prefix: "conv_") { id in
            Self.fabricatedConversation(
                id, agentID: items.first?.agentID ?? "agent_unknown", entityID: caller.entityID, deleted: deletion == .deletedOnly)
        }
        return .json(Self.pageBody(shown, page: page, perPage: perPage, total: total, lies: lies))
    }

    @Sendable func listActive(_ request: Request, context: EmulatorContext) async throws -> Response {
        try await list(request, context: context, deletion: .active, byEntity: false)
    }

    @Sendable func listEntity(_ request: Request, context: EmulatorContext) async throws -> Response {
        try await list(request, context: context, deletion: .active, byEntity: true)
    }

    @Sendable func listDeleted(_ request: Request, context: EmulatorContext) async throws -> Response {
        try await list(request, context: context, deletion: .deletedOnly, byEntity: false)
    }

    @Sendable func createConversation(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        var request = request
        let body = try BodyReader(try await request.jsonBody(), allowed: ["agent_id", "title", "metadata", "max_context_length"])
        let agentID = try body.requiredString("agent_id")
        let title = try body.optionalString("title", maxLength: 500)
        let metadata = try body.optionalObject("metadata") ?? .object([])
        let maxContext = try body.optionalInt("max_context_length", in: 1...Int64.max)
        let source = metadata["source"]?.stringValue.flatMap { TextGenerator.sources.contains($0) ? $0 : nil } ?? "api"
        let record = try await store.createConversation(NewConversation(
            tenantID: caller.tenantID, agentID: agentID, entityID: caller.entityID, title: title,
            metadata: metadata, source: source, maxContextLength: maxContext))
        return .json(Self.conversation(record), status: .created)
    }

    @Sendable func getConversation(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        return await .json(Self.conversation(try store.conversation(try context.parameters.require("id"), tenantID: caller.tenantID)))
    }

    @Sendable func deleteConversation(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        return await .json(Self.conversation(try store.softDelete(try context.parameters.require("id"), tenantID: caller.tenantID)))
    }

    @Sendable func restoreConversation(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        return await .json(Self.conversation(try store.restore(try context.parameters.require("id"), tenantID: caller.tenantID)))
    }

    @Sendable func listMessages(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let lies = services.faults.beginListing(conversations: false)
        let (page, perPage) = try Self.paging(request)
        let detail = try await store.detail(try context.parameters.require("id"), tenantID: caller.tenantID)
        let items = detail.messages.dropFirst(Self.offset(page: page, perPage: perPage)).prefix(perPage).map { Self.message($0.message, content: $0.flatContent) }
        let shown = lies.withFabricated(Array(items), prefix: "msg_") { id in
            .object([("id", .string(id)), ("role", .string("assistant")), ("content", .string("")),
                     ("created_at", WireTime.json(0)), ("deleted_at", .null)])
        }
        return .json(Self.pageBody(shown, page: page, perPage: perPage, total: detail.messages.count, lies: lies))
    }

    private func messageContents(_ ids: [String], tenantID: String, conversationID: String) async throws -> [String: String] {
        let detail = try await store.detail(conversationID, tenantID: tenantID)
        return Dictionary(uniqueKeysWithValues: detail.messages.filter { ids.contains($0.message.id) }.map { ($0.message.id, $0.flatContent) })
    }

    private func setAll(_ context: EmulatorContext, deleted: Bool) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try context.parameters.require("id")
        let changed = try await store.setMessagesDeleted(conversationID: id, tenantID: caller.tenantID, deleted: deleted)
        return .json(.object([("affected", .int(Int64(changed.count)))]))
    }

    @Sendable func deleteMessages(_ request: Request, context: EmulatorContext) async throws -> Response {
        try await setAll(context, deleted: true)
    }

    @Sendable func restoreMessages(_ request: Request, context: EmulatorContext) async throws -> Response {
        try await setAll(context, deleted: false)
    }

    private func setOne(_ context: EmulatorContext, deleted: Bool) async throws -> Response {
        let caller = try context.requireCaller()
        let message = try await store.setMessageDeleted(try context.parameters.require("id"), tenantID: caller.tenantID, deleted: deleted)
        let contents = try await messageContents([message.id], tenantID: caller.tenantID, conversationID: message.conversationID)
        return .json(Self.message(message, content: contents[message.id] ?? ""))
    }

    @Sendable func deleteMessage(_ request: Request, context: EmulatorContext) async throws -> Response {
        try await setOne(context, deleted: true)
    }

    @Sendable func restoreMessage(_ request: Request, context: EmulatorContext) async throws -> Response {
        try await setOne(context, deleted: false)
    }

    /// The conversation's exchanges, oldest first: each user turn with the reply to it
    /// (`""` when the reply is missing or soft-deleted, since the contract's reply is a string).
    static func history(_ detail: ConversationDetail) -> JSON {
        let visible = detail.visibleMessages
        var pairs: [JSON] = []
        for user in visible where user.message.role == "user" {
            let reply = visible.first { $0.message.inReplyTo == user.message.id }
            pairs.append(.object([
                ("user_message", .string(user.flatContent)),
                ("assistant_response", .string(reply?.flatContent ?? "")),
                ("created_at", WireTime.json(user.message.createdAt)),
            ]))
        }
        return .object([("history", .array(pairs))])
    }

    @Sendable func chat(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try context.parameters.require("id")
        var request = request
        let body = try BodyReader(try await request.jsonBody(), allowed: ["message"])
        let message = try body.requiredString("message")
        let record = try await store.conversation(id, tenantID: caller.tenantID)
        guard record.deletedAt == nil else {
            throw EmulatorError(.unprocessable, "conversation \(id) is deleted; restore it first")
        }
        let replies = services.replies
        if request.headers[.accept]?.contains("text/event-stream") == true {
            return .eventStream(faults: services.faults.configuration) { events in
                let outcome = try await replies.answer(
                    conversationID: id, tenantID: caller.tenantID, prompt: message, streaming: true,
                    emit: { delta in try await events.send(ServerSentEvent(data: JSON.object([("delta", .string(delta))]).serializedString())) })
                try await events.send(ServerSentEvent(event: "done", data: JSON.object([("message_id", .string(outcome.assistantMessageID))]).serializedString()))
            }
        }
        _ = try await replies.answer(conversationID: id, tenantID: caller.tenantID, prompt: message, streaming: false)
        return await .json(Self.history(try store.detail(id, tenantID: caller.tenantID)))
    }

    @Sendable func analytics(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let detail = try await store.detail(try context.parameters.require("id"), tenantID: caller.tenantID)
        let visible = detail.visibleMessages
        let agentCount = visible.filter { $0.message.role == "assistant" }.count
        let userCount = visible.count - agentCount
        return .json(.object([
            ("conversation_id", .string(detail.conversation.id)),
            ("message_statistics", .object([
                ("agent_message_count", .int(Int64(agentCount))),
                ("user_message_count", .int(Int64(userCount))),
                ("total_messages", .int(Int64(visible.count))),
            ])),
            ("first_message_at", WireTime.json(visible.first?.message.createdAt)),
            ("last_message_at", WireTime.json(visible.last?.message.createdAt)),
        ]))
    }
}
