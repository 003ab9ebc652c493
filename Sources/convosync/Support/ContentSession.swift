import ConvoAccounts
import ConvoStore
import ConvoSync
import Foundation
import Logging

/// What `files` and `frames` share: the account's replica and an engine to fetch with, or,
/// with `--offline`, the replica alone (what is cached).
enum ContentSession {
    /// Runs `body` with the engine when online (`nil` offline) and the replica.
    static func with<T: Sendable>(
        _ options: AccountOptions, offline: Bool, _ body: (SyncEngine?, Replica) async throws -> T
    ) async throws -> T {
        let environment = ProcessInfo.processInfo.environment
        if offline {
            var location: [String] = []
            if let db = options.db { location = ["--db", db] } else if let name = options.account { location = ["--account", name] }
            let path = try ReplicaLocationOptions.parse(location).path()
            let replica = try Replica.openForReading(at: path)
            defer { try? replica.close() }
            return try await body(nil, replica)
        }
        let resolved = try options.resolve(environment: environment)
        guard resolved.replicaExists else {
            throw CommandFailure(
                "There is no replica at '\(resolved.replicaPath)'; run 'convosync sync' for \(resolved.label) first.",
                exitCode: SysExits.noInput)
        }
        do {
            return try await resolved.withSession(
                configuration: SessionDefaults.sync, remote: SessionDefaults.remote,
                logger: Logger(label: "convosync", factory: { _ in SwiftLogNoOpLogHandler() })
            ) { session in
                try await body(session.engine, session.replica)
            }
        } catch let error as SyncError {
            if let store = error.store, error.code == .replica, store.code != .invalidQuery { throw store }
            throw CommandFailure(error, remote: resolved)
        }
    }
}
