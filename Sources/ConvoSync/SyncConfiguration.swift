import ConvoRemote

// The pacing an app sets on `SyncConfiguration.retry`, named with `import ConvoSync` alone.
@_exported import struct ConvoRemote.RetryPolicy

/// How the engine paces itself: page sizes, parallel reads, retries, schedules and retention.
///
///     var configuration = SyncConfiguration()
///     configuration.pullInterval = .seconds(30)
///     let engine = SyncEngine(replica: replica, connection: connection, account: account, configuration: configuration)
public struct SyncConfiguration: Sendable, Hashable {
    /// Items asked for per listing page (the dialect may return fewer).
    public var pageSize: Int = 100
    /// Conversations whose turns are read at the same time while a page is prepared.
    public var concurrentReads: Int = 4
    /// Retries of one request on retryable failures (network, 5xx, 429): the sync's reads,
    /// content downloads, a watch's new stream, and the passes of `push()` (ConvoRemote's
    /// one policy; `run()` paces its own pulls with the same backoff).
    public var retry: RetryPolicy = .init()
    /// How often `run()` pulls when nothing asks for it sooner.
    public var pullInterval: Duration = .seconds(60)
    /// Full passes one `sync()` runs over a scope at most: a pass that could not prove the
    /// listing complete (the remote changed under it, or it resumed an interrupted one) is
    /// followed at once by another, so one sync against a quiet remote converges.
    public var passesPerSync: Int = 3
    /// How soon `run()` pulls again after a sync that could not check deletions because the
    /// remote kept changing (DESIGN: "the next pass starts soon"); it doubles with each such
    /// sync in a row, up to `pullInterval`, so a restless remote is not listed every 2 s forever.
    public var inconsistentPassRetry: Duration = .seconds(2)
    /// For dialects that list recently updated conversations first: every how many pulls a
    /// full mark-and-sweep pass runs even when the totals agree (a safety net).
    public var fullPassEvery: Int = 20
    /// How long soft-delete and purge tombstones are kept before `run()` collects them.
    public var tombstoneRetention: Duration = .seconds(30 * 24 * 3600)
    /// How often a streamed reply's text is written to the replica while it arrives.
    public var replyFlushInterval: Duration = .milliseconds(100)
    /// A streamed reply is also written once this many bytes arrived since the last write.
    public var replyFlushBytes: Int = 4096

    /// The defaults.
    public init() {}

    /// How long `run()` waits after `count` syncs in a row that could not check deletions:
    /// `inconsistentPassRetry`, doubling each time, never past `pullInterval`.
    public func delay(afterInconsistentSyncs count: Int) -> Duration {
        let doubling = min(max(count - 1, 0), 20)
        return min(inconsistentPassRetry * (1 << doubling), max(pullInterval, inconsistentPassRetry))
    }
}
