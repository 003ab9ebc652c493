import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// One account as the daemon runs it.
struct DaemonAccount: Sendable {
    var name: String
    var account: RemoteAccount
    var replicaPath: String
    /// Conversations to follow live.
    var watch: [String] = []
}

/// The sync daemon: every configured account's engine under one service group. SIGTERM and
/// SIGINT shut it down gracefully (transactions in flight land, streams close) and `run()`
/// returns; SIGHUP reloads the configuration and restarts the engines with it. A status file
/// says per account where its sync stands.
struct Daemon: Sendable {
    /// Reads the accounts to run; called at start and on every SIGHUP.
    let load: @Sendable () throws -> [DaemonAccount]
    let statusFile: URL
    /// Whether the status file's folder is convosync's own (the default), whose mode is kept 0700.
    var ownsStatusFolder = false
    let configuration: SyncConfiguration
    /// How often each replica is verified against its remote; `nil` (the default) never.
    var verifyEvery: Duration?
    let logger: Logger

    /// Runs until SIGTERM/SIGINT. A configuration that fails to load at start is thrown; one
    /// that fails on reload is logged and the previous accounts keep running.
    func run() async throws {
        var accounts = try load()
        let control = DaemonControl()
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let logger = self.logger
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                for await _ in hangups {
                    logger.notice("SIGHUP: reloading the configuration")
                    await control.requestReload()
                }
            }
            while true {
                try await runOnce(accounts, control: control)
                guard control.takeReloadRequest() else { break }
                do {
                    accounts = try load()
                    logger.notice("configuration reloaded", metadata: ["accounts": "\(accounts.map(\.name))"])
                } catch {
                    logger.error("the configuration did not load; keeping the previous one", metadata: ["error": "\(error)"])
                }
            }
            tasks.cancelAll()
        }
    }

    /// Runs one service group over `accounts` until it shuts down (signal or reload).
    private func runOnce(_ accounts: [DaemonAccount], control: DaemonControl) async throws {
        var sessions: [(DaemonAccount, SyncSession)] = []
        do {
            for account in accounts {
                let session = try await SyncSession.open(
                    replicaAt: account.replicaPath, account: account.account, configuration: configuration,
                    logger: logger.with(account: account.name))
                sessions.append((account, session))
            }
        } catch {
            for (_, session) in sessions { try? await session.close() }
            throw error
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = sessions.map { account, session in
            .init(service: SyncService(engine: session.engine, watched: account.watch))
        }
        if let verifyEvery {
            services += sessions.map { account, session in
                .init(service: VerifyService(engine: session.engine, every: verifyEvery, logger: logger.with(account: account.name)))
            }
        }
        services.append(.init(service: StatusFileService(
            sessions: sessions, file: statusFile, ownsFolder: ownsStatusFolder, logger: logger)))
        var groupConfiguration = ServiceGroupConfiguration(services: services, logger: logger)
        groupConfiguration.gracefulShutdownSignals = [.sigterm, .sigint]
        let group = ServiceGroup(configuration: groupConfiguration)
        control.running(group)
        logger.info("daemon running", metadata: ["accounts": "\(accounts.map(\.name))"])
        defer { control.running(nil) }
        do {
            try await group.run()
        } catch {
            for (_, session) in sessions { try? await session.close() }
            throw error
        }
        for (_, session) in sessions { try await session.close() }
    }
}

/// The running service group and whether a reload was asked for, shared with the SIGHUP listener.
private final class DaemonControl: Sendable {
    private let state = Mutex<(group: ServiceGroup?, reload: Bool)>((nil, false))

    func running(_ group: ServiceGroup?) {
        state.withLock { $0.group = group }
    }

    /// Marks a reload and shuts the running group down gracefully so `run()` starts anew.
    func requestReload() async {
        let group = state.withLock { state -> ServiceGroup? in
            state.reload = true
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }

    /// Whether a reload was asked for since the last call.
    func takeReloadRequest() -> Bool {
        state.withLock { state in
            defer { state.reload = false }
            return state.reload
        }
    }
}

/// Keeps the daemon's status file current: rewritten when any engine's status changes (at
/// most once a second) and once more at shutdown.
struct StatusFileService: Service {
    let sessions: [(DaemonAccount, SyncSession)]
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

extension Logger {
    /// This logger with the account's name on every line.
    func with(account name: String) -> Logger {
        var logger = self
        logger[metadataKey: "account"] = "\(name)"
        return logger
    }
}
