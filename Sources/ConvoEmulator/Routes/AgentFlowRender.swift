/// agentflow's JSON shapes.
enum AgentFlowRender {
    /// Conv: `id, title, agent_id, source, source_ref_id, message_count, created_at, updated_at`.
    static func conversation(_ record: ConversationRecord, messageCount: Int64?) -> JSON {
        .object([
            ("id", .string(record.id)),
            ("title", .optional(record.title)),
            ("agent_id", .string(record.agentID)),
            ("source", .string(record.source)),
            ("source_ref_id", .optional(record.sourceRefID)),
            ("message_count", .optional(messageCount)),
            ("created_at", WireTime.json(record.createdAt)),
            ("updated_at", WireTime.json(record.updatedAt)),
        ])
    }

    /// A conversation in no store, for the hostile-ids fault: well-formed but for its id.
    static func fabricatedConversation(_ id: String, agentID: String) -> JSON {
        .object([
            ("id", .string(id)),
            ("title", .null),
            ("agent_id", .string(agentID)),
            ("source", .string("api")),
            ("source_ref_id", .null),
            ("message_count", .int(0)),
            ("created_at", WireTime.json(0)),
            ("updated_at", WireTime.json(0)),
        ])
    }

    /// Conv plus `messages` (visible ones, flat content): the body of GET and of snapshots.
    static func detail(_ detail: ConversationDetail) -> JSON {
        let visible = detail.visibleMessages
        guard case .object(var members) = conversation(detail.conversation, messageCount: Int64(visible.count)) else {
            return .null
        }
        members.append(("messages", .array(visible.map { message in
            .object([
                ("id", .string(message.message.id)),
                ("role", .string(message.message.role)),
                ("content", .string(message.flatContent)),
                ("timestamp", WireTime.json(message.message.createdAt)),
            ])
        })))
        return .object(members)
    }
}
