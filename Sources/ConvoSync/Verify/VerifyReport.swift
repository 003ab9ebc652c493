import Foundation

/// One way the replica and the remote disagree about a conversation, found by
/// `SyncEngine.verify(repair:)`.
public struct VerifyFinding: Sendable, Hashable {
    /// What kind of disagreement.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The remote serves it; the replica does not hold it.
        case missingLocally = "missing_locally"
        /// The replica holds it; the remote's listing does not show it.
        case extraLocally = "extra_locally"
        /// Both hold it, with different fields or turns (see `fields`).
        case differs
        /// Local writes wait in the outbox for it: the replica shows them on purpose, so it is
        /// not compared (the difference is what the writes will make).
        case pending
    }

    /// What kind of disagreement.
    public var kind: Kind
    /// The conversation's remote id.
    public var conversationID: String
    /// For `differs`: what differs, e.g. `title`, `metadata`, `deleted`, `turns`,
    /// `turn msg_1.text`, `turn msg_1.state`.
    public var fields: [String]
    /// For `extraLocally`: whether the conversation's own read answered
    /// `conversation_not_found` (`true`: gone for good), answered at all (`false` never
    /// appears: a conversation that still answers is compared instead), or could not be
    /// asked (`nil`: the dialect has no read; see `unconfirmed`).
    public var confirmedGone: Bool?
    /// Whether a listing that moved during the verification could explain it: the finding is
    /// not proof (another verify with the remote quiet settles it).
    public var unconfirmed: Bool

    /// Makes a finding.
    public init(
        _ kind: Kind, conversationID: String, fields: [String] = [], confirmedGone: Bool? = nil, unconfirmed: Bool = false
    ) {
        self.kind = kind
        self.conversationID = conversationID
        self.fields = fields
        self.confirmedGone = confirmedGone
        self.unconfirmed = unconfirmed
    }
}

/// What `SyncEngine.verify(repair:)` found: whether the replica is exactly what the remote
/// serves, and where it is not.
public struct VerifyReport: Sendable, Hashable {
    /// Every disagreement, ordered by conversation id; `pending` ones are not differences.
    public var findings: [VerifyFinding] = []
    /// Conversations the remote listed (soft-deleted ones where it lists them).
    public var remoteConversations = 0
    /// Remote conversations the replica holds (soft-deleted ones included, purged ones not).
    public var localConversations = 0
    /// Local writes waiting in the outbox.
    public var pendingWrites = 0
    /// Remote items skipped because their ids cannot be stored.
    public var refused = 0
    /// Whether every listing held still while it was read; when false, findings a moving
    /// listing could explain are marked `unconfirmed`.
    public var listingsHeldStill = true
    /// With `repair`: how many conversations were fetched again or purged before the final check.
    public var repaired = 0
    /// When the verification finished.
    public var finishedAt = Date()

    /// Makes an empty report.
    public init() {}

    /// The findings that are differences (everything but `pending`).
    public var differences: [VerifyFinding] { findings.filter { $0.kind != .pending } }

    /// Whether the replica equals what the remote serves (queued local writes aside).
    public var isEqual: Bool { differences.isEmpty }
}
