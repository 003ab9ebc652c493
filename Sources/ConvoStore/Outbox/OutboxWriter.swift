import ConvoModel
import Foundation
import GRDB

/// The outbox's row-level writes, run inside the caller's transaction.
enum OutboxWriter {
    // MARK: - Enqueue

    /// Applies `write`'s optimistic effect and inserts its op (DESIGN, "Offline writes").
    static func enqueue(
        _ write: LocalWrite, in ref: ConversationRef?, key: String, at millis: Int64, staged: String?, _ db: Database
    ) throws -> EnqueuedWrite {
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM outbox WHERE idempotency_key = ?)", arguments: [key])
            == true
        {
            throw StoreError(.invalidArgument, "the idempotency key is already used by another outbox op")
        }
        if case .createConversation(let agentID, let title, let metadata, let maxContextLength) = write {
            guard ref == nil else {
                throw StoreError(.invalidArgument, "creating a conversation names no existing conversation")
            }
            try db.execute(
                sql: """
                    INSERT INTO conversation (agent_id, title, metadata, max_context_length, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    agentID, title, metadata.map(JSONText.encode),
                    maxContextLength.map { Int64($0) }, millis, millis,
                ])
            let conversationID = db.lastInsertedRowID
            let opID = try insertOp(write, conversationID, key, millis, turn: nil, staged: nil, undo: [:], db)
            return EnqueuedWrite(opID: opID, conversationLocalID: conversationID, turnLocalID: nil)
        }
        guard let ref else {
            throw StoreError(.invalidArgument, "this write needs the conversation it applies to")
        }
        let conversation = try resolve(ref, db)
        guard let conversationID = conversation.id else { throw StoreError(.database, "a stored row has no key") }
        switch write {
        case .deleteConversation, .restoreConversation:
            break
        default:
            if conversation.deletedAt != nil {
                throw StoreError(
                    .invalidArgument, "the conversation is deleted; restore it first", remoteID: conversation.remoteID)
            }
        }
        let previousDeletedAt: JSONValue = conversation.deletedAt.map(JSONValue.int) ?? .null
        switch write {
        case .createConversation:
            throw StoreError(.invalidArgument, "creating a conversation names no existing conversation")
        case .sendMessage(let text):
            let opID = try insertOp(write, conversationID, key, millis, turn: nil, staged: nil, undo: [:], db)
            let ordinal = try Int64.fetchOne(
                db, sql: "SELECT max(ordinal) + 1 FROM turn WHERE conversation_id = ?", arguments: [conversationID]) ?? 0
            try db.execute(
                sql: """
                    INSERT INTO turn (conversation_id, ordinal, role, timestamp, state, outbox_id)
                    VALUES (?, ?, 'user', ?, 'done', ?)
                    """, arguments: [conversationID, ordinal, millis, opID])
            let turnID = db.lastInsertedRowID
            try db.execute(
                sql: "INSERT INTO fragment (turn_id, position, kind, content, state) VALUES (?, 0, 'text', ?, 'done')",
                arguments: [turnID, text])
            return EnqueuedWrite(opID: opID, conversationLocalID: conversationID, turnLocalID: turnID)
        case .rename(let title):
            let undo: [String: JSONValue] = ["previous_title": conversation.title.map(JSONValue.string) ?? .null]
            let opID = try insertOp(write, conversationID, key, millis, turn: nil, staged: nil, undo: undo, db)
            try db.execute(sql: "UPDATE conversation SET title = ? WHERE id = ?", arguments: [title, conversationID])
            return EnqueuedWrite(opID: opID, conversationLocalID: conversationID, turnLocalID: nil)
        case .generateTitle:
            let opID = try insertOp(write, conversationID, key, millis, turn: nil, staged: nil, undo: [:], db)
            return EnqueuedWrite(opID: opID, conversationLocalID: conversationID, turnLocalID: nil)
        case .deleteConversation, .restoreConversation:
            let undo: [String: JSONValue] = ["previous_deleted_at": previousDeletedAt]
            let opID = try insertOp(write, conversationID, key, millis, turn: nil, staged: nil, undo: undo, db)
            try OutboxReapply.conversation(conversationID, db)
            return EnqueuedWrite(opID: opID, conversationLocalID: conversationID, turnLocalID: nil)
        case .deleteMessage(let turnRef), .restoreMessage(let turnRef):
            let turn = try resolve(turnRef, in: conversationID, db)
            let undo: [String: JSONValue] = ["previous_deleted_at": turn.deletedAt.map(JSONValue.int) ?? .null]
            let opID = try insertOp(write, conversationID, key, millis, turn: turn.id, staged: nil, undo: undo, db)
            try OutboxReapply.all(conversationID, db)
            return EnqueuedWrite(opID: opID, conversationLocalID: conversationID, turnLocalID: turn.id)
        case .uploadFile:
            let opID = try insertOp(write, conversationID, key, millis, turn: nil, staged: staged, undo: [:], db)
            return EnqueuedWrite(opID: opID, conversationLocalID: conversationID, turnLocalID: nil)
        }
    }

    private static func insertOp(
        _ write: LocalWrite, _ conversationID: Int64, _ key: String, _ millis: Int64, turn: Int64?, staged: String?,
        undo: [String: JSONValue], _ db: Database
    ) throws -> Int64 {
        var record = OutboxRecord(
            id: nil, conversationID: conversationID, kind: write.kind.rawValue,
            payload: JSONText.encode(OutboxPayload.encode(write, turn: turn, staged: staged, undo: undo)),
            idempotencyKey: key, state: OutboxOp.State.pending.rawValue, attempts: 0, lastError: nil, createdAt: millis,
            deliveredAt: nil)
        try record.insert(db)
        guard let id = record.id else { throw StoreError(.database, "an inserted row has no key") }
        return id
    }

    /// The conversation a reference names; purged ones are refused.
    static func resolve(_ ref: ConversationRef, _ db: Database) throws -> ConversationRecord {
        let record: ConversationRecord?
        switch ref {
        case .local(let key): record = try ConversationRecord.fetchOne(db, key: key)
        case .remote(let id): record = try ConversationRecord.fetch(remoteID: id, db)
        }
        guard let record else {
            throw StoreError(.notFound, "no such conversation", remoteID: remoteID(ref))
        }
        guard record.purgedAt == nil else {
            throw StoreError(
                .invalidArgument, "the conversation was deleted for good on the remote", remoteID: record.remoteID)
        }
        return record
    }

    /// The turn a reference names, which must belong to the conversation.
    static func resolve(_ ref: TurnRef, in conversationID: Int64, _ db: Database) throws -> (id: Int64, deletedAt: Int64?) {
        let row: Row?
        switch ref {
        case .local(let key):
            row = try Row.fetchOne(
                db, sql: "SELECT id, deleted_at FROM turn WHERE id = ? AND conversation_id = ?",
                arguments: [key, conversationID])
        case .remote(let id):
            row = try Row.fetchOne(
                db, sql: "SELECT id, deleted_at FROM turn WHERE remote_id = ? AND conversation_id = ?",
                arguments: [id, conversationID])
        }
        guard let row else {
            var remoteID: String?
            if case .remote(let id) = ref { remoteID = id }
            throw StoreError(.notFound, "no such turn in this conversation", remoteID: remoteID)
        }
        return (row["id"], row["deleted_at"])
    }

    private static func remoteID(_ ref: ConversationRef) -> String? {
        if case .remote(let id) = ref { return id }
        return nil
    }

    // MARK: - Completion

    /// Removes op `id` and writes what the remote now says; returns the staged upload to remove.
    static func complete(_ id: Int64, with completion: OutboxCompletion, _ db: Database) throws -> String? {
        guard let op = try OutboxRecord.fetchOne(db, key: id) else {
            throw StoreError(.notFound, "no such outbox op")
        }
        let conversationID = op.conversationID
        guard let conversation = try ConversationRecord.fetchOne(db, key: conversationID) else {
            throw StoreError(.database, "an outbox op names a missing conversation")
        }
        var remoteID = conversation.remoteID
        if remoteID == nil {
            guard let given = completion.conversationID ?? completion.conversation?.id, !given.isEmpty else {
                throw StoreError(.invalidArgument, "completing an op of a local conversation needs its remote id")
            }
            try adoptConversationID(given, conversationID, db)
            remoteID = given
        }
        guard let remoteID else { throw StoreError(.database, "a conversation has no remote id") }
        let object = JSONText.decode(op.payload)?.objectValue ?? [:]
        let staged = op.kind == OutboxKind.uploadFile.rawValue ? object["staged"]?.stringValue : nil

        if completion.purged {
            try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [id])
            if let record = try ConversationRecord.fetchOne(db, key: conversationID) {
                _ = try RowWriter.purge(record, at: Timestamp.milliseconds(Date()), db)
            }
            return staged
        }
        if let turns = completion.turns {
            try adoptTurns(of: id, remote: turns, sentTurnID: completion.sentTurnID, conversationID: conversationID, db)
        }
        if completion.conversation != nil || completion.turns != nil {
            // The remote's answer is a page of one conversation, written as a sync page is
            // (after the adoption above, which the writer then reads).
            var writer = try PageWriter(
                conversationIDs: [remoteID], turnIDs: completion.turns?.map(\.id) ?? [], fields: .all, db)
            if var fields = completion.conversation {
                fields.id = remoteID
                _ = try writer.upsert(fields, pass: nil)
            }
            if let turns = completion.turns {
                _ = try writer.writeTurns(turns, conversationID: conversationID, mode: .replace)
            }
            try writer.finish()
        }
        if completion.turns != nil {
            // A reply placeholder the remote has no turn for was only a local echo: the remote wins.
            try db.execute(
                sql: "DELETE FROM turn WHERE outbox_id = ? AND remote_id IS NULL AND role = 'assistant'", arguments: [id])
        }
        for file in completion.files {
            try db.execute(
                sql: """
                    INSERT INTO file (conversation_id, file_ref, name, content_type, size, direction)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (file_ref) DO UPDATE SET conversation_id = excluded.conversation_id,
                        name = excluded.name, content_type = excluded.content_type, size = excluded.size,
                        direction = excluded.direction
                    """,
                arguments: [conversationID, file.ref, file.name, file.contentType, file.size, file.isInput ? "input" : "output"])
        }
        try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [id])
        try OutboxReapply.all(conversationID, db)
        return staged
    }

    /// Gives the local conversation its remote id. A row already holding that id (a pull
    /// listed the conversation before its create completed) is merged into the local one:
    /// its ops and local turns move over, its remote turns are rewritten by the completion.
    private static func adoptConversationID(_ remoteID: String, _ conversationID: Int64, _ db: Database) throws {
        if let duplicate = try ConversationRecord.fetch(remoteID: remoteID, db), let duplicateID = duplicate.id,
            duplicateID != conversationID
        {
            try db.execute(
                sql: "UPDATE outbox SET conversation_id = ? WHERE conversation_id = ?", arguments: [conversationID, duplicateID])
            try db.execute(
                sql: "UPDATE turn SET conversation_id = ? WHERE conversation_id = ?", arguments: [conversationID, duplicateID])
            try db.execute(
                sql: "UPDATE file SET conversation_id = ? WHERE conversation_id = ?", arguments: [conversationID, duplicateID])
            try db.execute(sql: "DELETE FROM conversation WHERE id = ?", arguments: [duplicateID])
        }
        try db.execute(sql: "UPDATE conversation SET remote_id = ? WHERE id = ?", arguments: [remoteID, conversationID])
    }

    /// Gives the op's local turns the remote ids of their remote counterparts, so that the
    /// replace that follows updates them in place: their local keys never change and no turn
    /// appears twice. The sent message is the first remote user turn with its text that the
    /// replica does not hold yet (or `sentTurnID`, where the pusher identified it); its reply
    /// is the next assistant turn. If a pull already wrote those turns as rows of their own,
    /// those rows give way to the local ones.
    private static func adoptTurns(
        of opID: Int64, remote turns: [Turn], sentTurnID: String?, conversationID: Int64, _ db: Database
    ) throws {
        let locals = try Row.fetchAll(
            db, sql: "SELECT id, role FROM turn WHERE outbox_id = ? AND remote_id IS NULL ORDER BY ordinal, id",
            arguments: [opID])
        guard let user = locals.first(where: { $0["role"] == Role.user.rawValue }) else { return }
        let userID: Int64 = user["id"]
        let text = try String.fetchOne(
            db,
            sql: "SELECT group_concat(content, '') FROM (SELECT content FROM fragment WHERE turn_id = ? AND kind = 'text' ORDER BY position)",
            arguments: [userID]) ?? ""
        func matches(_ turn: Turn) -> Bool {
            turn.role == .user
                && (turn.text == text
                    || turn.text.trimmingCharacters(in: .whitespacesAndNewlines)
                        == text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        var index = sentTurnID.flatMap { id in turns.firstIndex { $0.id == id && $0.role == .user } }
        for candidate in turns.indices where index == nil && matches(turns[candidate]) {
            if try !isKnown(turns[candidate].id, db) {
                index = candidate
                break
            }
        }
        if index == nil {
            for candidate in turns.indices.reversed() where matches(turns[candidate]) {
                if try isUnlinkedCopy(turns[candidate].id, conversationID, db) {
                    index = candidate
                    break
                }
            }
        }
        if index == nil {
            // The remote changed the text (normalised it, say): the first user turn it added.
            for candidate in turns.indices where turns[candidate].role == .user {
                if try !isKnown(turns[candidate].id, db) {
                    index = candidate
                    break
                }
            }
        }
        guard let index else { return }
        try take(turns[index].id, for: userID, db)
        guard let reply = locals.first(where: { $0["role"] == Role.assistant.rawValue }) else { return }
        let next = turns.index(after: index)
        guard next < turns.endIndex, turns[next].role == .assistant else { return }
        let known = try isKnown(turns[next].id, db)
        guard try !known || isUnlinkedCopy(turns[next].id, conversationID, db) else { return }
        try take(turns[next].id, for: reply["id"], db)
    }

    private static func isKnown(_ remoteID: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM turn WHERE remote_id = ?)", arguments: [remoteID]) ?? false
    }

    /// Whether the turn with this remote id is a pulled row of this conversation that no op made.
    private static func isUnlinkedCopy(_ remoteID: String, _ conversationID: Int64, _ db: Database) throws -> Bool {
        try Bool.fetchOne(
            db,
            sql: "SELECT EXISTS (SELECT 1 FROM turn WHERE remote_id = ? AND conversation_id = ? AND outbox_id IS NULL)",
            arguments: [remoteID, conversationID]) ?? false
    }

    /// Moves `remoteID` onto the local turn `turnID`, removing a pulled copy holding it.
    private static func take(_ remoteID: String, for turnID: Int64, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM turn WHERE remote_id = ? AND id <> ?", arguments: [remoteID, turnID])
        try db.execute(sql: "UPDATE turn SET remote_id = ? WHERE id = ?", arguments: [remoteID, turnID])
    }

    // MARK: - Failure and discard

    /// Removes op `id` and undoes its optimistic effect; returns the staged upload to remove.
    static func discard(_ id: Int64, _ db: Database) throws -> String? {
        guard let op = try OutboxRecord.fetchOne(db, key: id) else {
            throw StoreError(.notFound, "no such outbox op")
        }
        let conversationID = op.conversationID
        let object = JSONText.decode(op.payload)?.objectValue ?? [:]
        let previousDeletedAt = OutboxPayload.integer(object, "previous_deleted_at")
        var staged: String?
        switch OutboxKind(rawValue: op.kind) {
        case .createConversation:
            break
        case .sendMessage:
            try db.execute(sql: "DELETE FROM turn WHERE outbox_id = ? AND remote_id IS NULL", arguments: [id])
        case .rename:
            if let previous = object["previous_title"] {
                try db.execute(
                    sql: "UPDATE conversation SET title = ? WHERE id = ?",
                    arguments: [previous.stringValue, conversationID])
            }
        case .deleteConversation, .restoreConversation:
            try db.execute(
                sql: "UPDATE conversation SET deleted_at = ? WHERE id = ?", arguments: [previousDeletedAt, conversationID])
        case .deleteMessage, .restoreMessage:
            if let turn = OutboxPayload.turn(object) {
                try db.execute(
                    sql: "UPDATE turn SET deleted_at = ? WHERE id = ? AND conversation_id = ?",
                    arguments: [previousDeletedAt, turn, conversationID])
            }
        case .uploadFile:
            staged = object["staged"]?.stringValue
        case .generateTitle, nil:
            break
        }
        try db.execute(sql: "DELETE FROM outbox WHERE id = ?", arguments: [id])
        if op.kind == OutboxKind.createConversation.rawValue {
            // A create never pushed leaves nothing behind, unless other ops still need the row.
            try db.execute(
                sql: """
                    DELETE FROM conversation WHERE id = ? AND remote_id IS NULL
                    AND NOT EXISTS (SELECT 1 FROM outbox WHERE conversation_id = ?)
                    """, arguments: [conversationID, conversationID])
        }
        if try ConversationRecord.exists(db, key: conversationID) {
            try OutboxReapply.all(conversationID, db)
        }
        return staged
    }
}
