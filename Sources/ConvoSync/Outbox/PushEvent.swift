import ConvoModel
import ConvoRemote

/// What the outbox pusher reports as it works, for a status display (never message text).
enum PushEvent: Sendable, Hashable {
    /// The op is being sent.
    case started(opID: Int64, kind: String)
    /// A batch of a streamed reply reached the replica; `characters` so far.
    case replyProgress(opID: Int64, turn: Int64, characters: Int)
    /// A streamed reply ended (`done`, `stopped` or `error`) in its placeholder; the op's
    /// completion then writes the reply as the remote holds it.
    case replyFinished(opID: Int64, turn: Int64, state: TurnState)
    /// The remote accepted the op and the replica holds its answer.
    case pushed(opID: Int64, kind: String)
    /// The op failed: `permanent` ones are marked failed with the reason, others wait for a retry.
    case failed(opID: Int64, kind: String, reason: String, permanent: Bool)
}

/// What one ``OutboxPusher/pushPending()`` pass did and what should happen next.
struct PushOutcome: Sendable, Equatable {
    /// What the caller should do next.
    enum Next: Sendable, Equatable {
        /// Nothing is left to push now (blocked or failed ops wait for a person).
        case idle
        /// A retryable failure stopped the pass: push again later, after `after` when the
        /// remote said (429 `Retry-After`), else after the engine's own backoff.
        case retryLater(after: Duration?)
        /// The remote refused the account itself (credentials, a base URL with no such route,
        /// insecure transport): no op was marked failed, since none is at fault. Fix the account.
        case accountRefused(RemoteError)
    }

    /// Ops the remote accepted and the replica completed.
    var pushed = 0
    /// Ops marked failed for good in this pass.
    var failed = 0
    /// What to do next.
    var next = Next.idle
}

/// How often a streamed reply's text is written to its placeholder: every `interval` or
/// every `maxBytes`, whichever comes first, and once at the end (DESIGN "SSE": deltas are
/// written in batches, not one commit per delta).
struct ReplyBatchPolicy: Sendable, Hashable {
    /// The longest a received delta waits before a write (checked as deltas arrive). Default 200 ms.
    var interval: Duration = .milliseconds(200)
    /// The most text, in UTF-8 bytes, held before a write. Default 4096.
    var maxBytes = 4096
}
