import CSQLite
import ConvoModel
import Foundation

/// The reference the store is measured against: the same rows inserted into the same
/// schema (`Schema/replica.sql`, FTS triggers included) through the C API, with prepared
/// statements, in one transaction. No ORM, no JSON, no per-row bookkeeping.
struct RawInsert {
    enum Failure: Error, CustomStringConvertible {
        case sqlite(String)
        var description: String {
            switch self {
            case .sqlite(let message): "SQLite: \(message)"
            }
        }
    }

    private var db: OpaquePointer?

    init(path: String, schemaSQL: String) throws {
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw Failure.sqlite("cannot open \(path)") }
        try execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
        try execute(schemaSQL)
    }

    func close() { sqlite3_close(db) }

    func execute(_ sql: String) throws {
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

    /// Inserts every conversation with its turns and fragments in one transaction.
    func insert(_ corpus: [(Conversation, [Turn])]) throws {
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let conversationStatement = try prepare(
            "INSERT INTO conversation (remote_id, agent_id, title, metadata, source, source_ref_id, message_count, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)")
        let turnStatement = try prepare(
            "INSERT INTO turn (remote_id, conversation_id, ordinal, role, timestamp, state, in_reply_to) VALUES (?,?,?,?,?,?,?)")
        let fragmentStatement = try prepare(
            "INSERT INTO fragment (turn_id, position, kind, content, state) VALUES (?,?,?,?,?)")
        defer {
            sqlite3_finalize(conversationStatement)
            sqlite3_finalize(turnStatement)
            sqlite3_finalize(fragmentStatement)
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
                }
            }
        }
        try execute("COMMIT")
    }
}
