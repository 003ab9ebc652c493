import ConvoSync
import Foundation
import Logging

extension ResolvedAccount {
    /// Whether the replica file exists yet (`sync` creates it; writes and reads need it).
    public var replicaExists: Bool {
        FileManager.default.fileExists(atPath: replicaPath)
    }

    /// Creates convosync's data folder (mode 0700: replicas hold people's conversations)
    /// when the replica lives there; does nothing for a replica the caller placed.
    /// - Throws: `AccountsError` `.cannotCreate`.
    public func prepareDataFolder() throws {
        guard usesDataFolder else { return }
        let folder = (replicaPath as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw AccountsError(
                .cannotCreate, "Cannot create the folder '\(folder)' for the replica; check its parent's permissions.")
        }
    }

    /// Opens this account's replica (created 0600 when missing, in a data folder made 0700),
    /// its connection and its engine: what every command and the supervisor sync through.
    ///
    ///     let session = try await resolved.openSession()
    ///     defer { … try await session.close() }
    ///
    /// - Throws: `AccountsError` `.cannotCreate` for the data folder; `SyncError` as
    ///   `SyncSession.open` throws it.
    public func openSession(
        configuration: SyncConfiguration = .init(), remote: RemoteConfiguration = .init(),
        logger: Logger = Logger(label: "convosync")
    ) async throws -> SyncSession {
        try prepareDataFolder()
        return try await SyncSession.open(
            replicaAt: replicaPath, account: self.remote, configuration: configuration, remote: remote, logger: logger)
    }

    /// Opens a session (see ``openSession(configuration:remote:logger:)``), runs `body` with it
    /// and closes it, whether `body` returns or throws.
    public func withSession<T: Sendable>(
        configuration: SyncConfiguration = .init(), remote: RemoteConfiguration = .init(),
        logger: Logger = Logger(label: "convosync"), _ body: (SyncSession) async throws -> T
    ) async throws -> T {
        try prepareDataFolder()
        return try await SyncSession.with(
            replicaAt: replicaPath, account: self.remote, configuration: configuration, remote: remote, logger: logger, body)
    }
}
