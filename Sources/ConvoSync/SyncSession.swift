import ConvoModel
import ConvoRemote
import ConvoStore
import Foundation
import Logging

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
