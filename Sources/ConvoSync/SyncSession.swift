import ConvoRemote
import ConvoStore
import Foundation
import Logging

// The models and the remote's types an app names to open a session, re-exported so that
// `import ConvoSync` is all an app (or the command-line tool) needs to sync an account.
@_exported import ConvoModel
@_exported import struct ConvoRemote.Credentials
@_exported import struct ConvoRemote.RemoteAccount
@_exported import struct ConvoRemote.RemoteCapabilities
@_exported import struct ConvoRemote.RemoteConfiguration

/// The front door for an app: one account's replica, its connection to the remote and the
/// engine between them, opened together and closed together.
///
///     let session = try await SyncSession.open(replicaAt: path, account: account)
///     try await session.engine.sync()
///     let hits = try await session.replica.search("renewal")
///     try await session.close()
///
/// Queries work offline on `replica` at any time; `engine` syncs, watches and (with the
/// outbox) pushes local writes.
public struct SyncSession: Sendable {
    /// The local replica: every query, search and observation.
    public let replica: Replica
    /// The engine keeping the replica in step with the remote.
    public let engine: SyncEngine
    /// The account this session syncs.
    public let account: RemoteAccount
    private let connection: RemoteConnection

    /// Opens (or creates, mode 0600) the replica at `path` for `account`, connects to the
    /// remote and makes the engine. Nothing is fetched until you call `engine.sync()` or `run()`.
    ///
    /// - Throws: `SyncError` `.replica` when the file is not a replica of this account (it is
    ///   left untouched), `.misconfigured` for a base URL the transport cannot use.
    public static func open(
        replicaAt path: String, account: RemoteAccount, configuration: SyncConfiguration = .init(),
        remote: RemoteConfiguration = .init(), logger: Logger = Logger(label: "convosync")
    ) async throws -> SyncSession {
        let binding = AccountBinding(baseURL: account.baseURL.absoluteString, tenant: account.tenant, dialect: account.dialect)
        let replica: Replica
        do {
            replica = try Replica.open(at: path, account: binding)
        } catch {
            throw SyncError.wrapping(error)
        }
        let connection = RemoteAPIFactory.make(account: account, configuration: remote, logger: logger)
        let engine = SyncEngine(
            replica: replica, api: connection.api, agentIDs: account.agentIDs, transport: connection.transport,
            configuration: configuration, logger: logger)
        return SyncSession(replica: replica, engine: engine, account: account, connection: connection)
    }

    /// Stops the engine's watches, shuts the connection down and closes the replica. Call it
    /// once, after any `run()` has returned.
    ///
    /// - Throws: `SyncError` when the connection or the replica cannot close cleanly.
    public func close() async throws {
        await engine.stopAllWatches()
        do {
            try await connection.shutdown()
            try replica.close()
        } catch {
            throw SyncError.wrapping(error)
        }
    }

    /// The requests sent and body bytes received so far on this session's connection: what
    /// a progress display or a summary shows as traffic.
    public var traffic: (requests: Int, receivedBytes: Int) {
        connection.transport.traffic
    }

    /// Closes the session (see ``close()``) and, when the replica holds nothing from the
    /// remote and no local write, removes its file with SQLite's companions: a first sync
    /// that failed before anything landed (a mistyped URL) leaves no file bound to the wrong
    /// account. A replica holding a write made offline is kept. Best effort; returns whether
    /// the file was removed.
    @discardableResult
    public func closeRemovingReplicaIfEmpty() async -> Bool {
        let held = try? await replica.remoteConversationCount(agentID: nil, includingDeleted: true)
        let queued = try? await replica.pendingOutbox().count
        guard (try? await close()) != nil, held == 0, queued == 0 else { return false }
        return (try? Self.removeFiles(of: replica.path)) != nil
    }

    /// Removes the replica at `path` with SQLite's companion files (`-wal`, `-shm`), for an
    /// app (or `convosync demo`) that starts over. A file that is not a replica is refused and
    /// left untouched; a missing one is nothing to do. Nothing may hold it open.
    ///
    ///     try SyncSession.removeReplica(at: path)
    ///
    /// - Throws: `SyncError` `.replica` for a file that is not a replica, or one that cannot be removed.
    public static func removeReplica(at path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            try Replica.openExisting(at: path).close()
        } catch {
            throw SyncError.wrapping(error)
        }
        try removeFiles(of: path)
    }

    /// Removes the file at `path` and its `-wal` and `-shm` companions (absent ones are fine).
    /// - Throws: `SyncError` `.replica` when one cannot be removed.
    private static func removeFiles(of path: String) throws {
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            do {
                try FileManager.default.removeItem(atPath: path + suffix)
            } catch {
                throw SyncError(.replica, "the replica file '\(path + suffix)' could not be removed; check its folder's permissions")
            }
        }
    }

    /// Marks a write the remote refused for good pending again, under a fresh idempotency key:
    /// under its old one a platform would only answer with the refusal it gave the first
    /// time. Nothing is sent until the next push (``SyncEngine/push()``); offline, an
    /// ``OfflineSession`` does the same.
    ///
    ///     try await session.requeueRefusedWrite(op.id)
    ///
    /// - Throws: `SyncError` `.replica` when the replica cannot be written.
    public func requeueRefusedWrite(_ opID: Int64) async throws {
        try await RefusedWrite.requeue(opID, in: replica)
    }

    /// Opens a session, runs `body` with it and closes it, whether `body` returns or throws.
    public static func with<T: Sendable>(
        replicaAt path: String, account: RemoteAccount, configuration: SyncConfiguration = .init(),
        remote: RemoteConfiguration = .init(), logger: Logger = Logger(label: "convosync"),
        _ body: (SyncSession) async throws -> T
    ) async throws -> T {
        let session = try await open(
            replicaAt: path, account: account, configuration: configuration, remote: remote, logger: logger)
        do {
            let result = try await body(session)
            try await session.close()
            return result
        } catch {
            try? await session.close()
            throw error
        }
    }
}
