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
    /// id is known under another conversation moves to this one.
    ///
    /// - Throws: `StoreError` `.notFound` (no such conversation), `.invalidArgument`, `.database`.
    public func replaceTurns(conversationID: String, turns: [Turn], syncState: SyncStateUpdate?) async throws {
        try await writing { db in
            let localID = try Self.localConversationID(conversationID, db)
            _ = try RowWriter.writeTurns(turns, conversationID: localID, mode: .replace, db)
            try OutboxReapply.all(localID, db)
            try Self.apply(syncState, db)
        }
    }

    /// Adds turns to the conversation, upserting by remote id: appending the same turn twice
    /// changes nothing; a changed turn is updated in place and keeps its position.
    ///
    /// - Throws: `StoreError` `.notFound` (no such conversation), `.invalidArgument`, `.database`.
    public func appendTurns(conversationID: String, turns: [Turn], syncState: SyncStateUpdate?) async throws {
        try await writing { db in
            let localID = try Self.localConversationID(conversationID, db)
            _ = try RowWriter.writeTurns(turns, conversationID: localID, mode: .append, db)
            try OutboxReapply.all(localID, db)
            try Self.apply(syncState, db)
        }
    }

    /// Soft-deletes a conversation: it leaves listings and search, stays restorable.
    /// Idempotent: an already deleted conversation keeps its first `deletedAt`.
    ///
    /// - Throws: `StoreError` `.notFound` (unknown or purged), `.database`.
    public func softDeleteConversation(id: String, at date: Date, syncState: SyncStateUpdate?) async throws {
        try await writing { db in
            let existing = try Self.visibleConversation(id, db)
            if existing.deletedAt == nil {
                var updated = existing
                updated.deletedAt = Timestamp.milliseconds(date)
                try updated.updateChanges(db, from: existing)
            }
            if let localID = existing.id { try OutboxReapply.conversation(localID, db) }
            try Self.apply(syncState, db)
        }
    }

    /// Restores a soft-deleted conversation (and its text in search). Idempotent.
    ///
    /// - Throws: `StoreError` `.notFound` (unknown or purged), `.database`.
    public func restoreConversation(id: String, syncState: SyncStateUpdate?) async throws {
        try await writing { db in
            let existing = try Self.visibleConversation(id, db)
            var updated = existing
            updated.deletedAt = nil
            try updated.updateChanges(db, from: existing)
            if let localID = existing.id { try OutboxReapply.conversation(localID, db) }
            try Self.apply(syncState, db)
        }
    }

    /// Soft-deletes one turn: it leaves the conversation's turns and search. Idempotent.
    ///
    /// - Throws: `StoreError` `.notFound` (no such turn), `.database`.
    public func softDeleteTurn(id: String, at date: Date, syncState: SyncStateUpdate?) async throws {
        try await writing { db in
            let existing = try Self.turn(id, db)
            if existing.deletedAt == nil {
                var updated = existing
                updated.deletedAt = Timestamp.milliseconds(date)
                try updated.updateChanges(db, from: existing)
            }
            try OutboxReapply.all(existing.conversationID, db)
            try Self.apply(syncState, db)
        }
    }

    /// Restores a soft-deleted turn. Idempotent.
    ///
    /// - Throws: `StoreError` `.notFound` (no such turn), `.database`.
    public func restoreTurn(id: String, syncState: SyncStateUpdate?) async throws {
        try await writing { db in
            let existing = try Self.turn(id, db)
            var updated = existing
            updated.deletedAt = nil
            try updated.updateChanges(db, from: existing)
            try OutboxReapply.all(existing.conversationID, db)
            try Self.apply(syncState, db)
        }
    }

    /// Records an observed hard delete: drops the conversation's turns, fragments, files
    /// (with their cached bytes), data frames, title and metadata, and hides the row for good.
    ///
    /// The row stays as a tombstone (until ``collectTombstones(olderThan:)``) so a later pass
    /// knows the id. Idempotent. If the remote lists it again, ``upsertConversations(_:pass:syncState:)``
    /// un-purges it.
    ///
    /// - Throws: `StoreError` `.notFound` (unknown id), `.database`.
    public func markPurged(conversationID: String, at date: Date, syncState: SyncStateUpdate?) async throws {
        let cached = try await writing { db -> [String] in
            guard let existing = try ConversationRecord.fetch(remoteID: conversationID, db), existing.id != nil else {
                throw StoreError(.notFound, "no such conversation", remoteID: conversationID)
            }
            let paths = try RowWriter.purge(existing, at: Timestamp.milliseconds(date), db)
            try Self.apply(syncState, db)
            return paths
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
        try await reading { db in try SyncStateRecord.fetchOne(db, key: scope)?.syncState }
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
