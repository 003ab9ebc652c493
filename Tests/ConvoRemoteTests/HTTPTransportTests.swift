import ConvoModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization
import Testing
import TestSupport

@testable import ConvoRemote

private let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

/// Runs `body` with a transport for `http://127.0.0.1:<port><path>`, shutting it down after.
func withTransport<T: Sendable>(
    port: Int, path: String = "/api", credentials: Credentials? = .bearer("test-token"),
    configuration: RemoteConfiguration = RemoteConfiguration(), logger: Logger = quietLogger,
    _ body: (HTTPTransport) async throws -> T
) async throws -> T {
    let url = try #require(URL(string: "http://127.0.0.1:\(port)\(path)"))
    let transport = HTTPTransport(baseURL: url, credentials: credentials, configuration: configuration, logger: logger)
    do {
        let result = try await body(transport)
        try await transport.shutdown()
        return result
    } catch {
        try await transport.shutdown()
        throw error
    }
}

/// The `RemoteError` an operation throws, or a test failure if it throws none or another kind.
func remoteError(_ operation: () async throws -> Void) async -> RemoteError? {
    do {
        try await operation()
        Issue.record("expected a RemoteError")
        return nil
    } catch let error as RemoteError {
        return error
    } catch {
        Issue.record("expected a RemoteError, got \(type(of: error))")
        return nil
    }
}

@Suite("HTTP transport against a misbehaving loopback server")
struct HTTPTransportTests {
    @Test("a 2xx body is collected, with credentials and Accept sent")
    func success() async throws {
        let log = RequestLog()
        try await withTestServer({ router in
            router.get("/api/conversations") { request, _ in
                log.record(request)
                return jsonResponse(.ok, #"{"conversations":[],"total":0}"#)
            }
        }) { port in
            try await withTransport(port: port) { transport in
                let response = try await transport.send(RemoteRequest(.get, "/conversations"))
                #expect(response.status == 200)
                struct Page: Decodable { var total: Int }
                #expect(try response.decode(Page.self).total == 0)
            }
        }
        let seen = try #require(log.requests.first)
        #expect(seen["authorization"] == "Bearer test-token")
        #expect(seen["accept"] == "application/json")
        #expect(seen["user-agent"] == "ConvoSync")
    }

    @Test("path parameters and query values are percent-encoded; a trailing slash on the base is ignored")
    func encoding() async throws {
        let log = RequestLog()
        try await withTestServer({ router in
            router.get("/api/items/{id}") { request, _ in
                log.record(request)
                return jsonResponse(.ok, "{}")
            }
        }) { port in
            try await withTransport(port: port, path: "/api/") { transport in
                let request = RemoteRequest(
                    .get, "/items/{id}", parameters: ["id": "a/b c?"],
                    query: [.init("q", "x&y=z ü+"), .init("skipped", nil), .init("n", "1")])
                _ = try await transport.send(request)
                let empty = RemoteRequest(.get, "/items/{id}", parameters: ["id": ""])
                let error = await remoteError { _ = try await transport.send(empty) }
                #expect(error?.code == .invalidRequest)
                #expect(error?.field == "id")
            }
        }
        #expect(log.requests.map { $0[":path"] } == ["/api/items/a%2Fb%20c%3F?q=x%26y%3Dz%20%C3%BC%2B&n=1"])
    }

    @Test("a dot-dot id cannot walk up the path")
    func dotSegments() throws {
        let request = RemoteRequest(.get, "/conversations/{id}", parameters: ["id": ".."])
        #expect(try request.pathAndQuery() == "/conversations/%2E%2E")
    }

    @Test("401 is unauthorized and permanent")
    func unauthorized() async throws {
        try await withTestServer({ router in
            router.get("/api/conversations") { _, _ in
                jsonResponse(.unauthorized, #"{"error":{"code":"unauthorized","message":"bad key"}}"#)
            }
        }) { port in
            try await withTransport(port: port) { transport in
                let error = await remoteError { _ = try await transport.send(RemoteRequest(.get, "/conversations")) }
                #expect(error?.code == .unauthorized)
                #expect(error?.isRetryable == false)
                #expect(error?.endpoint == "GET /conversations")
                #expect(error?.serverMessage == "bad key")
                #expect(error.map(String.init(describing:)) == "RemoteError.unauthorized (GET /conversations, status 401)")
            }
        }
    }

    @Test("404 names the missing thing from the error body; route_not_found and an HTML 404 are not deletions")
    func notFound() async throws {
        try await withTestServer({ router in
            router.get("/api/conversations/{id}") { _, context in
                let id = context.parameters.get("id") ?? ""
                switch id {
                case "gone":
                    return jsonResponse(.notFound, #"{"error":{"code":"conversation_not_found","message":"no"}}"#)
                case "frame":
                    return jsonResponse(.notFound, #"{"error":{"code":"data_frame_not_found","message":"no"}}"#)
                case "route":
                    return jsonResponse(.notFound, #"{"error":{"code":"route_not_found","message":"no"}}"#)
                default:
                    return Response(
                        status: .notFound, headers: [.contentType: "text/html"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: "<html><body>Not Found</body></html>")))
                }
            }
        }) { port in
            try await withTransport(port: port) { transport in
                func read(_ id: String) async -> RemoteError? {
                    await remoteError {
                        _ = try await transport.send(RemoteRequest(.get, "/conversations/{id}", parameters: ["id": id]))
                    }
                }
                let gone = await read("gone")
                #expect(gone?.code == .notFound)
                #expect(gone?.resource == .conversation)
                #expect(gone?.isConversationNotFound == true)
                #expect(await read("frame")?.resource == .dataFrame)
                let route = await read("route")
                #expect(route?.code == .routeNotFound)
                #expect(route?.isConversationNotFound == false)
                let html = await read("html")
                #expect(html?.code == .notFound)
                #expect(html?.resource == nil)
                #expect(html?.isConversationNotFound == false)
            }
        }
    }

    @Test("429 is rate limited, retryable, with Retry-After in seconds")
    func rateLimited() async throws {
        try await withTestServer({ router in
            router.get("/api/conversations") { _, _ in
                jsonResponse(
                    .tooManyRequests, #"{"error":{"code":"rate_limited","message":"slow down"}}"#,
                    headers: [.retryAfter: "7"])
            }
        }) { port in
            try await withTransport(port: port) { transport in
                let error = await remoteError { _ = try await transport.send(RemoteRequest(.get, "/conversations")) }
                #expect(error?.code == .rateLimited)
                #expect(error?.retryAfter == .seconds(7))
                #expect(error?.isRetryable == true)
            }
        }
    }

    @Test("Retry-After as an HTTP date becomes the time left until it")
    func retryAfterDate() throws {
        let now = try #require(Timestamp.parse("2026-03-01T09:30:00Z"))
        #expect(RetryAfter.parse("Sun, 01 Mar 2026 09:30:30 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Sun, 01 Mar 2026 09:00:00 GMT", now: now) == .zero)
        #expect(RetryAfter.parse("soon", now: now) == nil)
        #expect(RetryAfter.parse("-5", now: now) == nil)
    }

    @Test("a 500 HTML error page maps by status and is retryable")
    func serverErrorPage() async throws {
        try await withTestServer({ router in
            router.get("/api/conversations") { _, _ in
                Response(
                    status: .internalServerError, headers: [.contentType: "text/html"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: "<html><h1>Oops</h1></html>")))
            }
        }) { port in
            try await withTransport(port: port) { transport in
                let error = await remoteError { _ = try await transport.send(RemoteRequest(.get, "/conversations")) }
                #expect(error?.code == .serverError)
                #expect(error?.status == 500)
                #expect(error?.isRetryable == true)
                #expect(error?.serverMessage == nil)
            }
        }
    }

    @Test("an error body's message is capped and stripped of control characters")
    func messageCapped() {
        let long = String(repeating: "x", count: 5000) + "\n"
        let error = RemoteError(.invalidRequest, endpoint: "GET /x", serverMessage: "a\nb" + long)
        #expect(error.serverMessage?.count == RemoteError.maxMessageLength)
        #expect(error.serverMessage?.hasPrefix("a b") == true)
    }

    @Test("a body larger than maxResponseBytes is responseTooLarge")
    func oversized() async throws {
        try await withTestServer({ router in
            router.get("/api/big") { _, _ in
                jsonResponse(.ok, "[" + String(repeating: "1,", count: 4000) + "1]")
            }
            router.get("/api/chunked") { _, _ in
                Response(
                    status: .ok,
                    body: ResponseBody { writer in
                        for _ in 0..<10 { try await writer.write(ByteBuffer(string: String(repeating: "z", count: 500))) }
                        try await writer.finish(nil)
                    })
            }
        }) { port in
            var configuration = RemoteConfiguration()
            configuration.maxResponseBytes = 1024
            try await withTransport(port: port, configuration: configuration) { transport in
                let declared = await remoteError { _ = try await transport.send(RemoteRequest(.get, "/big")) }
                #expect(declared?.code == .responseTooLarge)
                let streamed = await remoteError { _ = try await transport.send(RemoteRequest(.get, "/chunked")) }
                #expect(streamed?.code == .responseTooLarge)
            }
        }
    }

    @Test("a connection cut mid-body is a retryable network error")
    func cutMidBody() async throws {
        try await withTestServer({ router in
            router.get("/api/cut") { _, _ in
                Response(
                    status: .ok,
                    body: ResponseBody(contentLength: 1000) { writer in
                        try await writer.write(ByteBuffer(string: #"{"partial":"#))
                        throw CutConnection()
                    })
            }
        }) { port in
            try await withTransport(port: port) { transport in
                let error = await remoteError { _ = try await transport.send(RemoteRequest(.get, "/cut")) }
                #expect(error?.code == .network)
                #expect(error?.isRetryable == true)
            }
        }
    }

    @Test("a body that stalls longer than the read timeout is a timeout")
    func slowBody() async throws {
        try await withTestServer({ router in
            router.get("/api/slow") { _, _ in
                Response(
                    status: .ok,
                    body: ResponseBody { writer in
                        try await writer.write(ByteBuffer(string: "{"))
                        try await Task.sleep(for: .seconds(5))
                        try await writer.finish(nil)
                    })
            }
        }) { port in
            var configuration = RemoteConfiguration()
            configuration.timeouts.read = .milliseconds(300)
            try await withTransport(port: port, configuration: configuration) { transport in
                let error = await remoteError { _ = try await transport.send(RemoteRequest(.get, "/slow")) }
                #expect(error?.code == .timeout)
                #expect(error?.isRetryable == true)
            }
        }
    }

    @Test("a same-origin redirect is followed with the credentials")
    func sameOriginRedirect() async throws {
        let log = RequestLog()
        try await withTestServer({ router in
            router.get("/api/old") { _, _ in
                Response(status: .movedPermanently, headers: [.location: "/api/new?x=1"])
            }
            router.get("/api/new") { request, _ in
                log.record(request)
                return jsonResponse(.ok, #"{"ok":true}"#)
            }
        }) { port in
            try await withTransport(port: port, credentials: .apiKey("key-1", secret: "secret-1")) { transport in
                let response = try await transport.send(RemoteRequest(.get, "/old"))
                #expect(response.status == 200)
            }
        }
        let seen = try #require(log.requests.first)
        #expect(seen["x-api-key"] == "key-1")
        #expect(seen["x-api-secret"] == "secret-1")
        #expect(seen[":path"] == "/api/new?x=1")
    }

    @Test("a cross-origin redirect reaches the other origin without any credential header")
    func crossOriginRedirect() async throws {
        let log = RequestLog()
        try await withTestServer({ router in
            router.get("/files/{name}") { request, _ in
                log.record(request)
                return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "bytes")))
            }
        }) { otherPort in
            try await withTestServer({ router in
                router.get("/api/download") { _, _ in
                    Response(status: .temporaryRedirect, headers: [.location: "http://127.0.0.1:\(otherPort)/files/a"])
                }
            }) { port in
                for credentials in [Credentials.bearer("tok-1"), .apiKey("key-1", secret: "secret-1")] {
                    try await withTransport(port: port, credentials: credentials) { transport in
                        let request = RemoteRequest(
                            .get, "/download", headers: [(name: "X-API-Key", value: "extra"), (name: "X-Trace", value: "t")])
                        let response = try await transport.send(request)
                        #expect(String(buffer: response.body) == "bytes")
                    }
                }
                var refusing = RemoteConfiguration()
                refusing.redirects.crossOrigin = .refuse
                try await withTransport(port: port, configuration: refusing) { transport in
                    let error = await remoteError { _ = try await transport.send(RemoteRequest(.get, "/download")) }
                    #expect(error?.code == .redirectRefused)
                }
            }
        }
        #expect(log.requests.count == 2)
        for seen in log.requests {
            #expect(seen["authorization"] == nil)
            #expect(seen["x-api-key"] == nil)
            #expect(seen["x-api-secret"] == nil)
            #expect(seen["x-trace"] == "t")
        }
    }

    @Test("a write redirected with 302 is refused rather than turned into a GET; too many redirects are refused")
    func redirectsRefused() async throws {
        try await withTestServer({ router in
            router.post("/api/conversations") { _, _ in Response(status: .found, headers: [.location: "/api/elsewhere"]) }
            router.get("/api/loop") { _, _ in Response(status: .found, headers: [.location: "/api/loop"]) }
        }) { port in
            try await withTransport(port: port) { transport in
                let post = await remoteError {
                    _ = try await transport.send(RemoteRequest(.post, "/conversations", body: .json(Data("{}".utf8))))
                }
                #expect(post?.code == .redirectRefused)
                let loop = await remoteError { _ = try await transport.send(RemoteRequest(.get, "/loop")) }
                #expect(loop?.code == .redirectRefused)
            }
        }
    }

    @Test("a same-origin 307 or 308 of a POST keeps its method, body and credentials", arguments: [307, 308])
    func sameOriginBodyRedirect(status: Int) async throws {
        let log = RequestLog()
        let received = ReceivedBody()
        try await withTestServer({ router in
            router.post("/api/conversations") { _, _ in
                Response(status: .init(code: status), headers: [.location: "/api/v2/conversations"])
            }
            router.post("/api/v2/conversations") { request, _ in
                log.record(request)
                let body = try await request.body.collect(upTo: 1 << 20)
                received.set(contentType: request.headers[.contentType] ?? "", body: String(buffer: body))
                return jsonResponse(.ok, #"{"ok":true}"#)
            }
        }) { port in
            try await withTransport(port: port, credentials: .bearer("tok-7")) { transport in
                let response = try await transport.send(
                    RemoteRequest(.post, "/conversations", body: .json(Data(#"{"name":"kept"}"#.utf8))))
                #expect(response.status == 200)
            }
        }
        #expect(log.requests.map { $0[":method"] } == ["POST"])
        #expect(log.requests.first?["authorization"] == "Bearer tok-7")
        #expect(received.get().body == #"{"name":"kept"}"#)
        #expect(received.get().contentType == "application/json")
    }

    @Test("a cross-origin 307 or 308 of a request with a body is refused, naming the redirect, and nothing reaches the other origin", arguments: [307, 308])
    func crossOriginBodyRedirectRefused(status: Int) async throws {
        let log = RequestLog()
        try await withTestServer({ router in
            router.post("/elsewhere") { request, _ in
                log.record(request)
                return jsonResponse(.ok, "{}")
            }
        }) { otherPort in
            try await withTestServer({ router in
                router.post("/api/conversations/{id}/messages") { _, _ in
                    Response(status: .init(code: status), headers: [.location: "http://127.0.0.1:\(otherPort)/elsewhere"])
                }
            }) { port in
                try await withTransport(port: port) { transport in
                    let error = await remoteError {
                        _ = try await transport.send(
                            RemoteRequest(
                                .post, "/conversations/{id}/messages", parameters: ["id": "c1"],
                                body: .json(Data(#"{"content":"secret plans"}"#.utf8))))
                    }
                    #expect(error?.code == .redirectRefused)
                    #expect(error?.status == status)
                    #expect(error?.detail?.contains("127.0.0.1:\(otherPort)") == true)
                    #expect(error?.description.contains("\(status)") == true)
                    #expect(error?.isRetryable == false)
                }
            }
        }
        #expect(log.requests.isEmpty)
    }

    @Test("https to a loopback port that speaks plain http fails as a TLS error, permanent, without the credential")
    func tlsHandshakeFailure() async throws {
        try await withTestServer({ router in
            router.get("/api/conversations") { _, _ in jsonResponse(.ok, "{}") }
        }) { port in
            let url = try #require(URL(string: "https://127.0.0.1:\(port)/api"))
            let transport = HTTPTransport(baseURL: url, credentials: .bearer("tls-token-9"), logger: quietLogger)
            let error = await remoteError { _ = try await transport.send(RemoteRequest(.get, "/conversations")) }
            let streamError = await remoteError { _ = try await transport.stream(RemoteRequest(.get, "/conversations")) }
            try await transport.shutdown()
            #expect(error?.code == .tls)
            #expect(streamError?.code == .tls)
            #expect(error?.isRetryable == false)
            #expect(error?.detail != nil)
            #expect(error?.description.contains("tls-token-9") == false)
            #expect(error?.description.contains("RemoteError.tls") == true)
        }
    }

    @Test(
        "a loopback TLS server whose self-signed certificate this machine does not trust fails as tls, naming the certificate",
        .enabled(if: OpenSSLServer.isAvailable, "needs the openssl command to serve TLS on loopback"))
    func untrustedCertificate() async throws {
        let server = try await OpenSSLServer.start()
        defer { server.stop() }
        let url = try #require(URL(string: "https://127.0.0.1:\(server.port)/api"))
        let transport = HTTPTransport(baseURL: url, credentials: .bearer("cert-token-3"), logger: quietLogger)
        let error = await remoteError { _ = try await transport.send(RemoteRequest(.get, "/conversations")) }
        try await transport.shutdown()
        #expect(error?.code == .tls)
        #expect(error?.isRetryable == false)
        #expect(error?.detail?.contains("certificate") == true, "\(String(describing: error?.detail))")
        #expect(error?.description.contains("cert-token-3") == false)
    }

    @Test("plain http to a non-loopback host is refused before any connection")
    func insecureTransport() async throws {
        let url = try #require(URL(string: "http://convosync.invalid/api"))
        let transport = HTTPTransport(baseURL: url, credentials: .bearer("t"), logger: quietLogger)
        let error = await remoteError { _ = try await transport.send(RemoteRequest(.get, "/conversations")) }
        try await transport.shutdown()
        #expect(error?.code == .insecureTransport)
        #expect(error?.isRetryable == false)
    }

    @Test("loopback is 127.0.0.0/8, ::1 and localhost; nothing else", arguments: [
        ("http://127.0.0.1/", true), ("http://127.9.8.7:81/", true), ("http://[::1]:8080/", true),
        ("http://[0:0:0:0:0:0:0:1]/", true), ("http://LOCALHOST/", true), ("http://128.0.0.1/", false),
        ("http://10.0.0.1/", false), ("http://example.com/", false), ("http://127.0.0.1.example.com/", false),
        ("http://[::2]/", false),
    ])
    func loopback(url: String, expected: Bool) throws {
        let parsed = try #require(URL(string: url))
        let origin = try #require(Origin(parsed))
        #expect(origin.isLoopback == expected)
    }

    @Test("the Idempotency-Key travels on writes; an invalid key is refused before sending")
    func idempotencyKey() async throws {
        let log = RequestLog()
        try await withTestServer({ router in
            router.post("/api/conversations") { request, _ in
                log.record(request)
                return jsonResponse(.created, #"{"id":"conv_0000000000000001"}"#, headers: [HTTPField.Name("Idempotent-Replayed")!: "true"])
            }
        }) { port in
            try await withTransport(port: port) { transport in
                var request = RemoteRequest(.post, "/conversations", idempotencyKey: "key-123")
                try request.setJSONBody(["agent_id": "agent_a"])
                let response = try await transport.send(request)
                #expect(response.isReplayed)
                for bad in ["", "has space", "é", String(repeating: "k", count: 256)] {
                    let invalid = RemoteRequest(.post, "/conversations", idempotencyKey: bad)
                    let error = await remoteError { _ = try await transport.send(invalid) }
                    #expect(error?.code == .invalidRequest)
                    #expect(error?.field == "Idempotency-Key")
                }
            }
        }
        #expect(log.requests.count == 1)
        #expect(log.requests.first?["idempotency-key"] == "key-123")
        #expect(log.requests.first?["content-type"] == "application/json")
    }

    @Test("a multipart upload repeats the files field and quotes hostile file names safely")
    func multipart() async throws {
        let received = ReceivedBody()
        try await withTestServer({ router in
            router.post("/api/files") { request, _ in
                let contentType = request.headers[.contentType] ?? ""
                let body = try await request.body.collect(upTo: 1 << 20)
                received.set(contentType: contentType, body: String(buffer: body))
                return jsonResponse(.ok, "{}")
            }
        }) { port in
            try await withTransport(port: port) { transport in
                let form = MultipartForm(files: [
                    FileUpload(filename: "report \"final\".csv", contentType: "text/csv", data: Data("a,b\n1,2\n".utf8)),
                    FileUpload(
                        filename: "evil\r\nContent-Type: text/html\r\n\r\n.txt", contentType: "bad\r\ntype",
                        data: Data([0, 1, 2])),
                ])
                _ = try await transport.send(RemoteRequest(.post, "/files", body: .multipart(form)))
            }
        }
        let (contentType, body) = received.get()
        let boundary = try #require(contentType.components(separatedBy: "boundary=").last)
        #expect(contentType.hasPrefix("multipart/form-data; boundary="))
        let parts = body.components(separatedBy: "--\(boundary)")
        #expect(parts.count == 4)  // preamble, two parts, closing "--\r\n"
        #expect(parts.last == "--\r\n")
        #expect(body.contains(#"Content-Disposition: form-data; name="files"; filename="report %22final%22.csv""#))
        #expect(body.contains(#"filename="evil%0D%0AContent-Type: text/html%0D%0A%0D%0A.txt""#))
        #expect(body.contains("Content-Type: application/octet-stream\r\n\r\n"))
        #expect(body.components(separatedBy: "name=\"files\"").count == 3)
    }

    @Test("a streamed download yields every byte as it arrives")
    func streamedDownload() async throws {
        try await withTestServer({ router in
            router.get("/api/download") { _, _ in
                Response(
                    status: .ok,
                    body: ResponseBody { writer in
                        for index in 0..<100 {
                            try await writer.write(ByteBuffer(bytes: [UInt8](repeating: UInt8(index), count: 1000)))
                        }
                        try await writer.finish(nil)
                    })
            }
        }) { port in
            try await withTransport(port: port) { transport in
                let response = try await transport.stream(RemoteRequest(.get, "/download", accept: "*/*"))
                var bytes: [UInt8] = []
                for try await chunk in response.body { bytes += chunk.readableBytesView }
                #expect(bytes.count == 100_000)
                #expect(bytes[99_999] == 99)
            }
        }
    }

    @Test("a decoding failure names the endpoint and the field path")
    func malformed() throws {
        struct Page: Decodable {
            struct Item: Decodable { var id: String }
            var conversations: [Item]
        }
        let response = RemoteResponse(
            status: 200, headers: [], body: ByteBuffer(string: #"{"conversations":[{"id":"a"},{"id":3}]}"#),
            endpoint: "GET /conversations")
        let error = try #require(throws: RemoteError.self) { try response.decode(Page.self) }
        #expect(error.code == .malformedResponse)
        #expect(error.field == "$.conversations[1].id")
        let missing = RemoteResponse(status: 200, headers: [], body: ByteBuffer(string: "{}"), endpoint: "GET /x")
        #expect((try? missing.decode(Page.self)) == nil)
        let missingError = try #require(throws: RemoteError.self) { try missing.decode(Page.self) }
        #expect(missingError.field == "$.conversations")
        let html = RemoteResponse(status: 200, headers: [], body: ByteBuffer(string: "<html>"), endpoint: "GET /x")
        let htmlError = try #require(throws: RemoteError.self) { try html.decode(Page.self) }
        #expect(htmlError.field == "$")
    }
}

/// A request body a route received, for assertions after the server stops.
final class ReceivedBody: Sendable {
    private let state = Mutex<(String, String)>(("", ""))
    func set(contentType: String, body: String) { state.withLock { $0 = (contentType, body) } }
    func get() -> (contentType: String, body: String) { state.withLock { $0 } }
}


/// `openssl s_server` on a loopback port with a fresh self-signed certificate: a real TLS peer
/// whose certificate no trust store holds.
struct OpenSSLServer {
    let process: Process
    let folder: URL
    let port: Int

    static var isAvailable: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/openssl")
        }
    }

    private static func openssl(_ arguments: [String], in folder: URL, output: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = folder
        process.standardInput = FileHandle.nullDevice
        // s_server reports its port ("ACCEPT host:port") on standard error.
        let handle = try output.map { try FileHandle(forWritingTo: $0) } ?? FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try ChildProcess.launch(process)
        return process
    }

    static func start() async throws -> OpenSSLServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let request = try openssl(
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], in: folder)
        request.waitUntilExit()
        guard request.terminationStatus == 0 else {
            try? FileManager.default.removeItem(at: folder)
            throw CutConnection()
        }
        let log = folder.appendingPathComponent("server.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let server = try openssl(
            ["s_server", "-accept", "127.0.0.1:0", "-cert", "cert.pem", "-key", "key.pem", "-www"], in: folder,
            output: log)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT") }),
                let port = line.split(separator: ":").last.flatMap({ Int($0) })
            {
                return OpenSSLServer(process: server, folder: folder, port: port)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
        throw CutConnection()
    }

    /// SIGKILL: a child of the test process inherits its blocked signals, SIGTERM included.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}
