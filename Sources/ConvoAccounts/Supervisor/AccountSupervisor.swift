import ConvoSync
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Keeps several accounts in step at once: one `SyncSession` per account, their engines under
/// one `ServiceGroup`, an optional scheduled verification per replica and an optional status
/// file. It is what `convosync daemon` runs, and an app runs the same thing in-process.
///
///     let supervisor = AccountSupervisor {
///         try SupervisedAccount.saved(environment: ProcessInfo.processInfo.environment)
///     }
///     let group = ServiceGroup(services: [supervisor], gracefulShutdownSignals: [.sigterm], logger: logger)
///     try await group.run()
///
/// A graceful shutdown (of the group that runs it, or one of `gracefulShutdownSignals`) stops
/// it cleanly: transactions in flight land, streams close, replicas close, `run()` returns.
/// ``reload()`` (or `reloadSignal`, SIGHUP for the daemon) stops the engines and starts them
/// again over what the loader returns then.
public struct AccountSupervisor: Service {
    /// How the supervisor runs its accounts; every default suits an app.
    public struct Configuration: Sendable {
        /// Each engine's settings (pull interval, retries, tombstone retention).
        public var sync = SyncConfiguration()
        /// Each connection's settings (timeouts, response limits).
        public var remote = RemoteConfiguration()
        /// Where to keep the status file (``DaemonStatus``); `nil` (the default) writes none.
        public var statusFile: URL?
        /// Whether the status file's folder is convosync's own, whose mode is kept 0700 (default `false`).
        public var ownsStatusFolder = false
        /// How often each replica is verified against its remote; `nil` (the default) never.
        public var verifyEvery: Duration?
        /// Signals that stop it gracefully (default none: an app's own group decides).
        public var gracefulShutdownSignals: [UnixSignal] = []
        /// A signal that reloads the accounts (default none; the daemon uses SIGHUP).
        public var reloadSignal: UnixSignal?

        /// The defaults.
        public init() {}
    }

    /// How it runs.
    public let configuration: Configuration
    private let load: @Sendable () throws -> [SupervisedAccount]
    private let logger: Logger
    private let control = SupervisorControl()

    /// A supervisor over the accounts `load` returns, called at start and on every reload.
    public init(
        configuration: Configuration = .init(), logger: Logger = Logger(label: "convosync.supervisor"),
        accounts load: @escaping @Sendable () throws -> [SupervisedAccount]
    ) {
        self.configuration = configuration
        self.load = load
        self.logger = logger
    }

    /// Stops the running engines gracefully and starts them again over what the loader
    /// returns now (a loader that fails keeps the previous accounts). Does nothing once
    /// the supervisor is stopping.
    public func reload() async {
        await control.requestReload()
    }

    /// Runs until a graceful shutdown or cancellation.
    /// - Throws: what the loader throws at start (a failing reload is logged, not thrown);
    ///   `SyncError` when a replica cannot be opened (another account's, locked).
    public func run() async throws {
        var accounts = try load()
        let (control, logger) = (self.control, self.logger)
        let hangups: UnixSignalsSequence? =
            if let signal = configuration.reloadSignal { await UnixSignalsSequence(trapping: signal) } else { nil }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            if let hangups {
                tasks.addTask {
                    for await signal in hangups {
                        logger.notice("\(signal): reloading the configuration")
                        await control.requestReload()
                    }
                }
            }
            tasks.addTask {
                // The group (or app) running the supervisor shuts down: so does every engine.
                guard (try? await gracefulShutdown()) != nil else { return }
                await control.requestStop()
            }
            while true {
                try await runOnce(accounts)
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

    /// Runs one service group over `accounts` until it shuts down (signal, stop or reload).
    private func runOnce(_ accounts: [SupervisedAccount]) async throws {
        var sessions: [(SupervisedAccount, SyncSession)] = []
        do {
            for account in accounts {
                let session = try await SyncSession.open(
                    replicaAt: account.replicaPath, account: account.account, configuration: configuration.sync,
                    remote: configuration.remote, logger: logger.with(account: account.name))
                sessions.append((account, session))
            }
        } catch {
            for (_, session) in sessions { try? await session.close() }
            throw error
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = sessions.map { account, session in
            .init(service: SyncService(engine: session.engine, watched: account.watch))
        }
        if let verifyEvery = configuration.verifyEvery {
            services += sessions.map { account, session in
                .init(service: VerifyService(engine: session.engine, every: verifyEvery, logger: logger.with(account: account.name)))
            }
        }
        if let statusFile = configuration.statusFile {
            services.append(.init(service: StatusFileService(
                sessions: sessions, file: statusFile, ownsFolder: configuration.ownsStatusFolder, logger: logger)))
        }
        var groupConfiguration = ServiceGroupConfiguration(services: services, logger: logger)
        groupConfiguration.gracefulShutdownSignals = configuration.gracefulShutdownSignals
        let group = ServiceGroup(configuration: groupConfiguration)
        if control.running(group) { await group.triggerGracefulShutdown() }
        logger.info("supervisor running", metadata: ["accounts": "\(accounts.map(\.name))"])
        defer { _ = control.running(nil) }
        do {
            try await group.run()
        } catch {
            for (_, session) in sessions { try? await session.close() }
            throw error
        }
        for (_, session) in sessions { try await session.close() }
    }
}

/// The running service group, and whether a reload or a stop was asked for; shared with
/// the reload signal's listener and the graceful-shutdown watcher.
private final class SupervisorControl: Sendable {
    private struct State {
        var group: ServiceGroup?
        var reload = false
        var stopping = false
    }

    private let state = Mutex(State())

    /// Records the group now running; returns whether a stop or a reload was asked for while
    /// none ran (then the caller shuts the new group down at once, and `run()` acts on it).
    func running(_ group: ServiceGroup?) -> Bool {
        state.withLock { state in
            state.group = group
            return group != nil && (state.stopping || state.reload)
        }
    }

    /// Marks a reload and shuts the running group down gracefully so `run()` starts anew.
    func requestReload() async {
        let group = state.withLock { state -> ServiceGroup? in
            guard !state.stopping else { return nil }
            state.reload = true
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }

    /// Marks a stop and shuts the running group down gracefully; no reload follows.
    func requestStop() async {
        let group = state.withLock { state -> ServiceGroup? in
            state.stopping = true
            state.reload = false
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }

    /// Whether a reload was asked for since the last call (never once stopping).
    func takeReloadRequest() -> Bool {
        state.withLock { state in
            defer { state.reload = false }
            return state.reload && !state.stopping
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
