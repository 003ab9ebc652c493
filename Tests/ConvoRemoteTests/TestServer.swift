import Foundation
import Hummingbird
import Logging
import Synchronization

/// Runs a Hummingbird server on 127.0.0.1, port 0, for the duration of `body`.
func withTestServer<T: Sendable>(
    _ configure: (Router<BasicRequestContext>) -> Void,
    _ body: (_ port: Int) async throws -> T
) async throws -> T {
    let router = Router()
    configure(router)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            continuation.yield(channel.localAddress?.port ?? 0)
            continuation.finish()
        },
        logger: Logger(label: "test-server", factory: { _ in SwiftLogNoOpLogHandler() })
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port != 0 else {
            group.cancelAll()
            throw CancellationError()
        }
        do {
            let result = try await body(port)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// What a test server saw: request header fields per request, in arrival order.
final class RequestLog: Sendable {
    private let entries = Mutex<[[String: String]]>([])

    func record(_ request: Request) {
        var fields: [String: String] = [:]
        for field in request.headers { fields[field.name.canonicalName] = field.value }
        fields[":path"] = request.uri.description
        fields[":method"] = request.method.rawValue
        entries.withLock { $0.append(fields) }
    }

    var requests: [[String: String]] { entries.withLock { $0 } }
}

/// Thrown by a test route to cut the connection mid-body.
struct CutConnection: Error {}

func jsonResponse(_ status: HTTPResponse.Status, _ text: String, headers: HTTPFields = [:]) -> Response {
    var fields = headers
    fields[.contentType] = "application/json"
    return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}
