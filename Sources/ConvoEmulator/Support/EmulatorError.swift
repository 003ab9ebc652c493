import HTTPTypes

/// The one error type of the emulator: a wire error code plus a message safe to show.
///
/// Every route throws it, and the error middleware renders it as
/// `{"error":{"code","message"}}` with the status its code implies. Messages name
/// fields and ids, never credentials, headers or bodies.
///
///     throw EmulatorError(.conversationNotFound, "no conversation conv_0123456789abcdef")
public struct EmulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The wire codes of DIALECTS.md, each with its HTTP status.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        case unauthorized
        case forbidden
        case conversationNotFound = "conversation_not_found"
        case messageNotFound = "message_not_found"
        case agentNotFound = "agent_not_found"
        case fileNotFound = "file_not_found"
        case dataFrameNotFound = "data_frame_not_found"
        case routeNotFound = "route_not_found"
        case invalidRequest = "invalid_request"
        case methodNotAllowed = "method_not_allowed"
        case payloadTooLarge = "payload_too_large"
        case idempotencyConflict = "idempotency_conflict"
        case unprocessable
        case rateLimited = "rate_limited"
        case `internal`
        case unavailable

        /// The HTTP status this code is sent with.
        public var status: HTTPResponse.Status {
            switch self {
            case .unauthorized: return .unauthorized
            case .forbidden: return .forbidden
            case .conversationNotFound, .messageNotFound, .agentNotFound, .fileNotFound,
                 .dataFrameNotFound, .routeNotFound:
                return .notFound
            case .invalidRequest: return .badRequest
            case .methodNotAllowed: return .methodNotAllowed
            case .payloadTooLarge: return .contentTooLarge
            case .idempotencyConflict, .unprocessable: return .unprocessableContent
            case .rateLimited: return .tooManyRequests
            case .internal: return .internalServerError
            case .unavailable: return .serviceUnavailable
            }
        }

        /// The code written on the wire (a wrong method is reported as `invalid_request`).
        public var wireCode: String {
            self == .methodNotAllowed ? Code.invalidRequest.rawValue : rawValue
        }
    }

    /// What went wrong, matchable.
    public let code: Code
    /// A human-readable explanation naming the field or id concerned.
    public let message: String
    /// Seconds a client should wait before retrying (`rate_limited`, `unavailable`).
    public var retryAfterSeconds: Int?
    /// The methods the path serves, sent as `Allow` with a 405 (`method_not_allowed`).
    public var allowedMethods: [String]?
    /// A status other than the one `code` implies, sent only by a fault that lies
    /// (``FaultConfiguration/expiredCursorsGone``); nil for the documented status.
    public var statusOverride: HTTPResponse.Status?

    /// The HTTP status the error is sent with.
    public var status: HTTPResponse.Status { statusOverride ?? code.status }

    /// Creates an error with its code and message.
    public init(_ code: Code, _ message: String, retryAfterSeconds: Int? = nil, allowedMethods: [String]? = nil) {
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
        self.allowedMethods = allowedMethods
    }

    /// The code and message, never request data beyond the ids the message names.
    public var description: String { "EmulatorError(\(code.rawValue)): \(message)" }

    /// The `{"error":{"code","message"}}` body.
    var body: JSON {
        .object([("error", .object([("code", .string(code.wireCode)), ("message", .string(message))]))])
    }
}
