import Foundation

/// Where the engine stands, as one value: what a progress bar, a log line or a status file
/// shows. `SyncEngine.statusUpdates()` yields a new value on every change.
public struct SyncStatus: Sendable, Hashable {
    /// What the engine is doing.
    public enum Phase: String, Sendable, Hashable, CaseIterable {
        /// Nothing running; `run()` waits for the next pull.
        case idle
        /// Sending queued local writes.
        case pushing
        /// Reading listing pages (and the turns of what changed).
        case listing
        /// Confirming and recording remote deletions.
        case sweeping
        /// Waiting before a retry (offline or rate limited).
        case waiting
    }

    /// The current phase.
    public var phase: Phase = .idle
    /// The listing scope being read, e.g. `conversations` or `conversations:agent_7`.
    public var scope: String?
    /// Listing pages applied in the current sync.
    public var pages = 0
    /// Conversations listed in the current sync.
    public var conversations = 0
    /// The conversations the remote reports in scope, where it reports totals.
    public var expectedConversations: Int?
    /// Conversations whose turns were read in the current sync.
    public var conversationsRead = 0
    /// Remote items skipped in the current sync because their ids cannot be stored (``RemoteID``).
    public var refusedItems = 0
    /// Local writes pushed in the current sync.
    public var pushed = 0
    /// Requests sent and response bytes received since the engine started.
    public var requests = 0
    /// Response body bytes received since the engine started.
    public var receivedBytes = 0
    /// Whether the last request reached the remote.
    public var online = true
    /// The last failure, as one sentence, until a sync succeeds.
    public var lastError: String?
    /// The last failure's code.
    public var lastErrorCode: SyncError.Code?
    /// When the engine will try again, while `phase == .waiting`.
    public var retryAt: Date?
    /// When the last sync finished with the replica in step.
    public var lastSuccess: Date?
    /// Optional reads the remote turned out not to serve (`route_not_found`), e.g. `watch` or
    /// `deleted listing`: worked around, and said here so a person knows why.
    public var unavailableReads: Set<String> = []
    /// Whether the last pull could check deletions (false when the remote changed under it).
    public var deletionsChecked = true

    /// The last `verify()`'s outcome, once one ran.
    public var lastVerification: VerifySummary?

    /// The idle status of an engine that has not synced yet.
    public init() {}
}

/// What a status line says of the last verification: when, and whether the replica was equal.
public struct VerifySummary: Sendable, Hashable {
    /// When it finished.
    public var finishedAt: Date
    /// Whether the replica equalled the remote (queued writes aside).
    public var equal: Bool
    /// How many differences it found (after a repair, those left).
    public var differences: Int
    /// How many of them a moving listing could explain.
    public var unconfirmed: Int

    /// Summarises `report`.
    public init(_ report: VerifyReport) {
        finishedAt = report.finishedAt
        equal = report.isEqual
        differences = report.differences.count
        unconfirmed = report.differences.filter(\.unconfirmed).count
    }
}
