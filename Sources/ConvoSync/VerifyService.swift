import Logging
import ServiceLifecycle

/// Verifies an engine's replica against its remote on a schedule (`convosync daemon
/// --verify-every`): the first check one interval after start, then every interval; the
/// outcome lands in the engine's status (`SyncStatus.lastVerification`). A failed check is
/// logged and tried again at the next interval. Graceful shutdown ends it between checks or
/// cancels the one running (it writes nothing).
public struct VerifyService: Service {
    /// The engine whose replica is checked.
    public let engine: SyncEngine
    /// How long between two checks.
    public var interval: Duration
    let logger: Logger

    /// Makes a service that verifies `engine`'s replica every `interval`.
    public init(engine: SyncEngine, every interval: Duration, logger: Logger = Logger(label: "convosync.verify")) {
        self.engine = engine
        self.interval = interval
        self.logger = logger
    }

    /// Runs until the group shuts down gracefully or the task is cancelled.
    public func run() async throws {
        let (engine, interval, logger) = (self.engine, self.interval, self.logger)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                do {
                    let report = try await engine.verify()
                    logger.info(
                        report.isEqual ? "the replica verified equal to the remote" : "the replica differs from the remote",
                        metadata: [
                            "differences": "\(report.differences.count)", "remote": "\(report.remoteConversations)",
                            "replica": "\(report.localConversations)",
                        ])
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("the scheduled verification failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
