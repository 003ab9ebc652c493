import ConvoModel
import Foundation
import GRDB

/// What writing one row did; `unchanged` means no row was touched at all.
enum WriteOutcome: Sendable {
    case inserted, updated, unchanged
}

/// The row-level writes every sync write and the import share, run inside the caller's transaction.
///
/// Remote ids are the identity; a row is only written when a field differs, so applying
/// the same page twice changes nothing (DESIGN, "Sync": "nothing applied twice").
enum RowWriter {
    /// Which columns a source carries: a JSONL line has no message count or context length,
    /// so an import keeps what sync stored there.
    enum Fields { case all, exported }

    /// Inserts or updates one conversation by remote id; returns its local key.
    ///
    /// A page's `deletedAt` wins (a conversation back from a soft delete is restored);
    /// a purged conversation that reappears is un-purged, its content to be refetched.
    static func upsert(
        _ conversation: Conversation, pass: Int64?, fields: Fields, _ db: Database
    ) throws -> (localID: Int64, outcome: WriteOutcome) {
        guard !conversation.id.isEmpty else {
            throw StoreError(.invalidArgument, "a conversation's remote id must not be empty")
        }
        var incoming = try ConversationRecord(conversation)
        incoming.lastSeenPass = pass
        guard let existing = try ConversationRecord.fetch(remoteID: conversation.id, db), let localID = existing.id else {
            try incoming.insertNew(db)
            guard let localID = incoming.id else { throw StoreError(.database, "an inserted row has no key") }
            return (localID, .inserted)
        }
        var updated = existing
        updated.agentID = incoming.agentID
        updated.title = incoming.title
        updated.metadata = incoming.metadata
        updated.source = incoming.source
        updated.sourceRefID = incoming.sourceRefID
        if fields == .all {
            updated.messageCount = incoming.messageCount
            updated.maxContextLength = incoming.maxContextLength
        }
        updated.createdAt = incoming.createdAt
        updated.updatedAt = incoming.updatedAt
        updated.deletedAt = incoming.deletedAt
        updated.purgedAt = nil
        if let pass { updated.lastSeenPass = pass }
        let changed = try updated.updateChanges(db, from: existing)
        return (localID, changed ? .updated : .unchanged)
    }

    /// How a list of turns relates to what the replica holds.
    enum TurnMode {
        /// The list is the whole conversation: turns missing from it are removed
        /// (turns with no remote id wait in the outbox and stay).
        case replace
        /// The list is more turns: upsert by remote id, new ones after the last.
        case append
    }

    /// Writes `turns` into the conversation with local key `conversationID`; returns whether anything changed.
    static func writeTurns(_ turns: [Turn], conversationID: Int64, mode: TurnMode, _ db: Database) throws -> Bool {
        var changed = false
        var nextOrdinal = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT max(ordinal) + 1 FROM turn WHERE conversation_id = ?"),
            arguments: [conversationID]) ?? 0
        var seen = Set<String>()
        for (index, turn) in turns.enumerated() {
            guard !turn.id.isEmpty else {
                throw StoreError(.invalidArgument, "a turn's remote id must not be empty")
            }
            seen.insert(turn.id)
            let turnID: Int64
            if let existing = try TurnRecord.fetch(remoteID: turn.id, db), let existingID = existing.id {
                let ordinal: Int64
                switch mode {
                case .replace: ordinal = Int64(index)
                case .append:
                    if existing.conversationID == conversationID {
                        ordinal = existing.ordinal
                    } else {
                        ordinal = nextOrdinal
                        nextOrdinal += 1
                    }
                }
                var updated = TurnRecord(turn, conversationID: conversationID, ordinal: ordinal)
                updated.id = existingID
                if try updated.updateChanges(db, from: existing) { changed = true }
                turnID = existingID
            } else {
                let ordinal: Int64
                switch mode {
                case .replace: ordinal = Int64(index)
                case .append:
                    ordinal = nextOrdinal
                    nextOrdinal += 1
                }
                var record = TurnRecord(turn, conversationID: conversationID, ordinal: ordinal)
                try record.insertNew(db)
                guard let id = record.id else { throw StoreError(.database, "an inserted row has no key") }
                try insertFragments(turn.fragments, turnID: id, db)
                changed = true
                continue
            }
            if try writeFragments(turn.fragments, turnID: turnID, db) { changed = true }
        }
        if mode == .replace {
            let stored = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT id, remote_id FROM turn WHERE conversation_id = ? AND remote_id IS NOT NULL"),
                arguments: [conversationID])
            for row in stored {
                let remoteID: String = row["remote_id"]
                if !seen.contains(remoteID) {
                    try db.execute(sql: "DELETE FROM turn WHERE id = ?", arguments: [row["id"] as Int64])
                    changed = true
                }
            }
        }
        return changed
    }

    /// Makes the turn's fragments equal to `fragments`, position by position, touching only what differs.
    static func writeFragments(_ fragments: [Fragment], turnID: Int64, _ db: Database) throws -> Bool {
        let stored = try FragmentRecord.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM fragment WHERE turn_id = ? ORDER BY position"), arguments: [turnID])
        var changed = false
        for (index, fragment) in fragments.enumerated() {
            var record = try FragmentRecord(fragment, turnID: turnID, position: Int64(index))
            if index < stored.count {
                record.id = stored[index].id
                if try record.updateChanges(db, from: stored[index]) { changed = true }
            } else {
                try record.insertNew(db)
                changed = true
            }
        }
        if stored.count > fragments.count {
            try db.execute(
                sql: "DELETE FROM fragment WHERE turn_id = ? AND position >= ?", arguments: [turnID, fragments.count])
            changed = true
        }
        return changed
    }

    /// Inserts the fragments of a turn that has none yet (one just inserted).
    static func insertFragments(_ fragments: [Fragment], turnID: Int64, _ db: Database) throws {
        for (index, fragment) in fragments.enumerated() {
            var record = try FragmentRecord(fragment, turnID: turnID, position: Int64(index))
            try record.insertNew(db)
        }
    }

    /// Records an observed hard delete of the conversation with this remote id (see
    /// ``purge(_:at:_:)``). Unknown or already purged: no-op.
    static func purge(remoteID: String, at millis: Int64, _ db: Database) throws -> [String] {
        guard let existing = try ConversationRecord.fetch(remoteID: remoteID, db) else { return [] }
        return try purge(existing, at: millis, db)
    }

    /// Records an observed hard delete of `existing`: drops its turns, files, data frames, title
    /// and metadata and sets `purged_at`. Idempotent. Returns the cached file paths to remove.
    static func purge(_ existing: ConversationRecord, at millis: Int64, _ db: Database) throws -> [String] {
        guard existing.purgedAt == nil, let localID = existing.id else { return [] }
        let paths = try cachedPaths(conversationIDs: "?", arguments: [localID], db)
        try db.execute(sql: "DELETE FROM turn WHERE conversation_id = ?", arguments: [localID])
        try db.execute(sql: "DELETE FROM file WHERE conversation_id = ?", arguments: [localID])
        try db.execute(sql: "DELETE FROM data_frame WHERE conversation_id = ?", arguments: [localID])
        var updated = existing
        updated.purgedAt = millis
        updated.title = nil
        updated.metadata = nil
        updated.messageCount = nil
        updated.contentHash = nil
        try updated.updateChanges(db, from: existing)
        return paths
    }

    /// The cached file paths (relative to the replica folder) of the given conversations' files.
    static func cachedPaths(conversationIDs sql: String, arguments: StatementArguments, _ db: Database) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT cached_path FROM file WHERE cached_path IS NOT NULL AND conversation_id IN (\(sql))",
            arguments: arguments)
    }
}

extension Replica {
    /// Removes cached file bytes after the rows naming them were deleted; best effort,
    /// and only below the replica's folder (the schema refuses absolute and `..` paths).
    func removeCachedFiles(_ relativePaths: [String]) {
        let folder = self.folder.standardizedFileURL
        for relative in relativePaths {
            let url = folder.appendingPathComponent(relative).standardizedFileURL
            guard url.path.hasPrefix(folder.path + "/") else { continue }
            try? FileManager.default.removeItem(at: url)
        }
    }
}
