import ConvoModel
import Foundation
import GRDB
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The local SQLite replica of one account's conversations.
///
/// A replica is one file in WAL mode: one writer (the sync engine, an import) and
/// readers that never wait for it. Open it with ``open(at:account:configuration:)``
/// to sync into it, or ``openExisting(at:configuration:)`` to read it.
///
///     let replica = try Replica.open(at: "work.convosync", account: account)
///     try await replica.upsertConversations(page, pass: nil, syncState: nil)
///     let first = try await replica.conversations(ConversationQuery(limit: 20))
///
/// ## Topics
/// - Writes used by sync: ``upsertConversations(_:pass:syncState:)``, ``replaceTurns(conversationID:turns:syncState:)``,
///   ``appendTurns(conversationID:turns:syncState:)``, soft deletes, ``markPurged(conversationID:at:syncState:)``.
/// - Queries: ``conversations(_:)``, ``conversation(id:includeDeleted:)``, ``messages(conversationID:after:limit:includeDeleted:)``,
///   ``search(_:filters:limit:markers:)``, ``analytics(conversationID:)``, ``pendingOutbox()``.
/// - Offline writes (the outbox): ``enqueue(_:in:idempotencyKey:at:)``, ``outboxQueue()``,
///   ``completeOutboxOp(_:with:)``, ``recordOutboxFailure(_:reason:permanent:)``, ``retryOutboxOp(_:idempotencyKey:)``,
///   ``discardOutboxOp(_:)``, ``beginLocalReply(forOp:)``, ``conversation(_:includeDeleted:)``.
/// - Observation: ``observe(buffering:_:)``, ``observeConversations(_:)``, ``observeConversation(id:includeDeleted:)``.
/// - JSONL: ``export(to:)``, ``importJSONL(lines:batchSize:)``, ``importJSONL(from:batchSize:maximumLineBytes:)``.
public final class Replica: Sendable {
    /// The replica file's path, as given when opening it.
    public let path: String
    /// The account the replica belongs to; `nil` for a replica made by
    /// ``openForImport(at:configuration:)`` that no sync has bound yet.
    public let account: AccountBinding?
    let pool: DatabasePool
    /// Rewrites the search indexes: after purges (their text's traces) and after growth (segments).
    let compactor: SearchIndexCompactor?
    /// The unfiltered listing's row count, per reading connection (see ``ConversationRowCount``).
    let rowCount = ConversationRowCount()

    private init(path: String, account: AccountBinding?, pool: DatabasePool) {
        self.path = path
        self.account = account
        self.pool = pool
        self.compactor = pool.configuration.readonly ? nil : SearchIndexCompactor()
        if let compactor {
            pool.add(transactionObserver: compactor, extent: .databaseLifetime)
            // What the index held when opened: growth is counted from here. Read on the writer
            // (open already holds it); unreadable, it counts from zero, and the first merge
            // check may merge once more than needed.
            compactor.noteMerged(
                upTo: (try? pool.writeWithoutTransaction { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM fragment") ?? 0 }) ?? 0)
        }
    }

    /// Merges each search index into one segment when the writes since the last merge (or
    /// since the replica was opened) added at least a tenth of its rows, and at least 1,000.
    ///
    /// Every page a sync or an import writes leaves the index a segment of its own, and FTS5
    /// merges none as it goes (schema v6); a search reads every segment left, which made
    /// searches and snippets several times slower than on one. The engine calls this after
    /// each sync, an import after it ends. After smaller writes that added a thousand
    /// fragments or more it merges a bounded amount on the levels that hold four segments or
    /// more; merging a million fragments' index whole takes about a second and a half here.
    ///
    /// - Returns: whether it merged.
    /// - Throws: `StoreError` `.database` (the replica stays as it was; a later call tries again).
    @discardableResult
    public func mergeSearchIndexIfGrown() async throws -> Bool {
        guard let compactor else { return false }
        do {
            return try await pool.writeWithoutTransaction { db in try compactor.mergeIfGrown(db) }
        } catch {
            throw StoreError.wrapping(error, path: path)
        }
    }

    /// Opens the replica at `path` for `account`, creating it (mode 0600) if missing.
    ///
    /// A fresh replica is migrated and bound to `account`. An existing one must be a
    /// replica of this account and schema; otherwise it is refused and left untouched.
    /// `configuration.readonly` is ignored: this call may migrate and bind.
    ///
    /// - Throws: `StoreError` with code `.notAReplica`, `.newerSchema`, `.accountMismatch`
    ///   or `.database`.
    public static func open(
        at path: String, account: AccountBinding, configuration: ReplicaConfiguration = .init()
    ) throws -> Replica {
        do {
            try createFileIfMissing(path)
            // Inspect read-only first: a foreign, newer or other account's file is refused
            // before anything, not even a migration, touches it.
            try probe(path: path, configuration: configuration, expecting: account)
            var writable = configuration
            writable.readonly = false
            let pool = try makePool(path: path, configuration: writable)
            try ReplicaSchema.migrator.migrate(pool)
            let bound = try pool.write { db in try bind(account, db, path: path) }
            return Replica(path: path, account: bound, pool: pool)
        } catch {
            throw StoreError.wrapping(error, path: path)
        }
    }

    /// Opens an existing replica, whatever account it belongs to (see ``account``).
    ///
    /// For commands that read. Unless `configuration.readonly`, an older schema is migrated.
    ///
    /// - Throws: `StoreError` with code `.noSuchReplica` (no file), `.notAReplica` (not SQLite,
    ///   or SQLite but not a replica; untouched), `.newerSchema` (untouched) or `.database`.
    public static func openExisting(at path: String, configuration: ReplicaConfiguration = .init()) throws -> Replica {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.noSuchReplica, "no replica exists at this path", path: path)
        }
        do {
            guard try probe(path: path, configuration: configuration, expecting: nil) else {
                throw StoreError(.notAReplica, "the file is empty, not a replica", path: path)
            }
            let pool = try makePool(path: path, configuration: configuration)
            if !configuration.readonly {
                try ReplicaSchema.migrator.migrate(pool)
            }
            let account = try pool.read { db in try AccountRecord.fetchOne(db, key: 1) }
            return Replica(path: path, account: account?.binding, pool: pool)
        } catch {
            throw StoreError.wrapping(error, path: path)
        }
    }

    /// Opens the replica at `path` to import JSONL into, creating it (mode 0600) if missing.
    ///
    /// A replica created here is not bound to any account: an export does not say where it
    /// came from. The first ``open(at:account:configuration:)`` binds it; until then it
    /// reads and searches like any replica.
    ///
    /// - Throws: `StoreError` with code `.notAReplica`, `.newerSchema` (both untouched) or `.database`.
    public static func openForImport(at path: String, configuration: ReplicaConfiguration = .init()) throws -> Replica {
        do {
            try createFileIfMissing(path)
            try probe(path: path, configuration: configuration, expecting: nil)
            var writable = configuration
            writable.readonly = false
            let pool = try makePool(path: path, configuration: writable)
            try ReplicaSchema.migrator.migrate(pool)
            let account = try pool.read { db in try AccountRecord.fetchOne(db, key: 1) }
            return Replica(path: path, account: account?.binding, pool: pool)
        } catch {
            throw StoreError.wrapping(error, path: path)
        }
    }

    /// The folder holding the replica file; cached file bytes live below it.
    public var folder: URL {
        URL(fileURLWithPath: path).deletingLastPathComponent()
    }

    /// Closes the replica's connections. Later calls fail with ``StoreError/Code/database``.
    ///
    /// - Throws: `StoreError` `.database` when a connection cannot close (a statement still runs).
    public func close() throws {
        do {
            if let compactor {
                if compactor.hasPendingResidue {
                    try pool.writeWithoutTransaction { db in try compactor.compact(db) }
                }
                // The index's old segments went to the WAL's earlier frames; the last connection
                // to close checkpoints and removes the WAL only if it may write, and a reader
                // can be last. Empty it here, while nothing reads.
                if compactor.hasCompacted {
                    try pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
                }
            }
            try pool.close()
        } catch {
            throw StoreError.wrapping(error, path: path)
        }
    }

    // MARK: - Opening

    /// Creates an empty file with mode 0600 unless one exists; WAL and SHM files follow its mode.
    private static func createFileIfMissing(_ path: String) throws {
        let descriptor = createExclusively(path)
        if descriptor >= 0 {
            closeDescriptor(descriptor)
            return
        }
        let code = errno
        if code == EEXIST { return }
        throw StoreError(.database, "cannot create the replica file (errno \(code))", path: path)
    }

    /// Inspects the file through a read-only connection, without writing to it.
    ///
    /// Returns `false` for an empty database (a fresh file, or one whose creation was
    /// interrupted before its first migration); `true` for a replica of this schema
    /// and, when `expecting` is given, of that account.
    @discardableResult
    private static func probe(path: String, configuration: ReplicaConfiguration, expecting account: AccountBinding?) throws -> Bool {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        if size == 0 { return false }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(configuration.busyTimeoutSeconds)
        config.label = "ConvoStore.probe"
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
        } catch let error as DatabaseError where error.resultCode.primaryResultCode == .SQLITE_NOTADB {
            throw StoreError(.notAReplica, "the file is not an SQLite database", path: path)
        }
        defer { try? queue.close() }
        return try queue.read { db -> Bool in
            let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            if applicationID != ReplicaSchema.applicationID {
                // A file whose first migration never committed is fresh: the migrator creates
                // its bookkeeping table on its own before it, so a process killed in between
                // leaves that table, empty, and nothing else.
                let objects = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master")
                    .filter { !$0.hasPrefix("sqlite_autoindex_grdb_migrations") }
                let interruptedFirstMigration = try objects == ["grdb_migrations"]
                    && (Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations") ?? 0) == 0
                if applicationID == 0 && (objects.isEmpty || interruptedFirstMigration) { return false }
                throw StoreError(.notAReplica, "the SQLite file is not a ConvoSync replica", path: path)
            }
            if try ReplicaSchema.migrator.hasBeenSuperseded(db) {
                throw StoreError(.newerSchema, "the replica was written by a newer ConvoSync", path: path)
            }
            if let account, let stored = try AccountRecord.fetchOne(db, key: 1) {
                guard stored.binding == account else {
                    throw StoreError(.accountMismatch, mismatchMessage(stored, account), path: path)
                }
            }
            return true
        }
    }

    private static func mismatchMessage(_ stored: AccountRecord, _ account: AccountBinding) -> String {
        // Dialects are names, never secrets; base URLs and tenants stay out of the message.
        var differing: [String] = []
        if stored.dialect != account.dialect.rawValue { differing.append("dialect \(stored.dialect)") }
        if stored.baseURL != account.baseURL { differing.append("base URL") }
        if stored.tenant != account.tenant { differing.append("tenant") }
        return "the replica belongs to another account (differs in: \(differing.joined(separator: ", ")))"
    }

    private static func bind(_ account: AccountBinding, _ db: Database, path: String) throws -> AccountBinding {
        if let stored = try AccountRecord.fetchOne(db, key: 1) {
            guard stored.binding == account else {
                throw StoreError(.accountMismatch, mismatchMessage(stored, account), path: path)
            }
            return account
        }
        let record = AccountRecord(
            baseURL: account.baseURL, tenant: account.tenant, dialect: account.dialect.rawValue,
            createdAt: Timestamp.milliseconds(Date()))
        try record.insert(db)
        return account
    }

    /// WAL pages (4 KiB) after which a commit copies the WAL back into the file: 8,000, not
    /// SQLite's 1,000. A sync commits a page at a time, and each commit rewrites the index pages
    /// its rows land on; every checkpoint writes those pages into the file again and waits for
    /// the disk. Checkpointing an eighth as often took a fifth off a 10,000-conversation turns
    /// sync's writes (BENCHMARKS.md); the WAL grows to about 32 MB instead of 4 MB meanwhile.
    static let walPagesPerCheckpoint = 8000

    /// Settings every connection to the replica gets.
    ///
    /// `secure_delete = ON`: SQLite overwrites deleted content with zeros, on b-tree pages and
    /// on the freelist, so a purged conversation's text does not linger readable in the file
    /// (or, once checkpointed, in the WAL). `FAST` would skip the freelist pages, which is
    /// exactly where a purged conversation's pages go; the extra writes of `ON` cost little
    /// next to a sync's own (purges are rare, and sized like the content they remove).
    ///
    /// `temp_store = MEMORY` on the writing connection: a statement that may fail halfway (a
    /// many-row insert, a trigger) keeps the pages it changes in a statement journal, which
    /// otherwise spills to a temporary file past 64 KiB. A page's writes filled one such file
    /// of about 11 MB per commit, written and read back through system calls (BENCHMARKS.md).
    /// In memory it holds one statement's pages at a time and is emptied after each; readers,
    /// whose sorts could be large, keep SQLite's default.
    ///
    /// `wal_autocheckpoint` on the writing connection: see ``walPagesPerCheckpoint``.
    static func prepareConnection(_ db: Database) throws {
        ConversationRowCount.register(db)
        try db.execute(sql: "PRAGMA secure_delete = ON")
        if !db.configuration.readonly {
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(walPagesPerCheckpoint)")
        }
    }

    private static func makePool(path: String, configuration: ReplicaConfiguration) throws -> DatabasePool {
        var config = Configuration()
        config.readonly = configuration.readonly
        config.busyMode = .timeout(configuration.busyTimeoutSeconds)
        config.maximumReaderCount = max(1, configuration.maximumReaderCount)
        config.foreignKeysEnabled = true
        config.label = "ConvoStore"
        config.prepareDatabase { db in try Self.prepareConnection(db) }
        return try DatabasePool(path: path, configuration: config)
    }

    // MARK: - Transactions

    /// Runs `body` in one write transaction, mapping failures to `StoreError`.
    func writing<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch {
            throw StoreError.wrapping(error, path: path)
        }
    }

    /// Runs `body` in one read transaction (a snapshot), mapping failures to `StoreError`.
    func reading<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw StoreError.wrapping(error, path: path)
        }
    }
}

/// `open(2)` with `O_CREAT|O_EXCL`, mode 0600 (not umask: it is process-wide).
private func createExclusively(_ path: String) -> Int32 {
    open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
}

private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}

/// Rewrites the search indexes into one segment each (FTS5's `optimize`) for two reasons: to
/// remove what a purge leaves of a conversation's text, and to merge the segments many page
/// writes leave (``mergeIfGrown(_:)``, called after a sync or an import).
///
/// `secure_delete` zeroes deleted rows and freed pages, but FTS5 (before SQLite 3.42's
/// `secure-delete` option) keeps a deleted document's terms in its older index segments until
/// they are merged: the purged words stay readable in the file. After a transaction that purged
/// a conversation (set `purged_at`) or removed conversation rows (gc), this runs FTS5's
/// `optimize`, which rewrites the index without them; the old segments are then freed and
/// zeroed. `optimize` rewrites the whole index, so it runs at most once per
/// `minimumInterval` (a sweep purges many conversations, one transaction each); residue left
/// by purges within the interval is cleared at the next commit after it, or at ``Replica/close()``.
final class SearchIndexCompactor: TransactionObserver, Sendable {
    /// The least time between two rewrites of the index.
    static let minimumInterval: Duration = .seconds(30)

    /// The most leaf pages a merge after a small write writes (FTS5's `merge` command).
    static let smallMergePages = 1000
    /// The fragments added since the last merge that make a small merge worth its statements.
    static let smallMergeFragments: Int64 = 1000

    private struct State {
        var inTransaction = false
        var pending = false
        var last: ContinuousClock.Instant?
        /// The largest fragment id the index held when last rewritten (see ``mergeIfGrown(_:)``).
        var mergedUpTo: Int64 = 0
        /// The largest fragment id at the last merge, whole or bounded.
        var seenUpTo: Int64 = 0
    }
    private let state = Mutex(State())

    /// Whether a purge committed since the index was last rewritten.
    var hasPendingResidue: Bool { state.withLock { $0.pending } }

    /// Whether the index was rewritten since the replica was opened.
    var hasCompacted: Bool { state.withLock { $0.last != nil } }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        switch eventKind {
        case .delete(let table): return table == "conversation"
        case .update(let table, let columns): return table == "conversation" && columns.contains("purged_at")
        case .insert: return false
        }
    }

    func databaseDidChange(with event: DatabaseEvent) {
        state.withLock { $0.inTransaction = true }
    }

    func databaseWillCommit() throws {}

    func databaseDidRollback(_ db: Database) {
        state.withLock { $0.inTransaction = false }
    }

    func databaseDidCommit(_ db: Database) {
        let due = state.withLock { state -> Bool in
            if state.inTransaction { state.pending = true }
            state.inTransaction = false
            guard state.pending else { return false }
            if let last = state.last, ContinuousClock.now - last < Self.minimumInterval { return false }
            return true
        }
        if due { try? compact(db) }
    }

    /// Records that the index is one segment up to fragment `id`.
    func noteMerged(upTo id: Int64) {
        state.withLock { state in
            state.mergedUpTo = id
            state.seenUpTo = id
        }
    }

    /// Rewrites the search indexes when fragments written since the last rewrite are at least
    /// a tenth of those before it, and at least 1,000 (see ``Replica/mergeSearchIndexIfGrown()``):
    /// each rewrite then costs a constant amount per fragment written, however large the replica.
    func mergeIfGrown(_ db: Database) throws -> Bool {
        let top = try Int64.fetchOne(db, sql: "SELECT max(id) FROM fragment") ?? 0
        let (base, seen) = state.withLock { ($0.mergedUpTo, $0.seenUpTo) }
        guard top - base >= max(1000, base / 10) else {
            // FTS5 merges nothing as it writes (schema v6): once a thousand fragments were added
            // since the last merge, merge a bounded amount, about 4 MB, on the levels holding at
            // least four segments (nothing is written when none does). Below that, FTS5's
            // crisis merge bounds the segments, and a sync of a few changes runs no merge at all
            // (two more write statements cost such a sync a tenth of its time).
            guard top - seen >= Self.smallMergeFragments else { return false }
            try db.execute(sql: "INSERT INTO fragment_search (fragment_search, rank) VALUES ('merge', \(Self.smallMergePages))")
            try db.execute(sql: "INSERT INTO title_search (title_search, rank) VALUES ('merge', \(Self.smallMergePages))")
            state.withLock { $0.seenUpTo = top }
            return false
        }
        try compact(db)
        noteMerged(upTo: top)
        return true
    }

    /// Rewrites the search index now, outside any transaction.
    /// A rewrite that fails (the disk full, say) stays pending and is tried again later.
    func compact(_ db: Database) throws {
        state.withLock { state in
            state.pending = false
            state.last = ContinuousClock.now
        }
        do {
            try db.execute(sql: "INSERT INTO fragment_search(fragment_search) VALUES('optimize')")
            try db.execute(sql: "INSERT INTO title_search(title_search) VALUES('optimize')")
        } catch {
            state.withLock { $0.pending = true }
            throw error
        }
    }
}
