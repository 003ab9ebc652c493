/// How the transport talks to a remote: timeouts, size limits, transport security and
/// redirects. Every default is safe for a platform on the public internet.
///
///     var configuration = RemoteConfiguration()
///     configuration.timeouts.read = .seconds(30)
///     configuration.maxResponseBytes = 8 << 20
public struct RemoteConfiguration: Sendable, Hashable {
    /// How long each phase of a request may take.
    public struct Timeouts: Sendable, Hashable {
        /// Establishing the connection (TCP and TLS). Default 10 s.
        public var connect: Duration = .seconds(10)
        /// The longest silence between two reads, on every request *and* every stream:
        /// an idle SSE stream fails after this unless the server sends keep-alive comments
        /// (agentflow sends one every 15 s). Default 60 s.
        public var read: Duration = .seconds(60)
        /// Waiting for the response head, from the request's start: bounds a server that
        /// accepts a request and never answers. Streams are not bounded after the head.
        /// Default 120 s (a reply that the server composes before answering takes time).
        public var responseHead: Duration = .seconds(120)

        /// The defaults above.
        public init() {}
    }

    /// What to do with a redirect to another origin (scheme, host, port).
    public enum CrossOriginRedirects: Sendable, Hashable {
        /// Follow it without any credential header (`Authorization`, `X-API-Key`,
        /// `X-API-Secret`): how a CDN-hosted download works, and a moved host answers 401.
        case followWithoutCredentials
        /// Fail with `RemoteError.Code.redirectRefused`.
        case refuse
    }

    /// Which redirects the transport follows itself (AsyncHTTPClient's own following is off,
    /// since across origins it would forward an `X-API-Key`).
    ///
    /// Same-origin redirects are followed with the credentials. A GET or HEAD follows 301,
    /// 302, 303, 307 and 308; any other method follows only 307 and 308 (which keep the
    /// method and body): a write is never silently turned into a GET. A 307 or 308 of a
    /// request with a body is followed only within the base URL's origin; to another origin
    /// it is refused (`redirectRefused`, naming the redirect), whatever `crossOrigin` says,
    /// so a body is never re-sent to a host the account did not name. A redirect from https
    /// to http is always refused.
    public struct Redirects: Sendable, Hashable {
        /// Redirects followed per request before `redirectRefused`. Default 5.
        public var maxCount: Int = 5
        /// Default `.followWithoutCredentials`.
        public var crossOrigin: CrossOriginRedirects = .followWithoutCredentials

        /// The defaults above.
        public init() {}
    }

    /// Default: `Timeouts()`.
    public var timeouts = Timeouts()
    /// The largest body `send` collects, in bytes; beyond it `responseTooLarge`. Streams
    /// (`stream`, SSE) are not bounded by it. Default 32 MiB.
    public var maxResponseBytes: Int = 32 << 20
    /// Whether plain http may reach a host other than loopback (127.0.0.0/8, ::1,
    /// `localhost`). Default `false`: such a request fails with `insecureTransport` before
    /// any connection is made.
    public var allowsInsecureHTTP = false
    /// Default: `Redirects()`.
    public var redirects = Redirects()
    /// The `User-Agent` header. Default `ConvoSync`.
    public var userAgent = "ConvoSync"

    /// The defaults above.
    public init() {}
}
