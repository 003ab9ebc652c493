import ConvoModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import TestSupport

@testable import ConvoRemote

/// One request as the replay server received it.
struct RecordedRequest: Sendable {
    var method: String
    /// The path below the dialect's base path, still percent-encoded.
    var path: String
    /// The raw query string, if any.
    var query: String?
    /// Header fields by lowercased name.
    var headers: [String: String]
    var body: Data

    /// Query items, percent-decoded.
    var queryItems: [String: String] {
        var items: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            items[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return items
    }
}

/// What the replay server answers: a status, a content type and a body, written in chunks
/// of `chunkSize` bytes (odd sizes split SSE lines and UTF-8 sequences anywhere).
struct Reply: Sendable {
    var status: Int
    var contentType: String
    var body: Data
    var chunkSize: Int = 7

    /// The fixture `Fixtures/wire/<dialect>/<file>` as its index describes it.
    static func fixture(_ dialect: Dialect, _ entry: WireFixture) throws -> Reply {
        Reply(
            status: entry.status, contentType: entry.contentType,
            body: try Fixtures.data("wire/\(dialect.rawValue)/\(entry.file)"))
    }
}

/// A loopback server that records every request and answers each with the current reply,
/// whatever its path: it checks request shapes, it does not emulate a platform.
final class ReplayServer: Sendable {
    let basePath: String
    private let replies = Mutex<Reply>(Reply(status: 500, contentType: "text/plain", body: Data()))
    private let log = Mutex<[RecordedRequest]>([])

    init(basePath: String) { self.basePath = basePath }

    /// Answers the following requests with `reply`.
    func answer(_ reply: Reply) { replies.withLock { $0 = reply } }

    /// Every request so far, in arrival order.
    var requests: [RecordedRequest] { log.withLock { $0 } }

    /// The last request, if any.
    var last: RecordedRequest? { requests.last }

    func respond(to request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        var path = request.uri.path
        if path.hasPrefix(basePath) { path.removeFirst(basePath.count) }
        let recorded = RecordedRequest(
            method: request.method.rawValue, path: path, query: request.uri.query, headers: headers,
            body: Data(body.readableBytesView))
        log.withLock { $0.append(recorded) }
        let reply = replies.withLock { $0 }
        var fields = HTTPFields()
        if !reply.contentType.isEmpty, let name = HTTPField.Name("Content-Type") { fields[name] = reply.contentType }
        let bytes = reply.body
        let chunk = max(1, reply.chunkSize)
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: fields,
            body: ResponseBody { writer in
                var offset = 0
                while offset < bytes.count {
                    let end = min(offset + chunk, bytes.count)
                    try await writer.write(ByteBuffer(bytes: bytes[offset..<end]))
                    offset = end
                }
                try await writer.finish(nil)
            })
    }
}

/// Runs a replay server on 127.0.0.1, port 0, for the duration of `body`.
func withReplayServer<T: Sendable>(basePath: String, _ body: (_ port: Int, _ server: ReplayServer) async throws -> T)
    async throws -> T
{
    let server = ReplayServer(basePath: basePath)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
        responder: CallbackResponder<BasicRequestContext> { request, _ in try await server.respond(to: request) },
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        },
        logger: Logger(label: "replay-server", factory: { _ in SwiftLogNoOpLogHandler() }))
    return try await serving(app, ports: ports) { port in try await body(port, server) }
}
