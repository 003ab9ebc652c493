import AsyncHTTPClient
import ConvoEmulator
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Testing

/// A response as a test sees it.
struct TestResponse {
    var status: Int
    var headers: HTTPHeaders
    var body: Data

    var json: JSON {
        get throws { try JSON.parse(body) }
    }

    /// The wire error code of an error body.
    var errorCode: String? {
        (try? json)?["error"]?["code"]?.stringValue
    }
}

/// How a test request authenticates.
enum TestAuth {
    case defaultKey
    case none
    case bearer(String)
    case headers([(String, String)])
}

/// Talks to a running emulator over loopback with AsyncHTTPClient.
struct EmulatorClient {
    /// Generous: the whole suite runs in parallel on a small machine, and a response
    /// head may wait behind other tests' work. It bounds a hang, it times nothing.
    static let requestTimeout: TimeAmount = .seconds(180)

    let emulator: RunningEmulator
    var http: HTTPClient { HTTPClient.shared }

    var agentIDs: [String] { emulator.addresses.agentIDs }

    /// Starts an emulator configured by `configure`, runs `body`, stops it.
    static func with(
        _ configure: (inout EmulatorConfiguration) -> Void = { _ in },
        _ body: (EmulatorClient) async throws -> Void
    ) async throws {
        var configuration = EmulatorConfiguration()
        configuration.deltaInterval = .milliseconds(1)
        configuration.adminEnabled = true
        configure(&configuration)
        var logger = Logger(label: "convosync.emulator.tests")
        logger.logLevel = .critical
        try await withEmulator(configuration, logger: logger) { running in
            try await body(EmulatorClient(emulator: running))
        }
    }

    func url(_ dialect: EmulatorDialect?, _ path: String) -> String {
        (dialect.map { emulator.baseURL($0) } ?? emulator.addresses.origin) + path
    }

    func authHeaders(_ dialect: EmulatorDialect?, _ auth: TestAuth) -> [(String, String)] {
        switch auth {
        case .none: return []
        case .bearer(let key): return [("Authorization", "Bearer \(key)")]
        case .headers(let headers): return headers
        case .defaultKey:
            if dialect == .knowrithm { return [("X-API-Key", "dev-key"), ("X-API-Secret", "dev-secret")] }
            return [("Authorization", "Bearer dev-key")]
        }
    }

    /// Sends a request and collects the whole response.
    func send(
        _ method: HTTPMethod, _ dialect: EmulatorDialect?, _ path: String,
        json: JSON? = nil, body: Data? = nil, contentType: String? = nil,
        auth: TestAuth = .defaultKey, headers: [(String, String)] = [], checkContract: Bool = true
    ) async throws -> TestResponse {
        var request = HTTPClientRequest(url: url(dialect, path))
        request.method = method
        for (name, value) in authHeaders(dialect, auth) + headers { request.headers.add(name: name, value: value) }
        if let json {
            request.body = .bytes(ByteBuffer(data: json.serialized()))
            request.headers.add(name: "Content-Type", value: "application/json")
        } else if let body {
            request.body = .bytes(ByteBuffer(data: body))
            request.headers.add(name: "Content-Type", value: contentType ?? "application/octet-stream")
        }
        let response = try await http.execute(request, timeout: Self.requestTimeout)
        let collected = try await response.body.collect(upTo: 64 << 20)
        let result = TestResponse(status: Int(response.status.code), headers: response.headers, body: Data(collected.readableBytesView))
        if checkContract {
            ContractCheck.record(method: method, url: request.url, status: result.status, headers: result.headers, body: result.body)
        }
        return result
    }

    func get(
        _ dialect: EmulatorDialect?, _ path: String, auth: TestAuth = .defaultKey, headers: [(String, String)] = [], checkContract: Bool = true
    ) async throws -> TestResponse {
        try await send(.GET, dialect, path, auth: auth, headers: headers, checkContract: checkContract)
    }

    /// Sends a request whose response is an event stream; hands each parsed event to
    /// `onEvent` as it arrives (return false to stop reading).
    func stream(
        _ method: HTTPMethod, _ dialect: EmulatorDialect, _ path: String, json: JSON? = nil,
        auth: TestAuth = .defaultKey, headers: [(String, String)] = [], checkContract: Bool = true,
        onEvent: (TestEvent) async throws -> Bool
    ) async throws -> (status: Int, completed: Bool) {
        var request = HTTPClientRequest(url: url(dialect, path))
        request.method = method
        for (name, value) in authHeaders(dialect, auth) + headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let json {
            request.body = .bytes(ByteBuffer(data: json.serialized()))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        let response = try await http.execute(request, timeout: Self.requestTimeout)
        let status = Int(response.status.code)
        var parser = TestEventParser()
        var received = Data()
        // The events seen, checked against the contract however the stream ends.
        func check(complete: Bool) {
            guard checkContract else { return }
            let body = complete ? received : ContractCheck.completeEvents(received)
            ContractCheck.record(method: method, url: request.url, status: status, headers: response.headers, body: body)
        }
        var chunks = response.body.makeAsyncIterator()
        while true {
            let chunk: ByteBuffer?
            do {
                chunk = try await chunks.next()
            } catch {
                // The connection ended mid-stream (a cut): the client sees an error, not an end.
                check(complete: false)
                return (status, false)
            }
            guard let chunk else { break }
            let bytes = Data(chunk.readableBytesView)
            received.append(bytes)
            for event in parser.feed(bytes) {
                guard try await onEvent(event) else {
                    check(complete: false)
                    return (status, false)
                }
            }
        }
        check(complete: true)
        return (status, true)
    }

    /// The store's truth for a tenant, through the admin route.
    func truth(_ tenant: String = "acme") async throws -> JSON {
        try await get(nil, "/_emulator/truth?tenant=\(tenant)", auth: .none).json
    }
}

/// One received Server-Sent Event.
struct TestEvent: Equatable {
    var id: String?
    var event: String
    var data: String
    var isComment = false
    /// A `retry:` line, reported as it comes (its value in `data`).
    var isRetry = false
}

/// A small WHATWG-style event-stream parser for tests (LF line ends, comments reported).
struct TestEventParser {
    private var buffer = Data()
    private var id: String?
    private var event: String?
    private var data: [String] = []

    mutating func feed(_ bytes: Data) -> [TestEvent] {
        buffer.append(bytes)
        var events: [TestEvent] = []
        while let newline = buffer.firstIndex(of: 0x0A) {
            let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
            buffer.removeSubrange(buffer.startIndex...newline)
            if line.isEmpty {
                if !data.isEmpty || event != nil {
                    events.append(TestEvent(id: id, event: event ?? "message", data: data.joined(separator: "\n")))
                }
                event = nil
                data = []
                continue
            }
            if line.hasPrefix(":") {
                events.append(TestEvent(id: nil, event: "", data: String(line.dropFirst()), isComment: true))
                continue
            }
            let field: String
            var value: String
            if let colon = line.firstIndex(of: ":") {
                field = String(line[..<colon])
                value = String(line[line.index(after: colon)...])
                if value.hasPrefix(" ") { value.removeFirst() }
            } else {
                field = line
                value = ""
            }
            switch field {
            case "id": id = value
            case "event": event = value
            case "data": data.append(value)
            case "retry": events.append(TestEvent(id: nil, event: "", data: value, isRetry: true))
            default: break
            }
        }
        return events
    }
}

extension JSON {
    /// Builds an object from literal pairs.
    static func make(_ pairs: KeyValuePairs<String, JSON>) -> JSON {
        .object(pairs.map { ($0.key, $0.value) })
    }
}
