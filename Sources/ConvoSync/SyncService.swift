import ServiceLifecycle

/// One engine as a swift-service-lifecycle `Service`: runs `engine.run()` with the given
/// conversations watched, and on graceful shutdown (SIGTERM, SIGINT, a reload) cancels it —
/// the transaction in flight lands, streams close, the replica stays consistent.
///
///     let group = ServiceGroup(services: [SyncService(engine: session.engine)],
///                              gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
///     try await group.run()
public struct SyncService: Service {
    /// The engine this service runs.
    public let engine: SyncEngine
    /// Conversations to follow live while running (dialects with a watch stream).
    public var watched: [String]

    /// Makes a service for `engine`.
    public init(engine: SyncEngine, watched: [String] = []) {
        self.engine = engine
        self.watched = watched
    }

    /// Runs until the group shuts down gracefully or the task is cancelled.
    public func run() async throws {
        let engine = self.engine
        for id in watched { await engine.watch(id) }
        await cancelWhenGracefulShutdown { await engine.run() }
        await engine.stopAllWatches()
    }
}
