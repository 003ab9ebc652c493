import Foundation
import GRDB

/// A conversation's fields at creation.
struct NewConversation: Sendable {
    var tenantID: String
    var agentID: String
    var entityID: String
    var title: String?
    var metadata: JSON = .object([])
    var source: String = "api"
    var sourceRefID: String?
    var maxContextLength: Int64?
}

extension EmulatorStore {
    /// Runs `body` in one write transaction, then publishes the snapshots it recorded.
    func mutate<T: Sendable>(
        _ body: @escaping @Sendable (Database, inout [(String, SnapshotBroadcaster.Event)]) throws -> T
    ) async throws -> T {
        let (value, publications) = try await database.write { db in
            var recorded: [(String, SnapshotBroadcaster.Event)] = []
            let value = try body(db, &recorded)
            return (value, recorded)
        }
        for (conversationID, event) in publications { broadcaster.publish(conversationID, event) }
        return value
    }

    /// Bumps `updated_at` and records a snapshot of the conversation.
    func touch(_ db: Database, _ conversationID: String, into publications: inout [(String, SnapshotBroadcaster.Event)]) throws {
        try db.execute(sql: "UPDATE conversation SET updated_at = ? WHERE id = ?", arguments: [self.now(), conversationID])
        let snapshot = try self.recordSnapshot(db, conversationID)
        let hidden = try Int.fetchOne(db, sql: "SELECT deleted_at IS NOT NULL FROM conversation WHERE id = ?", arguments: [conversationID]) == 1
        publications.append((conversationID, hidden ? .deleted : .snapshot(snapshot)))
    }

    /// Records the conversation as agentflow renders it under the next snapshot id and
    /// drops snapshots beyond the retention.
    @discardableResult
    func recordSnapshot(_ db: Database, _ conversationID: String) throws -> SnapshotRecord {
        guard let record = try ConversationRecord.fetchOne(db, key: conversationID) else {
            throw EmulatorError(.conversationNotFound, "no conversation \(conversationID)")
        }
        let detail = try Self.details(db, [record])[0]
        try db.execute(sql: """
            INSERT INTO snapshot_counter (conversation_id, last_id) VALUES (?, 1)
            ON CONFLICT(conversation_id) DO UPDATE SET last_id = last_id + 1
            """, arguments: [conversationID])
        let id = try Int64.fetchOne(db, sql: "SELECT last_id FROM snapshot_counter WHERE conversation_id = ?", arguments: [conversationID]) ?? 1
        let snapshot = SnapshotRecord(conversationID: conversationID, id: id, body: AgentFlowRender.detail(detail).serializedString())
        try snapshot.insert(db)
        try db.execute(sql: "DELETE FROM snapshot WHERE conversation_id = ? AND id <= ?", arguments: [conversationID, id - Int64(snapshotRetention)])
        return snapshot
    }

    /// Creates a conversation for an agent of the tenant.
    ///
    /// - Throws: `agent_not_found` when the agent is not the tenant's.
    func createConversation(_ new: NewConversation) async throws -> ConversationRecord {
        try await mutate { db, publications in
            guard let agent = try AgentRecord.fetchOne(db, key: new.agentID), agent.tenantID == new.tenantID else {
                throw EmulatorError(.agentNotFound, "no agent \(BodyReader.printable(new.agentID))")
            }
            let time = self.now()
            let record = ConversationRecord(
                id: self.newID("conv_"), tenantID: new.tenantID, agentID: new.agentID, entityID: new.entityID,
                title: new.title, metadata: new.metadata.serializedString(), source: new.source,
                sourceRefID: new.sourceRefID, maxContextLength: new.maxContextLength,
                createdAt: time, updatedAt: time, deletedAt: nil)
            try record.insert(db)
            let snapshot = try self.recordSnapshot(db, record.id)
            publications.append((record.id, .snapshot(snapshot)))
            return record
        }
    }

    /// Stores a user turn and an empty in-progress assistant turn replying to it.
    ///
    /// - Throws: `conversation_not_found`; `unprocessable` when the conversation is soft-deleted.
    func startExchange(conversationID: String, tenantID: String, prompt: String) async throws -> (user: MessageRecord, assistant: MessageRecord) {
        try await mutate { db, publications in
            let conversation = try Self.conversation(db, conversationID, tenantID: tenantID)
            guard conversation.deletedAt == nil else {
                throw EmulatorError(.unprocessable, "conversation \(conversationID) is deleted; restore it first")
            }
            let next = (try Int64.fetchOne(db, sql: "SELECT MAX(ordinal) FROM message WHERE conversation_id = ?", arguments: [conversationID]) ?? 0) + 1
            let time = self.now()
            let user = MessageRecord(
                id: self.newID("msg_"), conversationID: conversationID, ordinal: next, role: "user",
                createdAt: time, state: "done", errorDetail: nil, inReplyTo: nil, deletedAt: nil)
            try user.insert(db)
            try FragmentRecord(messageID: user.id, position: 0, kind: "text", content: prompt, state: "done", metadata: nil).insert(db)
            let assistant = MessageRecord(
                id: self.newID("msg_"), conversationID: conversationID, ordinal: next + 1, role: "assistant",
                createdAt: self.now(), state: "in-progress", errorDetail: nil, inReplyTo: user.id, deletedAt: nil)
            try assistant.insert(db)
            try FragmentRecord(messageID: assistant.id, position: 0, kind: "text", content: "", state: "in-progress", metadata: nil).insert(db)
            try self.touch(db, conversationID, into: &publications)
            return (user, assistant)
        }
    }

    /// Rewrites a reply's fragments (one per paragraph) and its state.
    ///
    /// While `state` is `in-progress` the last fragment is `in-progress`; otherwise all are `done`.
    func updateReply(messageID: String, paragraphs: [String], state: String, errorDetail: String? = nil) async throws {
        try await mutate { db, publications in
            guard let message = try MessageRecord.fetchOne(db, key: messageID) else {
                throw EmulatorError(.messageNotFound, "no message \(messageID)")
            }
            try FragmentRecord.filter(FragmentRecord.Columns.messageID == messageID).deleteAll(db)
            let pieces = paragraphs.isEmpty ? [""] : paragraphs
            for (index, text) in pieces.enumerated() {
                let fragmentState = state == "in-progress" && index == pieces.count - 1 ? "in-progress" : "done"
                try FragmentRecord(messageID: messageID, position: Int64(index), kind: "text", content: text, state: fragmentState, metadata: nil).insert(db)
            }
            try db.execute(sql: "UPDATE message SET state = ?, error_detail = ? WHERE id = ?", arguments: [state, errorDetail, messageID])
            try self.touch(db, message.conversationID, into: &publications)
        }
    }

    /// Sets a conversation's title.
    func rename(_ id: String, tenantID: String, title: String?) async throws -> ConversationRecord {
        try await mutate { db, publications in
            _ = try Self.conversation(db, id, tenantID: tenantID)
            try db.execute(sql: "UPDATE conversation SET title = ? WHERE id = ?", arguments: [title, id])
            try self.touch(db, id, into: &publications)
            return try Self.conversation(db, id, tenantID: tenantID)
        }
    }

    /// Soft-deletes a conversation; deleting a deleted one changes nothing.
    func softDelete(_ id: String, tenantID: String) async throws -> ConversationRecord {
        try await mutate { db, publications in
            let record = try Self.conversation(db, id, tenantID: tenantID)
            guard record.deletedAt == nil else { return record }
            try db.execute(sql: "UPDATE conversation SET deleted_at = ? WHERE id = ?", arguments: [self.now(), id])
            try self.touch(db, id, into: &publications)
            return try Self.conversation(db, id, tenantID: tenantID)
        }
    }

    /// Restores a soft-deleted conversation; restoring an active one changes nothing.
    func restore(_ id: String, tenantID: String) async throws -> ConversationRecord {
        try await mutate { db, publications in
            let record = try Self.conversation(db, id, tenantID: tenantID)
            guard record.deletedAt != nil else { return record }
            try db.execute(sql: "UPDATE conversation SET deleted_at = NULL WHERE id = ?", arguments: [id])
            try self.touch(db, id, into: &publications)
            return try Self.conversation(db, id, tenantID: tenantID)
        }
    }

    /// Removes a conversation and everything it holds; later reads answer 404.
    func hardDelete(_ id: String, tenantID: String) async throws -> ConversationRecord {
        try await mutate { db, publications in
            let record = try Self.conversation(db, id, tenantID: tenantID)
            try record.delete(db)
            try db.execute(sql: "DELETE FROM snapshot_counter WHERE conversation_id = ?", arguments: [id])
            publications.append((id, .deleted))
            return record
        }
    }

    /// Soft-deletes (`deleted: true`) or restores one message; both idempotent.
    func setMessageDeleted(_ id: String, tenantID: String, deleted: Bool) async throws -> MessageRecord {
        try await mutate { db, publications in
            let message = try Self.message(db, id, tenantID: tenantID)
            guard (message.deletedAt != nil) != deleted else { return message }
            try db.execute(sql: "UPDATE message SET deleted_at = ? WHERE id = ?", arguments: [deleted ? self.now() : nil, id])
            try self.touch(db, message.conversationID, into: &publications)
            return try Self.message(db, id, tenantID: tenantID)
        }
    }

    /// Soft-deletes or restores every message of a conversation; returns the messages changed.
    func setMessagesDeleted(conversationID: String, tenantID: String, deleted: Bool) async throws -> [MessageRecord] {
        try await mutate { db, publications in
            _ = try Self.conversation(db, conversationID, tenantID: tenantID)
            let changed = try MessageRecord
                .filter(MessageRecord.Columns.conversationID == conversationID)
                .filter(deleted ? MessageRecord.Columns.deletedAt == nil : MessageRecord.Columns.deletedAt != nil)
                .order(MessageRecord.Columns.ordinal)
                .fetchAll(db)
            guard !changed.isEmpty else { return [] }
            let time = self.now()
            try db.execute(
                sql: "UPDATE message SET deleted_at = ? WHERE conversation_id = ? AND deleted_at IS \(deleted ? "" : "NOT ")NULL",
                arguments: [deleted ? time : nil, conversationID])
            try self.touch(db, conversationID, into: &publications)
            return changed.map { var message = $0; message.deletedAt = deleted ? time : nil; return message }
        }
    }

    /// Stores files in a conversation.
    func addFiles(conversationID: String, tenantID: String, files: [(name: String, contentType: String, bytes: Data)], direction: String) async throws -> [FileRecord] {
        try await mutate { db, publications in
            _ = try Self.conversation(db, conversationID, tenantID: tenantID)
            var records: [FileRecord] = []
            for file in files {
                let record = FileRecord(
                    fileRef: self.newID("file_"), conversationID: conversationID, name: file.name,
                    contentType: file.contentType, direction: direction, bytes: file.bytes, createdAt: self.now())
                try record.insert(db)
                records.append(record)
            }
            try self.touch(db, conversationID, into: &publications)
            return records
        }
    }

    /// Stores (or replaces) a named data frame in a conversation.
    func putDataFrame(conversationID: String, tenantID: String, name: String, columns: [String], rows: [[JSON]]) async throws {
        try await mutate { db, publications in
            _ = try Self.conversation(db, conversationID, tenantID: tenantID)
            try DataFrameRecord(
                conversationID: conversationID, name: name,
                columns: JSON.array(columns.map(JSON.string)).serializedString(),
                rows: JSON.array(rows.map(JSON.array)).serializedString(),
                createdAt: self.now()).save(db)
            try self.touch(db, conversationID, into: &publications)
        }
    }
}
