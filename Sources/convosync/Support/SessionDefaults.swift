import ConvoSync

/// How every command that talks to the remote opens its session: a person is waiting.
enum SessionDefaults {
    /// A person waits for each command: an unreachable remote should be reported in seconds,
    /// not minutes. (The HTTP client retries a refused connection until the connect timeout,
    /// and the engine retries each request on top.)
    static var remote: RemoteConfiguration {
        var configuration = RemoteConfiguration()
        configuration.timeouts.connect = .seconds(5)
        return configuration
    }

    /// A person waits for a write: a remote that does not answer is reported within seconds
    /// (the write stays queued), so connecting gets less time than a sync gives it.
    static var write: RemoteConfiguration {
        var configuration = remote
        configuration.timeouts.connect = .seconds(3)
        return configuration
    }

    /// Four attempts per request (three retries with backoff, honouring `Retry-After`).
    static var sync: SyncConfiguration {
        var configuration = SyncConfiguration()
        configuration.retry.attempts = 4
        return configuration
    }
}
