import ConvoSync

/// Runs one engine operation (a sync, a verification) beside the progress display on
/// standard error, and clears the display when it ends.
enum EngineProgress {
    static func showing<T: Sendable>(
        _ engine: SyncEngine, receivedBytes: (@Sendable () -> Int)? = nil, environment: [String: String],
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let updates = engine.statusUpdates()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                var progress = SyncProgress(receivedBytes: receivedBytes, environment: environment)
                for await status in updates {
                    if Task.isCancelled { break }
                    progress.show(status)
                }
                progress.finish()
                return nil
            }
            group.addTask { try await operation() }
            var result: T?
            while let next = try await group.next() {
                if let value = next {
                    result = value
                    group.cancelAll()
                }
            }
            guard let result else { throw CancellationError() }
            return result
        }
    }
}
