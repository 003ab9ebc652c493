import Foundation
import Hummingbird
import ServiceLifecycle
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
    return try await serving(app, ports: ports, body)
}

/// Runs `app` until `body` (given the port `ports` yields once bound) returns, then stops it
/// gracefully, as a ServiceGroup does: cancelling `run()` can drop a streaming response's
/// writer mid-write, which NIO's debug builds trap on. A server still busy a few seconds
/// later (a handler sleeping on purpose) is then cancelled.
func serving<T: Sendable>(
    _ app: some Service, ports: AsyncStream<Int>, _ body: (_ port: Int) async throws -> T
) async throws -> T {
    let services = ServiceGroup(
        configuration: .init(
            services: [app], gracefulShutdownSignals: [],
            logger: Logger(label: "test-server", factory: { _ in SwiftLogNoOpLogHandler() })))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port != 0 else {
            group.cancelAll()
            throw CancellationError()
        }
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body(port))
        } catch {
            outcome = .failure(error)
        }
        await services.triggerGracefulShutdown()
        group.addTask {
            try await Task.sleep(for: .seconds(5))
            throw CancellationError()
        }
        _ = try? await group.next()
        group.cancelAll()
        return try outcome.get()
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
