import Hummingbird
import NIOCore

/// Renders every error as `{"error":{"code","message"}}`: ours, Hummingbird's `HTTPError`
/// (an unmatched route becomes `route_not_found`) and anything else as a 500 `internal`.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = EmulatorContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return Self.response(for: Self.emulatorError(error))
        }
    }

    static func emulatorError(_ error: any Error) -> EmulatorError {
        switch error {
        case let error as EmulatorError:
            return error
        case let error as HTTPError:
            switch error.status {
            case .notFound: return EmulatorError(.routeNotFound, "no such endpoint")
            case .contentTooLarge: return EmulatorError(.payloadTooLarge, "the body is too large")
            case .methodNotAllowed: return EmulatorError(.methodNotAllowed, "method not allowed on this endpoint")
            case .unauthorized: return EmulatorError(.unauthorized, "missing or wrong credential")
            case .badRequest: return EmulatorError(.invalidRequest, "malformed request")
            default:
                return error.status.code >= 500
                    ? EmulatorError(.internal, "internal error")
                    : EmulatorError(.invalidRequest, error.status.reasonPhrase)
            }
        case is NIOTooManyBytesError:
            return EmulatorError(.payloadTooLarge, "the body is too large")
        default:
            return EmulatorError(.internal, "internal error")
        }
    }

    /// The JSON response for an error, with `Retry-After` and `Allow` when it has them.
    static func response(for error: EmulatorError) -> Response {
        var response = Response.json(error.body, status: error.status)
        if let seconds = error.retryAfterSeconds {
            response.headers[.retryAfter] = String(seconds)
        }
        if let methods = error.allowedMethods {
            response.headers[.allow] = methods.joined(separator: ", ")
        }
        return response
    }
}

extension Response {
    /// A JSON response.
    static func json(_ body: JSON, status: HTTPResponse.Status = .ok) -> Response {
        let data = body.serialized()
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
