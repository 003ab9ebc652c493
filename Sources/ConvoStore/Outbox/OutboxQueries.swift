import ConvoModel
import Foundation
import GRDB

/// The outbox as the query API and the pusher read it.
enum OutboxQueries {
    /// Every op, pending or failed, in op id order, with its write decoded and its turn resolved.
    /// An upload's staged bytes are read only for the ops in `bytesFor` (all by default).
    static func ops(folder: URL, bytesFor states: Set<OutboxOp.State> = [.pending, .failed], _ db: Database) throws
        -> [OutboxOp]
    {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT o.*, c.remote_id AS conversation_remote_id, c.agent_id AS conversation_agent_id
                FROM outbox o JOIN conversation c ON c.id = o.conversation_id ORDER BY o.id
                """)
        return try rows.map { row in try op(row, folder: folder, bytesFor: states, db) }
    }

    /// The pending ops to push now, in push order (DESIGN, "Offline writes"): an op of a
    /// conversation that exists only locally waits for that conversation's pending create
    /// (and is blocked for good without one); a message delete or restore waits while the
    /// message's own send is pending.
    static func queue(folder: URL, _ db: Database) throws -> [OutboxOp] {
        let all = try ops(folder: folder, bytesFor: [.pending], db)
        var pendingCreates = Set<Int64>()
        var pendingOps = Set<Int64>()
        for op in all where op.state == .pending {
            pendingOps.insert(op.id)
            if op.kind == OutboxKind.createConversation.rawValue { pendingCreates.insert(op.conversationLocalID) }
        }
        var queue: [OutboxOp] = []
        for op in all where op.state == .pending {
            let isCreate = op.kind == OutboxKind.createConversation.rawValue
            if op.conversationID == nil && !isCreate && !pendingCreates.contains(op.conversationLocalID) { continue }
            if let kind = OutboxKind(rawValue: op.kind), kind == .deleteMessage || kind == .restoreMessage,
                let turn = op.turnLocalID, op.turnRemoteID == nil,
                let sender = try Int64.fetchOne(db, sql: "SELECT outbox_id FROM turn WHERE id = ?", arguments: [turn]),
                pendingOps.contains(sender)
            {
                continue
            }
            queue.append(op)
        }
        return queue
    }

    private static func op(_ row: Row, folder: URL, bytesFor states: Set<OutboxOp.State>, _ db: Database) throws
        -> OutboxOp
    {
        let record = try OutboxRecord(row: row)
        let id = record.id ?? 0
        let state = OutboxOp.State(rawValue: record.state) ?? .pending
        let payload = JSONText.decode(record.payload) ?? .null
        let write = OutboxPayload.decode(kind: record.kind, payload: payload) { relative in
            // A failed upload is not pushed: its bytes stay on disk, the listing only names them.
            states.contains(state) ? OutboxStaging.read(relative, folder: folder) : Data()
        }
        var turnLocalID: Int64?
        switch OutboxKind(rawValue: record.kind) {
        case .sendMessage:
            turnLocalID = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM turn WHERE outbox_id = ? AND role = 'user' ORDER BY id LIMIT 1"),
                arguments: [id])
        case .deleteMessage, .restoreMessage:
            turnLocalID = payload.objectValue.flatMap(OutboxPayload.turn)
        default:
            break
        }
        let turnRemoteID = try turnLocalID.flatMap { key in
            try String.fetchOne(db.cachedStatement(sql: "SELECT remote_id FROM turn WHERE id = ?"), arguments: [key])
        }
        return OutboxOp(
            id: id, conversationLocalID: record.conversationID, conversationID: row["conversation_remote_id"],
            kind: record.kind, payload: payload, idempotencyKey: record.idempotencyKey,
            state: state, attempts: Int(record.attempts),
            lastError: record.lastError, createdAt: Timestamp.date(milliseconds: record.createdAt), write: write,
            turnLocalID: turnLocalID, turnRemoteID: turnRemoteID, agentID: row["conversation_agent_id"],
            deliveredAt: record.deliveredAt.map { Timestamp.date(milliseconds: $0) })
    }
}

/// Where an upload's bytes wait until pushed: a file under the replica's folder named by a
/// fresh UUID, never by the file's own name (names are free text from whoever chose them).
enum OutboxStaging {
    /// The staging folder's path relative to the replica's folder: `<replica file name>.outbox`.
    static func folderName(replicaPath: String) -> String {
        URL(fileURLWithPath: replicaPath).lastPathComponent + ".outbox"
    }

    /// Writes `bytes` to a new staged file; returns its path relative to `folder`.
    static func stage(_ bytes: Data, replicaPath: String, folder: URL) throws -> String {
        let relative = folderName(replicaPath: replicaPath) + "/" + UUID().uuidString.lowercased()
        do {
            let directory = folder.appendingPathComponent(folderName(replicaPath: replicaPath), isDirectory: true)
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard let url = resolve(relative, folder: folder) else {
                throw StoreError(.invalidArgument, "the replica's folder cannot hold a staged upload")
            }
            guard FileManager.default.createFile(atPath: url.path, contents: bytes, attributes: [.posixPermissions: 0o600])
            else {
                throw StoreError(.database, "cannot write the staged upload next to the replica")
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.database, "cannot create the upload staging folder next to the replica")
        }
        return relative
    }

    /// The staged bytes, `nil` when the file is gone or the path leaves the folder.
    static func read(_ relative: String, folder: URL) -> Data? {
        guard let url = resolve(relative, folder: folder) else { return nil }
        return FileManager.default.contents(atPath: url.path)
    }

    /// Removes a staged file; best effort.
    static func remove(_ relative: String, folder: URL) {
        guard let url = resolve(relative, folder: folder) else { return }
        try? FileManager.default.removeItem(at: url)
    }

    /// The file's URL, only if it stays strictly below `folder`.
    private static func resolve(_ relative: String, folder: URL) -> URL? {
        let base = folder.standardizedFileURL
        let url = base.appendingPathComponent(relative).standardizedFileURL
        return url.path.hasPrefix(base.path + "/") ? url : nil
    }
}
