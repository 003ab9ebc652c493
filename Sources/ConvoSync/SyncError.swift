import ConvoRemote
import ConvoStore

/// The one error `ConvoSync` throws: a matchable `code` a caller acts on (retry later, fix the
/// credentials, fix the account), with the remote or replica error underneath.
///
///     do { try await engine.sync() }
///     catch let error as SyncError where error.code == .offline { showOfflineBadge() }
///
/// `description` is one sentence fit for a person; it never holds credentials or bodies.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, by what a caller can do about it.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The remote could not be reached (connection refused, cut, timed out, 5xx): retry later.
        case offline
        /// The remote asked us to slow down past the retry budget: retry after `retryAfter`.
        case rateLimited
        /// The credentials were refused (401) or may not do this (403): fix them.
        case unauthorized
        /// The account is wrong: a base URL with no such route, an agent the remote does not
        /// know, or a dialect that needs agents and has none.
        case misconfigured
        /// The remote refused or answered something the engine cannot use.
        case remote
        /// The remote contradicted itself in a way no retry inside this sync can mend (listing
        /// pages that cycle): nothing was removed on its word; a later sync starts afresh.
        case protocolViolation
        /// The replica failed (locked, full disk, not a replica of this account).
        case replica
        /// The dialect cannot do what was asked (see `RemoteCapabilities`).
        case unsupported
        /// The caller cancelled; what was committed stays committed.
        case cancelled
    }

    /// What went wrong.
    public let code: Code
    /// One sentence for a person.
    public let message: String
    /// The remote failure underneath, if any.
    public let remote: RemoteError?
    /// The replica failure underneath, if any.
    public let store: StoreError?

    /// Makes an error.
    public init(_ code: Code, _ message: String, remote: RemoteError? = nil, store: StoreError? = nil) {
        self.code = code
        self.message = message
        self.remote = remote
        self.store = store
    }

    /// For `rateLimited` (and `offline` after a 503 that said): how long the server asked to wait.
    public var retryAfter: Duration? { remote?.retryAfter }

    /// Whether trying again later may succeed without anyone changing anything.
    public var isRetryable: Bool { code == .offline || code == .rateLimited }

    /// The one sentence for a person.
    public var description: String { message }

    /// Classifies any error from a remote call or a replica write.
    static func wrapping(_ error: any Error) -> SyncError {
        switch error {
        case let error as SyncError: return error
        case let error as RemoteError: return SyncError(remote: error)
        case let error as StoreError:
            return SyncError(.replica, "the replica failed: \(error)", store: error)
        case is CancellationError: return SyncError(.cancelled, "the sync was cancelled")
        default: return SyncError(.remote, "the sync failed: \(error)")
        }
    }

    private init(remote error: RemoteError) {
        let code: Code
        let message: String
        switch error.code {
        case .network, .timeout, .serverError:
            code = .offline
            message = "the remote cannot be reached (\(error))"
        case .rateLimited:
            code = .rateLimited
            message = "the remote is rate limiting requests (\(error))"
        case .unauthorized, .forbidden:
            code = .unauthorized
            message = "the remote refused the credentials (\(error))"
        case .routeNotFound, .insecureTransport, .redirectRefused:
            code = .misconfigured
            message = "the remote URL does not serve this dialect (\(error))"
        case .tls:
            // Not a passing fault: the peer cannot be trusted until someone changes something.
            code = .misconfigured
            message = "the TLS handshake with the remote failed (\(error))"
        case .notFound where error.resource == .agent:
            code = .misconfigured
            message = "the remote does not know an agent of this account (\(error))"
        case .unsupported:
            code = .unsupported
            message = "the dialect cannot do this (\(error))"
        case .cancelled:
            code = .cancelled
            message = "the sync was cancelled"
        default:
            code = .remote
            message = "the remote refused a request (\(error))"
        }
        self.init(code, message, remote: error)
    }
}
