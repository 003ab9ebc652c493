import ConvoEmulator
import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import EmulatorSupport
import Foundation
import Logging
import TestSupport

/// A replica file in a temp folder, an engine over a dialect's adapter, and the emulator
/// it syncs from: what an app embedding ConvoSync sets up.
struct SyncHarness {
    let emulator: RunningEmulator
    let dialect: Dialect
    let replica: Replica
    let engine: SyncEngine
    let account: RemoteAccount

    var admin: EmulatorAdmin { EmulatorAdmin(emulator) }

    /// Quick retries: the emulator is local, and fault tests retry a lot.
    static var testConfiguration: SyncConfiguration {
        var configuration = SyncConfiguration()
        configuration.pageSize = 7
        configuration.retry = RetryPolicy(attempts: 12, initialDelay: .milliseconds(5), maxDelay: .milliseconds(200))
        return configuration
    }

    /// Runs `body` with a fresh replica and engine for `dialect` on `emulator`.
    static func with<T>(
        _ dialect: Dialect, on emulator: RunningEmulator, in folder: URL, configuration: SyncConfiguration = testConfiguration,
        clock: any Clock<Duration> = ContinuousClock(), _ body: (SyncHarness) async throws -> T
    ) async throws -> T {
        let account = try EmulatorHarness.account(dialect, on: emulator)
        let binding = AccountBinding(baseURL: account.baseURL.absoluteString, tenant: account.tenant, dialect: dialect)
        let replica = try Replica.open(at: folder.appendingPathComponent("\(dialect).convosync").path, account: binding)
        let connection = RemoteAPIFactory.make(account: account, logger: EmulatorHarness.logger)
        let engine = SyncEngine(
            replica: replica, api: connection.api, agentIDs: account.agentIDs, transport: connection.transport,
            configuration: configuration, clock: clock, logger: EmulatorHarness.logger)
        let harness = SyncHarness(emulator: emulator, dialect: dialect, replica: replica, engine: engine, account: account)
        do {
            let result = try await body(harness)
            await engine.stopAllWatches()
            try await connection.shutdown()
            return result
        } catch {
            await engine.stopAllWatches()
            try? await connection.shutdown()
            throw error
        }
    }

    /// The replica as the dialect would show it, next to the emulator's truth seen the same way.
    func comparison() async throws -> (replica: [ExpectedConversation], remote: [ExpectedConversation]) {
        try await EmulatorHarness.comparison(replica, dialect: dialect, on: emulator)
    }
}
