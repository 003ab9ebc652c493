import GRDB

/// The store's schema, created by one migration that SQLite enforces.
enum StoreSchema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "tenant") { t in
                t.primaryKey("id", .text)
            }
            try db.create(table: "credential") { t in
                t.primaryKey("api_key", .text)
                t.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                t.column("secret", .text).notNull()
                t.column("entity_id", .text).notNull()
            }
            try db.create(table: "agent") { t in
                t.primaryKey("id", .text)
                t.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                t.column("name", .text).notNull()
                t.column("created_at", .integer).notNull()
            }
            try db.create(table: "conversation") { t in
                t.primaryKey("id", .text)
                t.column("tenant_id", .text).notNull().references("tenant", onDelete: .cascade)
                t.column("agent_id", .text).notNull().references("agent", onDelete: .cascade)
                t.column("entity_id", .text).notNull()
                t.column("title", .text)
                t.column("metadata", .text).notNull()
                t.column("source", .text).notNull()
                t.column("source_ref_id", .text)
                t.column("max_context_length", .integer)
                t.column("created_at", .integer).notNull()
                t.column("updated_at", .integer).notNull()
                t.column("deleted_at", .integer)
            }
            try db.create(index: "conversation_by_update", on: "conversation", columns: ["tenant_id", "updated_at", "id"])
            try db.create(index: "conversation_by_creation", on: "conversation", columns: ["tenant_id", "created_at", "id"])
            try db.create(table: "message") { t in
                t.primaryKey("id", .text)
                t.column("conversation_id", .text).notNull().references("conversation", onDelete: .cascade)
                t.column("ordinal", .integer).notNull()
                t.column("role", .text).notNull().check { ["user", "assistant"].contains($0) }
                t.column("created_at", .integer).notNull()
                t.column("state", .text).notNull().check { ["in-progress", "done", "stopped", "error"].contains($0) }
                t.column("error_detail", .text)
                t.column("in_reply_to", .text)
                t.column("deleted_at", .integer)
                t.uniqueKey(["conversation_id", "ordinal"])
            }
            try db.create(table: "fragment") { t in
                t.column("message_id", .text).notNull().references("message", onDelete: .cascade)
                t.column("position", .integer).notNull()
                t.column("kind", .text).notNull()
                t.column("content", .text).notNull()
                t.column("state", .text).notNull().check { ["in-progress", "done"].contains($0) }
                t.column("metadata", .text)
                t.primaryKey(["message_id", "position"])
            }
            try db.create(table: "file") { t in
                t.primaryKey("file_ref", .text)
                t.column("conversation_id", .text).notNull().references("conversation", onDelete: .cascade)
                t.column("name", .text).notNull()
                t.column("content_type", .text).notNull()
                t.column("direction", .text).notNull().check { ["input", "output"].contains($0) }
                t.column("bytes", .blob).notNull()
                t.column("created_at", .integer).notNull()
            }
            try db.create(index: "file_by_conversation", on: "file", columns: ["conversation_id"])
            try db.create(table: "data_frame") { t in
                t.column("conversation_id", .text).notNull().references("conversation", onDelete: .cascade)
                t.column("name", .text).notNull()
                t.column("columns", .text).notNull()
                t.column("rows", .text).notNull()
                t.column("created_at", .integer).notNull()
                t.primaryKey(["conversation_id", "name"])
            }
            try db.create(table: "snapshot") { t in
                t.column("conversation_id", .text).notNull().references("conversation", onDelete: .cascade)
                t.column("id", .integer).notNull()
                t.column("body", .text).notNull()
                t.primaryKey(["conversation_id", "id"])
            }
            try db.create(table: "snapshot_counter") { t in
                t.primaryKey("conversation_id", .text)
                t.column("last_id", .integer).notNull()
            }
            try db.create(table: "idempotency") { t in
                t.column("tenant_id", .text).notNull()
                t.column("api_key", .text).notNull()
                t.column("key", .text).notNull()
                t.column("method", .text).notNull()
                t.column("path", .text).notNull()
                t.column("body_hash", .text).notNull()
                t.column("status", .integer).notNull()
                t.column("content_type", .text)
                t.column("response_body", .blob).notNull()
                t.column("created_at", .integer).notNull()
                t.primaryKey(["tenant_id", "api_key", "key"])
            }
        }
        return migrator
    }
}
