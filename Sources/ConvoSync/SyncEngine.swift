import ConvoModel
import ConvoRemote
import ConvoStore
import Foundation
import Logging
import Synchronization

/// What one `sync()` did.
public struct SyncReport: Sendable, Hashable {
    /// What the pull did.
    public var pull = PullReport()
    /// Local writes the remote accepted.
    public var pushed = 0
    /// Local writes the remote refused for good (kept, with the reason, in the outbox).
    public var failedWrites = 0
    /// When the replica was last in step with the remote.
    public var finishedAt = Date()
}

/// The one sync every concurrent `sync()` call shares, and the callers waiting for it.
private struct SharedSync {
    let id: UUID
    let task: Task<Void, Never>
    var waiters: [UUID: CheckedContinuation<SyncReport, any Error>] = [:]
    /// Every caller left and the sync was cancelled: a new caller starts a new one.
    var isCancelled = false
}

/// Keeps one replica true to one remote account (DESIGN "Sync: how the replica stays true").
///
/// `sync()` pulls once and returns when the replica is in step; `run()` keeps it in step until
/// cancelled: periodic pulls, an early pull when one could not check deletions, backoff with
/// jitter while offline or rate limited. `watch(_:)` follows hot conversations live.
/// Every write of remote data commits with its bookkeeping, so cancelling or killing the
/// process at any instant leaves a consistent replica that the next sync resumes.
///
///     let engine = try await SyncEngine(replica: replica, api: connection.api, agentIDs: account.agentIDs)
///     for await status in engine.statusUpdates() { print(status.phase, status.conversations) }
///     let report = try await engine.sync()
public actor SyncEngine {
    /// The replica this engine writes.
    public nonisolated let replica: Replica
    /// The remote adapter this engine reads and writes through.
    public nonisolated let api: any RemoteAPI
    /// How the engine paces itself.
    public nonisolated let configuration: SyncConfiguration
    /// What the waits between retries sleep on.
    nonisolated let clock: any Clock<Duration>

    let logger: Logger
    let broadcaster = StatusBroadcaster()
    let missingRoutes = MissingRoutes()
    private let agentIDs: [String]
    private var scopes: [ListingScope]?
    private var pulls = 0
    private var shared: SharedSync?
    private var watchers: [String: (id: UUID, task: Task<Void, Never>)] = [:]
    let wakeSignal = WakeSignal()
    private let pullRequested = Atomic<Bool>(false)
    private let transport: HTTPTransport?

    /// Makes an engine for `replica` and the adapter of its account.
    ///
    /// - Parameters:
    ///   - agentIDs: the agents in scope, for dialects that list per agent (v2 discovers them
    ///     when empty; `turns` needs them).
    ///   - transport: the adapter's transport, when the status should count its traffic.
    ///   - clock: what every wait sleeps on and `run()`'s schedule reads: the waits between
    ///     retries (``SyncConfiguration/retry``) and between pulls; tests pass one that records
    ///     them instead of sleeping.
    public init(
        replica: Replica, api: any RemoteAPI, agentIDs: [String] = [], transport: HTTPTransport? = nil,
        configuration: SyncConfiguration = .init(), clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "convosync.sync")
    ) {
        self.replica = replica
        self.api = api
        self.agentIDs = agentIDs
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.transport = transport
    }

    deinit {
        for watcher in watchers.values { watcher.task.cancel() }
        broadcaster.finish()
    }

    // MARK: Status

    /// The `sync_state` scope whose `updatedAt` is the end of the last successful sync.
    public static let lastSuccessScope = "sync:last-success"

    /// When the replica was last in step with the remote, as recorded in the replica itself
    /// (so a command can tell without an engine running); `nil` if it never was.
    public static func lastSuccess(of replica: Replica) async throws -> Date? {
        try await replica.syncState(scope: lastSuccessScope)?.updatedAt
    }

    /// The engine's status now.
    public nonisolated var status: SyncStatus { broadcaster.current }

    /// The current status, then every change: phases, pages and items, traffic, errors,
    /// online/offline. A slow reader skips to the newest values; the engine never waits.
    public nonisolated func statusUpdates() -> AsyncStream<SyncStatus> { broadcaster.subscribe() }

    // MARK: Sync

    /// Pulls every scope once; returns when the replica is in step with the remote.
    ///
    /// A pass that cannot prove the listing complete (the remote changed under it, a page came
    /// back short, or it resumed an interrupted pass) purges nothing on its word and is listed
    /// again at once, up to `configuration.passesPerSync` passes; only a remote that keeps
    /// changing through all of them leaves `report.pull.deletionsChecked` false. It still succeeds.
    /// - Throws: `SyncError`: `offline` or `rateLimited` once retries are spent (the pages
    ///   already committed stay; the next sync resumes after them), `unauthorized`,
    ///   `misconfigured`, `protocolViolation` (listing pages that cycle), `replica`, `cancelled`.
    ///
    /// Calls made while a sync runs (from `run()` or another caller) join it rather than start
    /// a second pass over the same scopes. A cancelled caller stops waiting at once (it throws
    /// `cancelled`) while the sync goes on for the others; the sync itself is cancelled only
    /// when no caller waits for it any more (what is committed stays committed).
    @discardableResult
    public func sync() async throws -> SyncReport {
        let waiter = UUID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                join(waiter, continuation)
            }
        } onCancel: {
            // The handler is synchronous and runs off the actor: a task hops onto it.
            Task { await self.leave(waiter) }
        }
    }

    /// Waits for the shared sync, starting it if none runs (after a cancelled one has landed
    /// its last commit: two passes never write the same scopes at once).
    private func join(_ waiter: UUID, _ continuation: CheckedContinuation<SyncReport, any Error>) {
        guard !Task.isCancelled else {
            continuation.resume(throwing: SyncError(.cancelled, "the sync was cancelled"))
            return
        }
        if shared == nil || shared?.isCancelled == true {
            let previous = shared?.task
            let id = UUID()
            // Unstructured on purpose: the shared sync belongs to no one caller (any of them may
            // be cancelled while it goes on for the others), so it cannot be a child of one.
            let task = Task {
                await previous?.value
                do {
                    self.finishShared(id, .success(try await self.performSync()))
                } catch {
                    self.finishShared(id, .failure(error))
                }
            }
            shared = SharedSync(id: id, task: task)
        }
        shared?.waiters[waiter] = continuation
    }

    /// A cancelled caller stops waiting; the last one to leave cancels the sync.
    private func leave(_ waiter: UUID) {
        guard let continuation = shared?.waiters.removeValue(forKey: waiter) else { return }
        continuation.resume(throwing: SyncError(.cancelled, "the sync was cancelled"))
        if shared?.waiters.isEmpty == true {
            shared?.task.cancel()
            shared?.isCancelled = true
        }
    }

    private func finishShared(_ id: UUID, _ result: Result<SyncReport, any Error>) {
        guard let finished = shared, finished.id == id else { return }
        shared = nil
        for continuation in finished.waiters.values { continuation.resume(with: result) }
    }

    private func performSync() async throws -> SyncReport {
        do {
            let context = makeContext()
            let scopes = try await resolveScopes(context)
            pulls += 1
            broadcaster.update { status in
                status.pages = 0
                status.conversations = 0
                status.conversationsRead = 0
                status.expectedConversations = nil
                status.pushed = 0
                status.refusedItems = 0
            }
            var report = SyncReport()
            // Local intent goes out first, so the pull reads the remote with it applied; what
            // was written meanwhile goes out after.
            let retryFirst = try await push(into: &report)
            broadcaster.update { $0.phase = .listing }
            report.pull = try await Puller(context: context, scopes: scopes).pull(pullNumber: pulls)
            if let stillWaiting = try await push(into: &report) ?? retryFirst {
                throw stillWaiting
            }
            // A sync that wrote many pages left the search index one segment per page (some
            // merged): merge them once now, not during the pass. A failure costs only speed.
            do {
                try await replica.mergeSearchIndexIfGrown()
            } catch {
                logger.warning("could not merge the search index", metadata: ["error": "\(error)"])
            }
            report.finishedAt = Date()
            // Readers without the engine (`convosync status`) learn when the replica was last in step.
            try await replica.setSyncState(SyncStateUpdate(scope: Self.lastSuccessScope))
            finish(success: report)
            return report
        } catch {
            let failure = SyncError.wrapping(error)
            broadcaster.update { status in
                status.phase = .idle
                status.lastError = failure.message
                status.lastErrorCode = failure.code
                if failure.code == .offline { status.online = false }
            }
            refreshTraffic()
            throw failure
        }
    }

    /// Keeps the replica in step until the task is cancelled: pulls every `pullInterval` (or
    /// at once after `requestSync()`), again soon after a pass that could not check deletions,
    /// and after a growing, jittered delay while the remote is unreachable or rate limiting.
    /// Failures that need a person (credentials, configuration) are reported in the status and
    /// retried at the pull interval. Returns when cancelled; the replica stays consistent.
    public func run() async {
        let clock = self.clock
        await keepInStep(on: clock)
    }

    /// `run()`'s loop, on the engine's clock: every wait and every "is a pull due" reads it,
    /// so a test drives the schedule with a clock that records instead of sleeping.
    private func keepInStep<C: Clock<Duration>>(on clock: C) async {
        var failures = 0
        var inconsistentSyncs = 0
        var lastCollection: C.Instant?
        var nextPull = clock.now
        while !Task.isCancelled {
            let pullDue = clock.now >= nextPull || pullRequested.exchange(false, ordering: .relaxed)
            var delay = configuration.pullInterval
            do {
                if pullDue {
                    let report = try await sync()
                    if report.pull.deletionsChecked {
                        inconsistentSyncs = 0
                    } else {
                        inconsistentSyncs += 1
                        delay = configuration.delay(afterInconsistentSyncs: inconsistentSyncs)
                    }
                    nextPull = clock.now.advanced(by: delay)
                    if lastCollection.map({ $0.duration(to: clock.now) > .seconds(24 * 3600) }) ?? true {
                        try await collectTombstones()
                        lastCollection = clock.now
                    }
                } else {
                    // Woken by a local write: push it without waiting for the next pull. One
                    // pass: a passing failure is retried by this loop's own backoff below.
                    var report = SyncReport()
                    if let waiting = try await push(into: &report) { throw waiting }
                    broadcaster.update { $0.phase = .idle }
                    delay = clock.now.duration(to: nextPull)
                }
                failures = 0
            } catch let error as SyncError {
                // Only run()'s own cancellation ends it; a sync cancelled by another caller's
                // choice is not a reason to stop keeping the replica in step.
                if Task.isCancelled { break }
                failures += 1
                if error.isRetryable {
                    delay = configuration.retry.backoff(beforeRetry: failures, retryAfter: error.retryAfter)
                }
                nextPull = clock.now.advanced(by: delay)
                logger.warning("sync failed", metadata: ["error": "\(error.code.rawValue)", "retry_in": "\(delay)"])
                let retryAt = Date().addingTimeInterval(Double(delay.components.seconds))
                broadcaster.update { status in
                    status.phase = .waiting
                    status.retryAt = retryAt
                    status.lastError = error.message
                    status.lastErrorCode = error.code
                }
            } catch {
                break
            }
            await wakeSignal.wait(upTo: max(delay, .zero), on: clock)
        }
        stopAllWatches()
        broadcaster.update { $0.phase = .idle }
    }

    /// Removes soft-delete and purge tombstones older than `configuration.tombstoneRetention`
    /// (never what a queued local write refers to); `run()` does it once a day. Where the
    /// dialect has soft deletes, soft-deleted rows are what the remote serves (restorable) and
    /// stay; only observed hard deletes are collected.
    /// - Returns: how many conversations and turns were removed.
    /// - Throws: `SyncError` `.replica`.
    @discardableResult
    public func collectTombstones(now: Date = Date()) async throws -> Int {
        let retention = configuration.tombstoneRetention
        let cutoff = now.addingTimeInterval(-(Double(retention.components.seconds) + Double(retention.components.attoseconds) / 1e18))
        do {
            return try await replica.collectTombstones(
                olderThan: cutoff, includingSoftDeleted: !api.capabilities.softDeletes)
        } catch {
            throw SyncError.wrapping(error)
        }
    }

    /// Asks a running `run()` to pull now (after a local change, or a push notification).
    public nonisolated func requestSync() {
        pullRequested.store(true, ordering: .relaxed)
        wakeSignal.ring()
    }

    // MARK: Watches

    /// Follows a conversation live (dialects with a watch stream; others ignore it): each
    /// snapshot lands in the replica as it arrives. Watching twice is one watch. A watch ends by
    /// itself when the conversation is hard-deleted, or when the remote turns out to serve no
    /// watch route (later calls are then ignored; `sync()` keeps the conversation fresh).
    public func watch(_ conversationID: String) async {
        guard api.capabilities.watchStream, watchers[conversationID] == nil, await !missingRoutes.contains(.watch) else {
            return
        }
        // The check above suspended: another call may have started this watch meanwhile.
        guard watchers[conversationID] == nil else { return }
        let watcher = ConversationWatcher(context: makeContext(), conversationID: conversationID)
        let id = UUID()
        // Unstructured on purpose: a watch outlives the call that starts it and ends with
        // `stopWatching(_:)`, a hard delete, or the engine.
        watchers[conversationID] = (id, Task {
            await watcher.run()
            await self.watchEnded(conversationID, id: id)
        })
    }

    /// Forgets a watch whose stream ended by itself (a hard delete, or no watch route).
    private func watchEnded(_ conversationID: String, id: UUID) {
        guard watchers[conversationID]?.id == id else { return }
        watchers.removeValue(forKey: conversationID)
    }

    /// Stops following a conversation.
    public func stopWatching(_ conversationID: String) {
        watchers.removeValue(forKey: conversationID)?.task.cancel()
    }

    /// The conversations being watched.
    public var watchedConversations: Set<String> { Set(watchers.keys) }

    /// Stops every watch.
    public func stopAllWatches() {
        for watcher in watchers.values { watcher.task.cancel() }
        watchers.removeAll()
    }

    // MARK: Helpers

    func makeContext() -> PullContext {
        PullContext(
            api: api, replica: replica, configuration: configuration, clock: clock, status: broadcaster, logger: logger,
            missingRoutes: missingRoutes)
    }

    /// The listing scopes: one for everything, or one per agent where the dialect lists per
    /// agent (discovered where the account names none and the dialect can list agents).
    func resolveScopes(_ context: PullContext) async throws -> [ListingScope] {
        if let scopes { return scopes }
        let capabilities = api.capabilities
        var resolved = [ListingScope(agentID: nil)]
        if capabilities.listsPerAgent {
            var agents = agentIDs
            if agents.isEmpty, capabilities.agentListing {
                let api = self.api
                do {
                    // An agent id the replica cannot store is skipped, not listed under a cut name.
                    agents = try await context.remote { try await api.agents(named: nil) }.map(\.id)
                        .filter(RemoteID.isStorable)
                } catch let error as SyncError where error.remote?.code == .routeNotFound {
                    // Discovery is optional: a platform without it needs the agents named.
                    throw SyncError(
                        .misconfigured, "the remote cannot list its agents (\(error.code.rawValue)): name the agents to sync")
                }
            }
            guard !agents.isEmpty else {
                throw SyncError(.misconfigured, "this dialect lists conversations per agent: name the agents to sync")
            }
            resolved = agents.map { ListingScope(agentID: $0) }
        }
        api.rememberOwners(try await replica.conversationOwners())
        scopes = resolved
        return resolved
    }

    private func finish(success report: SyncReport) {
        broadcaster.update { status in
            status.phase = .idle
            status.lastSuccess = report.finishedAt
            status.lastError = nil
            status.lastErrorCode = nil
            status.retryAt = nil
            status.online = true
            status.deletionsChecked = report.pull.deletionsChecked
        }
        refreshTraffic()
    }

    private func refreshTraffic() {
        guard let transport else { return }
        let (requests, bytes) = transport.traffic
        broadcaster.update { status in
            status.requests = requests
            status.receivedBytes = bytes
        }
    }
}
