/// Server-Sent Events over the transport, as an `AsyncSequence` of `SSEEvent`s that survives
/// cuts: it parses bytes as they arrive, reconnects with `Last-Event-ID` (and, for dialects
/// that want it, a query parameter such as agentflow's `last_event_id`), waits the server's
/// `retry` or a jittered exponential backoff between attempts, and gives up after a budget.
///
///     let client = SSEClient(
///         transport: transport,
///         request: RemoteRequest(.get, "/conversations/{id}/watch", parameters: ["id": id]),
///         lastEventID: storedID,
///         configuration: .init(lastEventIDQueryName: "last_event_id"))
///     for try await event in client { try store.apply(event.data, lastEventID: event.id) }
///
/// The stream ends (`nil`) when the server answers 204 ("do not reconnect"). Idle streams are
/// bounded by the transport's read timeout; keep-alive comment lines reset it. Events carry
/// the last event id, and the iterator exposes it, so it is never lost (DESIGN "Sync": SSE).
///
/// - Throws: from iteration, `RemoteError`: the last failure's code once the reconnection
///   budget is spent (`network`, `timeout`, `serverError`, `rateLimited`); at once for a
///   permanent one (`unauthorized`, `notFound`, …); `malformedResponse` for a body that is
///   not `text/event-stream` or an event beyond `maxEventBytes`; `cancelled`.
public struct SSEClient: AsyncSequence, Sendable {
    /// Each dispatched event.
    public typealias Element = SSEEvent

    /// Reconnection and limits.
    public struct Configuration: Sendable, Hashable {
        /// How reconnections are paced: the one ``RetryPolicy`` every remote call uses. Its
        /// `attempts` are connections in a row without an event (1: never reconnect, for reply
        /// streams, whose request must not be re-sent); the server's `retry:` replaces its
        /// `initialDelay`; `Retry-After` lengthens a wait; `minimumDelay` keeps `retry: 0`
        /// from a busy loop.
        public var retry: RetryPolicy
        /// Reconnection attempts in a row without an event before giving up (`retry.attempts - 1`).
        public var maxReconnectAttempts: Int { retry.attempts - 1 }
        /// A query parameter that also carries the last event id on reconnection
        /// (agentflow: `last_event_id`); `nil` sends only the `Last-Event-ID` header.
        public var lastEventIDQueryName: String?
        /// The most an unfinished line plus event may buffer before the stream is refused
        /// as `malformedResponse`. Default 16 MiB.
        public var maxEventBytes: Int

        /// Makes a configuration from the reconnection pacing it names.
        ///
        /// - Parameters:
        ///   - initialDelay: the wait before the first reconnection when the server sent no
        ///     `retry` (default 1 s); doubled per failure in a row.
        ///   - maxDelay: the longest wait, whatever `retry`, backoff or `Retry-After` says (60 s).
        ///   - maxReconnectAttempts: reconnections in a row without an event before giving up;
        ///     0 never reconnects (default 8).
        ///   - jitter: the fraction of each wait that is random (default 0.5: a wait of `d`
        ///     becomes a value in `d/2 ... d`).
        ///   - minimumDelay: the shortest wait (default `SSEParser.minimumRetry`, 100 ms).
        ///   - lastEventIDQueryName, maxEventBytes: as documented on the properties.
        public init(
            initialDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(60), maxReconnectAttempts: Int = 8,
            jitter: Double = 0.5, lastEventIDQueryName: String? = nil, maxEventBytes: Int = 16 << 20,
            minimumDelay: Duration = SSEParser.minimumRetry
        ) {
            let attempts = Swift.max(maxReconnectAttempts, 0).addingReportingOverflow(1)
            self.init(
                retry: RetryPolicy(
                    attempts: attempts.overflow ? .max : attempts.partialValue, initialDelay: initialDelay,
                    maxDelay: maxDelay, minimumDelay: minimumDelay, jitter: jitter),
                lastEventIDQueryName: lastEventIDQueryName, maxEventBytes: maxEventBytes)
        }

        /// Makes a configuration with reconnections paced by `retry`.
        public init(retry: RetryPolicy, lastEventIDQueryName: String? = nil, maxEventBytes: Int = 16 << 20) {
            self.retry = retry
            self.lastEventIDQueryName = lastEventIDQueryName
            self.maxEventBytes = maxEventBytes
        }
    }

    let transport: HTTPTransport
    let request: RemoteRequest
    let lastEventID: String?
    let configuration: Configuration
    let clock: any Clock<Duration>

    /// Makes a client; nothing is sent until iteration starts.
    /// - Parameters:
    ///   - request: the stream's request; it is sent with `Accept: text/event-stream` and
    ///     `Cache-Control: no-cache`.
    ///   - lastEventID: resume after this id (sent from the first connection on).
    ///   - clock: what the waits between reconnections sleep on (tests pass a fast clock).
    public init(
        transport: HTTPTransport, request: RemoteRequest, lastEventID: String? = nil,
        configuration: Configuration = .init(), clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.transport = transport
        self.request = request
        self.lastEventID = lastEventID
        self.configuration = configuration
        self.clock = clock
    }

    /// Starts a stream; each iterator connects on its own.
    public func makeAsyncIterator() -> Iterator {
        Iterator(client: self)
    }

    /// Iterates the events, reconnecting as configured.
    public struct Iterator: AsyncIteratorProtocol {
        private let client: SSEClient
        private var parser: SSEParser
        private var pending: [SSEEvent] = []
        private var pendingIndex = 0
        private var body: RemoteByteStream.AsyncIterator?
        private var failures = 0
        private var connections = 0
        private var attempts = 0
        private var lastError: RemoteError?
        private var finished = false

        init(client: SSEClient) {
            self.client = client
            self.parser = SSEParser(lastEventID: client.lastEventID ?? "")
        }

        /// The stream's last event id: what a reconnection (now or after a restart) resumes from.
        public var lastEventID: String { parser.lastEventID }
        /// The reconnection time the server last asked for with `retry:`.
        public var retry: Duration? { parser.retry }
        /// How many connections were opened so far (1 once connected, +1 per reconnection).
        public var connectionCount: Int { connections }

        /// The next event; `nil` once the server answered 204.
        public mutating func next() async throws -> SSEEvent? {
            while true {
                if pendingIndex < pending.count {
                    defer { pendingIndex += 1 }
                    failures = 0
                    return pending[pendingIndex]
                }
                if finished { return nil }
                guard var current = body else {
                    try await connect()
                    continue
                }
                do {
                    guard let chunk = try await current.next() else {
                        // The server closed the stream: reconnect, as the WHATWG rules say.
                        closeConnection(RemoteError(.network, endpoint: client.request.endpoint))
                        continue
                    }
                    body = current
                    pending = parser.parse(chunk)
                    pendingIndex = 0
                    if parser.bufferedByteCount > client.configuration.maxEventBytes {
                        finished = true
                        body = nil
                        throw RemoteError(.malformedResponse, endpoint: client.request.endpoint, field: "event size")
                    }
                } catch let error as RemoteError {
                    if error.code == .malformedResponse || !error.isRetryable {
                        finished = true
                        body = nil
                        throw error
                    }
                    closeConnection(error)
                }
            }
        }

        private mutating func closeConnection(_ error: RemoteError) {
            parser.finish()
            body = nil
            lastError = error
        }

        /// Opens a connection, waiting and retrying while failures are retryable and the
        /// budget lasts. Every attempt but the very first waits first.
        private mutating func connect() async throws {
            let endpoint = client.request.endpoint
            while true {
                if attempts > 0 {
                    guard failures < client.configuration.maxReconnectAttempts else {
                        finished = true
                        throw lastError ?? RemoteError(.network, endpoint: endpoint)
                    }
                    failures += 1
                    do {
                        try await client.clock.sleep(for: delay())
                    } catch {
                        finished = true
                        throw RemoteError(.cancelled, endpoint: endpoint)
                    }
                }
                attempts += 1
                var request = client.request
                request.accept = "text/event-stream"
                request.headers.append((name: "Cache-Control", value: "no-cache"))
                let id = parser.lastEventID
                if !id.isEmpty {
                    request.headers.append((name: "Last-Event-ID", value: id))
                    if let name = client.configuration.lastEventIDQueryName {
                        request.query.append(.init(name, id))
                    }
                }
                do {
                    let response = try await client.transport.stream(request)
                    connections += 1
                    if response.status == 204 {
                        finished = true
                        return
                    }
                    if let type = response.header("Content-Type"),
                        !type.lowercased().hasPrefix("text/event-stream")
                    {
                        finished = true
                        throw RemoteError(
                            .malformedResponse, endpoint: endpoint, status: response.status, field: "Content-Type")
                    }
                    body = response.body.makeAsyncIterator()
                    return
                } catch let error as RemoteError {
                    if error.code == .malformedResponse || !error.isRetryable {
                        finished = true
                        throw error
                    }
                    lastError = error
                }
            }
        }

        /// The wait before the next attempt: the policy's backoff from the server's `retry`
        /// (or its `initialDelay`), doubled per consecutive failure, capped, jittered; at least
        /// a 429's (or 503's) `Retry-After` and the policy's `minimumDelay`.
        func delay() -> Duration {
            client.configuration.retry.backoff(
                beforeRetry: Swift.max(1, failures), retryAfter: lastError?.retryAfter, base: parser.retry)
        }
    }
}
