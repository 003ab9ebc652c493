import CSQLite
import ConvoModel
import Foundation

/// The references the store and the sync are measured against (StoreBenchmark and
/// SyncBenchmark share them), both through the C API with prepared
/// statements in one transaction (no ORM, no JSON, no per-row bookkeeping):
/// - *raw*: the same rows into the replica's own schema (`Schema/replica.sql`, its triggers
///   included), which measures the schema against itself;
/// - *lean*: the same rows into ``leanSchema`` — three plain tables, two indexes and an FTS5
///   index over the fragment text (external content, so the text is stored once), whose rows
///   are written by the same transaction. That is the physical limit a replica with full-text
///   search can approach here, whatever its schema.
public struct RawInsert {
    /// The lean reference's schema.
    public static let leanSchema = """
        CREATE TABLE conversation (id INTEGER PRIMARY KEY, remote_id TEXT NOT NULL, agent_id TEXT, title TEXT,
            metadata TEXT, source TEXT, source_ref_id TEXT, message_count INTEGER, created_at INTEGER, updated_at INTEGER);
        CREATE TABLE turn (id INTEGER PRIMARY KEY, remote_id TEXT, conversation_id INTEGER NOT NULL, ordinal INTEGER NOT NULL,
            role TEXT NOT NULL, timestamp INTEGER, state TEXT, in_reply_to TEXT);
        CREATE INDEX turn_by_conversation ON turn (conversation_id, ordinal);
        CREATE TABLE fragment (id INTEGER PRIMARY KEY, turn_id INTEGER NOT NULL, position INTEGER NOT NULL,
            kind TEXT NOT NULL, content TEXT NOT NULL, state TEXT);
        CREATE INDEX fragment_by_turn ON fragment (turn_id, position);
        CREATE VIRTUAL TABLE fragment_fts USING fts5(content, content='fragment', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2');
        """

    /// The lean reference's FTS row, written beside each fragment.
    public static let leanIndexing = "INSERT INTO fragment_fts (rowid, content) VALUES (?, ?)"

    public enum Failure: Error, CustomStringConvertible {
        case sqlite(String)
        public var description: String {
            switch self {
            case .sqlite(let message): "SQLite: \(message)"
            }
        }
    }

    private var db: OpaquePointer?

    public init(path: String, schemaSQL: String) throws {
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw Failure.sqlite("cannot open \(path)") }
        try execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        try execute(schemaSQL)
    }

    public func close() { sqlite3_close(db) }

    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "unknown"
            sqlite3_free(error)
            throw Failure.sqlite(message)
        }
    }

    private func prepare(_ sql: String) throws -> OpaquePointer? {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            throw Failure.sqlite(String(cString: sqlite3_errmsg(db)))
        }
        return statement
    }

    /// Inserts every conversation with its turns and fragments in one transaction; with
    /// `indexing`, each fragment's rowid and text also go through that statement.
    public func insert(_ corpus: [(Conversation, [Turn])], indexing: String? = nil) throws {
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let conversationStatement = try prepare(
            "INSERT INTO conversation (remote_id, agent_id, title, metadata, source, source_ref_id, message_count, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)")
        let turnStatement = try prepare(
            "INSERT INTO turn (remote_id, conversation_id, ordinal, role, timestamp, state, in_reply_to) VALUES (?,?,?,?,?,?,?)")
        let fragmentStatement = try prepare(
            "INSERT INTO fragment (turn_id, position, kind, content, state) VALUES (?,?,?,?,?)")
        let indexStatement = try indexing.map(prepare)
        defer {
            sqlite3_finalize(conversationStatement)
            sqlite3_finalize(turnStatement)
            sqlite3_finalize(fragmentStatement)
            if let indexStatement { sqlite3_finalize(indexStatement) }
        }
        func step(_ statement: OpaquePointer?) throws {
            guard sqlite3_step(statement) == SQLITE_DONE else { throw Failure.sqlite(String(cString: sqlite3_errmsg(db))) }
            sqlite3_reset(statement)
        }
        try execute("BEGIN")
        for (conversation, turns) in corpus {
            sqlite3_bind_text(conversationStatement, 1, conversation.id, -1, transient)
            sqlite3_bind_text(conversationStatement, 2, conversation.agentID, -1, transient)
            sqlite3_bind_text(conversationStatement, 3, conversation.title, -1, transient)
            sqlite3_bind_text(conversationStatement, 4, #"{"crm_id":"x"}"#, -1, transient)
            sqlite3_bind_text(conversationStatement, 5, conversation.source, -1, transient)
            sqlite3_bind_text(conversationStatement, 6, conversation.sourceRefID, -1, transient)
            sqlite3_bind_int64(conversationStatement, 7, Int64(conversation.messageCount ?? 0))
            sqlite3_bind_int64(conversationStatement, 8, conversation.createdAt.map(Timestamp.milliseconds) ?? 0)
            sqlite3_bind_int64(conversationStatement, 9, conversation.updatedAt.map(Timestamp.milliseconds) ?? 0)
            try step(conversationStatement)
            let conversationID = sqlite3_last_insert_rowid(db)
            for (ordinal, turn) in turns.enumerated() {
                sqlite3_bind_text(turnStatement, 1, turn.id, -1, transient)
                sqlite3_bind_int64(turnStatement, 2, conversationID)
                sqlite3_bind_int64(turnStatement, 3, Int64(ordinal))
                sqlite3_bind_text(turnStatement, 4, turn.role.rawValue, -1, transient)
                sqlite3_bind_int64(turnStatement, 5, turn.timestamp.map(Timestamp.milliseconds) ?? 0)
                sqlite3_bind_text(turnStatement, 6, turn.state?.rawValue, -1, transient)
                if let reply = turn.inReplyTo {
                    sqlite3_bind_text(turnStatement, 7, reply, -1, transient)
                } else {
                    sqlite3_bind_null(turnStatement, 7)
                }
                try step(turnStatement)
                let turnID = sqlite3_last_insert_rowid(db)
                for (position, fragment) in turn.fragments.enumerated() {
                    sqlite3_bind_int64(fragmentStatement, 1, turnID)
                    sqlite3_bind_int64(fragmentStatement, 2, Int64(position))
                    sqlite3_bind_text(fragmentStatement, 3, fragment.kind.rawValue, -1, transient)
                    sqlite3_bind_text(fragmentStatement, 4, fragment.content, -1, transient)
                    sqlite3_bind_text(fragmentStatement, 5, fragment.state?.rawValue, -1, transient)
                    try step(fragmentStatement)
                    if let indexStatement {
                        sqlite3_bind_int64(indexStatement, 1, sqlite3_last_insert_rowid(db))
                        sqlite3_bind_text(indexStatement, 2, fragment.content, -1, transient)
                        try step(indexStatement)
                    }
                }
            }
        }
        try execute("COMMIT")
    }
}
