import HTTPTypes
import Hummingbird
import NIOCore

/// Applies latency, 503s, 429s with `Retry-After` and cut response bodies to dialect routes.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = EmulatorContext
    let faults: FaultController

    /// Raised inside a body to make the server drop the connection mid-response.
    struct ConnectionCut: Error {}

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path.hasPrefix("/_emulator") { return try await next(request, context) }
        let configuration = faults.configuration
        guard configuration.isActive else { return try await next(request, context) }
        if configuration.latency > .zero { try await Task.sleep(for: configuration.latency) }
        switch faults.decide() {
        case .proceed:
            return try await next(request, context)
        case .serverError:
            throw EmulatorError(.unavailable, "injected fault: service unavailable", retryAfterSeconds: 1)
        case .rateLimited(let seconds):
            throw EmulatorError(.rateLimited, "injected fault: too many requests", retryAfterSeconds: seconds)
        case .cutBody:
            var response = try await next(request, context)
            if response.headers[.contentType] == "text/event-stream" { return response }
            let original = response.body
            var collected = ByteBuffer()
            try await original.write(CollectingWriter(sink: { collected.writeImmutableBuffer($0) }))
            let full = collected
            response.body = ResponseBody(contentLength: full.readableBytes) { writer in
                try await writer.write(full.getSlice(at: full.readerIndex, length: full.readableBytes / 2) ?? ByteBuffer())
                throw ConnectionCut()
            }
            return response
        }
    }
}

/// Hands each chunk of a body to `sink`.
struct CollectingWriter: ResponseBodyWriter {
    let sink: (ByteBuffer) -> Void

    mutating func write(_ buffer: ByteBuffer) async throws { sink(buffer) }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
