import ConvoModel
import ConvoSync
import Foundation
import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps the supervisor's status file current: rewritten when any engine's status changes
/// (at most once a second) and once more at shutdown.
struct StatusFileService: Service {
    let sessions: [(SupervisedAccount, SyncSession)]
    let file: URL
    let ownsFolder: Bool
    let logger: Logger

    func run() async throws {
        let (changes, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for (_, session) in sessions {
                let updates = session.engine.statusUpdates()
                tasks.addTask {
                    for await _ in updates.cancelOnGracefulShutdown() { signal.yield() }
                }
            }
            tasks.addTask {
                for await _ in changes.cancelOnGracefulShutdown() {
                    await write()
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            await write()
            try await gracefulShutdown()
            signal.finish()
            tasks.cancelAll()
        }
        await write()
    }

    private func write() async {
        let now = Date()
        var accounts: [DaemonStatus.Account] = []
        for (account, session) in sessions {
            let ops = (try? await session.replica.pendingOutbox()) ?? []
            let failed = ops.filter { $0.state == .failed }.count
            accounts.append(DaemonStatus.Account(
                name: account.name, dialect: account.account.dialect, replica: account.replicaPath,
                status: session.engine.status, pending: ops.count - failed, failed: failed, now: now))
        }
        let document = DaemonStatus(pid: getpid(), updatedAt: Timestamp.format(now), accounts: accounts)
        do {
            try document.write(to: file, repairsFolder: ownsFolder)
        } catch {
            logger.warning("the status file could not be written", metadata: ["path": "\(file.path)", "error": "\(error)"])
        }
    }
}
