import ConvoModel
import Foundation
import GRDB

extension Replica {
    /// Starts the local placeholder of a streamed reply to a sent message (op `opID`): an
    /// assistant turn in state in-progress right after the message, holding one in-progress
    /// text fragment. Returns the turn's local key.
    ///
    /// Calling it again for the same op restarts the same turn with empty text: a stream
    /// replayed after a crash or a cut starts over without a second placeholder.
    ///
    /// The placeholder exists because the remote answered: the same transaction marks the op
    /// delivered (``markOutboxOpDelivered(_:at:)``), so a process killed at any later instant
    /// leaves an op whose retry reads the remote instead of sending the message again.
    ///
    ///     let turn = try await replica.beginLocalReply(forOp: op.id)
    ///     try await replica.appendLocalReply(turn: turn, text: batch)
    ///     try await replica.finishLocalReply(turn: turn, state: .done, errorDetail: nil, fullText: full)
    ///
    /// - Throws: `StoreError` `.notFound` (no such op), `.invalidArgument` (not a send), `.database`.
    public func beginLocalReply(forOp opID: Int64) async throws -> Int64 {
        let now = Timestamp.milliseconds(Date())
        return try await writing { db in
            guard let op = try OutboxRecord.fetchOne(db, key: opID) else {
                throw StoreError(.notFound, "no such outbox op")
            }
            guard op.kind == OutboxKind.sendMessage.rawValue else {
                throw StoreError(.invalidArgument, "only a sent message has a reply")
            }
            let turnID: Int64
            if let existing = try Int64.fetchOne(
                db, sql: "SELECT id FROM turn WHERE outbox_id = ? AND role = 'assistant' AND remote_id IS NULL",
                arguments: [opID])
            {
                turnID = existing
                try db.execute(
                    sql: "UPDATE turn SET state = 'in-progress', error_detail = NULL, timestamp = ? WHERE id = ?",
                    arguments: [now, turnID])
                try db.execute(sql: "DELETE FROM fragment WHERE turn_id = ?", arguments: [turnID])
            } else {
                let ordinal =
                    try Int64.fetchOne(
                        db, sql: "SELECT ordinal FROM turn WHERE outbox_id = ? AND role = 'user'", arguments: [opID])
                    ?? Int64.fetchOne(
                        db, sql: "SELECT max(ordinal) + 1 FROM turn WHERE conversation_id = ?",
                        arguments: [op.conversationID]) ?? 0
                try db.execute(
                    sql: """
                        INSERT INTO turn (conversation_id, ordinal, role, timestamp, state, outbox_id)
                        VALUES (?, ?, 'assistant', ?, 'in-progress', ?)
                        """, arguments: [op.conversationID, ordinal, now, opID])
                turnID = db.lastInsertedRowID
            }
            try db.execute(
                sql: "INSERT INTO fragment (turn_id, position, kind, content, state) VALUES (?, 0, 'text', '', 'in-progress')",
                arguments: [turnID])
            try db.execute(
                sql: "UPDATE outbox SET delivered_at = coalesce(delivered_at, ?) WHERE id = ?", arguments: [now, opID])
            return turnID
        }
    }

    /// Appends a batch of reply text to the placeholder's fragment (the caller batches
    /// deltas: one transaction per call, not per delta; DESIGN "SSE").
    ///
    /// - Throws: `StoreError` `.notFound` (no such local reply turn), `.database`.
    public func appendLocalReply(turn: Int64, text: String) async throws {
        try await writing { db in
            try db.execute(
                sql: """
                    UPDATE fragment SET content = content || ?
                    WHERE position = 0 AND turn_id = (SELECT id FROM turn WHERE id = ? AND remote_id IS NULL AND role = 'assistant')
                    """, arguments: [text, turn])
            guard db.changesCount > 0 else { throw StoreError(.notFound, "no such local reply") }
        }
    }

    /// Ends the placeholder: the turn takes `state` (`done`, `stopped` or `error`) and
    /// `errorDetail`, its fragment becomes done, with `fullText` when the remote sent the
    /// whole reply (else the appended text stands).
    ///
    /// - Throws: `StoreError` `.notFound` (no such local reply turn), `.invalidArgument`
    ///   (`state` in-progress), `.database`.
    public func finishLocalReply(turn: Int64, state: TurnState, errorDetail: String?, fullText: String?) async throws {
        guard state != .inProgress else {
            throw StoreError(.invalidArgument, "a reply ends done, stopped or in error")
        }
        try await writing { db in
            try db.execute(
                sql: "UPDATE turn SET state = ?, error_detail = ? WHERE id = ? AND remote_id IS NULL AND role = 'assistant'",
                arguments: [state.rawValue, errorDetail, turn])
            guard db.changesCount > 0 else { throw StoreError(.notFound, "no such local reply") }
            try db.execute(
                sql: "UPDATE fragment SET state = 'done', content = coalesce(?, content) WHERE turn_id = ? AND position = 0",
                arguments: [fullText, turn])
        }
    }
}
