import Foundation
import GRDB

extension EmulatorStore {
    /// Everything a tenant holds, as JSON, to compare a client's replica with.
    ///
    /// Conversations by creation (then id), each with its fields, deletion time, and all
    /// messages (soft-deleted ones marked) with their fragments; then agents, files
    /// (without bytes, with their size) and data frames. Snapshots and idempotency
    /// records are server bookkeeping and left out.
    public func truth(tenantID: String) async throws -> JSON {
        try await database.read { db in try Self.truth(db, tenantID: tenantID) }
    }

    private static func truth(_ db: Database, tenantID: String) throws -> JSON {
        let agents = try AgentRecord.filter(AgentRecord.Columns.tenantID == tenantID).order(AgentRecord.Columns.id).fetchAll(db)
        let conversations = try ConversationRecord.filter(ConversationRecord.Columns.tenantID == tenantID)
            .order(ConversationRecord.Columns.createdAt, ConversationRecord.Columns.id).fetchAll(db)
        let details = try Self.details(db, conversations)
        var renderedConversations: [JSON] = []
        for detail in details {
            let record = detail.conversation
            let files = try FileRecord.filter(FileRecord.Columns.conversationID == record.id)
                .order(FileRecord.Columns.createdAt, FileRecord.Columns.fileRef).fetchAll(db)
            let frames = try DataFrameRecord.filter(DataFrameRecord.Columns.conversationID == record.id)
                .order(DataFrameRecord.Columns.name).fetchAll(db).map(DataFrame.init)
            renderedConversations.append(.object([
                ("id", .string(record.id)),
                ("agent_id", .string(record.agentID)),
                ("entity_id", .string(record.entityID)),
                ("title", .optional(record.title)),
                ("metadata", (try? JSON.parse(Data(record.metadata.utf8))) ?? .object([])),
                ("source", .string(record.source)),
                ("source_ref_id", .optional(record.sourceRefID)),
                ("max_context_length", .optional(record.maxContextLength)),
                ("created_at", WireTime.json(record.createdAt)),
                ("updated_at", WireTime.json(record.updatedAt)),
                ("deleted_at", WireTime.json(record.deletedAt)),
                ("turns", .array(detail.messages.map(Self.truthTurn))),
                ("files", .array(files.map { file in
                    .object([
                        ("file_ref", .string(file.fileRef)), ("name", .string(file.name)),
                        ("content_type", .string(file.contentType)), ("direction", .string(file.direction)),
                        ("size", .int(Int64(file.bytes.count))),
                    ])
                })),
                ("data_frames", .array(frames.map { frame in
                    .object([
                        ("name", .string(frame.name)), ("columns", .array(frame.columns.map(JSON.string))),
                        ("rows", .array(frame.rows.map(JSON.array))),
                    ])
                })),
            ]))
        }
        return .object([
            ("tenant", .string(tenantID)),
            ("agents", .array(agents.map { .object([("id", .string($0.id)), ("name", .string($0.name))]) })),
            ("conversations", .array(renderedConversations)),
        ])
    }

    private static func truthTurn(_ detail: MessageDetail) -> JSON {
        let message = detail.message
        return .object([
            ("id", .string(message.id)),
            ("role", .string(message.role)),
            ("created_at", WireTime.json(message.createdAt)),
            ("state", .string(message.state)),
            ("error_detail", .optional(message.errorDetail)),
            ("in_reply_to", .optional(message.inReplyTo)),
            ("deleted_at", WireTime.json(message.deletedAt)),
            ("fragments", .array(detail.fragments.map { fragment in
                .object([
                    ("kind", .string(fragment.kind)),
                    ("content", .string(fragment.content)),
                    ("state", .string(fragment.state)),
                    ("metadata", fragment.metadata.flatMap { try? JSON.parse(Data($0.utf8)) } ?? .null),
                ])
            })),
        ])
    }
}
