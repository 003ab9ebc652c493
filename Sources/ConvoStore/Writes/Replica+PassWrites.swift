import ConvoModel
import Foundation
import GRDB

/// One conversation of a listing page as the engine applies it: the listing's fields, and its
/// turns when they were read because something changed.
public struct ListedConversation: Sendable, Hashable {
    /// How `turns` relate to what the replica holds.
    public enum TurnsUpdate: Sendable, Hashable {
        /// The turns were not read (nothing changed): keep what the replica holds.
        case unchanged
        /// The whole conversation: turns missing from the list are removed.
        case replace([Turn])
        /// More turns from a tail re-read: upsert by id, new ones after the last.
        case append([Turn])
    }

    /// The conversation's fields as listed.
    public var conversation: Conversation
    /// Its turns, when read.
    public var turns: TurnsUpdate
    /// The change token the turns are now in step with (update time and count, or a content
    /// hash); stored with them so an interrupted pass refetches exactly what it had not written.
    public var changeToken: String?
    /// Bookkeeping of this conversation's own scope (a tail re-read's position), written in
    /// the same transaction.
    public var syncState: SyncStateUpdate?

    /// Makes one listed conversation.
    public init(conversation: Conversation, turns: TurnsUpdate, changeToken: String?, syncState: SyncStateUpdate? = nil) {
        self.conversation = conversation
        self.turns = turns
        self.changeToken = changeToken
        self.syncState = syncState
    }
}

/// One page of a listing pass as the engine commits it: what
/// ``Replica/applyListingPage(_:purged:pass:at:syncState:)`` takes, as a value, so that
/// consecutive pages can commit in one transaction (``Replica/applyListingPages(_:at:)``).
public struct ListingPageWrite: Sendable {
    /// The page's conversations, with the turns of those that changed.
    public var items: [ListedConversation]
    /// Conversations whose own read proved them hard-deleted.
    public var purged: [String]
    /// The pass generation stamped on the page's conversations (a full pass), or `nil`.
    public var pass: Int64?
    /// The paging position that follows the page, stored with it.
    public var syncState: SyncStateUpdate?

    /// Makes one page's write.
    public init(items: [ListedConversation], purged: [String] = [], pass: Int64?, syncState: SyncStateUpdate?) {
        self.items = items
        self.purged = purged
        self.pass = pass
        self.syncState = syncState
    }
}

/// What the replica holds of one remote conversation, for the engine's change detection.
public struct StoredSyncMark: Sendable, Hashable {
    /// The change token its turns are in step with; `nil` when its turns were never read.
    public var changeToken: String?
    /// Whether it is tombstoned by an observed hard delete.
    public var purged: Bool
}

extension Replica {
    /// Applies one page of a listing pass in one transaction: the conversations (stamped with
    /// `pass` when given), the turns of those that changed with their change tokens, observed
    /// hard deletes (`purged`), and the paging position that follows the page (DESIGN, "Sync:
    /// how the replica stays true": a crash resumes exactly after the last committed page).
    ///
    /// - Throws: `StoreError` `.invalidArgument` (an empty remote id; nothing is written) or `.database`.
    public func applyListingPage(
        _ items: [ListedConversation], purged: [String] = [], pass: Int64?, at date: Date = Date(),
        syncState: SyncStateUpdate?
    ) async throws {
        try await applyListingPages(
            [ListingPageWrite(items: items, purged: purged, pass: pass, syncState: syncState)], at: date)
    }

    /// Applies consecutive pages of one listing pass in one transaction, each exactly as
    /// ``applyListingPage(_:purged:pass:at:syncState:)`` applies it, in order. A crash keeps
    /// all of them or none, and the stored paging position is the last page's, so the pass
    /// resumes after the last page committed, as it does page by page. One commit for several
    /// pages writes each index page they share once instead of once a page.
    ///
    /// - Throws: `StoreError` `.invalidArgument` (an empty remote id; nothing is written) or `.database`.
    public func applyListingPages(_ pages: [ListingPageWrite], at date: Date = Date()) async throws {
        guard !pages.isEmpty else { return }
        let cached = try await writing { db -> [String] in
            var cached: [String] = []
            for page in pages {
                cached += try Self.applyPage(
                    page.items, purged: page.purged, pass: page.pass, at: date, syncState: page.syncState, db)
            }
            return cached
        }
        removeCachedFiles(cached)
    }

    /// ``applyListingPage(_:purged:pass:at:syncState:)`` inside the caller's transaction; returns
    /// the cached file paths of purged conversations, to remove once it commits.
    static func applyPage(
        _ items: [ListedConversation], purged: [String], pass: Int64?, at date: Date, syncState: SyncStateUpdate?,
        _ db: Database
    ) throws -> [String] {
        // Pending local writes stay on top of what the remote says (DESIGN "Offline writes").
        let reapplies = try OutboxReapply.hasPendingOps(db)
        // Local-only turns (a failed send keeps its text) go after the remote ones.
        let placesLocalTurns = try reapplies
            || Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM turn WHERE remote_id IS NULL)") == true
        // What the page's writes compare against, read once (DESIGN "Sync": nothing applied twice).
        var writer = try PageWriter(
            conversationIDs: items.map(\.conversation.id),
            turnIDs: items.flatMap { item -> [String] in
                switch item.turns {
                case .unchanged: []
                case .replace(let turns), .append(let turns): turns.map(\.id)
                }
            }, fields: .all, db)
        for item in items {
            let (localID, _) = try writer.upsert(item.conversation, pass: pass, changeToken: item.changeToken)
            var reapplied = false
            switch item.turns {
            case .unchanged:
                if reapplies {
                    try OutboxReapply.conversation(localID, db)
                    reapplied = true
                }
            case .replace(let turns):
                _ = try writer.writeTurns(turns, conversationID: localID, mode: .replace)
                if placesLocalTurns {
                    try OutboxReapply.all(localID, db)
                    reapplied = true
                }
            case .append(let turns):
                _ = try writer.writeTurns(turns, conversationID: localID, mode: .append)
                if placesLocalTurns {
                    try OutboxReapply.all(localID, db)
                    reapplied = true
                }
            }
            if reapplied { try writer.reload(conversation: item.conversation.id, localID: localID) }
            try apply(item.syncState, db)
        }
        try writer.finish()
        var paths: [String] = []
        for remoteID in purged {
            paths += try RowWriter.purge(remoteID: remoteID, at: Timestamp.milliseconds(date), db)
        }
        try apply(syncState, db)
        return paths
    }

    /// The change marks of the given remote conversations that the replica holds.
    ///
    /// - Throws: `StoreError` `.database`.
    public func syncMarks(remoteIDs: [String]) async throws -> [String: StoredSyncMark] {
        guard !remoteIDs.isEmpty else { return [:] }
        return try await reading { db in
            var marks: [String: StoredSyncMark] = [:]
            for chunk in stride(from: 0, to: remoteIDs.count, by: 500).map({ Array(remoteIDs[$0..<min($0 + 500, remoteIDs.count)]) }) {
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchAll(
                    db, sql: "SELECT remote_id, content_hash, purged_at FROM conversation WHERE remote_id IN (\(placeholders))",
                    arguments: StatementArguments(chunk))
                for row in rows {
                    let id: String = row["remote_id"]
                    marks[id] = StoredSyncMark(changeToken: row["content_hash"], purged: (row["purged_at"] as Int64?) != nil)
                }
            }
            return marks
        }
    }

    /// The remote conversations (of `agentID`, when given) that mark-and-sweep pass `pass`
    /// did not see: candidates for a remote hard delete, to confirm before purging.
    ///
    /// - Throws: `StoreError` `.database`.
    public func unseenConversations(pass: Int64, agentID: String?) async throws -> [String] {
        try await reading { db in
            var sql = """
                SELECT remote_id FROM conversation
                WHERE remote_id IS NOT NULL AND purged_at IS NULL AND (last_seen_pass IS NULL OR last_seen_pass < ?)
                """
            var arguments: StatementArguments = [pass]
            if let agentID {
                sql += " AND agent_id = ?"
                arguments += [agentID]
            }
            return try String.fetchAll(db, sql: sql + " ORDER BY id", arguments: arguments)
        }
    }

    /// The remote conversations (of `agentID`, when given) the replica holds, soft-deleted
    /// ones included, purged ones not: what a verification expects the remote to serve.
    ///
    /// - Throws: `StoreError` `.database`.
    public func heldConversations(agentID: String?) async throws -> [String] {
        try await reading { db in
            var sql = "SELECT remote_id FROM conversation WHERE remote_id IS NOT NULL AND purged_at IS NULL"
            var arguments: StatementArguments = []
            if let agentID {
                sql += " AND agent_id = ?"
                arguments += [agentID]
            }
            return try String.fetchAll(db, sql: sql + " ORDER BY id", arguments: arguments)
        }
    }

    /// How many remote conversations (of `agentID`, when given) the replica holds that are not
    /// purged — soft-deleted ones included when `includingDeleted`. Compared with a listing's
    /// total, it tells whether anything was hard-deleted since the last pass.
    ///
    /// - Throws: `StoreError` `.database`.
    public func remoteConversationCount(agentID: String?, includingDeleted: Bool) async throws -> Int {
        try await reading { db in
            var sql = "SELECT count(*) FROM conversation WHERE remote_id IS NOT NULL AND purged_at IS NULL"
            if !includingDeleted { sql += " AND deleted_at IS NULL" }
            var arguments: StatementArguments = []
            if let agentID {
                sql += " AND agent_id = ?"
                arguments += [agentID]
            }
            return try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0
        }
    }

    /// The agent of every remote conversation the replica knows (id → agent id), so an adapter
    /// whose routes name the agent can address them before listing them again.
    ///
    /// - Throws: `StoreError` `.database`.
    public func conversationOwners() async throws -> [String: String] {
        try await reading { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT remote_id, agent_id FROM conversation WHERE remote_id IS NOT NULL AND agent_id IS NOT NULL")
            var owners: [String: String] = [:]
            for row in rows { owners[row["remote_id"]] = row["agent_id"] as String }
            return owners
        }
    }
}
