import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Synchronization

/// Sends `RemoteRequest`s to one remote over AsyncHTTPClient: builds URLs from an opaque
/// base URL, adds credentials only for the base URL's origin, follows redirects by policy,
/// bounds bodies and times, and turns every failure into a `RemoteError`.
///
/// It owns one `HTTPClient`; call `shutdown()` before dropping it (AsyncHTTPClient traps in
/// debug builds when a client is dropped while running).
///
///     let transport = HTTPTransport(baseURL: url, credentials: .bearer(token), logger: logger)
///     let response = try await transport.send(RemoteRequest(.get, "/conversations"))
///     try await transport.shutdown()  // when the engine's run() ends
///
/// Logs at debug with `http.method`, `http.route` (the template) and `http.status_code`;
/// never URLs, query strings, headers or bodies.
public final class HTTPTransport: Sendable, CustomStringConvertible, CustomReflectable {
    /// The base URL that request routes are appended to (treated as opaque).
    public let baseURL: URL
    /// The configuration the transport was made with.
    public let configuration: RemoteConfiguration
    private let credentials: Credentials?
    private let logger: Logger
    private let client: HTTPClient
    private let requestCount = Atomic<Int>(0)
    private let bodyBytes = Atomic<Int>(0)

    /// How many requests this transport sent (including failed ones) and how many response
    /// body bytes `send` received: what a progress display shows as traffic.
    public var traffic: (requests: Int, receivedBytes: Int) {
        (requestCount.load(ordering: .relaxed), bodyBytes.load(ordering: .relaxed))
    }

    /// Makes a transport and its HTTP client.
    /// - Parameters:
    ///   - baseURL: http or https, without query, fragment or user info; a trailing `/` is ignored.
    ///   - credentials: added to requests for the base URL's origin only.
    public init(baseURL: URL, credentials: Credentials?, configuration: RemoteConfiguration = .init(), logger: Logger) {
        self.baseURL = baseURL
        self.credentials = credentials
        self.configuration = configuration
        self.logger = logger
        var clientConfiguration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: Self.timeAmount(configuration.timeouts.connect),
                read: Self.timeAmount(configuration.timeouts.read)),
            decompression: .disabled)
        clientConfiguration.httpVersion = .automatic
        // A refused connection fails the request at once: the caller's retry policy (the
        // engine's jittered backoff) paces retries, rather than the pool retrying silently
        // until the connect timeout on every attempt (an unreachable remote took a minute).
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        self.client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration,
            backgroundActivityLogger: Logger(label: "convosync.remote.http", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Shuts the HTTP client down; requests after this fail. Call it exactly once.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// The base URL's origin only.
    public var description: String { "HTTPTransport(\(Origin(baseURL)?.description ?? "invalid base URL"))" }

    /// Only the base URL and configuration: reflecting the HTTP client would expose the
    /// header fields of requests in flight.
    public var customMirror: Mirror {
        Mirror(self, children: ["baseURL": baseURL, "configuration": configuration], displayStyle: .class)
    }

    /// Sends a request and collects its 2xx response body.
    /// - Throws: `RemoteError`: a code for the status and error body (`unauthorized`,
    ///   `notFound`, `rateLimited`, …), `responseTooLarge` beyond `maxResponseBytes`,
    ///   `timeout`, `network`, `cancelled`, `insecureTransport`, `redirectRefused`, `invalidRequest`.
    public func send(_ request: RemoteRequest) async throws -> RemoteResponse {
        let endpoint = request.endpoint
        let response = try await execute(request)
        do {
            let body = try await response.body.collect(upTo: configuration.maxResponseBytes)
            bodyBytes.add(body.readableBytes, ordering: .relaxed)
            logger.debug(
                "remote response",
                metadata: [
                    "http.method": "\(request.method.rawValue)", "http.route": "\(request.route)",
                    "http.status_code": "\(response.status.code)",
                ])
            return RemoteResponse(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: body,
                endpoint: endpoint)
        } catch {
            throw RemoteError.from(error, endpoint: endpoint)
        }
    }

    /// Sends a request and returns its 2xx response while the body is still arriving: for
    /// large downloads and `text/event-stream`. The read timeout applies between chunks.
    /// - Throws: as `send`; the body's sequence throws `RemoteError` too.
    public func stream(_ request: RemoteRequest) async throws -> RemoteStreamResponse {
        let response = try await execute(request)
        logger.debug(
            "remote stream",
            metadata: [
                "http.method": "\(request.method.rawValue)", "http.route": "\(request.route)",
                "http.status_code": "\(response.status.code)",
            ])
        return RemoteStreamResponse(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: RemoteByteStream(body: response.body, endpoint: request.endpoint))
    }

    /// Runs the request, following redirects by policy, and returns the 2xx response with
    /// its body unread; an error status is read (boundedly) and thrown as a `RemoteError`.
    private func execute(_ request: RemoteRequest) async throws -> HTTPClientResponse {
        let endpoint = request.endpoint
        requestCount.add(1, ordering: .relaxed)
        guard let base = Origin(baseURL), baseURL.query == nil, baseURL.fragment == nil, baseURL.user == nil,
            baseURL.password == nil
        else {
            throw RemoteError(.invalidRequest, endpoint: endpoint, field: "baseURL")
        }
        if let key = request.idempotencyKey {
            guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
                throw RemoteError(.invalidRequest, endpoint: endpoint, field: "Idempotency-Key")
            }
        }
        var baseText = baseURL.absoluteString
        while baseText.hasSuffix("/") { baseText.removeLast() }
        let firstURL = baseText + (try request.pathAndQuery())
        guard var url = URL(string: firstURL) else {
            throw RemoteError(.invalidRequest, endpoint: endpoint, field: "url")
        }
        let body = Self.encodedBody(request.body)
        var redirects = 0
        while true {
            guard let origin = Origin(url) else { throw RemoteError(.invalidRequest, endpoint: endpoint, field: "url") }
            if origin.scheme == "http" && !configuration.allowsInsecureHTTP && !origin.isLoopback {
                throw RemoteError(.insecureTransport, endpoint: endpoint)
            }
            let sendsCredentials = origin == base
            var http = HTTPClientRequest(url: url.absoluteString)
            http.method = .init(rawValue: request.method.rawValue)
            http.headers.add(name: "User-Agent", value: configuration.userAgent)
            http.headers.add(name: "Accept", value: request.accept)
            for field in request.headers
            where sendsCredentials || !Credentials.headerNames.contains(field.name.lowercased()) {
                http.headers.add(name: field.name, value: field.value)
            }
            if sendsCredentials, let credentials {
                for field in credentials.headerFields { http.headers.add(name: field.name, value: field.value) }
            }
            if let key = request.idempotencyKey { http.headers.add(name: "Idempotency-Key", value: key) }
            if let body {
                http.headers.add(name: "Content-Type", value: body.contentType)
                http.body = .bytes(ByteBuffer(data: body.data))
            }
            logger.debug(
                "remote request", metadata: ["http.method": "\(request.method.rawValue)", "http.route": "\(request.route)"])
            let response: HTTPClientResponse
            do {
                try Task.checkCancellation()
                response = try await client.execute(
                    http, deadline: .now() + Self.timeAmount(configuration.timeouts.responseHead))
            } catch {
                let failure = RemoteError.from(error, endpoint: endpoint)
                logger.debug(
                    "remote failure",
                    metadata: [
                        "http.method": "\(request.method.rawValue)", "http.route": "\(request.route)",
                        "convosync.error": "\(failure.code)",
                    ])
                throw failure
            }
            let status = Int(response.status.code)
            if (200..<300).contains(status) { return response }

            let errorBody = try? await response.body.collect(upTo: min(configuration.maxResponseBytes, 64 << 10))
            if [301, 302, 303, 307, 308].contains(status), let location = response.headers.first(name: "Location") {
                url = try redirectTarget(
                    from: url, location: location, status: status, method: request.method, hasBody: body != nil,
                    count: redirects, endpoint: endpoint)
                redirects += 1
                continue
            }
            let retryAfter = response.headers.first(name: "Retry-After").flatMap { RetryAfter.parse($0) }
            let error = RemoteError.from(status: status, body: errorBody, retryAfter: retryAfter, endpoint: endpoint)
            logger.debug(
                "remote error",
                metadata: [
                    "http.method": "\(request.method.rawValue)", "http.route": "\(request.route)",
                    "http.status_code": "\(status)", "convosync.error": "\(error.code)",
                ])
            throw error
        }
    }

    /// Where a redirect leads, if the policy follows it. A request with a body is never
    /// re-sent to another origin: a 307/308 keeps the method and body, and following one
    /// across origins would hand a message (or an upload) to a host the account never named.
    func redirectTarget(
        from url: URL, location: String, status: Int, method: RemoteRequest.Method, hasBody: Bool = false, count: Int,
        endpoint: String
    ) throws -> URL {
        guard count < configuration.redirects.maxCount,
            method == .get || method == .head || status == 307 || status == 308,
            let target = URL(string: location, relativeTo: url)?.absoluteURL,
            let from = Origin(url), let to = Origin(target)
        else {
            throw RemoteError(.redirectRefused, endpoint: endpoint, status: status)
        }
        if from.scheme == "https" && to.scheme != "https" {
            throw RemoteError(.insecureTransport, endpoint: endpoint, status: status)
        }
        if to != Origin(baseURL) && hasBody {
            throw RemoteError(
                .redirectRefused, endpoint: endpoint, status: status,
                detail: "a \(status) to \(to) would re-send the request body to another origin")
        }
        if to != Origin(baseURL) && configuration.redirects.crossOrigin == .refuse {
            throw RemoteError(.redirectRefused, endpoint: endpoint, status: status)
        }
        return target
    }

    private static func encodedBody(_ body: RemoteRequest.Body?) -> (contentType: String, data: Data)? {
        guard let body else { return nil }
        switch body {
        case .json(let data): return ("application/json", data)
        case .bytes(let data, let contentType): return (contentType, data)
        case .multipart(let form):
            let encoded = form.encoded()
            return (encoded.contentType, encoded.body)
        }
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .nanoseconds(.max) : .nanoseconds(nanos + attoseconds / 1_000_000_000)
    }
}

/// The scheme, host and port of a URL: what "same origin" compares.
struct Origin: Hashable, CustomStringConvertible {
    let scheme: String
    let host: String
    let port: Int

    init?(_ url: URL) {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var host = url.host?.lowercased(), !host.isEmpty
        else { return nil }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.scheme = scheme
        self.host = host
        self.port = url.port ?? (scheme == "https" ? 443 : 80)
    }

    var description: String { "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// 127.0.0.0/8, ::1 (any spelling) and `localhost`.
    var isLoopback: Bool {
        if host == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1 }
        }
        return false
    }
}

/// `Retry-After`: delay-seconds or an HTTP date.
enum RetryAfter {
    static func parse(_ value: String, now: Date = Date()) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int64(text), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        let milliseconds = Int64((date.timeIntervalSince(now) * 1000).rounded())
        return .milliseconds(max(0, milliseconds))
    }
}
