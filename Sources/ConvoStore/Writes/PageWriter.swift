import ConvoModel
import Foundation
import GRDB

/// What writing one row did; `unchanged` means no row was touched at all.
enum WriteOutcome: Sendable {
    case inserted, updated, unchanged
}

/// The writes of one page (a listing page, an import batch) inside the caller's transaction,
/// with what they must read done once per page instead of once per row.
///
/// On creation it reads, in one query each (chunked to SQLite's argument limit): the page's
/// stored conversations, the turns those conversations hold, the stored turns the page names
/// elsewhere, and those turns' fragments. Every write then compares against these maps and
/// updates them, so a page that names a conversation or a turn twice, or moves a turn between
/// two of its conversations, is written as if row by row: a row is written only when a field
/// differs (applying a page twice changes nothing; DESIGN, "Sync": "nothing applied twice").
/// Inserts go through statements prepared once a page (``InsertStatement``). Every sync page,
/// import batch and outbox completion writes its rows through it: there is one write path.
///
/// The page's new fragments and conversations enter the search indexes in one statement each
/// at ``finish()``, in ascending rowid order, instead of one trigger run per row (see the
/// schema's v5 note on `search_deferral`). ``finish()`` must run before the transaction
/// commits; a page that throws rolls the deferral back with its rows.
struct PageWriter {
    /// Which columns a source carries: a JSONL line has no message count or context length,
    /// so an import keeps what sync stored there.
    enum Fields { case all, exported }

    /// How a list of turns relates to what the replica holds.
    enum TurnMode {
        /// The list is the whole conversation: turns missing from it are removed
        /// (turns with no remote id wait in the outbox and stay).
        case replace
        /// The list is more turns: upsert by remote id, new ones after the last.
        case append
    }

    private let db: Database
    private let fields: Fields
    private var conversations: [String: ConversationRecord] = [:]
    private var turns: [String: TurnRecord] = [:]
    /// The remote ids of each held conversation's remote turns (local ones never move or go).
    private var turnsOfConversation: [Int64: Set<String>] = [:]
    /// The stored fragments of the turns read, in position order.
    private var fragments: [Int64: [FragmentRecord]] = [:]
    /// The largest fragment and conversation ids before the page's first insert: rows above
    /// them are the page's. `nil` until it inserts (a page that changes nothing writes nothing).
    private var deferredAfter: (fragments: Int64, conversations: Int64)?
    /// The keys the page's next new turn and fragment get, set with ``deferredAfter``: new rows
    /// are written with their keys, many to a statement, when a conversation's turns are done.
    private var nextTurnID: Int64 = 0
    private var nextFragmentID: Int64 = 0
    private var pendingTurns: [TurnRecord] = []
    private var pendingFragments: [FragmentRecord] = []
    /// Turns (by remote id) and fragments' turns (by key) with rows still in the buffers above.
    private var pendingTurnIDs: Set<String> = []
    private var pendingFragmentTurns: Set<Int64> = []
    /// The page's prepared inserts, by table and rows a statement.
    private var insertStatements: [String: InsertStatement] = [:]

    /// SQLite's default limit on bound arguments is 32,766; chunks stay far below it.
    private static let chunkSize = 900

    /// Reads what the page's writes compare against.
    init(conversationIDs: [String], turnIDs: [String], fields: Fields, _ db: Database) throws {
        self.db = db
        self.fields = fields
        for chunk in Self.chunks(Array(Set(conversationIDs))) {
            let rows = try ConversationRecord.fetchAll(
                db, sql: "SELECT * FROM conversation WHERE remote_id IN (\(Self.placeholders(chunk.count)))",
                arguments: StatementArguments(chunk))
            for row in rows { if let remoteID = row.remoteID { conversations[remoteID] = row } }
        }
        var stored: [TurnRecord] = []
        for chunk in Self.chunks(conversations.values.compactMap(\.id)) {
            stored += try TurnRecord.fetchAll(
                db,
                sql: "SELECT * FROM turn WHERE conversation_id IN (\(Self.placeholders(chunk.count))) AND remote_id IS NOT NULL",
                arguments: StatementArguments(chunk))
        }
        let held = Set(stored.compactMap(\.remoteID))
        let elsewhere = Array(Set(turnIDs).subtracting(held))
        for chunk in Self.chunks(elsewhere) {
            stored += try TurnRecord.fetchAll(
                db, sql: "SELECT * FROM turn WHERE remote_id IN (\(Self.placeholders(chunk.count)))",
                arguments: StatementArguments(chunk))
        }
        let named = Set(turnIDs)
        var withFragments: [Int64] = []
        for turn in stored {
            guard let remoteID = turn.remoteID, let id = turn.id else { continue }
            turns[remoteID] = turn
            turnsOfConversation[turn.conversationID, default: []].insert(remoteID)
            if named.contains(remoteID) { withFragments.append(id) }
        }
        for chunk in Self.chunks(withFragments) {
            let rows = try FragmentRecord.fetchAll(
                db,
                sql: "SELECT * FROM fragment WHERE turn_id IN (\(Self.placeholders(chunk.count))) ORDER BY turn_id, position",
                arguments: StatementArguments(chunk))
            for row in rows { fragments[row.turnID, default: []].append(row) }
        }
        for id in withFragments where fragments[id] == nil { fragments[id] = [] }
    }

    /// Inserts or updates one conversation by remote id, storing `changeToken` with it when
    /// given; returns its local key.
    ///
    /// A page's `deletedAt` wins (a conversation back from a soft delete is restored);
    /// a purged conversation that reappears is un-purged, its content to be refetched.
    mutating func upsert(
        _ conversation: Conversation, pass: Int64?, changeToken: String? = nil
    ) throws -> (localID: Int64, outcome: WriteOutcome) {
        guard !conversation.id.isEmpty else {
            throw StoreError(.invalidArgument, "a conversation's remote id must not be empty")
        }
        var incoming = try ConversationRecord(conversation)
        incoming.lastSeenPass = pass
        guard let existing = conversations[conversation.id], let localID = existing.id else {
            incoming.contentHash = changeToken
            try deferIndexing()
            try insertStatement(key: "conversation") { ConversationRecord.insertSQL }.execute(incoming.insertValues)
            let localID = db.lastInsertedRowID
            incoming.id = localID
            conversations[conversation.id] = incoming
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
        if let changeToken { updated.contentHash = changeToken }
        let changed = try updated.updateChanges(db, from: existing)
        conversations[conversation.id] = updated
        return (localID, changed ? .updated : .unchanged)
    }

    /// Writes `list` into the conversation with local key `conversationID`; returns whether
    /// anything changed.
    mutating func writeTurns(_ list: [Turn], conversationID: Int64, mode: TurnMode) throws -> Bool {
        var changed = false
        var nextOrdinal: Int64 = 0
        if mode == .append {
            nextOrdinal = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT max(ordinal) + 1 FROM turn WHERE conversation_id = ?"),
                arguments: [conversationID]) ?? 0
        }
        var seen = Set<String>()
        for (index, turn) in list.enumerated() {
            guard !turn.id.isEmpty else {
                throw StoreError(.invalidArgument, "a turn's remote id must not be empty")
            }
            seen.insert(turn.id)
            if let existing = turns[turn.id], let existingID = existing.id {
                if pendingTurnIDs.contains(turn.id) || pendingFragmentTurns.contains(existingID) { try flushInserts() }
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
                if existing.conversationID != conversationID {
                    turnsOfConversation[existing.conversationID]?.remove(turn.id)
                    turnsOfConversation[conversationID, default: []].insert(turn.id)
                }
                turns[turn.id] = updated
                if try writeFragments(turn.fragments, turnID: existingID) { changed = true }
            } else {
                let ordinal: Int64
                switch mode {
                case .replace: ordinal = Int64(index)
                case .append:
                    ordinal = nextOrdinal
                    nextOrdinal += 1
                }
                try deferIndexing()
                var record = TurnRecord(turn, conversationID: conversationID, ordinal: ordinal)
                let id = nextTurnID
                nextTurnID += 1
                record.id = id
                pendingTurns.append(record)
                pendingTurnIDs.insert(turn.id)
                turns[turn.id] = record
                turnsOfConversation[conversationID, default: []].insert(turn.id)
                var inserted: [FragmentRecord] = []
                inserted.reserveCapacity(turn.fragments.count)
                for (position, fragment) in turn.fragments.enumerated() {
                    var row = try FragmentRecord(fragment, turnID: id, position: Int64(position))
                    row.id = nextFragmentID
                    nextFragmentID += 1
                    pendingFragments.append(row)
                    inserted.append(row)
                }
                fragments[id] = inserted
                changed = true
            }
        }
        try flushInserts()
        if mode == .replace, let held = turnsOfConversation[conversationID] {
            let gone = held.subtracting(seen)
            if !gone.isEmpty {
                let delete = try db.cachedStatement(sql: "DELETE FROM turn WHERE id = ?")
                for remoteID in gone {
                    if let id = turns[remoteID]?.id {
                        try delete.execute(arguments: [id])
                        fragments[id] = nil
                    }
                    turns[remoteID] = nil
                    changed = true
                }
                turnsOfConversation[conversationID] = held.intersection(seen)
            }
        }
        return changed
    }

    /// Makes the turn's fragments equal to `list`, position by position, touching only what differs.
    private mutating func writeFragments(_ list: [Fragment], turnID: Int64) throws -> Bool {
        let stored: [FragmentRecord]
        if let cached = fragments[turnID] {
            stored = cached
        } else {
            stored = try FragmentRecord.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM fragment WHERE turn_id = ? ORDER BY position"), arguments: [turnID])
        }
        var changed = false
        var written: [FragmentRecord] = []
        written.reserveCapacity(list.count)
        for (index, fragment) in list.enumerated() {
            var record = try FragmentRecord(fragment, turnID: turnID, position: Int64(index))
            if index < stored.count {
                record.id = stored[index].id
                if try record.updateChanges(db, from: stored[index]) { changed = true }
            } else {
                try deferIndexing()
                record.id = nextFragmentID
                nextFragmentID += 1
                pendingFragments.append(record)
                pendingFragmentTurns.insert(turnID)
                changed = true
            }
            written.append(record)
        }
        if stored.count > list.count {
            try flushInserts()
            try db.cachedStatement(sql: "DELETE FROM fragment WHERE turn_id = ? AND position >= ?")
                .execute(arguments: [turnID, list.count])
            changed = true
        }
        fragments[turnID] = written
        return changed
    }

    /// Starts deferring the indexing of new rows, before the page's first insert.
    private mutating func deferIndexing() throws {
        guard deferredAfter == nil else { return }
        let fragments = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) FROM fragment")) ?? 0
        let conversations = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) FROM conversation")) ?? 0
        let turns = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) FROM turn")) ?? 0
        try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO search_deferral (id, fragments_after, conversations_after) VALUES (1, ?, ?)"
        ).execute(arguments: [fragments, conversations])
        deferredAfter = (fragments, conversations)
        nextTurnID = turns + 1
        nextFragmentID = fragments + 1
    }

    /// Writes the buffered new turns, then their fragments, many rows to a statement.
    private mutating func flushInserts() throws {
        try insertAll(pendingTurns, rowsPerStatement: 90)
        pendingTurns.removeAll(keepingCapacity: true)
        pendingTurnIDs.removeAll(keepingCapacity: true)
        try insertAll(pendingFragments, rowsPerStatement: 120)
        pendingFragments.removeAll(keepingCapacity: true)
        pendingFragmentTurns.removeAll(keepingCapacity: true)
    }

    /// Inserts `rows`, keys included, `rowsPerStatement` to a statement (below SQLite's
    /// argument limit). Database values are made from the records' concrete fields: arguments
    /// built from optional existentials cost a fifth of the page writes.
    private mutating func insertAll<Row: BatchInsertable>(_ rows: [Row], rowsPerStatement: Int) throws {
        for start in stride(from: 0, to: rows.count, by: rowsPerStatement) {
            let chunk = rows[start..<min(start + rowsPerStatement, rows.count)]
            var values: [DatabaseValue] = []
            values.reserveCapacity(chunk.count * Row.insertColumns.count)
            for row in chunk { row.appendInsertValues(to: &values) }
            let table = Row.databaseTableName
            let columns = Row.insertColumns
            try insertStatement(key: "\(table) \(chunk.count)") {
                let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
                return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
                    + Array(repeating: row, count: chunk.count).joined(separator: ",")
            }.execute(values)
        }
    }

    /// The insert named `key`, prepared from `sql` on its first use in the page.
    private mutating func insertStatement(key: String, sql: () -> String) throws -> InsertStatement {
        if let statement = insertStatements[key] { return statement }
        let statement = try InsertStatement(sql: sql(), db)
        insertStatements[key] = statement
        return statement
    }

    /// Indexes the page's new visible text and titles, in rowid order, and ends the deferral:
    /// from here on every write is indexed by the schema's triggers again.
    mutating func finish() throws {
        try flushInserts()
        guard let deferredAfter else { return }
        try db.cachedStatement(
            sql: """
                INSERT INTO fragment_search (rowid, content)
                SELECT f.id, f.content FROM fragment f
                JOIN turn t ON t.id = f.turn_id JOIN conversation c ON c.id = t.conversation_id
                WHERE f.id > ? AND f.kind = 'text' AND t.deleted_at IS NULL AND c.deleted_at IS NULL
                    AND c.purged_at IS NULL
                ORDER BY f.id
                """
        ).execute(arguments: [deferredAfter.fragments])
        try db.cachedStatement(
            sql: """
                INSERT INTO title_search (rowid, title)
                SELECT id, title FROM conversation
                WHERE id > ? AND title IS NOT NULL AND deleted_at IS NULL AND purged_at IS NULL
                ORDER BY id
                """
        ).execute(arguments: [deferredAfter.conversations])
        try db.cachedStatement(sql: "DELETE FROM search_deferral").execute()
    }

    /// Reads the conversation and its remote turns again after writes made outside this
    /// writer (the outbox's optimistic effects re-applied on top of the page).
    mutating func reload(conversation remoteID: String, localID: Int64) throws {
        conversations[remoteID] = try ConversationRecord.fetch(remoteID: remoteID, db)
        let rows = try TurnRecord.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM turn WHERE conversation_id = ? AND remote_id IS NOT NULL"),
            arguments: [localID])
        turnsOfConversation[localID] = Set(rows.compactMap(\.remoteID))
        for row in rows { if let id = row.remoteID { turns[id] = row } }
    }

    private static func chunks<Element>(_ values: [Element]) -> [ArraySlice<Element>] {
        stride(from: 0, to: values.count, by: chunkSize).map { values[$0..<min($0 + chunkSize, values.count)] }
    }

    private static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }
}

/// A record the page writer inserts many to a statement, its key included.
private protocol BatchInsertable: TableRecord {
    /// The columns written, in the order of ``appendInsertValues(to:)``.
    static var insertColumns: [String] { get }
    /// Appends the row's values, one per column.
    func appendInsertValues(to values: inout [DatabaseValue])
}

extension TurnRecord: BatchInsertable {
    static let insertColumns = [
        "id", "remote_id", "conversation_id", "ordinal", "role", "timestamp", "state", "error_detail", "in_reply_to",
        "deleted_at",
    ]

    func appendInsertValues(to values: inout [DatabaseValue]) {
        values.append(id.databaseValue)
        values.append(remoteID.databaseValue)
        values.append(conversationID.databaseValue)
        values.append(ordinal.databaseValue)
        values.append(role.databaseValue)
        values.append(timestamp.databaseValue)
        values.append(state.databaseValue)
        values.append(errorDetail.databaseValue)
        values.append(inReplyTo.databaseValue)
        values.append(deletedAt.databaseValue)
    }
}

extension FragmentRecord: BatchInsertable {
    static let insertColumns = ["id", "turn_id", "position", "kind", "content", "state", "metadata"]

    func appendInsertValues(to values: inout [DatabaseValue]) {
        values.append(id.databaseValue)
        values.append(turnID.databaseValue)
        values.append(position.databaseValue)
        values.append(kind.databaseValue)
        values.append(content.databaseValue)
        values.append(state.databaseValue)
        values.append(metadata.databaseValue)
    }
}
