import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOSSL

/// The one error `ConvoRemote` throws: a matchable `code`, the endpoint it concerns, and the
/// context a caller acts on (which thing was not found, when to retry, which field was bad).
///
///     do { try await api.conversation(id: id) }
///     catch let error as RemoteError where error.code == .notFound && error.resource == .conversation {
///         // the conversation's own read says it is gone: a hard delete (DESIGN "Sync")
///     }
///
/// `description` names the code, the endpoint (`"GET /conversations/{id}"`, never a URL),
/// the status and the field; never headers, bodies, credentials or query strings. The
/// platform's own message is kept apart in `serverMessage`, capped and stripped of control
/// characters, for a caller that chooses to show it.
public struct RemoteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as a closed-but-extensible set of values compared with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unauthorized, forbidden, notFound, routeNotFound, rateLimited, serverError, network, timeout
            case cancelled, malformedResponse, idempotencyConflict, invalidRequest, payloadTooLarge
            case responseTooLarge, insecureTransport, redirectRefused, unsupported, tls
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The code's name, e.g. `notFound`.
        public var description: String { base.rawValue }

        /// 401: the credentials were refused.
        public static let unauthorized = Code(.unauthorized)
        /// 403: the credentials may not do this.
        public static let forbidden = Code(.forbidden)
        /// 404 for a thing (see `RemoteError.resource`): it does not exist or was hard-deleted.
        public static let notFound = Code(.notFound)
        /// 404 `route_not_found`: no such endpoint, i.e. a wrong base URL. Never a deletion.
        public static let routeNotFound = Code(.routeNotFound)
        /// 429: slow down; `RemoteError.retryAfter` says for how long when the server said.
        public static let rateLimited = Code(.rateLimited)
        /// 5xx (see `RemoteError.status`).
        public static let serverError = Code(.serverError)
        /// The connection failed or was cut.
        public static let network = Code(.network)
        /// A connect, read or response-head timeout.
        public static let timeout = Code(.timeout)
        /// The caller's task was cancelled.
        public static let cancelled = Code(.cancelled)
        /// The response did not have the expected shape (see `RemoteError.field`).
        public static let malformedResponse = Code(.malformedResponse)
        /// 422 `idempotency_conflict`: the idempotency key was used for another request.
        public static let idempotencyConflict = Code(.idempotencyConflict)
        /// 400, 405, 422 and other 4xx: the request itself was refused, or could not be built.
        public static let invalidRequest = Code(.invalidRequest)
        /// 413: the request body was too large for the server.
        public static let payloadTooLarge = Code(.payloadTooLarge)
        /// The response body exceeded `RemoteConfiguration.maxResponseBytes`.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// Plain http to a non-loopback host without `allowsInsecureHTTP`, or a redirect to http.
        public static let insecureTransport = Code(.insecureTransport)
        /// A redirect that the redirect policy does not follow, or too many redirects.
        public static let redirectRefused = Code(.redirectRefused)
        /// The dialect has no such operation (see `RemoteCapabilities`).
        public static let unsupported = Code(.unsupported)
        /// The TLS handshake failed: a certificate not trusted or not naming the host, or a
        /// server that does not speak TLS on that port (see `RemoteError.detail`). Permanent:
        /// retrying reaches the same server with the same certificate; a person must act.
        public static let tls = Code(.tls)
    }

    /// The kind of thing a `notFound` names, from the error body's code.
    public enum Resource: String, Sendable, Hashable, CaseIterable {
        case conversation, message, agent, file, dataFrame
    }

    /// What went wrong.
    public let code: Code
    /// The endpoint as method and route template, e.g. `"GET /conversations/{id}"`.
    public let endpoint: String
    /// The HTTP status, when a response arrived.
    public var status: Int?
    /// For `notFound`: which thing the server said is missing; `nil` when it did not say
    /// (an HTML 404, say), which is never proof of a deletion.
    public var resource: Resource?
    /// For `rateLimited` (and 503): how long the server asked to wait, from `Retry-After`.
    public var retryAfter: Duration?
    /// For `malformedResponse`: the coding path or header of the offending field.
    public var field: String?
    /// For `tls` and some `redirectRefused`: what failed, in words made by the client (e.g.
    /// "the certificate is not trusted", or which origin a body would have gone to), never
    /// a header value, a body or a query string.
    public var detail: String?
    /// The platform's `error.code` string, when the body had one.
    public var serverCode: String?
    /// The platform's `error.message`, capped at 200 characters with control characters
    /// removed. Not part of `description`: a server may echo what it was sent.
    public var serverMessage: String?

    /// Makes an error; adapters use it for dialect-level failures (a missing field, say).
    public init(
        _ code: Code, endpoint: String, status: Int? = nil, resource: Resource? = nil, retryAfter: Duration? = nil,
        field: String? = nil, serverCode: String? = nil, serverMessage: String? = nil, detail: String? = nil
    ) {
        self.detail = detail
        self.code = code
        self.endpoint = endpoint
        self.status = status
        self.resource = resource
        self.retryAfter = retryAfter
        self.field = field
        self.serverCode = serverCode
        self.serverMessage = serverMessage.map(Self.sanitized)
    }

    /// Whether trying again later may succeed: network failures, timeouts, 5xx and 429.
    /// Everything else is permanent until something changes (credentials, input, base URL).
    public var isRetryable: Bool {
        code == .network || code == .timeout || code == .serverError || code == .rateLimited
    }

    /// Whether this error proves that the conversation just read was deleted remotely:
    /// a `notFound` naming a conversation (DIALECTS: "A client infers a hard delete only
    /// from `conversation_not_found` on that conversation's own read").
    public var isConversationNotFound: Bool { code == .notFound && resource == .conversation }

    /// Code, endpoint, status, resource, field and retry delay; never headers, bodies or messages.
    public var description: String {
        var text = "RemoteError.\(code) (\(endpoint)"
        if let status { text += ", status \(status)" }
        if let resource { text += ", \(resource.rawValue)" }
        if let field { text += ", field \(field)" }
        if let retryAfter { text += ", retry after \(retryAfter)" }
        if let detail { text += ", \(detail)" }
        return text + ")"
    }

    static let maxMessageLength = 200

    private static func sanitized(_ message: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in message.unicodeScalars.prefix(maxMessageLength) {
            scalars.append(scalar.properties.generalCategory == .control ? " " : scalar)
        }
        return String(scalars)
    }
}

extension RemoteError {
    /// The error for an HTTP error status, refined by the platform's error body
    /// `{"error":{"code","message"}}` when there is one; any other body (an HTML page,
    /// say) is ignored and the status decides.
    static func from(status: Int, body: ByteBuffer?, retryAfter: Duration?, endpoint: String) -> RemoteError {
        let parsed = body.flatMap(ErrorBody.parse)
        var error = RemoteError(
            code(status: status, serverCode: parsed?.code), endpoint: endpoint, status: status,
            retryAfter: retryAfter, serverCode: parsed?.code, serverMessage: parsed?.message)
        if error.code == .notFound { error.resource = parsed?.code.flatMap(resource(serverCode:)) }
        return error
    }

    private static func resource(serverCode: String) -> Resource? {
        switch serverCode {
        case "conversation_not_found": .conversation
        case "message_not_found": .message
        case "agent_not_found": .agent
        case "file_not_found": .file
        case "data_frame_not_found": .dataFrame
        default: nil
        }
    }

    private static func code(status: Int, serverCode: String?) -> Code {
        switch serverCode {
        case "unauthorized": return .unauthorized
        case "forbidden": return .forbidden
        case "conversation_not_found", "message_not_found", "agent_not_found", "file_not_found",
            "data_frame_not_found":
            return .notFound
        case "route_not_found": return .routeNotFound
        case "invalid_request", "unprocessable": return .invalidRequest
        case "payload_too_large": return .payloadTooLarge
        case "idempotency_conflict": return .idempotencyConflict
        case "rate_limited": return .rateLimited
        case "internal", "unavailable": return .serverError
        default: break
        }
        switch status {
        case 401: return .unauthorized
        case 403: return .forbidden
        case 404, 410: return .notFound
        case 408: return .timeout
        case 413: return .payloadTooLarge
        case 429: return .rateLimited
        case 500...599: return .serverError
        case 300...399: return .redirectRefused
        default: return .invalidRequest
        }
    }

    /// Maps a failure thrown while talking to the server, dropping its text: an
    /// AsyncHTTPClient error may print a header value (a token, say).
    static func from(_ error: any Error, endpoint: String) -> RemoteError {
        if let remote = error as? RemoteError { return remote }
        if error is CancellationError { return RemoteError(.cancelled, endpoint: endpoint) }
        if error is NIOTooManyBytesError { return RemoteError(.responseTooLarge, endpoint: endpoint) }
        if let reason = tlsFailure(error) { return RemoteError(.tls, endpoint: endpoint, detail: reason) }
        if let client = error as? HTTPClientError {
            switch client {
            case .readTimeout, .writeTimeout, .connectTimeout, .deadlineExceeded, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout:
                return RemoteError(.timeout, endpoint: endpoint)
            case .cancelled, .requestStreamCancelled:
                return RemoteError(.cancelled, endpoint: endpoint)
            case .invalidURL, .emptyHost, .emptyScheme, .traceRequestWithBody,
                .bodyLengthMismatch:
                return RemoteError(.invalidRequest, endpoint: endpoint)
            case .redirectLimitReached, .redirectCycleDetected:
                return RemoteError(.redirectRefused, endpoint: endpoint)
            default:
                // invalidHeaderFieldNames/Values print what they refused: report only the kind.
                if client.shortDescription.hasPrefix("Invalid header") {
                    return RemoteError(.invalidRequest, endpoint: endpoint, field: "header")
                }
                return RemoteError(.network, endpoint: endpoint)
            }
        }
        return RemoteError(.network, endpoint: endpoint)
    }
}

extension RemoteError {
    /// Why a TLS handshake failed, in the client's own words, or `nil` when `error` is not a
    /// TLS failure. Only BoringSSL's reason names are looked at, never peer data.
    static func tlsFailure(_ error: any Error) -> String? {
        if let extra = error as? NIOSSLExtraError {
            switch extra {
            case .failedToValidateHostname, .serverHostnameImpossibleToMatch:
                return "the certificate does not name this host"
            default:
                return "the TLS setup failed"
            }
        }
        guard let ssl = error as? NIOSSLError else { return nil }
        switch ssl {
        case .handshakeFailed(let underlying):
            let text: String
            switch underlying {
            case .sslError(let stack), .unknownError(let stack): text = stack.map(\.description).joined(separator: " ")
            default: text = ""
            }
            if text.contains("CERTIFICATE_VERIFY_FAILED") { return "certificate verification failed: the server's certificate is not trusted" }
            if text.contains("WRONG_VERSION_NUMBER") || text.contains("EOF during handshake") || text.contains("PACKET_LENGTH_TOO_LONG") {
                return "the server did not answer in TLS (plain http on that port?)"
            }
            return "the handshake was refused"
        case .noCertificateToValidate, .unableToValidateCertificate, .cannotMatchULabel:
            return "certificate verification failed"
        default:
            return nil
        }
    }
}

/// The platform error body `{"error":{"code","message"}}`.
private struct ErrorBody: Decodable {
    struct Inner: Decodable {
        var code: String?
        var message: String?
    }
    var error: Inner

    static func parse(_ body: ByteBuffer) -> (code: String?, message: String?)? {
        guard let decoded = try? JSONDecoder().decode(ErrorBody.self, from: body) else { return nil }
        return (decoded.error.code, decoded.error.message)
    }
}
