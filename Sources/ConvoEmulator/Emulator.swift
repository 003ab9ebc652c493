import Hummingbird
import Logging
import ServiceLifecycle

/// Where a running emulator listens and what it seeded.
public struct EmulatorAddresses: Sendable, Equatable {
    /// Always 127.0.0.1: the emulator never listens beyond loopback.
    public let host = "127.0.0.1"
    /// The bound port.
    public let port: Int
    /// The default tenant.
    public let tenant: String
    /// The default tenant's agent ids, sorted.
    public let agentIDs: [String]

    /// `http://127.0.0.1:PORT`.
    public var origin: String { "http://\(host):\(port)" }

    /// A dialect's base URL, e.g. `http://127.0.0.1:PORT/agentflow/v1`.
    public func baseURL(_ dialect: EmulatorDialect) -> String {
        origin + dialect.basePath(tenant: tenant)
    }
}

/// The emulated platform as a `Service`: one HTTP server on 127.0.0.1 serving all four
/// dialects from one store.
///
/// Run it in a `ServiceGroup` (the executable does, with signal handling) or use
/// ``withEmulator(_:logger:_:)`` in tests. `onReady` is called once the port is bound.
///
///     let emulator = try await Emulator(configuration: configuration, logger: logger) { addresses in
///         print(addresses.baseURL(.agentflow))
///     }
///     try await ServiceGroup(services: [emulator], gracefulShutdownSignals: [.sigterm], logger: logger).run()
public final class Emulator: Service, Sendable {
    /// The configuration it started with.
    public let configuration: EmulatorConfiguration
    /// The store every dialect reads and writes.
    public let store: EmulatorStore
    /// The faults in force; change them at runtime with ``FaultController/update(_:)``.
    public var faults: FaultController { services.faults }
    let services: EmulatorServices
    private let logger: Logger
    private let onReady: @Sendable (EmulatorAddresses) async -> Void

    /// Opens the store and seeds it when it is fresh.
    ///
    /// - Throws: GRDB's `DatabaseError` when the database cannot be opened or seeded.
    public init(
        configuration: EmulatorConfiguration, logger: Logger,
        onReady: @escaping @Sendable (EmulatorAddresses) async -> Void = { _ in }
    ) async throws {
        self.configuration = configuration
        self.logger = logger
        self.onReady = onReady
        let store = try EmulatorStore(
            path: configuration.databasePath, idSeed: configuration.generator.seed, snapshotRetention: configuration.snapshotRetention)
        if try store.isEmpty() {
            try await SeedGenerator(configuration: configuration).populate(store)
        }
        self.store = store
        self.services = EmulatorServices(configuration: configuration, store: store, logger: logger)
    }

    /// The dialect routes it serves with its configuration (extensions only when enabled;
    /// the `/_emulator` admin routes are not listed), so a test can hold them to the contracts.
    public var routes: [EmulatorRoute] { EmulatorApp.routes(services) }

    /// The default tenant's agent ids, sorted.
    public func agentIDs() async throws -> [String] {
        try await store.agents(tenantID: configuration.tenant).map(\.id)
    }

    /// Serves until graceful shutdown; open streams end first.
    public func run() async throws {
        let agentIDs = try await agentIDs()
        let tenant = configuration.tenant
        let onReady = self.onReady
        let application = Application(
            router: EmulatorApp.router(services),
            configuration: .init(address: .hostname("127.0.0.1", port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                await onReady(EmulatorAddresses(port: port, tenant: tenant, agentIDs: agentIDs))
            },
            logger: logger)
        let broadcaster = store.broadcaster
        try await withGracefulShutdownHandler {
            try await application.run()
        } onGracefulShutdown: {
            broadcaster.finishAll()
        }
    }
}

/// A started emulator, as a test sees it.
public struct RunningEmulator: Sendable {
    /// Where it listens.
    public let addresses: EmulatorAddresses
    /// The emulator itself (store, faults).
    public let emulator: Emulator

    /// A dialect's base URL.
    public func baseURL(_ dialect: EmulatorDialect) -> String { addresses.baseURL(dialect) }
}

/// Starts an emulator on 127.0.0.1, runs `body` with it, then shuts it down gracefully.
///
///     try await withEmulator(EmulatorConfiguration(), logger: logger) { emulator in
///         let url = emulator.baseURL(.agentflow) + "/conversations"
///     }
///
/// - Throws: what the server or `body` throws; `EmulatorError.unavailable` when the
///   server stops before binding.
public func withEmulator<T>(
    _ configuration: EmulatorConfiguration, logger: Logger,
    _ body: (RunningEmulator) async throws -> T
) async throws -> T {
    let (ready, readyContinuation) = AsyncStream.makeStream(of: EmulatorAddresses.self)
    let emulator = try await Emulator(configuration: configuration, logger: logger) { addresses in
        readyContinuation.yield(addresses)
        readyContinuation.finish()
    }
    let group = ServiceGroup(configuration: .init(services: [emulator], gracefulShutdownSignals: [], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            defer { readyContinuation.finish() }
            try await group.run()
        }
        var iterator = ready.makeAsyncIterator()
        guard let addresses = await iterator.next() else {
            try await tasks.waitForAll()
            throw EmulatorError(.unavailable, "the emulator stopped before it was ready")
        }
        do {
            let result = try await body(RunningEmulator(addresses: addresses, emulator: emulator))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}
