import ConvoModel
import GRDB

/// Re-applies the optimistic effects of a conversation's pending ops over what the remote
/// just wrote, in the same transaction (DESIGN: "Remote data wins for what the remote owns;
/// pending local ops are re-applied on top after each pull, so queries always show the
/// optimistic view").
///
/// A pending rename keeps its title, a pending delete keeps the row hidden, a pending
/// restore keeps it shown, a pending message delete or restore keeps that turn's tombstone,
/// and turns that exist only locally stay after the remote ones, in their order. Failed ops
/// are not re-applied: the remote refused them, so the remote's state stands (their text
/// stays in the outbox, and a sent message's local turn stays).
enum OutboxReapply {
    /// Whether any op is pending: a listing page skips the per-conversation look-up when none is.
    static func hasPendingOps(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM outbox WHERE state = 'pending')")) ?? false
    }

    /// Re-applies the conversation-level effects (title, tombstone) of its pending ops.
    static func conversation(_ conversationID: Int64, _ db: Database) throws {
        try apply(conversationID, turns: false, db)
    }

    /// Re-applies every effect of its pending ops and puts its local turns after the remote ones.
    static func all(_ conversationID: Int64, _ db: Database) throws {
        try apply(conversationID, turns: true, db)
    }

    private static func apply(_ conversationID: Int64, turns: Bool, _ db: Database) throws {
        let ops = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT kind, payload, created_at FROM outbox WHERE conversation_id = ? AND state = 'pending' ORDER BY id"),
            arguments: [conversationID])
        for op in ops {
            let createdAt: Int64 = op["created_at"]
            let object = JSONText.decode(op["payload"])?.objectValue ?? [:]
            switch OutboxKind(rawValue: op["kind"]) {
            case .rename:
                guard let title = object["title"]?.stringValue else { continue }
                try db.execute(
                    sql: "UPDATE conversation SET title = ? WHERE id = ? AND title IS NOT ?",
                    arguments: [title, conversationID, title])
            case .deleteConversation:
                try db.execute(
                    sql: "UPDATE conversation SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
                    arguments: [createdAt, conversationID])
            case .restoreConversation:
                try db.execute(
                    sql: "UPDATE conversation SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL",
                    arguments: [conversationID])
            case .deleteMessage where turns:
                guard let turn = OutboxPayload.turn(object) else { continue }
                try db.execute(
                    sql: "UPDATE turn SET deleted_at = ? WHERE id = ? AND conversation_id = ? AND deleted_at IS NULL",
                    arguments: [createdAt, turn, conversationID])
            case .restoreMessage where turns:
                guard let turn = OutboxPayload.turn(object) else { continue }
                try db.execute(
                    sql: "UPDATE turn SET deleted_at = NULL WHERE id = ? AND conversation_id = ? AND deleted_at IS NOT NULL",
                    arguments: [turn, conversationID])
            default:
                continue
            }
        }
        if turns { try placeLocalTurnsLast(conversationID, db) }
    }

    /// Gives the turns with no remote id the ordinals after the last remote turn, keeping
    /// their order (a streamed reply shares its message's ordinal and follows it by key).
    static func placeLocalTurnsLast(_ conversationID: Int64, _ db: Database) throws {
        let locals = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT id, ordinal FROM turn WHERE conversation_id = ? AND remote_id IS NULL ORDER BY ordinal, id"),
            arguments: [conversationID])
        guard !locals.isEmpty else { return }
        let last = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT max(ordinal) FROM turn WHERE conversation_id = ? AND remote_id IS NOT NULL"),
            arguments: [conversationID])
        var next = (last ?? -1) + 1
        for row in locals {
            let id: Int64 = row["id"]
            let ordinal: Int64 = row["ordinal"]
            if ordinal != next {
                try db.cachedStatement(sql: "UPDATE turn SET ordinal = ? WHERE id = ?").execute(arguments: [next, id])
            }
            next += 1
        }
    }
}
