import ConvoRemote
import ConvoStore
import Foundation
import Logging

/// What every part of a pull shares: the remote, the replica, the pacing and the status.
struct PullContext: Sendable {
    let api: any RemoteAPI
    let replica: Replica
    let configuration: SyncConfiguration
    /// What the waits between retries sleep on.
    let clock: any Clock<Duration>
    let status: StatusBroadcaster
    let logger: Logger
    /// The optional reads the remote lacks, shared by every pull and watch of one engine.
    let missingRoutes: MissingRoutes

    var capabilities: RemoteCapabilities { api.capabilities }
    var reader: ConversationReader { ConversationReader(api: api, pageSize: configuration.pageSize) }

    /// Records that the remote lacks an optional read, for every later pull and in the status.
    func remoteLacks(_ route: MissingRoutes.Route) async {
        await missingRoutes.insert(route)
        status.update { $0.unavailableReads.insert(route.rawValue) }
    }

    /// Runs a remote call with retries, showing each wait in the status.
    func remote<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let status = self.status
        let logger = self.logger
        let retrying = Retrying(policy: configuration.retry, clock: clock) { error, delay, attempt in
            logger.notice(
                "retrying a remote call",
                metadata: ["error": "\(error.code.rawValue)", "attempt": "\(attempt)", "delay": "\(delay)"])
            status.update { status in
                status.online = error.code != .offline
                status.lastError = error.message
                status.lastErrorCode = error.code
            }
        }
        let value = try await retrying { try await body() }
        status.update { $0.online = true }
        return value
    }
}
