import ConvoModel
import Foundation
import GRDB

extension Replica {
    /// Applies one listing page: inserts new conversations, updates changed ones.
    ///
    /// With `pass`, every conversation of the page is stamped as seen by that
    /// mark-and-sweep pass. A page's `deletedAt` wins, so a conversation back from a soft
    /// delete is restored; a purged one that reappears is un-purged (its turns are
    /// refetched by the engine). `syncState` commits in the same transaction
    /// (DESIGN, "Sync: how the replica stays true").
    ///
    ///     try await replica.upsertConversations(page, pass: 3,
    ///         syncState: SyncStateUpdate(scope: "conversations", cursor: .set(next)))
    ///
    /// - Throws: `StoreError` `.invalidArgument` (an empty remote id; nothing is written) or `.database`.
    public func upsertConversations(_ page: [Conversation], pass: Int64?, syncState: SyncStateUpdate?) async throws {
        // The engine's own write: a listing page whose turns were not read.
        try await applyListingPage(
            page.map { ListedConversation(conversation: $0, turns: .unchanged, changeToken: nil) }, pass: pass,
            syncState: syncState)
    }

    /// Makes the conversation's turns exactly `turns`, in this order; turns not in the list are removed.
    ///
    /// Turns without a remote id (local, waiting in the outbox) stay. A turn whose remote
    /// id is known under another conversation moves to this one. The engine's own write,
    /// ``applyListingPage(_:purged:pass:at:syncState:)`` with the stored conversation and
    /// `.replace(turns)`, in one transaction.
    ///
    /// - Throws: `StoreError` `.notFound` (no such conversation, or purged), `.invalidArgument`, `.database`.
    public func replaceTurns(conversationID: String, turns: [Turn], syncState: SyncStateUpdate?) async throws {
        try await applyToStored(conversationID, syncState: syncState) { _ in .replace(turns) }
    }

    /// Adds turns to the conversation, upserting by remote id: appending the same turn twice
    /// changes nothing; a changed turn is updated in place and keeps its position. The
    /// engine's own write with `.append(turns)`.
    ///
    /// - Throws: `StoreError` `.notFound` (no such conversation, or purged), `.invalidArgument`, `.database`.
    public func appendTurns(conversationID: String, turns: [Turn], syncState: SyncStateUpdate?) async throws {
        try await applyToStored(conversationID, syncState: syncState) { _ in .append(turns) }
    }

    /// Soft-deletes a conversation: it leaves listings and search, stays restorable.
    /// Idempotent: an already deleted conversation keeps its first `deletedAt`. The engine's
    /// own write with the stored conversation marked deleted.
    ///
    /// - Throws: `StoreError` `.notFound` (unknown or purged), `.database`.
    public func softDeleteConversation(id: String, at date: Date, syncState: SyncStateUpdate?) async throws {
        try await applyToStored(id, syncState: syncState) { conversation in
            if conversation.deletedAt == nil { conversation.deletedAt = date }
            return .unchanged
        }
    }

    /// Restores a soft-deleted conversation (and its text in search). Idempotent. The
    /// engine's own write with the stored conversation not deleted.
    ///
    /// - Throws: `StoreError` `.notFound` (unknown or purged), `.database`.
    public func restoreConversation(id: String, syncState: SyncStateUpdate?) async throws {
        try await applyToStored(id, syncState: syncState) { conversation in
            conversation.deletedAt = nil
            return .unchanged
        }
    }

    /// Soft-deletes one turn: it leaves the conversation's turns and search. Idempotent. The
    /// engine's own write with the stored turn marked deleted (`.append`, so it keeps its place).
    ///
    /// - Throws: `StoreError` `.notFound` (no such turn), `.database`.
    public func softDeleteTurn(id: String, at date: Date, syncState: SyncStateUpdate?) async throws {
        try await applyToStoredTurn(id, syncState: syncState) { turn in
            if turn.deletedAt == nil { turn.deletedAt = date }
        }
    }

    /// Restores a soft-deleted turn. Idempotent. The engine's own write with the stored turn
    /// not deleted.
    ///
    /// - Throws: `StoreError` `.notFound` (no such turn), `.database`.
    public func restoreTurn(id: String, syncState: SyncStateUpdate?) async throws {
        try await applyToStoredTurn(id, syncState: syncState) { turn in turn.deletedAt = nil }
    }

    /// Records an observed hard delete: drops the conversation's turns, fragments, files
    /// (with their cached bytes), data frames, title and metadata, and hides the row for good.
    ///
    /// The row stays as a tombstone (until ``collectTombstones(olderThan:)``) so a later pass
    /// knows the id. Idempotent. If the remote lists it again, ``upsertConversations(_:pass:syncState:)``
    /// un-purges it. The engine's own write: a page that lists nothing and purges `conversationID`.
    ///
    /// - Throws: `StoreError` `.notFound` (unknown id), `.database`.
    public func markPurged(conversationID: String, at date: Date, syncState: SyncStateUpdate?) async throws {
        let cached = try await writing { db -> [String] in
            _ = try Self.localConversationID(conversationID, db)
            return try Self.applyPage([], purged: [conversationID], pass: nil, at: date, syncState: syncState, db)
        }
        removeCachedFiles(cached)
    }

    /// Applies one listed conversation made from the stored one, in one transaction with the read.
    private func applyToStored(
        _ remoteID: String, syncState: SyncStateUpdate?,
        _ change: @escaping @Sendable (inout Conversation) -> ListedConversation.TurnsUpdate
    ) async throws {
        let cached = try await writing { db -> [String] in
            var conversation = try Self.visibleConversation(remoteID, db).conversation()
            let turns = change(&conversation)
            return try Self.applyPage(
                [ListedConversation(conversation: conversation, turns: turns, changeToken: nil)], purged: [], pass: nil,
                at: Date(), syncState: syncState, db)
        }
        removeCachedFiles(cached)
    }

    /// Applies the stored turn, changed, to its conversation with `.append`, in one transaction with the read.
    private func applyToStoredTurn(
        _ remoteID: String, syncState: SyncStateUpdate?, _ change: @escaping @Sendable (inout Turn) -> Void
    ) async throws {
        let cached = try await writing { db -> [String] in
            let record = try Self.turn(remoteID, db)
            guard let stored = try ConversationRecord.fetchOne(db, key: record.conversationID),
                stored.remoteID != nil, stored.purgedAt == nil
            else {
                throw StoreError(.notFound, "no such turn", remoteID: remoteID)
            }
            guard var turn = try ConversationQueries.fetchTurns(
                sql: "id = ?", arguments: [record.id], limit: nil, db).first?.turn
            else {
                throw StoreError(.notFound, "no such turn", remoteID: remoteID)
            }
            change(&turn)
            return try Self.applyPage(
                [ListedConversation(conversation: stored.conversation(), turns: .append([turn]), changeToken: nil)],
                purged: [], pass: nil, at: Date(), syncState: syncState, db)
        }
        removeCachedFiles(cached)
    }

    /// Removes tombstones older than `cutoff`: soft-deleted turns, and soft-deleted or purged
    /// conversations (with all they hold) — except conversations an outbox op still refers to.
    /// With `includingSoftDeleted: false` only purged conversations go: where the remote still
    /// serves soft-deleted rows (knowrithm lists them), they are data, not tombstones.
    ///
    /// Returns how many conversations and turns were removed (their fragments not counted).
    ///
    /// - Throws: `StoreError` `.database`.
    @discardableResult
    public func collectTombstones(olderThan cutoff: Date, includingSoftDeleted: Bool = true) async throws -> Int {
        let millis = Timestamp.milliseconds(cutoff)
        let (removed, cached) = try await writing { db -> (Int, [String]) in
            let tombstone = includingSoftDeleted
                ? "(deleted_at IS NOT NULL OR purged_at IS NOT NULL) AND coalesce(purged_at, deleted_at) < ?"
                : "purged_at IS NOT NULL AND purged_at < ?"
            let condition = """
                SELECT id FROM conversation
                WHERE \(tombstone)
                AND NOT EXISTS (SELECT 1 FROM outbox WHERE outbox.conversation_id = conversation.id)
                """
            let paths = try RowWriter.cachedPaths(conversationIDs: condition, arguments: [millis], db)
            try db.execute(sql: "DELETE FROM conversation WHERE id IN (\(condition))", arguments: [millis])
            let conversations = db.changesCount
            guard includingSoftDeleted else { return (conversations, paths) }
            // A turn an outbox op made or names stays while the op does.
            try db.execute(
                sql: """
                    DELETE FROM turn WHERE deleted_at IS NOT NULL AND deleted_at < ? AND outbox_id IS NULL
                    AND id NOT IN (SELECT json_extract(payload, '$.turn') FROM outbox
                        WHERE kind IN ('delete_message', 'restore_message') AND json_extract(payload, '$.turn') IS NOT NULL)
                    """, arguments: [millis])
            return (conversations + db.changesCount, paths)
        }
        removeCachedFiles(cached)
        return removed
    }

    /// The stored state of one sync scope, `nil` if never written.
    ///
    /// - Throws: `StoreError` `.database`.
    public func syncState(scope: String) async throws -> SyncState? {
        try await syncStates(scopes: [scope])[scope]
    }

    /// Writes one scope's state on its own (sync writes take theirs as an argument).
    ///
    /// - Throws: `StoreError` `.database` (an empty scope is refused by the schema).
    public func setSyncState(_ update: SyncStateUpdate) async throws {
        try await writing { db in try Self.apply(update, db) }
    }

    // MARK: - Helpers

    static func apply(_ update: SyncStateUpdate?, _ db: Database) throws {
        guard let update else { return }
        try SyncStateRecord.apply(update, now: Date(), db)
    }

    static func localConversationID(_ remoteID: String, _ db: Database) throws -> Int64 {
        guard let id = try Int64.fetchOne(
            db, sql: "SELECT id FROM conversation WHERE remote_id = ?", arguments: [remoteID])
        else {
            throw StoreError(.notFound, "no such conversation", remoteID: remoteID)
        }
        return id
    }

    static func visibleConversation(_ remoteID: String, _ db: Database) throws -> ConversationRecord {
        guard let record = try ConversationRecord.fetch(remoteID: remoteID, db), record.purgedAt == nil else {
            throw StoreError(.notFound, "no such conversation", remoteID: remoteID)
        }
        return record
    }

    static func turn(_ remoteID: String, _ db: Database) throws -> TurnRecord {
        guard let record = try TurnRecord.fetch(remoteID: remoteID, db) else {
            throw StoreError(.notFound, "no such turn", remoteID: remoteID)
        }
        return record
    }
}
