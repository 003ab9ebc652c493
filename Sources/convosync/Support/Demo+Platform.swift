import ConvoEmulator
import ConvoStore
import ConvoSync
import Foundation

/// The demo's platform and the pieces its steps share: the emulated tenant, the account
/// that reaches it, a sync with its progress bar, and what keeps the output on one screen.
extension Demo {
    /// The emulator: same seed and database file each life, on `port` (0: any free one).
    func platform(port: Int) -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration()
        configuration.port = port
        configuration.databasePath = remoteDatabase
        configuration.generator.conversations = conversations
        configuration.generator.turns = 6
        configuration.deltaInterval = .milliseconds(4)
        return configuration
    }

    static func account(on emulator: RunningEmulator) throws -> RemoteAccount {
        guard let url = URL(string: emulator.baseURL(.agentflow)) else {
            throw CommandFailure("The emulator printed a base URL that does not parse.", exitCode: SysExits.software)
        }
        return RemoteAccount(
            baseURL: url, dialect: .agentflow, agentIDs: emulator.addresses.agentIDs,
            credentials: .bearer(emulator.emulator.configuration.apiKey))
    }

    func syncWithProgress(_ session: SyncSession) async throws {
        let updates = session.engine.statusUpdates()
        let environment = self.environment
        let display = Task {
            var progress = SyncProgress(receivedBytes: nil, environment: environment)
            for await status in updates {
                progress.show(status)
                if status.phase == .idle && status.lastSuccess != nil { break }
            }
            progress.finish()
        }
        let started = ContinuousClock.now
        let report = try await session.engine.sync()
        display.cancel()
        await display.value
        let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        let total = try await session.replica.conversations(ConversationQuery(limit: 1)).total
        print("  \(total) conversations synced in \(String(format: "%.1f", seconds)) s (\(report.pull.pages) pages, \(report.pull.read) conversations read)")
    }

    /// The conversation with only its last `count` turns, so the demo fits a screen.
    static func lastTurns(_ detail: ConversationDetail, _ count: Int) -> ConversationDetail {
        var trimmed = detail
        trimmed.turns = Array(detail.turns.suffix(count))
        trimmed.turnLocalIDs = Array(detail.turnLocalIDs.suffix(count))
        return trimmed
    }

    static func quoted(_ path: String) -> String {
        path.contains(" ") ? "'\(path)'" : path
    }
}
