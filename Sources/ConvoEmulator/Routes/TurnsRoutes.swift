import Hummingbird

/// The turns dialect (seed 003): a read-only, offset-paged listing of an agent's
/// conversations, each with all its turns and their messages (fragments).
struct TurnsRoutes {
    let services: EmulatorServices

    var table: RouteTable {
        var table = RouteTable()
        table.on(.get, "/agents/{agentId}/conversations", listConversations)
        return table
    }

    @Sendable func listConversations(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let lies = services.faults.beginListing(conversations: true)
        let agentID = try context.parameters.require("agentId")
        let store = services.store
        _ = try await store.agent(agentID, tenantID: caller.tenantID)
        var query = ConversationQuery(tenantID: caller.tenantID)
        query.agentID = agentID
        query.order = .createdAscending
        query.limit = try request.pageSize()
        let offset = try request.positionQuery("offset", default: 0, minimum: 0)
        query.start = .offset(offset)
        let (items, total) = try await store.page(query)
        let details = try await store.details(items)
        await services.churnAfterListing(lies, tenantID: caller.tenantID, agentID: agentID)
        // Under hostile ids the page's first true conversation gains a fabricated turn.
        let hostileTurn = lies.hostileID(prefix: "msg_").map(Self.fabricatedTurn)
        let shown = lies.page(details).enumerated().map { index, detail in
            Self.conversation(detail, extraTurn: index == 0 ? hostileTurn : nil)
        }
        return .json(.object([
            ("conversations", .array(lies.withFabricated(shown, prefix: "conv_") { .object([("id", .string($0)), ("turns", .array([]))]) })),
            ("pageInfo", .object([
                ("requestedPageSize", .int(Int64(query.limit))),
                ("requestedOffset", .int(Int64(offset))),
                ("totalResultCount", .int(Int64(lies.total(total)))),
            ])),
        ]))
    }

    /// A turn in no store, for the hostile-ids fault: a finished user turn, well-formed but for its id.
    static func fabricatedTurn(_ id: String) -> JSON {
        .object([
            ("id", .string(id)),
            ("timestamp", WireTime.json(0)),
            ("role", .string("user")),
            ("messages", .array([.object([("kind", .string("text")), ("content", .string("fabricated")), ("state", .string("done"))])])),
            ("state", .string("done")),
        ])
    }

    static func conversation(_ detail: ConversationDetail, extraTurn: JSON? = nil) -> JSON {
        .object([
            ("id", .string(detail.conversation.id)),
            ("turns", .array(detail.visibleMessages.map(turn) + (extraTurn.map { [$0] } ?? []))),
        ])
    }

    static func turn(_ detail: MessageDetail) -> JSON {
        let message = detail.message
        var members: [(String, JSON)] = [
            ("id", .string(message.id)),
            ("timestamp", WireTime.json(message.createdAt)),
            ("role", .string(message.role)),
            ("messages", .array(detail.fragments.map { fragment in
                var parts: [(String, JSON)] = [
                    ("kind", .string(fragment.kind)),
                    ("content", .string(fragment.content)),
                    ("state", .string(fragment.state)),
                ]
                if let metadata = fragment.metadata, let json = try? JSON.parse(Data(metadata.utf8)) {
                    parts.append(("metadata", json))
                }
                return .object(parts)
            })),
            ("state", .string(message.state)),
        ]
        if let detail = message.errorDetail { members.append(("errorDetail", .string(detail))) }
        if let reply = message.inReplyTo { members.append(("inReplyToId", .string(reply))) }
        return .object(members)
    }
}

import Foundation
